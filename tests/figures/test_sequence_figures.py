"""Step-through figures: the z/r/n/h heatmaps and the animated cell diagram."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab.figures import sequence
from gru_lab.figures.colors import NEGATIVE, QUANTITY, SIGNED

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


# ---- cell diagram -------------------------------------------------------------------------------
NODE_TITLES = ("h(t−1)", "x(t)", "reset r", "update z", "candidate n", "h(t)")


def node_values(trace_spec: dict, title: str, customdata=None) -> np.ndarray:
    labels = trace_spec["text"]
    data = decode(trace_spec["customdata"] if customdata is None else customdata).astype(float)
    return data[[i for i, s in enumerate(labels) if s.startswith(f"{title} unit ")]]


@pytest.mark.parametrize(("t", "unit"), [(0, 0), (5, 3), (33, 7)])
def test_cell_diagram_frames_and_slider(words, t, unit):
    seq, rec = words
    T = len(seq.labels)
    fig = spec(sequence.cell_diagram(rec, seq.labels, t, unit))
    frames = fig["frames"]
    assert len(frames) == T
    assert [f["name"] for f in frames] == [str(s) for s in range(T)]
    (slider,) = fig["layout"]["sliders"]
    assert slider["active"] == t
    assert len(slider["steps"]) == T
    assert [s["args"][0] for s in slider["steps"]] == [[str(s)] for s in range(T)]
    assert fig["layout"]["meta"] == {"current_step": t, "unit": unit}
    assert fig["layout"]["title"]["text"] == f"Step {t + 1} of {T}: input “{seq.labels[t]}”"
    buttons = fig["layout"]["updatemenus"][0]["buttons"]
    assert [b["method"] for b in buttons] == ["animate", "animate"]


def test_cell_diagram_shows_the_record_at_step_t(words):
    seq, rec = words
    t, unit = 5, 3
    fig = spec(sequence.cell_diagram(rec, seq.labels, t, unit))
    units = by_name(fig, "units")
    for title, values in zip(NODE_TITLES, (rec.h_prev, rec.x, rec.r, rec.z, rec.n, rec.h), strict=True):
        np.testing.assert_allclose(node_values(units, title), values[t], atol=5e-4)
    text = by_name(fig, "values")["text"]
    assert f"reset r<br>unit {unit}: {rec.r[t, unit]:+.3f}" in text
    assert f"update z<br>unit {unit}: {rec.z[t, unit]:+.3f}" in text
    assert f"h(t)<br>unit {unit}: {rec.h[t, unit]:+.3f}" in text
    assert "%{" in units["hovertemplate"]


def test_cell_diagram_every_frame_holds_its_own_step(words):
    seq, rec = words
    fig = spec(sequence.cell_diagram(rec, seq.labels, 0, 2))
    base = by_name(fig, "units")
    for s in (0, 9, 33):
        frame = fig["frames"][s]
        data = frame["data"]
        traces = frame.get("traces", list(range(len(data))))  # frame data i restyles trace traces[i]
        units_frame, text_frame = data[traces.index(0)], data[traces.index(1)]
        values = node_values(base, "update z", customdata=units_frame["customdata"])
        np.testing.assert_allclose(values, rec.z[s], atol=5e-4)
        assert f"update z<br>unit 2: {rec.z[s, 2]:+.3f}" in text_frame["text"]


def test_cell_diagram_frame_titles_reach_plotly_js(words):
    """BUG: frames are raw dicts that skip Plotly's validation, so the magic-underscore key
    'title_text' is sent to plotly.js verbatim; plotly.js only knows layout.title.text, so the
    title stays 'Step 1 of …' while Play animates the other steps."""
    seq, rec = words
    fig = spec(sequence.cell_diagram(rec, seq.labels, 0, 0))
    for s in (0, 10, 33):
        layout = fig["frames"][s]["layout"]
        assert layout.get("title", {}).get("text") == f"Step {s + 1} of 34: input “{seq.labels[s]}”", layout


def test_cell_diagram_colours_follow_the_palette(words):
    """Every square is coloured on its own quantity's scale: the segment of the combined colour
    scale its value falls in ends in that quantity's colour (z blue, r orange, n green, h purple)."""
    seq, rec = words
    fig = spec(sequence.cell_diagram(rec, seq.labels, 4, 0))
    units = by_name(fig, "units")
    scale = units["marker"]["colorscale"]
    cmin, cmax = units["marker"]["cmin"], units["marker"]["cmax"]
    n_nodes = len(NODE_TITLES)
    color_values = decode(units["marker"]["color"]).astype(float)
    quantity = {"h(t−1)": "h", "x(t)": "x", "reset r": "r", "update z": "z", "candidate n": "n", "h(t)": "h"}
    for i, label in enumerate(units["text"]):
        title = label.rsplit(" unit ", 1)[0]
        frac = (color_values[i] - cmin) / (cmax - cmin)
        k = min(int(frac * n_nodes), n_nodes - 1)
        own = [c for p, c in scale if k - 1e-9 <= p * n_nodes < k + 1 - 1e-9 or (k == n_nodes - 1 and p == 1.0)]
        assert own[-1] == QUANTITY[quantity[title]], (label, own)


def test_cell_diagram_numbers_input_has_one_x_square(numbers):
    seq, rec = numbers
    fig = spec(sequence.cell_diagram(rec, seq.labels, 2, 1))
    units = by_name(fig, "units")
    np.testing.assert_allclose(node_values(units, "x(t)"), rec.x[2], atol=5e-4)
    assert len(node_values(units, "update z")) == 4
    assert len(fig["frames"]) == 56
