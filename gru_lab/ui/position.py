"""The step page's position (step t, unit), kept in the session and in the address.

The viewer owns the position while the class steps, and keeps it in the address itself (where
stepping pauses) without telling the server, so "Link for students", Back and a reload open the
same step. The server hears of it (`moved`) only when the reader turns to something else on the
page, once, so that the run that follows knows where the viewer is. A position asked for by the
address wins over the session's, as a link must; a step past the end of a shorter input is clamped,
and the link checker names it (`report_invalid`).
"""
from __future__ import annotations

import streamlit as st

from ..controls import CONTROLS, LinkProblem, parse
from . import session


def _from_address(key: str):
    if key not in st.query_params:
        return None
    try:
        return parse(CONTROLS[key], st.query_params.get_all(key))
    except LinkProblem:
        return None  # clean_link has named it already


def asked(T: int, H: int, story_unit: int | None = None) -> tuple[int, int]:
    """Where the page should open: the address, else where this session last was, else step 1 and
    the unit the story is about. A new story (another preset or model) moves to its own unit."""
    t = _from_address("t") or st.session_state.get("t", CONTROLS["t"].default)
    linked = _from_address("unit")
    unit = st.session_state.get("unit", story_unit or 0) if linked is None else linked
    last = session.get(session.STORY_UNIT)
    session.put(session.STORY_UNIT, story_unit)
    if story_unit is not None and last is not None and story_unit != last:
        unit = story_unit
    return min(max(int(t), 1), T), min(max(int(unit), 0), H - 1)


def moved(t: int, unit: int) -> None:
    """The viewer reported (t, unit) before the reader turned to something else on the page: remember
    it and write it into the address Streamlit holds, so this run and the next read it."""
    st.session_state["t"], st.session_state["unit"] = t, unit
    st.query_params.update(t=str(t), unit=str(unit))  # one change of the address: one Back, not two


def keep(t: int, unit: int) -> None:
    """Hold this run's position where the link box and the link checker read it, and correct an
    address that says otherwise (a new story's unit, a step clamped to a shorter input), so the
    next run does not move the viewer back."""
    st.session_state["t"], st.session_state["unit"] = t, unit
    shown = {"t": str(t), "unit": str(unit)}
    if any(k in st.query_params and st.query_params.get_all(k) != [v] for k, v in shown.items()):
        st.query_params.update(shown)
