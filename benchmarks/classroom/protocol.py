"""Protocol mode: a student as a websocket client speaking Streamlit's protobuf messages."""

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from _server import StreamlitServer  # noqa: E402

from .results import Results
from .students import PAGES, Action, PageSpec, next_case, next_preset


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
