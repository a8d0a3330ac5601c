"""Shareable links: every on-screen setting lives in the URL (widgets use bind="query-params").

Streamlit silently drops a bound parameter whose value a widget cannot take; this module notices
that, says which setting fell back to its default, and removes parameters no widget knows.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from .inputs import PRESETS
from .trainer import CLIP_LABEL, TASKS

# Widgets whose link text is their formatted label rather than their value.
URL_TEXT = {"preset": lambda key: PRESETS[key].title, "task": TASKS.get, "clip": CLIP_LABEL}


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
