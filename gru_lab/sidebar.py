"""The shared sidebar: model settings every page uses, each bound to the URL."""
from __future__ import annotations

from dataclasses import astuple

import streamlit as st

from .inputs import PRESETS
from .settings import HIDDEN_SIZES, MAX_SEED, Settings

DEFAULTS = Settings()
# Radio options are the short words that appear in shared links; captions say who uses each.
RESET = {"after": "r ⊙ (W_hn h): PyTorch, Keras default", "before": "W_hn (r ⊙ h): Cho et al. 2014"}
UPDATE = {"keep": "z = 1 keeps the past: PyTorch, Cho et al.", "take": "z = 1 takes the new: Chung et al. 2014"}
BOUND = dict(bind="query-params")


def sidebar() -> Settings:
    with st.sidebar:
        st.header("Model settings")
        H = st.select_slider("Hidden size H", HIDDEN_SIZES, value=DEFAULTS.hidden_size, key="H", **BOUND,
                             help="Units in the hidden state. Larger sizes are slower to draw.")
        preset = st.selectbox("Input sequence", list(PRESETS), format_func=preset_title, key="preset", **BOUND)
        st.caption(f"**Watch for:** {PRESETS[preset].watch}")
        kind, text = DEFAULTS.custom_kind, DEFAULTS.custom_text
        shown = ["H", "preset", "seed", "scale", "reset", "update"]
        if preset == "custom":
            shown += ["custom_kind", "custom"]
            kind = st.radio("Your input is", ["words", "numbers"], key="custom_kind", horizontal=True, **BOUND)
            text = st.text_area(
                "Your sequence", key="custom", **BOUND,  # no max_chars: an over-long text gets an error, not a cut
                placeholder="e.g. the cat that the dog chased ran away" if kind == "words" else "e.g. 0.5, 1, -2, 0",
                help="Words: each word is one step. Numbers: comma-separated, one per step; "
                     "separate rows with ';' to give several numbers per step.",
            )
        seed = st.number_input("Random seed", 0, MAX_SEED, DEFAULTS.seed, key="seed", **BOUND,
                               help="Which random weights (PyTorch-style uniform initialisation).")
        scale = st.slider("Weight scale", 0.25, 4.0, DEFAULTS.weight_scale, 0.25, key="scale", **BOUND,
                          help="Multiplies every weight matrix. Above 2 the gates start to saturate.")
        reset = st.radio("Reset gate applied … the product", list(RESET), captions=list(RESET.values()),
                         key="reset", **BOUND)
        update = st.radio("Update gate z", list(UPDATE), captions=list(UPDATE.values()), key="update", **BOUND)
    settings = Settings(H, preset, kind, text, int(seed), float(scale), reset == "after", update)
    st.session_state["_settings"] = settings
    st.session_state["_sidebar_keys"] = tuple(shown)
    return settings


def preset_title(key: str) -> str:
    """What the preset picker shows, and so what a link carries (bound widgets use the shown text)."""
    return PRESETS[key].title


def current() -> Settings:
    """The settings the sidebar (rendered by app.py before every page) holds on this run."""
    return st.session_state["_settings"]


def settings_key(s: Settings) -> tuple:
    """A plain, hashable cache key for the settings."""
    return astuple(s)
