"""The guard on what a browser sends (gru_lab.ui.browser): a value of another type than its widget's is
dropped, a number input's int is a number (Streamlit registers every number input as "double_value" and
the browser sends an int's as "int_value": dropping it made every whole-number box ignore the reader),
and a number that is not finite never reaches a widget."""
from __future__ import annotations

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.runtime.state import session_state as ss

from gru_lab.ui import browser


@pytest.fixture
def states():
    browser.guard_widget_json()
    w = ss.WStates()
    for wid, kind in (("n", "double_value"), ("s", "string_value")):
        w.widget_metadata[wid] = ss.WidgetMetadata(wid, lambda v: v, lambda v: v, kind)
    return w


def kept(w: ss.WStates, wid: str):
    return wid in w.states


@pytest.mark.parametrize(("field", "value", "ok"), [
    ("int_value", 7, True), ("double_value", 2.5, True), ("double_value", float("nan"), False),
    ("double_value", float("inf"), False), ("string_value", "7", False), ("bool_value", True, False)])
def test_a_number_input_takes_numbers_only(states, field, value, ok):
    states.set_widget_from_proto(WidgetState(id="n", **{field: value}))
    assert kept(states, "n") == ok


def test_text_stays_text(states):
    states.set_widget_from_proto(WidgetState(id="s", int_value=3))
    assert not kept(states, "s")
    states.set_widget_from_proto(WidgetState(id="s", string_value="fine"))
    assert kept(states, "s")
