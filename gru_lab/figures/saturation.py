"""Saturation-lab figures: the step Jacobian as a matrix, its singular values, and its chain."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..compute import copy_term, rnn_term
from .colors import MODEL, QUANTITY, rgba, signed_scale
from .marks import GUIDE, hline, log_axis

MATRICES = ("exact ∂h_t/∂h_(t−1)", "frozen gates", "exact − frozen")  # trace names, shown on hover
TITLES = ("exact", "frozen gates", "difference")  # short: three side by side must fit a phone
ZERO = 1e-12  # below this a Jacobian entry or singular value is rounding, not signal


def colour_limit(*mats: np.ndarray) -> float:
    """The shared symmetric colour range ±lim. An all-zero matrix (the cut case) gets ±1, not ±1e-12,
    whose colour bar would read "1p, 0.5p, 0, −0.5p, −1p"."""
    top = max(float(np.abs(M).max()) for M in mats) if mats else 0.0
    return top if top > ZERO else 1.0


def _ticks(H: int) -> dict:
    """At most about 8 unit numbers per axis: a 390 px phone has room for no more."""
    return dict(tickmode="linear", tick0=0, dtick=max(1, int(np.ceil(H / 8))), showticklabels=True)


def _matrix_trace(M: np.ndarray, name: str, lim: float, showscale: bool, scale_title: str = "value") -> go.Heatmap:
    return go.Heatmap(z=M, zmin=-lim, zmax=lim, colorscale=signed_scale("grad"), name=name, showscale=showscale,
                      colorbar=dict(thickness=10, title=scale_title),
                      hovertemplate="row %{y}, col %{x}: %{z:.4f}<extra>" + name + "</extra>")


def scale_text(lim: float) -> str:
    """The difference panel's own colour range, as its colour bar and title say it."""
    return f"±{lim:.2g}"


def jacobian_panel(M: np.ndarray, which: int, lim: float, own_scale: bool = False) -> go.Figure:
    """One of the three matrices (which = 0 exact, 1 frozen gates, 2 difference) as its own figure.

    One figure each lets the page put them in columns, which Streamlit stacks on a phone: three
    subplots in one figure are ~60 px wide there. `own_scale`: the range ±lim is this matrix's own, not
    the one the other panels share, and the title and colour bar say so."""
    H = M.shape[0]
    # One line: a second one (a <sub>) overlapped the matrix's top row at the height a lesson stop gives it.
    title = MATRICES[which] + (f" (own scale {scale_text(lim)})" if own_scale else "")
    fig = go.Figure(_matrix_trace(M, MATRICES[which], lim, showscale=True,
                                  scale_title=scale_text(lim) if own_scale else "value"))
    fig.update_xaxes(title_text="unit of h(t−1)", constrain="domain", **_ticks(H))
    fig.update_yaxes(title_text="unit of h(t)", autorange="reversed", scaleanchor="x", constrain="domain", **_ticks(H))
    fig.update_layout(title=dict(text=title, x=0.5, xanchor="center"), height=320,
                      margin=dict(l=10, r=10, t=40, b=10))
    if not np.any(np.abs(M) > ZERO):  # a flat grey square reads as an empty chart: say what it is
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, text="every entry<br>is 0",
                           bgcolor="rgba(255,255,255,0.85)", font=dict(size=14, color="#262626"))
    return fig


def jacobian_panels(J: np.ndarray, J_frozen: np.ndarray) -> list[go.Figure]:
    """Exact and frozen-gate on one symmetric colour scale, one figure each; their difference on its own,
    symmetric around 0 and as wide as its largest entry: on the shared scale a difference of 0.05 beside
    entries of 0.5 draws nearly white, as if there were none."""
    lim = colour_limit(J, J_frozen)
    diff = J - J_frozen
    return [jacobian_panel(J, 0, lim), jacobian_panel(J_frozen, 1, lim),
            jacobian_panel(diff, 2, colour_limit(diff), own_scale=True)]


def jacobian_matrices(J: np.ndarray, J_frozen: np.ndarray) -> go.Figure:
    """Exact, frozen-gate and their difference side by side in one figure, on one symmetric colour scale
    (on a phone prefer `jacobian_panels`)."""
    mats = (J, J_frozen, J - J_frozen)
    lim = colour_limit(*mats)
    fig = make_subplots(rows=1, cols=3, subplot_titles=TITLES, horizontal_spacing=0.05)
    H = J.shape[0]
    for i, (name, M) in enumerate(zip(MATRICES, mats, strict=True), start=1):
        fig.add_trace(_matrix_trace(M, name, lim, showscale=i == 3), row=1, col=i)
        fig.update_xaxes(title_text="unit of h(t−1)" if i == 2 else None, row=1, col=i, constrain="domain",
                         **_ticks(H))
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{'' if i == 1 else i}", constrain="domain",
                         row=1, col=i, title_text="unit of h(t)" if i == 1 else None, **_ticks(H))
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
    zero = [name for name, s in (("exact", sv), ("frozen-gate", sv_frozen)) if len(s) and np.abs(s).max() <= ZERO]
    if zero:  # zero-height bars are invisible: say it, or the chart looks broken
        whose = "exact and frozen-gate" if len(zero) == 2 else zero[0]
        fig.add_annotation(x=0.5, y=0.45, xref="paper", yref="paper", showarrow=False, font=dict(size=14),
                           text=f"All {whose}<br>singular values are 0:<br>this step passes nothing back.")
    fig.update_layout(barmode="group", height=300, xaxis_title="singular value index",
                      yaxis=dict(title="singular value", rangemode="tozero",
                                 range=[0, 1.2] if len(zero) == 2 else None),  # all 0: keep the σ = 1 line in view
                      margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12))
    return fig


def _norms(log10_norm: np.ndarray) -> np.ndarray:
    """10^log10, with NaN where the chain is exactly 0 (a log axis cannot draw 0)."""
    finite = np.isfinite(log10_norm)
    with np.errstate(under="ignore"):
        return np.where(finite, np.power(10.0, np.where(finite, log10_norm, 0.0)), np.nan)


def chain(log10_norm: np.ndarray, title: str, mark: tuple[int, str] | None = None,
          scale_with: np.ndarray | None = None) -> go.Figure:
    """‖∂h_t/∂h_k‖₂ against distance on a log axis; an exactly zero chain is said in words.

    mark: (distance, label), a dotted line at one distance. scale_with: another chain (log10) whose
    values the y axis must also span, so two charts set side by side read on the same scale."""
    d = np.arange(1, len(log10_norm) + 1)
    finite = np.isfinite(log10_norm)
    y = _norms(log10_norm)
    fig = go.Figure(go.Scatter(x=d, y=y, mode="lines+markers", name="‖∂h_t/∂h_k‖₂",
                               line=dict(color=MODEL["GRU"], width=3),
                               hovertemplate="distance %{x}: %{y:.3e}<extra></extra>"))
    hline(fig, 1.0)
    if not finite.all():
        first = int(d[~finite][0])
        # short lines, centred above the σ = 1 line: one long line is clipped on a phone and runs over the axis title
        fig.add_annotation(x=0.5, y=0.8, xref="paper", yref="paper", xanchor="center", showarrow=False,
                           font=dict(size=14), text=f"The chain is<br>exactly 0 from distance {first} on:<br>"
                                                    "nothing flows further back<br>(a log axis cannot draw 0).")
    if mark is not None:
        fig.add_vline(x=mark[0], line=dict(dash="dot", color=GUIDE))
        fig.add_annotation(x=mark[0], y=0.05, yref="paper", text=mark[1], showarrow=False, xanchor="left",
                           font=dict(color=GUIDE, size=12))
    other = () if scale_with is None else (_norms(scale_with),)
    fig.update_layout(title_text=title, height=320, xaxis_title="distance t − k (steps back)",
                      yaxis=log_axis(y, 1.0, *other, title="‖∂h_t/∂h_k‖₂"), margin=dict(l=10, r=10, t=40, b=10))
    return fig


def copy_names(update: str) -> tuple[str, str]:
    """Trace names: the GRU's copy path under this convention, and the tanh RNN step beside it."""
    return ("GRU copy path diag(z)" if update == "keep" else "GRU copy path diag(1 − z)",
            "tanh RNN diag(1 − h²) W_hh")


def copy_path(z: np.ndarray, h: np.ndarray, W_hn: np.ndarray, update: str) -> go.Figure:
    """The GRU step's additive copy path beside the Jacobian of a tanh RNN step that landed on the same
    h with W_hh = W_hn: two heatmaps on one symmetric colour scale.

    The RNN has no copy path, so its whole Jacobian is the squashed matrix product; the GRU adds a
    diagonal that passes each unit's past on by its own gate, whatever W_hn does."""
    C, R = copy_term(z, update), rnn_term(h, W_hn)
    lim = colour_limit(C, R)
    names = copy_names(update)
    fig = make_subplots(rows=1, cols=2, subplot_titles=("GRU: " + names[0].removeprefix("GRU copy path "),
                                                        "RNN: diag(1 − h²) W_hh"),
                        horizontal_spacing=0.08)
    H = C.shape[0]
    for i, (name, M) in enumerate(zip(names, (C, R), strict=True), start=1):
        fig.add_trace(_matrix_trace(M, name, lim, showscale=i == 2), row=1, col=i)
        fig.update_xaxes(title_text="unit of h(t−1)", row=1, col=i, constrain="domain", **_ticks(H))
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{'' if i == 1 else i}", constrain="domain",
                         row=1, col=i, title_text="unit of h(t)" if i == 1 else None, **_ticks(H))
    fig.update_layout(height=320, margin=dict(l=10, r=10, t=40, b=10))
    return fig
