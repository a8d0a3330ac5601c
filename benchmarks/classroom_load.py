"""Classroom load: N students use one GRU Lab server at once. How long do their reruns take, and does
the server's memory come back once they leave?

    python benchmarks/classroom_load.py --students 30
    python benchmarks/classroom_load.py --students 30 --server-flag runner.postScriptGC=true   # an A/B run

Each student is a websocket client speaking Streamlit's own messages (benchmarks/_protocol.py), so
the figures are the server's: 30 real browsers on this 2-core machine would measure their own
drawing instead. Students are dealt round robin to three shared links and act on them as a class
following the teacher would. They open the link one after another over --ramp seconds; once all
have loaded they start acting, and between two interactions each "reads the chart" for --think
seconds (±50 %, seeded). Latency is from sending a rerun to its script_finished; a rerun that times
out, shows an exception or an error, or leaves every chart as it was counts as an error.
Server memory (VmRSS) is read after a one-client warm-up that opens each page once, at its peak
during the load, and after the students leave. The server is private (tests/e2e/server.py) and every
wait is bounded.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _protocol import Run, Tab  # noqa: E402

from tests.e2e.server import AppServer  # noqa: E402

TARGET_P95_S, TARGET_MEMORY_MB = 2.0, 50.0  # for 30 students
OTHER_CASE = {"free": "rnn-like", "rnn-like": "free"}  # copy and cut draw the same charts for every input
# Page -> (link parameters, interactions cycled through): (what, widget key).
PAGES = {
    "step": ({"H": "16", "preset": "Verdict first", "t": "5"},
             (("slider", "t"), ("preset", "preset"), ("next", "t"), ("slider", "t"))),
    "saturation": ({"H": "16", "preset": "Verdict first", "sat_t": "5"},
                   (("case", "case"), ("slider", "sat_t"), ("next", "sat_t"), ("preset", "preset"))),
    "vanishing": ({"H": "16", "T": "100", "rnn_scale": "0.8"},
                  (("slider", "T"), ("slider", "rnn_scale"), ("slider", "seeds"), ("slider", "T"))),
}


class Load:
    """What the students saw: latencies by interaction, errors by kind, and the server's memory."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.memory: dict[str, float] = {}
        self.loaded: set[int] = set()  # students whose first run ended, well or not
        self.all_loaded = asyncio.Event()

    def arrive(self, student: int, students: int) -> None:
        self.loaded.add(student)
        if len(self.loaded) == students:
            self.all_loaded.set()


def interaction(tab: Tab, what: str, key: str, rng: random.Random) -> list:
    if what == "slider":
        return tab.move_slider(key)
    if what == "next":
        return tab.press_next(key)
    if what == "case":
        return tab.choose(key, OTHER_CASE.get(str(tab.values[key]), "free"))
    presets = [p for p in tab.protos[key].options if p not in (tab.values[key], "Your own")]
    return tab.choose(key, rng.choice(presets))


def check(run: Run, before: list[str] | None) -> list[str]:
    if not run.charts:
        return run.problems + ["no chart drawn"]
    return run.problems + (["charts unchanged"] if run.charts == before else [])


async def student(i: int, server: AppServer, args: argparse.Namespace, load: Load) -> None:
    page = list(PAGES)[i % len(PAGES)]
    params, actions = PAGES[page]
    rng = random.Random(args.seed * 1000 + i)
    await asyncio.sleep(args.ramp * i / max(args.students - 1, 1))
    try:
        async with Tab(server.url, page, params) as tab:
            run = await tab.run([], args.timeout)
            load.seconds["page load (first run)"].append(run.seconds)
            load.errors.update(f"{page} load: {p}" for p in check(run, None))
            load.arrive(i, args.students)
            await load.all_loaded.wait()  # page loads do not overlap the measured interactions
            await asyncio.sleep(args.think * rng.uniform(0.0, 1.0))
            for k in range(args.interactions):
                await asyncio.sleep(args.think * rng.uniform(0.5, 1.5) if k else 0)
                what, key = actions[k % len(actions)]
                name = f"{page}: {what} {key}" if what == "slider" else f"{page}: {what}"
                before = run.charts
                run = await tab.run(interaction(tab, what, key, rng), args.timeout)
                load.seconds[name].append(run.seconds)
                load.errors.update(f"{name}: {p}" for p in check(run, before))
    except Exception as exc:  # a timeout, a lost connection, a widget not drawn: an error, not the end of the class
        load.errors[f"{page}: {type(exc).__name__} {exc}"] += 1
    finally:
        load.arrive(i, args.students)


async def measure(server: AppServer, args: argparse.Namespace) -> Load:
    load = Load()
    load.memory["cold start"] = server.rss_mb()
    for page, (params, _) in PAGES.items():  # imports, caches and the first figures
        async with Tab(server.url, page, params) as tab:
            await tab.run([], args.timeout * 4)
    await asyncio.sleep(2)
    load.memory["after warm-up"] = base = server.rss_mb()
    samples = []

    async def sample() -> None:
        while True:
            samples.append(server.rss_mb() or 0.0)
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    try:
        async with asyncio.timeout(args.deadline):
            await asyncio.gather(*(student(i, server, args, load) for i in range(args.students)))
    except TimeoutError:
        load.errors["deadline passed: students cut off"] += 1
    sampler.cancel()
    load.memory["peak"] = max(samples)
    for _ in range(int(args.settle) + 1):  # wait, bounded, for the closed sessions' memory to come back
        load.memory["after the students left"] = server.rss_mb()
        if load.memory["after the students left"] - base <= TARGET_MEMORY_MB:
            break
        await asyncio.sleep(1)
    return load


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile, q in 0..100."""
    s = sorted(xs)
    return s[max(0, -(-len(s) * q // 100) - 1)]


def report(load: Load) -> str:
    everything = [x for name, xs in load.seconds.items() if name != "page load (first run)" for x in xs]
    lines = ["| | n | p50 s | p95 s | max s |", "|---|---:|---:|---:|---:|"]
    for name, xs in [*sorted(load.seconds.items()), ("all interactions", everything)]:
        if xs:
            lines.append(f"| {name} | {len(xs)} | {pct(xs, 50):.3f} | {pct(xs, 95):.3f} | {max(xs):.3f} |")
    errors = sum(load.errors.values())
    mem = load.memory
    back = mem["after the students left"] - mem["after warm-up"]
    p95 = pct(everything, 95) if everything else float("inf")
    verdict = {True: "met", False: "missed"}
    lines += ["", "Server memory (MB): " + ", ".join(f"{k} {v:.0f}" for k, v in mem.items()),
              f"Errors: {errors}" + "".join(f"\n  {n} × {e}" for e, n in load.errors.most_common(8)),
              f"Targets (set for 30 students): p95 ≤ {TARGET_P95_S:g} s {verdict[p95 <= TARGET_P95_S]} ({p95:.2f} s); "
              f"no errors {verdict[not errors]}; memory back within {TARGET_MEMORY_MB:.0f} MB of warm-up "
              f"{verdict[back <= TARGET_MEMORY_MB]} ({back:+.0f} MB)"]
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--interactions", type=int, default=10, help="reruns per student")
    p.add_argument("--think", type=float, default=5.0, help="mean seconds between two interactions (±50 %%)")
    p.add_argument("--ramp", type=float, default=10.0, help="seconds over which the students open their link")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before one rerun counts as an error")
    p.add_argument("--deadline", type=float, default=900.0, help="seconds for the whole class")
    p.add_argument("--settle", type=float, default=30.0, help="seconds to wait for memory to come back")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--server-flag", action="append", default=[], metavar="OPTION=VALUE",
                   help="a Streamlit config flag for the server, e.g. runner.postScriptGC=true (repeatable)")
    args = p.parse_args()
    log = Path(tempfile.mkdtemp(prefix="gru_lab_load_")) / "server.log"
    with AppServer(log, [f"--{f.lstrip('-')}" for f in args.server_flag]) as server:
        load = asyncio.run(measure(server, args))
    print(f"{args.students} students × {args.interactions} reruns, think {args.think:g} s ±50 %, "
          f"ramp {args.ramp:g} s{', flags ' + ' '.join(args.server_flag) if args.server_flag else ''}\n")
    print(report(load))
    problems = server.log_errors()
    if problems:
        print(f"\nServer log {log}: {len(problems)} error lines, first: {problems[0][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
