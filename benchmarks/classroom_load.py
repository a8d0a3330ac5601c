"""Classroom load: N students use one GRU Lab server at once. How long do their reruns take, how much
server CPU does a rerun cost, and does the server's memory come back once they leave?

    python benchmarks/classroom_load.py --students 30
    python benchmarks/classroom_load.py --students 30 --per-page             # CPU ms per rerun, page by page
    python benchmarks/classroom_load.py --students 30 --pages step,lesson    # some pages only
    python benchmarks/classroom_load.py --students 30 --app /tmp/gru_before  # another checkout's app.py
    python benchmarks/classroom_load.py --students 30 --server-flag runner.postScriptGC=true   # an A/B run
    python benchmarks/classroom_load.py --students 300 --replicas 2   # a hall: 2 replicas behind nginx
    python benchmarks/closed_loop.py --clients 8 --duration 30       # throughput: reruns per CPU second

Each student is a websocket client speaking Streamlit's own messages (benchmarks/_protocol.py, which
keeps the browser's message cache and sends its fragment ids), so the figures are the server's: 30
real browsers on this 2-core machine would measure their own drawing instead. Students are dealt
round robin to shared links of the step, saturation, vanishing and lesson pages (--pages) and do what
students do there, cycling through their page's mix from a point of their own:

- step: the reader steps through the story in the browser, with pauses (three interactions in
  four), else picks a new preset. How the viewer tells the server (--step-reports): "turn", this
  app's viewer, sends nothing while stepping and pausing ("step: step and pause, nothing sent") and
  reports its position once before the reader turns to another control ("step: report on turning
  away", then the preset); "pause", the viewer of e9523ee and before, reports at every pause
  ("step: pause report", the rerun a browser sent), for a run against an older checkout (--app);
- saturation: the step slider, Next, the gate case;
- vanishing: the T, rnn_scale, seeds and z_bias sliders;
- lesson: opens /lesson?stop=N (N dealt round robin over the stops), predicts (picks an option of the
  stop's question: Reveal waits for a pick), Reveal the answer, Next stop.

They open the link one after another over --ramp seconds; once all have loaded they start acting, and
between two interactions each "reads" for --think seconds (±50 %, seeded). Latency is from sending a
rerun to its script_finished; "KB back" is what the server sent for it over the websocket. A rerun
that times out, shows an exception or an error, or (a slider, Next, case or preset) leaves every
chart as it was counts as an error; a pause report or a lesson move need not change a chart.

Server CPU is the utime + stime (+ the waited-for children's) of every process in the server's process
group (the Streamlit server and its worker pool, gru_lab/pool.py), read from /proc when every student
has loaded and again when the last one is done: the interaction phase only, no page loads. CPU ms per
rerun = that CPU over the reruns answered in the phase; CPU ms per interaction counts what the
students did, the steps that sent nothing included. With --per-page each page's students run as
a phase of their own, one after the other on the same server, for a per-page figure (the "total" row
sums the phases); without it the pages run at once and the phase is the mix.

Server memory (VmRSS) is read after a one-client warm-up that opens each page once, at its peak during
the load, and after the students leave. The server is private (tests/e2e/server.py; --app runs another
checkout's app.py, e.g. `git worktree add /tmp/gru_before <commit>`) and every wait is bounded.

With --replicas N the students go through nginx to N replicas started by deploy/serve.py's
`Deployment` (the same configuration a hall gets, on free loopback ports); CPU sums the replicas'
process groups. The warm-up opens each page on each replica directly, memory is read per replica, and
stickiness is checked twice: every response a student got (page, host-config, websocket handshake)
names the same replica in its X-Upstream header, and nginx's access log shows every sticky cookie
served by one replica only.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _protocol import Run, Tab  # noqa: E402

import deploy.serve  # noqa: E402
from deploy.serve import Deployment  # noqa: E402
from tests.e2e.server import AppServer, free_port  # noqa: E402

# Issue 11: one process, 100 students, p95 <= 2 s; 2 replicas behind nginx, 300 students, p95 <= 3 s.
TARGET_P95_S = {False: 2.0, True: 3.0}  # by "behind nginx"
TARGET_MEMORY_MB = 50.0  # back within this of the warm-up value after the students left, per replica
OTHER_CASE = {"free": "rnn-like", "rnn-like": "free"}  # copy and cut draw the same charts for every input
LESSON_STOPS = 12  # the built-in lesson's stops on the step, saturation and vanishing pages (13, 14: train, lstm)
# Page -> (link parameters, the mix cycled through: (what, widget key)).
PAGES = {
    "step": ({"weights": "random", "H": "16", "preset": "Verdict first", "t": "5"},
             (("pause", "viewer"), ("pause", "viewer"), ("pause", "viewer"), ("preset", "preset"))),
    "saturation": ({"H": "16", "preset": "Verdict first", "sat_t": "5"},
                   (("slider", "sat_t"), ("next", "sat_t"), ("case", "case"), ("slider", "sat_t"))),
    "vanishing": ({"H": "16", "T": "100", "rnn_scale": "0.8"},
                  (("slider", "T"), ("slider", "rnn_scale"), ("slider", "seeds"), ("slider", "z_bias"))),
    "lesson": ({"stop": "1"}, (("predict", "lesson_answer_"), ("reveal", "lesson_reveal"), ("next", "lesson_next"))),
}
CHANGES_CHARTS = {"slider", "next", "case", "preset"}  # what must redraw a chart (not on the lesson page)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def group_cpu(groups: list[int]) -> tuple[float, int]:
    """CPU seconds (user + system, and their waited-for children's) of every process in these process
    groups, and how many processes there are."""
    ticks, n = 0, 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                rest = f.read().rsplit(")", 1)[1].split()  # after "pid (comm)": state is field 3
        except (OSError, IndexError):
            continue
        if int(rest[2]) in groups:  # field 5, pgrp
            ticks += sum(int(x) for x in rest[11:15])  # fields 14-17: utime, stime, cutime, cstime
            n += 1
    return ticks / CLK_TCK, n


@dataclass
class Phase:
    label: str
    students: int
    reruns: int = 0
    interactions: int = 0  # reruns plus what the students did that sent the server nothing
    cpu_s: float = 0.0
    wall_s: float = 0.0
    processes: int = 0


@dataclass
class Load:
    """What the students saw: latencies and bytes by interaction, errors by kind, CPU by phase, and memory."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    kbytes: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    free: Counter[str] = field(default_factory=Counter)  # interactions that sent the server nothing
    errors: Counter[str] = field(default_factory=Counter)
    memory: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))  # server -> stage -> MB
    upstreams: dict[tuple, list[str]] = field(default_factory=dict)  # student -> the replica of each response
    phases: list[Phase] = field(default_factory=list)

    def record(self, name: str, run: Run) -> None:
        self.seconds[name].append(run.seconds)
        self.kbytes[name].append(run.bytes / 1024)


class Class:
    """One phase's students: who has loaded, so that the measured interactions start together."""

    def __init__(self, students: int, pages: int) -> None:
        self.students, self.pages, self.loaded, self.all_loaded = students, pages, set(), asyncio.Event()

    def arrive(self, student: int) -> None:
        self.loaded.add(student)
        if len(self.loaded) >= self.students:
            self.all_loaded.set()


def link(page: str, i: int) -> dict[str, str]:
    params = dict(PAGES[page][0])
    if page == "lesson":
        params["stop"] = str(1 + i % LESSON_STOPS)
    return params


def name_of(page: str, what: str, key: str, step_reports: str = "pause") -> str:
    if what == "pause":
        return f"{page}: pause report" if step_reports == "pause" else f"{page}: step and pause, nothing sent"
    if page == "lesson":
        return f"{page}: {'next stop' if what == 'next' else what}"
    return f"{page}: {what} {key}" if what == "slider" else f"{page}: {what}"


def interaction(tab: Tab, what: str, key: str, rng: random.Random) -> tuple[list, str]:
    """The widget states of one interaction and the fragment it reruns ("" for the page)."""
    if what == "pause":
        return tab.report_position(key, rng)
    if what in ("predict", "reveal"):
        radio = answer_radio(tab)
        if radio is None or (what == "reveal" and key not in tab.drawn):  # no question at this stop: on to the next
            what, key = "next", "lesson_next"
    if what == "next" and tab.page == "lesson":
        states = tab.press("lesson_back" if tab.protos[key].disabled else key)
    elif what == "predict":  # an option of the stop's question, another one each time
        options = list(tab.protos[radio].options)
        held = tab.values.get(radio)
        states = tab.choose(radio, rng.choice([o for o in options if o != held] or options))
    elif what == "reveal":  # the pick goes with it, as a browser sends every widget's state
        held = tab.values.get(radio)
        states = (tab.choose(radio, held) if held is not None else []) + tab.press(key)
    elif what == "slider":
        states = tab.move_slider(key)
    elif what == "next":
        states = tab.press_next(key)
    elif what == "case":
        states = tab.choose(key, OTHER_CASE.get(str(tab.values[key]), "free"))
    else:
        presets = [p for p in tab.protos[key].options if p not in (tab.values[key], "Your own")]
        states = tab.choose(key, rng.choice(presets))
    return states, tab.fragment_for(states)


def answer_radio(tab: Tab) -> str | None:
    """The key of the lesson stop's question (lesson_answer_<lesson id>_<stop>) on the tab's stop, if drawn."""
    stop = tab.params.get("stop", "1")
    return next((k for k in tab.drawn if k.startswith("lesson_answer_") and k.endswith(f"_{stop}")), None)


def check(run: Run, before: list[str] | None, what: str, page: str) -> list[str]:
    """A run's problems; a page load (what "") or a chart-changing move must draw a chart, and the move a new one."""
    if page == "lesson" or what not in CHANGES_CHARTS | {""}:
        return run.problems
    if not run.charts and not run.fragment:  # a fragment run redraws its fragment only
        return run.problems + ["no chart drawn"]
    return run.problems + (["charts unchanged"] if before is not None and run.charts == before else [])


async def open_tab(tab: Tab, page: str, args: argparse.Namespace, load: Load) -> Run:
    run = await tab.run([], args.timeout)
    load.record("page load (first run)", run)
    load.errors.update(f"{page} load: {p}" for p in check(run, None, "", page))
    return run


async def act(tab: Tab, page: str, k: int, run: Run, rng: random.Random, args, load: Load) -> Run:
    """Interaction k of the page's mix; returns the run that answered it (or `run` if none was sent)."""
    actions = PAGES[page][1]
    what, key = actions[k % len(actions)]
    name = name_of(page, what, key, args.step_reports)
    if what != "pause" and getattr(tab, "pending", None):  # the press on another control: the viewer reports first,
        (held, held_fragment), tab.pending = tab.pending, None  # from the address as it was before the press
        report = await tab.run(held, args.timeout, held_fragment)
        load.record(f"{page}: report on turning away", report)
        load.errors.update(f"{page}: report on turning away: {p}" for p in report.problems)
    try:
        states, fragment = interaction(tab, what, key, rng)
    except KeyError as exc:  # the widget was not drawn
        load.errors[f"{name}: widget {exc} not drawn"] += 1
        return run
    if what == "pause" and args.step_reports == "turn":  # the viewer keeps it in the browser's address
        tab.pending = (states, fragment)
        load.free[name] += 1
        return run
    new = await tab.run(states, args.timeout, fragment)
    load.record(name, new)
    load.errors.update(f"{name}: {p}" for p in check(new, run.charts, what, page))
    return new


async def student(i: int, page: str, url: str, args: argparse.Namespace, load: Load, room: Class,
                  phase: int) -> None:
    rng = random.Random(args.seed * 1000 + i)
    await asyncio.sleep(args.ramp * i / max(room.students - 1, 1))
    tab = Tab(url, page, link(page, i))
    first = i // room.pages  # students of a page start at different points of its mix
    try:
        async with tab:
            run = await open_tab(tab, page, args, load)
            room.arrive(i)
            await room.all_loaded.wait()  # page loads do not overlap the measured interactions
            await asyncio.sleep(args.think * rng.uniform(0.0, 1.0))
            for k in range(args.interactions):
                await asyncio.sleep(args.think * rng.uniform(0.5, 1.5) if k else 0)
                run = await act(tab, page, first + k, run, rng, args, load)
    except Exception as exc:  # a timeout, a lost connection: an error, not the end of the class
        load.errors[f"{page}: {type(exc).__name__} {exc}"] += 1
    finally:
        load.upstreams[(phase, i)] = tab.upstreams
        room.arrive(i)


async def warm_up(url: str, timeout: float, pages: list[str]) -> None:
    for page in pages:  # imports, caches and the first figures
        async with Tab(url, page, link(page, 0)) as tab:
            await tab.run([], timeout)


async def measured(room: Class, groups: list[int], phase: Phase, work) -> None:
    """Run `work` (the phase's students), taking CPU from all loaded to all done."""
    async def start() -> tuple[float, float]:
        await room.all_loaded.wait()
        return group_cpu(groups)[0], time.monotonic()

    started = asyncio.create_task(start())
    try:
        await work
    finally:
        room.all_loaded.set()
        cpu0, t0 = await started
        cpu1, phase.processes = group_cpu(groups)
        phase.cpu_s, phase.wall_s = cpu1 - cpu0, time.monotonic() - t0


async def measure(url: str, servers: dict, args: argparse.Namespace) -> Load:
    """The class at `url`; `servers` (name -> AppServer or Replica) are warmed up and measured directly."""
    load = Load()
    rss = {name: (lambda s=s: s.rss_mb() or 0.0) for name, s in servers.items()}
    groups = [s.proc.pid for s in servers.values()]  # each started with start_new_session: its pid is its group
    for name in servers:
        load.memory[name]["cold start"] = rss[name]()
    await asyncio.gather(*(warm_up(s.url, args.timeout * 4, args.pages) for s in servers.values()))
    await asyncio.sleep(2)
    for name in servers:
        load.memory[name]["after warm-up"] = load.memory[name]["peak"] = rss[name]()

    async def sample() -> None:
        while True:
            for name in servers:
                load.memory[name]["peak"] = max(load.memory[name]["peak"], rss[name]())
            await asyncio.sleep(0.5)

    sampler = asyncio.create_task(sample())
    phases = [[p] for p in args.pages] if args.per_page else [args.pages]
    for n, pages in enumerate(phases):
        room = Class(args.students, len(pages))
        phase = Phase(pages[0] if args.per_page else "mix (" + ", ".join(pages) + ")", args.students)
        load.phases.append(phase)
        before = sum(map(len, load.seconds.values())) - len(load.seconds.get("page load (first run)", []))
        free_before, reports_before = sum(load.free.values()), reports(load)
        try:
            async with asyncio.timeout(args.deadline):
                await measured(room, groups, phase, asyncio.gather(
                    *(student(i, pages[i % len(pages)], url, args, load, room, n) for i in range(args.students))))
        except TimeoutError:
            load.errors[f"{phase.label}: deadline passed, students cut off"] += 1
        phase.reruns = sum(map(len, load.seconds.values())) - len(load.seconds["page load (first run)"]) - before
        # what the students did: not the viewer's report before another control (a rerun, not an action)
        phase.interactions = (phase.reruns - (reports(load) - reports_before)
                              + sum(load.free.values()) - free_before)
    sampler.cancel()
    for _ in range(int(args.settle) + 1):  # wait, bounded, for the closed sessions' memory to come back
        for name in servers:
            load.memory[name]["after the students left"] = rss[name]()
        if all(m["after the students left"] - m["after warm-up"] <= TARGET_MEMORY_MB for m in load.memory.values()):
            break
        await asyncio.sleep(1)
    return load


@contextlib.contextmanager
def app_dir(app: Path | None) -> Iterator[None]:
    """deploy.serve's replicas run `streamlit run app.py` from its REPO: point it at `app` meanwhile."""
    if app is None:
        yield
        return
    saved, deploy.serve.REPO = deploy.serve.REPO, app
    try:
        yield
    finally:
        deploy.serve.REPO = saved


@contextlib.contextmanager
def serve(args: argparse.Namespace, work: Path) -> Iterator[tuple[str, dict, Deployment | None]]:
    """The server(s) the class uses: (the students' url, name -> server, the Deployment if behind nginx)."""
    flags = [f"--{f.lstrip('-')}" for f in args.server_flag]
    if args.replicas:
        with app_dir(args.app), Deployment(args.replicas, port=free_port(), workdir=work, flags=flags) as deployment:
            yield deployment.url, {f"replica {r.index} ({r.address})": r for r in deployment.replicas}, deployment
    else:
        kw = {"cwd": args.app} if args.app else {}
        with AppServer(work / "server.log", flags, **kw) as server:
            yield server.url, {"server": server}, None


def nginx_replicas(access_log: Path) -> dict[str, set[str]]:
    """Sticky key -> the replicas nginx sent its requests to, from deploy's access log format."""
    seen: dict[str, set[str]] = defaultdict(set)
    with open(access_log, errors="replace") as f:
        for line in f:
            m = re.search(r"replica=(\S+) sticky=(\S+)", line)
            if m:
                seen[m[2]].update(a.strip() for a in m[1].split(","))  # "a, b" when nginx tried two
    return seen


def stickiness(load: Load, access_log: Path) -> tuple[str, bool]:
    """Did every student stay on one replica? From the students' X-Upstream records and nginx's log."""
    on = {i: set(u) for i, u in load.upstreams.items()}
    moved = sorted(i for i, u in on.items() if len(u) > 1)
    unrecorded = sorted(i for i, u in on.items() if not u)
    per_replica = Counter(next(iter(u)) for u in on.values() if len(u) == 1)
    logged = nginx_replicas(access_log)
    split = {k: v for k, v in logged.items() if len(v) > 1}
    ok = not moved and not split and not unrecorded
    text = (f"Stickiness: {len(on) - len(moved) - len(unrecorded)} of {len(on)} students on one replica for "
            f"every response ({sum(map(len, load.upstreams.values()))} responses; "
            + ", ".join(f"{a}: {n} students" for a, n in sorted(per_replica.items())) + ")"
            + (f"; moved between replicas: students {moved[:10]}" if moved else "")
            + (f"; no replica recorded: {len(unrecorded)} students" if unrecorded else "")
            + f". nginx access log: {len(logged)} sticky cookies, {len(split)} served by more than one replica"
            + (f" ({dict(list(split.items())[:3])})" if split else "")
            + f": {'met' if ok else 'missed'}")
    return text, ok


def reports(load: Load) -> int:
    """The step viewer's reports on turning away so far: reruns the students did not ask for themselves."""
    return sum(len(xs) for name, xs in load.seconds.items() if name.endswith(": report on turning away"))


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile, q in 0..100."""
    s = sorted(xs)
    return s[max(0, -(-len(s) * q // 100) - 1)]


def report(load: Load, behind_nginx: bool) -> str:
    everything = [x for name, xs in load.seconds.items() if name != "page load (first run)" for x in xs]
    kb_all = [x for name, xs in load.kbytes.items() if name != "page load (first run)" for x in xs]
    lines = ["| | n | p50 s | p95 s | max s | KB back per run |", "|---|---:|---:|---:|---:|---:|"]
    for name, xs in [*sorted(load.seconds.items()), ("all interactions", everything)]:
        kb = load.kbytes.get(name, kb_all)
        if xs:
            lines.append(f"| {name} | {len(xs)} | {pct(xs, 50):.3f} | {pct(xs, 95):.3f} | {max(xs):.3f} "
                         f"| {sum(kb) / len(kb):.1f} |")
    for name, n in sorted(load.free.items()):
        lines.append(f"| {name} | {n} | 0 | 0 | 0 | 0 |")
    nan = float("nan")
    lines += ["", "| server CPU, interaction phase | students | reruns | interactions | wall s | CPU s | cores busy "
                  "| CPU ms per rerun | CPU ms per interaction |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for ph in load.phases:
        lines.append(f"| {ph.label} | {ph.students} | {ph.reruns} | {ph.interactions} | {ph.wall_s:.1f} "
                     f"| {ph.cpu_s:.1f} | {ph.cpu_s / ph.wall_s if ph.wall_s else 0:.2f} "
                     f"| {1000 * ph.cpu_s / ph.reruns if ph.reruns else nan:.1f} "
                     f"| {1000 * ph.cpu_s / ph.interactions if ph.interactions else nan:.1f} |")
    if len(load.phases) > 1:
        reruns, cpu = sum(p.reruns for p in load.phases), sum(p.cpu_s for p in load.phases)
        acts, wall = sum(p.interactions for p in load.phases), sum(p.wall_s for p in load.phases)
        lines.append(f"| total | | {reruns} | {acts} | {wall:.1f} | {cpu:.1f} | {cpu / wall if wall else 0:.2f} "
                     f"| {1000 * cpu / reruns if reruns else nan:.1f} | {1000 * cpu / acts if acts else nan:.1f} |")
    procs = max((p.processes for p in load.phases), default=0)
    lines.append(f"\n({procs} processes in the server's process group{'s' if behind_nginx else ''} at the end: "
                 "the server(s) and the worker pool.)")
    errors = sum(load.errors.values())
    back = max(m["after the students left"] - m["after warm-up"] for m in load.memory.values())
    p95 = pct(everything, 95) if everything else float("inf")
    target = TARGET_P95_S[behind_nginx]
    verdict = {True: "met", False: "missed"}
    stages = ("cold start", "after warm-up", "peak", "after the students left")
    lines += ["", "| server memory, MB | " + " | ".join(stages) + " | back |",
              "|---|" + "---:|" * (len(stages) + 1)]
    for name, m in load.memory.items():
        lines.append(f"| {name} | " + " | ".join(f"{m[k]:.0f}" for k in stages)
                     + f" | {m['after the students left'] - m['after warm-up']:+.0f} |")
    lines += ["", f"Errors: {errors}" + "".join(f"\n  {n} × {e}" for e, n in load.errors.most_common(8)),
              f"Targets: p95 ≤ {target:g} s {verdict[p95 <= target]} ({p95:.2f} s); "
              f"no errors {verdict[not errors]}; memory back within {TARGET_MEMORY_MB:.0f} MB of warm-up "
              f"{verdict[back <= TARGET_MEMORY_MB]} ({back:+.0f} MB{', worst replica' if behind_nginx else ''})"]
    return "\n".join(lines)


def loadavg() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def common_args(p: argparse.ArgumentParser) -> None:
    """The options classroom_load.py and closed_loop.py share."""
    p.add_argument("--step-reports", choices=("turn", "pause"), default="turn",
                   help="how the step viewer tells the server where it is: 'turn' (this app: nothing while "
                        "stepping, once before another control) or 'pause' (e9523ee and before: every pause)")
    p.add_argument("--pages", default=",".join(PAGES), type=lambda v: [x for x in v.split(",") if x],
                   help=f"comma-separated, of {','.join(PAGES)} (default: all)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before one rerun counts as an error")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--server-flag", action="append", default=[], metavar="OPTION=VALUE",
                   help="a Streamlit config flag for the server, e.g. runner.postScriptGC=true (repeatable)")
    p.add_argument("--replicas", type=int, default=0,
                   help="run N replicas behind nginx (deploy/serve.py); 0: one server, no nginx")
    p.add_argument("--app", type=lambda v: Path(v).resolve(), default=None,
                   help="run app.py from this checkout instead (e.g. a git worktree of an older commit)")


def checked(p: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    unknown = [x for x in args.pages if x not in PAGES]
    if unknown or not args.pages:
        p.error(f"--pages: unknown {unknown}; choose among {','.join(PAGES)}")
    if args.app and not (args.app / "app.py").is_file():
        p.error(f"--app: no app.py in {args.app}")
    return args


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--interactions", type=int, default=10, help="reruns per student")
    p.add_argument("--think", type=float, default=5.0, help="mean seconds between two interactions (±50 %%)")
    p.add_argument("--ramp", type=float, default=10.0, help="seconds over which the students open their link")
    p.add_argument("--deadline", type=float, default=900.0, help="seconds for the whole class (per phase)")
    p.add_argument("--settle", type=float, default=30.0, help="seconds to wait for memory to come back")
    p.add_argument("--per-page", action="store_true",
                   help="one phase per page, one after the other on the same server: CPU ms per rerun per page")
    common_args(p)
    args = checked(p, p.parse_args())
    work = Path(tempfile.mkdtemp(prefix="gru_lab_load_"))
    load_before = loadavg()
    with serve(args, work) as (url, servers, deployment):
        load = asyncio.run(measure(url, servers, args))
    where = f"{args.replicas} replicas behind nginx" if args.replicas else "one process"
    print(f"{args.students} students × {args.interactions} reruns, {where}, "
          f"{'page by page' if args.per_page else 'pages at once'} ({', '.join(args.pages)}), "
          f"think {args.think:g} s ±50 %, ramp {args.ramp:g} s"
          f"{', flags ' + ' '.join(args.server_flag) if args.server_flag else ''}"
          f"{', app ' + str(args.app) if args.app else ''}; {os.cpu_count()} cores, "
          f"load average (1/5/15 min) {load_before} before, {loadavg()} after\n")
    print(report(load, bool(args.replicas)))
    if deployment is not None:
        print("\n" + stickiness(load, deployment.access_log)[0])
    for name, s in servers.items():
        problems = s.log_errors()
        if problems:
            print(f"\n{name} log {s.log_path}: {len(problems)} error lines, first: {problems[0][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
