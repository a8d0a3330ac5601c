"""GRU vs RNN figures: median and middle-half bands on log axes, the RNN bound and the 1e-6 floor."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab.compute import VANISH_FLOOR, Band, Vanishing
from gru_lab.figures import vanishing as figs
from gru_lab.figures.colors import MODEL, rgba

from .figtools import by_name, decode, legend_below_x_title, spec

BAND_PARTS = ("75th percentile", "middle half", "median")


def test_chains_traces(vanishing):
    v = vanishing
    fig = figs.chains(v)
    names = [d.name for d in fig.data]
    for model in ("GRU", "RNN"):
        for part in BAND_PARTS:
            assert f"{model} {part}" in names
    assert any(n.startswith("RNN bound") for n in names)
    assert all(d.type == "scatter" for d in fig.data)
    assert fig.layout.yaxis.type == "log"
    for model, band in (("GRU", v.gru_chain), ("RNN", v.rnn_chain)):
        med = next(d for d in fig.data if d.name == f"{model} median")
        np.testing.assert_array_equal(np.asarray(med.x), v.distance)
        finite = np.isfinite(band.median)
        np.testing.assert_allclose(np.asarray(med.y, dtype=float)[finite], 10.0 ** band.median[finite])
        assert med.line.color == MODEL[model]
        assert "%{y" in med.hovertemplate
        middle = next(d for d in fig.data if d.name == f"{model} middle half")
        assert middle.fill == "tonexty" and middle.fillcolor == rgba(MODEL[model], 0.22)
    bound = next(d for d in fig.data if d.name.startswith("RNN bound"))
    np.testing.assert_allclose(np.asarray(bound.y, dtype=float), v.rnn_lambda1 ** v.distance.astype(float))
    assert [s.y0 for s in fig.layout.shapes] == [VANISH_FLOOR]
    assert fig.layout.title.text.endswith(f"(T = {v.T})")


def test_chains_below_floor_markers(vanishing):
    fig = figs.chains(vanishing)
    for model, d in (("GRU", vanishing.gru_below), ("RNN", vanishing.rnn_below)):
        markers = [t for t in fig.data if t.name.startswith(f"{model} below")]
        if d is None:
            assert markers == []
        else:
            (m,) = markers
            assert list(m.x) == [d] and list(m.y) == [VANISH_FLOOR]
            assert m.marker.color == MODEL[model]


def _synthetic(gru_median, rnn_median, gru_below, rnn_below):
    D = len(gru_median)
    distance = np.arange(1, D + 1)
    band = lambda m: Band(np.asarray(m, float), np.asarray(m, float) - 0.5, np.asarray(m, float) + 0.5)  # noqa: E731
    return Vanishing(T=D, distance=distance, gru_chain=band(gru_median), rnn_chain=band(rnn_median),
                     steps=distance, gru_delta=band(gru_median), rnn_delta=band(rnn_median), rnn_lambda1=0.5,
                     gru_below=gru_below, rnn_below=rnn_below, n_seeds=3)


def test_bound_legend_rounds_to_the_true_side_of_one():
    """Regression: the legend said 'λ₁ = 1.00; vanishes if λ₁ < 1/γ = 1' while λ₁ was 0.996."""
    from dataclasses import replace

    v = _synthetic([0, -1, -2, -3], [0, -3, -7, -9], gru_below=None, rnn_below=3)
    names = [d.name for d in figs.chains(replace(v, rnn_lambda1=0.9963)).data]
    assert "RNN bound λ₁^d (λ₁ = 0.996 < 1/γ = 1)" in names
    names = [d.name for d in figs.chains(replace(v, rnn_lambda1=1.0004)).data]
    assert "RNN bound λ₁^d (λ₁ = 1.0004 > 1/γ = 1)" in names


def test_log_axes_label_only_powers_of_ten(vanishing):
    for fig in (figs.chains(vanishing), figs.deltas(vanishing)):
        y = fig.layout.yaxis
        assert y.type == "log" and float(y.dtick).is_integer() and y.dtick >= 1 and y.tick0 == 0


def test_chains_marks_only_the_curves_that_fall_below():
    v = _synthetic([0, -1, -2, -3], [0, -3, -7, -9], gru_below=None, rnn_below=3)
    names = [d.name for d in figs.chains(v).data]
    assert "RNN below 1e-6 at 3" in names
    assert not any(n.startswith("GRU below") for n in names)


def test_cut_and_underflowing_values_are_not_drawn():
    v = _synthetic([0, -1, -np.inf, -400], [0, -2, -3, -4], gru_below=3, rnn_below=None)
    fig = spec(figs.chains(v))
    y = decode(by_name(fig, "GRU median")["y"]).astype(float)
    np.testing.assert_allclose(y[:2], [1.0, 0.1])
    assert np.isnan(y[2]) and np.isnan(y[3]), "−inf and 1e-400 have no place on a log axis"


def test_deltas_traces(vanishing):
    v = vanishing
    fig = figs.deltas(v)
    assert len(fig.data) == 6
    assert fig.layout.yaxis.type == "log"
    for model, band in (("GRU", v.gru_delta), ("RNN", v.rnn_delta)):
        med = next(d for d in fig.data if d.name == f"{model} median")
        np.testing.assert_array_equal(np.asarray(med.x), np.arange(1, v.T + 1))
        np.testing.assert_allclose(np.asarray(med.y, dtype=float), 10.0 ** band.median)
        assert med.line.color == MODEL[model]
    # the loss sits at the last step: there the gradient is the unit loss gradient itself
    gru = np.asarray(next(d for d in fig.data if d.name == "GRU median").y, dtype=float)
    assert gru[-1] == pytest.approx(1.0)


def test_figures_serialise(vanishing):
    for fig in (figs.chains(vanishing), figs.deltas(vanishing)):
        out = spec(fig)
        assert out["data"] and out["layout"]["yaxis"]["type"] == "log"


def test_the_legends_sit_below_the_x_axis_title(vanishing):
    """Regression: on the vanishing page and lesson stops 10–12 the legend's first row (at y = −0.2 of the
    plot, a share of a plot squeezed to the stop's height) covered "distance T − k (steps back)"."""
    from gru_lab.settings import Settings
    from gru_lab.stories.chains import story_chains

    for fig in (figs.chains(vanishing), figs.deltas(vanishing), figs.story_chains(story_chains(Settings(), 1.0, 0.0))):
        legend_below_x_title(spec(fig)["layout"])
