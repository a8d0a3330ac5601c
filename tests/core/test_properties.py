"""Properties over random sizes, seeds and both convention switches (hypothesis)."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gru_core import GRU, RNN
from gru_core.activations import SMALL, sigmoid

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def cases(draw):
    """A model (GRU with either switch, or RNN) and inputs x in [-1, 1], h0 in [-0.99, 0.99]."""
    T, I, H = draw(st.integers(1, 12)), draw(st.integers(1, 5)), draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    kind = draw(st.sampled_from(["after-keep", "after-take", "before-keep", "before-take", "rnn"]))
    rng = np.random.default_rng(seed)
    if kind == "rnn":
        model = RNN.init(I, H, seed=seed)
    else:
        reset, update = kind.split("-")
        model = GRU.init(I, H, seed=seed, reset_after=reset == "after", update=update)
    x = rng.uniform(-1, 1, (T, I))
    h0 = rng.uniform(-0.99, 0.99, H)
    dh = rng.normal(size=(T, H))
    return model, x, h0, dh


def gates(rec):
    return (rec.z, rec.r, rec.n) if isinstance(rec.model, GRU) else ()


def all_arrays(rec):
    return (rec.x, rec.h0, rec.h, *gates(rec))


@SETTINGS
@given(cases())
def test_shapes(case):
    model, x, h0, dh = case
    (T, I), H = x.shape, h0.shape[0]
    rec = model.forward(x, h0)
    assert rec.x.shape == (T, I) and rec.h0.shape == (H,) and rec.h.shape == (T, H)
    for gate in gates(rec):
        assert gate.shape == (T, H)
    assert rec.jacobians().shape == (T, H, H)
    if isinstance(model, GRU):
        assert rec.frozen_gate_jacobians().shape == (T, H, H)
    grads = model.backward(rec, dh)
    for name, value in model.to_torch().items():
        assert grads[name].shape == value.shape
    assert grads["x"].shape == (T, I) and grads["h0"].shape == (H,) and grads["h"].shape == (T, H)
    assert all(g.dtype == np.float64 for g in grads.values())


@SETTINGS
@given(cases())
def test_records_are_read_only(case):
    model, x, h0, _ = case
    rec = model.forward(x, h0)
    arrays = [*all_arrays(rec), rec.jacobians()]
    if isinstance(model, GRU):
        arrays.append(rec.frozen_gate_jacobians())
    for arr in arrays:
        with pytest.raises(ValueError, match="read-only"):
            arr[(0,) * arr.ndim] = 0.5
    for arr in model.params:
        with pytest.raises(ValueError, match="read-only"):
            arr[(0,) * arr.ndim] = 0.5


@SETTINGS
@given(cases())
def test_no_hidden_state(case):
    model, x, h0, dh = case
    first = model.forward(x, h0)
    snapshot = [np.array(a) for a in all_arrays(first)]
    x_in = np.array(x)
    model.forward(-x_in, -h0)  # another pass in between, with other inputs
    model.backward(first, dh)
    first.jacobians()
    x_in[:] = 7.0  # the caller edits the inputs it passed
    again = model.forward(x, h0)
    for before, now, redo in zip(snapshot, all_arrays(first), all_arrays(again), strict=True):
        np.testing.assert_array_equal(now, before)
        np.testing.assert_array_equal(redo, before)


@SETTINGS
@given(cases())
def test_caller_edits_do_not_reach_the_record_or_the_model(case):
    model, x, h0, _ = case
    x_in, h0_in = np.array(x), np.array(h0)
    rec = model.forward(x_in, h0_in)
    state = model.to_torch()
    x_in += 1.0
    h0_in += 1.0
    for value in state.values():
        value += 1.0  # to_torch hands out copies
    np.testing.assert_array_equal(rec.x, x)
    np.testing.assert_array_equal(rec.h0, h0)
    np.testing.assert_array_equal(model.forward(x, h0).h, rec.h)


@SETTINGS
@given(cases())
def test_states_stay_inside_minus_one_one_and_gates_inside_zero_one(case):
    model, x, h0, _ = case
    rec = model.forward(x, h0)
    assert np.all(np.abs(rec.h) < 1.0)
    if isinstance(model, GRU):
        for gate in (rec.z, rec.r):
            assert np.all((gate >= 0.0) & (gate <= 1.0))
        assert np.all(np.abs(rec.n) < 1.0)


@SETTINGS
@given(cases())
def test_backward_delta_satisfies_bptt_recursion(case):
    model, x, h0, dh = case
    rec = model.forward(x, h0)
    grads, J = model.backward(rec, dh), rec.jacobians()
    delta, T = grads["h"], len(x)
    expected = np.empty_like(delta)
    expected[T - 1] = dh[T - 1]
    for t in range(T - 2, -1, -1):
        expected[t] = dh[t] + J[t + 1].T @ delta[t + 1]
    np.testing.assert_allclose(delta, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads["h0"], J[0].T @ delta[0], rtol=1e-10, atol=1e-12)


@SETTINGS
@given(cases(), st.data())
def test_selected_jacobians_equal_the_full_stack(case, data):
    # equal up to rounding: a batched matmul may sum in another order for another batch size
    model, x, h0, _ = case
    T = len(x)
    rec = model.forward(x, h0)
    full = rec.jacobians()
    k = data.draw(st.integers(-T, T - 1))
    same = {"rtol": 1e-13, "atol": 1e-15}
    np.testing.assert_allclose(rec.jacobians(steps=[k])[0], full[k], **same)
    np.testing.assert_allclose(rec.jacobians(steps=k)[0], full[k], **same)
    np.testing.assert_allclose(rec.jacobians(steps=slice(k, None)), full[k:], **same)
    np.testing.assert_allclose(rec.jacobians(steps=[k, 0, k]), full[[k, 0, k]], **same)
    if isinstance(model, GRU):
        np.testing.assert_allclose(rec.frozen_gate_jacobians(steps=[k])[0], rec.frozen_gate_jacobians()[k], **same)


@SETTINGS
@given(cases())
def test_h_prev_starts_at_h0_and_lags_h(case):
    model, x, h0, _ = case
    rec = model.forward(x, h0)
    np.testing.assert_array_equal(rec.h_prev[0], h0)
    np.testing.assert_array_equal(rec.h_prev[1:], rec.h[:-1])


@pytest.mark.parametrize("size", [8, SMALL, 4 * SMALL], ids=["small-form", "large-form", "larger"])
def test_sigmoid_is_exact_and_silent_over_the_whole_float_range(size):
    """Both forms agree with σ(x) = e^x/(1 + e^x) to a few ulp where σ is tiny, and warn nowhere (warnings
    are errors here), the overflowing ends included."""
    x = np.concatenate([np.linspace(-700.0, 40.0, size - 4), [-1e308, -800.0, 800.0, 1e308]])
    got = sigmoid(x.copy())
    exact = np.array([math.exp(v) / (1 + math.exp(v)) if v < 0 else 1 / (1 + math.exp(-v)) for v in x[:-4]])
    np.testing.assert_allclose(got[:-4], exact, rtol=1e-14, atol=0)
    np.testing.assert_array_equal(got[-4:], [0.0, 0.0, 1.0, 1.0])
    out = np.empty((2, size))[:, ::2]  # a strided destination, as the batched loops pass
    sigmoid(x[: out.size].reshape(out.shape), out=out)
    np.testing.assert_allclose(out.ravel(), got[: out.size], rtol=1e-15)
