"""Who this tab is in a class, the class's store and lesson, and starting a class."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ... import classes, lessons
from ...classes import ClassError, ClassState, StoreDown
from ...classes.beacon import Beacon
from ...classes.clients import client_address, trusted_proxies
from ...classes.store import NICKNAME_CHARS, check_code
from .. import session
from ..lesson import lesson_id, plain
from ..urlstate import address_value
from .mount import MOUNT

COOKIE_S = 5 * 3600  # a seat outlives the class's 4 idle hours
RETRY_S = 5  # a page that lost the class store asks it again this often, and resumes the class once it answers


@st.cache_resource(show_spinner=False)
def store() -> classes.ClassStore:
    """The one store of this process (GRU_LAB_CLASS_STORE, else the SQLite file): shared by sessions."""
    return classes.open_store()


@st.cache_resource(show_spinner=False)
def beacon() -> Beacon:
    return Beacon(store(), classes.runtime_dir() / "live")


@st.cache_resource(show_spinner=False)
def _trusted() -> frozenset:
    return trusted_proxies()


def client() -> str:
    """This browser's address, for the limits per client (behind deploy/'s nginx: the address it passes)."""
    return client_address(st.context.ip_address, st.context.headers.get("X-Real-IP"), _trusted())


@dataclass(frozen=True)
class Seat:
    state: ClassState
    token: str = ""  # the teacher's control token: only the teacher's tab has one
    student: str = ""  # a student's id

    @property
    def teacher(self) -> bool:
        return bool(self.token)

    @property
    def code(self) -> str:
        return self.state.code


def pretty(code: str) -> str:
    """ABCD-EFGH: easier to read out and to type."""
    return f"{code[:4]}-{code[4:]}"


def cookie(kind: str, code: str) -> str:
    return f"gru_lab_{kind}_{code}"


def seat() -> Seat | None:
    """This tab's seat in the class of the address (None: no class). A bad or ended code is named and
    the page stops; a visitor without a seat gets the join form and the page stops."""
    raw = address_value("class")
    if not raw:
        return None
    try:
        code = check_code(raw)
        state = store().state(code)
        token = _teacher_token(code)
        if token:
            return Seat(state, token=token)
        me = _student(code)
        if me:
            return Seat(state, student=me)
    except StoreDown as err:
        outage(err)
        return None
    except ClassError as err:
        _refused(str(err))
    _join(state)


def outage(err: StoreDown) -> None:
    """Said instead of the class, which comes back by itself: the lesson goes on alone meanwhile."""
    st.warning(f"The live class is paused: {plain(err)}. The lesson goes on here without it; this page tries "
               f"again every {RETRY_S} seconds and rejoins the class when the store answers.",
               icon=":material/cloud_off:")
    _retry()


@st.fragment(run_every=RETRY_S)
def _retry() -> None:
    try:
        store().ping()
    except StoreDown:
        return
    st.rerun(scope="app")


def _refused(why: str) -> None:
    st.error(f"This class link cannot be used: {plain(why)}. Ask your teacher for the class code or a new "
             "link; the lesson itself opens without a class.", icon=":material/link_off:")
    st.button("Open the lesson without a class", key="live_leave", on_click=_leave, icon=":material/school:")
    st.stop()


def _leave() -> None:
    for key in ("class", "teacher"):
        if key in st.query_params:
            del st.query_params[key]


def _teacher_token(code: str) -> str:
    mine = dict(session.get(session.LIVE_TEACHER) or {})
    given = address_value("teacher")  # an older link's key in the query (new links keep it in the fragment)
    if given:
        del st.query_params["teacher"]  # a control key does not stay in an address the room may see
    else:  # a control link's key comes in the address's fragment, which no server (nor its log) ever sees
        given = MOUNT(key="live_claim", data={"claim": True}, on_teacher_change=lambda: None).get("teacher")
        given = given if isinstance(given, str) and len(given) < 100 else ""
    if given:
        if store().is_teacher(code, given):
            mine[code] = given
        else:  # said here: a new visitor's page stops at the join form, before the link notice
            st.warning("This link's **teacher's key** (`teacher`) does not lead this class, so this tab takes part "
                       "as a student.", icon=":material/link_off:")
    return _kept(session.LIVE_TEACHER, "teach", code, store().is_teacher, mine)


def _student(code: str) -> str:
    return _kept(session.LIVE_STUDENT, "me", code, store().student_exists)


def _kept(key: str, kind: str, code: str, valid, mine: dict | None = None) -> str:
    """This tab's seat of one kind in the class: from the session, else the tab's cookie, if the store
    still knows it (it is kept in the session for the next run), else ""."""
    mine = dict(session.get(key) or {}) if mine is None else mine
    value = mine.get(code) or st.context.cookies.get(cookie(kind, code), "")
    if value and valid(code, value):
        session.put(key, {**mine, code: value})
        return value
    return ""


def _join(state: ClassState) -> None:
    st.subheader(f"Join class {pretty(state.code)}")
    if state.locked and not state.ended:
        st.info("The teacher has closed this class to new students: ask the teacher to open it, then press Join.",
                icon=":material/lock:")
    if state.ended:
        st.info("This class has ended: the lesson still opens without it.", icon=":material/event_busy:")
        st.button("Open the lesson without a class", key="live_leave", on_click=_leave, icon=":material/school:")
        st.stop()
    st.caption("No account and no name needed. Your teacher sees how many have joined and how the class "
               "voted, never who voted what.")
    with st.form("live_join_form", border=False):
        nickname = st.text_input("Nickname (optional)", max_chars=NICKNAME_CHARS, key="live_nickname",
                                 help="Letters, digits, spaces and . , ' - _ ! ? ( ): at most "
                                      f"{NICKNAME_CHARS} characters.")
        if st.form_submit_button("Join the class", type="primary", icon=":material/login:", key="live_join"):
            try:
                me = store().join(state.code, nickname, client=client())
            except ClassError as err:
                st.error(f"You could not join: {plain(err)}.", icon=":material/error:")
            else:
                session.put(session.LIVE_STUDENT, {**(session.get(session.LIVE_STUDENT) or {}), state.code: me})
                st.rerun()
    st.stop()


def lesson_of(state: ClassState) -> lessons.Lesson:
    """The class's lesson: the built-in one, or the teacher's own, which the store keeps for every replica."""
    if state.lesson == lesson_id(lessons.BUILT_IN):
        return lessons.BUILT_IN
    text = store().lesson_text(state.lesson)
    if text is None:
        _refused("this server no longer holds the class's lesson")
    return lessons.from_json(text)


def start_button(lesson: lessons.Lesson, n: int, settings: list[tuple[str, str]]) -> None:
    """'Start a class' for the teacher: a class of this lesson, at this stop, in classroom mode."""
    if st.button("Start a class", key="live_start", icon=":material/groups:",
                 help="Students join from their phones with a code or a QR code, follow your stops and vote on the "
                      "questions; you see the class's predictions, then reveal the answer."):
        refused = _start(lesson, n, settings)
        if refused:  # said where the teacher pressed, not lost in a rerun
            st.error(f"A class could not start: {plain(refused)}.", icon=":material/error:")
        else:
            st.rerun()  # the whole app, not the lesson's fragment: classroom mode hides the sidebar too


def _start(lesson: lessons.Lesson, n: int, settings: list[tuple[str, str]]) -> str:
    """Start a class of `lesson` at stop n; "" when it started, else why not. `settings`: what the answers are
    computed with (seed, convention), kept so a student who types the code gets them too."""
    questions = {i: list(s.question.options) for i, s in enumerate(lesson.stops, start=1) if s.question}
    lid = lesson_id(lesson)
    try:
        code, token = store().create(lid, len(lesson.stops), questions, client(), settings=tuple(settings))
    except ClassError as err:
        return str(err)
    try:  # the lesson's text is kept only for a class that started
        if lesson != lessons.BUILT_IN:
            store().keep_lesson(lid, lessons.to_json(lesson))
        store().move(code, token, n)
    except ClassError as err:
        try:
            store().end(code, token)
        except ClassError:
            pass  # the store is down: the class expires unused
        return str(err)
    session.put(session.LIVE_TEACHER, {**(session.get(session.LIVE_TEACHER) or {}), code: token})
    st.query_params.update({"class": code, "classroom": "1", "stop": str(n)})
    return ""
