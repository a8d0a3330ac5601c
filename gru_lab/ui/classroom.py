"""Classroom mode: what a projected page looks like, on every page a lesson or a link opens.

`classroom=1` in an address turns it on for the browser tab (the session remembers it, and puts it
back into every address the tab moves to, so it holds across the app's own links) until the teacher
presses "Leave classroom mode". It hides the sidebar and the page list, sets text and charts in
projector sizes, and locks every setting of the page except those the lesson unlocked
(`unlock=rnn_scale`, a stop's parameter), so a student cannot wander off the stop.
"""
from __future__ import annotations

import streamlit as st

from ..controls import CONTROLS, SIDEBAR_KEYS
from . import session
from .urlstate import address_value

# A fixed string: no user text ever goes in.
# Text scales with the screen's height (vh), from readable on a 1280×800 projector to large on 1080p,
# so a stop's note, question and answer still share one screen.
CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarNav"], [data-testid="stTopNavLinkContainer"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: 1500px; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li {
  font-size: clamp(1.1rem, 2.15vh, 1.45rem); line-height: 1.45; }
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p { font-size: clamp(1rem, 1.7vh, 1.15rem); }
[data-testid="stMainBlockContainer"] [data-testid="stWidgetLabel"] p { font-size: clamp(1.05rem, 1.9vh, 1.25rem); }
[data-testid="stMainBlockContainer"] h1 { font-size: clamp(2rem, 3.4vh, 2.6rem); }
[data-testid="stMainBlockContainer"] h2, [data-testid="stMainBlockContainer"] h3 {
  font-size: clamp(1.5rem, 2.9vh, 2rem); }
[data-testid="stMainBlockContainer"] button p { font-size: clamp(1.05rem, 1.9vh, 1.25rem); }
</style>"""
CHART_FONT = 17  # px: Plotly's 12 px default is lost from the back of a room


def start() -> bool:
    """On every run, before the page: classroom mode on or off, kept in the session and the address."""
    asked = "classroom" in st.query_params
    if asked and address_value("classroom") == "1":
        session.put(session.CLASSROOM, True)
    elif asked:  # classroom=0 turns it off
        session.pop(session.CLASSROOM)
    on = bool(session.get(session.CLASSROOM))
    if on:
        if st.query_params.get("classroom") != "1":
            st.query_params["classroom"] = "1"  # the app's own links drop it; the address keeps it
        st.html(CSS)
    return on


def active() -> bool:
    return bool(session.get(session.CLASSROOM))


def unlocked() -> tuple[str, ...]:
    return tuple(address_value("unlock"))


def locked(key: str) -> bool:
    """A page setting the class may not change: classroom mode is on and the lesson did not unlock it."""
    return active() and key not in SIDEBAR_KEYS and key in CONTROLS and key not in unlocked()


def settings_where(words: str = "set in the sidebar", linked: str = "set by the link that opened this page",
                   default: str = "the defaults: classroom mode hides the sidebar") -> str:
    """Where the model settings are, for a page's caption. In classroom mode the sidebar is hidden, so they
    are the ones the page's address carries (a lesson's link, a teacher's link) or, when it carries none
    (the page opened directly), the defaults: "set by the lesson" would be untrue then."""
    if not active():
        return words
    return linked if any(k in st.query_params for k in SIDEBAR_KEYS) else default


def leave() -> None:
    session.pop(session.CLASSROOM)
    st.query_params["classroom"] = "0"


def leave_button() -> None:
    """For the teacher, at the foot of every page in classroom mode."""
    if active():
        st.button("Leave classroom mode", key="classroom_leave", on_click=leave, icon=":material/fullscreen_exit:",
                  help="Show the sidebar and every control again.")
