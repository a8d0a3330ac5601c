"""Stepping through a sequence in headless Chromium: the browser-side viewer against the old page,
which reran the server on every step. Both run in the same session on this machine.

    python benchmarks/bench_browser.py [--n 12] [--old 2fe133d]

New page (this checkout): Next, the → key and the scrubber, each n steps. The time runs from the
input event (a capture listener stamps it) to the new step fully drawn: the viewer's "gv-drawn"
event, sent once every view is updated, then the next animation frame's paint. Old page (`--old`,
a commit checked out into a temporary git worktree; `--old ''` skips it): its Next button, timed
from the click to the heatmaps' data showing the new step. For both: websocket frames the browser
sent per step and when stepping paused, what the server sent on the first load and per step, and
the time from opening the address to the first step drawn. Sizes: the defaults (H = 8, T = 34)
and H = 128 with 500 numbers as input. Prints a markdown table with issue 10's targets.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.server import REPO, AppServer, launch_chromium, missing_browser  # noqa: E402
from tests.e2e.settle import settle  # noqa: E402

LONG = urlencode({"H": 128, "preset": "Your own", "custom_kind": "numbers",
                  "custom": ",".join(f"{np.sin(k / 7):.2f}" for k in range(500))})
SIZES = {"defaults (H = 8, T = 34)": ("", 50.0), "H = 128, T = 500": (LONG, 150.0)}  # query, target p95 ms
PAUSE_MS = 1500  # longer than the viewer's settle time (600 ms): its one report goes out in here
OLD_TIMEOUT_MS = 30_000

NEW_ARM_JS = """
() => {
  window.__t0 = null;
  if (!window.__stamping) {  // one capture listener for good: the first input event of a round wins
    window.__stamping = true;
    const stamp = (e) => { if (window.__t0 === null) window.__t0 = e.timeStamp; };
    for (const type of ["click", "keydown", "input"]) window.addEventListener(type, stamp, true);
  }
  window.__drawn = new Promise((resolve) => document.addEventListener("gv-drawn", () =>
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - window.__t0), 0)), {once: true}));
}
"""

# The old page: from the click to the heatmaps' Plotly data and step marker showing something new.
OLD_ARM_JS = """
(timeout) => {
  const hash = () => { const el = document.querySelector(".st-key-heatmaps .js-plotly-plot");
    return el && el.data ? JSON.stringify(el.data) + JSON.stringify((el.layout || {}).meta || null) : ""; };
  const before = hash();
  window.__t0 = null;
  if (!window.__stamping) {
    window.__stamping = true;
    window.addEventListener("pointerdown", (e) => { if (window.__t0 === null) window.__t0 = e.timeStamp; }, true);
  }
  window.__drawn = new Promise((resolve) => {
    const started = performance.now();
    const poll = () => {
      if (window.__t0 !== null && hash() !== before) resolve(performance.now() - window.__t0);
      else if (performance.now() - started > timeout) resolve(timeout);
      else setTimeout(poll, 5);
    };
    poll();
  });
}
"""


def watch(page) -> tuple[list, list]:
    sent, received = [], []
    page.on("websocket", lambda ws: (ws.on("framesent", lambda f: sent.append(f)),
                                     ws.on("framereceived", lambda f: received.append(len(f)))))
    return sent, received


def open_twice(page, url: str, ready, received: list) -> float:
    """ms from navigation to the first step drawn, on the second visit (the first warms the server);
    `received` then holds the second visit's frames only."""
    for _ in range(2):
        received.clear()
        start = time.perf_counter()
        page.goto(url)
        ready()
        first = (time.perf_counter() - start) * 1e3
    return first


def new_page(browser, base: str, query: str, n: int) -> list[dict]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sent, received = watch(page)
    first = open_twice(page, f"{base}/step?{query}", lambda: page.locator(".gv[data-t]").wait_for(timeout=120_000),
                       received)
    page.wait_for_timeout(PAUSE_MS)
    loaded = sum(received)
    rows = []
    for control in ("Next", "→ key", "scrubber"):
        page.locator(".gv-diagram").focus()
        page.keyboard.press("Home")  # every round starts at step 1
        page.wait_for_timeout(PAUSE_MS)
        before, got = len(sent), sum(received)
        ms = []
        for k in range(n):
            page.evaluate(NEW_ARM_JS)
            if control == "Next":
                page.locator(".gv-next").click()
            elif control == "→ key":
                page.keyboard.press("ArrowRight")
            else:
                page.locator(".gv-scrub").fill(str(k + 2))
            ms.append(page.evaluate("() => window.__drawn"))
        stepping = len(sent) - before
        step_bytes = sum(received) - got
        page.wait_for_timeout(PAUSE_MS)
        rows.append({"page": "new", "control": control, "ms": np.array(ms), "per_step": stepping / n,
                     "paused": len(sent) - before - stepping, "loaded": loaded, "step_bytes": step_bytes / n,
                     "first": first})
    context.close()
    return rows


def old_page(browser, base: str, query: str, n: int) -> list[dict]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sent, received = watch(page)
    first = open_twice(page, f"{base}/step?{query}", lambda: settle(page, timeout=180), received)
    loaded = sum(received)
    before, got, ms = len(sent), sum(received), []
    for _ in range(n):
        page.evaluate(OLD_ARM_JS, OLD_TIMEOUT_MS)
        page.locator(".st-key-t_next button").click()
        ms.append(page.evaluate("() => window.__drawn"))
        settle(page, timeout=120)
    row = {"page": "old", "control": "Next", "ms": np.array(ms), "per_step": (len(sent) - before) / n, "paused": 0,
           "loaded": loaded, "step_bytes": (sum(received) - got) / n, "first": first}
    context.close()
    return [row]


def old_checkout(ref: str, into: Path) -> Path | None:
    try:
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(into), ref], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as err:
        print(f"no old page: cannot check out {ref!r} ({err})", file=sys.stderr)
        return None
    return into


def kb(b: float) -> str:
    return f"{b / 1e3:,.1f} kB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12, help="steps per control and size (the issue measured 12)")
    ap.add_argument("--old", default="2fe133d", help="git ref of the server-side step page to compare; '' skips it")
    args = ap.parse_args()
    reason = missing_browser()
    if reason:
        sys.exit(f"cannot run: {reason}")
    from playwright.sync_api import sync_playwright

    results = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        tmp = Path(tmp)
        old = old_checkout(args.old, tmp / "old") if args.old else None
        browser = launch_chromium(p)
        try:
            with AppServer(tmp / "new.log", ["--server.headless", "true"]) as server:
                for label, (query, target) in SIZES.items():
                    results += [(label, target, r) for r in new_page(browser, server.url, query, args.n)]
            if old:
                with AppServer(tmp / "old.log", ["--server.headless", "true"], cwd=old) as server:
                    for label, (query, target) in SIZES.items():
                        results += [(label, target, r) for r in old_page(browser, server.url, query, args.n)]
        finally:
            browser.close()
            if old:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)],
                               capture_output=True)
    load = os.getloadavg()
    print(f"Stepping, one user, headless Chromium, {os.cpu_count()} CPUs, load average {load[0]:.1f}/{load[1]:.1f}/"
          f"{load[2]:.1f}; old page = {args.old or 'skipped'}.\n")
    print("| page | sizes | control | n | p50 ms | p95 ms | max ms | target p95 | frames sent per step "
          "| frames at the pause | sent on first load | sent per step | first draw |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, target, r in results:
        p50, p95, top = np.percentile(r["ms"], 50), np.percentile(r["ms"], 95), r["ms"].max()
        met = p95 <= target and r["per_step"] == 0 and r["paused"] <= 1
        verdict = f"≤ {target:.0f} ms, {'met' if met else 'missed'}" if r["page"] == "new" else "(before)"
        print(f"| {r['page']} | {label} | {r['control']} | {len(r['ms'])} | {p50:.0f} | {p95:.0f} | {top:.0f} "
              f"| {verdict} | {r['per_step']:.2f} | {r['paused']} | {kb(r['loaded'])} | {kb(r['step_bytes'])} "
              f"| {r['first']:.0f} ms |")


if __name__ == "__main__":
    main()
