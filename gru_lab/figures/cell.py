"""The GRU cell at one step, drawn as its equations: gates, candidate and the update's blend as nodes.

h(t−1) runs along the top to the blend, the gates read h(t−1) and x(t) from the bus on the left,
and the update is drawn as the operations it is made of: ⊙ for the reset, then 1 − z, two ⊙ and a +
following the active convention ("keep": h = z⊙h(t−1) + (1−z)⊙n; "take": h = (1−z)⊙h(t−1) + z⊙n).
Each value node is a strip of squares, one per unit, coloured by value. The figure draws one step:
a page-level Play moves every view of the page together.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from gru_core import GRURecord

from .colors import QUANTITY, SIGNED, gate_scale, signed_scale
from .marks import GUIDE

WINDOW = 16  # units drawn per strip: at H = 128 a full strip is squares of a pixel
STRIP = 2.4  # a strip's width, in diagram units
CELL_H = 0.36  # a square's height, in diagram units
X_RANGE, Y_RANGE = (-0.3, 15.3), (-0.7, 7.2)

# value nodes: centre, colour quantity, where the label sits (above or below the strip)
STRIPS = {
    "h_prev": ((1.3, 6.0), "h", "above"),
    "x": ((1.3, 0.8), "x", "below"),
    "z": ((5.0, 4.4), "z", "above"),
    "r": ((5.0, 2.4), "r", "above"),
    "n": ((9.2, 2.4), "n", "above"),
    "h": ((13.8, 6.0), "h", "above"),
}
TITLE = {"h_prev": "h(t−1)", "x": "x(t)", "r": "reset r", "z": "update z", "n": "candidate n", "h": "h(t)"}
BUS_X, RESET_X, SPLIT_X, BLEND_X = 3.0, 7.0, 9.4, 11.8  # the vertical wires' columns
TOP, Z_ROW, R_ROW, X_ROW = 6.0, 4.4, 2.4, 0.8


@dataclass(frozen=True)
class Layout:
    """Where everything is, in diagram units: pure data, so the tests can check that no wire crosses
    a label."""
    ops: dict[str, tuple[float, float, str]]  # name → (x, y, symbol)
    wires: list[list[tuple[float, float]]]  # polylines; each ends in an arrowhead unless it ends on a bus
    arrows: list[bool]  # per wire: draw an arrowhead at its end
    labels: list[tuple[float, float, str, str]]  # (x, y, text, yanchor)
    junctions: list[tuple[float, float]]


def _edge(node: str, side: str) -> tuple[float, float]:
    (cx, cy), _, _ = STRIPS[node]
    half_w, half_h = STRIP / 2, CELL_H  # two rows at most
    return {"left": (cx - half_w, cy), "right": (cx + half_w, cy), "bottom": (cx, cy - half_h)}[side]


def op_labels(update: str, reset_after: bool) -> dict[str, str]:
    """What each operation node computes, in the active convention."""
    keep = update == "keep"
    return {
        "reset": "r⊙(W_hn h + b)" if reset_after else "r⊙h(t−1)",
        "old": "z⊙h(t−1)" if keep else "(1−z)⊙h(t−1)",
        "new": "(1−z)⊙n" if keep else "z⊙n",
        "one_minus": "1 − z",
        "sum": "h(t)",
    }


def layout(update: str, reset_after: bool) -> Layout:
    keep = update == "keep"
    R = 0.28  # an operation node's radius, in diagram units (about 11 px on a phone)
    one_minus = (10.6, Z_ROW) if keep else (SPLIT_X, 5.2)  # on the branch whose weight is 1 − z
    ops = {"reset": (RESET_X, R_ROW, "⊙"), "old": (SPLIT_X, TOP, "⊙"), "sum": (BLEND_X, TOP, "+"),
           "new": (BLEND_X, Z_ROW, "⊙"), "one_minus": (*one_minus, "1−z")}
    o = {k: (x, y) for k, (x, y, _) in ops.items()}
    wires = [
        [_edge("h_prev", "right"), (o["old"][0] - R, TOP)],  # the memory lane
        [(BUS_X, TOP), (BUS_X, X_ROW)],  # the bus: h(t−1) down, x(t) joins at the bottom
        [_edge("x", "right"), (BUS_X, X_ROW)],
        [(BUS_X, Z_ROW), _edge("z", "left")],
        [(BUS_X, R_ROW), _edge("r", "left")],
        [(BUS_X, X_ROW), (STRIPS["n"][0][0], X_ROW), _edge("n", "bottom")],  # x(t) into the candidate
        [_edge("r", "right"), (o["reset"][0] - R, R_ROW)],
        [(RESET_X, TOP), (RESET_X, R_ROW + R)],  # h(t−1) into the reset product
        [(o["reset"][0] + R, R_ROW), _edge("n", "left")],
        [_edge("n", "right"), (BLEND_X, R_ROW), (BLEND_X, Z_ROW - R)],
        [(o["new"][0], Z_ROW + R), (BLEND_X, TOP - R)],
        [(o["old"][0] + R, TOP), (o["sum"][0] - R, TOP)],
        [(o["sum"][0] + R, TOP), _edge("h", "left")],
    ]
    arrows = [True, False, False, True, True, True, True, True, True, True, True, True, True]
    z_out = _edge("z", "right")
    if keep:  # z weighs the past directly; 1 − z weighs the candidate
        wires += [[z_out, (SPLIT_X, Z_ROW), (SPLIT_X, TOP - R)],
                  [(SPLIT_X, Z_ROW), (one_minus[0] - R, Z_ROW)], [(one_minus[0] + R, Z_ROW), (BLEND_X - R, Z_ROW)]]
    else:  # 1 − z weighs the past; z weighs the candidate directly
        wires += [[z_out, (SPLIT_X, Z_ROW), (SPLIT_X, one_minus[1] - R)],
                  [(SPLIT_X, one_minus[1] + R), (SPLIT_X, TOP - R)], [(SPLIT_X, Z_ROW), (BLEND_X - R, Z_ROW)]]
    arrows += [True, True, True]
    names = op_labels(update, reset_after)
    labels = [(RESET_X, R_ROW - 0.45, names["reset"], "top"), (SPLIT_X, TOP + 0.4, names["old"], "bottom"),
              (BLEND_X + 0.4, Z_ROW, names["new"], "left")]
    junctions = [(BUS_X, TOP), (BUS_X, Z_ROW), (BUS_X, R_ROW), (BUS_X, X_ROW), (RESET_X, TOP), (SPLIT_X, Z_ROW)]
    return Layout(ops, wires, arrows, labels, junctions)


def unit_window(H: int, unit: int, size: int = WINDOW) -> range:
    """The units a strip shows: all of them up to `size`, else `size` around the shown unit."""
    if H <= size:
        return range(H)
    start = min(max(unit - size // 2, 0), H - size)
    return range(start, start + size)


def _cells(node: str, values: np.ndarray, shown: range) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x edges, y edges, values grid, unit-number grid) of a strip, one or two rows, row 0 on top.

    Edges, not centres: a heatmap of one row given centres is one diagram unit tall."""
    (cx, cy), _, _ = STRIPS[node]
    n = len(shown)
    rows = 1 if n <= 3 else 2  # two rows of up to 8: squares twice as wide as one row of 16 would give
    cols = int(np.ceil(n / rows))
    w = STRIP / max(cols, 4)
    xs = cx + (np.arange(cols + 1) - cols / 2) * w
    ys = cy + (rows / 2 - np.arange(rows + 1)) * CELL_H
    grid = np.full(rows * cols, np.nan)
    who = np.full(rows * cols, np.nan)
    grid[:n] = values[list(shown)]
    who[:n] = list(shown)
    return xs, ys, grid.reshape(rows, cols), who.reshape(rows, cols)


def node_values(rec: GRURecord, t: int) -> dict[str, np.ndarray]:
    return {"h_prev": rec.h_prev[t], "x": rec.x[t], "z": rec.z[t], "r": rec.r[t], "n": rec.n[t], "h": rec.h[t]}


def op_values(rec: GRURecord, t: int, j: int) -> dict[str, float]:
    """Unit j's value at each operation node."""
    m = rec.model
    z, r, n, hp, h = rec.z[t, j], rec.r[t, j], rec.n[t, j], rec.h_prev[t, j], rec.h[t, j]
    g = z if m.update == "keep" else 1.0 - z  # the weight of the past
    return {"reset": r * (rec.a[t, j] if m.reset_after else hp), "old": g * hp, "new": (1.0 - g) * n,
            "one_minus": 1.0 - z, "sum": h}


def caption(H: int, I: int, unit: int) -> str:
    units = unit_window(H, unit)
    feats = unit_window(I, 0)
    which = (f"units {units.start}–{units.stop - 1} of {H}" if H > WINDOW else f"all {H} units")
    text = f"Squares: {which}, unit {unit} outlined and in numbers"
    if I > WINDOW:
        text += f"; x(t): features {feats.start}–{feats.stop - 1} of {I}"
    return text


def cell_diagram(rec: GRURecord, labels: tuple[str, ...], t: int, unit: int) -> go.Figure:
    """The cell at step t with live values; the numbers are unit `unit`'s."""
    T, H = rec.h.shape
    m = rec.model
    lay = layout(m.update, m.reset_after)
    fig = go.Figure()
    xs, ys = [], []
    for wire in lay.wires:
        xs += [p[0] for p in wire] + [None]
        ys += [p[1] for p in wire] + [None]
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=GUIDE, width=1.5), hoverinfo="skip",
                             name="wires"))
    for wire, arrow in zip(lay.wires, lay.arrows, strict=True):
        if arrow:
            (x0, y0), (x1, y1) = wire[-2], wire[-1]
            fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", text="",
                               showarrow=True, arrowhead=2, arrowsize=1.1, arrowwidth=1.5, arrowcolor=GUIDE,
                               standoff=0)
    fig.add_trace(go.Scatter(x=[p[0] for p in lay.junctions], y=[p[1] for p in lay.junctions], mode="markers",
                             marker=dict(size=6, color=GUIDE), hoverinfo="skip", name="junctions"))

    values = node_values(rec, t)
    x_max = float(np.abs(rec.x).max()) or 1.0  # inputs are unbounded: colour them on the data's own range
    for node, ((cx, cy), q, where) in STRIPS.items():
        v = values[node]
        shown = unit_window(len(v), unit if node != "x" else 0)
        cx_, cy_, grid, who = _cells(node, v, shown)
        lo, hi = (-x_max, x_max) if node == "x" else ((-1.0, 1.0) if q in SIGNED else (0.0, 1.0))
        text = [[f"{'feature' if node == 'x' else 'unit'} {int(u)}: {val:+.3f}" if np.isfinite(u) else ""
                 for u, val in zip(ur, vr, strict=True)] for ur, vr in zip(who, grid, strict=True)]
        fig.add_trace(go.Heatmap(
            x=cx_, y=cy_, z=grid, zmin=lo, zmax=hi, name=TITLE[node], customdata=who, text=text,
            colorscale=signed_scale(q) if q in SIGNED else gate_scale(q), showscale=False, xgap=1, ygap=1,
            hovertemplate=f"{TITLE[node]} %{{text}}<extra></extra>", hoverongaps=False,
        ))
        if node != "x" and unit in shown:  # the unit the numbers are about
            k = shown.index(unit)
            cols = grid.shape[1]
            col, row = k % cols, k // cols
            fig.add_shape(type="rect", x0=cx_[col], x1=cx_[col + 1], y0=cy_[row + 1], y1=cy_[row],
                          line=dict(color=QUANTITY["grad"], width=2.5))
        dy = CELL_H + 0.12
        value = "" if node == "x" else f"<br>{v[unit]:+.3f}"
        fig.add_annotation(x=cx, y=cy + dy if where == "above" else cy - dy, text=f"<b>{TITLE[node]}</b>{value}",
                           showarrow=False, yanchor="bottom" if where == "above" else "top",
                           font=dict(size=12, color=QUANTITY[q] if q != "x" else None))

    ops = op_values(rec, t, unit)
    names = op_labels(m.update, m.reset_after)
    fig.add_trace(go.Scatter(
        x=[p[0] for p in lay.ops.values()], y=[p[1] for p in lay.ops.values()], mode="markers+text",
        text=[p[2] for p in lay.ops.values()], textposition="middle center",
        textfont=dict(size=[10 if len(p[2]) > 1 else 13 for p in lay.ops.values()]),
        marker=dict(size=[28 if len(p[2]) > 1 else 22 for p in lay.ops.values()], color="rgba(158,158,158,0.18)",
                    line=dict(color=GUIDE, width=1.5)),
        customdata=[ops[k] for k in lay.ops], hovertext=[names[k] for k in lay.ops], name="operations",
        hovertemplate="%{hovertext} = %{customdata:+.3f}<extra>unit " + str(unit) + "</extra>",
    ))
    for x, y, text, anchor in lay.labels:
        key = next(k for k, v in names.items() if v == text)
        fig.add_annotation(x=x, y=y, text=f"{text}<br>{ops[key]:+.3f}", showarrow=False, font=dict(size=11),
                           xanchor="left" if anchor == "left" else "center",
                           yanchor="middle" if anchor == "left" else anchor)
    fig.add_annotation(x=0.5, y=0, xref="paper", yref="paper", yanchor="top", showarrow=False, font=dict(size=11),
                       text=caption(H, rec.x.shape[1], unit))
    fig.update_layout(
        title_text=_title(labels, t), height=460, showlegend=False, margin=dict(l=6, r=6, t=44, b=26),
        xaxis=dict(visible=False, range=list(X_RANGE), fixedrange=True),
        yaxis=dict(visible=False, range=list(Y_RANGE), fixedrange=True),
        meta={"current_step": t, "unit": unit, "units_shown": list(unit_window(H, unit))},
    )
    return fig


def _title(labels: tuple[str, ...], t: int) -> str:
    return f"Step {t + 1} of {len(labels)}: input “{labels[t]}”"
