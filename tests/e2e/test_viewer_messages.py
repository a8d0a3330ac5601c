"""What a tampered tab can send the step viewer: its position report is input, like a link parameter.

The viewer reports where stepping paused as the component state {"pos": [t, unit]}. A tab can send
anything there; these tests speak Streamlit's websocket protocol (benchmarks/_protocol.py, the load
test's client) to the real server and send what a browser's console could.
"""
from __future__ import annotations

import asyncio
import sys
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from .server import REPO

sys.path.insert(0, str(REPO))
from benchmarks._protocol import Tab  # noqa: E402

TAMPERED = ['{"pos":"abc"}', '{"pos":null}', '{"pos":[1]}', '{"pos":[]}', '{"pos":["x","y"]}',
            '{"pos":[1e309,0]}', '{"pos":[NaN,0]}', '{"pos":[Infinity,0]}', '{"pos":{"a":1}}',
            '{"pos":[true,0]}', '{"pos":[2.5,0]}', '{"pos":[[1],0]}', '{"pos":[1,0,0]}', '[1,2]', '"pos"',
            'not json at all', '{"pos":[1' + '0' * 5000 + ',0]}',
            '[' * 5000 + ']' * 5000, '{}', '']


def _in_own_loop(coro):
    """asyncio.run on a thread of its own: Playwright's sync API keeps an event loop running on this one."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _report(app_url: str, values: list[str]) -> list[tuple[str, list[str], str | None]]:
    """Open /step, then send each value as the viewer's state; (value, problems, address written)."""
    out = []
    async with Tab(app_url, "step", {}) as tab:
        first = await tab.run([], timeout=120)
        assert not first.problems, first.problems
        assert "viewer" in tab.ids, f"the step page drew no viewer: {sorted(tab.ids)}"
        for value in values:
            run = await tab.run([WidgetState(id=tab.ids["viewer"], json_value=value)], timeout=120)
            out.append((value, run.problems, run.address))
    return out


@pytest.mark.parametrize("value", TAMPERED, ids=lambda v: v[:24])
def test_a_tampered_position_is_ignored(app_url, value):
    [(_, problems, address)] = _in_own_loop(_report(app_url, [value]))
    assert problems == [], f"{value!r} → {problems}"
    assert address is None or "t=" not in address, f"{value!r} moved the address: {address}"


def test_a_real_report_moves_the_address_and_an_out_of_range_one_is_clamped(app_url):
    huge = '{"pos":[1' + '0' * 400 + ',3.0]}'  # a whole number, only too large: clamped to the last step
    (_, p1, a1), (_, p2, a2), (_, p3, a3) = _in_own_loop(_report(app_url, ['{"pos":[3,1]}', '{"pos":[100000,-5]}',
                                                                          huge]))
    assert p1 == [] and p2 == [] and p3 == []
    assert parse_qs(a1)["t"] == ["3"] and parse_qs(a1)["unit"] == ["1"]
    T = int(parse_qs(a2)["t"][0])
    assert 3 < T < 100000 and parse_qs(a2)["unit"] == ["0"], a2
    assert parse_qs(a3)["t"] == [str(T)] and parse_qs(a3)["unit"] == ["3"], a3


def test_the_session_works_after_every_tampered_value(app_url):
    """Streamlit keeps a widget's last value: one unreadable message must not break every later run."""
    results = _in_own_loop(_report(app_url, TAMPERED + ['{"pos":[4,2]}']))
    assert [(v[:24], p) for v, p, _ in results if p] == []
    assert parse_qs(results[-1][2])["t"] == ["4"] and parse_qs(results[-1][2])["unit"] == ["2"]
