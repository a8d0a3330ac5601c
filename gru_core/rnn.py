"""A one-layer vanilla tanh RNN in NumPy, `nn.RNN(nonlinearity="tanh")` layout.

    h' = tanh(W_ih x + b_ih + W_hh h + b_hh)
    J  = ∂h'/∂h = diag(1 − h'²) W_hh

Its Jacobian has no copy path, so a product of many J shrinks geometrically whenever the largest
singular value of W_hh is below 1 (Pascanu et al. 2013, with γ = 1 for tanh).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import bptt
from .base import Record, Recurrent, Trace, time_major_input
from .checks import as_matrix, as_vector, check_jacobian_budget, freeze, select_steps
from .params import Params


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
        return RNNRecord(model=self, x=x, h0=h0, h=freeze(self.run(x[:, None], h0[None]).H[:, 0]))

    def run(self, X: np.ndarray, h0: np.ndarray | None = None) -> Trace:
        """The RNN's one forward pass: X (T, B, I) time-major from h0 (B, H) (zeros if None). Arguments are
        trusted (`forward` checks them; training passes its own arrays). No parts: h is all there is."""
        T, B, _ = X.shape
        W_ih, W_hh, b_ih, b_hh = self.params
        h0 = np.zeros((B, self.hidden_size)) if h0 is None else h0
        Hs = time_major_input(X, W_ih, b_ih + b_hh)  # (T, B, H) input projections; each slab becomes h_t in place
        W_hhT, h = W_hh.T, h0
        for t in range(T):
            h_t = Hs[t]
            h_t += h @ W_hhT
            np.tanh(h_t, out=h_t)
            h = h_t
        return Trace(self, X, h0, Hs, {})

    def backward(self, rec: RNNRecord, dh: Any) -> dict[str, np.ndarray]:
        """BPTT through the step Jacobians: δ_t = dh_t + J_{t+1}ᵀ δ_{t+1}; the pre-activation gradient is
        δ_t (1 − h_t²). (Training uses `batched.direct_backward`, without Jacobians.)"""
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
    h: np.ndarray  # (T, H); time index: base.Record

    def jacobians(self, steps: Any = None) -> np.ndarray:
        """(T, H, H): [t] = ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hh."""
        sel = select_steps(steps, self.h.shape[0])
        check_jacobian_budget(len(sel), self.h.shape[1])
        h = self.h[sel]
        return freeze((1.0 - h * h)[:, :, None] * self.model.params.W_hh)

    def jacobian_source(self) -> Callable[[slice, np.ndarray], None]:
        def source(steps: slice, out: np.ndarray) -> None:  # as jacobians(steps), written into out
            h = self.h[steps]
            np.multiply((1.0 - h * h)[:, :, None], self.model.params.W_hh, out=out)
        return source
