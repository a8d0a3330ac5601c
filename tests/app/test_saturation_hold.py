"""Issue 18 in the app: /saturation?case=write-hold opens cleanly under both conventions and draws the
write-hold chain beside the copy chain, and the copy path beside a tanh RNN step, each with its words."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab import compute
from gru_lab.figures.saturation import copy_names
from gru_lab.settings import Settings

from .apptools import assert_clean, decode, figures, trace, widget
from .test_chart_text import _chart_alternatives

CHAIN = "‖∂h_t/∂h_k‖₂"
HOLD_CHARTS = {"sat_matrices", "sat_frozen", "sat_diff", "sat_singular", "sat_chain", "sat_copy_chain",
               "sat_copy_path"}
T = len(compute.sequence_for(Settings()).labels)
W = compute.WRITE_STEP  # 1-based, as on screen


@pytest.mark.parametrize("update", ["keep", "take"])
def test_write_hold_opens_with_both_chains_and_the_copy_path(open_page, update):
    at = open_page("saturation", case="write-hold", update=update)
    assert_clean(at)
    assert widget(at, "case").value == "write-hold" and widget(at, "update").value == update
    figs = figures(at)
    assert set(figs) == HOLD_CHARTS
    alts = _chart_alternatives(at)
    assert set(alts) == HOLD_CHARTS and all(a.startswith("How to read:") and "Here" in a for a in alts.values())

    hold = decode(trace(figs["sat_chain"], CHAIN)["y"]).astype(float)
    copy = decode(trace(figs["sat_copy_chain"], CHAIN)["y"]).astype(float)
    assert len(hold) == len(copy) == T
    np.testing.assert_allclose(hold[:T - W], 1.0, atol=1e-12)  # distances 1 … t − w: holds only
    assert np.all(np.isnan(hold[T - W:])), "across the write the chain is exactly 0 (not drawable on a log axis)"
    np.testing.assert_allclose(copy, 1.0, atol=1e-12)
    assert figs["sat_chain"]["layout"]["yaxis"]["range"] == figs["sat_copy_chain"]["layout"]["yaxis"]["range"]

    sat = compute.saturation(Settings(update=update), "write-hold", 0.5, 0.5, 0.0, 0.0, T - 1)
    copy_name, rnn_name = copy_names(update)
    drawn = {name: decode(trace(figs["sat_copy_path"], name)["z"]).astype(float) for name in (copy_name, rnn_name)}
    z, h, W_hn = sat.rec.z[-1], sat.rec.h[-1], sat.rec.model.W_hn
    np.testing.assert_array_equal(drawn[copy_name], np.diag(z if update == "keep" else 1.0 - z))
    np.testing.assert_allclose(drawn[rnn_name], np.diag(1.0 - h**2) @ W_hn, rtol=1e-12, atol=1e-15)

    info = at.info[0].value
    assert f"distances 1 to {T - W}, the chain is exactly 1 (to rounding)" in info
    assert f"Across the write (distance {T - W + 1} on) it drops to exactly 0" in info
    assert any(f"Write at step {W} (“umbrella”)" in s.value for s in at.subheader)
    assert any("W_hh is this GRU's W_hn" in c.value for c in at.caption)


def test_write_hold_at_the_write_step(open_page):
    at = open_page("saturation", case="write-hold", sat_t=str(W))
    assert_clean(at)
    hold = decode(trace(figures(at)["sat_chain"], CHAIN)["y"]).astype(float)
    assert len(hold) == W and np.all(np.isnan(hold)), "the write step's own Jacobian is 0"
    assert "Step 4 is the write itself" in at.info[0].value
