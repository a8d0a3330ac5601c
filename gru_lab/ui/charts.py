"""A chart and its text alternative, drawn together: the figure, then one caption saying how to read
it and what it shows in numbers (`gru_lab.chart_text`), for a screen reader and for the back row."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from . import classroom


def chart(fig, key: str, alt: str, height: int | str = "content") -> None:
    if classroom.active():  # projector sizes, on a copy: the built figure may be shared by every session
        fig = _projector(go.Figure(fig))
    st.plotly_chart(fig, key=key, height=height)
    st.caption(alt, help=None)


def _projector(fig: go.Figure) -> go.Figure:
    """Every text of the chart at projector size: Streamlit's chart theme sets ticks, axis titles and the
    legend itself, so each is named here (a layout font alone leaves them at 12 px)."""
    big = classroom.CHART_FONT
    fig.update_layout(font_size=big, legend_font_size=big - 2, title_font_size=big + 1)
    fig.update_xaxes(tickfont_size=big - 2, title_font_size=big)
    fig.update_yaxes(tickfont_size=big - 2, title_font_size=big)
    return fig
