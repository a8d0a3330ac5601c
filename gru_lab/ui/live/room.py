"""What the projector shows in a live class (the teacher's room tab): the stop, its question with the
options, how many voted, the split when the teacher shows it, the answer once revealed; never a control
that acts on the class (those are on the presenter view), never the answer before the reveal.

The room tab follows the class: a move, a shown split or a reveal made on the presenter view reaches it
within TALLY_S, as the phones' polls do."""
from __future__ import annotations

import functools
import io

import segno
import streamlit as st

from ... import lessons
from ...classes import ClassError, StoreDown
from ...settings import Settings
from .. import session
from ..lesson import plain, told
from .join import join_address
from .seat import Seat, pretty, store
from .split import rounds_of, split
from .student import DISCUSS
from .teacher import TALLY_S, browser_half, join_link, presenter_address

QR_PX = 400  # at least a third of a 1080-line projector: the back row scans it too
SHOW_JOIN = "_live_show_join"  # {code: True}: the room asked to see how to join again


@functools.lru_cache(maxsize=16)
def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=10, border=2, dark="#000000", light="#ffffff")
    return out.getvalue()


def bar(seat: Seat, s: Settings) -> None:
    """The class's line on the projector: how to join (large, until students are in; one line after), the
    head count; and the presenter view's link for the teacher. Follows the presenter's moves."""
    browser_half(seat)
    if seat.state.ended:
        st.caption(f"Class {pretty(seat.code)} has ended.")
        return
    _panel(seat.code, join_link(seat.code, s), seat.state.updated)


@st.fragment(run_every=TALLY_S)
def _panel(code: str, url: str, drawn: int) -> None:
    try:
        state = store().state(code)
    except StoreDown:
        st.rerun(scope="app")  # the whole page says the class is paused, and rejoins it when the store answers
    except ClassError as err:
        st.caption(plain(err))
        return
    if state.updated != drawn:  # the presenter moved, showed the split or revealed: draw the stop anew
        st.rerun(scope="app")
    shown = (session.get(SHOW_JOIN) or {}).get(code) or state.students == 0
    lock = " · joining locked" if state.locked else ""
    left, middle, right = st.columns([4, 1.3, 1.3], vertical_alignment="center")
    left.markdown(f"#### Class code **{pretty(code)}** · {state.students} joined{lock}")
    with middle:
        if state.students and shown:
            st.button("Hide how to join", key="live_hide_join", on_click=_show, args=(code, False),
                      icon=":material/close:", width="stretch")
        elif state.students:
            st.button("Show how to join", key="live_show_join", on_click=_show, args=(code, True),
                      icon=":material/qr_code_2:", width="stretch")
    with right:
        st.link_button("Presenter view", presenter_address(code), icon=":material/co_present:", width="stretch",
                       help="Your private screen: the answer, the live tally and every control. Open it on "
                            "your laptop or phone, away from the projector.")
    if shown and not state.locked:
        qr, words = st.columns([1, 2], vertical_alignment="center")
        qr.image(qr_png(url), width=QR_PX, caption="Scan to join")
        with words:
            st.markdown(f"### Go to `{join_address()}`\n### and type **{pretty(code)}**")
            st.markdown("Or open this address:")
            st.code(url, language=None, wrap_lines=True)  # copied, it is the exact address


def _show(code: str, on: bool) -> None:
    session.put(SHOW_JOIN, {**(session.get(SHOW_JOIN) or {}), code: on})


def question(seat: Seat, stop: lessons.Stop, s: Settings, n: int) -> None:
    """The stop's question as the room sees it: options to vote on by phone, then the split, then the answer."""
    q, state = stop.question, seat.state
    st.markdown(f"**{plain(q.prompt)}**")
    if state.revealed:
        right = told(stop, s)
        split(seat.code, n, q.options, right, f"live_split_{n}")
    elif state.shown:
        split(seat.code, n, q.options, None, f"live_split_{n}")
        st.info(DISCUSS.format(r=state.round + 1), icon=":material/forum:")
    else:
        st.markdown("\n".join(f"{i}. {plain(o)}" for i, o in enumerate(q.options, start=1)))
        _voted(seat.code, n, state.round, state.ended)


@st.fragment(run_every=TALLY_S)
def _voted(code: str, n: int, rnd: int, ended: bool) -> None:
    if ended:
        st.caption("The class has ended: voting is closed.")
        return
    try:
        state, counts = store().state(code), rounds_of(code, n)[rnd - 1]
    except (StoreDown, ClassError, IndexError):
        return  # the panel above says the class is paused, or follows the move
    again = f"Round {rnd}: vote again" if rnd > 1 else "Vote"
    st.markdown(f":material/smartphone: {again} on your phone · **{sum(counts.values())}** of {state.students} "
                "voted")
