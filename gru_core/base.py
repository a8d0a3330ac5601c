"""What every recurrent model and record shares: sizes, PyTorch state dicts, and h_prev."""
from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .checks import check_size
from .limits import LIMITS
from .state import Params, parse_state, to_state, uniform_init


class Recurrent:
    """Mixed into the frozen model dataclasses, whose first field is `params`."""

    GATES: ClassVar[int]  # weight blocks stacked in each tensor's rows: RNN 1, GRU 3, LSTM 4
    params: Params

    @classmethod
    def random_params(cls, input_size: int, hidden_size: int, seed: int) -> Params:
        """PyTorch's default initialisation, every tensor U(−1/√H, 1/√H), from a seeded generator."""
        I = check_size("input_size", input_size, 1, LIMITS.max_input)
        H = check_size("hidden_size", hidden_size, 1, LIMITS.max_hidden)
        rng = np.random.default_rng(check_size("seed", seed, 0, 2**63 - 1))
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


class Record:
    """Mixed into the frozen record dataclasses, which hold h0 (H,) and h (T, H)."""

    h0: np.ndarray
    h: np.ndarray

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H): the state each step started from, h0 then h_1 … h_{T−1}."""
        return np.vstack([self.h0[None], self.h[:-1]])
