"""A browser tab reduced to Streamlit's websocket messages, for the classroom load test.

It speaks Streamlit 1.67's private protocol (which is why requirements.txt pins the minor version):
it sends a BackMsg.rerun_script carrying the query string, the page and the widget states, as the
frontend does, then reads ForwardMsgs until script_finished. Widget ids are learnt from the deltas
of each run ("$$ID-<hash>-<key>"), and the client keeps the values it holds, as a tab would.

Like the browser it keeps Streamlit's ForwardMsg cache: it sends the hashes of the cacheable elements
it holds (rerun_script.cached_message_hashes), the server answers an element the tab already has with
a reference (ForwardMsg.ref_hash) instead of the element, and the tab evicts what was not seen for
maxCachedMessageAge runs, as frontend/lib/src/WebsocketConnection's ForwardMsgCache does. `Run.bytes`
counts what came back (the websocket frames' lengths). A widget drawn inside an st.fragment (its
delta carries a fragment_id) reruns that fragment only, as the browser's WidgetStateManager does:
the rerun carries the fragment_id, and the run ends on FINISHED_FRAGMENT_RUN_SUCCESSFULLY.

The step page's viewer (a components.v2 component) reports its position when stepping pauses:
`report_position` sends what the browser sends then (see its docstring).

Like a browser, a tab first loads the page and /_stcore/host-config over HTTP and keeps the cookies it
is given, then opens the websocket with them: behind nginx (deploy/) the sticky cookie is what keeps
the tab on one replica. Every response's X-Upstream header (the replica nginx chose) is recorded in
`Tab.upstreams`, the websocket handshake's included; a server without nginx sends none.
"""
from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

import websockets
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState


@dataclass
class Run:
    seconds: float
    charts: list[str] = field(default_factory=list)  # the Plotly specs (and viewer data) drawn, in order
    problems: list[str] = field(default_factory=list)  # exceptions, error alerts, a failed run
    address: str | None = None  # the query string the script wrote into the address, if it changed it
    bytes: int = 0  # what came back: the websocket frames' lengths, summed
    fragment: str = ""  # the fragment this run reran ("": the whole page)


class Tab:
    """One student's tab on `page` of the server at `base_url`, opened with the link parameters `params`."""

    def __init__(self, base_url: str, page: str, params: dict[str, str]) -> None:
        self.base_url, self.page, self.params = base_url, page, dict(params)
        self.page_hash = ""
        self.ids: dict[str, str] = {}  # widget key -> widget id
        self.protos: dict[str, object] = {}  # widget key -> its latest element
        self.values: dict[str, object] = {}  # widget key -> the value this tab holds
        self.cookies: dict[str, str] = {}
        self.upstreams: list[str] = []  # X-Upstream of every response, in order (behind nginx)
        self.ws = None
        self.fragment_of: dict[str, str] = {}  # widget key -> the fragment it was drawn in ("" for none)
        self.json_values: dict[str, str] = {}  # components.v2 key -> the JSON state the tab holds
        self.drawn: set[str] = set()  # widget keys drawn by the last run
        # The ForwardMsg cache: hash -> [serialized message, script run count when last used, fragment id].
        self.cache: dict[str, list] = {}
        self.run_count = 0
        self.max_age = 2  # global.maxCachedMessageAge, as the server's new_session says
        self._viewer_cache: tuple | None = None

    async def __aenter__(self) -> Tab:
        await self._get(f"/{self.page}?{urlencode(self.params)}")
        await self._get("/_stcore/host-config")
        # No client keepalive pings: a browser sends none (the server pings and the client answers).
        ws_url = self.base_url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=60, close_timeout=5, ping_interval=None,
                                           additional_headers=self._cookie_header())
        self._keep(self.ws.response.headers)
        return self

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _keep(self, headers) -> None:
        """Keep the cookies set and the replica named in one response's headers."""
        for line in headers.get_all("Set-Cookie") or []:
            self.cookies.update({k: m.value for k, m in SimpleCookie(line).items()})
        if headers.get("X-Upstream"):
            self.upstreams.append(headers["X-Upstream"])

    async def _get(self, path: str, timeout: float = 60) -> None:
        def get():
            request = urllib.request.Request(self.base_url + path, headers=self._cookie_header())
            with urllib.request.urlopen(request, timeout=timeout) as r:
                r.read()
                return r.headers

        self._keep(await asyncio.to_thread(get))

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def run(self, states: list[WidgetState], timeout: float, fragment: str = "",
                  through_reruns: bool = False) -> Run:
        """Send one rerun with `states` (of fragment `fragment`, "" for the page) and read until its
        script_finished (TimeoutError past `timeout`). `through_reruns`: a run that ends early for a
        rerun the script asked for (st.rerun) is followed, as a browser follows it, to the end of
        the run that replaced it."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = urlencode(self.params)
        if self.page_hash:
            cs.page_script_hash = self.page_hash
        else:
            cs.page_name = self.page
        if fragment:
            cs.fragment_id = fragment
        cs.cached_message_hashes.extend(self.cache)
        cs.context_info.url = f"{self.base_url}/{self.page}?{cs.query_string}"
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-GB"
        cs.widget_states.widgets.extend(states)
        t0 = time.monotonic()
        run = Run(0.0, fragment=fragment)
        new_session: ForwardMsg | None = None
        drawn: set[str] = set()
        await self.ws.send(msg.SerializeToString())
        async with asyncio.timeout(timeout):
            while True:
                frame = await self.ws.recv()
                run.bytes += len(frame)
                fm = ForwardMsg()
                fm.ParseFromString(frame)
                fm = self._cached(fm, run)
                kind = fm.WhichOneof("type")
                if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                    self._read(fm.delta.new_element, run, fm.delta.fragment_id, drawn)
                elif kind == "new_session":
                    new_session = fm
                    if fm.new_session.config.max_cached_message_age:
                        self.max_age = fm.new_session.config.max_cached_message_age
                elif kind == "page_info_changed":
                    run.address = fm.page_info_changed.query_string
                    self.params = dict(parse_qsl(run.address, keep_blank_values=True))  # the browser's address now
                elif kind == "navigation" and fm.navigation.page_script_hash:
                    self.page_hash = fm.navigation.page_script_hash
                elif kind == "script_finished":
                    done = (ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY if fragment
                            else ForwardMsg.FINISHED_SUCCESSFULLY)
                    if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN and through_reruns:
                        drawn, new_session = set(), None
                        continue
                    if fm.script_finished != done:
                        run.problems.append(f"script_finished status {fm.script_finished}")
                    if fm.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN and new_session is not None:
                        self._age(list(new_session.metadata.run.fragment_ids))
                    break
        run.seconds = time.monotonic() - t0
        self.drawn = drawn if not fragment else self.drawn | drawn
        return run

    def _cached(self, fm: ForwardMsg, run: Run) -> ForwardMsg:
        """Keep a cacheable element; resolve a reference to one (the frontend's ForwardMsgCache)."""
        if fm.WhichOneof("type") == "ref_hash":
            entry = self.cache.get(fm.ref_hash)
            if entry is None:
                run.problems.append(f"cached message missing: {fm.ref_hash}")
                return fm
            entry[1] = self.run_count
            full = ForwardMsg()
            full.ParseFromString(entry[0])
            full.metadata.CopyFrom(fm.metadata)
            return full
        if fm.metadata.cacheable and fm.hash:
            if fm.hash in self.cache:
                self.cache[fm.hash][1] = self.run_count
            else:
                frag = fm.delta.fragment_id if fm.WhichOneof("type") == "delta" else ""
                self.cache[fm.hash] = [fm.SerializeToString(), self.run_count, frag]
        return fm

    def _age(self, fragments: list[str]) -> None:
        """A run finished: drop what went unused for max_age runs (in a fragment run, of those fragments only)."""
        self.run_count += 1
        for h, (_, seen, frag) in list(self.cache.items()):
            if fragments and (not frag or frag not in fragments):
                continue
            if self.run_count - seen > self.max_age:
                del self.cache[h]

    def _read(self, element, run: Run, fragment: str, drawn: set[str]) -> None:
        kind = element.WhichOneof("type")
        sub = getattr(element, kind)
        if kind == "plotly_chart":
            run.charts.append(sub.spec)
        elif kind == "bidi_component":  # the step page's browser-side viewer: its data is the chart
            run.charts.append(sub.json or sub.SerializeToString().hex())
        elif kind == "exception":
            run.problems.append(f"exception {sub.type}: {sub.message[:120]}")
        elif kind == "alert" and sub.format == Alert.ERROR:
            run.problems.append(f"error shown: {sub.body[:120]}")
        wid = getattr(sub, "id", "")
        if not (isinstance(wid, str) and wid.startswith("$$ID-") and wid.count("-") >= 2):
            return
        key = wid.split("-", 2)[2]
        self.ids[key], self.protos[key], self.fragment_of[key] = wid, sub, fragment
        drawn.add(key)
        server_set = getattr(sub, "set_value", False)
        if key in self.values and not server_set:
            return  # the tab keeps its own value unless the server set one
        if kind == "slider" and not sub.options and (sub.value or sub.default):  # select sliders are not moved
            self._hold(key, (list(sub.value) or list(sub.default))[0], server_set)
        elif kind in ("radio", "selectbox") and sub.options:
            first = sub.options[sub.default if 0 <= sub.default < len(sub.options) else 0]
            self._hold(key, sub.raw_value or first, server_set)

    def _hold(self, key: str, value: object, changed: bool = True) -> None:
        """Keep `value` for widget `key`; once it changed, the link parameter bound to it, as the frontend does."""
        self.values[key] = value
        param = getattr(self.protos[key], "query_param_key", "")
        if param and changed:
            self.params[param] = f"{value:g}" if isinstance(value, float) else str(value)

    # ---- what a student does: each returns the widget states of one interaction ----
    def move_slider(self, key: str) -> list[WidgetState]:
        """One step right, or left at the maximum."""
        proto, value = self.protos[key], float(self.values[key])
        step = float(proto.step) or 1.0
        new = round(value + step if value + step <= proto.max + 1e-9 else value - step, 6)
        self._hold(key, new)
        state = WidgetState(id=self.ids[key])
        state.double_array_value.data.append(new)
        return [state]

    def press_next(self, key: str) -> list[WidgetState]:
        """The Next button of the step slider `key`, or Previous at the last step."""
        button = f"{key}_prev" if float(self.values[key]) >= self.protos[key].max else f"{key}_next"
        return [WidgetState(id=self.ids[button], trigger_value=True)]

    def choose(self, key: str, option: str) -> list[WidgetState]:
        self._hold(key, option)
        return [WidgetState(id=self.ids[key], string_value=option)]

    def fragment_for(self, states: list[WidgetState]) -> str:
        """The fragment a change of these widgets reruns, as the browser does ("" for the whole page)."""
        by_id = {wid: key for key, wid in self.ids.items()}
        return next((self.fragment_of.get(by_id.get(w.id, ""), "") for w in states), "")

    def press(self, key: str) -> list[WidgetState]:
        """A button (st.button's trigger)."""
        return [WidgetState(id=self.ids[key], trigger_value=True)]

    def report_position(self, key: str, rng) -> tuple[list[WidgetState], str]:
        """The step viewer `key` paused at a new step: the widget state and the fragment its report reruns.

        The viewer calls setStateValue("pos", [t, unit]). Streamlit's frontend (1.67,
        BidiComponent: setStateValue) merges it into the component's JSON state,
        `{...getWidgetValue(), pos: [t, unit]}` (getWidgetValue: the JSON held, or {}), and calls
        WidgetStateManager.setJsonValue(element id, that, {formId, fragmentId: the element's, fromUser:
        true}): a WidgetState with that id and json_value = JSON.stringify(...), e.g. '{"pos":[7,3]}'
        (no spaces). Outside a form it schedules a flush: one BackMsg.rerun_script with the widget
        states, the address's query string, the page hash, fragment_id = the element's delta's
        fragment_id (unset outside st.fragment) and the cached message hashes.

        A student steps on a few steps from where the viewer is (t from the address, which the page
        updates on each report), and now and then picks another unit."""
        data = self._viewer_data(key)
        T, H = int(data["T"]), int(data["H"])
        held = json.loads(self.json_values.get(key, "{}"))
        t0, u0 = held.get("pos") or [int(self.params.get("t", 1)), int(self.params.get("unit", 0))]
        t = (int(t0) - 1 + rng.randint(1, 5)) % T + 1
        unit = rng.randrange(H) if rng.random() < 0.25 else min(max(int(u0), 0), H - 1)
        value = json.dumps({**held, "pos": [t, unit]}, separators=(",", ":"))
        self.json_values[key] = value
        return [WidgetState(id=self.ids[key], json_value=value)], self.fragment_of.get(key, "")

    def _viewer_data(self, key: str) -> dict:
        sub = self.protos[key]
        cached = self._viewer_cache
        if cached is None or cached[0] is not sub:
            self._viewer_cache = cached = (sub, json.loads(sub.json))
        return cached[1]
