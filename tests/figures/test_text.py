"""gru_lab.text: the numbers printed in the equations are the record's, under every convention."""
from __future__ import annotations

import re

import numpy as np
import pytest

from gru_lab import compute
from gru_lab.compute import Band, Vanishing
from gru_lab.inputs import preset_sequence
from gru_lab.settings import Settings
from gru_lab.text import (
    below_text,
    case_explanation,
    case_formula,
    case_labels,
    case_numbers,
    convention_label,
    frozen_gap_hint,
    gru_equations,
    key_steps,
    key_steps_caption,
    lambda_comparison,
    unit_equations,
    vanishing_reading,
    vs_one,
)

CONVENTIONS = [(ra, u) for ra in (True, False) for u in ("keep", "take")]


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def numbers(line: str) -> list[float]:
    """Every printed number, with the sign written in front of it (e.g. '+ 0.123', '- 0.4')."""
    return [float(a.replace(" ", "")) for a in re.findall(r"[-+]?\s?\d+\.\d{3}", line)]


@pytest.mark.parametrize(("reset_after", "update"), CONVENTIONS, ids=[f"{'after' if a else 'before'}-{u}"
                                                                      for a, u in CONVENTIONS])
@pytest.mark.parametrize(("t", "j"), [(0, 0), (5, 3), (33, 7)])
def test_unit_equations_print_the_record(reset_after, update, t, j):
    _, rec = compute.step_record(Settings(reset_after=reset_after, update=update))
    r_line, z_line, n_line, h_line = unit_equations(rec, t, j)
    r, z, n, h, hp = rec.r[t, j], rec.z[t, j], rec.n[t, j], rec.h[t, j], rec.h_prev[t, j]
    assert r_line.startswith(f"r_{{{j}}} = ") and r_line.endswith(f"= {r:.3f}")
    assert z_line.startswith(f"z_{{{j}}} = ") and z_line.endswith(f"= {z:.3f}")
    assert n_line.endswith(f"= {n:.3f}") and h_line.endswith(f"= {h:.3f}")
    # the pieces add up: σ(input part + hidden part) is the printed gate, to rounding
    ir, hr, _ = numbers(r_line)
    assert sigmoid(ir + hr) == pytest.approx(r, abs=2e-3)
    iz, hz, _ = numbers(z_line)
    assert sigmoid(iz + hz) == pytest.approx(z, abs=2e-3)
    # the update line: which of z and 1 − z weighs the old state is the convention
    w_old, old, w_new, new, _ = numbers(h_line)
    assert old == pytest.approx(hp, abs=6e-4) and new == pytest.approx(n, abs=6e-4)
    keep_weight = z if update == "keep" else 1 - z
    assert w_old == pytest.approx(keep_weight, abs=6e-4) and w_new == pytest.approx(1 - keep_weight, abs=6e-4)
    assert w_old * old + w_new * new == pytest.approx(h, abs=3e-3)
    if reset_after:
        i_n, r_again, a, _ = numbers(n_line)
        assert r_again == pytest.approx(r, abs=6e-4)
        assert np.tanh(i_n + r_again * a) == pytest.approx(n, abs=3e-3)
    else:
        i_n, a, _ = numbers(n_line)
        assert np.tanh(i_n + a) == pytest.approx(n, abs=3e-3)


def test_unit_equations_say_when_a_gate_is_pinned():
    sat = compute.saturation(Settings(), "copy", 0.5, 0.5, 0.0, 0.0, 3)
    lines = unit_equations(sat.rec, 3, 2)
    assert lines[1] == r"z_{2} = 1.000 \;\text{(pinned)}"
    assert "pinned" not in lines[0]
    sat = compute.saturation(Settings(), "custom", 0.25, 0.75, 0.0, 0.0, 3)
    lines = unit_equations(sat.rec, 3, 2)
    assert lines[0] == r"r_{2} = 0.750 \;\text{(pinned)}" and lines[1] == r"z_{2} = 0.250 \;\text{(pinned)}"


def test_gru_equations_follow_the_conventions():
    keep_after = gru_equations(True, "keep")
    take_before = gru_equations(False, "take")
    assert len(keep_after) == len(take_before) == 4
    assert r"r_t \odot (W_{hn}h_{t-1} + b_{hn})" in keep_after[2]
    assert r"W_{hn}(r_t \odot h_{t-1})" in take_before[2]
    assert keep_after[3] == r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t"
    assert take_before[3] == r"h_t = (1 - z_t) \odot h_{t-1} + z_t \odot n_t"


def test_convention_label():
    assert convention_label(True, "keep") == ("reset after the product (PyTorch, Keras default); "
                                              "z keeps the past (PyTorch, Cho et al.)")
    assert "reset before" in convention_label(False, "take") and "z takes the new" in convention_label(False, "take")


@pytest.mark.parametrize(("update", "copy_z", "new_z"), [("keep", "1", "0"), ("take", "0", "1")])
def test_case_labels_and_formulas_swap_under_take(update, copy_z, new_z):
    labels = case_labels(update)
    assert set(labels) == set(compute.CASES)
    assert labels["copy"] == f"z = {copy_z}: copy the past"
    assert labels["cut"] == f"z = {new_z}, r = 0: cut the past"
    assert labels["rnn-like"] == f"z = {new_z}, r = 1: a plain RNN"
    assert case_formula("copy", update, True).startswith(f"z = {copy_z}:")
    assert case_formula("cut", update, True).startswith(f"z = {new_z},")
    assert r"\operatorname{diag}(1 - n_t^2)\,W_{hn}" in case_formula("rnn-like", update, False)
    free = case_formula("free", update, True)
    assert (r"\operatorname{diag}(z_t)" if update == "keep" else r"\operatorname{diag}(1 - z_t)") in free
    assert "((" not in free


def test_case_formula_places_r_by_reset_convention():
    assert r"\operatorname{diag}(r_t)\,W_{hn}" in case_formula("free", "keep", True)
    assert r"W_{hn}\operatorname{diag}(r_t)" in case_formula("free", "keep", False)


@pytest.mark.parametrize("update", ["keep", "take"])
def test_case_explanations(update):
    copy_z = "1" if update == "keep" else "0"
    s = Settings(update=update)
    sat = compute.saturation(s, "copy", 0.5, 0.5, 0.0, 0.0, 5)
    assert case_explanation("copy", update, sat).startswith(f"With z = {copy_z} ")
    sat = compute.saturation(s, "rnn-like", 0.5, 0.5, 0.0, 0.0, 5)
    assert f"{sat.W_hn_norm:.2f}" in case_explanation("rnn-like", update, sat)
    sat = compute.saturation(s, "free", 0.5, 0.5, 0.0, 0.0, 5)
    gap = float(np.abs(sat.J - sat.J_frozen).max())
    assert f"{gap:.2e}" in case_explanation("free", update, sat)


DECAYING = np.array([-1.0, -3.0, -8.0])  # log10 of a median chain that fades below the floor


def _v(gru_below, rnn_below, lam=0.9, rnn_median=DECAYING, T=50):
    b = Band(np.zeros(3), np.zeros(3), np.zeros(3))
    rnn = Band(np.asarray(rnn_median, float), np.asarray(rnn_median, float), np.asarray(rnn_median, float))
    return Vanishing(T=T, distance=np.arange(1, len(rnn_median) + 1), gru_chain=b, rnn_chain=rnn,
                     steps=np.arange(1, 4), gru_delta=b, rnn_delta=b, rnn_lambda1=lam, gru_below=gru_below,
                     rnn_below=rnn_below, n_seeds=7)


@pytest.mark.parametrize(("gru_below", "rnn_below", "verdict"), [
    (None, 12, "The GRU carries gradient further back"),
    (40, 12, "The GRU carries gradient further back"),
    (12, None, "Here the RNN's chain reaches further than the GRU's"),
    (12, 40, "Here the RNN's chain reaches further than the GRU's"),
    (None, None, "Neither median chain falls below 1e-06 within the 50 steps shown"),
])
def test_vanishing_reading_verdicts(gru_below, rnn_below, verdict):
    text = vanishing_reading(_v(gru_below, rnn_below))
    assert verdict in text
    assert "median of 7 random models" in text and "0.900" in text
    for name, d in (("RNN", rnn_below), ("GRU", gru_below)):
        expected = (f"the {name}'s median chain stays above 1e-06 over all 50 steps" if d is None
                    else f"the {name}'s median chain falls below 1e-06 after {d} steps")
        assert expected in text


# Every case the vanishing page can show: (gru_below, rnn_below, λ₁, RNN median log10 chain)
VERDICT_CASES = {
    "tie": (34, 34, 1.494, [0.09, -0.04, -3.0, -9.0]),
    "tie-vanishing": (20, 20, 0.9, [-0.1, -2.0, -7.0]),
    "rnn-explodes": (None, None, 2.99, [0.3, 0.4, 0.5, 0.6]),
    "rnn-amplified-outlasts": (34, None, 2.99, [0.31, 0.35, 0.25, -1.0, -4.0]),
    "rnn-amplified-falls-later": (34, 58, 2.0, [0.18, 0.15, 0.03, -0.15, -8.0]),
    "neither-reaches": (None, None, 0.9, [-0.1, -1.0, -2.0]),
    "neither-reaches-amplified": (None, None, 2.99, [0.3, 0.35, -0.5, -2.0]),
    "gru-first": (12, 40, 0.95, [-0.1, -2.0, -7.0]),
    "rnn-first": (40, 12, 0.95, [-0.1, -2.0, -7.0]),
}


@pytest.mark.parametrize("case", list(VERDICT_CASES))
def test_vanishing_verdict_is_consistent_in_every_case(case):
    """Regression: a tie read 'both fall below … after 34 steps' then 'Neither curve reaches the floor'; an RNN
    kept above the floor by λ₁ ≈ 3 was read as the better memory with the advice to raise the RNN
    scale, already at its maximum."""
    g, r, lam, median = VERDICT_CASES[case]
    v = _v(g, r, lam=lam, rnn_median=median, T=100)
    text = vanishing_reading(v)
    assert "raise" not in text.lower(), "the scale slider may be at its maximum: never advise raising it"
    assert ("Neither" in text) == (g is None and r is None and not case.endswith("explodes"))
    if g is not None and g == r:
        assert f"at the same measured distance, {g} steps" in text
    if lam > 1 and "GRU carries" not in text and "Neither" not in text:
        assert "Lower the RNN scale" in text
    if lam < 1:
        assert "Lower the RNN scale" not in text and "lower the RNN scale" not in text
    if case.startswith("rnn-amplified"):
        assert "stretch gradients" in text and "exploding side" in text
        assert "reaches further than the GRU's" not in text, "an amplified chain is not a better memory"
    if case == "rnn-explodes":
        assert "does not fade at all" in text and "not a better memory" in text
    if case == "neither-reaches-amplified":
        assert "stays at or above 1 out to distance 2" in text


@pytest.mark.parametrize(("scale", "expect"), [(1.5, "at the same measured distance"), (3.0, "stretch gradients"),
                                               (1.0, "The GRU carries gradient further back")])
def test_vanishing_verdict_on_the_real_page_settings(scale, expect):
    """The page's defaults (T = 100, 20 seeds) at the scales the issue names."""
    v = compute.vanishing(Settings(), 100, scale, 20)
    text = vanishing_reading(v)
    assert expect in text
    assert "raise" not in text.lower()
    if v.gru_below is not None and v.gru_below == v.rnn_below:
        assert "Neither" not in text


def test_vs_one_keeps_the_side_of_one():
    """Regression: the legend printed λ₁ = 1.00 next to 'vanishes if λ₁ < 1' for λ₁ = 0.996."""
    assert vs_one(0.9963, 2) == "0.996"
    assert vs_one(0.99996, 3) == "0.99996"
    assert vs_one(1.0004, 3) == "1.0004"
    assert vs_one(0.5, 2) == "0.50" and vs_one(1.0, 3) == "1.000"
    assert lambda_comparison(0.9963, 2) == "λ₁ = 0.996 < 1/γ = 1"
    assert lambda_comparison(1.494, 2) == "λ₁ = 1.49 > 1/γ = 1"
    assert below_text(34, 100) == "34 steps" and below_text(None, 100) == "not within 100 steps"


def test_vanishing_reading_regime():
    assert "guaranteed to vanish" in vanishing_reading(_v(None, None, lam=0.8))
    assert "no longer guaranteed" in vanishing_reading(_v(None, None, lam=1.2))
    assert "0.9996, below 1" in vanishing_reading(_v(None, None, lam=0.9996)), "not '1.000, below 1'"


def test_vanishing_reading_matches_a_real_run():
    v = compute.vanishing(Settings(), 40, 1.0, 2)
    text = vanishing_reading(v)
    assert f"{v.rnn_lambda1:.3f}" in text
    assert f"median of {v.n_seeds} random models" in text


# ---- saturation lab hints ---------------------------------------------------------------------------
def test_custom_hint_says_pinned_gates_have_no_gap_and_ignore_the_bias_sliders():
    """Regression: with both gates pinned the hint said 'push the gate bias sliders … watch that difference
    shrink' while the difference was 0 and the sliders do nothing on pinned gates."""
    sat = compute.saturation(Settings(), "custom", 0.3, 0.7, 0.0, 0.0, 5)
    assert float(np.abs(sat.J - sat.J_frozen).max()) == 0.0
    text = case_explanation("custom", "keep", sat)
    assert "Both gates are pinned" in text and "difference is 0" in text
    assert "Push" not in text and "shrink" not in text


@pytest.mark.parametrize("update", ["keep", "take"])
def test_free_hint_names_the_sliders_while_there_is_a_gap(update):
    sat = compute.saturation(Settings(update=update), "free", 0.5, 0.5, 0.0, 0.0, 5)
    gap = float(np.abs(sat.J - sat.J_frozen).max())
    assert gap > 1e-3
    text = frozen_gap_hint(sat)
    assert "how z and r move" in text and f"{gap:.2e}" in text
    assert "Push the “update gate bias shift” and “reset gate bias shift” sliders" in text


def test_free_hint_when_the_gates_are_already_saturated():
    sat = compute.saturation(Settings(), "free", 0.5, 0.5, 10.0, 10.0, 5)
    gap = float(np.abs(sat.J - sat.J_frozen).max())
    assert gap < 1e-3
    text = frozen_gap_hint(sat)
    assert "already small" in text and "Push" not in text


@pytest.mark.parametrize("update", ["keep", "take"])
@pytest.mark.parametrize("case", compute.CASES)
def test_explanations_write_h_t_minus_1_one_way(case, update):
    """Regression: one info box said raw 'h_{t-1}' (LaTeX source in plain text), others 'h_(t-1)'."""
    sat = compute.saturation(Settings(update=update), case, 0.5, 0.5, 0.0, 0.0, 5)
    text = case_explanation(case, update, sat)
    assert "h_{" not in text and "t-1" not in text
    for v in (_v(12, 40), _v(34, 34, lam=1.4), _v(None, None, lam=2.9, rnn_median=[0.3, 0.4])):
        assert "h_{" not in vanishing_reading(v) and "t-1" not in vanishing_reading(v)


# ---- key steps ----------------------------------------------------------------------------------------
def test_key_steps_of_the_presets():
    """The heatmaps mark what each preset's story is about (issue 12, item 9)."""
    clue = preset_sequence("clue")
    assert key_steps("clue", clue) == (3, 33)
    assert [clue.labels[t] for t in key_steps("clue", clue)] == ["umbrella", "dry"]
    assert key_steps_caption("clue", clue) == "Marked ▼: step 4 “umbrella”, step 34 “dry”."
    adding = preset_sequence("adding")
    marked = key_steps("adding", adding)
    assert len(marked) == 2 and all(adding.x[t, 1] == 1.0 for t in marked)
    assert int((adding.x[:, 1] == 1.0).sum()) == 2
    assert "sum of their values" in key_steps_caption("adding", adding)
    sales = preset_sequence("sales")
    weekly = key_steps("sales", sales)
    assert np.all(np.diff(weekly) == 7)
    noise = preset_sequence("noise")
    assert key_steps("noise", noise) == () and key_steps_caption("noise", noise) == ""
    assert key_steps("verdict_start", preset_sequence("verdict_start")) == (0,)


def test_case_numbers_print_the_gates_of_the_chosen_step():
    sat = compute.saturation(Settings(), "rnn-like", 0.5, 0.5, 0.0, 0.0, 4)
    line = case_numbers(sat, units=3)
    assert r"t = 5:\\" in line and line.count(r"\\") == 3  # one quantity a line, to fit a phone
    assert "z_t = (0.00, 0.00, 0.00, \\dots)" in line  # z pinned to 0 under keep
    assert "r_t = (1.00, 1.00, 1.00, \\dots)" in line
    n = sat.rec.n[4]
    assert f"1 - n_t^2 = ({1 - n[0] ** 2:.2f}, {1 - n[1] ** 2:.2f}, {1 - n[2] ** 2:.2f}, \\dots)" in line


@pytest.mark.parametrize("update", ["keep", "take"])
def test_copy_case_says_h_stays_at_h0_and_the_record_agrees(update):
    sat = compute.saturation(Settings(update=update), "copy", 0.5, 0.5, 0.0, 0.0, 10)
    assert "h never leaves h₀" in case_explanation("copy", update, sat)
    np.testing.assert_array_equal(sat.rec.h, np.broadcast_to(sat.rec.h0, sat.rec.h.shape))
