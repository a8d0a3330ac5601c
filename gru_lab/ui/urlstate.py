"""Shareable links: every on-screen setting lives in the URL (widgets use bind="query-params").

A link is checked before any widget reads it. A parameter that is repeated, malformed, not finite,
out of range, unknown or of another page is removed from the address, the run starts again without
it (so its widget starts from the default), and a notice names it with what is allowed. After the
page ran, a value the widget could still not take (a step past the end of a shorter input) is named
too.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ..controls import CONTROLS, PAGE_KEYS, SIDEBAR_KEYS, LinkProblem, keys_for_page, parse
from . import session
from .live_link import live_link

MAX_SHOWN = 40  # characters of a parameter's name or value quoted in the notice


def clean_link(url_path: str) -> None:
    """Refuse what this page cannot use from the address; rerun without it if anything was refused."""
    allowed = set(keys_for_page(url_path))
    problems = []
    for key in list(st.query_params):
        if key and key in st.session_state:
            continue  # an existing widget holds its own value; the browser wrote this parameter from it
        try:
            if key not in allowed:
                raise LinkProblem("is not a setting of this page")
            parse(CONTROLS[key], st.query_params.get_all(key))
        except LinkProblem as why:
            problems.append(f"{_name(key, st.query_params.get_all(key))} {why}{_default(key)}")
            _drop(key)
    if problems:
        session.put(session.LINK_PROBLEMS, problems)
        st.rerun()


def _drop(key: str) -> None:
    try:
        del st.query_params[key]
    except (KeyError, StreamlitAPIException):  # bound to a widget of this session: it keeps its own value
        pass


def _name(key: str, raws: list[str]) -> str:
    """The parameter as the user sees it: the control's label, the name and the (last) value given."""
    c = CONTROLS.get(key)
    name = f"**{c.label}** ({_code(key)})" if c else _code(key) if key else "a parameter with no name"
    if not raws or raws == [""]:
        return name
    shown = ", ".join(_code(r) for r in raws[:3]) + (", …" if len(raws) > 3 else "")
    return f"{name} = {shown}" if key else f"{name} (given {shown})"  # "= `=`" reads as a typo


def _default(key: str) -> str:
    c = CONTROLS.get(key)
    shown = c is not None and c.default not in (None, "") and not isinstance(c.default, list)
    return f"; it starts from {_code(c.link_text(c.default))}" if shown else ""


def _code(text: str) -> str:
    """Quote user text inside a code span that it cannot close, however long or odd it is."""
    text = " ".join(str(text).split())
    if not text:  # an empty code span shows as two backticks
        return "an empty value"
    if len(text) > MAX_SHOWN:
        text = text[:MAX_SHOWN] + "…"
    return "`" + text.replace("`", "ʼ") + "`"


def address_value(key: str):
    """A parameter the page reads from the address itself (no widget), or its default: clean_link has
    already named and dropped a bad one."""
    if key not in st.query_params:
        return CONTROLS[key].default
    try:
        return parse(CONTROLS[key], st.query_params.get_all(key))
    except LinkProblem:
        return CONTROLS[key].default


def follow_link(url_path: str) -> None:
    """On a move to another page, let the address's sidebar settings win.

    A link inside the app (st.page_link) opens its page in the same session, where the sidebar's
    widgets already exist, and Streamlit lets an existing widget keep its value over the URL's.
    Setting those values before the sidebar is drawn makes the page show what its address says.
    """
    last = session.get(session.PAGE)
    session.put(session.PAGE, url_path)
    if last is None or last == url_path:
        return
    for key in SIDEBAR_KEYS:
        if key in st.query_params:
            try:
                st.session_state[key] = parse(CONTROLS[key], st.query_params.get_all(key))
            except LinkProblem:
                pass  # clean_link names it
    if last == "lesson":  # "Explore this view": the page at the stop's values, whatever an earlier visit left
        for key in PAGE_KEYS.get(url_path, ()):
            # Streamlit keeps an address-bound widget's value from the last visit and would write it into
            # the address, a history entry Back lands on; the stop's address leaves defaults out
            if key not in st.query_params and key in st.session_state:
                del st.session_state[key]


def snapshot() -> dict[str, list[str]]:
    """The URL's parameters that this run will read for the first time (widgets not yet created)."""
    return {k: st.query_params.get_all(k) for k in st.query_params if k and k not in st.session_state}


def report_invalid(before: dict[str, list[str]], notice) -> None:
    """After the page ran: name what the link checker refused and what a widget still could not take."""
    problems = session.pop(session.LINK_PROBLEMS, None) or []
    for key, raws in before.items():
        if key in CONTROLS and key in st.session_state and not _matches(CONTROLS[key], raws, st.session_state[key]):
            now = CONTROLS[key].link_text(st.session_state[key])
            if key == "weights" and raws == ["session"]:
                problems.append(f"{_name(key, raws)}: a model trained in another session cannot travel in a "
                                f"link, so {_code(now)} weights are shown")
                continue
            problems.append(f"{_name(key, raws)} is not possible for what is on screen, so it shows {_code(now)}")
    if problems:
        notice.warning("This link had settings that could not be used, so defaults were kept:\n\n- "
                       + "\n- ".join(problems), icon=":material/link_off:")


def _matches(c, raws: list[str], value) -> bool:
    try:
        return parse(c, raws) == value
    except LinkProblem:
        return False


def share_link(url_path: str, page_keys: tuple[str, ...], cannot_carry: str = "", offer=None,
               live: tuple[str, ...] = ()) -> None:
    """A 'Link for students' box with the address that reopens this view.

    `page_keys`: the page's widgets shown on this run (the sidebar records its own). `cannot_carry`
    says what the address leaves out (an uploaded file, a model trained in this session), and
    `offer()` draws what to share instead. `live`: parameters the browser keeps in the address between
    runs (the step viewer's t and unit), which the box reads from there when it is shown.
    """
    keys = session.get(session.SHOWN, ()) + tuple(page_keys)
    params = [(k, CONTROLS[k].link_text(v)) for k in keys if k in st.session_state
              for v in _as_list(st.session_state[k])]
    base = st.context.url or f"/{url_path}"
    link = f"{base}?{urlencode(params)}" if params else base
    promise = ("Everyone who opens this address sees this view, except " + cannot_carry if cannot_carry
               else "Everyone who opens this address sees this exact view.")
    with st.popover("Link for students", icon=":material/link:", help=promise):
        st.caption("Copy this address (the copy button is at its right) and share it:")
        if live:
            live_link(link, live, key=f"{url_path}_live_link")
        else:
            st.code(link, language=None, wrap_lines=True)
        if cannot_carry:
            st.caption(f":material/warning: **The address cannot carry {cannot_carry}**")
            if offer:
                offer()


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]
