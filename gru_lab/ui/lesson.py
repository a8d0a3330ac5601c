"""The lesson page's Streamlit parts: which lesson is on, its answers (cached), classroom mode and the
links. The "Make your own lesson" builder is gru_lab.ui.lesson_builder; the lessons themselves are
`gru_lab.lessons` (pure).

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

from .. import lessons
from ..controls import CONTROLS, PAGE_KEYS
from ..settings import Settings
from . import session
from .pages import PAGES
from .urlstate import address_value

PAGE_FILES = {p.get("url_path", ""): p["page"] for p in PAGES}  # url path → script, for st.page_link
ICONS = {p.get("url_path", ""): p["icon"] for p in PAGES}

# The lesson page only: a stop, its chart, its question and the answer fit one 1280×800 screen. Fixed text.
COMPACT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.6rem; padding-bottom: 0.4rem; }
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }
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


def revealed(lid: str, n: int) -> bool:
    """A learner alone: has this tab revealed stop n of this lesson?"""
    return session.get(session.LESSON_REVEALED) == (lid, n)


def _reveal(lid: str, n: int) -> None:  # a callback: the run that follows draws the stop revealed, view included
    session.put(session.LESSON_REVEALED, (lid, n))


def question(stop: lessons.Stop, s: Settings, lid: str, n: int) -> None:
    """The stop's question for a learner alone: predict (pick an option), then Reveal; or "Show me" without
    predicting, a choice made on purpose. Once revealed, the verdict with the numbers behind it."""
    q = stop.question
    authors = isinstance(q.answer, int)
    if authors:
        st.caption(AUTHORS)
    choice = st.radio(plain(q.prompt), range(len(q.options)), index=None, format_func=_option(q),
                      key=f"lesson_answer_{lid}_{n}")
    if choice not in range(len(q.options)):  # a forged message's text, which Streamlit hands on as it came
        choice = None
    if not revealed(lid, n):
        st.button("Reveal the answer", key="lesson_reveal", icon=":material/visibility:", type="primary",
                  disabled=choice is None, on_click=_reveal, args=(lid, n),
                  help="Predict first: pick an option, then reveal." if choice is None else None)
        st.button("Show me without predicting", key="lesson_show_me", type="tertiary", on_click=_reveal,
                  args=(lid, n), icon=":material/skip_next:")
        return
    if verdict(stop, s, choice) and not authors:  # which model and convention the numbers are of
        if session.get(session.CLASSROOM):  # on a projector one click away: the stop keeps to one screen
            with st.expander("Where these numbers come from", icon=":material/info:"):
                st.caption(plain(lessons.computed_for(stop, s)))
        else:
            st.caption(plain(lessons.computed_for(stop, s)))


def _option(q: lessons.Question):
    def label(i) -> str:
        return plain(q.options[i]) if isinstance(i, int) and 0 <= i < len(q.options) else "(not an option)"
    return label


def _answer_text(stop: lessons.Stop, s: Settings) -> tuple[int, str] | None:
    """(the right option, "The answer: …" with why and the stop's explanation), or None, said, when it
    cannot be computed for these settings."""
    try:
        right, why = answer(stop, s)
    except ValueError as err:
        st.warning(f"The answer cannot be computed for these settings: {plain(err)}.", icon=":material/warning:")
        return None
    after = f" {plain(stop.after)}" if stop.after else ""
    return right, f"The answer: **{plain(stop.question.options[right])}**. {plain(why)}{after}"


def told(stop: lessons.Stop, s: Settings) -> int | None:
    """The answer for the room or the presenter (no one's pick); its index, or None when it cannot be computed."""
    found = _answer_text(stop, s)
    if found is None:
        return None
    st.success(found[1], icon=":material/lightbulb:")
    return found[0]


def verdict(stop: lessons.Stop, s: Settings, picked: int | None, words: tuple[str, str, str] = (
        "You did not pick an option.", "Right.", "you picked")) -> bool:
    """The answer, why, and whether `picked` (an option's index, or None) was right. `words`: what to say
    for no pick, for a right one, and the verb for a wrong one (a live class says "predicted"). False when
    the answer cannot be computed for these settings (and that is said)."""
    found = _answer_text(stop, s)
    if found is None:
        return False
    right, text = found
    none, yes, verb = words
    if picked is None:
        st.info(f"{none} " + text, icon=":material/lightbulb:")
    elif picked == right:
        st.success(f"{yes} " + text, icon=":material/check_circle:")
    else:
        st.info(f"Not quite: {verb} {plain(stop.question.options[picked])}. " + text, icon=":material/cancel:")
    return True


def carried(s: Settings) -> list[tuple[str, str]]:
    """The lesson page's settings that make its answers (seed and convention), where not the defaults."""
    values = {"seed": str(s.seed), "reset": "after" if s.reset_after else "before", "update": s.update}
    return [(k, v) for k, v in values.items() if v != CONTROLS[k].link_text(CONTROLS[k].default)]


def explore_params(stop: lessons.Stop, in_class: bool, demo: bool = False) -> dict:
    """The stop's page address: its parameters that are not the page's defaults, and classroom mode.

    A default in the address is one the page's widget removes on arrival, and Streamlit records that
    change as a new history entry: Back then lands on the page again, not on the stop. The lesson's seed
    and convention are not given either: the page's sidebar widgets hold them in this session and write
    them into the address themselves (given here too, Streamlit writes them twice)."""
    shown = {k: v for k, v in stop.query.items() if not _is_default(k, v)}
    if in_class and demo:  # the teacher's own "what if" on the projector: every setting of the page unlocked
        given = shown.pop("unlock", [])
        keys = set([given] if isinstance(given, str) else given) | {k for k in PAGE_KEYS.get(stop.page, ())
                                                                    if k in CONTROLS["unlock"].options}
        if keys:
            shown["unlock"] = sorted(keys)
    return {**shown, **({"classroom": "1"} if in_class else {})}


def explore_link(stop: lessons.Stop, in_class: bool, demo: bool = False) -> None:
    """"Explore this view": the stop's own page at the stop's values (urlstate.follow_link drops what the
    session kept of that page's settings from an earlier visit, which the address leaves at the default).
    `demo`: the teacher's tab, whose page opens with all its settings unlocked in classroom mode (a student's
    stays locked, and a phone in a class has no Explore at all)."""
    st.page_link(PAGE_FILES[stop.page], label="Explore this view", icon=ICONS[stop.page],
                 query_params=explore_params(stop, in_class, demo),
                 help="Opens the full page with every setting unlocked, for a live demonstration." if in_class and demo
                 else None)


def _is_default(key: str, value) -> bool:
    c = CONTROLS[key]
    default = [c.link_text(v) for v in c.default] if isinstance(c.default, list) else c.link_text(c.default)
    return value == default


def stop_number() -> int:
    return int(address_value("stop"))


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
    token = address_value("lesson")
    if token:
        try:
            return lessons.from_link(token), "link", "", ""
        except ValueError as err:
            return lessons.BUILT_IN, "built-in", "lesson", str(err)
    fid = address_value("lesson_file")
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
