"""What every recurrent model and record shares: sizes, PyTorch state dicts, h_prev, and the trace
that each cell's one forward pass (`run`) returns."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .checks import check_size
from .limits import LIMITS
from .params import Params, parse_state, to_state, uniform_init


class Recurrent:
    """Mixed into the frozen model dataclasses, whose first field is `params`.

    Each model has one forward pass, `run`, over a time-major batch; `forward` validates one
    sequence and records it as a batch of one. `backward` is BPTT through the recorded step
    Jacobians (the lesson's way); `batched.direct_backward` is BPTT without them (training's way).
    """

    GATES: ClassVar[int]  # weight blocks stacked in each tensor's rows: RNN 1, GRU 3, LSTM 4
    params: Params

    @classmethod
    def random_params(cls, input_size: int, hidden_size: int, seed: int) -> Params:
        """PyTorch's default initialisation, every tensor U(−1/√H, 1/√H), from a seeded generator."""
        I = check_size("input_size", input_size, 1, LIMITS.max_input)
        H = check_size("hidden_size", hidden_size, 1, LIMITS.max_hidden)
        rng = np.random.default_rng(check_size("seed", seed, 0, LIMITS.max_seed))
        return uniform_init(rng, cls.GATES, I, H)

    @classmethod
    def parse(cls, state: Any) -> Params:
        return parse_state(state, cls.GATES, cls.__name__)

    def to_torch(self) -> dict[str, np.ndarray]:
        """The four tensors under nn.GRU / nn.RNN / nn.LSTM names; load_state_dict accepts them."""
        return to_state(self.params)

    @property
    def hidden_size(self) -> int:
        return self.params.W_hh.shape[1]

    @property
    def input_size(self) -> int:
        return self.params.W_ih.shape[1]

    def parameter_count(self) -> int:
        """Every weight and bias: GATES·H·(I + H + 2)."""
        return int(sum(p.size for p in self.params))


parameter_count = Recurrent.parameter_count  # the same as a function of the model: parameter_count(gru)


def block(tensor: str, k: int) -> property:
    """The k-th block of H rows of params.<tensor>, as a read-only property named after its symbol."""
    def get(self: Recurrent) -> np.ndarray:
        H = self.hidden_size
        return getattr(self.params, tensor)[k * H:(k + 1) * H]

    return property(get)


class Record:
    """Mixed into the frozen record dataclasses, which hold h0 (H,) and h (T, H).

    Time index, for every record, Jacobian and chain in gru_core: step t = 0 … T−1 reads x[t] and
    writes h[t], so h[t] is the state after step t, and k = −1 names h0 (h_{−1} = h0). Hence
    h_prev[t] = h[t−1], J[t] = ∂h[t]/∂h[t−1], and ∂h_t/∂h_k = J[t] J[t−1] … J[k+1].
    """

    h0: np.ndarray
    h: np.ndarray

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H): the state each step started from, h0 then h[0] … h[T−2]."""
        return np.vstack([self.h0[None], self.h[:-1]])

    def jacobian_source(self) -> Callable[[slice, np.ndarray], None]:
        """`(steps, out)` ↦ the steps' Jacobians written into `out` (S, W, W), for asking chunk by chunk;
        a record may keep what every chunk shares (the GRU's coefficients) and write in place."""
        def source(steps: slice, out: np.ndarray) -> None:
            out[...] = self.jacobians(steps)
        return source


@dataclass(frozen=True, eq=False)
class Trace:
    """What a model's `run` computed over a batch, time-major: X (T, B, I), h0 (B, H), H (T, B, H),
    and the cell's own intermediates in `parts` (the gates, each (T, B, H))."""

    model: Any
    X: np.ndarray
    h0: np.ndarray
    H: np.ndarray
    parts: dict[str, np.ndarray]
    pinned: frozenset[str] = frozenset()  # gates held at given values: their derivative is zero

    @property
    def H_prev(self) -> np.ndarray:
        """(T, B, H): the state each step started from."""
        return np.concatenate([self.h0[None], self.H[:-1]])


def time_major_input(X: np.ndarray, W_ih: np.ndarray, b: np.ndarray) -> np.ndarray:
    """X (T, B, I) → X W_ihᵀ + b (T, B, G·H): every input projection in one matrix product."""
    T, B, I = X.shape
    out = np.ascontiguousarray(X).reshape(T * B, I) @ W_ih.T
    out += b  # in place: `@ … + b` would allocate a second (T·B, G·H) array, which costs more than the product
    return out.reshape(T, B, -1)
