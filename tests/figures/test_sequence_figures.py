"""Step-through figures: the z/r/n/h heatmaps and the cell diagram."""
from __future__ import annotations

import re

import numpy as np
import pytest

from gru_lab import compute
from gru_lab.figures import cell, sequence
from gru_lab.figures.colors import NEGATIVE, QUANTITY, SIGNED
from gru_lab.settings import Settings
from gru_lab.text import key_steps

from .figtools import by_name, decode, last_color, spec

ORDER = ("z", "r", "n", "h")


# ---- heatmaps -----------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [0, 7, 33])
def test_heatmaps_traces_hold_the_record(words, t):
    seq, rec = words
    fig = sequence.heatmaps(rec, seq.labels, t)
    assert [d.type for d in fig.data] == ["heatmap"] * 4
    assert [d.name for d in fig.data] == list(ORDER)
    T, H = rec.h.shape
    for d in fig.data:
        np.testing.assert_array_equal(np.asarray(d.z), getattr(rec, d.name).T)  # units down, time across
        assert list(d.x) == [f"{i + 1}·{w}" for i, w in enumerate(seq.labels)]
        assert list(d.y) == [f"unit {j}" for j in range(H)]
        assert "%{z" in d.hovertemplate and "%{x}" in d.hovertemplate


@pytest.mark.parametrize("t", [0, 7, 33])
def test_heatmaps_mark_the_current_step(words, t):
    seq, rec = words
    fig = spec(sequence.heatmaps(rec, seq.labels, t))
    assert fig["layout"]["meta"]["current_step"] == t
    shapes = fig["layout"]["shapes"]
    assert len(shapes) == 4, "one outline per row"
    for s in shapes:
        assert (s["x0"], s["x1"]) == (t - 0.5, t + 0.5)
        assert s["xref"] == "x"
        assert s["line"]["color"] == QUANTITY["grad"]
    assert sorted(s["yref"] for s in shapes) == sorted({s["yref"] for s in shapes}), "each row outlined once"


def test_heatmaps_axes_and_colours(words):
    seq, rec = words
    fig = sequence.heatmaps(rec, seq.labels, 3)
    assert fig.layout.xaxis.type == "category"
    for d in fig.data:
        q = d.name
        scale = [list(c) for c in d.colorscale]
        assert last_color(scale) == QUANTITY[q], f"{q} is drawn in its own colour"
        if q in SIGNED:
            assert (d.zmin, d.zmax) == (-1, 1) and scale[0][1] == NEGATIVE
        else:
            assert (d.zmin, d.zmax) == (0, 1)
    # each row sits on its own y axis, reversed so unit 0 is on top
    yaxes = {d.yaxis or "y" for d in fig.data}
    assert len(yaxes) == 4
    for name in yaxes:
        axis = fig.layout[name.replace("y", "yaxis", 1)]
        assert axis.autorange == "reversed"


def test_heatmaps_size_follows_H_and_T(numbers):
    seq, rec = numbers
    fig = sequence.heatmaps(rec, seq.labels, 0)
    for d in fig.data:
        assert np.asarray(d.z).shape == (4, 56)
    assert list(fig.data[0].x)[:2] == [f"1·{seq.labels[0]}", f"2·{seq.labels[1]}"]


@pytest.mark.parametrize(("preset", "words"), [("clue", ["umbrella", "dry"]),
                                               ("verdict_end", ["honestly", "terrible"])])
def test_heatmaps_label_and_mark_the_key_steps(preset, words):
    """Regression: only every other step was labelled, so 'umbrella' (4) and 'dry' (34) never appeared."""
    seq, rec = compute.step_record(Settings(preset=preset))
    keys = key_steps(preset, seq)
    fig = spec(sequence.heatmaps(rec, seq.labels, 10, keys))
    x = fig["layout"]["xaxis"]
    for t, w in zip(keys, words, strict=True):
        assert f"{t + 1}·{w}" in x["tickvals"]
        assert f"<b>{t + 1}·{w}</b>" in x["ticktext"]
    assert "11·" + seq.labels[10] in x["tickvals"], "the current step is labelled too"
    marks = [a for a in fig["layout"]["annotations"] if a["text"] == "▼"]
    assert sorted(a["x"] for a in marks) == sorted(f"{t + 1}·{seq.labels[t]}" for t in keys)
    assert fig["layout"]["meta"]["key_steps"] == list(keys)


def test_heatmaps_label_the_adding_markers():
    """Regression: on the adding preset the two marked steps could not be found on the axis."""
    seq, rec = compute.step_record(Settings(preset="adding"))
    keys = key_steps("adding", seq)
    assert len(keys) == 2
    ticks = spec(sequence.heatmaps(rec, seq.labels, 0, keys))["layout"]["xaxis"]["tickvals"]
    for t in keys:
        assert seq.x[t, 1] == 1.0 and f"{t + 1}·{seq.labels[t]}" in ticks


@pytest.mark.parametrize("T", [5, 34, 56, 500])
def test_step_ticks_stay_few_and_clear_of_the_key_steps(T):
    """Rotated labels overlapped on a phone: at most MAX_TICKS grid labels, none crowding a key step."""
    keys = tuple(k for k in (3, 4, 33) if k < T)
    ticks = sequence.step_ticks(T, keys, t=T // 2)
    assert set(keys) <= set(ticks) and T // 2 in ticks
    grid = [s for s in ticks if s not in keys and s != T // 2]
    assert len(grid) <= sequence.MAX_TICKS
    every = max(1, int(np.ceil(T / sequence.MAX_TICKS)))
    if every > 1:
        assert all(4 * abs(g - k) >= 3 * every for g in grid for k in (*keys, T // 2))


def test_heatmaps_without_key_steps_still_work(words):
    seq, rec = words
    fig = spec(sequence.heatmaps(rec, seq.labels, 3))
    assert fig["layout"]["meta"]["key_steps"] == []
    assert not [a for a in fig["layout"].get("annotations", []) if a["text"] == "▼"]


# ---- cell diagram -------------------------------------------------------------------------------
NODE_TITLES = ("h(t−1)", "x(t)", "update z", "reset r", "candidate n", "h(t)")
PHONE_W, PHONE_H = 358, 460  # px: a 390 px phone's content width, and the figure's height


def node(fig_spec: dict, title: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, unit numbers) of one node's squares, NaN padding dropped."""
    d = by_name(fig_spec, title)
    z, who = decode(d["z"]).astype(float).ravel(), decode(d["customdata"]).astype(float).ravel()
    keep = np.isfinite(who)
    return z[keep], who[keep].astype(int)


@pytest.mark.parametrize(("t", "unit"), [(0, 0), (5, 3), (33, 7)])
def test_cell_diagram_draws_one_step_without_animation(words, t, unit):
    """Issue 12 item 4: the diagram's own Play animated it alone while the page stayed at the old
    step. It now draws exactly one step; the page moves every view together."""
    seq, rec = words
    fig = spec(sequence.cell_diagram(rec, seq.labels, t, unit))
    assert not fig.get("frames")
    assert "sliders" not in fig["layout"] and "updatemenus" not in fig["layout"]
    assert fig["layout"]["meta"]["current_step"] == t and fig["layout"]["meta"]["unit"] == unit
    assert fig["layout"]["title"]["text"] == f"Step {t + 1} of 34: input “{seq.labels[t]}”"


def test_cell_diagram_shows_the_record_at_step_t(words):
    seq, rec = words
    t, unit = 5, 3
    fig = spec(sequence.cell_diagram(rec, seq.labels, t, unit))
    for title, values in zip(NODE_TITLES, (rec.h_prev, rec.x, rec.z, rec.r, rec.n, rec.h), strict=True):
        z, who = node(fig, title)
        np.testing.assert_allclose(z, values[t][who])
        assert list(who) == list(range(values.shape[1]))
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    for title, v in (("reset r", rec.r), ("update z", rec.z), ("h(t)", rec.h)):
        assert f"<b>{title}</b><br>{v[t, unit]:+.3f}" in texts


@pytest.mark.parametrize(("update", "reset_after"), [("keep", True), ("take", True), ("keep", False), ("take", False)])
def test_cell_diagram_draws_the_update_equation(update, reset_after):
    """Regression: the blend (⊙, 1 − z, +) was not drawn. The operation nodes carry unit j's values, and
    their names follow the convention: keep h = z⊙h(t−1) + (1−z)⊙n, take h = (1−z)⊙h(t−1) + z⊙n."""
    seq, rec = compute.step_record(Settings(update=update, reset_after=reset_after))
    t, j = 7, 2
    fig = spec(sequence.cell_diagram(rec, seq.labels, t, j))
    ops = by_name(fig, "operations")
    value = dict(zip(ops["hovertext"], decode(ops["customdata"]).astype(float), strict=True))
    z, r, n, hp, h = rec.z[t, j], rec.r[t, j], rec.n[t, j], rec.h_prev[t, j], rec.h[t, j]
    old, new = ("z⊙h(t−1)", "(1−z)⊙n") if update == "keep" else ("(1−z)⊙h(t−1)", "z⊙n")
    w_old = z if update == "keep" else 1 - z
    assert value[old] == pytest.approx(w_old * hp) and value[new] == pytest.approx((1 - w_old) * n)
    assert value[old] + value[new] == pytest.approx(h) and value["h(t)"] == pytest.approx(h)
    assert value["1 − z"] == pytest.approx(1 - z)
    reset = "r⊙(W_hn h + b)" if reset_after else "r⊙h(t−1)"
    assert value[reset] == pytest.approx(r * (rec.a[t, j] if reset_after else hp))
    assert sorted(ops["text"]) == sorted(["⊙", "⊙", "⊙", "+", "1−z"])
    # 1 − z sits on the wire into the product it weighs
    lay = cell.layout(update, reset_after)
    x1z, y1z, _ = lay.ops["one_minus"]
    target = lay.ops["new" if update == "keep" else "old"]
    into = [w for w in lay.wires if np.hypot(w[0][0] - x1z, w[0][1] - y1z) < 0.5]
    assert len(into) == 1 and np.hypot(into[0][-1][0] - target[0], into[0][-1][1] - target[1]) < 0.5


def _label_boxes(fig_spec: dict) -> list[tuple[float, float, float, float, str]]:
    """Each data-anchored text's box (x0, x1, y0, y1) in diagram units, as drawn on a phone."""
    layout = fig_spec["layout"]
    (xa, xb), (ya, yb) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    m = layout["margin"]
    px_x = (PHONE_W - m["l"] - m["r"]) / (xb - xa)
    px_y = (PHONE_H - m["t"] - m["b"]) / (yb - ya)
    boxes = []
    for a in layout["annotations"]:
        if a.get("showarrow", True) or a.get("xref", "x") != "x":
            continue
        size = a.get("font", {}).get("size", 12)
        lines = re.sub(r"</?b>", "", a["text"]).split("<br>")
        w = max(len(s) for s in lines) * 0.6 * size / px_x
        h = len(lines) * 1.3 * size / px_y
        x0 = {"left": a["x"], "right": a["x"] - w}.get(a.get("xanchor"), a["x"] - w / 2)
        y0 = {"bottom": a["y"], "top": a["y"] - h}.get(a.get("yanchor"), a["y"] - h / 2)
        boxes.append((x0, x0 + w, y0, y0 + h, lines[0]))
    return boxes


def _crosses(p, q, box) -> bool:
    """Does segment p–q (horizontal or vertical, as every wire is) pass through the box?"""
    x0, x1, y0, y1, _ = box
    (px, py), (qx, qy) = p, q
    return min(px, qx) < x1 and max(px, qx) > x0 and min(py, qy) < y1 and max(py, qy) > y0


@pytest.mark.parametrize(("update", "reset_after"), [("keep", True), ("take", False)])
@pytest.mark.parametrize("H", [4, 8, 128])
def test_cell_diagram_wires_keep_clear_of_labels(update, reset_after, H):
    """Regression: arrows crossed 'reset r', 'candidate n' and the value labels. No wire may pass through a
    label, sized as a 390 px phone draws it."""
    seq, rec = compute.step_record(Settings(update=update, reset_after=reset_after, hidden_size=H))
    fig = spec(sequence.cell_diagram(rec, seq.labels, 4, H // 2))
    wires = by_name(fig, "wires")
    xs, ys = list(wires["x"]), list(wires["y"])
    segments = [((xs[i], ys[i]), (xs[i + 1], ys[i + 1])) for i in range(len(xs) - 1)
                if xs[i] is not None and xs[i + 1] is not None]
    assert all(p[0] == q[0] or p[1] == q[1] for p, q in segments), "wires run across and up, never diagonal"
    boxes = _label_boxes(fig)
    assert len(boxes) >= 9  # six strips and three operation labels
    for p, q in segments:
        for box in boxes:
            assert not _crosses(p, q, box), (p, q, box[4])


@pytest.mark.parametrize(("update", "reset_after"), [("keep", True), ("take", True)])
def test_cell_diagram_operation_nodes_do_not_touch_on_a_phone(update, reset_after):
    seq, rec = compute.step_record(Settings(update=update, reset_after=reset_after))
    fig = spec(sequence.cell_diagram(rec, seq.labels, 0, 0))
    ops = by_name(fig, "operations")
    layout = fig["layout"]
    (xa, xb), (ya, yb) = layout["xaxis"]["range"], layout["yaxis"]["range"]
    m = layout["margin"]
    sx, sy = (PHONE_W - m["l"] - m["r"]) / (xb - xa), (PHONE_H - m["t"] - m["b"]) / (yb - ya)
    pts = [(x * sx, y * sy, s / 2) for x, y, s in zip(ops["x"], ops["y"], ops["marker"]["size"], strict=True)]
    for i, (x1, y1, r1) in enumerate(pts):
        for x2, y2, r2 in pts[i + 1:]:
            assert np.hypot(x1 - x2, y1 - y2) > r1 + r2


def test_cell_diagram_at_H_128_shows_the_unit_and_its_neighbours():
    """Regression: at H = 128 the strips collapsed to hairlines. Each strip shows 16 units around the shown
    one, and the caption says which."""
    seq, rec = compute.step_record(Settings(hidden_size=128))
    t, unit = 3, 70
    fig = spec(sequence.cell_diagram(rec, seq.labels, t, unit))
    for title, values in (("h(t−1)", rec.h_prev), ("update z", rec.z), ("h(t)", rec.h)):
        z, who = node(fig, title)
        assert list(who) == list(range(62, 78))
        np.testing.assert_allclose(z, values[t][who])
    assert fig["layout"]["meta"]["units_shown"] == list(range(62, 78))
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert any(s.startswith("Squares: units 62–77 of 128, unit 70 outlined") for s in texts)
    (outline,) = [s for s in fig["layout"]["shapes"] if s["type"] == "rect"][:1]
    assert outline["line"]["color"] == QUANTITY["grad"]
    assert cell.unit_window(128, 0) == range(0, 16) and cell.unit_window(128, 127) == range(112, 128)
    assert cell.unit_window(8, 5) == range(8)


def test_cell_diagram_colours_follow_the_palette(words):
    """Every strip is drawn on its own quantity's scale (z blue, r orange, n green, h purple)."""
    seq, rec = words
    fig = spec(sequence.cell_diagram(rec, seq.labels, 4, 0))
    quantity = {"h(t−1)": "h", "x(t)": "x", "reset r": "r", "update z": "z", "candidate n": "n", "h(t)": "h"}
    for title, q in quantity.items():
        d = by_name(fig, title)
        assert last_color(d["colorscale"]) == QUANTITY[q]
        if q in SIGNED:
            assert d["colorscale"][0][1] == NEGATIVE and d["zmin"] == -d["zmax"]
        else:
            assert (d["zmin"], d["zmax"]) == (0, 1)


def test_cell_diagram_numbers_input_has_one_x_square(numbers):
    seq, rec = numbers
    fig = spec(sequence.cell_diagram(rec, seq.labels, 2, 1))
    z, _ = node(fig, "x(t)")
    np.testing.assert_allclose(z, rec.x[2])
    assert len(node(fig, "update z")[0]) == 4
