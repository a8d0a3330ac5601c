"""A student's side of a live class: the class's line above the stop, the vote, the split once the teacher
shows it, and the answer once revealed. A student follows the teacher and may go back, never ahead."""
from __future__ import annotations

import streamlit as st

from ... import lessons
from ...classes import ClassError, StoreDown
from ...settings import Settings
from .. import session
from ..lesson import answer, plain, verdict
from .seat import Seat, pretty, store
from .split import split

DISCUSS = ("Discuss with your neighbour: which option did they choose, and why? Then vote again when the teacher "
           "opens round {r}.")


def line(seat: Seat, n: int) -> None:
    state = seat.state
    if state.ended:
        st.info(f"Class {pretty(state.code)} has ended. Thank you for taking part.", icon=":material/event_busy:")
    elif n < state.stop:
        left, right = st.columns([3, 1], vertical_alignment="center")
        left.info(f"You are reading stop {n}; the teacher is at stop {state.stop}.", icon=":material/history:")
        right.button("Follow the teacher", key="live_follow", on_click=browse, args=(seat, state.stop),
                     icon=":material/my_location:", type="primary", width="stretch")
    else:
        st.caption(f":material/groups: Class {pretty(state.code)}: you follow the teacher; this page moves when "
                   "they do.")


def browse(seat: Seat, n: int) -> None:
    """A student's Back and Next: any stop up to the teacher's; reaching it is following again."""
    mine = dict(session.get(session.LIVE_BROWSE) or {})
    mine.pop(seat.code, None)
    if n < seat.state.stop:
        mine[seat.code] = max(1, n)
    session.put(session.LIVE_BROWSE, mine)


def phase(seat: Seat, n: int) -> tuple[int, bool, bool]:
    """(round, split shown, revealed) of stop n: the class's state at its current stop, the store's at another."""
    state = seat.state
    if n == state.stop:
        return state.round, state.shown, state.revealed
    return store().rounds(seat.code, n), store().shown(seat.code, n), store().revealed(seat.code, n)


def revealed(seat: Seat, n: int) -> bool:
    return phase(seat, n)[2]


def question(seat: Seat, stop: lessons.Stop, s: Settings, n: int) -> None:
    q, state = stop.question, seat.state
    rnd, shown, done = phase(seat, n)
    mine = store().my_vote(seat.code, seat.student, n, rnd)
    if n == state.stop and not (shown or done or state.ended):
        key = f"live_vote_{seat.code}_{n}_{rnd}"
        if _choice(key, q.options) is _FORGED:  # dropped before the radio reads it, which would raise
            st.session_state[key] = None
        st.radio(plain(q.prompt), q.options, index=q.options.index(mine) if mine in q.options else None,
                 format_func=plain, key=key, on_change=_vote, args=(seat, n, q, key))
        st.caption((f"Round {rnd}: after the discussion, vote again. " if rnd > 1 else "")
                   + "Your prediction goes to the teacher's chart, counted and never named; you can change it "
                     "until the teacher closes the round.")
        return
    st.markdown(f"**{plain(q.prompt)}**")
    if done:
        verdict(stop, s, q.options.index(mine) if mine in q.options else None,
                ("You did not vote on this one.", "Your prediction was right.", "you predicted"))
        split(seat.code, n, q.options, _right(stop, s), f"live_split_{n}")
    elif shown:
        st.caption((f"You predicted {plain(mine)}. " if mine else "") + f"Voting on round {rnd} has closed. The "
                   "class's split, without the answer:")
        split(seat.code, n, q.options, None, f"live_split_{n}")
        st.info(DISCUSS.format(r=rnd + 1), icon=":material/forum:")
    else:
        st.caption((f"You predicted {plain(mine)}. " if mine else "")
                   + "The answer is shown here once the teacher reveals it.")


def _right(stop: lessons.Stop, s: Settings) -> int | None:
    try:
        return answer(stop, s)[0]
    except ValueError:
        return None


_FORGED = object()


def _choice(key: str, options: tuple[str, ...]) -> object:
    """The option chosen in the vote's radio, None, or _FORGED: a browser message the page never sends (a number,
    an object, text that is no option), which Streamlit hands on as it came or fails to read."""
    try:
        value = st.session_state.get(key)
    except (TypeError, ValueError):  # e.g. an object: Streamlit's radio looks it up in a dict
        return _FORGED
    return value if value is None or (isinstance(value, str) and value in options) else _FORGED


def _vote(seat: Seat, n: int, q, key: str) -> None:
    option = _choice(key, q.options)
    if option is None:
        return
    if option is _FORGED:
        session.put(session.LIVE_SAID, f"Your vote was not counted: an answer is one of the {len(q.options)} "
                                       "options shown.")
        return
    try:
        store().vote(seat.code, seat.student, n, option)
    except StoreDown:  # said by the page's pause notice, which goes once the store is back; this would stay
        return
    except ClassError as err:
        session.put(session.LIVE_SAID, f"Your vote was not counted: {err}.")
