"""The step-through viewer in Chromium: the offline HTML file opened from disk with the network
blocked, and the Streamlit component in a small app of its own (viewer_app.py, its own server).

After every move, every view must show the same step and unit (the diagram, the equations, each
heatmap's marker, the table row, the readout, the scrubber), and the numbers must be the ones
text.unit_equations prints for the record. Stepping must not talk to the server at all: where it
pauses the viewer writes t and unit into the address itself, and it reports once to the server when
the reader turns to something else on the page (a press outside it), so the run that follows knows.
"""
from __future__ import annotations

import contextlib
import json
import re
import time

import pytest
from playwright.sync_api import Error as PlaywrightError
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from gru_lab.text import unit_equations
from gru_lab.viewer import offline_html

from .conftest import DESKTOP, PHONE, SCREENSHOTS
from .viewer_app import HOSTILE, payload, record, serve

READ_JS = """
() => {
  const host = document.querySelector("[data-testid='stBidiComponentIsolated']");
  const root = (host && host.shadowRoot ? host.shadowRoot : document).querySelector(".gv");
  const all = (sel) => Array.from(root.querySelectorAll(sel));
  const at = (e) => (e ? [Number(e.dataset.t), Number(e.dataset.unit)] : null);
  const on = root.querySelector(".gv-table tbody tr.gv-on");
  return {
    root: at(root), diagram: at(root.querySelector(".gv-diagram")), equations: at(root.querySelector(".gv-eqs")),
    table: at(root.querySelector(".gv-table")), marks: all(".gv-canvas canvas[data-q]").map(at),
    readout: root.querySelector(".gv-readout").textContent, scrub: Number(root.querySelector(".gv-scrub").value),
    unitBox: Number(root.querySelector(".gv-unit").value), lines: all(".gv-num-line").map((e) => e.textContent),
    symbolic: all(".gv-sym-line").map((e) => e.textContent),
    row: on ? Array.from(on.cells).map((c) => c.textContent) : null,
    outlined: all(".gv-node .gv-sq.gv-on").map((e) => [e.closest(".gv-node").dataset.q, Number(e.dataset.unit)]),
    values: Object.fromEntries(all(".gv-node").map((g) => [g.dataset.q, g.querySelector(".gv-val").textContent])),
    squares: all(".gv-node-h .gv-sq").length, overview: all(".gv-node-h rect:not(.gv-box):not(.gv-sq)").length,
    playing: root.querySelector(".gv-play").getAttribute("aria-pressed") === "true",
    images: root.querySelectorAll("img").length,
  };
}
"""


def shown(v: float) -> str:
    """A value as the viewer prints it: three decimals, a true minus sign, no negative zero."""
    text = f"{v:.3f}"
    return ("0.000" if text == "-0.000" else text).replace("-", "−")


def numbers(line: str) -> list[int]:
    """The printed numbers of a line, in 10^-3 (LaTeX's '- 0.2' and the viewer's '− 0.2' alike)."""
    line = line.replace("−", "-")
    return [round(float(sign.replace(" ", "") + digits) * 1000) for sign, digits in re.findall(r"(-\s?)?(\d+\.\d{3})",
                                                                                                line)]


def read(page) -> dict:
    return page.evaluate(READ_JS)


def check(page, case: tuple, t: int, unit: int) -> dict:
    """Every view is at step t (1-based) and unit, with the record's numbers."""
    labels, rec = record(*case)
    v = read(page)
    T = rec.h.shape[0]
    assert [v["root"], v["diagram"], v["equations"], v["table"]] == [[t, unit]] * 4, v
    assert v["marks"] == [[t, unit]] * 4, v["marks"]
    assert v["readout"].startswith(f"Step {t} of {T}: “{labels[t - 1]}”") and v["readout"].endswith(f"unit {unit}")
    assert (v["scrub"], v["unitBox"]) == (t, unit)
    expected = unit_equations(rec, t - 1, unit)
    assert [numbers(line) for line in v["lines"]] == [numbers(line) for line in expected], (v["lines"], expected)
    assert all(line.startswith(f"{q}{unit} =") for q, line in zip("rznh", v["lines"], strict=True)), v["lines"]
    hp = rec.h_prev[t - 1, unit]
    assert v["row"] == [str(unit)] + [shown(x[t - 1, unit]) for x in (rec.h_prev, rec.r, rec.z, rec.n, rec.h)]
    assert sorted(v["outlined"]) == sorted([q, unit] for q in ("hp", "z", "r", "n", "h"))
    assert v["values"]["h"] == shown(rec.h[t - 1, unit]) and v["values"]["hp"] == shown(hp)
    return v


def cell(page, q: str, t: int, unit: int, T: int, H: int) -> None:
    """Click the middle of heatmap q's cell for step t (1-based) and unit."""
    canvas = page.locator(f".gv-canvas canvas[data-q='{q}']")
    box = canvas.bounding_box()
    canvas.click(position={"x": (t - 0.5) / T * box["width"], "y": (unit + 0.5) / H * box["height"]})


def wait_until_t(page, pred, timeout: float = 10_000) -> None:
    page.wait_for_function(f"""() => {{
      const host = document.querySelector("[data-testid='stBidiComponentIsolated']");
      const root = (host && host.shadowRoot ? host.shadowRoot : document).querySelector(".gv");
      const t = root && Number(root.dataset.t);
      return t && ({pred})(t);
    }}""", timeout=timeout)


def drive(page, case: tuple) -> None:
    """Every control once, checking all views after each: Next, →, ←, the scrubber, the unit box,
    a heatmap cell, a table row, space to play and pause, Play and Pause, Home and End."""
    labels, rec = record(*case)
    T, H = rec.h.shape
    page.locator(".gv-next").click()
    check(page, case, 2, 0)
    page.locator(".gv-diagram").focus()
    page.keyboard.press("ArrowRight")
    check(page, case, 3, 0)
    page.keyboard.press("ArrowLeft")
    check(page, case, 2, 0)
    page.locator(".gv-scrub").fill(str(T - 4))
    check(page, case, T - 4, 0)
    page.locator(".gv-unit").fill(str(H - 1))
    check(page, case, T - 4, H - 1)
    cell(page, "h", 7, 2, T, H)
    check(page, case, 7, 2)
    page.locator(".gv-table tbody tr").nth(1).click()  # the window starts at unit 0 here: row 1 is unit 1
    check(page, case, 7, 1)
    page.locator(".gv-diagram").focus()
    page.keyboard.press("ArrowDown")
    check(page, case, 7, 2)
    page.keyboard.press(" ")
    page.locator(".gv-speed").select_option("16")  # the speed changes while it plays
    wait_until_t(page, "(t) => t >= 12")
    page.locator(".gv-diagram").focus()
    page.keyboard.press(" ")
    v = read(page)
    assert not v["playing"]
    check(page, case, v["root"][0], 2)
    page.locator(".gv-play").click()
    assert read(page)["playing"]
    wait_until_t(page, f"(t) => t >= {v['root'][0] + 3}")
    page.locator(".gv-play").click()
    v = read(page)
    assert not v["playing"]
    check(page, case, v["root"][0], 2)
    page.locator(".gv-diagram").focus()
    page.keyboard.press("End")
    check(page, case, T, 2)
    page.keyboard.press("Home")
    check(page, case, 1, 2)


# ---- the offline file --------------------------------------------------------------------------------
def offline_context(browser, viewport=DESKTOP, scheme="light"):
    """A browser context with the network off that records every request other than file://."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme, offline=True)
    tried = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                  else (tried.append(route.request.url), route.abort()))
    return context, tried


def download_view(page, path) -> float:
    """Click the viewer's "Download this view as HTML" (the file is built in the browser, at the step
    shown), save it at `path`, and return the seconds from the click to the download."""
    button = page.get_by_role("button", name="Download this view as HTML")
    assert button.count() == 1 and button.is_visible()
    start = time.monotonic()
    with page.expect_download(timeout=30_000) as info:
        button.click()
    info.value.save_as(path)
    return time.monotonic() - start


def wait_for_address(page, t: int, unit: int, timeout: float = 20_000) -> None:
    """The viewer wrote this step and unit into the address (it does so where stepping pauses)."""
    page.wait_for_function(f"() => /[?&]t={t}(&|$)/.test(location.search) && /[?&]unit={unit}(&|$)/"
                           ".test(location.search)", timeout=timeout)


def rerun(page) -> None:
    """A run of the page while the viewer is wherever the reader took it (viewer_app's Rerun button)."""
    page.get_by_role("button", name="Rerun").click()


def steps_offline(browser, path, case: tuple, t: int, unit: int) -> None:
    """The saved file opens from disk with no network at (t, unit), and → steps it."""
    context, tried = offline_context(browser)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.locator(".gv[data-t]").wait_for()
        check(page, case, t, unit)
        page.keyboard.press("ArrowRight")  # the page itself has focus: keys step the viewer
        check(page, case, t + 1, unit)
        assert tried == [] and read(page)["images"] == 0
    finally:
        context.close()


def open_offline(browser, tmp_path, case=(), viewport=DESKTOP, scheme="light", hash_=""):
    path = tmp_path / f"viewer-{'-'.join(map(str, case)) or 'default'}.html"
    path.write_text(offline_html(payload(*case)), encoding="utf-8")
    context, tried = offline_context(browser, viewport, scheme)
    errors = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.goto(path.as_uri() + hash_)
    page.locator(".gv[data-t]").wait_for()
    return context, page, tried, errors


def test_offline_file_steps_with_the_network_off(browser, tmp_path):
    context, page, tried, errors = open_offline(browser, tmp_path)
    try:
        check(page, (), 1, 0)
        drive(page, ())
        page.locator(".gv-next").click()
        page.wait_for_function("() => location.hash === '#t=2&unit=2'")  # the place, kept in the address
        assert tried == [] and errors == []
    finally:
        context.close()
    context, page, tried, errors = open_offline(browser, tmp_path, hash_="#t=9&unit=4")
    try:
        check(page, (), 9, 4)  # a link to the file with a place opens there
    finally:
        context.close()


def test_offline_file_at_the_largest_size_keeps_user_text_as_text(browser, tmp_path):
    case = (128, 500, "take", False)
    context, page, tried, errors = open_offline(browser, tmp_path, case, viewport=PHONE)
    try:
        cell(page, "z", 499, 100, 500, 128)  # a step is 0.7 px wide here: the click may land on a neighbour
        t, unit = read(page)["root"]
        assert abs(t - 499) <= 1 and abs(unit - 100) <= 1  # a unit is 1.2 px tall: the same holds
        page.keyboard.press("End")  # the click focused the heatmap, which takes the keys too
        v = check(page, case, 500, unit)
        assert HOSTILE in v["readout"] and v["images"] == 0 and errors == []
        assert (v["squares"], v["overview"]) == (11, 128 + 2), "the phone strip: 11 neighbours, and all 128 thin"
        assert "(1 − zt) ⊙ ht−1" in v["symbolic"][3] and "Whn(rt ⊙ ht−1)" in v["symbolic"][2]
        assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), "scrolls sideways"
        cell(page, "n", 250, 3, 500, 128)
        t, unit = read(page)["root"]
        assert abs(t - 250) <= 1 and abs(unit - 3) <= 1
        check(page, case, t, unit)
        assert tried == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_offline_screens_and_keyboard_reach(browser, tmp_path, scheme):
    """Screenshots for a person to look at, both widths; every control named and reached by Tab."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport, case in (("desktop", DESKTOP, ()), ("phone", PHONE, ()), ("desktop-H128", DESKTOP,
                                                                                    (128, 500))):
        context, page, _, errors = open_offline(browser, tmp_path, case, viewport, scheme, "#t=12&unit=5")
        try:
            page.screenshot(path=str(SCREENSHOTS / f"viewer-offline-{label}-{scheme}.png"), full_page=True)
            assert errors == [] and page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
            for role, name in (("button", "Previous step"), ("button", "Play"), ("button", "Next step"),
                               ("combobox", "Play speed"), ("spinbutton", "Hidden unit shown"), ("slider", "Step")):
                assert page.get_by_role(role, name=name).count() == 1, (role, name)
            assert page.locator(".gv-readout").get_attribute("aria-live") == "polite"
            reached = []
            for _ in range(14):
                page.keyboard.press("Tab")
                reached.append(page.evaluate("() => document.activeElement.className.baseVal ?? "
                                             "document.activeElement.className"))
            for control in ("gv-prev", "gv-play", "gv-next", "gv-speed", "gv-unit", "gv-scrub", "gv-diagram"):
                assert control in reached, (control, reached)
        finally:
            context.close()


# ---- Streamlit's websocket, frame by frame -------------------------------------------------------------
EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
APP_IDLE_JS = ("() => document.querySelector(\"[data-testid='stApp']\")?.getAttribute('data-test-script-state')"
               " === 'notRunning'")


class Wire:
    """Streamlit's websocket as a page saw it, across reconnects: each frame the browser sent (a BackMsg)
    and received (a ForwardMsg), decoded, in the order they passed. Chromium reports a frame as the page
    sends it, and a received one before the page handles it, so what the DOM shows of a frame is here
    already. The waits below wait for frames, never for a length of time."""

    def __init__(self, page):
        self.page = page
        self.log: list[tuple[str, object]] = []  # ("sent", BackMsg) | ("recv", (ForwardMsg type, finished status))
        self.sent: list[BackMsg] = []
        self.received: list[int] = []  # the size of each frame received
        self.sockets: list = []
        page.on("websocket", self._open)

    def _open(self, ws) -> None:
        self.sockets.append(ws)
        ws.on("framesent", self._sent)
        ws.on("framereceived", self._received)

    def _sent(self, payload) -> None:
        msg = BackMsg.FromString(payload) if isinstance(payload, bytes) else BackMsg()
        self.sent.append(msg)
        self.log.append(("sent", msg))

    def _received(self, payload) -> None:
        self.received.append(len(payload))
        fm = ForwardMsg.FromString(payload) if isinstance(payload, bytes) else ForwardMsg()
        kind = fm.WhichOneof("type")
        self.log.append(("recv", (kind, fm.script_finished if kind == "script_finished" else None)))

    def mark(self) -> int:
        return len(self.log)

    def wait(self, found, what: str, direction: str = "framereceived", timeout: float = 60_000):
        """Wait until found() returns something other than None, looking again after each frame sent or
        received (`direction`); return it. Playwright hands events over only while it waits, so no frame
        can slip between a look and the wait that follows it."""
        deadline = time.monotonic() + timeout / 1000
        while (got := found()) is None:
            left = (deadline - time.monotonic()) * 1000
            assert left > 0, f"no {what} within {timeout / 1000:.0f} s; last frames: {self.summary()}"
            ws = self.sockets[-1] if self.sockets else None
            with contextlib.suppress(PlaywrightError):  # our deadline is the assert above; a closed socket: look again
                if ws is None or ws.is_closed():
                    self.page.wait_for_event("websocket", timeout=left)
                else:
                    ws.wait_for_event(direction, timeout=left)
        return got

    def request(self, matches, since: int, what: str) -> int:
        """The log index of the first rerun request sent at or after `since` that `matches`, once sent."""
        def found():
            return next((i for i in range(since, len(self.log)) if self.log[i][0] == "sent"
                         and self.log[i][1].WhichOneof("type") == "rerun_script" and matches(self.log[i][1])), None)
        return self.wait(found, what, "framesent")

    def run_done(self, after: int, what: str = "the run") -> None:
        """A run that started after log index `after` (a request sent) has finished, not cut short for
        another, and the page has handled that (the app root says notRunning)."""
        def found():
            started = next((i for i in range(after, len(self.log)) if self.log[i] == ("recv", ("new_session", None))),
                           None)
            return None if started is None else next(
                (i for i in range(started, len(self.log)) if self.log[i][0] == "recv"
                 and self.log[i][1][0] == "script_finished" and self.log[i][1][1] != EARLY), None)
        self.wait(found, f"end of {what}")
        self.page.wait_for_function(APP_IDLE_JS, timeout=30_000)

    def summary(self) -> list:
        return [(d, m.WhichOneof("type") if d == "sent" else m) for d, m in self.log[-12:]]


def reported_pos(msg: BackMsg) -> list | None:
    """The position the viewer's state holds in a rerun request ('{"pos":[t,unit]}'), if any."""
    for w in msg.rerun_script.widget_states.widgets:
        if w.WhichOneof("value") == "json_value":
            with contextlib.suppress(ValueError):
                value = json.loads(w.json_value)
                if isinstance(value, dict) and "pos" in value:
                    return value["pos"]
    return None


def reports(pos):
    return lambda msg: reported_pos(msg) == list(pos)


def presses(key: str):
    """A rerun request carrying st.button `key`'s press (its widget id ends in the key)."""
    return lambda msg: any(w.id.endswith(f"-{key}") and w.WhichOneof("value") == "trigger_value" and w.trigger_value
                           for w in msg.rerun_script.widget_states.widgets)


def first_frame_reports(wire: Wire, before: int, pos, what: str) -> None:
    """Since wire.sent[before], the first frame the page sent is the report of `pos` (wait for it): so
    nothing before it, the steps and the pause included, talked to the server."""
    wire.wait(lambda: next((m for m in wire.sent[before:] if reported_pos(m) == list(pos)), None),
              f"report of {pos}", "framesent")
    first = wire.sent[before]
    assert reported_pos(first) == list(pos), (f"{what}: the page sent {first.WhichOneof('type')} "
                                              f"{reported_pos(first)} before the report of {pos}")


# ---- the component, in its own app -------------------------------------------------------------------
@pytest.fixture(scope="module")
def viewer_url(browser_available, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("viewer") / "server.log") as server:
        yield server.url


def open_app(browser, url, query="", viewport=DESKTOP, scheme="light"):
    """A fresh visitor: (context, page, its websocket frames (Wire), JS errors), once the first run is over."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    wire, errors = Wire(page), []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{url}/{query}")
    page.locator(".gv[data-t]").wait_for(timeout=60_000)
    page.get_by_text("server: t=").wait_for()
    wire.run_done(0, "the first run")  # its last messages are in: counts taken from here on are the page's own
    return context, page, wire, errors


def server_says(page) -> str:
    return page.get_by_text("server: t=").inner_text()


def test_component_steps_without_talking_to_the_server(browser, viewer_url):
    context, page, wire, errors = open_app(browser, viewer_url)
    try:
        before = len(wire.sent)
        for _ in range(5):
            page.locator(".gv-next").click()
        page.locator(".gv-diagram").focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        check(page, (), 11, 0)
        assert len(wire.sent) == before, "stepping sent websocket frames"
        wait_for_address(page, 11, 0)  # the pause, written into the address by the viewer itself
        assert server_says(page) == "server: t=1 unit=0 runs=1"
        # One more step and at once a press outside the viewer (Rerun): it reports first, so the run knows
        # where it is. That report, of step 12 (not 11, which a pause could have sent), must be the first
        # frame since the steps began: nothing earlier, the ten steps and the pause, talked to the server.
        page.locator(".gv-next").click()
        mark = wire.mark()
        rerun(page)
        first_frame_reports(wire, before, (12, 0), "10 steps and a pause")
        wire.run_done(wire.request(presses("rerun"), mark, "the Rerun press"), "the Rerun press's run")
        assert server_says(page).startswith("server: t=12 unit=0")
        check(page, (), 12, 0)  # and the run leaves the viewer where it was
        assert errors == [] and "t=12" in page.url and "unit=0" in page.url
        link = page.url
    finally:
        context.close()
    context, page, _, errors = open_app(browser, viewer_url, link.removeprefix(viewer_url + "/"))
    try:
        check(page, (), 12, 0)  # the address, shared, opens the same step
    finally:
        context.close()


def test_component_every_control_and_the_link(browser, viewer_url):
    context, page, _, errors = open_app(browser, viewer_url)
    try:
        drive(page, ())
        wait_for_address(page, 1, 2)
        rerun(page)
        page.get_by_text("server: t=1 unit=2").wait_for(timeout=20_000)  # the server knows, for the share link
        assert errors == []
    finally:
        context.close()
    case = (4, 34, "take", False)
    context, page, _, errors = open_app(browser, viewer_url, "?H=4&update=take&reset=before&t=7&unit=3")
    try:
        v = check(page, case, 7, 3)  # the linked step, under the linked conventions
        assert "(1 − zt) ⊙ ht−1 + zt ⊙ nt" in v["symbolic"][3] and "Whn(rt ⊙ ht−1)" in v["symbolic"][2]
        assert server_says(page).startswith("server: t=7 unit=3")
        assert errors == []
    finally:
        context.close()


def test_download_opens_offline_at_the_same_step(browser, viewer_url, tmp_path):
    context, page, _, errors = open_app(browser, viewer_url)
    try:
        for _ in range(5):
            page.locator(".gv-next").click()
        page.locator(".gv-unit").fill("4")
        download_view(page, tmp_path / "downloaded.html")  # at once: the browser knows where it is
        assert errors == []
    finally:
        context.close()
    steps_offline(browser, tmp_path / "downloaded.html", (), 6, 4)


def test_component_at_the_largest_size_sends_the_data_once(browser, viewer_url):
    case = (128, 500)
    context, page, wire, errors = open_app(browser, viewer_url, "?H=128&T=500")
    try:
        assert sum(wire.received) > 1_000_000  # the data, once (the first run is over: all of it is counted)
        first, before = sum(wire.received), len(wire.sent)
        cell(page, "h", 321, 64, 500, 128)  # a step is about a pixel wide: the click may land on a neighbour
        t, unit = read(page)["root"]
        assert abs(t - 321) <= 1 and unit == 64
        check(page, case, t, unit)
        wait_for_address(page, t, unit)
        page.locator(".gv-next").click()  # one more step, reported by the press at once: a marker no pause sends
        mark = wire.mark()
        rerun(page)
        first_frame_reports(wire, before, (t + 1, unit), "stepping")  # so stepping talked to no one
        wire.run_done(wire.request(presses("rerun"), mark, "the Rerun press"), "the Rerun press's run")
        assert server_says(page).startswith(f"server: t={t + 1} unit={unit}")
        assert sum(wire.received) - first < 50_000, "the run after the pause sent the data again"
        check(page, case, t + 1, unit)
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_component_screens(browser, viewer_url, scheme):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context, page, _, errors = open_app(browser, viewer_url, "?t=12&unit=5", viewport, scheme)
        try:
            height = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
            page.set_viewport_size({"width": viewport["width"], "height": min(height, 6000)})
            page.wait_for_function("h => innerHeight === h", arg=min(height, 6000), timeout=30_000)
            # two animation frames at the new size: layout, resize observers (the viewer's) and paint are done
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
            page.screenshot(path=str(SCREENSHOTS / f"viewer-app-{label}-{scheme}.png"), full_page=True)
            check(page, (), 12, 5)
            width = page.evaluate("() => { const m = document.querySelector(\"[data-testid='stMain']\");"
                                  " return [m.scrollWidth, m.clientWidth]; }")
            assert width[0] <= width[1] + 1, f"scrolls sideways at {label}: {width}"
            assert errors == []
        finally:
            context.close()
