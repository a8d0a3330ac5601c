"""Step-through figures: unit × time heatmaps, and the cell diagram (in .cell)."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..records import NAMES, quantities
from .cell import cell_diagram  # the page's figs.cell_diagram lives in .cell
from .colors import QUANTITY, SIGNED, gate_scale, signed_scale

__all__ = ["cell_diagram", "heatmaps", "step_ticks"]


def _axis_labels(labels: tuple[str, ...]) -> list[str]:
    return [f"{t + 1}·{w}" for t, w in enumerate(labels)]


MAX_TICKS = 12  # labelled steps on the time axis: rotated labels on a 390 px phone need ~25 px each


def step_ticks(T: int, key_steps: tuple[int, ...] = (), t: int | None = None) -> list[int]:
    """Which steps the time axis labels: every key step, the current one, and an even grid that keeps
    clear of them (a grid label next to a key step would run into it)."""
    every = max(1, int(np.ceil(T / MAX_TICKS)))
    must = sorted({k for k in key_steps if 0 <= k < T} | ({t} if t is not None and 0 <= t < T else set()))
    grid = [s for s in range(0, T, every) if every == 1 or all(4 * abs(s - k) >= 3 * every for k in must)]
    return sorted(set(grid) | set(must))


def heatmaps(rec, labels: tuple[str, ...], t: int | None, key_steps: tuple[int, ...] = ()) -> go.Figure:
    """Every gate and state (GRU: z, r, n, h) as unit × time heatmaps, one row each, step t outlined.

    `key_steps` (0-based, e.g. `gru_lab.text.key_steps`) are the steps the input's story is about:
    always labelled on the time axis, in bold, and marked ▼ above the top row.

    The rows share one x axis; the axes are laid out by hand (make_subplots costs more than
    the rest of the figure together, and this is redrawn on every step).
    """
    values = quantities(rec)
    order = tuple(values)
    steps = _axis_labels(labels)
    H = rec.h.shape[1]
    units = [f"unit {j}" for j in range(H)]
    gap, rows = 0.035, len(order)
    height = (1 - gap * (rows - 1)) / rows
    fig = go.Figure()
    axes = {}
    for i, q in enumerate(order):
        top = 1 - i * (height + gap)
        yname = "y" if i == 0 else f"y{i + 1}"
        signed = q in SIGNED
        top_value = max(float(np.abs(values[q]).max()), 1.0) if q == "c" else 1.0  # the cell state is unbounded
        fig.add_trace(go.Heatmap(
            z=values[q].T, x=steps, y=units, name=q, yaxis=yname,  # (H, T): units down, time across
            colorscale=signed_scale(q) if signed else gate_scale(q), zmin=-top_value if signed else 0,
            zmax=top_value,
            colorbar=dict(len=height, y=top - height / 2, yanchor="middle", thickness=12, title=q),
            hovertemplate=f"{q}: %{{z:.3f}}<br>%{{y}}<br>step %{{x}}<extra></extra>",
        ))
        axes[f"yaxis{'' if i == 0 else i + 1}"] = dict(
            domain=[max(top - height, 0.0), top], autorange="reversed", showticklabels=H <= 32, anchor="x",
            # in the theme's text colour: the LSTM's indigo i and wine f are unreadable on the dark theme
            title=dict(text=NAMES[q]),
        )
        if t is not None:  # the current step, outlined
            fig.add_shape(type="rect", xref="x", yref=f"{yname} domain", x0=t - 0.5, x1=t + 0.5, y0=0, y1=1,
                          line=dict(color=QUANTITY["grad"], width=3))
    keys = tuple(k for k in key_steps if 0 <= k < len(steps))
    shown = step_ticks(len(steps), keys, t)
    for k in keys:
        fig.add_annotation(x=steps[k], xref="x", y=1.0, yref="paper", yanchor="bottom", text="▼", showarrow=False,
                           hovertext=f"step {steps[k]}", font=dict(size=12))
    fig.update_layout(
        **axes, height=180 + (130 if rows > 1 else 300) * rows, margin=dict(l=10, r=10, t=24, b=10), showlegend=False,
        xaxis=dict(type="category", tickangle=-60, anchor=f"y{rows}", title_text="step · input", tickmode="array",
                   tickvals=[steps[i] for i in shown],
                   ticktext=[f"<b>{steps[i]}</b>" if i in keys else steps[i] for i in shown]),
        meta={"current_step": t, "key_steps": list(keys)},
    )
    return fig
