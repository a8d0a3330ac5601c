"""A chart and its text alternative, drawn together: the figure, then one caption saying how to read
it and what it shows in numbers (`gru_lab.chart_text`), for a screen reader and for the back row."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from . import classroom

# Plotly's mode bar floats over the top right of a chart, where a phone's narrow chart has its title:
# it covered "exact ∂h_t/∂h_(t−1)" above the saturation lab's heatmaps. Off on every chart; dragging still
# zooms, a double click resets, and Streamlit's own toolbar keeps full screen.
CONFIG = {"displayModeBar": False}


class Built(go.Figure):
    """A finished figure that many sessions draw (`gru_lab.ui.built` caches them).

    st.plotly_chart asks a figure for `to_dict()`, which deep-copies every trace and encodes its
    arrays on each call: for a cached figure that is most of what drawing it costs. A Built figure
    makes that dict once. It must not be changed after it is built (restyle a copy: `go.Figure(fig)`).
    """

    def __init__(self, fig: go.Figure) -> None:
        super().__init__(fig)
        self._spec = super().to_dict()

    def to_dict(self) -> dict:
        return self._spec


def chart(fig: go.Figure, key: str, alt: str, height: int | str = "content") -> None:
    """Draw a figure built on this run, in projector sizes in classroom mode."""
    if classroom.active():  # on a copy: the figure may be shared by every session
        fig = projector_sized(go.Figure(fig))
    st.plotly_chart(fig, key=key, height=height, config=CONFIG)
    _alt(alt)


def draw(c, key: str, height: int | str = "content") -> None:
    """Draw a cached `built.Chart`, already sized for this tab (its cache key says whether for a projector)."""
    st.plotly_chart(c.fig, key=key, height=height, config=CONFIG)
    _alt(c.alt)


def _alt(alt: str) -> None:
    """The text alternative under the chart; on a projector folded under "How to read this chart", one click
    away: a paragraph of 20 px text under every chart would push the stop off the screen."""
    if classroom.active():
        with st.expander("How to read this chart", icon=":material/menu_book:"):
            st.caption(alt, help=None)
    else:
        st.caption(alt, help=None)


def projector_sized(fig: go.Figure) -> go.Figure:
    """Every text of the chart at projector size: Streamlit's chart theme sets ticks, axis titles and the
    legend itself, so each is named here (a layout font alone leaves them at 12 px). Changes `fig`."""
    big = classroom.CHART_FONT
    fig.update_layout(font_size=big, legend_font_size=big, title_font_size=big + 1, hoverlabel_font_size=big)
    fig.update_xaxes(tickfont_size=big, title_font_size=big)
    fig.update_yaxes(tickfont_size=big, title_font_size=big)
    fig.update_coloraxes(colorbar_tickfont_size=big, colorbar_title_font_size=big)
    fig.update_traces(colorbar_tickfont_size=big, colorbar_title_font_size=big, selector=dict(type="heatmap"))
    fig.update_annotations(font_size=big)
    if any(t.type == "heatmap" for t in fig.data):  # a matrix a third of a projector wide: fewer, larger ticks
        fig.update_xaxes(tickmode="auto", nticks=5)
        fig.update_yaxes(tickmode="auto", nticks=5)
        fig.update_traces(colorbar_thickness=8, colorbar_title_side="top", selector=dict(type="heatmap"))
        title = fig.layout.title.text or ""
        if " (own scale " in title:  # a one-line title a third of a 1280 px screen wide: its scale goes on the bar
            base, scale = title.split(" (own scale ", 1)
            fig.update_layout(title_text=base)
            fig.update_traces(colorbar_title_text="own " + scale.rstrip(")"), selector=dict(type="heatmap"))
    return fig
