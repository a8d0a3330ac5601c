"""Read a figure the way the browser gets it: Streamlit sends plotly.io.to_json(fig, validate=False)."""
from __future__ import annotations

import base64
import json

import numpy as np
import plotly.io as pio


def spec(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False))


def decode(value) -> np.ndarray:
    """Plotly ≥ 6 writes numeric arrays as base64 typed arrays ({dtype, bdata, shape})."""
    if isinstance(value, dict) and "bdata" in value:
        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        return a.reshape([int(s) for s in str(value["shape"]).split(",")]) if "shape" in value else a
    return np.asarray(value)


def by_name(fig_spec: dict, name: str) -> dict:
    found = [d for d in fig_spec["data"] if d.get("name") == name]
    assert len(found) == 1, [d.get("name") for d in fig_spec["data"]]
    return found[0]


def last_color(scale) -> str:
    """The colour at the top (value 1) of a colour scale."""
    return scale[-1][1]


def legend_below_x_title(layout: dict, legend: str = "legend") -> None:
    """A legend under the chart must not cover the x axis title. Placed in plot ("paper") units below the
    plot (y < 0), its distance from the axis is a share of the plot's height, and on a short chart its first
    row lands on the title; so it must sit at the figure's foot ("container" units, y = 0, anchored at its
    bottom), where Plotly reserves its rows, with an x axis whose automargin sets ticks and title above them."""
    spot = layout[legend]
    assert spot.get("yref") == "container" and spot["y"] == 0 and spot["yanchor"] == "bottom", spot
    assert layout["xaxis"].get("automargin") is True, "without automargin the x title is drawn over the plot"
