"""gru_core against PyTorch in float64: nn.GRU / nn.RNN, their cells, and a hand-written GRU for
the conventions PyTorch lacks (reset before the product, update "take")."""
import numpy as np
import pytest

from gru_core import GRU, RNN

from .fd import NAMES, SWITCHES, random_state

pytestmark = pytest.mark.torch

T, I, H = 7, 3, 5
_rng = np.random.default_rng(11)
X = _rng.normal(size=(T, I))
H0 = _rng.uniform(-0.9, 0.9, H)
DH = _rng.normal(size=(T, H))
GRU_STATE = random_state(3, I, H, seed=3, saturate=4.0)
RNN_STATE = random_state(1, I, H, seed=4)


def close(ours, theirs):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def tensors(torch, state, suffix="_l0"):
    return {name.removesuffix("_l0") + suffix: torch.tensor(np.asarray(value)) for name, value in state.items()}


def module_outputs_and_grads(torch, module):
    """out, h_T and the gradients of sum(out * DH) w.r.t. every parameter, h0 and x."""
    x = torch.tensor(X, requires_grad=True)
    h0 = torch.tensor(H0[None], requires_grad=True)
    out, h_last = module(x, h0)
    (out * torch.tensor(DH)).sum().backward()
    grads = {name: p.grad for name, p in module.named_parameters()}
    return out, h_last[0], {**grads, "x": x.grad, "h0": h0.grad[0]}


def cell_jacobians(torch, cell, h_prev):
    return [torch.autograd.functional.jacobian(lambda h, t=t: cell(torch.tensor(X[t]), h), torch.tensor(h_prev[t]))
            for t in range(T)]


# ---- nn.GRU: reset after, update "keep" -------------------------------------------------------------
@pytest.fixture
def nn_gru(torch):
    module = torch.nn.GRU(I, H)
    module.load_state_dict(tensors(torch, GRU_STATE))
    return module


def test_gru_forward_matches_nn_gru(torch, nn_gru):
    rec = GRU.from_torch(GRU_STATE).forward(X, H0)
    out, h_last, _ = module_outputs_and_grads(torch, nn_gru)
    close(rec.h, out)
    close(rec.h[-1], h_last)


def test_gru_backward_matches_autograd(torch, nn_gru):
    gru = GRU.from_torch(GRU_STATE)
    grads = gru.backward(gru.forward(X, H0), DH)
    _, _, expected = module_outputs_and_grads(torch, nn_gru)
    for name in (*NAMES, "x", "h0"):
        close(grads[name], expected[name])


@pytest.mark.parametrize("model", ["GRU", "RNN"])
def test_step_jacobians_match_torch_cells(torch, model):
    cls, cell, state = {"GRU": (GRU, torch.nn.GRUCell(I, H), GRU_STATE),
                        "RNN": (RNN, torch.nn.RNNCell(I, H, nonlinearity="tanh"), RNN_STATE)}[model]
    cell.load_state_dict(tensors(torch, state, suffix=""))
    rec = cls.from_torch(state).forward(X, H0)
    for ours, theirs in zip(rec.jacobians(), cell_jacobians(torch, cell, rec.h_prev), strict=True):
        close(ours, theirs)


def test_to_torch_loads_into_nn_gru(torch):
    gru = GRU.init(I, H, seed=5)
    module = torch.nn.GRU(I, H)
    module.load_state_dict(tensors(torch, gru.to_torch()))  # strict: names and shapes must all match
    out, h_last, _ = module_outputs_and_grads(torch, module)
    close(gru.forward(X, H0).h, out)


def test_from_torch_reproduces_a_torch_model(torch):
    torch.manual_seed(0)
    module = torch.nn.GRU(I, H)
    out, _, _ = module_outputs_and_grads(torch, module)
    from_numpy = GRU.from_torch({k: v.numpy() for k, v in module.state_dict().items()})
    from_params = GRU.from_torch(dict(module.named_parameters()))  # live tensors that require grad
    close(from_numpy.forward(X, H0).h, out)
    close(from_params.forward(X, H0).h, out)


# ---- nn.RNN ------------------------------------------------------------------------------------------
@pytest.fixture
def nn_rnn(torch):
    module = torch.nn.RNN(I, H, nonlinearity="tanh")
    module.load_state_dict(tensors(torch, RNN_STATE))
    return module


def test_rnn_forward_and_backward_match_nn_rnn(torch, nn_rnn):
    rnn = RNN.from_torch(RNN_STATE)
    rec = rnn.forward(X, H0)
    grads = rnn.backward(rec, DH)
    out, h_last, expected = module_outputs_and_grads(torch, nn_rnn)
    close(rec.h, out)
    close(rec.h[-1], h_last)
    for name in (*NAMES, "x", "h0"):
        close(grads[name], expected[name])


def test_rnn_round_trips_through_torch(torch):
    rnn = RNN.init(I, H, seed=6)
    module = torch.nn.RNN(I, H)
    module.load_state_dict(tensors(torch, rnn.to_torch()))
    back = RNN.from_torch({k: v.numpy() for k, v in module.state_dict().items()})
    close(back.forward(X, H0).h, module_outputs_and_grads(torch, module)[0])


# ---- every convention against the GRU's equations (docs/MATH.md), written out in torch -------------
def torch_gru_step(torch, p, x, h, reset_after, update):
    W_ih, W_hh, b_ih, b_hh = (p[name] for name in NAMES)
    gi = W_ih @ x + b_ih
    r = torch.sigmoid(gi[:H] + W_hh[:H] @ h + b_hh[:H])
    z = torch.sigmoid(gi[H:2 * H] + W_hh[H:2 * H] @ h + b_hh[H:2 * H])
    if reset_after:
        n = torch.tanh(gi[2 * H:] + r * (W_hh[2 * H:] @ h + b_hh[2 * H:]))
    else:
        n = torch.tanh(gi[2 * H:] + W_hh[2 * H:] @ (r * h) + b_hh[2 * H:])
    h_new = z * h + (1 - z) * n if update == "keep" else (1 - z) * h + z * n
    return h_new, r, z, n


@pytest.mark.parametrize("reset_after, update", SWITCHES)
def test_gru_matches_handwritten_torch_equations(torch, reset_after, update):
    params = {name: torch.tensor(value, requires_grad=True) for name, value in GRU_STATE.items()}
    x = torch.tensor(X, requires_grad=True)
    h0 = torch.tensor(H0, requires_grad=True)
    h, steps = h0, []
    for t in range(T):
        steps.append(torch_gru_step(torch, params, x[t], h, reset_after, update))
        h = steps[-1][0]
    hs = torch.stack([s[0] for s in steps])
    (hs * torch.tensor(DH)).sum().backward()

    gru = GRU.from_torch(GRU_STATE, reset_after, update)
    rec = gru.forward(X, H0)
    for k, name in enumerate(("h", "r", "z", "n")):
        close(getattr(rec, name), torch.stack([s[k] for s in steps]))
    grads = gru.backward(rec, DH)
    for name in NAMES:
        close(grads[name], params[name].grad)
    close(grads["x"], x.grad)
    close(grads["h0"], h0.grad)

    detached = {name: p.detach() for name, p in params.items()}
    for t in range(T):
        def step(h_prev, t=t):
            return torch_gru_step(torch, detached, torch.tensor(X[t]), h_prev, reset_after, update)[0]

        close(rec.jacobians(steps=[t])[0], torch.autograd.functional.jacobian(step, torch.tensor(rec.h_prev[t])))
