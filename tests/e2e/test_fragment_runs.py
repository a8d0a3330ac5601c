"""What a student's most frequent presses cost the server: a run of one fragment, not of the whole app.

Issue 20 asks that the step viewer's report rerun at most a fragment sending 2 kB or less, and a lesson's
Back, Next, picking an option and Reveal are the presses a class makes most. These tests speak Streamlit's websocket
protocol to the real server (benchmarks/_protocol.py, the load test's client, which sends a fragment's
id with its widget's change as the browser does) and look at what came back: which fragment ran, how
many bytes, and whether anything outside it (the sidebar, the page title) was drawn again.
"""
from __future__ import annotations

import asyncio
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

from .server import REPO

sys.path.insert(0, str(REPO))
from benchmarks._protocol import Tab  # noqa: E402

REPORT_BYTES = 2048  # issue 20: a report reruns at most a fragment sending this much


class Watched(Tab):
    """The load test's tab, also noting each run's element roots: 0 the main area, 1 the sidebar."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.roots: list[int] = []

    def _cached(self, fm, run):
        fm = super()._cached(fm, run)
        if fm.WhichOneof("type") == "delta" and fm.metadata.delta_path:
            self.roots.append(fm.metadata.delta_path[0])
        return fm


def _in_own_loop(coro):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _step_report(app_url: str):
    async with Watched(app_url, "step", {"t": "2"}) as tab:
        first = await tab.run([], timeout=120)
        assert not first.problems, first.problems
        assert 1 in tab.roots, "the full run drew no sidebar: the test cannot tell a fragment run apart"
        states, fragment = tab.report_position("viewer", random.Random(3))
        tab.roots.clear()
        run = await tab.run(states, timeout=120, fragment=fragment)
        return fragment, run, list(tab.roots), states[0].json_value


def test_the_viewers_report_reruns_only_the_viewer(app_url):
    fragment, run, roots, sent = _in_own_loop(_step_report(app_url))
    assert fragment, "the step viewer is not drawn inside a fragment"
    assert run.problems == [], run.problems
    assert run.bytes <= REPORT_BYTES, f"the report's run sent {run.bytes} bytes back"
    assert 1 not in roots, "the report reran the sidebar"
    t = sent.split("[")[1].split(",")[0]
    assert parse_qs(run.address or "").get("t") == [t], f"the address did not follow the report: {run.address}"


async def _lesson_presses(app_url: str):
    out = []
    async with Watched(app_url, "lesson", {"stop": "3"}) as tab:
        first = await tab.run([], timeout=120)
        assert not first.problems, first.problems
        for key in ("lesson_next", "lesson_back", "lesson_next"):
            states = tab.press(key)
            fragment = tab.fragment_for(states)
            tab.roots.clear()
            run = await tab.run(states, timeout=120, fragment=fragment)
            out.append((key, fragment, run, list(tab.roots)))
        # every built-in stop asks a question: predict (pick an option), then Reveal, which waits for a pick
        radio = next(k for k in tab.drawn if k.startswith("lesson_answer_") and k.endswith("_4"))
        assert tab.protos["lesson_reveal"].disabled, "Reveal does not wait for a prediction"
        picked = tab.choose(radio, tab.protos[radio].options[0])
        for key, states in ((radio, picked), ("lesson_reveal", picked + tab.press("lesson_reveal"))):
            fragment = tab.fragment_for(states)
            tab.roots.clear()
            run = await tab.run(states, timeout=120, fragment=fragment)
            out.append((key, fragment, run, list(tab.roots)))
            if key == radio:
                assert not tab.protos["lesson_reveal"].disabled, "an option picked, Reveal stays disabled"
    return out


def test_back_next_and_reveal_rerun_only_the_stop(app_url):
    presses = _in_own_loop(_lesson_presses(app_url))
    stops = []
    for key, fragment, run, roots in presses:
        assert fragment, f"{key} is not drawn inside a fragment"
        assert run.problems == [], (key, run.problems)
        assert roots and 1 not in roots, f"{key} reran the sidebar"
        if run.address is not None:
            stops.append(parse_qs(run.address)["stop"])
    assert stops == [["4"], ["3"], ["4"]], f"the stop in the address went {stops}"
