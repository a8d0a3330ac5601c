"""A live class under load: N students join one class on their phones, follow the teacher's stops
and vote at each question while the teacher advances, shows the split, opens round 2 and reveals. How
long until a student's screen shows the teacher's move, is every vote counted, and what does a following
student cost the server?

    python benchmarks/class_load.py --students 30
    python benchmarks/class_load.py --students 100
    python benchmarks/class_load.py --students 300 --replicas 2          # through deploy/'s nginx
    python benchmarks/class_load.py --students 30 --store redis://127.0.0.1:6379/0   # a running Redis

Each student is what a phone's browser does, in Streamlit's own protocol (_protocol.py): it opens the
join link, presses Join, then reads the class's small file (/_gru_lab/live/<code>.json, written
by the class beacon) every 1.25 s, as the page's component does, and when the teacher has moved it
asks for a run of the page (the component's trigger, the same message the browser sends). At a
question stop it votes after a few seconds' thought (a random option; a few change their mind once).
The teacher is two tabs holding the control key, as in a classroom: the room's (the projector, opened
once) and the presenter view (`view=presenter`, the teacher's own screen), where it presses Next and at
each question Reveal, or, at every third question, the peer-instruction loop: Show the split (round 1
closes), Vote again (round 2), then Reveal.

Follow delay: from the teacher's move (its run finished) to a student's run showing that stop.
Votes: every accepted vote a student sent, against the store's tallies at the end (must be equal).
Server CPU: the process group's (every replica's) utime + stime over the class, per student-minute.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _protocol import Tab  # noqa: E402
from classroom_load import group_cpu, loadavg, pct, serve  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from gru_lab import lessons  # noqa: E402
from gru_lab.classes import open_store  # noqa: E402

TARGET_FOLLOW_S = 2.0  # issue 21: every student's screen moves within 2 s
TARGET_CPU_MS = 100.0  # a following student costs at most 100 ms of server CPU a minute
POLL_S = 1.25  # as the page's component (gru_lab/ui/live/teacher.py POLL_MS)
THINK_S = (2.0, 6.0)  # seconds a student reads a new stop before voting (the teacher stays --dwell 8 s)


class Room:
    def __init__(self) -> None:
        self.moves: dict[int, float] = {}  # stop -> when the teacher's move finished
        self.revealed: dict[int, float] = {}
        self.delays: list[float] = []
        self.sent: Counter[tuple[int, int]] = Counter()  # (stop, round) -> votes accepted as sent (last per student)
        self.errors: Counter[str] = Counter()
        self.joined = 0
        self.voting = False  # set when the teacher starts the lesson, after the idle measurement
        self.refused = 0  # votes sent after the round closed (split shown or revealed), refused with a message
        self.done = asyncio.Event()
        self.code = ""


class Poller:
    """A phone's polls of the class file over one kept-alive connection, as a browser's fetch does."""

    def __init__(self, url: str, cookies: dict[str, str]) -> None:
        self.parts, self.cookies = urlsplit(url), cookies
        self.reader = self.writer = None

    async def get(self, path: str) -> dict | None:
        for attempt in (0, 1):  # a connection the server closed meanwhile: open another, once
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection(self.parts.hostname, self.parts.port)
                cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
                self.writer.write(f"GET /{path}?n={time.monotonic_ns()} HTTP/1.1\r\nHost: {self.parts.netloc}\r\n"
                                  f"{'Cookie: ' + cookie + chr(13) + chr(10) if cookie else ''}\r\n".encode())
                await self.writer.drain()
                head = await self.reader.readuntil(b"\r\n\r\n")
                length = int(next((ln.split(b":", 1)[1] for ln in head.split(b"\r\n")
                                   if ln.lower().startswith(b"content-length:")), b"0"))
                body = await self.reader.readexactly(length)
                return json.loads(body) if head.startswith(b"HTTP/1.1 200") else None
            except (OSError, asyncio.IncompleteReadError, ValueError):
                self.close()
                if attempt:
                    raise
        return None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def component(tab: Tab) -> dict:
    return json.loads(tab.protos["live_class"].json)


def trigger(tab: Tab, version: int) -> list[WidgetState]:
    """What the browser sends for setTriggerValue("moved", version) (Streamlit 1.67 BidiComponent)."""
    wid = f"$$STREAMLIT_INTERNAL_KEY_{tab.ids['live_class']}__events"
    return [WidgetState(id=wid, json_trigger_value=json.dumps([{"event": "moved", "value": version}]))]


def stop_shown(tab: Tab) -> int:
    """The stop the student's page drew (the class component's data carries it)."""
    return int(component(tab).get("stop", 0))


async def student(i: int, url: str, link: str, args, room: Room) -> None:
    rng = random.Random(args.seed * 7919 + i)
    await asyncio.sleep(args.ramp * i / max(args.students - 1, 1))
    query = dict(p.split("=", 1) for p in urlsplit(link).query.split("&"))
    tab = Tab(url, "lesson", query)
    try:
        async with tab:
            await tab.run([], args.timeout)
            await tab.run([WidgetState(id=tab.ids["live_join"], trigger_value=True)], args.timeout,
                          through_reruns=True)  # the join form reruns the page (st.rerun)
            if "live_class" not in tab.ids:
                room.errors["did not join"] += 1
                return
            room.joined += 1
            voted: dict[tuple[int, int], int] = {}
            poller = Poller(url, tab.cookies)
            while not room.done.is_set():
                await asyncio.sleep(POLL_S * rng.uniform(0.9, 1.1))
                data = component(tab)
                now = await poller.get(data["poll"])
                if now is not None and now["version"] != data["version"]:
                    run = await tab.run(trigger(tab, now["version"]), args.timeout, through_reruns=True)
                    refused = sum("not counted" in p for p in run.problems)  # a vote's refusal, said on this run
                    if refused and getattr(tab, "last_vote", None):  # that vote's run was cut short by this one
                        room.sent[tab.last_vote] -= 1
                        tab.last_vote = None
                    room.refused += refused
                    room.errors.update(f"follow: {p}" for p in run.problems if "not counted" not in p)
                    stop = now["stop"]
                    if stop in room.moves and stop_shown(tab) == stop and ("moved", stop) not in voted:
                        voted[("moved", stop)] = 1
                        room.delays.append(time.monotonic() - room.moves[stop])
                    tab.think_until = time.monotonic() + rng.uniform(*THINK_S)  # reads the question first
                if time.monotonic() >= getattr(tab, "think_until", 0):
                    await vote(tab, rng, voted, room, args)
            poller.close()
    except Exception as exc:  # noqa: BLE001 - a lost connection or timeout: an error of the class, not the end
        room.errors[f"{type(exc).__name__}: {str(exc)[:80]}"] += 1


async def vote(tab: Tab, rng: random.Random, voted: dict, room: Room, args) -> None:
    keys = [k for k in tab.drawn if k.startswith("live_vote_")]
    if not keys or not room.voting:  # no votes while the class only follows (the idle measurement)
        return
    key = keys[0]
    _, _, _, stop, rnd = key.rsplit("_", 4)
    stop, rnd = int(stop), int(rnd)
    options = list(tab.protos[key].options)
    mine = voted.get((stop, rnd))
    if mine is not None and (mine == -1 or rng.random() > 0.1):  # a few change their mind, once
        return
    choice = rng.randrange(len(options))
    run = await tab.run([WidgetState(id=tab.ids[key], string_value=options[choice])], args.timeout,
                        through_reruns=True)  # its label
    if any("not counted" in p for p in run.problems):  # the round closed meanwhile: refused, as it must be
        room.refused += 1
        return
    problems = [p for p in run.problems if p != "script_finished status 2"]  # a follow's run took over: fine
    if problems:
        room.errors.update(f"vote: {p}" for p in problems)
        return
    if mine is None:
        room.sent[(stop, rnd)] += 1
    tab.last_vote = (stop, rnd) if mine is None else None
    voted[(stop, rnd)] = choice if mine is None else -1


async def press(tab: Tab, key: str, args, room: Room) -> bool:
    """The presenter view's button `key`, if drawn (its run's problems are the class's errors)."""
    if key not in tab.drawn or tab.protos[key].disabled:
        return False
    # through_reruns: the view's live fragment reruns the page when the class changed meanwhile (a join)
    run = await tab.run([WidgetState(id=tab.ids[key], trigger_value=True)], args.timeout, through_reruns=True)
    room.errors.update(f"teacher: {p}" for p in run.problems)
    return True


async def teacher(url: str, code: str, token: str, args, room: Room, stops: int) -> None:
    # The room's tab (the projector) claims the class from the key, keeps it in its cookie and draws once;
    # the presenter view, opened with that cookie, is where the teacher acts.
    projector = Tab(url, "lesson", {"class": code, "teacher": token, "stop": "1", "classroom": "1"})
    async with projector:
        run = await projector.run([], args.timeout * 2, through_reruns=True)
        room.errors.update(f"room: {p}" for p in run.problems)
    tab = Tab(url, "lesson", {"class": code, "classroom": "1", "view": "presenter"})
    tab.cookies.update(projector.cookies)  # the teacher's browser: the class's cookie
    tab.cookies[f"gru_lab_teach_{code}"] = token
    async with tab:
        run = await tab.run([], args.timeout * 2, through_reruns=True)
        room.errors.update(f"teacher: {p}" for p in run.problems)
        if "present_next" not in tab.drawn:
            room.errors["teacher: no presenter view"] += 1
            room.done.set()
            return
        while room.joined < args.students * 0.95 and time.monotonic() < args.t0 + args.ramp + 60:
            await asyncio.sleep(1)
        await asyncio.sleep(3)  # the last joins' runs end
        room.idle_cpu0 = group_cpu(args.groups)[0]
        await asyncio.sleep(args.idle)  # the class reads: the students only poll
        room.idle_cpu = group_cpu(args.groups)[0] - room.idle_cpu0
        room.class_cpu0, room.class_t0 = group_cpu(args.groups)[0], time.monotonic()
        room.voting = True
        questions = 0
        for n in range(1, stops + 1):
            if n > 1:
                await press(tab, "present_next", args, room)
                room.moves[n] = time.monotonic()
            await asyncio.sleep(args.dwell)
            if "live_reveal" in tab.drawn:
                questions += 1
                if questions % 3 == 0 and await press(tab, "live_show", args, room):  # round 1's split, discussed
                    await asyncio.sleep(args.dwell / 2)
                    await press(tab, "live_reopen", args, room)  # round 2
                    await asyncio.sleep(args.dwell)
                await press(tab, "live_reveal", args, room)
                await asyncio.sleep(args.dwell / 2)
    room.class_cpu = group_cpu(args.groups)[0] - room.class_cpu0
    room.class_wall = time.monotonic() - room.class_t0
    room.done.set()


async def run_class(url: str, servers: dict, args, store_url: str) -> tuple[Room, float, float]:
    store = open_store(store_url)
    lesson = lessons.BUILT_IN
    stops = min(args.stops, len(lesson.stops))
    from gru_lab.ui.lesson import lesson_id  # the id the app gives the built-in lesson
    code, token = store.create(lesson_id(lesson), len(lesson.stops),
                               {i: list(s.question.options) for i, s in enumerate(lesson.stops, 1) if s.question})
    room = Room()
    room.code = code
    link = f"{url}/lesson?class={code}&classroom=1"
    groups = [s.proc.pid for s in servers.values()]
    args.groups = groups
    async with Tab(url, "lesson", {"stop": "1"}) as warm:  # imports, caches, the prewarm thread
        await warm.run([], args.timeout * 4)
    await asyncio.sleep(8)
    cpu0, t0 = group_cpu(groups)[0], time.monotonic()
    args.t0 = t0
    await asyncio.gather(teacher(url, code, token, args, room, stops),
                         *(student(i, url, link, args, room) for i in range(args.students)))
    cpu, wall = group_cpu(groups)[0] - cpu0, time.monotonic() - t0
    counted = Counter({(n, r): sum(store.tally(code, n, r).values())
                       for n in range(1, stops + 1) for r in range(1, store.rounds(code, n) + 1)})
    room.counted = counted
    return room, cpu, wall


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--replicas", type=int, default=0)
    p.add_argument("--stops", type=int, default=8,
                   help="stops the teacher goes through (every built-in stop asks a question)")
    p.add_argument("--dwell", type=float, default=8.0, help="seconds the teacher stays on a stop before acting")
    p.add_argument("--ramp", type=float, default=10.0)
    p.add_argument("--idle", type=float, default=30.0, help="seconds the class only follows, before the teacher acts")
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--store", default="", help="a class store URL (default: a SQLite file of this run's own)")
    p.add_argument("--server-flag", action="append", default=[])
    p.add_argument("--app", type=lambda v: Path(v).resolve(), default=None)
    args = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gru_lab_class_"))
    store_url = args.store or str(work / "classes.sqlite3")
    os.environ["GRU_LAB_CLASS_STORE"] = store_url  # the servers started below inherit it
    # Every simulated phone joins from this machine's one address: lift the joins a minute per address, as a
    # hall whose phones share one NAT address would (README, "Limits per client").
    os.environ.setdefault("GRU_LAB_CLASS_LIMITS", "joins_per_client_minute=100000")
    before = loadavg()
    with serve(args, work) as (url, servers, _):
        room, cpu, wall = asyncio.run(run_class(url, servers, args, store_url))
    minutes = args.students * wall / 60
    sent, counted = sum(room.sent.values()), sum(room.counted.values())
    d = room.delays
    where = f"{args.replicas} replicas behind nginx" if args.replicas else "one process"
    print(f"{args.students} students, {where}, {args.stops} stops, dwell {args.dwell:g} s; {os.cpu_count()} cores, "
          f"load average {before} before, {loadavg()} after\n")
    idle = 1000 * room.idle_cpu / (args.students * args.idle / 60)
    lesson = 1000 * room.class_cpu / (args.students * room.class_wall / 60)
    print("| students | joined | follow delay p50 s | p95 s | max s | moves seen | votes sent | votes counted "
          "| errors | CPU ms per student-minute: following, nothing happening | the lesson (moves, votes, reveals) "
          "| everything (joins included) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.students} | {room.joined} | {pct(d, 50) if d else float('nan'):.2f} | "
          f"{pct(d, 95) if d else float('nan'):.2f} | {max(d, default=float('nan')):.2f} | {len(d)} | {sent} | "
          f"{counted} | {sum(room.errors.values())} | {idle:.0f} | {lesson:.0f} | {1000 * cpu / minutes:.0f} |")
    print(f"\n{room.idle_cpu:.1f} CPU s over {args.idle:g} s of following; {room.class_cpu:.1f} CPU s over "
          f"{room.class_wall:.0f} s of lesson; {cpu:.1f} CPU s over {wall:.0f} s in all.")
    print(f"\nVotes refused because the round had closed (split shown or revealed): {room.refused} (a message "
          "told the student).")
    if room.errors:
        print("\nErrors:" + "".join(f"\n  {n} × {e}" for e, n in room.errors.most_common(8)))
    p95 = pct(d, 95) if d else float("inf")
    per_min = idle
    print(f"\nTargets: follow p95 ≤ {TARGET_FOLLOW_S:g} s {'met' if p95 <= TARGET_FOLLOW_S else 'missed'} "
          f"({p95:.2f} s); votes sent = counted {'met' if sent == counted else 'missed'}; "
          f"a following student ≤ {TARGET_CPU_MS:g} ms CPU a minute {'met' if per_min <= TARGET_CPU_MS else 'missed'} "
          f"({per_min:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
