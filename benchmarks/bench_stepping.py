"""How fast the step-through viewer steps, in headless Chromium, and how little it talks to the server.

For each control (Next, the → key, the scrubber) the time runs from the input event in the page
(stamped by a capture listener) to the new step fully drawn: the viewer's "gv-drawn" event (sent
after every view is updated, synchronously) followed by the next animation frame's paint. Runs the
viewer alone (tests/e2e/viewer_app.py, its own server on a free port) at the step page's defaults
(H = 8, T = 34) and at its largest view (H = 128, T = 500).

    python benchmarks/bench_stepping.py [--n 30]

Prints a markdown table: p50 / p95 / max, websocket frames the browser sent while stepping and
when stepping paused, the bytes received on the first load, the time from opening the page to
the first step drawn, and the targets of issue 10.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.server import launch_chromium, missing_browser  # noqa: E402
from tests.e2e.viewer_app import payload, serve  # noqa: E402

SIZES = {"defaults (H = 8, T = 34)": (8, 34, 50.0), "H = 128, T = 500": (128, 500, 150.0)}  # target p95 ms
PAUSE_MS = 1500  # longer than the viewer's 600 ms settle time: its one report goes out in here

ARM_JS = """
() => {
  window.__t0 = null;
  if (!window.__stamping) {  // one capture listener for good: the first input event of a round wins
    window.__stamping = true;
    const stamp = (e) => { if (window.__t0 === null) window.__t0 = e.timeStamp; };
    // a button acts on click (mouse up), so that is its input; keys and the range input on their own events
    for (const type of ["click", "keydown", "input"]) window.addEventListener(type, stamp, true);
  }
  window.__drawn = new Promise((resolve) => document.addEventListener("gv-drawn", () =>
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - window.__t0), 0)), {once: true}));
}
"""


def step_once(page, control: str, k: int) -> float:
    page.evaluate(ARM_JS)
    if control == "Next":
        page.locator(".gv-next").click()
    elif control == "→ key":
        page.keyboard.press("ArrowRight")
    else:
        page.locator(".gv-scrub").fill(str(k + 2))
    return page.evaluate("() => window.__drawn")


def measure(browser, url: str, H: int, T: int, n: int) -> list[dict]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sent, received = [], []
    page.on("websocket", lambda ws: (ws.on("framesent", lambda f: sent.append(f)),
                                     ws.on("framereceived", lambda f: received.append(len(f)))))
    for _ in range(2):  # the first visit warms the server (imports, caches); the second is measured
        received.clear()
        start = time.perf_counter()
        page.goto(f"{url}/?H={H}&T={T}")
        page.locator(".gv[data-t]").wait_for(timeout=120_000)
        first = (time.perf_counter() - start) * 1e3  # navigation to the viewer's first step drawn
    page.get_by_text("server: t=").wait_for()
    page.wait_for_timeout(PAUSE_MS)
    loaded = sum(received)
    rows = []
    for control in ("Next", "→ key", "scrubber"):
        page.locator(".gv-diagram").focus()
        page.keyboard.press("Home")  # every round starts at step 1, so each input moves one step on
        page.wait_for_timeout(PAUSE_MS)
        before = len(sent)
        ms = [step_once(page, control, k) for k in range(n)]
        stepping = len(sent) - before
        page.wait_for_timeout(PAUSE_MS)
        rows.append({"control": control, "ms": np.array(ms), "stepping": stepping,
                     "paused": len(sent) - before - stepping, "loaded": loaded, "first": first})
    context.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=30, help="steps per control and size (at most T − 1)")
    args = ap.parse_args()
    reason = missing_browser()
    if reason:
        sys.exit(f"cannot run: {reason}")
    from playwright.sync_api import sync_playwright

    print("| sizes | control | p50 ms | p95 ms | max ms | target p95 | frames sent while stepping "
          "| frames at the pause | data sent once | first draw |")
    print("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp) / "server.log") as server, sync_playwright() as p:
        browser = launch_chromium(p)
        for label, (H, T, target) in SIZES.items():
            data_kb = len(json.dumps(payload(H, T))) / 1e3
            for r in measure(browser, server.url, H, T, min(args.n, T - 1)):
                p50, p95, top = np.percentile(r["ms"], 50), np.percentile(r["ms"], 95), r["ms"].max()
                verdict = "met" if p95 <= target and r["stepping"] == 0 and r["paused"] <= 1 else "missed"
                print(f"| {label} | {r['control']} | {p50:.1f} | {p95:.1f} | {top:.1f} | ≤ {target:.0f} ms, "
                      f"{verdict} | {r['stepping']} in {len(r['ms'])} steps | {r['paused']} "
                      f"| {data_kb:,.0f} kB JSON ({r['loaded'] / 1e3:,.0f} kB received on load) "
                      f"| {r['first']:.0f} ms |")
        browser.close()


if __name__ == "__main__":
    main()
