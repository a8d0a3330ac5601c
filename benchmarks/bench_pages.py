"""Each page's time to charts in headless Chromium: from `page.goto` to every chart of the page drawn.

    python benchmarks/bench_pages.py                       # this checkout
    python benchmarks/bench_pages.py --app /tmp/gru_before # another checkout (a git worktree)
    python benchmarks/bench_pages.py --pages /,/step --warm 5
    python benchmarks/bench_pages.py --cold order          # one server for all pages (faster, less cold)
    python benchmarks/bench_pages.py --browser-cache       # a page's opens share one context: a returning student

Issue 20's target: every page shows its charts within 1.5 s of opening at its defaults, the first
open of a cold server excepted (reported separately, in the "cold" column).

What "drawn" means: every Plotly chart of the finished page (`[data-testid='stPlotlyChart']` in the
main area) has its `.js-plotly-plot .main-svg`, every step viewer (a components.v2 component, so the
search goes into shadow roots) has its `.gv[data-t]`, the home page's equations are typeset (`.katex`),
and Streamlit's status says the run finished (the app root's data-test-script-state is "notRunning",
no skeleton, nothing stale: tests/e2e/settle.py). The page is polled every POLL s from Python; once it
has looked done for QUIET s and settled (settle(), 1 s quiet) the final number of charts is known,
and the time is the first poll at which the run had finished and that many charts (and equations)
were drawn. The time therefore includes the browser's own loading and drawing, on this shared 2-core
machine. A page with no chart at its defaults (/train) counts its finished run.

Every open is in a fresh browser context (no cache, no cookies, a new Streamlit session), so it
downloads and parses the frontend (and Plotly's bundle) each time; `--browser-cache` opens a page's
opens as tabs of one context instead (a new session each, the HTTP cache kept). Cold: with
`--cold fresh` (the default) each page gets a server of its own, started just before, and "cold" is
that page's first open: the server's first page view, its prewarm (if the app has one) still running
in the background; then `--warm` more opens of the same page on the same server give the "warm"
median. With `--cold order` one server serves every page in the order given, each page's first
open then comes after the earlier pages' opens.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.server import AppServer, launch_chromium, missing_browser  # noqa: E402
from tests.e2e.settle import NotSettled, settle  # noqa: E402

TARGET_S = 1.5
POLL = 0.05  # s between two looks at the page
QUIET = 1.0  # s the page must look done and unchanged before settle() confirms it
TIMEOUT = 120.0  # s for one open to finish drawing
DEFAULT_PAGES = ["/", "/step", "/saturation", "/vanishing", "/train", "/lstm", "/lesson",
                 *(f"/lesson?stop={n}&classroom=1" for n in (2, 5, 10, 11, 12, 13, 14))]

# What the page shows now: the run's state and how many charts exist and are drawn. Walks open shadow
# roots too (the step viewer is a components.v2 component).
STATE_JS = """
() => {
  const deep = (root, sel) => {
    const out = Array.from(root.querySelectorAll(sel));
    for (const el of root.querySelectorAll("*")) if (el.shadowRoot) out.push(...deep(el.shadowRoot, sel));
    return out;
  };
  const app = document.querySelector("[data-testid='stApp']");
  const main = document.querySelector("[data-testid='stMain']");
  if (!main) return {state: app ? app.getAttribute("data-test-script-state") : null, idle: false,
                     plotly: 0, plotly_drawn: 0, viewers: 0, viewers_drawn: 0, katex: 0};
  const plotly = Array.from(main.querySelectorAll("[data-testid='stPlotlyChart']"));
  const state = app ? app.getAttribute("data-test-script-state") : null;
  return {
    state: state,
    idle: state === "notRunning" && document.querySelectorAll("[data-testid='stSkeleton']").length === 0
          && document.querySelectorAll("[data-stale='true']").length === 0,
    plotly: plotly.length,
    plotly_drawn: plotly.filter((el) => el.querySelector(".js-plotly-plot .main-svg")).length,
    viewers: deep(main, ".gv").length,
    viewers_drawn: deep(main, ".gv[data-t]").length,
    katex: main.querySelectorAll(".katex").length,
  };
}
"""


def time_to_charts(browser, url: str, context=None) -> dict:
    """Open `url` in a fresh context (or a new tab of `context`, whose HTTP cache then serves the
    frontend's files); seconds from goto to every chart of the finished page drawn."""
    own = context is None
    if own:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log = []
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT * 1000)
        deadline, since = start + TIMEOUT, None
        while time.perf_counter() < deadline:  # until it has looked done for QUIET s, then settle() confirms
            s = page.evaluate(STATE_JS)
            now = time.perf_counter() - start
            done = s["idle"] and s["plotly_drawn"] == s["plotly"] and s["viewers_drawn"] == s["viewers"]
            if not done or not log or s != log[-1][1]:
                since = now if done else None
            log.append((now, s))
            if since is not None and now - since >= QUIET:
                break
            page.wait_for_timeout(POLL * 1000)
        settle(page, quiet=1.0, timeout=TIMEOUT)
        final = page.evaluate(STATE_JS)
        errors = page.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count()
    finally:
        (context if own else page).close()
    want = (final["plotly"], final["viewers"], final["katex"])
    hit = next((t for t, s in log if s["idle"] and s["plotly_drawn"] >= want[0] and s["viewers_drawn"] >= want[1]
                and s["katex"] >= want[2]), None)
    shell = next((t for t, s in log if s["state"] is not None), None)  # the frontend is up: stApp exists
    return {"s": hit, "shell": shell, "charts": want, "errors": errors}


def fmt(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--app", type=Path, default=None, help="run app.py from this checkout instead")
    p.add_argument("--pages", default=",".join(DEFAULT_PAGES), help="comma-separated addresses")
    p.add_argument("--warm", type=int, default=3, help="opens after the cold one; their median is 'warm'")
    p.add_argument("--cold", choices=("fresh", "order"), default="fresh",
                   help="'fresh': a new server per page; 'order': one server, pages in order")
    p.add_argument("--browser-cache", action="store_true",
                   help="all opens of a page in one browser context (a tab each): the warm opens then find the "
                        "frontend's files in the browser's HTTP cache, as a returning student does")
    a = p.parse_args()
    if why := missing_browser():
        print(why)
        return 2
    from playwright.sync_api import sync_playwright

    pages = [x for x in a.pages.split(",") if x]
    cwd = a.app.resolve() if a.app else None
    logs = Path(tempfile.mkdtemp(prefix="bench_pages_"))
    load_before = os.getloadavg()
    rows, t0 = [], time.perf_counter()
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        server = None
        try:
            for i, path in enumerate(pages):
                if server is None or a.cold == "fresh":
                    if server is not None:
                        server.stop()
                    server = AppServer(logs / f"server{i}.log", **({"cwd": cwd} if cwd else {})).start()
                shared = browser.new_context(viewport={"width": 1280, "height": 800}) if a.browser_cache else None
                opens = [time_to_charts(browser, server.url + path, shared) for _ in range(1 + a.warm)]
                if shared is not None:
                    shared.close()
                warm = [o["s"] for o in opens[1:] if o["s"] is not None]
                med = statistics.median(warm) if warm else None
                shells = [o["shell"] for o in opens[1:] if o["shell"] is not None]
                row = {"page": path, "cold": opens[0]["s"], "warm": med,
                       "shell": statistics.median(shells) if shells else None,
                       "max": max(warm) if warm else None, "charts": opens[-1]["charts"],
                       "errors": sum(o["errors"] for o in opens), "log": server.log_errors(),
                       "prewarm": "prewarming the default views failed" in server.log_tail(None)}
                rows.append(row)
                print(f"{path}: cold {fmt(row['cold'])} s, warm {fmt(med)} s, charts {row['charts']}", flush=True)
        finally:
            if server is not None:
                server.stop()
            browser.close()
    load_after = os.getloadavg()

    print()
    cold = "a fresh server per page" if a.cold == "fresh" else "one server, pages in this order"
    contexts = ("one browser context per page (HTTP cache kept)" if a.browser_cache
                else "a fresh browser context per open")
    print(f"App: {cwd or 'this checkout'}; cold = {cold}; "
          f"warm = median of {a.warm} more opens on that server; {contexts}; "
          f"{time.perf_counter() - t0:.0f} s in all")
    print(f"Load average before: {' '.join(f'{x:.2f}' for x in load_before)}; "
          f"after: {' '.join(f'{x:.2f}' for x in load_after)} ({os.cpu_count()} cores)")
    print()
    print("| page | charts (Plotly, viewer, equations) | cold s | warm s (median) | warm max s | ≤ 1.5 s (warm) | "
          "app shell up s (warm median) | page errors | prewarm failed (server log) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        ok = r["warm"] is not None and r["warm"] <= TARGET_S
        print(f"| `{r['page']}` | {', '.join(map(str, r['charts']))} | {fmt(r['cold'])} | {fmt(r['warm'])} | "
              f"{fmt(r['max'])} | {'yes' if ok else 'NO'} | {fmt(r['shell'])} | {r['errors']} | "
              f"{'yes' if r['prewarm'] else 'no'} |")
    for r in rows:
        for ln in r["log"][:3]:
            print(f"server log ({r['page']}): {ln}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except NotSettled as err:
        print(f"not settled: {err}")
        sys.exit(1)
