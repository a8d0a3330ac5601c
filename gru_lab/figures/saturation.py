"""Saturation-lab figures: the step Jacobian as a matrix, its singular values, and its chain."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .colors import MODEL, QUANTITY, rgba, signed_scale
from .marks import hline

MATRICES = ("exact ∂h_t/∂h_(t−1)", "frozen gates", "exact − frozen")  # trace names, shown on hover
TITLES = ("exact", "frozen gates", "difference")  # short: three side by side must fit a phone


def jacobian_matrices(J: np.ndarray, J_frozen: np.ndarray) -> go.Figure:
    """Exact, frozen-gate and their difference side by side, on one symmetric colour scale."""
    mats = (J, J_frozen, J - J_frozen)
    lim = max(float(np.abs(np.stack(mats)).max()), 1e-12)
    fig = make_subplots(rows=1, cols=3, subplot_titles=TITLES, horizontal_spacing=0.05)
    H = J.shape[0]
    for i, (name, M) in enumerate(zip(MATRICES, mats, strict=True), start=1):
        fig.add_trace(go.Heatmap(
            z=M, zmin=-lim, zmax=lim, colorscale=signed_scale("grad"), name=name, showscale=i == 3,
            colorbar=dict(thickness=12, title="value"),
            hovertemplate="row %{y}, col %{x}: %{z:.4f}<extra>" + name + "</extra>",
        ), row=1, col=i)
        fig.update_xaxes(title_text="unit of h(t−1)" if i == 2 else None, row=1, col=i,
                         showticklabels=H <= 16, constrain="domain")
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{'' if i == 1 else i}", constrain="domain",
                         row=1, col=i, showticklabels=H <= 16, title_text="unit of h(t)" if i == 1 else None)
    fig.update_layout(height=360, margin=dict(l=10, r=10, t=40, b=10))
    return fig


def singular_values(sv: np.ndarray, sv_frozen: np.ndarray) -> go.Figure:
    k = np.arange(1, len(sv) + 1)
    fig = go.Figure([
        go.Bar(x=k, y=sv, name="exact", marker_color=QUANTITY["grad"],
               hovertemplate="σ%{x} = %{y:.4f}<extra>exact</extra>"),
        go.Bar(x=k, y=sv_frozen, name="frozen gates", marker_color=rgba(QUANTITY["grad"], 0.4),
               hovertemplate="σ%{x} = %{y:.4f}<extra>frozen gates</extra>"),
    ])
    hline(fig, 1.0, "σ = 1: norm kept")
    fig.update_layout(barmode="group", height=300, xaxis_title="singular value index",
                      yaxis_title="singular value", margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=1.12))
    return fig


def chain(log10_norm: np.ndarray, title: str) -> go.Figure:
    """‖∂h_t/∂h_k‖₂ against distance on a log axis; an exactly zero chain is said in words."""
    d = np.arange(1, len(log10_norm) + 1)
    finite = np.isfinite(log10_norm)
    with np.errstate(under="ignore"):
        y = np.where(finite, np.power(10.0, np.where(finite, log10_norm, 0.0)), np.nan)
    fig = go.Figure(go.Scatter(x=d, y=y, mode="lines+markers", name="‖∂h_t/∂h_k‖₂",
                               line=dict(color=MODEL["GRU"], width=3),
                               hovertemplate="distance %{x}: %{y:.3e}<extra></extra>"))
    hline(fig, 1.0)
    if not finite.all():
        first = int(d[~finite][0])
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font=dict(size=16),
                           text=f"The chain is exactly 0 from distance {first} on: nothing flows further back.")
    fig.update_layout(title_text=title, height=320, xaxis_title="distance t − k (steps back)",
                      yaxis=dict(type="log", title="‖∂h_t/∂h_k‖₂", exponentformat="power"),
                      margin=dict(l=10, r=10, t=40, b=10))
    return fig
