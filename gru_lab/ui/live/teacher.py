"""A class on the lesson page: the class's line above the stop (the projector's join panel for the
teacher), the browser half, and a stop's question: a student's vote, the teacher's tally and reveal."""
from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
import streamlit as st

from ... import lessons
from ...classes import ClassError, StoreDown
from ...classes.store import MAX_ROUNDS, MAX_STUDENTS
from ...figures.tally import tally_bars
from ...settings import Settings
from .. import session
from ..charts import chart
from ..lesson import answer, carried, link, plain, verdict
from .mount import MOUNT
from .seat import COOKIE_S, Seat, beacon, cookie, lesson_of, pretty, store

POLL_MS = 1250  # a student's browser reads the class's file this often: a move shows within ~1.5 s, and a
# read costs a replica ~1.6 ms of CPU (nginx in deploy/ serves it from disk instead): ~80 ms a student-minute
TALLY_S = 1.5  # the teacher's tally and head count refresh this often (one tab: a few ms a run)


def join_link(code: str, s: Settings) -> str:
    """The students' link: the class, the settings the answers are computed with and classroom mode;
    no secret."""
    return link([("class", code)] + carried(s) + [("classroom", "1")])


def step(seat: Seat, n: int) -> tuple[Seat, int]:
    """The stop this tab shows: the teacher's own (a move of theirs moves the class), or the teacher's
    current one for a student who follows, or the earlier one a student went back to."""
    state = seat.state
    if seat.teacher:
        if n != state.stop and not state.ended:
            _act(seat, "move", n)
            seat = Seat(store().state(seat.code), token=seat.token)
        return seat, n
    browse = (session.get(session.LIVE_BROWSE) or {}).get(seat.code)
    return seat, browse if browse is not None and browse < state.stop else state.stop


def browse(seat: Seat, n: int) -> None:
    """A student's Back and Next: any stop up to the teacher's; reaching it is following again."""
    mine = dict(session.get(session.LIVE_BROWSE) or {})
    mine.pop(seat.code, None)
    if n < seat.state.stop:
        mine[seat.code] = max(1, n)
    session.put(session.LIVE_BROWSE, mine)


def _act(seat: Seat, op: str, n: int | None = None) -> None:
    try:
        if op == "move":
            store().move(seat.code, seat.token, n)
        else:
            getattr(store(), op)(seat.code, seat.token)  # reveal, reopen or end
        beacon().publish(store().state(seat.code))  # this machine's students see it at once
    except StoreDown:  # said by the page's pause notice, which goes once the store is back; this would stay
        return
    except ClassError as err:
        session.put(session.LIVE_SAID, f"That did not reach the class: {err}.")


def bar(seat: Seat, n: int, s: Settings) -> None:
    said = session.pop(session.LIVE_SAID)
    if said:
        st.error(plain(said), icon=":material/error:")
    if seat.teacher:
        _teacher_panel(seat, s)
    else:
        _student_line(seat, n)
        _browser_half(seat, n)


def _browser_half(seat: Seat, n: int = 0) -> None:
    if seat.teacher:
        data = {"cookies": [{"name": cookie("teach", seat.code), "value": seat.token, "max_age": COOKIE_S}],
                "control_link": "?" + urlencode({"class": seat.code, "classroom": "1"})
                                + "#" + urlencode({"teacher": seat.token})}  # the fragment: never sent to a server
    else:
        data = {"cookies": [{"name": cookie("me", seat.code), "value": seat.student, "max_age": COOKIE_S}],
                "poll": beacon().follow(seat.state), "version": seat.state.updated, "every_ms": POLL_MS,
                "stop": n}  # the stop drawn: for the load benchmark's follow delay
    MOUNT(key="live_class", data=data, on_moved_change=lambda: None)


def _qr(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2, dark="#000000", light="#ffffff")
    return out.getvalue()


def _teacher_panel(seat: Seat, s: Settings) -> None:
    state = seat.state
    url = join_link(state.code, s)
    with st.container(border=True, key="live_join_panel"):
        qr, words, side = st.columns([1, 4, 1.6], vertical_alignment="center")
        if state.ended:  # nothing to join: an element in the QR code's place, or it may linger as a stale one
            qr.empty()
        else:
            qr.image(_qr(url), width=120, caption="Scan to join")
        with words:
            _head_count(state.code, session.get(_room_key(state.code)))
            if state.ended:
                st.caption("The class has ended: students can no longer vote. Its tallies can still be downloaded.")
            else:  # as code: selected and copied, it is the exact address (no hidden character, no link styling)
                st.markdown("Join at:")
                st.code(url, language=None, wrap_lines=True)
        with side:
            if not state.ended:
                with st.popover("End the class", icon=":material/stop:", width="stretch"):
                    st.markdown("End the class for everyone? Voting closes; the tallies can still be downloaded.")
                    st.button("Yes, end the class", key="live_end", on_click=_act, args=(seat, "end"),
                              icon=":material/stop:", type="primary")
                st.toggle("Lock joining", value=state.locked, key=f"live_lock_{state.code}", on_change=_lock,
                          args=(seat,), help="Once the room is in: no one else can join, whoever has the code. "
                                             "Those in the class stay.")
                st.number_input("Students in the room", 0, MAX_STUDENTS, value=session.get(_room_key(state.code)),
                                key=f"live_room_{state.code}", on_change=_room, args=(state.code,),
                                placeholder="how many?", help="Compared with the head count: more joined than are "
                                                               "in the room means someone joined from outside.")
            st.download_button("Tallies (CSV)", lambda: _csv(seat, s), file_name=f"gru_lab_class_{state.code}.csv",
                               mime="text/csv", key="live_csv", icon=":material/download:", on_click="ignore",
                               width="stretch",
                               help="Per stop and round: each option's votes and the share right. No names, no ids.")
            # The control key stays in this browser (a cookie), never in an address the room sees; the
            # button copies a private link that carries it, for the teacher's own other device.
            _browser_half(seat)


def _room_key(code: str) -> str:
    return f"_live_room_{code}"


def _room(code: str) -> None:
    session.put(_room_key(code), st.session_state.get(f"live_room_{code}"))


def _lock(seat: Seat) -> None:
    locked = bool(st.session_state.get(f"live_lock_{seat.code}"))
    try:
        store().lock(seat.code, seat.token, locked)
    except StoreDown:  # said by the page's pause notice, which goes once the store is back; this would stay
        return
    except ClassError as err:
        session.put(session.LIVE_SAID, f"That did not reach the class: {err}.")


@st.fragment(run_every=TALLY_S)
def _head_count(code: str, room: int | None) -> None:
    try:
        state = store().state(code)
    except StoreDown:
        st.rerun(scope="app")  # the whole page says the class is paused, and rejoins it when the store answers
    except ClassError as err:
        st.caption(plain(err))
        return
    n = state.students
    of = f" of {room} in the room" if room else ""
    lock = " · joining locked" if state.locked else ""
    st.markdown(f"#### Class code {pretty(code)} · {n} joined{of}{lock}")
    if room and n > room:
        st.warning(f"{n - room} more joined than are in the room: lock joining, or start a new class if the code "
                   "got out.", icon=":material/warning:")


def _csv(seat: Seat, s: Settings) -> str:
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


def _student_line(seat: Seat, n: int) -> None:
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


def question(seat: Seat, stop: lessons.Stop, s: Settings, n: int) -> None:
    if seat.teacher:
        _teacher_question(seat, stop, s, n)
    else:
        _student_question(seat, stop, s, n)


def _student_question(seat: Seat, stop: lessons.Stop, s: Settings, n: int) -> None:
    q, state = stop.question, seat.state
    current = n == state.stop
    rnd = state.round if current else store().rounds(seat.code, n)
    revealed = state.revealed if current else store().revealed(seat.code, n)
    mine = store().my_vote(seat.code, seat.student, n, rnd)
    if current and not revealed and not state.ended:
        key = f"live_vote_{seat.code}_{n}_{rnd}"
        if _choice(key, q.options) is _FORGED:  # dropped before the radio reads it, which would raise
            st.session_state[key] = None
        st.radio(plain(q.prompt), q.options, index=q.options.index(mine) if mine in q.options else None,
                 format_func=plain, key=key, on_change=_vote, args=(seat, n, q, key))
        st.caption(("Round 2: after the discussion, vote again. " if rnd > 1 else "")
                   + "Your prediction goes to the teacher's chart, counted and never named; you can change it "
                     "until the answer is revealed.")
        return
    st.markdown(f"**{plain(q.prompt)}**")
    if revealed:
        verdict(stop, s, q.options.index(mine) if mine in q.options else None,
                ("You did not vote on this one.", "Your prediction was right.", "you predicted"))
    else:
        st.caption((f"You predicted {plain(mine)}. " if mine else "")
                   + "The answer is shown here once the teacher reveals it.")


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


def _votes(n: int) -> str:
    return f"{n} vote" if n == 1 else f"{n} votes"


def _teacher_question(seat: Seat, stop: lessons.Stop, s: Settings, n: int) -> None:
    q, state = stop.question, seat.state
    right = why = None
    if state.revealed:
        try:
            right, why = answer(stop, s)
        except ValueError:
            pass
    st.markdown(f"**{plain(q.prompt)}**")
    if not state.revealed:  # above the chart: on a projector at 1280×800 the chart may reach the bottom
        st.button("Reveal the answer to the class", key="live_reveal", on_click=_act, args=(seat, "reveal"),
                  icon=":material/visibility:", type="primary", disabled=state.ended)
    elif why is None:
        st.warning("The answer cannot be computed for these settings.", icon=":material/warning:")
    else:
        st.success(f"The answer: **{plain(q.options[right])}**. {plain(why)}", icon=":material/lightbulb:")
        if state.round < MAX_ROUNDS and not state.ended:
            st.button(f"Vote again (round {state.round + 1})", key="live_reopen", on_click=_act,
                      args=(seat, "reopen"), icon=":material/replay:",
                      help="Peer instruction: let the class discuss, then vote again; every round stays on the chart.")
    _tally(seat.code, n, q.options, right)


@st.fragment(run_every=TALLY_S)
def _tally(code: str, n: int, options: tuple[str, ...], right: int | None) -> None:
    """The class's votes on stop n, every round, live; the right option is marked only once revealed."""
    try:
        state = store().state(code)
        rounds = [store().tally(code, n, r) for r in range(1, store().rounds(code, n) + 1)]
    except StoreDown:
        st.rerun(scope="app")  # as in _head_count
    except ClassError as err:
        st.caption(plain(err))
        return
    voted = sum(rounds[-1].values())
    shares = ""
    if right is not None:
        shares = " · right: " + ", ".join(
            f"round {k}: {r.get(options[right], 0) / max(1, sum(r.values())):.0%} ({r.get(options[right], 0)} of "
            f"{sum(r.values())})" for k, r in enumerate(rounds, start=1))
    st.caption(f"{voted} of {state.students} joined voted in round {len(rounds)}" + shares
               + ("" if right is not None else " · the answer stays hidden until you reveal it"))
    alt = "; ".join(f"round {k}: " + ", ".join(f"{plain(o)}: {_votes(r.get(o, 0))}" for o in options)
                    for k, r in enumerate(rounds, start=1))
    chart(tally_bars(options, rounds, right), f"live_tally_{n}", "Votes per option. " + alt)
