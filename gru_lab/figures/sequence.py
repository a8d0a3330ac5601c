"""Step-through figures: unit × time heatmaps and the animated cell diagram."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gru_core import GRURecord

from ..records import NAMES, quantities
from .colors import QUANTITY, SIGNED, gate_scale, signed_scale


def _axis_labels(labels: tuple[str, ...]) -> list[str]:
    return [f"{t + 1}·{w}" for t, w in enumerate(labels)]


def heatmaps(rec, labels: tuple[str, ...], t: int | None) -> go.Figure:
    """Every gate and state (GRU: z, r, n, h) as unit × time heatmaps, one row each, step t outlined.

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
            title=dict(text=NAMES[q], font=dict(color=QUANTITY[q])),
        )
        if t is not None:  # the current step, outlined
            fig.add_shape(type="rect", xref="x", yref=f"{yname} domain", x0=t - 0.5, x1=t + 0.5, y0=0, y1=1,
                          line=dict(color=QUANTITY["grad"], width=3))
    fig.update_layout(
        **axes, height=180 + (130 if rows > 1 else 300) * rows, margin=dict(l=10, r=10, t=20, b=10), showlegend=False,
        xaxis=dict(type="category", tickangle=-60, anchor=f"y{rows}", title_text="step · input",
                   nticks=min(len(steps), 24)),
        meta={"current_step": t},
    )
    return fig


# ---- the cell diagram ---------------------------------------------------------------------------
class FramedFigure(go.Figure):
    """A Figure whose animation frames stay plain dicts until serialised.

    Plotly validates every trace of every frame on assignment, about 2 ms a frame: for a 500-step
    sequence that is more than the rest of the page together, on every rerun. The frames here only
    restyle traces (colours, text) that the base figure already validated, so they skip it.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._raw_frames: list[dict] = []

    @property
    def raw_frames(self) -> list[dict]:
        return self._raw_frames

    @raw_frames.setter
    def raw_frames(self, frames: list[dict]) -> None:
        self._raw_frames = frames

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["frames"] = self._raw_frames
        return out


# Where each quantity sits: h_{t−1} enters on the left, x_t from below, h_t leaves on the right.
NODES = {"h_prev": (0.0, 3.0), "x": (0.0, 0.0), "r": (2.2, 1.0), "z": (2.2, 4.0), "n": (4.4, 1.0), "h": (6.6, 3.0)}
NODE_TITLE = {"h_prev": "h(t−1)", "x": "x(t)", "r": "reset r", "z": "update z", "n": "candidate n", "h": "h(t)"}
NODE_COLOR = {"h_prev": "h", "x": "x", "r": "r", "z": "z", "n": "n", "h": "h"}
EDGES = (("h_prev", "r"), ("h_prev", "z"), ("h_prev", "n"), ("x", "r"), ("x", "z"), ("x", "n"),
         ("r", "n"), ("z", "h"), ("n", "h"), ("h_prev", "h"))
STRIP = 1.6  # width of a node's strip of unit squares, in diagram units


def _node_values(rec: GRURecord) -> dict[str, np.ndarray]:
    """Each node's values at every step, (T, width)."""
    return {"h_prev": rec.h_prev, "x": rec.x, "r": rec.r, "z": rec.z, "n": rec.n, "h": rec.h}


def _strip_x(node: str, width: int) -> np.ndarray:
    cx = NODES[node][0]
    return cx + (np.arange(width) - (width - 1) / 2) * (STRIP / max(width, 1))


def _unit_text(rec: GRURecord, t: int, unit: int) -> list[str]:
    vals = {"h_prev": rec.h_prev[t, unit], "r": rec.r[t, unit], "z": rec.z[t, unit], "n": rec.n[t, unit],
            "h": rec.h[t, unit]}
    return [f"{NODE_TITLE[k]}<br>unit {unit}: {vals[k]:+.3f}" if k in vals else f"{NODE_TITLE[k]}" for k in NODES]


def _segmented_scale() -> list[list]:
    """One colour scale made of six segments, node k's own scale on [k, k+1]/6.

    All strips then fit in a single numeric trace, which keeps the per-frame payload (and Plotly's
    validation of it) small: two traces a frame instead of seven.
    """
    scale = []
    for k, node in enumerate(NODES):
        q = NODE_COLOR[node]
        seg = signed_scale(q) if q in SIGNED else gate_scale(q)
        for pos, color in seg:
            scale.append([(k + pos * 0.999) / len(NODES), color])
    scale[-1][0] = 1.0
    return scale


def _segment_values(nodes: dict[str, np.ndarray]) -> np.ndarray:
    """(T, points): every node's values mapped into its own segment [k, k+1) of the combined scale."""
    x_max = float(np.abs(nodes["x"]).max()) or 1.0  # inputs are not bounded: scale their colours to the data
    parts = []
    for k, (node, v) in enumerate(nodes.items()):
        q = NODE_COLOR[node]
        lo, hi = (-x_max, x_max) if node == "x" else (-1.0 if q in SIGNED else 0.0, 1.0)
        parts.append(k + 0.999 * np.clip((v - lo) / (hi - lo), 0.0, 1.0))
    return np.round(np.concatenate(parts, axis=1), 4)


def cell_diagram(rec: GRURecord, labels: tuple[str, ...], t: int, unit: int) -> go.Figure:
    """The cell with live values: each node is a strip of squares (one per unit) coloured by value.

    Frames hold every step, so Plotly's own play button animates it in the browser.
    """
    T, H = rec.h.shape
    fig = FramedFigure()
    for a, b in EDGES:
        (x0, y0), (x1, y1) = NODES[a], NODES[b]
        fig.add_annotation(x=x1, y=y1 + (0.35 if y1 < y0 else -0.35 if y1 > y0 else 0), ax=x0, ay=y0,
                           xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=3,
                           arrowsize=1.2, arrowwidth=1.5, arrowcolor="#9E9E9E", opacity=0.8, text="")
    nodes = _node_values(rec)
    sizes = {node: v.shape[1] for node, v in nodes.items()}
    xs = np.concatenate([_strip_x(node, w) for node, w in sizes.items()])
    ys = np.concatenate([np.full(w, NODES[node][1]) for node, w in sizes.items()])
    who = [f"{NODE_TITLE[node]} unit {j}" for node, w in sizes.items() for j in range(w)]
    colors = _segment_values(nodes)  # (T, points)
    raw = np.round(np.concatenate(list(nodes.values()), axis=1), 3)  # (T, points) for hover
    fig.add_trace(go.Scatter(
        x=xs, y=ys, mode="markers", name="units", customdata=raw[t], text=who,
        marker=dict(symbol="square", size=max(4, min(18, int(300 / max(H, 1)))), color=colors[t],
                    colorscale=_segmented_scale(), cmin=0, cmax=len(NODES), line=dict(width=0.5, color="#9E9E9E")),
        hovertemplate="%{text}: %{customdata:.3f}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(  # labels above the upper strips, below the lower ones, clear of the arrows
        x=[p[0] for p in NODES.values()], y=[p[1] + (0.7 if p[1] > 1.5 else -0.75) for p in NODES.values()],
        mode="text",
        text=_unit_text(rec, t, unit), textfont=dict(size=14), hoverinfo="skip", name="values",
    ))
    fig.raw_frames = [
        dict(name=str(s), traces=[0, 1], layout=dict(title=dict(text=_title(labels, s))), data=[
            dict(type="scatter", marker=dict(color=colors[s]), customdata=raw[s]),
            dict(type="scatter", text=_unit_text(rec, s, unit)),
        ]) for s in range(T)
    ]
    fig.update_layout(
        title_text=_title(labels, t), height=430, showlegend=False, margin=dict(l=10, r=10, t=50, b=10),
        xaxis=dict(visible=False, range=[-1.2, 7.8]), yaxis=dict(visible=False, range=[-1.4, 5.2]),
        updatemenus=[dict(
            type="buttons", direction="left", x=0.0, y=-0.02, xanchor="left", yanchor="top", showactive=False,
            buttons=[
                dict(label="Play ▶", method="animate",
                     args=[None, dict(frame=dict(duration=450, redraw=True), transition=dict(duration=0),
                                      fromcurrent=True, mode="immediate")]),
                dict(label="Pause", method="animate",
                     args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")]),
            ],
        )],
        sliders=[dict(
            active=t, x=0.32, len=0.68, y=-0.02, yanchor="top", currentvalue=dict(visible=False),
            steps=[dict(label=str(s + 1), method="animate",
                        args=[[str(s)], dict(frame=dict(duration=0, redraw=True), mode="immediate")])
                   for s in range(T)],
        )],
        meta={"current_step": t, "unit": unit},
    )
    return fig


def _title(labels: tuple[str, ...], t: int) -> str:
    return f"Step {t + 1} of {len(labels)}: input “{labels[t]}”"
