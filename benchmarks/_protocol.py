"""A browser tab reduced to Streamlit's websocket messages, for the classroom load test.

It speaks Streamlit 1.67's private protocol (which is why requirements.txt pins the minor version):
it sends a BackMsg.rerun_script carrying the query string, the page and the widget states, as the
frontend does, then reads ForwardMsgs until script_finished. Widget ids are learnt from the deltas
of each run ("$$ID-<hash>-<key>"), and the client keeps the values it holds, as a tab would.

Like a browser, a tab first loads the page and /_stcore/host-config over HTTP and keeps the cookies it
is given, then opens the websocket with them: behind nginx (deploy/) the sticky cookie is what keeps
the tab on one replica. Every response's X-Upstream header (the replica nginx chose) is recorded in
`Tab.upstreams`, the websocket handshake's included; a server without nginx sends none.
"""
from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode

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

    async def run(self, states: list[WidgetState], timeout: float) -> Run:
        """Send one rerun with `states` and read until its script_finished (TimeoutError past `timeout`)."""
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = urlencode(self.params)
        if self.page_hash:
            cs.page_script_hash = self.page_hash
        else:
            cs.page_name = self.page
        cs.context_info.url = f"{self.base_url}/{self.page}?{cs.query_string}"
        cs.context_info.timezone = "UTC"
        cs.context_info.locale = "en-GB"
        cs.widget_states.widgets.extend(states)
        t0 = time.monotonic()
        run = Run(0.0)
        await self.ws.send(msg.SerializeToString())
        async with asyncio.timeout(timeout):
            while True:
                fm = ForwardMsg()
                fm.ParseFromString(await self.ws.recv())
                kind = fm.WhichOneof("type")
                if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                    self._read(fm.delta.new_element, run)
                elif kind == "page_info_changed":
                    run.address = fm.page_info_changed.query_string
                elif kind == "navigation" and fm.navigation.page_script_hash:
                    self.page_hash = fm.navigation.page_script_hash
                elif kind == "script_finished":
                    if fm.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                        run.problems.append(f"script_finished status {fm.script_finished}")
                    break
        run.seconds = time.monotonic() - t0
        return run

    def _read(self, element, run: Run) -> None:
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
        self.ids[key], self.protos[key] = wid, sub
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
