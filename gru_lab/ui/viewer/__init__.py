"""The step-through viewer as a Streamlit component (st.components.v2, inline HTML, CSS and JS).

The page builds the payload once per model and input (`gru_lab.viewer.viewer_data`); the browser
then steps, plays and picks units on its own, with no rerun. When stepping pauses the viewer
reports its position once, as the state value "pos" = [t, unit] (setStateValue, which reruns the
script like any widget), so the page's "Link for students" carries the step and unit.

A rerun after such a report sends the same data as before, byte for byte: Streamlit then sends the
browser a reference to the element it already has instead of the data (its ForwardMsg cache, for
elements over 10 kB), and the viewer, seeing the same payload id and start, keeps its step.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import streamlit as st

from ...text import key_steps
from ...viewer import ASSETS, offline_bytes, viewer_data
from .. import cached
from ..cached import BY_DIGEST, TTL

_MOUNT = st.components.v2.component(
    "gru_lab_step_viewer",
    html=(ASSETS / "viewer.html").read_text(encoding="utf-8"),
    css=(ASSETS / "viewer.css").read_text(encoding="utf-8"),
    js=(ASSETS / "viewer.js").read_text(encoding="utf-8"),
)


@st.cache_resource(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=BY_DIGEST)
def payload(s, loaded=None) -> dict:
    """The viewer's data for the step page's record, built once per settings and weights: a rerun
    after a pause hands the component the very same dict, which Streamlit does not send again."""
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


def step_viewer(data: dict, key: str, t: int, unit: int,
                on_move: Callable[[int, int], None] | None = None, compact: bool = False) -> tuple[int, int]:
    """Mount the viewer on `data` at step t (1-based) and unit (0-based); return where it is now.

    `compact`: the diagram and the equations only (a lesson stop), no heatmaps and no table.

    `on_move(t, unit)` runs, as a widget callback before the script, when the viewer reports a new
    position: the page stores it where its link reads it (session state, query parameters).
    """
    T, H = data["T"], data["H"]
    t, unit = _clamp(t, 1, T), _clamp(unit, 0, H - 1)
    seen, memo = f"_{key}_reported", f"_{key}_start"

    def moved() -> None:
        pos = reported(st.session_state.get(key), T, H)
        if pos is None:
            return
        st.session_state[seen] = list(pos)
        if on_move is not None:
            on_move(*pos)

    # The start changes only when the page asks for somewhere new (a link, a new input). A page that
    # passes back the viewer's own report, or the same request as last run, keeps the old start, so
    # the data stays byte for byte the same and is not sent again.
    # A viewer that was not drawn on the last run (the class went to another page and came back) is a
    # new one in the browser: Streamlit has dropped its state, and its start must be given again.
    prev = st.session_state.get(memo) if key in st.session_state else None
    asked = [t, unit]
    if prev and prev[0] == data["id"] and asked in (prev[2], st.session_state.get(seen)):
        start = prev[1]
    else:
        start = [t, unit, prev[1][2] + 1 if prev else 0]  # the counter says "go there", even to an old start
    st.session_state[memo] = (data["id"], start, asked)
    shown = {**data, "start": start, **({"compact": True} if compact else {})}
    result = _MOUNT(key=key, data=shown, default={"pos": [t, unit]}, on_pos_change=moved)
    return reported(result, T, H) or (t, unit)


def download_button(data: dict, title: str, t: int = 1, unit: int = 0, key: str = "viewer_html",
                    file_name: str = "gru_lab_steps.html") -> None:
    """"Download this view as HTML": the same viewer and data in one file that works offline, opening
    at step t and unit (the position the viewer last reported). Built only when clicked, once per
    payload and position (`offline_bytes` keeps the last few).

    The click does not rerun the page (on_click="ignore"): nothing on it changes, and Streamlit
    builds a callable's file in a worker thread at the same time as the click's rerun, whose end
    revokes the file id the clicked button carries. On a loaded machine the rerun could finish
    first, and the download failed ("Failed to generate file for download")."""
    st.download_button("Download this view as HTML", lambda: offline_bytes(data, title, t, unit),
                       file_name=file_name, mime="text/html", key=key, icon=":material/download:", on_click="ignore",
                       help="One file with the viewer and this model's numbers: it opens offline in any browser "
                            "and steps like this page. Share it by e-mail or put it on a course page.")
