"""Test helpers: central finite differences and hand-built weights whose biases and gates matter."""
import numpy as np
import pytest

NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
EPS = 1e-6


def central_diff(f, x, eps=EPS):
    """d f(x) / d x by central differences; the result has shape f(x).shape + x.shape."""
    x = np.array(x, dtype=np.float64)
    out = np.empty(np.shape(f(x)) + x.shape)
    for idx in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += eps
        down[idx] -= eps
        out[(...,) + idx] = (np.asarray(f(up)) - np.asarray(f(down))) / (2 * eps)
    return out


def assert_fd_close(analytic, numeric):
    """Central differences with eps = 1e-6 are good to ~1e-9 here; 1e-7 leaves room but still catches bugs."""
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)


def random_state(gates, I, H, seed, saturate=0.0):
    """A PyTorch-layout state with N(0, 1) biases and U(-1, 1) weights.

    With `saturate` > 0 the input weights of units 0 and 1 of the first two blocks (r and z for a
    GRU) are multiplied by it, so those gates swing close to 0 and 1.
    """
    rng = np.random.default_rng(seed)
    state = {
        "weight_ih_l0": rng.uniform(-1, 1, (gates * H, I)),
        "weight_hh_l0": rng.uniform(-1, 1, (gates * H, H)),
        "bias_ih_l0": rng.normal(size=gates * H),
        "bias_hh_l0": rng.normal(size=gates * H),
    }
    if saturate:
        rows = [k * H + u for k in range(min(gates, 2)) for u in range(min(H, 2))]
        state["weight_ih_l0"][rows] *= saturate
    return state


def with_entry(state, name, value):
    """A copy of `state` with tensor `name` replaced."""
    return {**state, name: value}


# Every combination of the two GRU conventions, as pytest parameters (reset_after, update).
SWITCHES = [
    pytest.param(reset_after, update, id=f"{'after' if reset_after else 'before'}-{update}")
    for reset_after in (True, False)
    for update in ("keep", "take")
]
