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
from .base import Record, Recurrent, Trace, block, time_major_input
from .checks import as_matrix, as_vector, check_jacobian_budget, freeze, select_steps
from .params import Params


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

    # ---- named blocks, the symbols of the equations -----------------------------------------
    W_ii, W_if, W_ig, W_io = (block("W_ih", k) for k in range(4))
    W_hi, W_hf, W_hg, W_ho = (block("W_hh", k) for k in range(4))

    def forward(self, x: Any, h0: Any = None, c0: Any = None) -> LSTMRecord:
        H = self.hidden_size
        x = as_matrix(x, "x", self.input_size, "input features (I)")
        h0 = freeze(np.zeros(H)) if h0 is None else as_vector(h0, "h0", H)
        c0 = freeze(np.zeros(H)) if c0 is None else as_vector(c0, "c0", H)
        tr = self.run(x[:, None], h0[None], c0[None])
        G, one = tr.parts["gates"][:, 0], {name: freeze(tr.parts[name][:, 0]) for name in ("c", "u")}
        i, f, g, o = (freeze(G[:, k * H:(k + 1) * H]) for k in range(4))
        return LSTMRecord(self, x, h0, c0, freeze(tr.H[:, 0]), one["c"], i, f, g, o, one["u"])

    def run(self, X: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None) -> Trace:
        """The LSTM's one forward pass: X (T, B, I) time-major from h0, c0 (B, H) (zeros if None). Arguments
        are trusted (`forward` checks them; training passes its own arrays). parts: "gates" (T, B, 4H)
        holding i, f, g, o side by side, "c" and "u" = tanh(c) (T, B, H), and "c0" (B, H)."""
        T, B, _ = X.shape
        H = self.hidden_size
        W_ih, W_hh, b_ih, b_hh = self.params
        h0 = np.zeros((B, H)) if h0 is None else h0
        c0 = np.zeros((B, H)) if c0 is None else c0
        G = time_major_input(X, W_ih, b_ih + b_hh)  # (T, B, 4H) input projections; each slab becomes the gates
        IF, I_, F, Gc, O = G[..., :2 * H], G[..., :H], G[..., H:2 * H], G[..., 2 * H:3 * H], G[..., 3 * H:]
        Hs, Cs, U = np.empty((T, B, H)), np.empty((T, B, H)), np.empty((T, B, H))
        W_hhT, h, c = W_hh.T, h0, c0
        for t in range(T):
            gt = G[t]
            gt += h @ W_hhT  # one fused recurrent product for all four blocks
            sigmoid(IF[t], out=IF[t])  # i, f
            np.tanh(Gc[t], out=Gc[t])
            sigmoid(O[t], out=O[t])
            c_new = Cs[t]
            np.multiply(F[t], c, out=c_new)
            c_new += I_[t] * Gc[t]
            np.tanh(c_new, out=U[t])
            np.multiply(O[t], U[t], out=Hs[t])
            h, c = Hs[t], c_new
        return Trace(self, X, h0, Hs, {"gates": G, "c": Cs, "u": U, "c0": c0})

    def backward(self, rec: LSTMRecord, dh: Any) -> dict[str, np.ndarray]:
        """BPTT through the step Jacobians over the state s = [h; c]; "h" is δ_t = ∂L/∂h_t, "c" its
        partner ∂L/∂c_t (through later steps). (Training uses `batched.direct_backward`.)"""
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
    """One forward pass: all arrays (T, H) and read-only; c[t] is indexed like h[t] (base.Record)."""

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
        W = np.stack([m.W_hi, m.W_hf, m.W_hg, m.W_ho], axis=1)  # (H, 4, H)
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
