"""GRU Lab: the entry file sets up the page, the navigation and the shared sidebar, nothing else.

Pages live in app_pages/, not pages/: a folder named pages/ switches Streamlit into its legacy
multipage mode for the first run of the server, which greets a shared link with "Page not found".
"""
import streamlit as st

from gru_lab import runtime, urlstate
from gru_lab.sidebar import sidebar

st.set_page_config(page_title="GRU Lab", page_icon=":material/memory:", layout="wide")

PAGES = [
    st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),  # served at /
    st.Page("app_pages/step_through.py", title="Step through a sequence", icon=":material/play_circle:",
            url_path="step"),
    st.Page("app_pages/saturation_lab.py", title="Saturation lab", icon=":material/tune:", url_path="saturation"),
    st.Page("app_pages/vanishing.py", title="Vanishing gradients: GRU vs RNN", icon=":material/trending_down:",
            url_path="vanishing"),
    st.Page("app_pages/train.py", title="Train it live", icon=":material/model_training:", url_path="train"),
    st.Page("app_pages/gru_vs_lstm.py", title="GRU vs LSTM", icon=":material/compare_arrows:", url_path="lstm"),
]

before = urlstate.snapshot()
page = st.navigation(PAGES)
urlstate.follow_link(page.url_path)
sidebar()
notice = st.container()
page.run()
urlstate.report_invalid(before, notice)
runtime.freeze_after_first_run()
