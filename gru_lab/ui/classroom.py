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
# A projector is 1920×1080 seen from the back row: the page uses the full width, and no text is under
# 20 px there (18 px on a 1280×800 projector). Sizes follow the screen's height (vh) above those floors,
# so a stop's note, question, view and answer still share one screen. A subscript is smaller than its
# line by nature; its line carries the size.
CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stSidebarNav"], [data-testid="stTopNavLinkContainer"] { display: none !important; }
[data-testid="stMainBlockContainer"] { max-width: none; padding-left: 2.5vw; padding-right: 2.5vw; }
[data-testid="stHeader"] { background: transparent; } /* its menu sits right, clear of the title row */
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] { gap: 0.4rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] li,
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] code {
  font-size: max(18px, 2.2vh); line-height: 1.4; }
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] p,
[data-testid="stMainBlockContainer"] [data-testid="stProgress"] p,
[data-testid="stMainBlockContainer"] [data-testid="stCode"] code,
[data-testid="stMainBlockContainer"] [data-testid="stTable"] td,
[data-testid="stMainBlockContainer"] [data-testid="stTable"] th,
[data-testid="stMainBlockContainer"] input, [data-testid="stMainBlockContainer"] label {
  font-size: max(18px, 1.95vh); }
[data-testid="stMainBlockContainer"] [data-testid="stWidgetLabel"] p { font-size: max(18px, 2.1vh); }
[data-testid="stMainBlockContainer"] h1 { font-size: max(28px, 3.4vh); }
[data-testid="stMainBlockContainer"] h2, [data-testid="stMainBlockContainer"] h3 { font-size: max(24px, 2.9vh); }
[data-testid="stMainBlockContainer"] h4 { font-size: max(20px, 2.4vh); }
[data-testid="stMainBlockContainer"] button p { font-size: max(18px, 2vh); }
[data-testid="stMainBlockContainer"] .katex { font-size: max(22px, 2.6vh); }
</style>"""
CHART_FONT = 20  # px, ticks and legends too: Plotly's 12 px default is lost from the back of a room


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
