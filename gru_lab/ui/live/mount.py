"""The live class's browser half (link.js): one component, mounted by the seat (to claim a control link's
key from the address's fragment) and by the class's line (cookies, the poll, the copy button)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent
MOUNT = st.components.v2.component(
    "gru_lab_class", html=(_HERE / "link.html").read_text(encoding="utf-8"),
    css=(_HERE / "link.css").read_text(encoding="utf-8"), js=(_HERE / "link.js").read_text(encoding="utf-8"))
