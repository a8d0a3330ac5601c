"""A one-layer LSTM in NumPy, `nn.LSTM` layout (blocks i, f, g, o in 4H rows).

    i  = σ(W_ii x + b_ii + W_hi h + b_hi)         input gate
    f  = σ(W_if x + b_if + W_hf h + b_hf)         forget gate
    g  = tanh(W_ig x + b_ig + W_hg h + b_hg)      cell candidate
    o  = σ(W_io x + b_io + W_ho h + b_ho)         output gate
    c' = f ⊙ c + i ⊙ g
    h' = o ⊙ tanh(c')

The recurrent state is the pair s = [h; c], so the step Jacobian is (2H, 2H), with u = tanh(c'):

    ∂c'/∂c = diag(f)
    ∂c'/∂h = diag(c f(1−f)) W_hf + diag(g i(1−i)) W_hi + diag(i (1−g²)) W_hg
    ∂h'/∂c = diag(o (1−u²)) diag(f)
    ∂h'/∂h = diag(u o(1−o)) W_ho + diag(o (1−u²)) ∂c'/∂h
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import bptt
from .activations import sigmoid
from .base import Record, Recurrent
from .checks import as_matrix, as_vector, check_jacobian_budget, freeze
from .gru_jacobian import select_steps
from .state import Params


@dataclass(frozen=True, eq=False)
class LSTM(Recurrent):
    params: Params
    GATES = 4

    @classmethod
    def init(cls, input_size: int, hidden_size: int, seed: int = 0) -> LSTM:
        return cls(cls.random_params(input_size, hidden_size, seed))

    @classmethod
    def from_torch(cls, state: Any) -> LSTM:
        return cls(cls.parse(state))

    def block(self, k: int) -> np.ndarray:
        """W_h· for block k = 0, 1, 2, 3 (i, f, g, o)."""
        H = self.hidden_size
        return self.params.W_hh[k * H:(k + 1) * H]

    def forward(self, x: Any, h0: Any = None, c0: Any = None) -> LSTMRecord:
        H = self.hidden_size
        x = as_matrix(x, "x", self.input_size, "input features (I)")
        h0 = freeze(np.zeros(H)) if h0 is None else as_vector(h0, "h0", H)
        c0 = freeze(np.zeros(H)) if c0 is None else as_vector(c0, "c0", H)
        W_ih, W_hh, b_ih, b_hh = self.params
        T = x.shape[0]
        G = x @ W_ih.T + (b_ih + b_hh)  # (T, 4H) input projections; each row becomes the gates in place
        Hs, Cs, U = np.empty((T, H)), np.empty((T, H)), np.empty((T, H))
        h, c = h0, c0
        for t in range(T):
            gt = G[t]
            gt += W_hh @ h  # one fused recurrent product for all four blocks
            sigmoid(gt[:2 * H], out=gt[:2 * H])  # i, f
            g = np.tanh(gt[2 * H:3 * H], out=gt[2 * H:3 * H])
            sigmoid(gt[3 * H:], out=gt[3 * H:])  # o
            c_new = Cs[t]
            np.multiply(gt[H:2 * H], c, out=c_new)
            c_new += gt[:H] * g
            np.tanh(c_new, out=U[t])
            np.multiply(gt[3 * H:], U[t], out=Hs[t])
            h, c = Hs[t], c_new
        return LSTMRecord(self, x, h0, c0, freeze(Hs), freeze(Cs), freeze(G[:, :H]), freeze(G[:, H:2 * H]),
                          freeze(G[:, 2 * H:3 * H]), freeze(G[:, 3 * H:]), freeze(U))

    def backward(self, rec: LSTMRecord, dh: Any) -> dict[str, np.ndarray]:
        """BPTT over the state s = [h; c]; "h" is δ_t = ∂L/∂h_t, "c" its partner ∂L/∂c_t (through later steps)."""
        if not isinstance(rec, LSTMRecord) or rec.model is not self:
            raise ValueError("rec must be the LSTMRecord returned by this model's forward()")
        T, H = rec.h.shape
        dh = as_matrix(dh, "dh", H, "hidden units (H)")
        if dh.shape[0] != T:
            raise ValueError(f"dh must have shape (T, H) = ({T}, {H}); got {dh.shape}")
        ds = np.hstack([dh, np.zeros((T, H))])  # the loss sees h only; c is reached through later steps
        delta, ds0 = bptt.deltas(rec.jacobians, ds)
        dh_t, dc_t = delta[:, :H], delta[:, H:]
        i, f, g, o, u = rec.i, rec.f, rec.g, rec.o, rec.u
        dc = dc_t + dh_t * o * (1.0 - u * u)  # h_t = o tanh(c_t) also depends on c_t
        dG = np.hstack([
            dc * g * i * (1.0 - i),  # di_pre
            dc * rec.c_prev * f * (1.0 - f),  # df_pre
            dc * i * (1.0 - g * g),  # dg_pre
            dh_t * u * o * (1.0 - o),  # do_pre
        ])  # (T, 4H)
        return {
            "weight_ih_l0": dG.T @ rec.x,
            "weight_hh_l0": dG.T @ rec.h_prev,
            "bias_ih_l0": dG.sum(0),
            "bias_hh_l0": dG.sum(0),
            "h0": ds0[:H],
            "c0": ds0[H:],
            "x": dG @ self.params.W_ih,
            "h": dh_t,
            "c": dc_t,
        }


@dataclass(frozen=True, eq=False)
class LSTMRecord(Record):
    """One forward pass: all arrays (T, H) and read-only; h[t], c[t] are the state after step t."""

    model: LSTM
    x: np.ndarray
    h0: np.ndarray
    c0: np.ndarray
    h: np.ndarray
    c: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    u: np.ndarray  # tanh(c_t), kept because both h and its derivative need it

    @property
    def c_prev(self) -> np.ndarray:
        return np.vstack([self.c0[None], self.c[:-1]])

    def jacobians(self, steps: Any = None) -> np.ndarray:
        """(T, 2H, 2H): [t] = ∂[h_t; c_t]/∂[h_{t−1}; c_{t−1}], h block first."""
        sel = select_steps(steps, self.h.shape[0])
        H = self.h.shape[1]
        check_jacobian_budget(len(sel), 2 * H)
        m = self.model
        i, f, g, o, u, cp = (a[sel] for a in (self.i, self.f, self.g, self.o, self.u, self.c_prev))
        k = o * (1.0 - u * u)  # ∂h'/∂c'
        a_i, a_f, a_g = g * i * (1.0 - i), cp * f * (1.0 - f), i * (1.0 - g * g)  # row scales of ∂c'/∂h
        W = np.stack([m.block(0), m.block(1), m.block(2), m.block(3)], axis=1)  # (H, 4, H): W_hi, W_hf, W_hg, W_ho
        C_c = np.stack([a_i, a_f, a_g, np.zeros_like(a_i)], axis=2)  # (S, H, 4)
        C_h = np.stack([k * a_i, k * a_f, k * a_g, u * o * (1.0 - o)], axis=2)
        J = np.zeros((len(sel), 2 * H, 2 * H))
        # Row i of each block is a (S, 4) @ (4, H) product: one batched matmul per block, written in place.
        np.matmul(C_h.transpose(1, 0, 2), W, out=J[:, :H, :H].transpose(1, 0, 2))
        np.matmul(C_c.transpose(1, 0, 2), W, out=J[:, H:, :H].transpose(1, 0, 2))
        idx = np.arange(H)
        J[:, idx, H + idx] = k * f  # ∂h'/∂c
        J[:, H + idx, H + idx] = f  # ∂c'/∂c
        return freeze(J)
