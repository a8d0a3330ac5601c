"""Widgets drawn from the control table (`gru_lab.controls`), and the few page-level helpers around them."""
from __future__ import annotations

import streamlit as st

from ..controls import CONTROLS
from . import classroom

BOUND = dict(bind="query-params")


def widget(key: str, *, label: str | None = None, high: float | None = None, default=None,
           container=st, **extra):
    """The control `key` as its widget, bound to the address.

    `high` and `default` override the table where the range depends on the data (a step slider's T);
    `extra` passes widget-only arguments such as captions, horizontal or a narrower list of options.
    """
    c = CONTROLS[key]
    label = label or c.label
    value = c.default if default is None else default
    kw = dict(key=key, help=c.help, **BOUND, **extra)
    if classroom.locked(key):  # a projected stop keeps the lesson's settings unless it unlocked this one
        kw["disabled"] = True
    if c.kind == "int":
        return container.number_input(label, int(c.low), int(c.high if high is None else high), int(value),
                                      step=1, **kw)
    if c.kind == "slider":
        cast = int if c.whole else float
        return container.slider(label, cast(c.low), cast(c.high if high is None else high), cast(value),
                                cast(c.step), **kw)
    if c.kind == "text":
        return container.text_area(label, value, **kw)
    if c.fmt:
        kw["format_func"] = c.fmt
    if c.kind == "select_slider":
        return container.select_slider(label, c.options, value, **kw)
    if c.kind == "multiselect":
        return container.multiselect(label, c.options, value, **kw)
    options = list(kw.pop("options", c.options))
    index = options.index(value) if value in options else 0
    draw = container.selectbox if c.kind == "selectbox" else container.radio
    return draw(label, options, index, **kw)


def clamp_state(key: str, lo: int, hi: int) -> None:
    """Keep a keyed widget's stored value inside a range that just changed (e.g. a shorter input)."""
    if key in st.session_state and not lo <= st.session_state[key] <= hi:
        st.session_state[key] = min(max(st.session_state[key], lo), hi)


def _step(key: str, delta: int, lo: int, hi: int) -> None:
    st.session_state[key] = min(max(st.session_state.get(key, lo) + delta, lo), hi)


def step_slider(key: str, T: int, T_default: int, label: str | None = None) -> int:
    """A 1-based step slider bound to the URL; a one-step sequence has nothing to slide over."""
    if T == 1:
        st.caption(f"{label or CONTROLS[key].label}: 1 (the sequence has a single step)")
        return 1
    return widget(key, label=label, high=T, default=T_default)


def step_buttons(key: str, lo: int, hi: int) -> None:
    """Previous / next buttons that move the widget stored under `key` by one."""
    left, right = st.columns(2)
    if hi <= lo or classroom.locked(key):
        return
    left.button("Previous", key=f"{key}_prev", on_click=_step, args=(key, -1, lo, hi), width="stretch",
                icon=":material/skip_previous:")
    right.button("Next", key=f"{key}_next", on_click=_step, args=(key, 1, lo, hi), width="stretch",
                 icon=":material/skip_next:")


def input_error(err: Exception) -> None:
    """The pages' one way of refusing an input they cannot use; the page stops here."""
    st.error(f"Your input cannot be used: {err}.", icon=":material/error:")
    st.stop()
