"""Small Streamlit controls shared by pages."""
from __future__ import annotations

import streamlit as st


def clamp_state(key: str, lo: int, hi: int) -> None:
    """Keep a keyed widget's stored value inside a range that just changed (e.g. a shorter input)."""
    if key in st.session_state and not lo <= st.session_state[key] <= hi:
        st.session_state[key] = min(max(st.session_state[key], lo), hi)


def _step(key: str, delta: int, lo: int, hi: int) -> None:
    st.session_state[key] = min(max(st.session_state.get(key, lo) + delta, lo), hi)


def step_slider(label: str, key: str, T: int, T_default: int, help: str | None = None) -> int:
    """A 1-based step slider bound to the URL; a one-step sequence has nothing to slide over."""
    if T == 1:
        st.caption(f"{label}: 1 (the sequence has a single step)")
        return 1
    return st.slider(label, 1, T, T_default, key=key, bind="query-params", help=help)


def step_buttons(key: str, lo: int, hi: int) -> None:
    """Previous / next buttons that move the widget stored under `key` by one."""
    left, right = st.columns(2)
    if hi <= lo:
        return
    left.button("Previous", key=f"{key}_prev", on_click=_step, args=(key, -1, lo, hi), width="stretch",
                icon=":material/skip_previous:")
    right.button("Next", key=f"{key}_next", on_click=_step, args=(key, 1, lo, hi), width="stretch",
                 icon=":material/skip_next:")
