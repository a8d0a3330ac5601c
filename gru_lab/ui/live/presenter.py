"""The teacher's presenter view (a second tab or device: `view=presenter` with the teacher's cookie or
private link): Back and Next, the answer and why, the live tally with the right option marked, a hint of
what to do next, and the class's controls: show the split, open round 2, reveal, lock, the head count, the
CSV, end. The room's projector shows none of this; both tabs drive the class and follow each other."""
from __future__ import annotations

import streamlit as st

from ...classes import ClassError, StoreDown
from ...classes.advice import advice, share_right
from ...classes.store import MAX_ROUNDS, MAX_STUDENTS
from ...settings import Settings
from .. import session
from ..lesson import plain, told
from .seat import Seat, lesson_of, pretty, store
from .split import rounds_of, split
from .teacher import TALLY_S, act, browser_half, csv, lock, move, room_key, room_size


def presenter(seat: Seat, s: Settings) -> None:
    state = seat.state
    lesson = lesson_of(state)
    K, n = len(lesson.stops), state.stop
    stop = lesson.stops[n - 1]
    said = session.pop(session.LIVE_SAID)
    if said:
        st.error(plain(said), icon=":material/error:")
    st.title("Presenter view")
    st.caption(f"Class {pretty(state.code)} · private: keep this tab off the projector. The room's tab follows "
               "what you do here.")
    back, where, forward = st.columns([1, 4, 1], vertical_alignment="center")
    back.button("Back", key="present_back", icon=":material/arrow_back:", disabled=n <= 1 or state.ended,
                on_click=move, args=(seat, n - 1), width="stretch")
    where.markdown(f"**Stop {n} of {K}: {plain(stop.title)}**")
    forward.button("Next", key="present_next", icon=":material/arrow_forward:", disabled=n >= K or state.ended,
                   on_click=move, args=(seat, n + 1), width="stretch")
    right = None
    if stop.question is not None:
        q = stop.question
        st.markdown(f"**{plain(q.prompt)}**")
        right = told(stop, s)
        _phase(seat)
    else:
        st.caption("No question at this stop: talk it through, then Next.")
    _live(seat.code, n, stop.question.options if stop.question else (), right, state.updated, state.round)
    _class(seat, s)
    browser_half(seat, presenter=True)


def _phase(seat: Seat) -> None:
    """The peer-instruction loop's buttons for the current round: vote → show the split → discuss → round 2
    → reveal. Each is one click; the room and the phones follow."""
    state = seat.state
    if state.ended:
        st.caption("The class has ended: voting is closed.")
        return
    if state.revealed:
        st.caption(f"Revealed to the room after round {state.round}.")
        return
    cols = st.columns(3)
    if state.shown:
        cols[0].button(f"Vote again (round {state.round + 1})", key="live_reopen", on_click=act, args=(seat, "reopen"),
                       icon=":material/replay:", disabled=state.round >= MAX_ROUNDS, width="stretch",
                       help="After the discussion: the same question again; both rounds stay on the chart.")
    else:
        cols[0].button("Show the split", key="live_show", on_click=act, args=(seat, "show"),
                       icon=":material/bar_chart:", width="stretch",
                       help="Closes this round's vote and shows the room how it voted, without the answer, "
                            "with 'discuss with your neighbour'.")
    cols[1].button("Reveal the answer", key="live_reveal", on_click=act, args=(seat, "reveal"),
                   icon=":material/visibility:", type="primary", width="stretch")


@st.fragment(run_every=TALLY_S)
def _live(code: str, n: int, options: tuple[str, ...], right: int | None, drawn: int, rnd: int) -> None:
    """The head count, this stop's live tally and the hint; and following the room's tab, which may move too."""
    try:
        state = store().state(code)
        rounds = rounds_of(code, n) if options else []
    except StoreDown:
        st.rerun(scope="app")
    except ClassError as err:
        st.caption(plain(err))
        return
    if state.updated != drawn:
        st.rerun(scope="app")
    room = session.get(room_key(code))
    of = f" of {room} in the room" if room is not None else ""  # 0 is a number: nobody should have joined
    voted = f" · {sum(rounds[-1].values())} voted in round {len(rounds)}" if rounds else ""
    st.markdown(f"**{state.students} joined{of}**{voted}" + (" · joining locked" if state.locked else ""))
    if room is not None and state.students > room:
        st.warning(f"{state.students - room} more joined than are in the room: lock joining, or start a new class "
                   "if the code got out.", icon=":material/warning:")
    if not options:
        return
    if right is not None and not state.revealed:
        st.caption(":material/tips_and_updates: " + advice(share_right(rounds[-1], options[right]), rnd))
    split(code, n, options, right, f"present_split_{n}", rounds)


def _class(seat: Seat, s: Settings) -> None:
    state = seat.state
    with st.expander("The class: joining, the room, the tallies, ending", icon=":material/settings:"):
        if not state.ended:
            st.toggle("Lock joining", value=state.locked, key=f"live_lock_{state.code}", on_change=lock,
                      args=(seat,), help="Once the room is in: no one else can join, whoever has the code. "
                                         "Those in the class stay.")
            st.number_input("Students in the room", 0, MAX_STUDENTS, value=session.get(room_key(state.code)), step=1,
                            key=f"live_room_{state.code}", on_change=room_size, args=(state.code,),
                            placeholder="how many?", help="Compared with the head count: more joined than are "
                                                           "in the room means someone joined from outside.")
        st.download_button("Tallies (CSV)", lambda: csv(seat, s), file_name=f"gru_lab_class_{state.code}.csv",
                           mime="text/csv", key="live_csv", icon=":material/download:", on_click="ignore",
                           help="Per stop and round: each option's votes and the share right. No names, no ids.")
        if not state.ended:
            with st.popover("End the class", icon=":material/stop:"):
                st.markdown("End the class for everyone? Voting closes; the tallies can still be downloaded.")
                st.button("Yes, end the class", key="live_end", on_click=act, args=(seat, "end"),
                          icon=":material/stop:", type="primary")
        else:
            st.caption("The class has ended: students can no longer vote. Its tallies can still be downloaded.")
