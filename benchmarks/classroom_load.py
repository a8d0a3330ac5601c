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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _server import StreamlitServer  # noqa: E402

TARGET_N = 30
TARGET_P95_S = 2.0
TARGET_MEM_MB = 50.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PRESET_TITLES = ("Far-apart clue", "Verdict last", "Verdict first", "Weekly sales", "Random noise")  # not "Your own"


# ---- what the students do --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    kind: str  # "slider", "next", "radio", "select"
    key: str  # the widget key (for "next": the key of the slider it moves)
    label: str  # the widget label shown in the browser (for "next": that slider's label)

    @property
    def name(self) -> str:
        return {"slider": f"slider {self.key}", "next": "Next button", "radio": "case radio",
                "select": "preset selectbox"}[self.kind]


@dataclass(frozen=True)
class PageSpec:
    path: str
    params: dict[str, str]
    charts: int  # Plotly charts on the page once it has run
    actions: tuple[Action, ...]


PAGES: dict[str, PageSpec] = {
    "step": PageSpec("step", {"H": "16", "preset": "Verdict first", "t": "5"}, 2, (
        Action("slider", "t", "Step"), Action("select", "preset", "Input sequence"),
        Action("next", "t", "Step"), Action("slider", "t", "Step"))),
    "saturation": PageSpec("saturation", {"H": "16", "preset": "Verdict first", "sat_t": "5"}, 3, (
        Action("radio", "case", "Gate case"), Action("slider", "sat_t", "Step t"),
        Action("next", "sat_t", "Step t"), Action("select", "preset", "Input sequence"))),
    "vanishing": PageSpec("vanishing", {"H": "16", "T": "100", "rnn_scale": "0.8"}, 2, (
        Action("slider", "T", "Sequence length T"), Action("slider", "rnn_scale", "RNN recurrent scale"),
        Action("slider", "seeds", "Random models (seeds)"), Action("slider", "T", "Sequence length T"))),
}


def next_preset(current: str, student: int, k: int) -> str:
    others = [p for p in PRESET_TITLES if p != current]
    return others[(student + k) % len(others)]


def next_case(current: str, k: int) -> str:  # noqa: ARG001 - k kept for other cycles
    """free <-> rnn-like. Under 'copy' and 'cut' the Jacobian charts are the same for every input
    (J = I, J = 0), so the preset change that follows the radio would change nothing on screen."""
    return "rnn-like" if current == "free" else "free"


# ---- results ---------------------------------------------------------------------------------------------------
@dataclass
class Results:
    title: str
    load: list[float] = field(default_factory=list)  # page load / first run, seconds
    lat: dict[str, list[float]] = field(default_factory=dict)  # action name -> seconds
    run_done: list[float] = field(default_factory=list)  # browser: action -> the app's run ended (s)
    errors: list[str] = field(default_factory=list)
    app_errors: list[str] = field(default_factory=list)  # exceptions or error alerts the app showed
    warnings: set[str] = field(default_factory=set)  # distinct warning alerts the app showed
    rss: dict[str, float | None] = field(default_factory=dict)
    rss_series: list[tuple[float, float]] = field(default_factory=list)
    wall: float = 0.0
    server_problems: list[str] = field(default_factory=list)
    gc: dict[str, float] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    def add(self, action: str, seconds: float) -> None:
        self.lat.setdefault(action, []).append(seconds)

    @property
    def all_lat(self) -> list[float]:
        return [x for v in self.lat.values() for x in v]


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan for no data."""
    if not xs:
        return math.nan
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]


def row(name: str, xs: list[float], errors: int | str = "") -> str:
    if not xs:
        return f"  {name:<22} {0:>5}  {'-':>7} {'-':>7} {'-':>7}  {errors!s:>6}"
    return (f"  {name:<22} {len(xs):>5}  {pct(xs, 50):>7.3f} {pct(xs, 95):>7.3f} {max(xs):>7.3f}  {errors!s:>6}")


def fmt_mb(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0f}"


def report(r: Results, n: int) -> str:
    lines = [f"== {r.title} ==" + (f" [app at {r.extra['commit']}]" if r.extra.get("commit") else ""),
             f"  {'latency (s)':<22} {'n':>5}  {'p50':>7} {'p95':>7} {'max':>7}  {'errors':>6}",
             row("page load / first run", r.load)]
    for name, xs in r.lat.items():
        lines.append(row(name, xs))
    all_lat = r.all_lat
    lines.append(row("ALL interactions", all_lat, len(r.errors)))
    if r.run_done:
        lines.append(row("(of which: run ended)", r.run_done))
        lines.append("  (run ended = action to the app's script state back to notRunning, seen in the browser;"
                     " the rest is the browser drawing the charts)")
    done = len(all_lat)
    lines.append(f"  {done} interactions in {r.wall:.1f} s wall ({done / r.wall if r.wall else 0:.1f}/s); machine "
                 f"load average {r.extra.get('loadavg_start', math.nan):.1f} before, "
                 f"{r.extra.get('loadavg_end', math.nan):.1f} at the end (2 cores, shared)")
    rs = r.rss
    lines.append(f"  server RSS (MB): cold start {fmt_mb(rs.get('cold'))}, after warm-up {fmt_mb(rs.get('base'))}, "
                 f"peak {fmt_mb(rs.get('peak'))}, end of load {fmt_mb(rs.get('end'))}, after close "
                 f"{fmt_mb(rs.get('after'))} (lowest {fmt_mb(rs.get('after_min'))} within "
                 f"{rs.get('settle_s', 0):.0f} s)")
    if "slope_mb_per_100" in r.extra:
        lines.append(f"  RSS growth during load (2nd half): {r.extra['slope_mb_per_100']:+.1f} MB per 100 reruns")
    if r.gc:
        lines.append(f"  server gen-2 GC: {r.gc['count']:.0f} collections, {r.gc['total_ms']:.0f} ms total, "
                     f"mean {r.gc['mean_ms']:.1f} ms, max {r.gc['max_ms']:.1f} ms")
    p95 = pct(all_lat, 95)
    n_err = len(r.errors) + len(r.app_errors)
    back = (rs.get("after_min") is not None and rs.get("base") is not None
            and rs["after_min"] - rs["base"] <= TARGET_MEM_MB)
    tag = "" if n == TARGET_N else f" (targets are set for N = {TARGET_N}; this is N = {n})"
    lines.append(f"  targets{tag}: p95 <= {TARGET_P95_S:.1f} s: {'PASS' if p95 <= TARGET_P95_S else 'FAIL'} "
                 f"({p95:.2f} s); errors = 0: {'PASS' if not n_err else 'FAIL'} ({n_err}); "
                 f"RSS back within {TARGET_MEM_MB:.0f} MB of warm-up: {'PASS' if back else 'FAIL'} "
                 f"({(rs.get('after_min') or 0) - (rs.get('base') or 0):+.0f} MB)")
    for label, items in (("errors", r.errors), ("app errors shown", r.app_errors)):
        if items:
            counts: dict[str, int] = {}
            for e in items:
                counts[e] = counts.get(e, 0) + 1
            top = sorted(counts.items(), key=lambda kv: -kv[1])[:6]
            lines.append(f"  {label}: " + "; ".join(f"{k} ×{v}" for k, v in top))
    for w in sorted(r.warnings):
        lines.append(f"  app warning shown: {w[:200]}")
    if r.server_problems:
        lines.append(f"  server log ({r.extra.get('server_log', '?')}): {len(r.server_problems)} error/warning lines, "
                     f"first: {r.server_problems[0][:200]}")
    return "\n".join(lines)


# ---- memory ----------------------------------------------------------------------------------------------------
async def sample_rss(server: StreamlitServer, series: list[tuple[float, float]], stop: asyncio.Event,
                     every: float = 0.5) -> None:
    t0 = time.monotonic()
    while not stop.is_set():
        rss = server.rss_mb()
        if rss is not None:
            series.append((time.monotonic() - t0, rss))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def settle_rss(server: StreamlitServer, base: float | None, settle_s: float,
                     full: bool = False) -> tuple[float | None, float | None]:
    """Sample RSS once a second for up to settle_s; unless full, stop early after 5 s within the target.
    Returns (last, lowest)."""
    last = low = server.rss_mb()
    ok_since = None
    t0 = time.monotonic()
    while time.monotonic() - t0 < settle_s:
        await asyncio.sleep(1.0)
        last = server.rss_mb()
        if last is None:
            break
        low = last if low is None else min(low, last)
        if not full and base is not None and last - base <= TARGET_MEM_MB:
            ok_since = ok_since or time.monotonic()
            if time.monotonic() - ok_since >= 5:
                break
        else:
            ok_since = None
    return last, low


def growth_per_100(series: list[tuple[float, float]], reruns_at: Callable[[float], float]) -> float | None:
    """Least-squares slope of RSS against reruns completed, over the second half of the load phase."""
    pts = [(reruns_at(t), rss) for t, rss in series]
    pts = pts[len(pts) // 2:]
    if len(pts) < 3:
        return None
    mx = statistics.fmean(p[0] for p in pts)
    my = statistics.fmean(p[1] for p in pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return None if den == 0 else 100 * sum((x - mx) * (y - my) for x, y in pts) / den


# ---- protocol client -------------------------------------------------------------------------------------------
class ProtocolStudent:
    """A Streamlit frontend reduced to its messages: rerun_script with widget states, read until script_finished."""

    def __init__(self, idx: int, server: StreamlitServer, spec: PageSpec, timeout: float) -> None:
        self.idx, self.server, self.spec, self.timeout = idx, server, spec, timeout
        self.params = dict(spec.params)
        self.page_hash = ""
        self.ids: dict[str, str] = {}  # widget key -> widget id
        self.protos: dict[str, object] = {}  # widget key -> its latest element proto
        self.values: dict[str, object] = {}  # widget key -> the value this client holds
        self.fingerprint = ""
        self.ws = None

    def rerun(self, states: list) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = urlencode(self.params)
        if self.page_hash:
            cs.page_script_hash = self.page_hash
        else:
            cs.page_name = self.spec.path
        cs.context_info.url = f"{self.server.url}/{self.spec.path}?{cs.query_string}"
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-GB"
        for st in states:
            cs.widget_states.widgets.append(st)
        return msg.SerializeToString()

    async def run_once(self, payload: bytes,
                       timeout: float | None = None) -> tuple[float, list[str], list[str], set[str]]:
        """Send one rerun and read until its script_finished. (seconds, errors, app errors, warnings)"""
        from streamlit.proto.Alert_pb2 import Alert
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        errors: list[str] = []
        app_errors: list[str] = []
        warnings: set[str] = set()
        specs: list[str] = []
        timeout = timeout or self.timeout
        t0 = time.monotonic()
        deadline = t0 + timeout
        await self.ws.send(payload)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no script_finished within {timeout:.0f} s")
            try:
                data = await asyncio.wait_for(self.ws.recv(), left)
            except TimeoutError:
                raise TimeoutError(f"no script_finished within {timeout:.0f} s") from None
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                et = el.WhichOneof("type")
                sub = getattr(el, et)
                wid = getattr(sub, "id", "")
                if et == "plotly_chart":
                    specs.append(sub.spec)
                elif et == "exception":
                    app_errors.append(f"{sub.type}: {sub.message[:120]}")
                elif et == "alert":
                    if sub.format == Alert.ERROR:
                        app_errors.append(f"error alert: {sub.body[:120]}")
                    elif sub.format == Alert.WARNING:
                        warnings.add(sub.body)
                elif isinstance(wid, str) and wid.startswith("$$ID-") and wid.count("-") >= 2:
                    key = wid.split("-", 2)[2]
                    self.ids[key] = wid
                    self.protos[key] = sub
                    if et == "slider":
                        if sub.set_value or key not in self.values:
                            raw = sub.raw_value if isinstance(sub.raw_value, str) else list(sub.raw_value)
                            vals = list(sub.value) or list(sub.default)
                            if sub.options:  # a select_slider: the value is an option (its index in value)
                                if raw:
                                    self.values[key] = raw if isinstance(raw, str) else raw[0]
                                elif vals:
                                    self.values[key] = sub.options[int(vals[0])]
                            elif vals:
                                self.values[key] = vals[0]
                    elif et in ("selectbox", "radio") and (sub.set_value or key not in self.values):
                        opts = list(sub.options)
                        raw = getattr(sub, "raw_value", "")
                        if raw:
                            self.values[key] = raw
                        elif opts:
                            self.values[key] = opts[sub.default] if 0 <= sub.default < len(opts) else opts[0]
                    # The frontend keeps a bound widget's URL parameter in step with a value the server set.
                    qp = getattr(sub, "query_param_key", "")
                    if qp and getattr(sub, "set_value", False) and key in self.values:
                        v = self.values[key]
                        self.params[qp] = _num(v) if isinstance(v, float | int) else str(v)
            elif kind == "navigation" and fm.navigation.page_script_hash:
                self.page_hash = fm.navigation.page_script_hash
            elif kind == "script_finished":
                if fm.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                    errors.append(f"script_finished status {fm.script_finished}")
                break
        seconds = time.monotonic() - t0
        fp = str(hash(tuple(specs)))
        if len(specs) < self.spec.charts:
            errors.append(f"{len(specs)} charts, expected {self.spec.charts}")
        elif fp == self.fingerprint:
            errors.append("charts unchanged")
        self.fingerprint = fp
        return seconds, errors, app_errors, warnings

    async def drain(self, timeout: float) -> bool:
        """After a timeout: read on until the late script_finished arrives (True) or timeout passes."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
        deadline = time.monotonic() + timeout
        with contextlib.suppress(TimeoutError):
            while (left := deadline - time.monotonic()) > 0:
                fm = ForwardMsg()
                fm.ParseFromString(await asyncio.wait_for(self.ws.recv(), left))
                if fm.WhichOneof("type") == "script_finished":
                    return True
        return False

    def make_state(self, action: Action, k: int) -> list:
        """The widget state(s) one interaction sends, updating this client's own view of the values."""
        from streamlit.proto.WidgetStates_pb2 import WidgetState
        key = action.key
        if action.kind == "slider":
            proto = self.protos[key]
            v, step = float(self.values[key]), float(proto.step) or 1.0
            new = v + step if v + step <= proto.max + 1e-9 else v - step
            new = round(new, 6)
            st = WidgetState(id=self.ids[key])
            st.double_array_value.data.append(new)
            self.values[key] = new
            self.params[key] = _num(new)
            return [st]
        if action.kind == "next":
            proto = self.protos[key]
            at_end = float(self.values[key]) >= proto.max
            bkey = f"{key}_prev" if at_end else f"{key}_next"
            return [WidgetState(id=self.ids[bkey], trigger_value=True)]
        if action.kind == "radio":
            new = next_case(str(self.values.get(key, "free")), k)
            self.values[key] = self.params[key] = new
            return [WidgetState(id=self.ids[key], string_value=new)]
        if action.kind == "select":
            new = next_preset(str(self.values.get(key, "")), self.idx, k)
            self.values[key] = self.params[key] = new
            return [WidgetState(id=self.ids[key], string_value=new)]
        raise ValueError(action.kind)


@dataclass
class Plan:
    """When a student joins, how long it may take, and the barrier between opening the link and acting.

    Every student first opens the link (joining `start_delay` after the first one); once all have
    loaded (or failed to, or load_timeout passed) they start acting, each after a random part of one
    think time, so page loads do not overlap the measured interactions.
    """
    think: float
    timeout: float
    load_timeout: float
    students: int
    arrived: int = 0
    go: asyncio.Event = field(default_factory=asyncio.Event)

    def arrive(self) -> None:
        self.arrived += 1
        if self.arrived >= self.students:
            self.go.set()

    async def start(self, rng: random.Random) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.go.wait(), self.load_timeout)
        await asyncio.sleep(self.think * rng.uniform(0.0, 1.0))

    def pause(self, rng: random.Random) -> float:
        return self.think * rng.uniform(0.5, 1.5)


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


async def protocol_student(st: ProtocolStudent, reruns: int, plan: Plan, start_delay: float,
                           rng: random.Random, res: Results, progress: list[int]) -> None:
    import websockets
    await asyncio.sleep(start_delay)
    arrived = False
    try:
        # No client-side keepalive pings: a browser sends none (the server pings, and the client answers).
        async with websockets.connect(st.server.ws_url, subprotocols=["streamlit"], max_size=None,
                                      open_timeout=plan.load_timeout, close_timeout=5, ping_interval=None) as ws:
            st.ws = ws
            try:
                secs, errs, app_errs, warns = await st.run_once(st.rerun([]), plan.load_timeout)
            except TimeoutError as e:
                res.errors.append(f"first run: {e}")
                return
            finally:
                plan.arrive()
                arrived = True
            res.load.append(secs)
            res.errors += [f"first run: {e}" for e in errs if e != "charts unchanged"]
            res.app_errors += app_errs
            res.warnings |= warns
            await plan.start(rng)
            for k in range(reruns):
                if k:
                    await asyncio.sleep(plan.pause(rng))
                action = st.spec.actions[k % len(st.spec.actions)]
                try:
                    payload = st.rerun(st.make_state(action, k))
                    secs, errs, app_errs, warns = await st.run_once(payload)
                except TimeoutError as e:
                    res.errors.append(f"{action.name}: {e}")
                    if not await st.drain(st.timeout):
                        res.errors.append(f"{action.name}: gave up (no script_finished within another "
                                          f"{st.timeout:.0f} s)")
                        return
                    continue
                except KeyError as e:
                    res.errors.append(f"{action.name}: widget {e} not seen")
                    continue
                res.add(action.name, secs)
                res.errors += [f"{action.name}: {e}" for e in errs]
                res.app_errors += app_errs
                res.warnings |= warns
                progress[0] += 1
    except (OSError, websockets.exceptions.WebSocketException) as e:
        res.errors.append(f"websocket: {type(e).__name__}: {e}")
    finally:
        if not arrived:
            plan.arrive()


async def warm_up(server: StreamlitServer, pages: list[str], timeout: float) -> None:
    """One client opens each page once (imports, caches and first figures), then leaves."""
    import websockets
    for name in pages:
        st = ProtocolStudent(0, server, PAGES[name], timeout)
        async with websockets.connect(server.ws_url, subprotocols=["streamlit"], max_size=None,
                                      open_timeout=timeout, ping_interval=None) as ws:
            st.ws = ws
            await st.run_once(st.rerun([]))


# ---- browser client --------------------------------------------------------------------------------------------
FINGERPRINT_JS = """
window.__gruFingerprint = () => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  let h = 2166136261 >>> 0, n = 0;
  for (const g of plots) {
    const s = JSON.stringify([g.data || null, (g.layout || {}).meta || null]);
    n += s.length;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
  }
  return plots.length + ':' + n + ':' + h;
};
// When did the app's run end (script state back to notRunning), relative to the last __gruMark()?
window.__gruMark = () => { window.__gruT0 = performance.now(); window.__gruRunEnd = null; window.__gruRan = false; };
new MutationObserver(changes => {
  for (const c of changes) {
    const state = c.target.getAttribute('data-test-script-state');
    if (state === 'running') window.__gruRan = true;
    else if (state === 'notRunning' && window.__gruRan && window.__gruT0 !== undefined)
      window.__gruRunEnd = performance.now() - window.__gruT0;
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
window.__gruSettled = (before, minCharts) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') && app.getAttribute('data-test-connection-state') !== 'CONNECTED')
    return false;
  if (document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) return false;
  if (document.querySelectorAll('.js-plotly-plot').length < minCharts) return false;
  const fp = window.__gruFingerprint();
  return fp !== before ? fp : false;
};
"""


SHOWN_JS = """() => {
  const texts = (sel, n) => Array.from(document.querySelectorAll(sel)).map(e => e.innerText.slice(0, n));
  return {exc: texts('[data-testid="stException"]', 150), warn: texts('[data-testid="stAlertContentWarning"]', 2000),
          err: texts('[data-testid="stAlertContentError"]', 150)};
}"""


def slider_input(page, label: str):
    return page.locator(f'[data-testid="stSlider"] [role="group"][aria-label="{label}"] input[type="range"]')


async def settled(page, before: str | None, min_charts: int, timeout: float) -> str:
    handle = await page.wait_for_function("([b, m]) => window.__gruSettled(b, m)", arg=[before, min_charts],
                                          polling=50, timeout=timeout * 1000)
    return await handle.json_value()


async def browser_action(page, action: Action, student: int, k: int) -> float:
    """Perform one interaction; returns the monotonic time at which the committing input was sent."""
    if action.kind == "slider":
        thumb = slider_input(page, action.label)
        v, hi = await thumb.evaluate("e => [Number(e.value), Number(e.max)]")
        await thumb.focus()
        await page.evaluate("window.__gruMark()")
        t0 = time.monotonic()
        await thumb.press("ArrowRight" if v < hi else "ArrowLeft")
        return t0
    if action.kind == "next":
        thumb = slider_input(page, action.label)
        v, hi = await thumb.evaluate("e => [Number(e.value), Number(e.max)]")
        button = page.get_by_role("button", name="Previous" if v >= hi else "Next", exact=True)
        await page.evaluate("window.__gruMark()")
        t0 = time.monotonic()
        await button.click()
        return t0
    if action.kind == "radio":
        group = page.locator(f'[role="radiogroup"][aria-label="{action.label}"]')
        current = await group.locator('[data-testid="stRadioOption"][data-selected="true"]').first.inner_text()
        target = next_case(current.split("\n")[0].strip(), k)
        option = group.locator('[data-testid="stRadioOption"]').filter(
            has_text=re.compile(rf"^\s*{re.escape(target)}\b"))
        await page.evaluate("window.__gruMark()")
        t0 = time.monotonic()
        await option.first.click()
        return t0
    if action.kind == "select":
        box = page.locator(f'[data-testid="stSelectbox"] input[role="combobox"][aria-label="{action.label}"]')
        target = next_preset(await box.input_value(), student, k)
        await box.click()
        option = page.get_by_role("option", name=target, exact=True)
        await option.wait_for(state="visible", timeout=10_000)
        await page.evaluate("window.__gruMark()")
        t0 = time.monotonic()
        await option.click()
        return t0
    raise ValueError(action.kind)


async def browser_student(idx: int, browser, server: StreamlitServer, spec: PageSpec, interactions: int,
                          plan: Plan, start_delay: float, rng: random.Random, res: Results,
                          progress: list[int]) -> None:
    from playwright.async_api import Error as PlaywrightError
    await asyncio.sleep(start_delay)
    ctx = None
    arrived = False
    try:
        ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
        await ctx.add_init_script(FINGERPRINT_JS)
        page = await ctx.new_page()
        url = f"{server.url}/{spec.path}?{urlencode(spec.params)}"
        t0 = time.monotonic()
        try:
            await page.goto(url, wait_until="domcontentloaded", timeout=plan.load_timeout * 1000)
            fp = await settled(page, None, spec.charts, max(1.0, plan.load_timeout - (time.monotonic() - t0)))
        except PlaywrightError as e:
            res.errors.append(f"page load: {str(e).splitlines()[0][:100]}")
            return
        finally:
            plan.arrive()
            arrived = True
        res.load.append(time.monotonic() - t0)
        await plan.start(rng)
        for k in range(interactions):
            if k:
                await asyncio.sleep(plan.pause(rng))
            action = spec.actions[k % len(spec.actions)]
            try:
                t0 = await browser_action(page, action, idx, k)
                fp = await settled(page, fp, spec.charts, plan.timeout)
                res.add(action.name, time.monotonic() - t0)
                run_end = await page.evaluate("window.__gruRunEnd")
                if run_end is not None:
                    res.run_done.append(run_end / 1000)
                progress[0] += 1
            except PlaywrightError as e:
                res.errors.append(f"{action.name}: {str(e).splitlines()[0][:100]}")
                with contextlib.suppress(PlaywrightError):  # resynchronise on whatever the page shows now
                    fp = await page.evaluate("window.__gruFingerprint()")
        with contextlib.suppress(PlaywrightError):
            shown = await page.evaluate(SHOWN_JS)
            res.app_errors += [f"exception: {x}" for x in shown["exc"]] + [f"error alert: {x}" for x in shown["err"]]
            res.warnings |= set(shown["warn"])
    finally:
        if not arrived:
            plan.arrive()
        if ctx is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ctx.close(), 30)


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
