"""The three saturated cases the lesson pins the gates to (z = 1 copies the state, z = r = 0 cuts the
past, z = 0 with r = 1 is a tanh RNN step), exact versus frozen-gate Jacobians, and the "take"
convention as a "keep" GRU with its z rows negated (both conventions: docs/MATH.md)."""
import numpy as np
import pytest

from gru_core import GRU

from .fd import NAMES, random_state

T, I, H = 5, 3, 4
_rng = np.random.default_rng(21)
X = _rng.normal(size=(T, I))
H0 = _rng.uniform(-0.9, 0.9, H)
DH = _rng.normal(size=(T, H))
STATE = random_state(3, I, H, seed=8)
RESETS = [pytest.param(True, id="after"), pytest.param(False, id="before")]


def record(reset_after, update="keep", **force):
    return GRU.from_torch(STATE, reset_after, update).forward(X, H0, **force)


@pytest.mark.parametrize("reset_after", RESETS)
def test_z_one_copies_the_state(reset_after):
    rec = record(reset_after, force_z=1.0)
    eye = np.broadcast_to(np.eye(H), (T, H, H))
    np.testing.assert_array_equal(rec.jacobians(), eye)
    np.testing.assert_array_equal(rec.frozen_gate_jacobians(), eye)
    np.testing.assert_allclose(rec.h, np.broadcast_to(H0, (T, H)), rtol=0, atol=1e-15)


@pytest.mark.parametrize("reset_after", RESETS)
def test_z_zero_r_zero_cuts_the_past(reset_after):
    rec = record(reset_after, force_z=0.0, force_r=0.0)
    np.testing.assert_array_equal(rec.jacobians(), np.zeros((T, H, H)))
    np.testing.assert_array_equal(rec.frozen_gate_jacobians(), np.zeros((T, H, H)))
    assert np.abs(rec.h).max() > 0.1  # the state is not zero, only its dependence on the past


@pytest.mark.parametrize("reset_after", RESETS)
def test_z_zero_r_one_is_a_vanilla_rnn_step(reset_after):
    rec = record(reset_after, force_z=0.0, force_r=1.0)
    W_hn = STATE["weight_hh_l0"][2 * H:]
    expected = (1 - rec.n**2)[:, :, None] * W_hn  # diag(1 − n_t²) W_hn
    np.testing.assert_array_equal(rec.jacobians(), expected)
    np.testing.assert_array_equal(rec.frozen_gate_jacobians(), expected)


@pytest.mark.parametrize("reset_after", RESETS)
def test_take_with_z_zero_copies_the_state(reset_after):
    rec = record(reset_after, "take", force_z=0.0)
    np.testing.assert_array_equal(rec.jacobians(), np.broadcast_to(np.eye(H), (T, H, H)))


@pytest.mark.parametrize("update", ["keep", "take"])
@pytest.mark.parametrize("reset_after", RESETS)
def test_exact_equals_frozen_when_both_gates_are_pinned(reset_after, update):
    rec = record(reset_after, update, force_z=_rng.uniform(0, 1, (T, H)), force_r=_rng.uniform(0, 1, H))
    np.testing.assert_array_equal(rec.jacobians(), rec.frozen_gate_jacobians())


@pytest.mark.parametrize("update", ["keep", "take"])
@pytest.mark.parametrize("reset_after", RESETS)
def test_frozen_gates_differ_from_exact_when_gates_are_free(reset_after, update):
    rec = record(reset_after, update)
    assert np.abs(rec.jacobians() - rec.frozen_gate_jacobians()).max() > 1e-2


@pytest.mark.parametrize("reset_after", RESETS)
def test_frozen_misses_only_the_pinned_gate_terms(reset_after):
    # pinning one gate leaves the other's derivative in the exact Jacobian, so they still differ
    for force in ({"force_z": 0.4}, {"force_r": 0.4}):
        rec = record(reset_after, **force)
        assert np.abs(rec.jacobians() - rec.frozen_gate_jacobians()).max() > 1e-3


def negate_z_rows(state):
    flipped = {name: np.array(value) for name, value in state.items()}
    for name in NAMES:
        flipped[name][H:2 * H] *= -1
    return flipped


@pytest.mark.parametrize("reset_after", RESETS)
def test_take_equals_keep_with_z_rows_negated(reset_after):
    keep = GRU.from_torch(STATE, reset_after, "keep")
    take = GRU.from_torch(negate_z_rows(STATE), reset_after, "take")
    rk, rt = keep.forward(X, H0), take.forward(X, H0)
    tol = {"rtol": 1e-12, "atol": 1e-14}
    np.testing.assert_allclose(rt.h, rk.h, **tol)
    np.testing.assert_allclose(rt.z, 1 - rk.z, **tol)
    np.testing.assert_allclose(rt.r, rk.r, **tol)
    np.testing.assert_allclose(rt.jacobians(), rk.jacobians(), **tol)
    np.testing.assert_allclose(rt.frozen_gate_jacobians(), rk.frozen_gate_jacobians(), **tol)
    gk, gt = keep.backward(rk, DH), take.backward(rt, DH)
    for name in NAMES:  # the negated rows get the negated gradient, the others the same one
        expected = np.array(gk[name])
        expected[H:2 * H] *= -1
        np.testing.assert_allclose(gt[name], expected, **tol)
    np.testing.assert_allclose(gt["h0"], gk["h0"], **tol)
    np.testing.assert_allclose(gt["x"], gk["x"], **tol)
