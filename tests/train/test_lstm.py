"""The NumPy LSTM against torch.nn.LSTM / nn.LSTMCell in float64, against finite differences, and on bad input.

The state is the pair s = [h; c]; the step Jacobians are (2H, 2H) with the h block first, and
`backward` returns δ_t = ∂L/∂h_t as "h" and the partner ∂L/∂c_t (through later steps only, h_t held
fixed) as "c".
"""
import numpy as np
import pytest

from gru_core import GRU, LSTM, RNN

from ..core.fd import NAMES, assert_fd_close, central_diff, random_state, with_entry

T, I, H = 6, 3, 4
_rng = np.random.default_rng(2024)
X = _rng.normal(size=(T, I))
H0 = _rng.uniform(-0.9, 0.9, H)
C0 = _rng.normal(size=H)
DH = _rng.normal(size=(T, H))
STATE = random_state(4, I, H, seed=7, saturate=3.0)  # i and f of units 0, 1 swing towards 0 and 1
LSTM_M = LSTM.from_torch(STATE)


def close(ours, theirs, rtol=1e-9, atol=1e-12):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def tensors(torch, state, suffix="_l0"):
    return {name.removesuffix("_l0") + suffix: torch.tensor(np.asarray(value)) for name, value in state.items()}


def loss(model, x=X, h0=H0, c0=C0):
    """L = Σ_t h_t · DH_t, the loss whose gradients backward(rec, DH) returns."""
    return float(np.sum(model.forward(x, h0, c0).h * DH))


# ---- PyTorch parity ----------------------------------------------------------------------------------
@pytest.fixture
def nn_lstm(torch):
    module = torch.nn.LSTM(I, H)
    module.load_state_dict(tensors(torch, STATE))
    return module


@pytest.fixture
def lstm_cell(torch):
    cell = torch.nn.LSTMCell(I, H)
    cell.load_state_dict(tensors(torch, STATE, suffix=""))
    return cell


def torch_run(torch, module):
    """out, (h_T, c_T) and the gradients of sum(out * DH) w.r.t. every parameter, h0, c0 and x."""
    x = torch.tensor(X, requires_grad=True)
    h0 = torch.tensor(H0[None], requires_grad=True)
    c0 = torch.tensor(C0[None], requires_grad=True)
    out, (h_n, c_n) = module(x, (h0, c0))
    (out * torch.tensor(DH)).sum().backward()
    grads = {name: p.grad for name, p in module.named_parameters()}
    return out, h_n[0], c_n[0], {**grads, "x": x.grad, "h0": h0.grad[0], "c0": c0.grad[0]}


@pytest.mark.torch
def test_forward_matches_nn_lstm(torch, nn_lstm):
    rec = LSTM_M.forward(X, H0, C0)
    out, h_n, c_n, _ = torch_run(torch, nn_lstm)
    close(rec.h, out)
    close(rec.h[-1], h_n)
    close(rec.c[-1], c_n)


@pytest.mark.torch
def test_every_cell_state_matches_lstm_cell_loop(torch, lstm_cell):
    rec = LSTM_M.forward(X, H0, C0)
    h, c = torch.tensor(H0), torch.tensor(C0)
    with torch.no_grad():
        for t in range(T):
            h, c = lstm_cell(torch.tensor(X[t]), (h, c))
            close(rec.h[t], h)
            close(rec.c[t], c)
    # the gates the record keeps reproduce the state it reports
    close(rec.c, rec.f * rec.c_prev + rec.i * rec.g)
    close(rec.h, rec.o * np.tanh(rec.c))


@pytest.mark.torch
def test_backward_matches_autograd(torch, nn_lstm):
    grads = LSTM_M.backward(LSTM_M.forward(X, H0, C0), DH)
    *_, expected = torch_run(torch, nn_lstm)
    for name in (*NAMES, "h0", "c0", "x"):
        assert grads[name].shape == tuple(expected[name].shape), name
        close(grads[name], expected[name])


@pytest.mark.torch
def test_state_deltas_match_autograd(torch, lstm_cell):
    """An LSTMCell loop with retain_grad: h_t.grad is δ_t = ∂L/∂h_t ("h"). The cell emits h_t and c_t from one
    fused op (h_t is not a function of the node c_t), so c_t.grad counts only the later steps: exactly the
    partner "c", with h_t held fixed; the last c_T reaches nothing and has no gradient."""
    h, c = torch.tensor(H0), torch.tensor(C0)
    hs, cs = [], []
    for t in range(T):
        h, c = lstm_cell(torch.tensor(X[t]), (h, c))
        h.retain_grad()
        c.retain_grad()
        hs.append(h)
        cs.append(c)
    (torch.stack(hs) * torch.tensor(DH)).sum().backward()
    grads = LSTM_M.backward(LSTM_M.forward(X, H0, C0), DH)
    assert cs[-1].grad is None
    close(grads["h"], np.stack([v.grad.numpy() for v in hs]))
    close(grads["c"][:-1], np.stack([v.grad.numpy() for v in cs[:-1]]))
    close(grads["c"][-1], np.zeros(H), atol=0.0)  # nothing after the last step


@pytest.mark.torch
def test_step_jacobians_match_lstm_cell(torch, lstm_cell):
    rec = LSTM_M.forward(X, H0, C0)
    J = rec.jacobians()
    assert J.shape == (T, 2 * H, 2 * H)
    s_prev = np.hstack([rec.h_prev, rec.c_prev])
    for t in range(T):
        def step(s, t=t):
            h, c = lstm_cell(torch.tensor(X[t]), (s[:H], s[H:]))
            return torch.cat([h, c])

        close(J[t], torch.autograd.functional.jacobian(step, torch.tensor(s_prev[t])))


@pytest.mark.torch
def test_torch_round_trip(torch):
    model = LSTM.init(I, H, seed=3)
    module = torch.nn.LSTM(I, H)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in model.to_torch().items()})  # strict: names match
    back = LSTM.from_torch(module.state_dict())  # torch tensors in, float64 arrays out
    for name, ours, theirs in zip(NAMES, model.params, back.params, strict=True):
        assert theirs.dtype == np.float64, name
        np.testing.assert_array_equal(ours, theirs, err_msg=name)
    with torch.no_grad():
        out, _ = module(torch.tensor(X))
    close(model.forward(X).h, out)


@pytest.mark.torch
def test_from_torch_reads_a_fresh_module(torch):
    module = torch.nn.LSTM(I, H)
    model = LSTM.from_torch(module.state_dict())
    assert (model.input_size, model.hidden_size) == (I, H)
    for name, ours in model.to_torch().items():
        np.testing.assert_array_equal(ours, module.state_dict()[name].numpy(), err_msg=name)


# ---- without PyTorch: finite differences ---------------------------------------------------------------
def test_to_torch_gives_private_copies():
    state = LSTM_M.to_torch()
    assert set(state) == set(NAMES)
    state["weight_hh_l0"][:] = 0.0
    assert np.any(LSTM_M.params.W_hh != 0.0)
    np.testing.assert_array_equal(LSTM.from_torch(LSTM_M.to_torch()).params.W_hh, LSTM_M.params.W_hh)


def test_jacobians_match_finite_differences():
    rec = LSTM_M.forward(X, H0, C0)
    J = rec.jacobians()
    s_prev = np.hstack([rec.h_prev, rec.c_prev])
    for t in range(T):
        def step(s, t=t):
            r = LSTM_M.forward(X[t:t + 1], s[:H], s[H:])
            return np.concatenate([r.h[0], r.c[0]])

        assert_fd_close(J[t], central_diff(step, s_prev[t]))


def test_jacobian_structure():
    """∂c'/∂c = diag(f) and ∂h'/∂c = diag(o (1 − u²) f): the c columns are diagonal."""
    rec = LSTM_M.forward(X, H0, C0)
    J = rec.jacobians()
    for t in range(T):
        np.testing.assert_array_equal(J[t, H:, H:], np.diag(rec.f[t]))
        np.testing.assert_allclose(J[t, :H, H:], np.diag(rec.o[t] * (1 - rec.u[t] ** 2) * rec.f[t]), rtol=1e-15)


@pytest.mark.parametrize("steps", [[1, 4], slice(2, 5), 3, [-1]])
def test_jacobian_subsets(steps):
    rec = LSTM_M.forward(X, H0, C0)
    expected = rec.jacobians()[np.arange(T)[steps]].reshape(-1, 2 * H, 2 * H)
    np.testing.assert_allclose(rec.jacobians(steps), expected, rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("name", NAMES)
def test_parameter_gradients_match_finite_differences(name):
    grads = LSTM_M.backward(LSTM_M.forward(X, H0, C0), DH)
    numeric = central_diff(lambda w: loss(LSTM.from_torch(with_entry(STATE, name, w))), STATE[name])
    assert_fd_close(grads[name], numeric)


def test_input_and_initial_state_gradients_match_finite_differences():
    grads = LSTM_M.backward(LSTM_M.forward(X, H0, C0), DH)
    assert_fd_close(grads["x"], central_diff(lambda x: loss(LSTM_M, x=x), X))
    assert_fd_close(grads["h0"], central_diff(lambda h: loss(LSTM_M, h0=h), H0))
    assert_fd_close(grads["c0"], central_diff(lambda c: loss(LSTM_M, c0=c), C0))


def test_state_deltas_match_finite_differences():
    """"h"[t], "c"[t] = ∂L/∂h_t, ∂L/∂c_t with the other half of s_t held: restart the sequence from s_t."""
    rec = LSTM_M.forward(X, H0, C0)
    grads = LSTM_M.backward(rec, DH)

    def loss_from(t, h, c):
        later = LSTM_M.forward(X[t + 1:], h, c).h if t + 1 < T else np.zeros((0, H))
        return float(h @ DH[t] + np.sum(later * DH[t + 1:]))

    for t in range(T):
        assert_fd_close(grads["h"][t], central_diff(lambda h, t=t: loss_from(t, h, rec.c[t]), rec.h[t]))
        assert_fd_close(grads["c"][t], central_diff(lambda c, t=t: loss_from(t, rec.h[t], c), rec.c[t]))


def test_backward_is_linear_in_dh():
    rec = LSTM_M.forward(X, H0, C0)
    a = LSTM_M.backward(rec, DH)
    b = LSTM_M.backward(rec, 2.0 * DH)
    zero = LSTM_M.backward(rec, np.zeros_like(DH))
    for name in (*NAMES, "h0", "c0", "x"):
        np.testing.assert_allclose(b[name], 2.0 * a[name], rtol=1e-13, atol=1e-15)
        np.testing.assert_array_equal(zero[name], np.zeros_like(a[name]))


def test_default_initial_state_is_zero():
    a, b = LSTM_M.forward(X), LSTM_M.forward(X, np.zeros(H), np.zeros(H))
    np.testing.assert_array_equal(a.h, b.h)
    np.testing.assert_array_equal(a.c, b.c)
    assert not a.h.flags.writeable and not a.c.flags.writeable


def test_init_matches_pytorch_default_range_and_is_seeded():
    a, b, c = LSTM.init(I, H, seed=5), LSTM.init(I, H, seed=5), LSTM.init(I, H, seed=6)
    for p, q, r in zip(a.params, b.params, c.params, strict=True):
        assert p.shape[0] == 4 * H
        np.testing.assert_array_equal(p, q)
        assert not np.array_equal(p, r)
        assert np.abs(p).max() <= 1.0 / np.sqrt(H)


# ---- bad input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("x, match", [
    (np.ones(I), "2-D"),
    (np.ones((1, T, I)), "2-D"),
    (np.ones((T, I + 1)), "input features"),
    (np.ones((0, I)), "at least one time step"),
    (np.array([[0.0, np.nan, 0.0]]), "finite"),
    (np.array([[np.inf, 0.0, 0.0]]), "finite"),
    ("abc", "numeric"),
])
def test_forward_refuses_bad_x(x, match):
    with pytest.raises(ValueError, match=match):
        LSTM_M.forward(x)


@pytest.mark.parametrize("h0, c0, match", [
    (np.zeros(H + 1), None, r"h0 must have shape \(4,\)"),
    (np.zeros((1, H)), None, r"h0 must have shape \(4,\)"),
    (None, np.zeros(H + 1), r"c0 must have shape \(4,\)"),
    (None, np.zeros(H - 1), r"c0 must have shape \(4,\)"),
    (None, np.zeros((1, H)), r"c0 must have shape \(4,\)"),
    (None, 0.0, r"c0 must have shape \(4,\)"),
    (None, [0.0, np.nan, 0.0, 0.0], "c0 must be finite"),
    (np.array([np.inf, 0, 0, 0]), None, "h0 must be finite"),
])
def test_forward_refuses_bad_initial_state(h0, c0, match):
    with pytest.raises(ValueError, match=match):
        LSTM_M.forward(X, h0, c0)


def test_backward_refuses_bad_dh_and_foreign_records():
    rec = LSTM_M.forward(X, H0, C0)
    with pytest.raises(ValueError, match="dh must have shape"):
        LSTM_M.backward(rec, DH[:-1])
    with pytest.raises(ValueError, match="hidden units"):
        LSTM_M.backward(rec, np.zeros((T, H + 1)))
    with pytest.raises(ValueError, match="finite"):
        LSTM_M.backward(rec, np.full((T, H), np.nan))
    other = LSTM.from_torch(STATE)  # same weights, another model: its record is not this one's
    with pytest.raises(ValueError, match="LSTMRecord"):
        LSTM_M.backward(other.forward(X), DH)
    with pytest.raises(ValueError, match="LSTMRecord"):
        LSTM_M.backward(GRU.from_torch(random_state(3, I, H, seed=1)).forward(X), DH)


def _gru_shaped(*names):
    """The LSTM state with the given tensors cut to 3H rows, as a GRU would store them."""
    gru = random_state(3, I, H, seed=9)
    return {**STATE, **{n: gru[n] for n in names}}


@pytest.mark.parametrize("state", [
    pytest.param(random_state(3, I, H, seed=9), id="all-gru"),
    pytest.param(_gru_shaped("weight_hh_l0"), id="weight_hh"),
    pytest.param(_gru_shaped("weight_ih_l0"), id="weight_ih"),
    pytest.param(_gru_shaped("bias_ih_l0"), id="bias_ih"),
    pytest.param(_gru_shaped("bias_hh_l0"), id="bias_hh"),
    pytest.param(random_state(1, I, H, seed=9), id="rnn"),
    pytest.param({**STATE, "weight_hh_l1": STATE["weight_hh_l0"]}, id="two-layer"),
    pytest.param({k: v for k, v in STATE.items() if k != "bias_hh_l0"}, id="missing-bias"),
    pytest.param(with_entry(STATE, "bias_ih_l0", np.full(4 * H, np.nan)), id="nan"),
])
def test_from_torch_refuses_states_that_are_not_an_lstm(state):
    with pytest.raises(ValueError):
        LSTM.from_torch(state)


def test_gru_and_rnn_refuse_an_lstm_state():
    with pytest.raises(ValueError, match="3·H"):
        GRU.from_torch(STATE)
    with pytest.raises(ValueError):
        RNN.from_torch(STATE)


@pytest.mark.parametrize("kwargs", [dict(input_size=0, hidden_size=H), dict(input_size=I, hidden_size=0),
                                    dict(input_size=I, hidden_size=2.5), dict(input_size=I, hidden_size=H, seed=-1)])
def test_init_refuses_bad_sizes(kwargs):
    with pytest.raises(ValueError):
        LSTM.init(**kwargs)


def test_jacobians_refuse_bad_steps():
    rec = LSTM_M.forward(X, H0, C0)
    with pytest.raises(ValueError, match="steps"):
        rec.jacobians([T])
    with pytest.raises(ValueError, match="steps"):
        rec.jacobians([0.5])


def test_named_blocks_are_the_pytorch_row_blocks():
    lstm = LSTM.init(3, 5, seed=2)
    W_ih, W_hh = lstm.params.W_ih, lstm.params.W_hh
    for k, gate in enumerate("ifgo"):
        np.testing.assert_array_equal(getattr(lstm, f"W_i{gate}"), W_ih[5 * k:5 * (k + 1)])
        np.testing.assert_array_equal(getattr(lstm, f"W_h{gate}"), W_hh[5 * k:5 * (k + 1)])
