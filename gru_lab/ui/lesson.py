"""The lesson page's Streamlit parts: which lesson is on, its answers (cached), classroom mode, the
links, and the "Make your own lesson" builder. The lessons themselves are `gru_lab.lesson` (pure).

Text from a lesson file or link is shown through `plain()`, which escapes Markdown and breaks bare
addresses, so a note cannot draw a link (Markdown or bare `http://`, `www.`, e-mail), an image, HTML or a
Streamlit directive; the classroom style is a fixed string.
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from urllib.parse import urlencode

import streamlit as st

from .. import lesson as lessons
from ..controls import CLASSROOM_KEYS, CONTROLS, LinkProblem, keys_for_page, parse
from ..settings import Settings
from . import classroom, session
from .pages import PAGES

PAGE_FILES = {p.get("url_path", ""): p["page"] for p in PAGES}  # url path → script, for st.page_link
ICONS = {p.get("url_path", ""): p["icon"] for p in PAGES}

# The lesson page only: a stop, its chart, its question and the answer fit one 1280×800 screen. Fixed text.
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0; }
</style>"""

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:&])")
# Streamlit's Markdown (remark-gfm) turns bare addresses into links after escapes are resolved, so an
# escape cannot stop it: a word joiner (U+2060, invisible, no line break) after "http", "www" or "@"
# breaks every pattern it looks for (http://, https://, ftp://, mailto:, xmpp:, www., name@host).
_AUTOLINK = re.compile(r"(?i)(?:https?|ftp|mailto|xmpp)(?=:)|www(?=\.)|@")
WORD_JOINER = "\u2060"


def plain(text: str) -> str:
    """Text shown as Markdown exactly as written: every Markdown and directive character escaped, and
    no address or e-mail turned into a link (a shared lesson must not put a link in front of a class)."""
    unlinked = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, str(text))
    return _MARKDOWN.sub(r"\\\1", unlinked)


def lesson_id(lesson: lessons.Lesson) -> str:
    return hashlib.sha256(lessons.to_json(lesson, indent=None).encode()).hexdigest()[:12]


@st.cache_resource(max_entries=256, ttl=3600, show_spinner="Computing the answer from the model…")
def answer(stop: lessons.Stop, s: Settings) -> tuple[int, str]:
    return lessons.answer(stop, s)


AUTHORS = "The lesson's author chose this question's answer; it is not computed from a model."


def question(stop: lessons.Stop, s: Settings, lid: str, n: int) -> None:
    """The stop's question, its Reveal button and, once revealed, the verdict with the numbers behind it."""
    q = stop.question
    authors = isinstance(q.answer, int)
    if authors:
        st.caption(AUTHORS)
    choice = st.radio(plain(q.prompt), range(len(q.options)), index=None, format_func=lambda i: plain(q.options[i]),
                      key=f"lesson_answer_{lid}_{n}")
    if st.button("Reveal the answer", key="lesson_reveal", icon=":material/visibility:"):
        session.put(session.LESSON_REVEALED, (lid, n))
    if session.get(session.LESSON_REVEALED) != (lid, n):
        return
    try:
        right, why = answer(stop, s)
    except ValueError as err:
        st.warning(f"The answer cannot be computed for these settings: {plain(err)}.", icon=":material/warning:")
        return
    told = f"The answer: **{plain(q.options[right])}**. {plain(why)}"
    if choice is None:
        st.info("You did not pick an option. " + told, icon=":material/lightbulb:")
    elif choice == right:
        st.success("Right. " + told, icon=":material/check_circle:")
    else:
        st.info(f"Not quite: you picked {plain(q.options[choice])}. " + told, icon=":material/cancel:")
    if not authors:  # which model and convention the numbers are of
        st.caption(plain(lessons.computed_for(stop, s)))


def carried(s: Settings) -> list[tuple[str, str]]:
    """The lesson page's settings that make its answers (seed and convention), where not the defaults."""
    values = {"seed": str(s.seed), "reset": "after" if s.reset_after else "before", "update": s.update}
    return [(k, v) for k, v in values.items() if v != CONTROLS[k].link_text(CONTROLS[k].default)]


def explore_params(stop: lessons.Stop, in_class: bool) -> dict:
    """The stop's page address: its parameters that are not the page's defaults, and classroom mode.

    A default in the address is one the page's widget removes on arrival, and Streamlit records that
    change as a new history entry: Back then lands on the page again, not on the stop. The lesson's seed
    and convention are not given either: the page's sidebar widgets hold them in this session and write
    them into the address themselves (given here too, Streamlit writes them twice)."""
    shown = {k: v for k, v in stop.query.items() if not _is_default(k, v)}
    return {**shown, **({"classroom": "1"} if in_class else {})}


def _is_default(key: str, value) -> bool:
    c = CONTROLS[key]
    default = [c.link_text(v) for v in c.default] if isinstance(c.default, list) else c.link_text(c.default)
    return value == default


def _param(key: str):
    """A lesson parameter of the address, or its default (clean_link has named a bad one)."""
    if key not in st.query_params:
        return CONTROLS[key].default
    try:
        return parse(CONTROLS[key], st.query_params.get_all(key))
    except LinkProblem:
        return CONTROLS[key].default


def stop_number() -> int:
    return int(_param("stop"))


LABELS = {k: CONTROLS[k].label for k in ("lesson", "lesson_file")}


class _Opened:
    """Lessons opened from files on this server, by id, the last MAX_OPENED: a reload (a new session) finds
    its lesson through the address's lesson_file=<id>. A lesson file is at most 200 KB: 64 of them are
    at most 13 MB."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lessons: OrderedDict[str, lessons.Lesson] = OrderedDict()

    def put(self, lid: str, lesson: lessons.Lesson) -> None:
        with self._lock:
            self._lessons[lid] = lesson
            self._lessons.move_to_end(lid)
            while len(self._lessons) > MAX_OPENED:
                self._lessons.popitem(last=False)

    def get(self, lid: str) -> lessons.Lesson | None:
        with self._lock:
            return self._lessons.get(lid)


MAX_OPENED = 64
FILE_ID = re.compile(r"[0-9a-f]{12}")


@st.cache_resource(show_spinner=False)
def _opened() -> _Opened:
    return _Opened()


def active() -> tuple[lessons.Lesson, str, str, str]:
    """(the lesson on screen, where it came from: "link", "file" or "built-in", the parameter with a
    problem and the problem to name)."""
    token = _param("lesson")
    if token:
        try:
            return lessons.from_link(token), "link", "", ""
        except ValueError as err:
            return lessons.BUILT_IN, "built-in", "lesson", str(err)
    fid = _param("lesson_file")
    if fid:
        loaded = session.get(session.LESSON_ACTIVE)
        if not FILE_ID.fullmatch(fid):
            return (lessons.BUILT_IN, "built-in", "lesson_file",
                    "it is not a lesson file's id (12 letters a–f and digits)")
        if loaded is not None and lesson_id(loaded) == fid:
            return loaded, "file", "", ""
        found = _opened().get(fid)
        if found is not None:
            session.put(session.LESSON_ACTIVE, found)
            return found, "file", "", ""
        return lessons.BUILT_IN, "built-in", "lesson_file", (
            f"this server no longer holds that lesson file (it keeps the last {MAX_OPENED} opened); open the file "
            "again below")
    return lessons.BUILT_IN, "built-in", "", ""


def refuse(key: str, message: str) -> None:
    """Name a lesson parameter the page cannot use in the app's link notice, and drop it from the address."""
    session.put(session.LINK_PROBLEMS, (session.get(session.LINK_PROBLEMS) or []) + [message])
    if key in st.query_params:
        del st.query_params[key]


def go_to(n: int) -> None:
    """Move to stop n: the address carries it (Back in the browser goes back a stop)."""
    st.query_params["stop"] = str(n)


def built_in() -> None:
    """Leave a linked or uploaded lesson for the built-in one, at its first stop."""
    session.pop(session.LESSON_ACTIVE)
    for key in ("lesson", "lesson_file"):
        if key in st.query_params:
            del st.query_params[key]
    st.query_params["stop"] = "1"


def link(params: list[tuple[str, str]]) -> str:
    base = st.context.url or "/lesson"
    base = base.split("?", 1)[0]
    if not base.rstrip("/").endswith("lesson"):
        base = base.rstrip("/") + "/lesson"
    return f"{base}?{urlencode(params)}" if params else base


def lesson_params(lesson: lessons.Lesson, source: str) -> tuple[list[tuple[str, str]], str]:
    """The address parameters that carry this lesson, and what the address cannot carry."""
    if source == "built-in":
        return [], ""
    try:
        return [("lesson", lessons.to_link(lesson))], ""
    except ValueError as err:
        return [], str(err)


def share(lesson: lessons.Lesson, source: str, n: int, in_class: bool, s: Settings) -> None:
    """'Link for students': this stop of this lesson, with its seed and convention, in the same mode."""
    given, problem = lesson_params(lesson, source)
    params = given + [("stop", str(n))] + carried(s) + ([("classroom", "1")] if in_class else [])
    with st.popover("Link for students", icon=":material/link:"):
        st.caption("Copy this address and share it; it opens this stop" + (" in classroom mode." if in_class else "."))
        st.code(link(params), language=None, wrap_lines=True)
        if problem:
            st.caption(f":material/warning: **The address cannot carry this lesson**: {plain(problem)}")
        if not in_class:
            st.caption("Add `&classroom=1` for classroom mode: no sidebar, large text for a projector.")


# ---- the builder ------------------------------------------------------------------------------------
def _draft() -> list[lessons.Stop]:
    return list(session.get(session.LESSON_DRAFT, []))


def _move(i: int, delta: int) -> None:
    d = _draft()
    j = i + delta
    if 0 <= i < len(d) and 0 <= j < len(d):
        d[i], d[j] = d[j], d[i]
        session.put(session.LESSON_DRAFT, d)


def _remove(i: int) -> None:
    d = _draft()
    if 0 <= i < len(d):
        del d[i]
        session.put(session.LESSON_DRAFT, d)


def _copy_built_in() -> None:
    session.put(session.LESSON_DRAFT, list(lessons.BUILT_IN.stops))
    session.put(session.LESSON_TITLE, lessons.BUILT_IN.title)


def _add() -> None:
    """The "Add this stop" callback: check the form, append the stop, or say what is wrong."""
    g = st.session_state.get
    try:
        if len(_draft()) >= lessons.MAX_STOPS:
            raise ValueError(f"a lesson has at most {lessons.MAX_STOPS} stops")
        page = g("lesson_b_page", "")
        params = lessons.params_from_link(page, g("lesson_b_link", ""))
        question = None
        prompt = (g("lesson_b_prompt") or "").strip()
        options = [o.strip() for o in (g("lesson_b_options") or "").splitlines() if o.strip()]
        if prompt or options:
            right = int(g("lesson_b_right") or 1) - 1
            question = lessons.make_question(prompt, options, right, "the question")
        stop = lessons.make_stop(page, params, g("lesson_b_stop_title", ""), g("lesson_b_note", ""), question,
                                 "the stop")
    except ValueError as err:
        session.put(session.LESSON_ADD_PROBLEM, str(err))
        return
    session.put(session.LESSON_DRAFT, _draft() + [stop])
    session.pop(session.LESSON_ADD_PROBLEM)


def _play(token: str) -> None:
    if "lesson_file" in st.query_params:
        del st.query_params["lesson_file"]
    st.query_params["lesson"] = token
    st.query_params["stop"] = "1"
    session.pop(session.LESSON_REVEALED)


def _play_in_session(lesson: lessons.Lesson) -> None:
    """A lesson from a file, or too long for a link: kept on this server under its id, which the address
    carries, so a reload of this tab (a new session) opens it again."""
    lid = lesson_id(lesson)
    _opened().put(lid, lesson)
    session.put(session.LESSON_ACTIVE, lesson)
    if "lesson" in st.query_params:
        del st.query_params["lesson"]
    st.query_params["lesson_file"] = lid
    st.query_params["stop"] = "1"


def add_view_button(url_path: str) -> None:
    """At the foot of every other page: this view, as a stop in the lesson builder's form."""
    if url_path == "lesson" or classroom.active():
        return
    st.button("Add this view to my lesson", key="lesson_add_view", on_click=_add_view, args=(url_path,),
              icon=":material/playlist_add:",
              help="Puts this page and its settings into 'Make your own lesson' on the Guided lesson page, where "
                   "you write what to look at and, if you like, a question.")


def _add_view(url_path: str) -> None:
    skip = set(CLASSROOM_KEYS)
    pairs = [(k, v) for k in st.query_params if k in keys_for_page(url_path) and k not in skip
             for v in st.query_params.get_all(k)]
    try:
        params = lessons.check_params(url_path, pairs)
    except ValueError as err:
        st.toast(f"This view cannot be added to a lesson: {plain(err)}.", icon=":material/error:")
        return
    session.put(session.LESSON_PENDING, (url_path, urlencode(params)))
    st.toast("Added to 'Make your own lesson' on the Guided lesson page: write its note there.",
             icon=":material/playlist_add_check:")


def builder() -> None:
    """'Make your own lesson': add stops, reorder, share as a link or a file, load a file."""
    pending = session.pop(session.LESSON_PENDING)
    if pending is not None:  # a view added from its page: the form starts from it
        st.session_state["lesson_b_page"], st.session_state["lesson_b_link"] = pending
    with st.expander("Make your own lesson", icon=":material/edit_note:", expanded=pending is not None):
        st.caption("Each stop opens one page with its settings. Open the page, set it up, copy its address "
                   "(the page's 'Link for students') and paste it here, then write what to look at.")
        title = session.pop(session.LESSON_TITLE)
        if title is not None or "lesson_b_title" not in st.session_state:
            st.session_state["lesson_b_title"] = title or "My lesson"
        st.text_input("Lesson title", max_chars=lessons.MAX_TITLE, key="lesson_b_title")
        c1, c2 = st.columns(2)
        c1.selectbox("Page", list(lessons.PAGES), format_func=lessons.PAGES.get, key="lesson_b_page")
        c2.text_input("That page's link or its parameters", key="lesson_b_link",
                      placeholder="https://…/saturation?case=copy  or  case=copy&bz=2")
        st.text_input("Stop title", max_chars=lessons.MAX_TITLE, key="lesson_b_stop_title")
        st.text_area("Note: what to look at and why (two or three sentences)", max_chars=lessons.MAX_NOTE,
                     key="lesson_b_note", height=90)
        st.text_input("Question (optional)", max_chars=lessons.MAX_PROMPT, key="lesson_b_prompt")
        c1, c2 = st.columns([3, 1])
        c1.text_area(f"Options, one a line ({lessons.MIN_OPTIONS} to {lessons.MAX_OPTIONS})", key="lesson_b_options",
                     height=90)
        c2.number_input("Right option", 1, lessons.MAX_OPTIONS, 1, key="lesson_b_right")
        b1, b2 = st.columns(2)
        b1.button("Add this stop", key="lesson_b_add", on_click=_add, icon=":material/add:")
        b2.button("Start from the built-in lesson", key="lesson_b_copy", on_click=_copy_built_in,
                  icon=":material/content_copy:")
        if problem := session.pop(session.LESSON_ADD_PROBLEM):
            st.error(f"This stop cannot be added: {plain(problem)}.", icon=":material/error:")

        draft = _draft()
        for i, stop in enumerate(draft):
            c1, c2, c3, c4 = st.columns([6, 1, 1, 1], vertical_alignment="center")
            c1.markdown(f"{i + 1}\\. **{plain(stop.title)}** · {plain(lessons.PAGES[stop.page])}"
                        + (" · question" if stop.question else ""))
            c2.button("Up", key=f"lesson_b_up_{i}", help="Move this stop up", on_click=_move, args=(i, -1),
                      disabled=i == 0)
            c3.button("Down", key=f"lesson_b_down_{i}", help="Move this stop down", on_click=_move, args=(i, 1),
                      disabled=i == len(draft) - 1)
            c4.button("Remove", key=f"lesson_b_remove_{i}", help="Remove this stop", on_click=_remove, args=(i,))
        if draft:
            try:
                made = lessons.make_lesson(st.session_state.get("lesson_b_title", ""), draft)
            except ValueError as err:
                st.error(f"This lesson cannot be shared yet: {plain(err)}.", icon=":material/error:")
            else:
                _share_draft(made)
        _upload()


def _share_draft(made: lessons.Lesson) -> None:
    in_class = st.checkbox("Students' link opens in classroom mode", key="lesson_b_classroom")
    try:
        token = lessons.to_link(made)
    except ValueError as err:
        st.warning(f"{plain(err)}.", icon=":material/warning:")
        st.button("Play this lesson here", key="lesson_b_play", on_click=_play_in_session, args=(made,),
                  icon=":material/play_arrow:")
    else:
        st.markdown("**Link for students**")
        st.code(link([("lesson", token), ("stop", "1")] + ([("classroom", "1")] if in_class else [])),
                language=None, wrap_lines=True)
        st.button("Play this lesson here", key="lesson_b_play", on_click=_play, args=(token,),
                  icon=":material/play_arrow:")
    st.download_button("Download the lesson file (JSON)", lambda: lessons.to_json(made),
                       file_name="gru_lab_lesson.json", mime="application/json", key="lesson_b_download",
                       icon=":material/download:")


def _upload() -> None:
    up = st.file_uploader(f"Open a lesson file (JSON or TOML, at most {lessons.MAX_FILE_BYTES // 1000} KB)",
                          type=["json", "toml"], key="lesson_upload")
    if up is None:
        return
    known = session.get(session.LESSON_FILE)
    if known is None or known[0] != up.file_id:
        try:
            loaded, error = lessons.from_file(up.name, up.getvalue()), None
        except ValueError as err:
            loaded, error = None, str(err)
        session.put(session.LESSON_FILE, (up.file_id, loaded, error))
        if loaded is not None:  # play it from the first stop, and offer it for editing
            session.put(session.LESSON_DRAFT, list(loaded.stops))
            session.put(session.LESSON_TITLE, loaded.title)
            _play_in_session(loaded)
            session.pop(session.LESSON_REVEALED)
            st.rerun()
    _, loaded, error = session.get(session.LESSON_FILE)
    if error:
        st.error(f"{plain(up.name)} cannot be used: {plain(error)}.", icon=":material/error:")
    else:
        st.caption(f"Opened {plain(up.name)}: {len(loaded.stops)} stops, shown above and ready to edit here.")
