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
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.server import AppServer, launch_chromium, missing_browser  # noqa: E402
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


Action = Callable[[object, int], None]  # (page, interaction number) -> sends one input event


def press(key: str, *keys: str) -> Action:
    """Press the next of `keys` (cycling) on the slider `key`."""
    def act(page, i: int) -> None:
        page.locator(f".st-key-{key} input[type=range]").focus()
        page.keyboard.press(keys[i % len(keys)])
    return act


def click(selector: Callable[[int], str]) -> Action:
    return lambda page, i: page.locator(selector(i)).first.click()


CASES = ["copy", "cut", "rnn-like", "free"]
# (name, url path, key of the chart the control drives, action)
CONTROLS = [
    ("Step slider (→ key), step page", "step", "heatmaps", press("t", "ArrowRight")),
    ("Next button, step page", "step", "heatmaps", click(lambda i: ".st-key-t_next button")),
    ("Gate case radio, saturation page", "saturation", "sat_matrices",
     click(lambda i: f".st-key-case label:has-text('{CASES[i % len(CASES)]}')")),
    ("RNN recurrent scale slider (→ key), vanishing page", "vanishing", "chains", press("rnn_scale", "ArrowRight")),
    ("Sidebar hidden size H (→/← keys), step page", "step", "heatmaps",
     press("H", "ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft")),
]


def run_control(browser, base: str, path: str, chart_key: str, act: Action, n: int) -> tuple[np.ndarray, int]:
    """n interactions: their times in ms (input event -> chart changed) and how many changed nothing."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(f"{base}/{path}")
        settle(page)
        times, misses = [], 0
        for i in range(n):
            page.evaluate(ARM_JS, [chart_key, CHANGE_TIMEOUT_MS])
            act(page, i)
            result = page.evaluate("() => window.__benchDone")
            settle(page)
            times.append(result["ms"])
            misses += not result["changed"]
        return np.array(times), misses
    finally:
        context.close()


def table(results: list[tuple[str, np.ndarray, int]]) -> str:
    lines = [f"| control | n | p50 ms | p95 ms | max ms | target p95 ≤ {TARGET_P95_MS:.0f} ms |",
             "| --- | ---: | ---: | ---: | ---: | --- |"]
    for name, t, misses in results:
        p50, p95 = np.percentile(t, 50), np.percentile(t, 95)
        verdict = "met" if p95 <= TARGET_P95_MS and not misses else "**missed**"
        if misses:
            verdict += f" ({misses} of {len(t)} never updated within {CHANGE_TIMEOUT_MS / 1000:.0f} s)"
        lines.append(f"| {name} | {len(t)} | {p50:.0f} | {p95:.0f} | {t.max():.0f} | {verdict} |")
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

    results = []
    with AppServer(Path(tempfile.mkdtemp(prefix="gru_lab_bench_")) / "server.log") as server, \
            sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            for name, path, chart_key, act in CONTROLS:
                results.append((name, *run_control(browser, server.url, path, chart_key, act, args.n)))
                print(f"  {name}: p50 {np.percentile(results[-1][1], 50):.0f} ms", file=sys.stderr)
        finally:
            browser.close()
    load = os.getloadavg()
    print(f"Browser latency, one user, headless Chromium, {os.cpu_count()} CPUs, load average "
          f"{load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; input event → chart data changed.\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
