"""Saturation-lab figures: Jacobian matrices, singular values and the chain."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab.figures import saturation as figs
from gru_lab.figures.colors import MODEL, NEGATIVE, QUANTITY, rgba

from .figtools import decode, last_color, spec


@pytest.mark.parametrize("case", ["free", "copy", "cut", "rnn-like"])
def test_jacobian_matrices_hold_exact_frozen_and_difference(saturation, case):
    sat = saturation(case)
    fig = figs.jacobian_matrices(sat.J, sat.J_frozen)
    assert [d.type for d in fig.data] == ["heatmap"] * 3
    assert [d.name for d in fig.data] == list(figs.MATRICES)
    for d, M in zip(fig.data, (sat.J, sat.J_frozen, sat.J - sat.J_frozen), strict=True):
        np.testing.assert_array_equal(np.asarray(d.z), M)
        assert "%{z" in d.hovertemplate
        assert last_color(d.colorscale) == QUANTITY["grad"] and d.colorscale[0][1] == NEGATIVE
    lims = {(d.zmin, d.zmax) for d in fig.data}
    assert len(lims) == 1, "one colour scale for all three"
    (lo, hi), = lims
    assert lo == -hi and hi >= np.abs(sat.J).max() and hi > 0
    assert [bool(d.showscale) for d in fig.data] == [False, False, True]
    for i in ("", "2", "3"):
        assert fig.layout[f"yaxis{i}"].autorange == "reversed"


def test_jacobian_matrices_of_zero_have_a_valid_scale(saturation):
    """Regression: the all-zero matrix of the cut case got the range ±1e-12: a colour bar of '1p … −1p'."""
    fig = spec(figs.jacobian_matrices(np.zeros((4, 4)), np.zeros((4, 4))))
    assert all(d["zmax"] == 1.0 and d["zmin"] == -1.0 for d in fig["data"])
    for panel in figs.jacobian_panels(np.zeros((4, 4)), np.zeros((4, 4))):
        assert (panel.data[0].zmin, panel.data[0].zmax) == (-1.0, 1.0)


@pytest.mark.parametrize("case", ["free", "cut", "rnn-like"])
def test_jacobian_panels_one_figure_each_for_a_phone(saturation, case):
    """Regression: three subplots in one figure are ~60 px wide on a 390 px phone; one figure each lets the
    page's columns stack."""
    sat = saturation(case)
    panels = figs.jacobian_panels(sat.J, sat.J_frozen)
    assert len(panels) == 3
    mats = (sat.J, sat.J_frozen, sat.J - sat.J_frozen)
    lims = {(p.data[0].zmin, p.data[0].zmax) for p in panels[:2]}
    assert len(lims) == 1, "one colour scale for exact and frozen gates"
    for p, M, name in zip(panels, mats, figs.MATRICES, strict=True):
        (d,) = p.data
        np.testing.assert_array_equal(np.asarray(d.z), M)
        assert d.name == name and p.layout.title.text.split(" (own scale")[0] == name and d.showscale
        assert p.layout.yaxis.autorange == "reversed" and p.layout.yaxis.scaleanchor == "x"


@pytest.mark.parametrize("H", [8, 16, 32, 128])
def test_jacobian_ticks_stay_few(H):
    """At most ~9 unit numbers per axis, whatever H: overlapping ticks were unreadable on a phone."""
    M = np.eye(H)
    for fig in (figs.jacobian_matrices(M, M), *figs.jacobian_panels(M, M)):
        for axis in ("xaxis", "yaxis"):
            a = fig.layout[axis]
            assert a.tickmode == "linear" and H / a.dtick <= 9


def test_singular_values_bars(saturation):
    sat = saturation("free")
    fig = figs.singular_values(sat.sv, sat.sv_frozen)
    assert [d.type for d in fig.data] == ["bar", "bar"]
    exact, frozen = fig.data
    np.testing.assert_array_equal(np.asarray(exact.y), sat.sv)
    np.testing.assert_array_equal(np.asarray(frozen.y), sat.sv_frozen)
    np.testing.assert_array_equal(np.asarray(exact.x), np.arange(1, len(sat.sv) + 1))
    assert exact.marker.color == QUANTITY["grad"]
    assert frozen.marker.color == rgba(QUANTITY["grad"], 0.4)
    assert all("%{y" in d.hovertemplate for d in fig.data)
    assert [s.y0 for s in fig.layout.shapes] == [1.0], "the σ = 1 line"


def test_chain_on_a_log_axis(saturation):
    sat = saturation("free", t=10)
    fig = figs.chain(sat.chain_log10, "Chain from step 11 back to the start")
    (line,) = fig.data
    assert line.type == "scatter"
    np.testing.assert_array_equal(np.asarray(line.x), np.arange(1, 12))
    np.testing.assert_allclose(np.asarray(line.y), 10.0 ** sat.chain_log10)
    assert fig.layout.yaxis.type == "log"
    assert line.line.color == MODEL["GRU"]
    assert "%{y" in line.hovertemplate
    assert fig.layout.title.text == "Chain from step 11 back to the start"
    assert not fig.layout.annotations, "a chain that never hits zero has no note"


def test_all_zero_singular_values_are_said(saturation):
    """Regression: in the cut case the singular-value chart was empty with no word why."""
    sat = saturation("cut")
    assert np.all(sat.sv == 0) and np.all(sat.sv_frozen == 0)
    fig = figs.singular_values(sat.sv, sat.sv_frozen)
    (note,) = fig.layout.annotations[1:]  # [0] labels the σ = 1 line
    assert "singular values are 0" in note.text
    assert list(fig.layout.yaxis.range) == [0, 1.2], "the σ = 1 line stays in view"
    assert len(figs.singular_values(saturation("free").sv, saturation("free").sv_frozen).layout.annotations) == 1


def test_log_axes_label_only_powers_of_ten(saturation):
    """Regression: the copy case's chain axis read '10, 5, 2, 1, 5, 2, 10⁻¹': 0.5 printed as '5'."""
    for case in ("copy", "free", "cut"):
        y = figs.chain(saturation(case, t=20).chain_log10, case).layout.yaxis
        assert y.type == "log" and y.dtick >= 1 and float(y.dtick).is_integer() and y.tick0 == 0
        lo, hi = y.range
        assert float(lo).is_integer() and float(hi).is_integer() and lo < 0 < hi, "1 inside, a power of ten at each end"


@pytest.mark.parametrize("update", ["keep", "take"])
def test_cut_chain_says_it_is_zero(saturation, update):
    sat = saturation("cut", update=update, t=6)
    assert np.all(np.isneginf(sat.chain_log10))
    fig = spec(figs.chain(sat.chain_log10, "cut"))
    y = decode(fig["data"][0]["y"]).astype(float)
    assert np.all(np.isnan(y)), "log10 = −inf is not drawn"
    (note,) = fig["layout"]["annotations"]
    assert "exactly 0 from distance 1" in note["text"]
    # Regression: one 80-character line was clipped on a phone and ran over the y-axis title
    assert all(len(line) <= 32 for line in note["text"].split("<br>"))
    assert note["xanchor"] == "center" and note["x"] == 0.5 and note["y"] != 0.5, "centred, off the σ = 1 line"


def test_chain_zero_from_a_later_distance():
    log10 = np.array([0.0, -1.0, -np.inf, -np.inf])
    fig = figs.chain(log10, "partly cut")
    np.testing.assert_allclose(np.asarray(fig.data[0].y, dtype=float)[:2], [1.0, 0.1])
    assert "from distance 3" in fig.layout.annotations[0].text


def test_copy_chain_stays_at_one(saturation):
    sat = saturation("copy", t=20)
    fig = figs.chain(sat.chain_log10, "copy")
    np.testing.assert_allclose(np.asarray(fig.data[0].y, dtype=float), 1.0, rtol=1e-9)


@pytest.mark.parametrize("update", ["keep", "take"])
def test_the_difference_is_drawn_on_its_own_scale_and_says_so(saturation, update):
    """Regression: lesson stop 8's 'exact − frozen' (largest entry about 0.05) was drawn on the ±0.5 scale
    of the Jacobians beside it, and looked white. Its range follows its own largest entry, symmetric around
    0, and its title and colour bar say the range."""
    sat = saturation("free", update)
    diff = sat.J - sat.J_frozen
    top = float(np.abs(diff).max())
    assert top > 1e-12
    *_, panel = figs.jacobian_panels(sat.J, sat.J_frozen)
    d = panel.data[0]
    assert (d.zmin, d.zmax) == (-top, top)
    said = figs.scale_text(top)
    assert said in panel.layout.title.text and d.colorbar.title.text == said
    assert "<br>" not in panel.layout.title.text, "a second title line overlaps the matrix at a stop's height"
    exact = figs.jacobian_panels(sat.J, sat.J_frozen)[0].data[0]
    assert exact.zmax == max(np.abs(sat.J).max(), np.abs(sat.J_frozen).max()), "the other two keep their scale"


def test_the_stop_8_difference_fills_its_scale():
    """Lesson stop 8 (free gates, the default model): the difference is an order of magnitude below the
    Jacobians, and its colour range is its own."""
    from gru_lab import compute
    from gru_lab.settings import Settings

    sat = compute.saturation(Settings(), "free", 0.5, 0.5, 0.0, 0.0, 9)
    panels = figs.jacobian_panels(sat.J, sat.J_frozen)
    diff_top = float(np.abs(sat.J - sat.J_frozen).max())
    assert panels[2].data[0].zmax == diff_top < panels[0].data[0].zmax
