"""Reference lines shared by the figures."""
from __future__ import annotations

import math

import plotly.graph_objects as go

GUIDE = "#9E9E9E"  # mid grey: visible on light and dark backgrounds, quieter than any data colour


def hline(fig: go.Figure, y: float, text: str = "", log: bool = False, dash: str = "dash",
          below: bool = False) -> None:
    """A labelled horizontal line. Plotly places an add_hline label on a log axis by the raw value,
    not its logarithm (a 1e-6 label lands near 1), so the label is its own annotation here."""
    fig.add_hline(y=y, line=dict(dash=dash, color=GUIDE))
    if text:
        fig.add_annotation(x=1, xref="paper", y=math.log10(y) if log else y, yref="y", text=text,
                           showarrow=False, xanchor="right", yanchor="top" if below else "bottom",
                           font=dict(color=GUIDE, size=12))
