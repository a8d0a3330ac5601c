"""The short join address, /join: a box for the class code that leads to the class's lesson page.

A student who types the code (on the projector: ABCD-EFGH, under this page's short address) lands on the same
page as one who opens the teacher's link or scans the QR code: the lesson page with the class, classroom mode
and the settings the class keeps (seed and convention: the link carries them, the store keeps them for the code).
This page joins nobody: the lesson page shows its own join form (a nickname) to a visitor without a seat.
"""
from __future__ import annotations

import streamlit as st

from ...classes import ClassError, StoreDown
from ...classes.store import CODE_LENGTH, check_code
from ..lesson import plain
from ..pages import PAGES
from .seat import pretty, store

URL_PATH = "join"
LESSON_PAGE = "app_pages/lesson.py"
MAX_TYPED = 24  # 8 symbols with a dash or spaces, and room for a slip of the thumb
SHAPE = f"a class code is {CODE_LENGTH} letters and digits, shown as ABCD-EFGH (capitals or not, the dash and " \
        "spaces as you like)"


def join_address() -> str:
    """This page's absolute address for the projector ("http://host:8501/join"), from the address this tab has
    open (st.context.url ends with its own page's path, which is dropped); "/join" without one."""
    base = (st.context.url or "").split("?", 1)[0].split("#", 1)[0].rstrip("/")
    for path in sorted({p.get("url_path", "") for p in PAGES} - {""}, key=len, reverse=True):
        if base.endswith("/" + path):
            base = base[: -len(path) - 1]
            break
    return f"{base}/{URL_PATH}"


def lesson_params(code: str, settings: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """The lesson page's address for the class, in the order of the teacher's join link."""
    return {"class": code, **dict(settings), "classroom": "1"}


def page() -> None:
    st.title("Join a class")
    st.caption("Type the code your teacher shows, e.g. ABCD-EFGH, and press Join (or Enter).")
    with st.form("join_form", border=False):
        typed = st.text_input("Class code", placeholder="ABCD-EFGH", max_chars=MAX_TYPED, key="join_code",
                              autocomplete="off", help=SHAPE[0].upper() + SHAPE[1:] + ".")
        pressed = st.form_submit_button("Join", type="primary", icon=":material/login:", key="join_go")
    if pressed:
        go(typed)


def go(typed: str | None) -> None:
    """To the class's lesson page, or say why not (the page stays, the box keeps what was typed)."""
    try:
        code = check_code(typed or "")
    except ClassError:
        shown = (typed or "").strip()
        said = f"“{plain(shown)}” is not a class code" if shown else "Type the class code first"
        st.error(f"{said}: {SHAPE}.", icon=":material/error:")
        return
    try:
        state = store().state(code)
    except StoreDown as err:
        st.warning(f"Classes cannot be reached right now: {plain(err)}. Try again in a moment.",
                   icon=":material/cloud_off:")
        return
    except ClassError as err:
        st.error(f"Class {pretty(code)} cannot be joined: {plain(err)}. Check the code with your teacher.",
                 icon=":material/error:")
        return
    if state.ended:
        st.error(f"Class {pretty(code)} has ended. Check the code with your teacher.", icon=":material/event_busy:")
        return
    st.switch_page(LESSON_PAGE, query_params=lesson_params(code, state.settings))
