"""Browser latency of GRU Lab's main controls, for one user in headless Chromium.

For each control the time runs from the input event in the page (keydown or pointerdown, stamped by a
capture listener) to the moment the chart it drives holds different data (polled in the page every
few milliseconds: the Plotly element's data, layout.meta and shapes). After each interaction the app
is left to settle before the next one. Starts its own server on a free loopback port and stops it.

    python benchmarks/bench_browser.py [--n 20]

Prints a markdown table of p50 / p95 / max per control against the target p95 <= 700 ms.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.server import launch_chromium, missing_browser, start_app, stop_app  # noqa: E402
from tests.e2e.settle import settle  # noqa: E402

TARGET_P95_MS = 700.0
CHANGE_TIMEOUT_MS = 30_000  # one interaction that never updates its chart counts as this and is reported

ARM_JS = """
([key, timeout]) => {
  const sel = `.st-key-${key} .js-plotly-plot`;
  const hash = () => {
    const el = document.querySelector(sel);
    if (!el || !el.data) return "";
    const l = el.layout || {};
    return JSON.stringify(el.data) + JSON.stringify([l.meta || null, l.shapes || null]);
  };
  const before = hash();
  window.__benchT0 = null;
  if (!window.__benchListening) {
    window.__benchListening = true;
    const stamp = () => { if (window.__benchT0 === null) window.__benchT0 = performance.now(); };
    for (const type of ["keydown", "pointerdown", "mousedown"]) window.addEventListener(type, stamp, true);
  }
  window.__benchDone = new Promise((resolve) => {
    const started = performance.now();
    const poll = () => {
      if (window.__benchT0 !== null && hash() !== before) {
        resolve({ms: performance.now() - window.__benchT0, changed: true});
      } else if (performance.now() - started > timeout) {
        resolve({ms: timeout, changed: false});
      } else {
        setTimeout(poll, 5);
      }
    };
    poll();
  });
}
"""


def measure(page, chart_key: str, act: Callable[[], None]) -> tuple[float, bool]:
    """Milliseconds from the input event that `act` sends to a change in the chart `chart_key`."""
    page.evaluate(ARM_JS, [chart_key, CHANGE_TIMEOUT_MS])
    act()
    result = page.evaluate("() => window.__benchDone")
    settle(page)
    return result["ms"], result["changed"]


def slider_key(page, key: str, keys: list[str]) -> Callable[[], None]:
    """An action that presses the next of `keys` (cycling) on the slider `key`."""
    thumb = page.locator(f".st-key-{key} input[type=range]")
    count = {"i": 0}

    def act():
        thumb.focus()
        page.keyboard.press(keys[count["i"] % len(keys)])
        count["i"] += 1

    return act


def click(page, selector: str | Callable[[int], str]) -> Callable[[], None]:
    count = {"i": 0}

    def act():
        sel = selector(count["i"]) if callable(selector) else selector
        page.locator(sel).first.click()
        count["i"] += 1

    return act


def run_control(browser, base: str, name: str, path: str, chart_key: str, make_action, n: int,
                prepare=None) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{base}/{path}")
        settle(page)
        if prepare:
            prepare(page)
            settle(page)
        act = make_action(page)
        times, misses = [], 0
        for _ in range(n):
            ms, changed = measure(page, chart_key, act)
            times.append(ms)
            misses += not changed
        return {"name": name, "times": np.array(times), "misses": misses}
    finally:
        context.close()


CASES = ["copy", "cut", "rnn-like", "free"]


def controls():
    """(name, url path, chart key, action factory, prepare) for each main control."""
    return [
        ("Step slider (→ key), step page", "step", "heatmaps",
         lambda page: slider_key(page, "t", ["ArrowRight"]), None),
        ("Next button, step page", "step", "heatmaps",
         lambda page: click(page, ".st-key-t_next button"), None),
        ("Gate case radio, saturation page", "saturation", "sat_matrices",
         lambda page: click(page, lambda i: f".st-key-case label:has-text('{CASES[i % len(CASES)]}')"), None),
        ("RNN recurrent scale slider (→ key), vanishing page", "vanishing", "chains",
         lambda page: slider_key(page, "rnn_scale", ["ArrowRight"]), None),
        ("Sidebar hidden size H (→/← keys), step page", "step", "heatmaps",
         lambda page: slider_key(page, "H", ["ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"]), None),
    ]


def table(results: list[dict]) -> str:
    lines = [f"| control | n | p50 ms | p95 ms | max ms | target p95 ≤ {TARGET_P95_MS:.0f} ms |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        t = r["times"]
        p50, p95, mx = np.percentile(t, 50), np.percentile(t, 95), t.max()
        verdict = "met" if p95 <= TARGET_P95_MS and not r["misses"] else "**missed**"
        if r["misses"]:
            verdict += f" ({r['misses']} of {len(t)} never updated within {CHANGE_TIMEOUT_MS / 1000:.0f} s)"
        lines.append(f"| {r['name']} | {len(t)} | {p50:.0f} | {p95:.0f} | {mx:.0f} | {verdict} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="interactions per control (at least 20 for the table)")
    args = parser.parse_args()
    reason = missing_browser()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.mkdtemp(prefix="gru_lab_bench_")) / "server.log"
    started = time.monotonic()
    proc, base = start_app(log)
    results = []
    try:
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                for name, path, chart_key, make_action, prepare in controls():
                    results.append(run_control(browser, base, name, path, chart_key, make_action, args.n, prepare))
                    t = results[-1]["times"]
                    print(f"  {name}: p50 {np.percentile(t, 50):.0f} ms, max {t.max():.0f} ms", file=sys.stderr)
            finally:
                browser.close()
    finally:
        stop_app(proc)
    load = os.getloadavg()
    print(f"Browser latency, one user, headless Chromium, {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; input event → chart data changed; "
          f"{time.monotonic() - started:.0f} s in all.\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
