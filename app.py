"""GRU Lab's server: Streamlit's app (lab.py: the page script, its navigation and shared sidebar) and the
one address a live class adds, each class's small file that students' phones poll
(gru_lab/classes/route.py). `streamlit run app.py` finds `app` below and serves both.

The file is read from the runtime folder (GRU_LAB_RUNTIME_DIR), never from this folder, so the app runs
from a read-only install.
"""
import streamlit as st

from gru_lab.classes import runtime_dir
from gru_lab.classes.route import routes

app = st.App("lab.py", routes=routes(runtime_dir() / "live"))
