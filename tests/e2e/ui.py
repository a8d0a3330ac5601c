"""Small helpers to drive Streamlit widgets the way a person does (keyboard, clicks) and read them back."""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

from .settle import fingerprint, settle

MAIN = "[data-testid='stMain']"
SIDEBAR = "[data-testid='stSidebar']"

DRAWN_JS = """
(scope) => Array.from(document.querySelectorAll(scope + " .js-plotly-plot")).map((el) => {
  const box = el.getBoundingClientRect();
  return {
    traces: (el._fullData || []).length,
    svg: el.querySelectorAll(".main-svg").length,
    left: box.left, right: box.right, width: box.width, height: box.height,
  };
})
"""


def widget(page: Page, key: str) -> Locator:
    """The element container of the widget with this key (Streamlit adds class st-key-<key>)."""
    return page.locator(f".st-key-{key}")


def slider_input(page: Page, key: str) -> Locator:
    return widget(page, key).locator("input[type=range]")


def slider_text(page: Page, key: str) -> str:
    """The value a slider shows (its aria-valuetext: the option label for a select_slider)."""
    return slider_input(page, key).get_attribute("aria-valuetext")


def press_slider(page: Page, key: str, key_name: str = "ArrowRight", times: int = 1) -> dict:
    """Focus a slider's thumb, press a key `times` times, and wait for the app to settle."""
    thumb = slider_input(page, key)
    thumb.focus()
    for _ in range(times):
        page.keyboard.press(key_name)
    return settle(page)


def choose_radio(page: Page, key: str, label: str) -> dict:
    widget(page, key).get_by_text(label, exact=True).click()
    return settle(page)


def choose_select(page: Page, key: str, option: str) -> dict:
    widget(page, key).click()
    page.get_by_role("option", name=option, exact=True).click()
    return settle(page)


def download(page: Page, key: str, path: Path, timeout: float = 120.0) -> float:
    """Click the st.download_button with this key and save its file at `path`; return the seconds from
    the click to the browser's download event.

    The app settles first: a button drawn by a run the server has since replaced points to a file id
    that run's end revoked. Then it waits for whichever comes first, the download or the button's own
    error line (Streamlit shows it for 5 s, then clears it), so a failed download fails at once with
    Streamlit's reason. `timeout` is only a deadline for an app that never answers; a loaded CI machine
    (load average 8) may take seconds where an idle one takes 50 ms.
    """
    settle(page)
    box = widget(page, key)
    error = box.get_by_test_id("stDownloadButtonError")
    got = []

    def on_download(d) -> None:  # a function: Playwright tags its handlers, which a built-in cannot take
        got.append(d)

    page.on("download", on_download)
    try:
        start = time.monotonic()
        box.get_by_role("button").click()
        while not got:
            if error.count():
                raise AssertionError(f"download {key!r} failed: {error.first.inner_text()!r}")
            if time.monotonic() - start > timeout:
                raise AssertionError(f"no download from {key!r} within {timeout:.0f} s of the click")
            page.wait_for_timeout(50)
        took = time.monotonic() - start
    finally:
        page.remove_listener("download", on_download)
    failure = got[0].failure()  # waits for the file to finish
    assert failure is None, f"download {key!r} did not complete: {failure}"
    got[0].save_as(path)
    return took


def select_text(page: Page, key: str) -> str:
    return widget(page, key).get_by_role("combobox").input_value()


def drawn(page: Page, scope: str = MAIN) -> list[dict]:
    """Per Plotly chart: how many traces Plotly drew, whether its SVG exists, and where it sits."""
    return page.evaluate(DRAWN_JS, scope)


def alerts(page: Page, kind: str = "Error") -> list[str]:
    return page.locator(f"{MAIN} [data-testid='stAlertContent{kind}']").all_inner_texts()


def exceptions(page: Page) -> list[str]:
    return page.locator("[data-testid='stException']").all_inner_texts()


def page_not_found(page: Page) -> bool:
    return page.get_by_text("Page not found").count() > 0


def chart_fingerprints(page: Page) -> tuple:
    return tuple(fingerprint(page)["charts"])


# Text labels Plotly draws (titles, subplot titles, annotations, axis titles, legend entries), whose boxes
# must neither overlap nor run past the chart's edge (where they are cut off). Tick labels are left out:
# rotated ticks have overlapping boxes even when readable.
OVERLAP_JS = """
() => {
  const out = [];
  document.querySelectorAll("[data-testid='stMain'] .js-plotly-plot").forEach((plot) => {
    const key = Array.from(plot.closest("[class*='st-key-']")?.classList || []).find((c) => c.startsWith("st-key-"));
    const els = Array.from(plot.querySelectorAll(
      ".annotation-text, .gtitle, .infolayer > g[class$='title'] text, .legendtext"
    )).filter((e) => e.textContent.trim() !== "");
    const boxes = els.map((e) => [e.textContent.trim(), e.getBoundingClientRect()]);
    const frame = plot.getBoundingClientRect();
    for (const [t, B] of boxes) {
      if (B.width > 0 && (B.left < frame.left - 1 || B.right > frame.right + 1)) {
        out.push(`${(key || "chart").slice(7)}: '${t}' runs past the chart's edge`);
      }
    }
    for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
      const [ta, A] = boxes[a], [tb, B] = boxes[b];
      const w = Math.min(A.right, B.right) - Math.max(A.left, B.left);
      const h = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top);
      if (w > 2 && h > 4) out.push(`${(key || "chart").slice(7)}: '${ta}' overlaps '${tb}'`);
    }
  });
  return out;
}
"""

# Text cut off by an `overflow: hidden` box in the main area (outside charts and tables).
CLIPPED_JS = """
() => Array.from(document.querySelectorAll("[data-testid='stMain'] *")).filter((el) => {
  if (el.closest(".js-plotly-plot, [data-testid='stDataFrame'], .katex-mathml")) return false;
  const s = getComputedStyle(el);
  return el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 2 && ["hidden", "clip"].includes(s.overflowX)
         && el.innerText.trim() !== "";
}).map((el) => el.innerText.trim().slice(0, 60))
"""


def overlapping_labels(page: Page) -> list[str]:
    return page.evaluate(OVERLAP_JS)


def clipped_text(page: Page) -> list[str]:
    return page.evaluate(CLIPPED_JS)


# ---- keyboard focus (tests/e2e/test_keyboard.py) ------------------------------------------------------
# The element that has the keyboard focus, looked for through shadow roots (the step viewer lives in one),
# with what a person sees of the focus: the outline and box shadow the browser computes for it.
FOCUSED_JS = """
() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  if (!a) return null;
  const cs = getComputedStyle(a);
  const cls = typeof a.className === "string" ? a.className : (a.className && a.className.baseVal) || "";
  return {
    tag: a.tagName.toLowerCase(), cls, testid: a.getAttribute("data-testid") || "",
    type: a.getAttribute("type") || "", role: a.getAttribute("role") || "",
    label: a.getAttribute("aria-label") || "", text: (a.innerText || a.textContent || "").trim().slice(0, 80),
    inViewer: !!(a.closest && a.closest(".gv")), inMain: !!(a.closest && a.closest("[data-testid='stMain']")),
    visible: a.matches(":focus-visible"),
    outline: [cs.outlineStyle, parseFloat(cs.outlineWidth) || 0, cs.outlineColor], shadow: cs.boxShadow,
  };
}
"""


def focused(page: Page) -> dict | None:
    """What has the keyboard focus now (FOCUSED_JS): tag, classes, test id, label, text, focus ring."""
    return page.evaluate(FOCUSED_JS)


def tab_until(page: Page, wanted, limit: int = 80, key: str = "Tab") -> dict:
    """Press Tab (or `key`, e.g. "Shift+Tab") until `wanted(focused(page))` is true; return that element.
    Fails with the list of elements passed when `limit` presses do not get there."""
    passed = []
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now and wanted(now):
            return now
        passed.append(now and (now["cls"] or now["testid"] or now["tag"]))
    raise AssertionError(f"{limit} presses of {key} did not reach the element; passed {passed}")


def has_focus_ring(f: dict | None) -> bool:
    """The focused element draws a ring: an outline of some width, or a box shadow."""
    return bool(f) and ((f["outline"][0] != "none" and f["outline"][1] > 0) or f["shadow"] not in ("", "none"))
