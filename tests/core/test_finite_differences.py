"""Central finite differences against jacobians() and every entry of backward(), GRU and RNN.

The GRU is built with N(0, 1) biases and some input weights scaled by 8 so that z and r swing to
within 1e-3 of 0 and 1 (test_gates_visit_saturation checks that this really happens).
"""
import numpy as np
import pytest

from gru_core import GRU, RNN

from .fd import NAMES, SWITCHES, assert_fd_close, central_diff, random_state, with_entry

T, I, H = 6, 3, 4
_rng = np.random.default_rng(1)
X = _rng.normal(size=(T, I))
H0 = _rng.uniform(-0.9, 0.9, H)
DH = _rng.normal(size=(T, H))
GRU_STATE = random_state(3, I, H, seed=0, saturate=8.0)
RNN_STATE = random_state(1, I, H, seed=2)

FORCES = {
    "free": {},
    "z=0.3": {"force_z": 0.3},
    "z-array": {"force_z": _rng.uniform(0, 1, (T, H))},
    "z-row": {"force_z": _rng.uniform(0, 1, H)},
    "r=0.6": {"force_r": 0.6},
    "r-array": {"force_r": _rng.uniform(0, 1, (T, H))},
    "both": {"force_z": _rng.uniform(0, 1, (T, 1)), "force_r": 0.25},
}
FORCE_PARAMS = [pytest.param(force, id=name) for name, force in FORCES.items()]
PINNED_PARAMS = [pytest.param(force, id=name) for name, force in FORCES.items() if force]


def force_slice(force, start, stop=None):
    """The forced gates for steps start..stop, as the shorter forward() over those steps needs them."""
    return {k: np.broadcast_to(v, (T, H))[start:stop] for k, v in force.items()}


def gru_loss(state, reset_after, update, x, h0, force):
    gru = GRU.from_torch(state, reset_after, update)
    return np.sum(gru.forward(x, h0, **force).h * DH[-len(x):])


@pytest.mark.parametrize("reset_after, update", SWITCHES)
def test_gates_visit_saturation(reset_after, update):
    rec = GRU.from_torch(GRU_STATE, reset_after, update).forward(X, H0)
    for gate in (rec.z, rec.r):
        assert gate.min() < 1e-3
        assert gate.max() > 1 - 1e-3


@pytest.mark.parametrize("force", FORCE_PARAMS)
@pytest.mark.parametrize("reset_after, update", SWITCHES)
def test_gru_jacobians_match_fd(reset_after, update, force):
    gru = GRU.from_torch(GRU_STATE, reset_after, update)
    rec = gru.forward(X, H0, **force)
    J = rec.jacobians()
    for t in range(T):
        def step(h, t=t):
            return gru.forward(X[t:t + 1], h, **force_slice(force, t, t + 1)).h[0]

        assert_fd_close(J[t], central_diff(step, rec.h_prev[t]))


@pytest.mark.parametrize("force", FORCE_PARAMS)
@pytest.mark.parametrize("reset_after, update", SWITCHES)
def test_gru_parameter_gradients_match_fd(reset_after, update, force):
    gru = GRU.from_torch(GRU_STATE, reset_after, update)
    grads = gru.backward(gru.forward(X, H0, **force), DH)
    for name in NAMES:
        def loss(w, name=name):
            return gru_loss(with_entry(GRU_STATE, name, w), reset_after, update, X, H0, force)

        assert grads[name].shape == GRU_STATE[name].shape
        assert_fd_close(grads[name], central_diff(loss, GRU_STATE[name]))


@pytest.mark.parametrize("force", FORCE_PARAMS)
@pytest.mark.parametrize("reset_after, update", SWITCHES)
def test_gru_input_and_h0_gradients_match_fd(reset_after, update, force):
    gru = GRU.from_torch(GRU_STATE, reset_after, update)
    grads = gru.backward(gru.forward(X, H0, **force), DH)
    fd_x = central_diff(lambda x: gru_loss(GRU_STATE, reset_after, update, x, H0, force), X)
    fd_h0 = central_diff(lambda h0: gru_loss(GRU_STATE, reset_after, update, X, h0, force), H0)
    assert_fd_close(grads["x"], fd_x)
    assert_fd_close(grads["h0"], fd_h0)


@pytest.mark.parametrize("force", FORCE_PARAMS)
@pytest.mark.parametrize("reset_after, update", SWITCHES)
def test_gru_delta_is_the_gradient_wrt_each_state(reset_after, update, force):
    # L as a function of h_t alone: its own term plus everything computed from it afterwards
    gru = GRU.from_torch(GRU_STATE, reset_after, update)
    delta = gru.backward(gru.forward(X, H0, **force), DH)["h"]
    rec = gru.forward(X, H0, **force)
    for t in range(T):
        def loss_from(h, t=t):
            later = 0.0 if t == T - 1 else np.sum(gru.forward(X[t + 1:], h, **force_slice(force, t + 1)).h * DH[t + 1:])
            return h @ DH[t] + later

        assert_fd_close(delta[t], central_diff(loss_from, rec.h[t]))


@pytest.mark.parametrize("force", FORCE_PARAMS)
@pytest.mark.parametrize("reset_after, update", SWITCHES)
def test_gru_delta_follows_the_bptt_recursion(reset_after, update, force):
    gru = GRU.from_torch(GRU_STATE, reset_after, update)
    rec = gru.forward(X, H0, **force)
    grads, J = gru.backward(rec, DH), rec.jacobians()
    delta = grads["h"]
    np.testing.assert_array_equal(delta[T - 1], DH[T - 1])
    for t in range(T - 1):
        np.testing.assert_allclose(delta[t], DH[t] + J[t + 1].T @ delta[t + 1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads["h0"], J[0].T @ delta[0], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("force", PINNED_PARAMS)
@pytest.mark.parametrize("reset_after, update", SWITCHES)
def test_pinned_gate_rows_get_exactly_zero_gradient(reset_after, update, force):
    gru = GRU.from_torch(GRU_STATE, reset_after, update)
    grads = gru.backward(gru.forward(X, H0, **force), DH)
    blocks = {"force_r": slice(0, H), "force_z": slice(H, 2 * H)}
    for key, rows in blocks.items():
        for name in NAMES:
            pinned = np.all(grads[name][rows] == 0.0)
            assert pinned == (key in force), (key, name)


# ---- vanilla RNN ---------------------------------------------------------------------------------
def rnn_loss(state, x, h0):
    return np.sum(RNN.from_torch(state).forward(x, h0).h * DH[-len(x):])


def test_rnn_jacobians_match_fd():
    rnn = RNN.from_torch(RNN_STATE)
    rec = rnn.forward(X, H0)
    J = rec.jacobians()
    for t in range(T):
        assert_fd_close(J[t], central_diff(lambda h, t=t: rnn.forward(X[t:t + 1], h).h[0], rec.h_prev[t]))


def test_rnn_gradients_match_fd():
    rnn = RNN.from_torch(RNN_STATE)
    grads = rnn.backward(rnn.forward(X, H0), DH)
    for name in NAMES:
        fd = central_diff(lambda w, name=name: rnn_loss(with_entry(RNN_STATE, name, w), X, H0), RNN_STATE[name])
        assert_fd_close(grads[name], fd)
    assert_fd_close(grads["x"], central_diff(lambda x: rnn_loss(RNN_STATE, x, H0), X))
    assert_fd_close(grads["h0"], central_diff(lambda h0: rnn_loss(RNN_STATE, X, h0), H0))


def test_rnn_delta_is_the_gradient_wrt_each_state():
    rnn = RNN.from_torch(RNN_STATE)
    rec = rnn.forward(X, H0)
    delta = rnn.backward(rec, DH)["h"]
    for t in range(T):
        def loss_from(h, t=t):
            later = 0.0 if t == T - 1 else np.sum(rnn.forward(X[t + 1:], h).h * DH[t + 1:])
            return h @ DH[t] + later

        assert_fd_close(delta[t], central_diff(loss_from, rec.h[t]))


def test_rnn_delta_follows_the_bptt_recursion():
    rnn = RNN.from_torch(RNN_STATE)
    rec = rnn.forward(X, H0)
    grads, J = rnn.backward(rec, DH), rec.jacobians()
    np.testing.assert_array_equal(grads["h"][T - 1], DH[T - 1])
    for t in range(T - 1):
        np.testing.assert_allclose(grads["h"][t], DH[t] + J[t + 1].T @ grads["h"][t + 1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads["h0"], J[0].T @ grads["h"][0], rtol=1e-10, atol=1e-12)
