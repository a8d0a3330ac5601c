"""The app's pages: what st.navigation registers, and which page shows a model loaded from a file."""
from __future__ import annotations

import base64
from pathlib import Path

import streamlit as st

from .. import stories
from ..controls import CONTROLS, LinkProblem, parse
from . import session

FAVICON = str(Path(__file__).with_name("favicon.png"))
# The same icon as a data URL, made once: given a file, st.set_page_config reads it and registers it
# with the media file manager on every run of every session.
FAVICON_URL = "data:image/png;base64," + base64.b64encode(Path(FAVICON).read_bytes()).decode("ascii")
PAGES = [
    dict(page="app_pages/home.py", title="Home", icon=":material/home:", default=True),  # served at /
    dict(page="app_pages/step_through.py", title="Step through a sequence", icon=":material/play_circle:",
         url_path="step"),
    dict(page="app_pages/saturation_lab.py", title="Saturation lab", icon=":material/tune:", url_path="saturation"),
    dict(page="app_pages/vanishing.py", title="Vanishing gradients: GRU vs RNN", icon=":material/trending_down:",
         url_path="vanishing"),
    dict(page="app_pages/train.py", title="Train it live", icon=":material/model_training:", url_path="train"),
    dict(page="app_pages/gru_vs_lstm.py", title="GRU vs LSTM", icon=":material/compare_arrows:", url_path="lstm"),
    dict(page="app_pages/lesson.py", title="Guided lesson", icon=":material/school:", url_path="lesson"),
    dict(page="app_pages/join.py", title="Join a class", icon=":material/login:", url_path="join"),  # a class's code
]


def navigation():
    """st.navigation over the app's pages, made once per session: st.Page resolves and checks its file
    on creation, a cost every run would pay. Not shared between sessions: st.navigation marks the page
    it returns as the one this run may call."""
    pages = session.get(session.PAGES)
    if pages is None:
        pages = [st.Page(**p) for p in PAGES]
        session.put(session.PAGES, pages)
    return st.navigation(pages)


def _chosen(key: str):
    """A setting before its widget is drawn on this run: the session's, else the address's, else the default."""
    if key in st.session_state:
        return st.session_state[key]
    try:
        return parse(CONTROLS[key], st.query_params.get_all(key)) if key in st.query_params else CONTROLS[key].default
    except LinkProblem:
        return CONTROLS[key].default  # the link checker names it


def uses_fixed_model(url_path: str) -> bool:
    """The step page with trained or uploaded weights: the sidebar's H, seed and scale do not apply.
    "Trained" on an input with no trained model shows random weights, so they apply then."""
    if url_path != "step":
        return False
    chosen = _chosen("weights")
    if chosen == "trained":
        return stories.trained_weights_for(_chosen("preset")) is not None
    return chosen != "random" and (chosen != "file" or st.session_state.get("weights_file") is not None)
