"""Wait for the Streamlit app to settle, and read Plotly charts straight from the DOM.

Streamlit reports its script state on the app root; Plotly draws up to about a second after the
script finishes, so "settled" also means: the rendered main area looks the same for `quiet` seconds.
"""
from __future__ import annotations

import base64
import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # playwright may be missing: the tests then skip instead of failing to import
    from playwright.sync_api import Page

# One JS function that summarises what the page shows. Anything a rerun or a redraw changes
# (script state, skeletons, stale elements, text, chart data, layout markers) changes this value.
FINGERPRINT_JS = """
() => {
  const hash = (s) => {
    let h = 5381;
    for (let i = 0; i < s.length; i++) h = ((h * 33) ^ s.charCodeAt(i)) >>> 0;
    return h.toString(16);
  };
  const app = document.querySelector("[data-testid='stApp']");
  const main = document.querySelector("[data-testid='stMain']");
  const charts = Array.from(document.querySelectorAll("[data-testid='stMain'] .js-plotly-plot")).map((el) => {
    const data = el.data || [];
    const layout = el.layout || {};
    const title = layout.title ? (typeof layout.title === "string" ? layout.title : layout.title.text) : "";
    return [data.length, hash(JSON.stringify(data)),
            hash(JSON.stringify([layout.meta || null, layout.shapes || null, title || ""]))].join(":");
  });
  return {
    state: app ? app.getAttribute("data-test-script-state") : null,
    skeletons: document.querySelectorAll("[data-testid='stSkeleton']").length,
    stale: document.querySelectorAll("[data-stale='true']").length,
    text: main ? main.innerText.length : -1,
    charts: charts,
  };
}
"""

# Plotly keeps decoded copies of base64 arrays under "_inputArray"; drop such private keys.
CHARTS_JS = """
(scope) => {
  const plain = (obj) => JSON.parse(JSON.stringify(obj || null, (k, v) => (k.startsWith("_") ? undefined : v)));
  return Array.from(document.querySelectorAll(scope + " .js-plotly-plot")).map((el) => ({
    data: plain(el.data) || [],
    layout: plain(el.layout) || {},
  }));
}
"""


class NotSettled(AssertionError):
    pass


def fingerprint(page: Page) -> dict:
    return page.evaluate(FINGERPRINT_JS)


def chart_key(fp: dict) -> tuple:
    """Only the charts part of a fingerprint (what a user sees change when a control moves)."""
    return tuple(fp["charts"])


def settle(page: Page, quiet: float = 1.0, timeout: float = 60.0, poll: float = 0.1) -> dict:
    """Wait until the script is not running, nothing is loading or stale, and the main area has looked
    the same for `quiet` seconds. Returns the final fingerprint; raises NotSettled after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    since = time.monotonic()
    while time.monotonic() < deadline:
        fp = fingerprint(page)
        idle = fp["state"] == "notRunning" and fp["skeletons"] == 0 and fp["stale"] == 0
        if fp != last or not idle:
            last, since = fp, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return fp
        page.wait_for_timeout(poll * 1000)
    raise NotSettled(f"app did not settle within {timeout:.0f} s; last fingerprint: {last}")


def wait_for_change(page: Page, before: dict, timeout: float = 30.0, poll: float = 0.05) -> dict:
    """Wait until the charts differ from `before` (a fingerprint), then settle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if chart_key(fingerprint(page)) != chart_key(before):
            return settle(page)
        page.wait_for_timeout(poll * 1000)
    raise NotSettled(f"charts did not change within {timeout:.0f} s")


def charts(page: Page, scope: str = "[data-testid='stMain']") -> list[dict]:
    """Every Plotly chart under `scope`, in page order, as {"data": [...traces], "layout": {...}}."""
    return page.evaluate(CHARTS_JS, scope)


def chart(page: Page, key: str) -> dict:
    """The Plotly chart of the st.plotly_chart with this key (Streamlit adds class st-key-<key>)."""
    found = charts(page, f".st-key-{key}")
    assert found, f"no drawn Plotly chart with key {key!r}"
    return found[0]


def values(v) -> np.ndarray:
    """A trace's array as numpy: plain lists, or Plotly's {"dtype", "bdata", "shape"} base64 form."""
    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        shape = v.get("shape")
        if shape:
            arr = arr.reshape([int(n) for n in str(shape).split(",")])
        return arr.astype(float)

    def clean(x):  # JSON turns NaN into null
        return [clean(e) for e in x] if isinstance(x, list) else (np.nan if x is None else x)

    return np.asarray(clean(v), dtype=float)


def trace(fig: dict, name: str) -> dict:
    """The trace called `name` in a chart read by `charts`/`chart`."""
    found = [t for t in fig["data"] if t.get("name") == name]
    assert found, f"no trace named {name!r}; traces: {[t.get('name') for t in fig['data']]}"
    return found[0]


def title(fig: dict) -> str:
    t = fig["layout"].get("title") or ""
    return t if isinstance(t, str) else t.get("text", "")
