"""Shareable links: every on-screen setting lives in the URL (widgets use bind="query-params").

Streamlit silently drops a bound parameter whose value a widget cannot take; this module notices
that, says which setting fell back to its default, and removes parameters no widget knows.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from .inputs import PRESETS
from .settings import HIDDEN_SIZES, MAX_SEED
from .trainer import CLIP_LABEL, TASKS

# Widgets whose link text is their formatted label rather than their value.
URL_TEXT = {"preset": lambda key: PRESETS[key].title, "task": TASKS.get, "clip": CLIP_LABEL}
PRESET_BY_TITLE = {p.title: key for key, p in PRESETS.items()}


def _choice(options):
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(text)
        return text
    return parse


def _number(kind, low, high):
    def parse(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value
    return parse


# The sidebar's settings as a link spells them, and how to read each back into a widget value.
LINK_PARSERS = {
    "H": lambda text: int(_choice({str(h) for h in HIDDEN_SIZES})(text)),
    "preset": lambda text: PRESET_BY_TITLE[text],
    "custom_kind": _choice({"words", "numbers"}),
    "custom": str,
    "seed": _number(int, 0, MAX_SEED),
    "scale": _number(float, 0.25, 4.0),
    "reset": _choice({"after", "before"}),
    "update": _choice({"keep", "take"}),
}


def follow_link(url_path: str) -> None:
    """On a move to another page, let the address's sidebar settings win.

    A link inside the app (st.page_link) opens its page in the same session, where the sidebar's
    widgets already exist, and Streamlit lets an existing widget keep its value over the URL's.
    Setting those values before the sidebar is drawn makes the page show what its address says.
    """
    last = st.session_state.get("_page")
    st.session_state["_page"] = url_path
    if last is None or last == url_path:
        return
    for key, parse in LINK_PARSERS.items():
        if key in st.query_params:
            try:
                st.session_state[key] = parse(st.query_params[key])
            except (ValueError, KeyError):
                pass  # an invalid value stays out; report_invalid names it


def snapshot() -> dict[str, str]:
    """The URL's parameters that this run will read for the first time.

    A widget that already exists holds its own value (a button's callback may have just moved it),
    so only parameters of widgets not yet created, as on opening a link, are checked.
    """
    return {k: st.query_params.get_all(k) for k in st.query_params if k not in st.session_state}


def report_invalid(before: dict[str, list[str]], notice) -> None:
    """After the page ran: warn about parameters that were rejected or unknown."""
    problems = []
    for key, raws in before.items():
        raw = raws[-1] if len(raws) == 1 else raws
        if key not in st.session_state or key.startswith("_"):
            problems.append(f"`{key}` is not a setting of this page")
            if key in st.query_params:
                del st.query_params[key]
        elif not _matches(raw, _url_value(key)):
            now = str(st.session_state[key])[:30]
            problems.append(f"`{key}={str(raw)[:30]}` is not an allowed value (now `{now}`)")
    if problems:
        notice.warning("This link had settings that could not be used, so defaults were kept: "
                       + "; ".join(problems) + ".", icon=":material/link_off:")


def _url_value(key: str):
    value = st.session_state[key]
    return URL_TEXT[key](value) if key in URL_TEXT else value


def _matches(raw: str | list[str], value) -> bool:
    if isinstance(value, (list, tuple)):  # a multiselect: one parameter per chosen option
        raws = raw if isinstance(raw, list) else [raw]
        return len(raws) == len(value) and all(_matches(r, v) for r, v in zip(raws, value, strict=True))
    if isinstance(value, bool):
        return raw.lower() == str(value).lower()
    if isinstance(value, (int, float)):
        try:
            return float(raw) == float(value)
        except ValueError:
            return False
    return raw == str(value)


def share_link(url_path: str, page_keys: tuple[str, ...]) -> None:
    """A 'Link for students' box with the address that reopens this exact view.

    `page_keys`: the page's widgets shown on this run; the sidebar records its own.
    """
    keys = st.session_state.get("_sidebar_keys", ()) + tuple(page_keys)
    params = [(k, _text(v)) for k in keys if k in st.session_state for v in _as_list(_url_value(k))]
    base = st.context.url or f"/{url_path}"
    link = f"{base}?{urlencode(params)}" if params else base
    with st.popover("Link for students", icon=":material/link:",
                    help="Everyone who opens this address sees this exact view."):
        st.caption("Copy this address (the copy button is at its right) and share it:")
        st.code(link, language=None, wrap_lines=True)


def _as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _text(value) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)
