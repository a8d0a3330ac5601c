"""A chart and its text alternative, drawn together: the figure, then one caption saying how to read
it and what it shows in numbers (`gru_lab.chart_text`), for a screen reader and for the back row."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from . import classroom


def chart(fig, key: str, alt: str, height: int | str = "content") -> None:
    if classroom.active():  # projector sizes, on a copy: the built figure may be shared by every session
        fig = go.Figure(fig).update_layout(font_size=classroom.CHART_FONT)
    st.plotly_chart(fig, key=key, height=height)
    st.caption(alt, help=None)
