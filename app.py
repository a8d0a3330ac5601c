"""GRU Lab: the entry file sets up the page, the navigation and the shared sidebar, nothing else."""
import streamlit as st

from gru_lab import urlstate
from gru_lab.sidebar import sidebar

st.set_page_config(page_title="GRU Lab", page_icon="🧠", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon="🏠", url_path="home", default=True),
    st.Page("pages/step_through.py", title="Step through a sequence", icon="⏯️", url_path="step"),
    st.Page("pages/saturation_lab.py", title="Saturation lab", icon="🎚️", url_path="saturation"),
    st.Page("pages/vanishing.py", title="Vanishing gradients: GRU vs RNN", icon="📉", url_path="vanishing"),
]

before = urlstate.snapshot()
page = st.navigation(PAGES)
sidebar()
notice = st.container()
page.run()
urlstate.report_invalid(before, notice)
