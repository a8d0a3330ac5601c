"""Issue 18: the write-then-hold case and the copy path beside a tanh RNN step, checked on the numbers
under both update conventions and both reset conventions (no Streamlit)."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab import chart_text as alt
from gru_lab import compute
from gru_lab.figures import saturation as figs
from gru_lab.settings import Settings
from gru_lab.text import case_explanation, case_formula, case_labels, write_hold_split

UPDATES = ["keep", "take"]
T = len(compute.sequence_for(Settings()).labels)  # 34 words; step 4 is "umbrella"
W = compute.WRITE_STEP - 1  # 0-based


def hold(update: str, t: int = T - 1, reset_after: bool = True) -> compute.Saturation:
    return compute.saturation(Settings(update=update, reset_after=reset_after), "write-hold", 0.5, 0.5, 0.0, 0.0, t)


def test_write_hold_is_a_case_with_a_label_and_a_formula():
    assert "write-hold" in compute.CASES
    assert case_labels("keep")["write-hold"] == "z = 0 once, then 1: write, then hold"
    assert case_labels("take")["write-hold"] == "z = 1 once, then 0: write, then hold"
    assert r"t = w:\ z = 0" in case_formula("write-hold", "keep", True)
    assert r"t = w:\ z = 1" in case_formula("write-hold", "take", False)


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("update", UPDATES)
def test_the_gate_writes_once_then_holds(update, reset_after):
    """Under keep z = 0 writes and z = 1 holds; under take the reverse. The state is h0 before the
    write, the candidate at the write, and that value unchanged after it."""
    sat = hold(update, reset_after=reset_after)
    rec = sat.rec
    write_z, hold_z = (0.0, 1.0) if update == "keep" else (1.0, 0.0)
    assert sat.write == W and sat.seq.labels[W] == "umbrella"
    assert np.all(rec.z[W] == write_z) and np.all(np.delete(rec.z, W, axis=0) == hold_z)
    np.testing.assert_array_equal(rec.h[:W], np.broadcast_to(rec.h0, (W, rec.h.shape[1])))
    np.testing.assert_array_equal(rec.h[W], rec.n[W])
    # held to rounding: the engine blends as n + g ⊙ (h − n), exact in real numbers, not in floats
    np.testing.assert_allclose(rec.h[W:], np.broadcast_to(rec.h[W], rec.h[W:].shape), rtol=0, atol=1e-15)
    assert np.abs(rec.h[W]).max() > 0.05, "something was written"
    J = rec.jacobians()
    for t in range(T):
        np.testing.assert_array_equal(J[t], np.zeros_like(J[t]) if t == W else np.eye(J.shape[1]))


@pytest.mark.parametrize("reset_after", [True, False])
@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("t", [T - 1, 10, W, W - 1, 0])
def test_the_chain_is_1_after_the_write_and_drops_at_it(update, reset_after, t):
    sat = hold(update, t, reset_after)
    norms = 10.0 ** sat.chain_log10  # index d − 1 is ‖∂h_t/∂h_(t−d)‖
    # Independently: the product of the recorded step Jacobians from t back to k + 1.
    J = sat.rec.jacobians()
    for d in range(1, t + 2):
        k = t - d
        P = np.eye(J.shape[1])
        for step in range(t, k, -1):
            P = P @ J[step]
        expected = np.linalg.norm(P, 2)
        assert expected == (0.0 if k < W <= t else 1.0)  # the write step W is in the product iff k < W ≤ t
        assert norms[d - 1] == pytest.approx(expected, abs=1e-12)
    held, crossed = write_hold_split(sat)
    assert len(held) == (t - W if t >= W else t + 1)
    np.testing.assert_allclose(held, 1.0, atol=1e-12)
    assert np.all(crossed == 0.0)
    np.testing.assert_allclose(10.0 ** sat.copy_chain_log10, 1.0, atol=1e-12)
    assert len(sat.copy_chain_log10) == len(sat.chain_log10) == t + 1


@pytest.mark.parametrize("update", UPDATES)
def test_the_words_on_screen_are_the_numbers(update):
    """The info box and the text alternatives say where the chain is 1 and where it is 0, as drawn."""
    sat = hold(update)
    said = case_explanation("write-hold", update, sat)
    write_z, hold_z = ("0", "1") if update == "keep" else ("1", "0")
    assert f"at step 4 (“umbrella”): there z = {write_z} and r = 0" in said
    assert f"At every other step z = {hold_z} holds it" in said
    assert f"distances 1 to {T - 1 - W}, the chain is exactly 1 (to rounding)" in said
    assert f"Across the write (distance {T - W} on) it drops to exactly 0" in said
    assert "stays at 1 all the way back to h₀" in said
    assert "h_{" not in said and "t-1" not in said
    chain_alt = alt.write_hold_chain(sat)
    assert chain_alt.startswith("How to read:")
    assert f"Here: 1 at distances 1 to {T - 1 - W}, exactly 0 from distance {T - W} on" in chain_alt
    assert f"Here: 1 at every distance 1 to {T}." in alt.copy_chain(sat)
    before = hold(update, W - 1)
    assert "comes before the write" in case_explanation("write-hold", update, before)
    assert "exactly 0" not in case_explanation("write-hold", update, before)
    at_write = hold(update, W)
    assert "Step 4 is the write itself" in case_explanation("write-hold", update, at_write)
    assert "(distance 1 on) it drops to exactly 0" in case_explanation("write-hold", update, at_write)


def test_the_chain_figure_marks_the_write_and_shares_the_axis():
    sat = hold("keep")
    fig = figs.chain(sat.chain_log10, "write, then hold", (T - W, "across the write"), sat.copy_chain_log10)
    y = np.asarray(fig.data[0].y, dtype=float)
    np.testing.assert_allclose(y[:T - 1 - W], 1.0, atol=1e-12)
    assert np.all(np.isnan(y[T - 1 - W:])), "exactly 0 is not drawn on a log axis"
    assert [s.x0 for s in fig.layout.shapes if s.line.dash == "dot"] == [T - W]
    copy = figs.chain(sat.copy_chain_log10, "copy", None, sat.chain_log10)
    assert tuple(fig.layout.yaxis.range) == tuple(copy.layout.yaxis.range)


@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize("case", ["free", "write-hold"])
def test_copy_path_figure_is_diag_g_beside_the_rnn_term(update, case):
    """The left heatmap is diag(z) (keep) or diag(1 − z) (take); the right one diag(1 − h²) W_hh with
    W_hh = W_hn, both at the same step, computed here without the app's helpers."""
    t = 10
    sat = compute.saturation(Settings(update=update), case, 0.5, 0.5, 0.0, 0.0, t)
    z, h, W_hn = sat.rec.z[t], sat.rec.h[t], sat.rec.model.W_hn
    fig = figs.copy_path(z, h, W_hn, update)
    copy_name, rnn_name = figs.copy_names(update)
    assert copy_name.endswith("diag(z)" if update == "keep" else "diag(1 − z)")
    data = {d.name: np.asarray(d.z, dtype=float) for d in fig.data}
    H = len(z)
    expected_copy = np.zeros((H, H))
    for i in range(H):
        expected_copy[i, i] = z[i] if update == "keep" else 1.0 - z[i]
    expected_rnn = np.array([[(1.0 - h[i] ** 2) * W_hn[i, j] for j in range(H)] for i in range(H)])
    np.testing.assert_array_equal(data[copy_name], expected_copy)
    np.testing.assert_allclose(data[rnn_name], expected_rnn, rtol=1e-14, atol=0)
    np.testing.assert_allclose(data[rnn_name], np.diag(1.0 - h**2) @ W_hn, rtol=1e-12, atol=1e-15)
    assert {(d.zmin, d.zmax) for d in fig.data} == {(-fig.data[0].zmax, fig.data[0].zmax)}, "one colour scale"
    if case == "write-hold":  # a hold step: 1 − g = 0 removes the candidate path, the copy path is all of J
        np.testing.assert_array_equal(sat.J, expected_copy)
    said = alt.copy_path(z, h, W_hn, update, t)
    sv_rnn = np.linalg.svd(expected_rnn, compute_uv=False)
    assert said.startswith("How to read:") and "step 11" in said
    assert f"from {sv_rnn[-1]:.3g} to {sv_rnn[0]:.3g}" in said
    sv_copy = np.sort(np.abs(np.diag(expected_copy)))
    copy_said = f"are all {sv_copy[0]:.3g}" if f"{sv_copy[0]:.3g}" == f"{sv_copy[-1]:.3g}" else \
        f"from {sv_copy[0]:.3g} to {sv_copy[-1]:.3g}"
    assert copy_said in said
