"""The batched training passes equal the exact engine run sequence by sequence.

batched.forward(model, X) must give, for every b, the h_t of model.forward(X[b]); batched.direct_backward
must give the sum over the batch of model.backward(record_b, dH[:, b]) for every parameter.
"""
import numpy as np
import pytest

from gru_core import GRU, LSTM, RNN, batched

from ..core.fd import NAMES, random_state

B, T, I, H = 5, 7, 3, 4
_rng = np.random.default_rng(77)
X = _rng.normal(size=(B, T, I))
DH = _rng.normal(size=(T, B, H))  # a loss on every step, not just the last
TOL = dict(rtol=1e-12, atol=1e-12)

MODELS = [
    *(pytest.param(GRU.from_torch(random_state(3, I, H, seed=21, saturate=3.0), reset_after, update),
                   id=f"gru-{'after' if reset_after else 'before'}-{update}")
      for reset_after in (True, False) for update in ("keep", "take")),
    pytest.param(RNN.from_torch(random_state(1, I, H, seed=22)), id="rnn"),
    pytest.param(LSTM.from_torch(random_state(4, I, H, seed=23, saturate=3.0)), id="lstm"),
]


def per_sequence(model, X, DH):
    """The exact engine's records and gradients, one sequence at a time."""
    recs = [model.forward(X[b]) for b in range(X.shape[0])]
    grads = [model.backward(rec, DH[:, b]) for b, rec in enumerate(recs)]
    return recs, grads


@pytest.mark.parametrize("model", MODELS)
def test_forward_states_match_exact_engine(model):
    X_before = X.copy()
    tr = batched.forward(model, X)
    np.testing.assert_array_equal(X, X_before)  # the input is not touched
    assert tr.H.shape == (T, B, H)
    assert tr.H_prev.shape == (T, B, H)
    np.testing.assert_array_equal(tr.H_prev[0], np.zeros((B, H)))  # training starts from h0 = 0
    np.testing.assert_array_equal(tr.H_prev[1:], tr.H[:-1])
    recs, _ = per_sequence(model, X, DH)
    for b, rec in enumerate(recs):
        np.testing.assert_allclose(tr.H[:, b], rec.h, **TOL, err_msg=f"sequence {b}")


@pytest.mark.parametrize("model", MODELS)
def test_backward_is_the_sum_of_per_sequence_gradients(model):
    tr = batched.forward(model, X)
    grads = batched.direct_backward(tr, DH)
    assert set(grads) == set(NAMES)
    _, per_seq = per_sequence(model, X, DH)
    for name, p in zip(NAMES, model.params, strict=True):
        expected = sum(g[name] for g in per_seq)
        assert grads[name].shape == p.shape, name
        np.testing.assert_allclose(grads[name], expected, **TOL, err_msg=name)
        assert np.abs(expected).max() > 1e-3, name  # the comparison is not between two zeros


@pytest.mark.parametrize("model", MODELS)
def test_loss_at_the_last_step_only(model):
    """The training case: ∂L/∂h_t = 0 for t < T."""
    dH = np.zeros((T, B, H))
    dH[-1] = DH[-1]
    grads = batched.direct_backward(batched.forward(model, X), dH)
    _, per_seq = per_sequence(model, X, dH)
    for name in NAMES:
        np.testing.assert_allclose(grads[name], sum(g[name] for g in per_seq), **TOL, err_msg=name)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("b, t", [(1, 1), (1, T), (B, 1)])
def test_edge_sizes(model, b, t):
    x, dh = X[:b, :t], DH[:t, :b]
    tr = batched.forward(model, x)
    grads = batched.direct_backward(tr, dh)
    recs, per_seq = per_sequence(model, x, dh)
    for k, rec in enumerate(recs):
        np.testing.assert_allclose(tr.H[:, k], rec.h, **TOL)
    for name in NAMES:
        np.testing.assert_allclose(grads[name], sum(g[name] for g in per_seq), **TOL, err_msg=name)


def test_lstm_trace_keeps_the_cell_states():
    model = MODELS[-1].values[0]
    tr = batched.forward(model, X)
    recs, _ = per_sequence(model, X, DH)
    for b, rec in enumerate(recs):
        np.testing.assert_allclose(tr.parts["c"][:, b], rec.c, **TOL)
        np.testing.assert_allclose(tr.parts["u"][:, b], rec.u, **TOL)


@pytest.mark.parametrize("model", MODELS)
def test_batch_order_does_not_matter(model):
    perm = np.array([3, 0, 4, 1, 2])
    a = batched.direct_backward(batched.forward(model, X), DH)
    b = batched.direct_backward(batched.forward(model, X[perm]), DH[:, perm])
    for name in NAMES:
        np.testing.assert_allclose(a[name], b[name], **TOL, err_msg=name)


def test_parameter_count():
    assert GRU.init(I, H).parameter_count() == 3 * H * (I + H + 2)
    assert RNN.init(I, H).parameter_count() == H * (I + H + 2)
    assert LSTM.init(I, H).parameter_count() == 4 * H * (I + H + 2)


def test_parameter_count_is_one_function_for_every_model_class():
    from gru_core import MODELS, parameter_count

    assert {name: cls.GATES for name, cls in MODELS.items()} == {"GRU": 3, "RNN": 1, "LSTM": 4}
    for cls in MODELS.values():
        model = cls.init(I, H)
        assert parameter_count(model) == model.parameter_count() == cls.GATES * H * (I + H + 2)


# ---- one forward pass per cell: the record is the batch of one, with h0 and pinned gates ----------------------
H0 = _rng.uniform(-0.9, 0.9, (B, H))
PINS = [pytest.param({}, id="free"), pytest.param({"force_z": _rng.uniform(0, 1, (T, B, H))}, id="z"),
        pytest.param({"force_r": 0.3}, id="r"), pytest.param({"force_z": 1.0, "force_r": 0.0}, id="both")]


@pytest.mark.parametrize("pins", PINS)
@pytest.mark.parametrize("model", MODELS[:4])
def test_gru_run_takes_h0_and_pinned_gates_like_forward(model, pins):
    tr = model.run(np.ascontiguousarray(X.transpose(1, 0, 2)), H0, **pins)
    grads = batched.direct_backward(tr, DH)
    expected = {name: 0.0 for name in NAMES}
    for b in range(B):
        one = {k: np.broadcast_to(v, (T, B, H))[:, b] for k, v in pins.items()}
        rec = model.forward(X[b], H0[b], **one)
        np.testing.assert_allclose(tr.H[:, b], rec.h, **TOL)
        np.testing.assert_allclose(tr.H_prev[:, b], rec.h_prev, **TOL)
        for name, g in model.backward(rec, DH[:, b]).items():
            if name in expected:
                expected[name] = expected[name] + g
    for name in NAMES:  # a pinned gate's rows get no gradient in either backward pass
        np.testing.assert_allclose(grads[name], expected[name], **TOL, err_msg=name)


@pytest.mark.parametrize("model", MODELS[4:])
def test_rnn_and_lstm_run_take_initial_states(model):
    Xt = np.ascontiguousarray(X.transpose(1, 0, 2))
    C0 = _rng.uniform(-2, 2, (B, H))
    tr = model.run(Xt, H0, C0) if isinstance(model, LSTM) else model.run(Xt, H0)
    for b in range(B):
        rec = model.forward(X[b], H0[b], C0[b]) if isinstance(model, LSTM) else model.forward(X[b], H0[b])
        np.testing.assert_allclose(tr.H[:, b], rec.h, **TOL)
