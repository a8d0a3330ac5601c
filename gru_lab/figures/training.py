"""Train-page and GRU-vs-LSTM figures: loss curves, chains before and after training, the sweep."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .colors import MARKERS_SHOWN, MODEL, MODEL_DASH, MODEL_SYMBOL
from .marks import GUIDE, legend_below, log_axis

TINY = 1e-300


def _marks(name: str, size: int = 7) -> dict:
    return dict(symbol=MODEL_SYMBOL[name], size=size, maxdisplayed=MARKERS_SHOWN)


def _linear(log10: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore", over="ignore"):
        y = np.power(10.0, log10)
    return np.where(y >= TINY, y, np.nan)


def loss_curves(losses: dict[str, np.ndarray], baseline: float, total_steps: int, metric: str) -> go.Figure:
    """Training loss per step for each model, with the no-memory baseline as a line."""
    fig = go.Figure()
    for name, values in losses.items():
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines+markers", name=name,
                                 line=dict(color=MODEL[name], width=2, dash=MODEL_DASH[name]), marker=_marks(name),
                                 hovertemplate="step %{x}: %{y:.4f}<extra>" + name + "</extra>"))
    reference(fig, baseline, f"baseline {baseline:.3f} (no memory)", (0, total_steps))
    fig.update_layout(height=340, xaxis=dict(title="training step", range=[0, total_steps]),
                      yaxis=log_axis(baseline, *losses.values(), title=metric),
                      legend=LEGEND_TOP, margin=dict(l=10, r=10, t=30, b=10))
    return legend_below(fig, "legend2")


# Models in one legend above the plot, reference lines in a second one below it (at the figure's foot,
# clear of the axis title: marks.legend_below). One legend holding both would give every entry the width
# of the longest ("baseline 0.042 (no memory)"): one per row.
LEGEND_TOP = dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom")


def reference(fig: go.Figure, y: float, name: str, x: tuple[float, float], dash: str = "dash") -> None:
    """A horizontal reference line named in the second legend: a label written on the chart is drawn
    over by any curve that runs along the line (an RNN that never beats the baseline does exactly that)."""
    fig.add_trace(go.Scatter(x=list(x), y=[y, y], mode="lines", name=name, legend="legend2",
                             line=dict(color=GUIDE, dash=dash, width=2), hovertemplate=f"{name}<extra></extra>"))


def accuracy_curves(accuracies: dict[str, np.ndarray], chance: float, total_steps: int) -> go.Figure:
    """Training accuracy per step (classification tasks), with chance level as a line."""
    fig = go.Figure()
    for name, values in accuracies.items():
        fig.add_trace(go.Scatter(x=np.arange(1, len(values) + 1), y=values, mode="lines+markers", name=name,
                                 line=dict(color=MODEL[name], width=2, dash=MODEL_DASH[name]), marker=_marks(name),
                                 hovertemplate="step %{x}: %{y:.2f}<extra>" + name + "</extra>"))
    reference(fig, chance, f"chance {chance:.2f}", (0, total_steps))
    fig.update_layout(height=300, xaxis=dict(title="training step", range=[0, total_steps]),
                      yaxis=dict(title="batch accuracy", range=[0, 1.02]),
                      legend=LEGEND_TOP, margin=dict(l=10, r=10, t=30, b=10))
    return legend_below(fig, "legend2")


def chains_before_after(chains: dict) -> go.Figure:
    """‖∂s_T/∂s_k‖ for each model, untrained dashed, trained solid."""
    distance = chains["distance"][""]
    fig = go.Figure()
    for name, curves in chains.items():
        if name == "distance":
            continue
        for state, dash in (("untrained", "dot"), ("trained", "solid")):
            # dash says untrained or trained here; the marker says which model
            fig.add_trace(go.Scatter(x=distance, y=_linear(curves[state]), mode="lines+markers", name=f"{name} {state}",
                                     line=dict(color=MODEL[name], dash=dash, width=3 if state == "trained" else 2),
                                     marker=_marks(name) | (dict(symbol=MODEL_SYMBOL[name] + "-open")
                                                            if state == "untrained" else {}),
                                     hovertemplate="%{x}: %{y:.2e}<extra>" + f"{name} {state}" + "</extra>"))
    fig.update_layout(height=380, title_text="How far back a change still reaches the last state",
                      xaxis=dict(title="distance T − k (steps back)"),
                      yaxis=log_axis(*(_linear(c[s]) for n, c in chains.items() if n != "distance" for s in c),
                                     title="‖∂s_T/∂s_k‖₂ (LSTM: s = [h; c])"),  # fits a 300 px plot
                      margin=dict(l=10, r=10, t=40, b=10))
    return legend_below(fig)


def sweep_chart(lengths: tuple[int, ...], ratio: dict[str, np.ndarray], success: float) -> go.Figure:
    fig = go.Figure()
    for name, values in ratio.items():
        fig.add_trace(go.Scatter(x=list(lengths), y=values, mode="lines+markers", name=name,
                                 line=dict(color=MODEL[name], width=3, dash=MODEL_DASH[name]),
                                 marker=dict(size=10, symbol=MODEL_SYMBOL[name]),
                                 hovertemplate="T = %{x}: %{y:.3f} × baseline<extra>" + name + "</extra>"))
    span = (min(lengths), max(lengths)) if lengths else (1, 1)
    reference(fig, success, f"learned: below {success:g} × baseline", span)
    reference(fig, 1.0, "baseline (no memory)", span, dash="dot")
    fig.update_layout(height=400, title=dict(text="Adding problem: loss against length", yref="container", y=0.97),
                      # the lengths themselves as ticks: a log axis would label 20, 40, 80 as "2", "4", "8"
                      xaxis=dict(title="sequence length T", type="log", tickmode="array", tickvals=list(lengths),
                                 ticktext=[str(n) for n in lengths]),
                      yaxis=log_axis(success, 1.0, *ratio.values(), title="held-out MSE ÷ baseline"),
                      legend=LEGEND_TOP, margin=dict(l=10, r=10, t=70, b=10))
    return legend_below(fig, "legend2")


def three_chains(distance: np.ndarray, median: dict[str, np.ndarray], T: int) -> go.Figure:
    fig = go.Figure()
    for name, values in median.items():
        fig.add_trace(go.Scatter(x=distance, y=_linear(values), mode="lines+markers", name=f"{name} median",
                                 line=dict(color=MODEL[name], width=3, dash=MODEL_DASH[name]), marker=_marks(name),
                                 hovertemplate="%{x}: %{y:.2e}<extra>" + name + "</extra>"))
    fig.update_layout(height=400, title_text=f"Untrained chains (T = {T})",
                      xaxis=dict(title="distance T − k (steps back)"),
                      yaxis=log_axis(*(_linear(v) for v in median.values()),
                                     title="‖∂s_T/∂s_k‖₂ (LSTM: s = [h; c])"),  # fits a 300 px plot
                      margin=dict(l=10, r=10, t=40, b=10))
    return legend_below(fig)
