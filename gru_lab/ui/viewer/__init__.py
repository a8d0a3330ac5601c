"""The step-through viewer as a Streamlit component (st.components.v2, inline HTML, CSS and JS).

The page builds the payload once per model and input (`gru_lab.viewer.viewer_data`); the browser
then steps, plays and picks units on its own and does not talk to the server while a class reads:
- where stepping pauses, the step page's viewer writes t and unit into the address itself
  (history.replaceState, `address=True`), so a reload, the browser's Back and "Link for students"
  (`urlstate.share_link(..., live=("t", "unit"))`) open where it is;
- "Download this view as HTML" (`offline_title`) is built in the browser from the file's two halves
  (`gru_lab.viewer.offline_parts`) and the data it holds, at the step it is on;
- Streamlit's frontend does not see an address it did not write, and sends the one it knows with
  the next run. So when the reader turns to anything else on the page (a press or a key outside the
  viewer) after stepping, the viewer reports its position once, as the state value "pos" = [t, unit]
  (`on_move`), and the run that follows knows where it is ("Add this view to my lesson" included). On
  the step page that report reruns only the viewer's fragment (`page_viewer`).

A rerun that leaves the data and start unchanged sends them byte for byte as before: Streamlit then
sends the browser a reference to the element it already has instead of the data (its ForwardMsg
cache, for elements over 10 kB), and the viewer, seeing the same payload id and start, keeps its step.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from ...text import key_steps
from ...viewer import ASSETS, offline_parts, viewer_data
from .. import cached, position
from ..cached import BY_DIGEST, TTL

_MOUNT = st.components.v2.component(
    "gru_lab_step_viewer",
    html=(ASSETS / "viewer.html").read_text(encoding="utf-8"),
    css=(ASSETS / "viewer.css").read_text(encoding="utf-8"),
    js=(ASSETS / "viewer.js").read_text(encoding="utf-8"),
)
FILE_NAME = "gru_lab_steps.html"


@st.cache_resource(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=BY_DIGEST)
def payload(s, loaded=None) -> dict:
    """The viewer's data for the step page's record, built once per settings and weights: a rerun
    hands the component the very same dict, which Streamlit does not send again."""
    seq, rec = cached.step_record(s, loaded)
    return viewer_data(rec, seq.labels, key_steps=key_steps(s.preset, seq))


def _clamp(v: int, lo: int, hi: int) -> int:
    return min(max(int(v), lo), hi)


def reported(value, T: int, H: int) -> tuple[int, int] | None:
    """The browser's report [t, unit], clamped into 1..T and 0..H-1, or None when it is not two
    finite whole numbers: it comes from a tab, so it is input like a link parameter, and a tampered
    one is ignored (the viewer stays where the page put it) rather than raising."""
    pos = value.get("pos") if isinstance(value, dict) else None
    if not isinstance(pos, list | tuple) or len(pos) != 2:
        return None
    whole = []
    for v in pos:
        if isinstance(v, bool) or not isinstance(v, int | float):
            return None
        if isinstance(v, float) and not (math.isfinite(v) and v.is_integer()):
            return None
        whole.append(int(v))
    return _clamp(whole[0], 1, T), _clamp(whole[1], 0, H - 1)


def _in_address(t: int, unit: int) -> bool:
    return st.query_params.get_all("t") == [str(t)] and st.query_params.get_all("unit") == [str(unit)]


def step_viewer(data: dict, key: str, t: int, unit: int, compact: bool = False, projector: bool = False,
                address: bool = False,
                offline_title: str | None = None, on_move: Callable[[int, int], None] | None = None) -> None:
    """Mount the viewer on `data` at step t (1-based) and unit (0-based).

    `compact`: the diagram and the equations only (a lesson stop), no heatmaps and no table. `projector`
    (with compact, in classroom mode): the diagram alone, in back-row type.
    `address`: the viewer keeps t and unit in the page's address (the step page; a lesson stop's
    address says which stop, not which step). `offline_title`: offer "Download this view as HTML".
    `on_move(t, unit)` runs, as a widget callback before the script, when the viewer reports where it
    is (address=True only): the page stores it where its link and its lesson builder read it.
    """
    T, H = data["T"], data["H"]
    t, unit = _clamp(t, 1, T), _clamp(unit, 0, H - 1)
    memo, seen = f"_{key}_start", f"_{key}_reported"

    def moved() -> None:
        pos = reported(st.session_state.get(key), T, H)
        if pos is None:
            return
        st.session_state[seen] = list(pos)
        if on_move is not None:
            on_move(*pos)

    # The start changes only when the page asks for somewhere new (a link, a new input, a clamp). A run
    # that asks for the same as last run, for the viewer's own report, or (address=True) for exactly
    # what the address says, which is where the viewer wrote it, keeps the old start: the data stays
    # byte for byte the same and is not sent again (1.8 MB at H = 128, T = 500), and the viewer stays
    # where the reader took it.
    # A viewer that was not drawn on the last run (the class went to another page and came back) is a
    # new one in the browser, and its start must be given again.
    prev = st.session_state.get(memo) if key in st.session_state else None
    asked = [t, unit]
    if prev and prev[0] == data["id"] and (asked in (prev[2], st.session_state.get(seen))
                                           or (address and _in_address(t, unit))):
        start = prev[1]
    else:
        start = [t, unit, prev[1][2] + 1 if prev else 0]  # the counter says "go there", even to an old start
    st.session_state[memo] = (data["id"], start, asked)
    shown = {**data, "start": start}
    if compact:
        shown["compact"] = True
    if projector:
        shown["projector"] = True
    if address:
        shown["address"] = True
    if offline_title is not None:
        shown["offline"] = {"parts": list(offline_parts(offline_title)), "file": FILE_NAME}
    _MOUNT(key=key, data=shown, default={"pos": [t, unit]}, on_pos_change=moved)


def _page_viewer(data: dict, T: int, H: int, story_unit: int | None, title: str) -> None:
    t, unit = position.asked(T, H, story_unit)  # a story opens on the unit it is about
    step_viewer(data, key="viewer", t=t, unit=unit, address=True, on_move=position.moved, offline_title=title)
    position.keep(t, unit)


_page_viewer_fragment = st.fragment(_page_viewer)


def page_viewer(data: dict, T: int, H: int, story_unit: int | None, title: str, fragment: bool = True) -> None:
    """The step page's viewer, opened where the address (else the session) says, on the story's unit.

    `fragment`: the viewer's one report, when the reader turns to another control, reruns only this
    (1.4 kB back), not the page. Not for a tab's own large model: a fragment keeps its arguments for
    the session's later runs, and such a model's data must go when the tab closes.
    """
    (_page_viewer_fragment if fragment else _page_viewer)(data, T, H, story_unit, title)
