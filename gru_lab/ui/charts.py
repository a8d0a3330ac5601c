"""A chart and its text alternative, drawn together: the figure, then one caption saying how to read
it and what it shows in numbers (`gru_lab.chart_text`), for a screen reader and for the back row."""
from __future__ import annotations

import streamlit as st


def chart(fig, key: str, alt: str) -> None:
    st.plotly_chart(fig, key=key)
    st.caption(alt, help=None)
