"""The lesson page's "Make your own lesson" builder: a teacher adds stops (from the form or from any
page's "Add this view to my lesson" button), reorders them, and shares the lesson as a link or a file;
a lesson file opened here plays at once. The rest of the lesson page is gru_lab.ui.lesson.

Text from a lesson file or form is shown through `plain()` (gru_lab.ui.lesson), so it cannot draw a
link, an image, HTML or a Streamlit directive.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from .. import lessons
from ..controls import CLASSROOM_KEYS, keys_for_page
from . import classroom, session
from .lesson import _opened, lesson_id, link, plain


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
                                 "the stop", after=g("lesson_b_after") or "", hold=g("lesson_b_hold") or "answer")
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
    """At the foot of every page a lesson stop can show: this view, as a stop in the lesson builder's form."""
    if url_path not in lessons.PAGES or classroom.active():
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
        c1, c2 = st.columns([3, 1])
        c1.text_area("Said with the answer (optional): the explanation the note keeps back", key="lesson_b_after",
                     max_chars=lessons.MAX_NOTE, height=68)
        c2.selectbox("Until the reveal, the view holds back", list(lessons.HOLDS), key="lesson_b_hold",
                     format_func=lessons.HOLDS.get, help="Predict, then see: the view shows what the question "
                                                         "needs and keeps back what answers it.")
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
