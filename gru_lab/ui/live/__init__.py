"""A live class on the lesson page (issue 21; the peer-instruction loop and the two teacher views: issue 28).

- `seat()`: who this tab is in the class named by the address's `class=<code>`: the teacher (the
  control token: from the session, the tab's cookie, or once from a control link's fragment), a student
  (their id: session or cookie), or nobody yet (the join form).
- A teacher has two views: the room's (`room.py`, the projector: the stop, the question, the split when
  shown, the answer once revealed, no controls) and the presenter's (`presenter.py`, `view=presenter`:
  the answer, the live tally, the loop's buttons, the class's controls). A student's phone: `student.py`.
- The loop: vote → show the split (no answer) → discuss → vote again → reveal, both rounds side by side.
The class itself lives in `gru_lab.classes` (a store shared by every replica); its text is plain:
codes and nicknames are checked there, and shown here as text only.
"""
from __future__ import annotations

import streamlit as st

from ... import lessons
from ...settings import Settings
from .. import session
from ..lesson import plain
from . import room, student
from .presenter import presenter
from .seat import Seat, lesson_of, outage, seat, start_button
from .teacher import browser_half, move, presenting, step

__all__ = ["Seat", "bar", "lesson_of", "move", "outage", "presenter", "presenting", "question", "revealed", "seat",
           "start_button", "step"]


def bar(seat: Seat, n: int, s: Settings) -> None:
    """The class's line above the stop: the join panel on the projector, the follow line on a phone."""
    said = session.pop(session.LIVE_SAID)
    if said:
        st.error(plain(said), icon=":material/error:")
    if seat.teacher:
        room.bar(seat, s)
    else:
        student.line(seat, n)
        browser_half(seat, n)


def question(seat: Seat, stop: lessons.Stop, s: Settings, n: int) -> None:
    (room.question if seat.teacher else student.question)(seat, stop, s, n)


def revealed(seat: Seat, n: int) -> bool:
    """Is stop n's answer revealed to the class (its view then shows what it held back)?"""
    return seat.state.revealed if seat.teacher else student.revealed(seat, n)
