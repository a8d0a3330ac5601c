"""The teacher's side of a live class: its actions (move, show the split, open a round, reveal, lock, end),
the address each tab of the class shows, the browser half and the tallies' CSV. What the projector shows
is room.py, the teacher's private screen presenter.py, a student's phone student.py."""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ...classes import ClassError, StoreDown
from ...settings import Settings
from .. import session
from ..lesson import answer, carried, link
from ..urlstate import address_value
from .mount import MOUNT
from .seat import COOKIE_S, Seat, beacon, cookie, lesson_of, store
from .student import browse

POLL_MS = 1250  # a student's browser reads the class's file this often: a move shows within ~1.5 s, and a
# read costs a replica ~1.6 ms of CPU (nginx in deploy/ serves it from disk instead): ~80 ms a student-minute
TALLY_S = 1.5  # the teacher's tabs refresh the tally and head count, and follow each other, this often


def join_link(code: str, s: Settings) -> str:
    """The students' link: the class, the settings the answers are computed with and classroom mode;
    no secret."""
    return link([("class", code)] + carried(s) + [("classroom", "1")])


def presenting(seat: Seat | None) -> bool:
    """This tab is the teacher's presenter view (the address's view=presenter), not the room's."""
    return seat is not None and seat.teacher and address_value("view") == "presenter"


def presenter_address(code: str) -> str:
    return "?" + urlencode({"class": code, "classroom": "1", "view": "presenter"})


def step(seat: Seat, n: int) -> tuple[Seat, int]:
    """The stop this tab shows: the class's for a teacher's tab (its own Back and Next move the class, so
    the room and the presenter show the same stop, whatever their addresses say), the teacher's for a
    student who follows, or the earlier one a student went back to."""
    state = seat.state
    if seat.teacher:
        if st.query_params.get("stop") != str(state.stop):
            st.query_params["stop"] = str(state.stop)
        return seat, state.stop
    browse_at = (session.get(session.LIVE_BROWSE) or {}).get(seat.code)
    return seat, browse_at if browse_at is not None and browse_at < state.stop else state.stop


def move(seat: Seat, n: int) -> None:
    """Back or Next on a teacher's tab, or a student's browsing."""
    if seat.teacher:
        act(seat, "move", n)
    else:
        browse(seat, n)


def act(seat: Seat, op: str, n: int | None = None) -> None:
    """A teacher's action on the class: "move" (to stop n), "show", "reopen", "reveal" or "end"."""
    try:
        if op == "move":
            store().move(seat.code, seat.token, n)
        else:
            getattr(store(), op)(seat.code, seat.token)
        beacon().publish(store().state(seat.code))  # this machine's students see it at once
    except StoreDown:  # said by the page's pause notice, which goes once the store is back; this would stay
        return
    except ClassError as err:
        session.put(session.LIVE_SAID, f"That did not reach the class: {err}.")


def lock(seat: Seat) -> None:
    locked = bool(st.session_state.get(f"live_lock_{seat.code}"))
    try:
        store().lock(seat.code, seat.token, locked)
        beacon().publish(store().state(seat.code))
    except StoreDown:
        return
    except ClassError as err:
        session.put(session.LIVE_SAID, f"That did not reach the class: {err}.")


def room_key(code: str) -> str:
    return f"_live_room_{code}"


def room_size(code: str) -> None:
    session.put(room_key(code), st.session_state.get(f"live_room_{code}"))


def browser_half(seat: Seat, n: int = 0, presenter: bool = False) -> None:
    """Cookies (a reload keeps the seat), and a student's poll of the class file; the presenter's tab also
    has the copy button for its own private link."""
    if seat.teacher:
        data = {"cookies": [{"name": cookie("teach", seat.code), "value": seat.token, "max_age": COOKIE_S}]}
        if presenter:  # the fragment: never sent to a server
            data["control_link"] = presenter_address(seat.code) + "#" + urlencode({"teacher": seat.token})
    else:
        data = {"cookies": [{"name": cookie("me", seat.code), "value": seat.student, "max_age": COOKIE_S}],
                "version": seat.state.updated, "every_ms": POLL_MS,
                "stop": n}  # the stop drawn: for the load benchmark's follow delay
        if not seat.state.ended:  # an ended class's file is gone: nothing left to follow
            data["poll"] = beacon().follow(seat.state)
    MOUNT(key="live_class", data=data, on_moved_change=lambda: None)


def csv(seat: Seat, s: Settings) -> str:
    lesson = lesson_of(seat.state)
    right = {}
    for i, stop in enumerate(lesson.stops, start=1):
        if stop.question is not None:
            try:
                right[i] = stop.question.options[answer(stop, s)[0]]
            except ValueError:
                pass  # an answer these settings cannot compute: its rows have no "right" column
    stops = {i: (stop.title, stop.question.prompt) for i, stop in enumerate(lesson.stops, start=1) if stop.question}
    return store().csv_text(seat.code, seat.token, right, stops)
