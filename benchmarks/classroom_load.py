"""Classroom load: N students use one GRU Lab server at once. How fast do their charts update, and
does the server's memory come back once they leave?

    python benchmarks/classroom_load.py                    # browser mode: 30 students in one headless Chromium
    python benchmarks/classroom_load.py --students 5 --interactions 2      # a quick smoke run
    python benchmarks/classroom_load.py --protocol         # websocket clients, N = 30 and N = 100
    python benchmarks/classroom_load.py --gc-compare       # runner.postScriptGC on / off (and gc.freeze), N = 30 x 20

Every run starts its own server (benchmarks/_server.py) on a free 127.0.0.1 port, serving a copy
of the work tree taken at its start (--in-place serves the tree itself). It sends traffic to
127.0.0.1 only, and stops that server (and only it) at the end. Every loop is bounded in count
(students x interactions) and in time (a timeout per interaction, a deadline for the whole load
phase, a hard alarm for the whole script).

Students open a shared link and act on it; with --pages (default: all three) they are dealt round
robin to these links and actions (a class following the teacher's instructions):

    step        /step?H=16&preset=Verdict+first&t=5            Step slider →, change the preset, Next, Step slider →
    saturation  /saturation?H=16&preset=Verdict+first&sat_t=5  Gate case radio, Step t slider →, Next, change the preset
    vanishing   /vanishing?H=16&T=100&rnn_scale=0.8            T slider →, RNN scale →, seeds slider →, T slider →

(a slider already at its maximum moves ← instead, and Next at the last step becomes Previous; the
vanishing page has no preset action because its charts do not depend on the input sequence.)
The students open the link one after another over --ramp seconds; once every page has loaded
(bounded by --load-timeout) they start acting, each after a random part of one think time, and
between two interactions a student "reads the chart" for --think seconds (±50 %, seeded). Page
loads are reported on their own row and do not overlap the measured interactions.

Browser mode: one Chromium, one context per student, driven concurrently with Playwright's async
API (asyncio.gather). Latency = from the key press / click to the moment the app has finished its
run (stApp data-test-script-state = notRunning, no stale elements) AND a fingerprint of every
`.js-plotly-plot` element's `data` (plus its layout.meta) differs from the one before the action.
No change within --timeout seconds counts as an error. Browser and server share this machine's two
cores, so this mode overstates what students on their own laptops would see.

Protocol mode: each student is a websocket client speaking Streamlit's own protobuf messages
(BackMsg.rerun_script with a ClientState carrying query_string, page_name / page_script_hash,
context_info and widget_states), as the frontend does. The widget ids come from the deltas of the
first run ("$$ID-<hash>-<key>"). Latency = from sending a rerun to receiving its script_finished;
a rerun whose Plotly specs did not change, or that carried an exception, counts as an error.

Server memory is the VmRSS of the server process: at cold start, after a one-client warm-up that
opens each page once (the baseline: imports and the first figures are then loaded), its peak during
the load (sampled every 0.5 s), and after every client has closed (sampled for up to --settle s).

Targets printed next to the results: N = 30 with p95 <= 2 s and zero errors (timeouts, unchanged
charts, exceptions or error alerts shown by the app); RSS back within 50 MB of the warm-up baseline
after the students leave.

--gc-compare runs protocol mode (N = 30 x 20 reruns by default) once per variant, on a fresh server
each, interleaved over --repeats rounds: `on` / `off` is Streamlit's runner.postScriptGC (a
gc.collect(2) after every script run, on by default), `+freeze` starts the server through a small
bootstrap that imports the app's modules and calls gc.freeze() before Streamlit starts (what a
gc.freeze() after the imports in the app would do). Every variant logs the duration of each gen-2
collection in the server (gc.callbacks), and reports RSS growth per 100 reruns during the load.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import StreamlitServer  # noqa: E402
from classroom.browser import browser_student  # noqa: E402
from classroom.common import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from classroom.protocol import Plan, ProtocolStudent, protocol_student, warm_up  # noqa: E402
from classroom.results import Results, fmt_mb, growth_per_100, pct, report, sample_rss, settle_rss  # noqa: E402
from classroom.students import PAGES  # noqa: E402


# ---- one run: server, warm-up, load, settle ------------------------------------------------------------------
@dataclass
class RunConfig:
    mode: str  # "browser" or "protocol"
    students: int
    interactions: int
    pages: list[str]
    think: float
    ramp: float
    timeout: float
    load_timeout: float
    deadline: float
    settle: float
    seed: int
    flags: list[str]
    gc_log: bool = False
    freeze: bool = False
    snapshot: bool = True
    settle_full: bool = False
    label: str = ""


async def run_load(cfg: RunConfig) -> Results:
    n = cfg.students
    title = cfg.label or (f"{cfg.mode} mode: N = {n} students x {cfg.interactions} interactions, pages "
                          f"{'/'.join(cfg.pages)}, think {cfg.think:g} s ±50 %, ramp {cfg.ramp:g} s"
                          + (f", flags {' '.join(cfg.flags)}" if cfg.flags else ""))
    res = Results(title)
    gc_log = None
    if cfg.gc_log:
        gc_log = Path(f"/tmp/gru_lab_gc_{os.getpid()}_{time.monotonic_ns()}.log")
    server = StreamlitServer(flags=cfg.flags, gc_log=gc_log, freeze=cfg.freeze, snapshot=cfg.snapshot)
    stop = asyncio.Event()
    sampler = None
    browser = pw = None
    try:
        server.start()
        res.extra["loadavg_start"] = os.getloadavg()[0]
        res.extra["commit"] = _commit()
        res.rss["cold"] = server.rss_mb()
        await warm_up(server, cfg.pages, max(cfg.timeout, 60))
        await asyncio.sleep(2)
        res.rss["base"] = server.rss_mb()
        gc_before = _gc_stats(gc_log)
        rng = random.Random(cfg.seed)
        specs = [PAGES[cfg.pages[i % len(cfg.pages)]] for i in range(n)]
        delays = [cfg.ramp * i / max(n - 1, 1) for i in range(n)]
        rngs = [random.Random(rng.random()) for _ in range(n)]
        progress = [0]
        plan = Plan(cfg.think, cfg.timeout, cfg.load_timeout, n)
        if cfg.mode == "browser":
            from playwright.async_api import async_playwright
            pw = await async_playwright().start()
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tasks = [browser_student(i, browser, server, specs[i], cfg.interactions, plan, delays[i], rngs[i], res,
                                     progress) for i in range(n)]
        else:
            tasks = [protocol_student(ProtocolStudent(i, server, specs[i], cfg.timeout), cfg.interactions, plan,
                                      delays[i], rngs[i], res, progress) for i in range(n)]
        progress_log: list[tuple[float, int]] = []

        async def watch_progress() -> None:
            t_start = time.monotonic()
            while not stop.is_set():
                progress_log.append((time.monotonic() - t_start, progress[0]))
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(stop.wait(), 0.5)

        sampler = asyncio.gather(sample_rss(server, res.rss_series, stop), watch_progress())
        t0 = time.monotonic()
        jobs = [asyncio.ensure_future(t) for t in tasks]
        done, pending = await asyncio.wait(jobs, timeout=cfg.deadline)
        for job in pending:
            job.cancel()
        if pending:
            res.errors += ["deadline: student cut off"] * len(pending)
            await asyncio.wait(pending, timeout=30)
        for job in done:
            if job.exception() is not None:
                res.errors.append(f"client crashed: {type(job.exception()).__name__}: {job.exception()}")
        res.wall = time.monotonic() - t0
        res.extra["loadavg_end"] = os.getloadavg()[0]
        res.rss["end"] = server.rss_mb()
        if browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 60)
            browser = None
        stop.set()
        await sampler
        sampler = None
        res.rss["peak"] = max([r for _, r in res.rss_series] + [res.rss["end"] or 0])
        res.rss["after"], res.rss["after_min"] = await settle_rss(server, res.rss.get("base"), cfg.settle,
                                                                  cfg.settle_full)
        res.rss["settle_s"] = cfg.settle

        def reruns_at(t: float) -> float:
            best = 0
            for tt, c in progress_log:
                if tt <= t:
                    best = c
            return best

        slope = growth_per_100(res.rss_series, reruns_at)
        if slope is not None:
            res.extra["slope_mb_per_100"] = slope
        gc_after = _gc_stats(gc_log)
        if gc_log is not None:
            during = gc_after[len(gc_before):]  # the collections of the load phase and the settling
            res.gc = {"count": len(during), "total_ms": sum(during),
                      "mean_ms": statistics.fmean(during) if during else 0.0, "max_ms": max(during, default=0.0)}
    finally:
        stop.set()
        if sampler is not None:
            sampler.cancel()
            with contextlib.suppress(BaseException):
                await sampler
        if browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 60)
        if pw is not None:
            with contextlib.suppress(Exception):
                await pw.stop()
        server.stop()
        res.server_problems = server.problems()
        res.extra["server_log"] = str(server.log_path)
        if not res.server_problems:  # keep the server's log only when it has something to show
            with contextlib.suppress(OSError):
                server.log_path.unlink()
        if gc_log is not None:
            with contextlib.suppress(OSError):
                gc_log.unlink()
    return res


def _commit() -> str:
    """The work tree's commit (read only), '+' when it has local changes: what the served copy was."""
    import subprocess
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).resolve().parents[1],
                              capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True,
                               timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return f"{head}{'+' if dirty else ''}" if head else "?"


def _gc_stats(path: Path | None) -> list[float]:
    """Durations (ms) of the gen-2 collections the server logged so far."""
    if path is None or not path.exists():
        return []
    ms = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(ValueError, IndexError):
            ms.append(float(line.split()[0]))
    return ms


# ---- main ------------------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--protocol", action="store_true", help="websocket protobuf clients instead of browsers")
    mode.add_argument("--gc-compare", action="store_true",
                      help="protocol mode with runner.postScriptGC on and off (and gc.freeze after imports)")
    p.add_argument("--students", default=None,
                   help="N, or a comma list (default: browser 30; protocol 30,100; gc-compare 30)")
    p.add_argument("--interactions", type=int, default=None,
                   help="interactions (reruns) per student (default: browser 4, protocol 10, gc-compare 20)")
    p.add_argument("--pages", default="step,saturation,vanishing", help="comma list of step, saturation, vanishing")
    p.add_argument("--think", type=float, default=5.0,
                   help="mean seconds a student reads the chart between two interactions (±50 %%)")
    p.add_argument("--ramp", type=float, default=None,
                   help="seconds over which the students open the link (default: browser 60, protocol 10)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before one interaction counts as an error")
    p.add_argument("--load-timeout", type=float, default=300.0,
                   help="seconds for a student's page load / first run (all students load before anyone acts)")
    p.add_argument("--deadline", type=float, default=900.0, help="seconds for a whole load phase")
    p.add_argument("--settle", type=float, default=30.0, help="seconds to watch RSS after the students leave")
    p.add_argument("--settle-full", action="store_true",
                   help="watch RSS for the whole --settle period (e.g. past server.disconnectedSessionTTL, 120 s, "
                        "after which Streamlit may drop the closed sessions it keeps for reconnecting)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--repeats", type=int, default=1, help="gc-compare: rounds of the variants, interleaved")
    p.add_argument("--variants", default="on,off,on+freeze",
                   help="gc-compare: comma list of on, off, on+freeze, off+freeze")
    p.add_argument("--server-flag", action="append", default=[], metavar="OPTION=VALUE",
                   help="extra streamlit config flag, e.g. runner.postScriptGC=false (repeatable)")
    p.add_argument("--in-place", action="store_true",
                   help="serve the work tree itself, not a copy taken at start (edits during the run then reach "
                        "the running server, and Streamlit's file watcher reloads modules under the students)")
    p.add_argument("--json", type=Path, help="also write the results here")
    args = p.parse_args(argv)
    for name in args.pages.split(","):
        if name not in PAGES:
            p.error(f"unknown page {name!r}; choose from {', '.join(PAGES)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    mode = "gc" if args.gc_compare else "protocol" if args.protocol else "browser"
    default_n = {"browser": "30", "protocol": "30,100", "gc": "30"}[mode]
    default_k = {"browser": 4, "protocol": 10, "gc": 20}[mode]
    ns = [int(x) for x in (args.students or default_n).split(",")]
    k = args.interactions or default_k
    pages = args.pages.split(",")
    flags = [f"--{f.lstrip('-')}" for f in args.server_flag]

    def cfg(n: int, **kw) -> RunConfig:
        base = dict(mode="browser" if mode == "browser" else "protocol", students=n, interactions=k, pages=pages,
                    think=args.think, ramp=args.ramp if args.ramp is not None else 60.0 if mode == "browser" else 10.0,
                    timeout=args.timeout, load_timeout=args.load_timeout,
                    deadline=args.deadline, snapshot=not args.in_place, settle_full=args.settle_full,
                    settle=args.settle, seed=args.seed, flags=flags)
        base.update(kw)
        return RunConfig(**base)

    runs: list[RunConfig] = []
    if mode == "gc":
        for rep in range(args.repeats):
            for v in args.variants.split(","):
                gc_on = v.startswith("on")
                runs.append(cfg(ns[0], flags=flags + [f"--runner.postScriptGC={'true' if gc_on else 'false'}"],
                                gc_log=True, freeze="freeze" in v,
                                label=f"gc-compare [{v}] round {rep + 1}: protocol N = {ns[0]} x {k} reruns, "
                                      f"think {args.think:g} s, pages {'/'.join(pages)}"))
    else:
        runs = [cfg(n) for n in ns]

    # A hard stop for the whole script: every run's own deadline plus generous slack for start-up and settling.
    budget = int(sum(r.deadline + r.settle + 300 for r in runs))
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(budget)
    out = []
    try:
        for r in runs:
            print(f"-- starting: {r.label or r.mode} N = {r.students} ...", flush=True)
            res = asyncio.run(run_load(r))
            print(report(res, r.students), flush=True)
            out.append((r, res))
    finally:
        signal.alarm(0)
    if mode == "gc":
        print(gc_table(out))
    if args.json:
        args.json.write_text(json.dumps([_jsonable(r, res) for r, res in out], indent=1))
    return 0


def gc_table(out: list[tuple[RunConfig, Results]]) -> str:
    lines = ["== gc-compare summary (protocol mode; latency s, RSS MB) ==",
             f"  {'variant':<14} {'p50':>6} {'p95':>6} {'max':>6} {'err':>4} {'rerun/s':>8} {'gen2 n':>6} "
             f"{'gen2 s':>7} {'ms/gc':>6} {'base':>5} {'peak':>5} {'end':>5} {'after':>5} {'MB/100':>7}"]
    for _, res in out:
        v = re.search(r"\[(.*?)\]", res.title).group(1)
        xs = res.all_lat
        lines.append(f"  {v:<14} {pct(xs, 50):>6.3f} {pct(xs, 95):>6.3f} {max(xs, default=math.nan):>6.3f} "
                     f"{len(res.errors) + len(res.app_errors):>4} {len(xs) / res.wall if res.wall else 0:>8.2f} "
                     f"{res.gc.get('count', 0):>6.0f} {res.gc.get('total_ms', math.nan) / 1000:>7.1f} "
                     f"{res.gc.get('mean_ms', math.nan):>6.1f} {fmt_mb(res.rss.get('base')):>5} "
                     f"{fmt_mb(res.rss.get('peak')):>5} {fmt_mb(res.rss.get('end')):>5} "
                     f"{fmt_mb(res.rss.get('after_min')):>5} {res.extra.get('slope_mb_per_100', math.nan):>+7.1f}")
    return "\n".join(lines)


def _jsonable(r: RunConfig, res: Results) -> dict:
    xs = res.all_lat
    return {"config": {k: v for k, v in vars(r).items()}, "title": res.title,
            "latency": {"n": len(xs), "p50": pct(xs, 50), "p95": pct(xs, 95), "max": max(xs, default=None)},
            "per_action": {a: {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95), "max": max(v)}
                           for a, v in res.lat.items()},
            "page_load": {"n": len(res.load), "p50": pct(res.load, 50), "p95": pct(res.load, 95)},
            "errors": res.errors, "app_errors": res.app_errors, "warnings": sorted(res.warnings),
            "rss": res.rss, "gc": res.gc, "extra": res.extra, "wall": res.wall,
            "server_problems": res.server_problems[:20]}


def _alarm(signum, frame):  # noqa: ARG001
    raise TimeoutError("classroom_load: hard time limit reached")


if __name__ == "__main__":
    sys.exit(main())
