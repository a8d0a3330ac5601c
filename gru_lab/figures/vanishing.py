"""GRU vs vanilla RNN: how much gradient survives with distance, median and middle half over seeds."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gru_lab.compute import VANISH_FLOOR, Band, Vanishing
from gru_lab.stories.chains import NAMES, StoryChains
from gru_lab.text import lambda_comparison

from .colors import MARKERS_SHOWN, MODEL, MODEL_DASH, MODEL_SYMBOL, rgba
from .marks import hline, legend_below, log_axis

TINY = 1e-300  # below this, a log axis has nothing left to show


def _linear(log10: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore", over="ignore"):
        y = np.power(10.0, log10)
    return np.where(y >= TINY, y, np.nan)


def _band(fig: go.Figure, x: np.ndarray, band: Band, name: str) -> None:
    color = MODEL[name]
    fig.add_trace(go.Scatter(x=x, y=_linear(band.q75), mode="lines", line=dict(width=0), hoverinfo="skip",
                             showlegend=False, name=f"{name} 75th percentile"))
    fig.add_trace(go.Scatter(x=x, y=_linear(band.q25), mode="lines", line=dict(width=0), fill="tonexty",
                             fillcolor=rgba(color, 0.22), hoverinfo="skip", name=f"{name} middle half"))
    fig.add_trace(go.Scatter(x=x, y=_linear(band.median), mode="lines+markers",
                             line=dict(color=color, width=3, dash=MODEL_DASH[name]),
                             marker=dict(symbol=MODEL_SYMBOL[name], size=7, maxdisplayed=MARKERS_SHOWN),
                             name=f"{name} median", hovertemplate="%{x}: %{y:.2e}<extra>" + name + "</extra>"))


def chains(v: Vanishing) -> go.Figure:
    fig = go.Figure()
    _band(fig, v.distance, v.rnn_chain, "RNN")
    _band(fig, v.distance, v.gru_chain, "GRU")
    with np.errstate(under="ignore"):
        bound = v.rnn_lambda1 ** v.distance.astype(float)
    fig.add_trace(go.Scatter(x=v.distance, y=np.where(bound >= TINY, bound, np.nan), mode="lines",
                             line=dict(color=MODEL["RNN"], dash="dot", width=2),
                             name=f"RNN bound λ₁^d ({lambda_comparison(v.rnn_lambda1, 2)})"))
    hline(fig, VANISH_FLOOR, f"floor {VANISH_FLOOR:.0e}", log=True, below=True)
    for name, d in (("GRU", v.gru_below), ("RNN", v.rnn_below)):
        if d is not None:
            fig.add_trace(go.Scatter(x=[d], y=[VANISH_FLOOR], mode="markers", name=f"{name} below 1e-6 at {d}",
                                     marker=dict(symbol="x", size=14, color=MODEL[name], line=dict(width=2))))
    fig.update_layout(
        title_text=f"How much of h_k still reaches h_T (T = {v.T})", height=440,
        xaxis=dict(title="distance T − k (steps back)"),
        # the bands and the floor set the range; the bound λ₁^d may leave it upwards (3^100 ≈ 10^47)
        yaxis=log_axis(*(_linear(getattr(b, q)) for b in (v.gru_chain, v.rnn_chain) for q in ("q25", "median", "q75")),
                       VANISH_FLOOR, title="‖∂h_T/∂h_k‖₂"),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return legend_below(fig)


def deltas(v: Vanishing) -> go.Figure:
    fig = go.Figure()
    _band(fig, v.steps, v.rnn_delta, "RNN")
    _band(fig, v.steps, v.gru_delta, "GRU")
    fig.update_layout(
        title_text="BPTT gradient ‖δ_k‖ at each step", height=380,
        xaxis=dict(title="step k"),
        yaxis=log_axis(*(_linear(getattr(b, q)) for b in (v.gru_delta, v.rnn_delta) for q in ("q25", "median", "q75")),
                       title="‖δ_k‖ = ‖∂L/∂h_k‖"),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return legend_below(fig)


def story_chains(sc: StoryChains) -> go.Figure:
    """The trained GRU, a random GRU and an RNN on one story's input, each one line."""
    fig = go.Figure()
    # The two GRUs share a colour and differ in dash and marker (solid and filled: trained; dotted and
    # open: random); the RNN keeps its own dash and marker, as on every chart.
    styles = {"trained GRU": (dict(color=MODEL["GRU"], width=3), MODEL_SYMBOL["GRU"]),
              "random GRU": (dict(color=MODEL["GRU"], width=2, dash="dot"), MODEL_SYMBOL["GRU"] + "-open"),
              "RNN": (dict(color=MODEL["RNN"], width=3, dash=MODEL_DASH["RNN"]), MODEL_SYMBOL["RNN"])}
    for name in NAMES:
        line, symbol = styles[name]
        fig.add_trace(go.Scatter(x=sc.distance, y=_linear(sc.log10[name]), mode="lines+markers", name=name,
                                 line=line, marker=dict(size=7, symbol=symbol, maxdisplayed=MARKERS_SHOWN),
                                 hovertemplate="%{x}: %{y:.2e}<extra>" + name + "</extra>"))
    hline(fig, VANISH_FLOOR, f"floor {VANISH_FLOOR:.0e}", log=True, below=True)
    fig.update_layout(
        title_text=f"One story, three models (T = {sc.T}, H = {sc.H})", height=400,
        xaxis=dict(title="distance T − k (steps back)"),
        yaxis=log_axis(*(_linear(sc.log10[n]) for n in NAMES), VANISH_FLOOR, title="‖∂h_T/∂h_k‖₂"),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return legend_below(fig)
