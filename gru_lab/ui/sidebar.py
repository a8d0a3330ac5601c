"""The shared sidebar: the model settings, each bound to the URL, showing only what the page uses.

A setting a page does not use is hidden there, and its value is remembered for the pages that do
(Streamlit forgets a widget's value on a run that does not draw it).
"""
from __future__ import annotations

import streamlit as st

from ..controls import CONTROLS, SIDEBAR_FOR_PAGE, SIDEBAR_KEYS
from ..inputs import EXAMPLE_TEXT, MAX_TEXT_CHARS, PRESETS
from ..settings import Settings
from . import session
from .widgets import widget

# Radio options are the short words that appear in shared links; captions say who uses each.
RESET = {"after": "r ⊙ (W_hn h): PyTorch, Keras default", "before": "W_hn (r ⊙ h): Cho et al. 2014"}
UPDATE = {"keep": "z = 1 keeps the past: PyTorch, Cho et al.", "take": "z = 1 takes the new: Chung et al. 2014"}
TABLE_KEY = {"H": "hidden_size", "preset": "preset", "custom_kind": "custom_kind", "custom": "custom_text",
             "seed": "seed", "scale": "weight_scale", "reset": "reset_after", "update": "update"}


def sidebar(url_path: str, fixed_model: bool = False) -> Settings:
    """Draw the settings `url_path` uses; `fixed_model`: loaded weights, so H, seed and scale do not apply."""
    keys = SIDEBAR_FOR_PAGE.get(url_path, ())
    if fixed_model:
        keys = tuple(k for k in keys if k not in ("H", "seed", "scale"))
    remembered = session.get(session.REMEMBERED, {})
    for key in keys:
        if key not in st.session_state and key in remembered:
            st.session_state[key] = remembered[key]
    shown = [k for k in keys if k not in ("custom_kind", "custom")]
    with st.sidebar:
        st.header("Model settings")
        if not keys:
            st.caption("This page has its own settings, on the page.")
        if "H" in keys:
            widget("H")
        if "preset" in keys:
            preset = widget("preset")
            st.caption(f"**Watch for:** {PRESETS[preset].watch}")
            if preset == "custom":
                shown += ["custom_kind", "custom"]
                kind = widget("custom_kind", horizontal=True, on_change=_swap_example)
                widget("custom", default=EXAMPLE_TEXT[kind], max_chars=MAX_TEXT_CHARS)
                st.caption(f"At most {MAX_TEXT_CHARS:,} characters: the text travels in the page's address.")
        for key in ("seed", "scale"):
            if key in keys:
                widget(key)
        if "reset" in keys:
            widget("reset", captions=list(RESET.values()))
        if "update" in keys:
            widget("update", captions=list(UPDATE.values()))
    remembered = {**remembered, **{k: st.session_state[k] for k in SIDEBAR_KEYS if k in st.session_state}}
    session.put(session.REMEMBERED, remembered)
    session.put(session.SHOWN, tuple(shown))
    settings = _settings(remembered)
    session.put(session.SETTINGS, settings)
    return settings


def default_settings() -> Settings:
    """What the sidebar holds for a first visitor: every setting at its default."""
    return _settings({})


def _settings(values: dict) -> Settings:
    """The Settings the widgets (or, for hidden ones, their remembered values) stand for."""
    s = {TABLE_KEY[k]: values.get(k, CONTROLS[k].default) for k in SIDEBAR_KEYS}
    if "custom" not in values:  # the box was never drawn: it would start from its example
        s["custom_text"] = EXAMPLE_TEXT[s["custom_kind"]]
    s["reset_after"] = s["reset_after"] == "after"
    s["seed"], s["weight_scale"] = int(s["seed"]), float(s["weight_scale"])
    return Settings(**s)


def _swap_example() -> None:
    """Switching words ↔ numbers swaps an untouched example for the other kind's."""
    if st.session_state.get("custom") in EXAMPLE_TEXT.values():
        st.session_state["custom"] = EXAMPLE_TEXT[st.session_state["custom_kind"]]


def current() -> Settings:
    """The settings the sidebar (drawn by app.py before every page) holds on this run."""
    return session.get(session.SETTINGS)
