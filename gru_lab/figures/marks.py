"""Reference lines shared by the figures."""
from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

GUIDE = "#9E9E9E"  # mid grey: visible on light and dark backgrounds, quieter than any data colour

# A legend under a chart, at the foot of the figure. Placed in plot ("paper") units, y = −0.2 is a share
# of the plot's height, not a distance from the axis title: on a short chart (a lesson stop, a phone) its
# first row lands on "distance T − k". Placed against the figure ("container") Plotly reserves its rows
# at the bottom, however many rows it wraps into, and an x axis with automargin sets its tick labels and
# title above them (without automargin the title is drawn over the plot instead): use `legend_below`.
LEGEND_BELOW = dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom")


def legend_below(fig: go.Figure, legend: str = "legend") -> go.Figure:
    """Put `legend` (or "legend2") at the figure's foot, below the x axis title, which it cannot cover."""
    fig.update_layout({legend: LEGEND_BELOW})
    fig.update_xaxes(automargin=True)
    return fig


def hline(fig: go.Figure, y: float, text: str = "", log: bool = False, dash: str = "dash",
          below: bool = False) -> None:
    """A labelled horizontal line. Plotly places an add_hline label on a log axis by the raw value,
    not its logarithm (a 1e-6 label lands near 1), so the label is its own annotation here."""
    fig.add_hline(y=y, line=dict(dash=dash, color=GUIDE))
    if text:
        fig.add_annotation(x=1, xref="paper", y=math.log10(y) if log else y, yref="y", text=text,
                           showarrow=False, xanchor="right", yanchor="top" if below else "bottom",
                           font=dict(color=GUIDE, size=12))


NICE_DECADES = (1, 2, 5, 10, 20, 50, 100)


def log_axis(*values, title: str | None = None, max_ticks: int = 7) -> dict:
    """A log axis that labels powers of ten only, spanning whole decades around the data.

    Left to itself Plotly labels the 2s and 5s of a narrow log axis as bare digits ("10, 5, 2, 1,
    5, 2, 10⁻¹"), so 0.5 reads as "5". Whole decades keep a labelled power of ten at each end, and
    one tick every few decades keeps a 300-decade axis legible.
    """
    v = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in values]) if values else np.array([])
    v = v[np.isfinite(v) & (v > 0)]
    if v.size:
        with np.errstate(divide="ignore"):
            lo = math.floor(float(np.log10(v.min())) - 0.02)  # a margin so a curve at 1 is not on the edge
            hi = math.ceil(float(np.log10(v.max())) + 0.02)
    else:
        lo, hi = -1, 1
    step = next((d for d in NICE_DECADES if (hi - lo) / d <= max_ticks), math.ceil((hi - lo) / max_ticks))
    lo = step * math.floor(lo / step)  # a labelled tick at the bottom; 10^0 = 1 is one at the top
    axis = dict(type="log", range=[lo, hi], dtick=step, tick0=0, exponentformat="power", minor=dict(showgrid=False))
    if title is not None:
        axis["title"] = title
    return axis
