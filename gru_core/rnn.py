"""A one-layer vanilla tanh RNN in NumPy, `nn.RNN(nonlinearity="tanh")` layout.

    h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
    J  = ∂h'/∂h = diag(1 − h'²) W_hh

Its Jacobian has no copy path, so a product of many J shrinks geometrically whenever the largest
singular value of W_hh is below 1 (Pascanu et al. 2013, with γ = 1 for tanh).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import bptt
from .base import Record, Recurrent
from .checks import as_matrix, as_vector, check_jacobian_budget, freeze
from .gru_jacobian import select_steps
from .state import Params


@dataclass(frozen=True, eq=False)
class RNN(Recurrent):
    params: Params
    GATES = 1

    @classmethod
    def init(cls, input_size: int, hidden_size: int, seed: int = 0) -> RNN:
        return cls(cls.random_params(input_size, hidden_size, seed))

    @classmethod
    def from_torch(cls, state: Any) -> RNN:
        return cls(cls.parse(state))

    W_hh = property(lambda self: self.params.W_hh)

    def forward(self, x: Any, h0: Any = None) -> RNNRecord:
        H = self.hidden_size
        x = as_matrix(x, "x", self.input_size, "input features (I)")
        h0 = freeze(np.zeros(H)) if h0 is None else as_vector(h0, "h0", H)
        W_ih, W_hh, b_ih, b_hh = self.params
        Hs = x @ W_ih.T + (b_ih + b_hh)  # (T, H) input projections; each row becomes h_t in place
        h = h0
        for t in range(Hs.shape[0]):
            h_t = Hs[t]
            h_t += W_hh @ h
            np.tanh(h_t, out=h_t)
            h = h_t
        return RNNRecord(model=self, x=x, h0=h0, h=freeze(Hs))

    def backward(self, rec: RNNRecord, dh: Any) -> dict[str, np.ndarray]:
        """BPTT: δ_t = dh_t + J_{t+1}ᵀ δ_{t+1}; the pre-activation gradient is δ_t (1 − h_t²)."""
        if not isinstance(rec, RNNRecord) or rec.model is not self:
            raise ValueError("rec must be the RNNRecord returned by this model's forward()")
        T, H = rec.h.shape
        dh = as_matrix(dh, "dh", H, "hidden units (H)")
        if dh.shape[0] != T:
            raise ValueError(f"dh must have shape (T, H) = ({T}, {H}); got {dh.shape}")
        delta, dh0 = bptt.deltas(rec.jacobians, dh)
        dpre = delta * (1.0 - rec.h * rec.h)  # (T, H) through tanh
        return {
            "weight_ih_l0": dpre.T @ rec.x,
            "weight_hh_l0": dpre.T @ rec.h_prev,
            "bias_ih_l0": dpre.sum(0),
            "bias_hh_l0": dpre.sum(0),
            "h0": dh0,
            "x": dpre @ self.params.W_ih,
            "h": delta,
        }


@dataclass(frozen=True, eq=False)
class RNNRecord(Record):
    model: RNN
    x: np.ndarray  # (T, I)
    h0: np.ndarray  # (H,)
    h: np.ndarray  # (T, H), h[t] = h_{t+1}

    def jacobians(self, steps: Any = None) -> np.ndarray:
        """(T, H, H): [t] = ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hh."""
        sel = select_steps(steps, self.h.shape[0])
        check_jacobian_budget(len(sel), self.h.shape[1])
        h = self.h[sel]
        return freeze((1.0 - h * h)[:, :, None] * self.model.params.W_hh)
