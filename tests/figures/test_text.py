"""gru_lab.text: the numbers printed in the equations are the record's, under every convention."""
from __future__ import annotations

import re

import numpy as np
import pytest

from gru_lab import compute
from gru_lab.compute import Band, Vanishing
from gru_lab.settings import Settings
from gru_lab.text import (
    case_explanation,
    case_formula,
    case_labels,
    case_numbers,
    convention_label,
    gru_equations,
    unit_equations,
    vanishing_reading,
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
    assert (r"\operatorname{diag}(z_t)" if update == "keep" else r"\operatorname{diag}((1 - z_t))") in free


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


def _v(gru_below, rnn_below, lam=0.9):
    b = Band(np.zeros(3), np.zeros(3), np.zeros(3))
    return Vanishing(T=50, distance=np.arange(1, 4), gru_chain=b, rnn_chain=b, steps=np.arange(1, 4), gru_delta=b,
                     rnn_delta=b, rnn_lambda1=lam, gru_below=gru_below, rnn_below=rnn_below, n_seeds=7)


@pytest.mark.parametrize(("gru_below", "rnn_below", "verdict"), [
    (None, 12, "The GRU carries gradient further back"),
    (40, 12, "The GRU carries gradient further back"),
    (12, None, "the RNN keeps more gradient"),
    (12, 40, "the RNN keeps more gradient"),
    (None, None, "Neither curve reaches the floor"),
])
def test_vanishing_reading_verdicts(gru_below, rnn_below, verdict):
    text = vanishing_reading(_v(gru_below, rnn_below))
    assert verdict in text
    assert "median of 7 random models" in text and "0.900" in text
    for name, d in (("RNN", rnn_below), ("GRU", gru_below)):
        expected = (f"the {name}'s median chain stays above 1e-06 over all 50 steps" if d is None
                    else f"the {name}'s median chain falls below 1e-06 after {d} steps")
        assert expected in text


def test_vanishing_reading_regime():
    assert "guaranteed to vanish" in vanishing_reading(_v(None, None, lam=0.8))
    assert "no longer guaranteed" in vanishing_reading(_v(None, None, lam=1.2))


def test_vanishing_reading_matches_a_real_run():
    v = compute.vanishing(Settings(), 40, 1.0, 2)
    text = vanishing_reading(v)
    assert f"{v.rnn_lambda1:.3f}" in text
    assert f"median of {v.n_seeds} random models" in text


def test_case_numbers_print_the_gates_of_the_chosen_step():
    sat = compute.saturation(Settings(), "rnn-like", 0.5, 0.5, 0.0, 0.0, 4)
    line = case_numbers(sat, units=3)
    assert line.startswith("t = 5:")
    assert "z_t = (0.00, 0.00, 0.00, \\dots)" in line  # z pinned to 0 under keep
    assert "r_t = (1.00, 1.00, 1.00, \\dots)" in line
    n = sat.rec.n[4]
    assert f"1 - n_t^2 = ({1 - n[0] ** 2:.2f}, {1 - n[1] ** 2:.2f}, {1 - n[2] ** 2:.2f}, \\dots)" in line
