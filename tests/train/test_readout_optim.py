"""The read-out's loss and gradients, gradient clipping, and the SGD / Adam updates."""
import warnings

import numpy as np
import pytest

from gru_core.optim import SGD, Adam, clip_by_norm
from gru_core.readout import Readout, loss_and_grads

from ..core.fd import assert_fd_close, central_diff

B, Hd, K = 6, 4, 3
_rng = np.random.default_rng(31)
H_T = _rng.normal(size=(B, Hd))
RO_REG = Readout(_rng.normal(size=(1, Hd)), _rng.normal(size=1))
RO_CLS = Readout(_rng.normal(size=(K, Hd)), _rng.normal(size=K))
Y_REG = _rng.normal(size=B)
Y_CLS = np.array([0, 2, 1, 1, 0, 2])
CASES = [pytest.param(RO_REG, Y_REG, "regression", id="regression"),
         pytest.param(RO_CLS, Y_CLS, "classification", id="classification")]


# ---- read-out ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("ro, y, kind", CASES)
def test_gradients_match_finite_differences(ro, y, kind):
    loss, _, grads, dh = loss_and_grads(ro, H_T, y, kind)
    assert grads["V"].shape == ro.V.shape and grads["c"].shape == ro.c.shape and dh.shape == H_T.shape
    assert_fd_close(grads["V"], central_diff(lambda V: loss_and_grads(Readout(V, ro.c), H_T, y, kind)[0], ro.V))
    assert_fd_close(grads["c"], central_diff(lambda c: loss_and_grads(Readout(ro.V, c), H_T, y, kind)[0], ro.c))
    assert_fd_close(dh, central_diff(lambda h: loss_and_grads(ro, h, y, kind)[0], H_T))


def test_regression_loss_is_mean_squared_error():
    loss, acc, _, _ = loss_and_grads(RO_REG, H_T, Y_REG, "regression")
    pred = H_T @ RO_REG.V[0] + RO_REG.c[0]
    assert loss == pytest.approx(np.mean((pred - Y_REG) ** 2), rel=1e-14)
    assert np.isnan(acc)


def test_classification_loss_is_cross_entropy_and_accuracy_counts_argmax():
    loss, acc, _, _ = loss_and_grads(RO_CLS, H_T, Y_CLS, "classification")
    logits = H_T @ RO_CLS.V.T + RO_CLS.c
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(B), Y_CLS])), rel=1e-13)
    assert acc == pytest.approx(np.mean(logits.argmax(1) == Y_CLS))


def test_equal_logits_give_log_k():
    ro = Readout(np.zeros((K, Hd)), np.zeros(K))
    loss, _, grads, dh = loss_and_grads(ro, H_T, Y_CLS, "classification")
    assert loss == pytest.approx(np.log(K), rel=1e-15)
    np.testing.assert_array_equal(dh, np.zeros_like(H_T))
    np.testing.assert_allclose(grads["c"].sum(), 0.0, atol=1e-15)  # softmax gradients sum to zero


@pytest.mark.parametrize("scale", [1e3, 1e5, 1e150])
def test_softmax_is_stable_for_huge_logits(scale):
    """Logits of ±scale: no overflow, no warning, and the loss is what the margins say."""
    ro = Readout(np.zeros((K, Hd)), np.array([scale, -scale, 0.0]))
    y = np.array([0, 1, 2, 0, 1, 2])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        loss, acc, grads, dh = loss_and_grads(ro, H_T, y, "classification")
    # per sample: class 0 costs ~0, class 1 costs 2·scale, class 2 costs scale
    assert loss == pytest.approx((0.0 + 2 * scale + scale) * 2 / B, rel=1e-12)
    assert acc == pytest.approx(2 / B)
    for g in (grads["V"], grads["c"], dh):
        assert np.all(np.isfinite(g))
    # the softmax is one-hot on class 0, so dE/dc = mean(onehot(0) − onehot(y))
    np.testing.assert_allclose(grads["c"], [4 / B, -2 / B, -2 / B], atol=1e-15)


def test_readout_init_is_seeded_and_in_range():
    a = Readout.init(16, 3, np.random.default_rng(0))
    b = Readout.init(16, 3, np.random.default_rng(0))
    assert a.V.shape == (3, 16) and a.c.shape == (3,)
    np.testing.assert_array_equal(a.V, b.V)
    assert np.abs(a.V).max() <= 0.25 and np.abs(a.c).max() <= 0.25


# ---- clipping ------------------------------------------------------------------------------------------
def _norm(grads):
    return np.sqrt(sum(np.sum(g * g) for g in grads.values()))


def test_clip_leaves_small_gradients_alone():
    grads = {"a": np.array([0.3, -0.4]), "b": np.array([[0.0]])}
    out, norm = clip_by_norm(grads, 1.0)
    assert norm == pytest.approx(0.5, rel=1e-15)
    for k in grads:
        np.testing.assert_array_equal(out[k], grads[k])


def test_clip_scales_large_gradients_to_the_maximum():
    grads = {"a": np.array([3.0, -4.0]), "b": np.array([[12.0]])}  # joint norm 13
    before = {k: v.copy() for k, v in grads.items()}
    out, norm = clip_by_norm(grads, 2.0)
    assert norm == pytest.approx(13.0, rel=1e-15)  # the norm before clipping
    assert _norm(out) == pytest.approx(2.0, rel=1e-14)
    for k in grads:
        np.testing.assert_allclose(out[k], grads[k] * 2.0 / 13.0, rtol=1e-15)  # one scale for all: direction kept
        np.testing.assert_array_equal(grads[k], before[k])  # the input is not scaled in place


def test_clip_uses_the_joint_norm():
    """Each array alone is below the maximum, together they are above it."""
    grads = {"a": np.array([0.6, 0.0]), "b": np.array([0.0, 0.8]), "c": np.array([0.0])}
    out, norm = clip_by_norm(grads, 0.5)
    assert norm == pytest.approx(1.0, rel=1e-15)
    assert _norm(out) == pytest.approx(0.5, rel=1e-14)
    np.testing.assert_allclose(out["a"], [0.3, 0.0], rtol=1e-15)
    np.testing.assert_allclose(out["b"], [0.0, 0.4], rtol=1e-15)


def test_clip_none_and_zero():
    grads = {"a": np.array([30.0, 40.0])}
    out, norm = clip_by_norm(grads, None)
    assert norm == 50.0
    np.testing.assert_array_equal(out["a"], grads["a"])
    out, norm = clip_by_norm({"a": np.zeros(3)}, 1.0)
    assert norm == 0.0
    np.testing.assert_array_equal(out["a"], np.zeros(3))


@pytest.mark.parametrize("max_norm", [-1.0, float("nan"), True, np.True_])  # regression: True was taken as 1
def test_clip_refuses_a_negative_or_nan_maximum(max_norm):
    """A negative maximum would scale by a negative factor and turn gradient descent into ascent."""
    with pytest.raises(ValueError):
        clip_by_norm({"a": np.array([3.0, 4.0])}, max_norm)


# ---- optimisers ------------------------------------------------------------------------------------------
PARAMS = {"W": _rng.normal(size=(3, 2)), "b": _rng.normal(size=3)}
GRADS = {"W": _rng.normal(size=(3, 2)), "b": np.array([2.0, -0.5, 1e-3])}


def _copies(d):
    return {k: v.copy() for k, v in d.items()}


def _assert_fresh(out, params, grads, params_before, grads_before):
    assert set(out) == set(params)
    for k in params:
        np.testing.assert_array_equal(params[k], params_before[k], err_msg=f"{k} was changed in place")
        np.testing.assert_array_equal(grads[k], grads_before[k], err_msg=f"gradient {k} was changed")
        assert not np.shares_memory(out[k], params[k]) and not np.shares_memory(out[k], grads[k]), k


def test_sgd_step_is_theta_minus_alpha_g():
    p0, g0 = _copies(PARAMS), _copies(GRADS)
    out = SGD(0.1).step(PARAMS, GRADS)
    for k in PARAMS:
        np.testing.assert_allclose(out[k], p0[k] - 0.1 * g0[k], rtol=1e-15)
    _assert_fresh(out, PARAMS, GRADS, p0, g0)


def test_adam_first_step_moves_each_parameter_by_lr_times_sign():
    """m̂ = g, v̂ = g² after bias correction, so the first step is lr · g / (|g| + ε) ≈ lr · sign(g)."""
    p0, g0 = _copies(PARAMS), _copies(GRADS)
    opt = Adam(0.01)
    out = opt.step(PARAMS, GRADS)
    for k in PARAMS:
        np.testing.assert_allclose(out[k] - p0[k], -0.01 * np.sign(g0[k]), rtol=1e-4)
    assert opt.t == 1
    _assert_fresh(out, PARAMS, GRADS, p0, g0)


def test_adam_follows_kingma_and_ba_over_several_steps():
    opt, lr, b1, b2, eps = Adam(0.05), 0.05, 0.9, 0.999, 1e-8
    rng = np.random.default_rng(4)
    p, m, v = {"w": rng.normal(size=5)}, np.zeros(5), np.zeros(5)
    expected = p["w"].copy()
    for t in range(1, 6):
        g = rng.normal(size=5)
        p = opt.step(p, {"w": g})
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g
        expected = expected - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
        np.testing.assert_allclose(p["w"], expected, rtol=1e-13)


def test_adam_state_is_per_parameter():
    opt = Adam(0.1)
    opt.step({"a": np.zeros(2), "b": np.zeros(2)}, {"a": np.ones(2), "b": -np.ones(2)})
    np.testing.assert_allclose(opt.m["a"], 0.1 * np.ones(2))
    np.testing.assert_allclose(opt.m["b"], -0.1 * np.ones(2))


@pytest.mark.torch
def test_adam_matches_torch_optim_adam(torch):
    rng = np.random.default_rng(5)
    w0 = rng.normal(size=(4, 3))
    w_t = torch.nn.Parameter(torch.tensor(w0))
    topt = torch.optim.Adam([w_t], lr=0.02)
    opt, p = Adam(0.02), {"w": w0}
    for _ in range(8):
        g = rng.normal(size=(4, 3))
        w_t.grad = torch.tensor(g)
        topt.step()
        p = opt.step(p, {"w": g})
    np.testing.assert_allclose(p["w"], w_t.detach().numpy(), rtol=1e-12, atol=1e-15)
