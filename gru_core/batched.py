"""Mini-batch forward and backward passes for training: the same cells, vectorised over the batch.

The exact engine (`GRU.forward`, …) records one sequence with its Jacobians; training needs many
sequences at once and only the parameter gradients. Here the time loop runs once for the whole
batch, each step a (B, H) slab, and nothing beyond what BPTT needs is kept. Shapes: X (B, T, I);
internally time-major, (T, B, ·), so each step's slab is contiguous.

Equations and derivatives are those of gru.py, rnn.py and lstm.py, written for (B, H) rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .activations import sigmoid
from .gru import GRU
from .lstm import LSTM
from .rnn import RNN

Model = GRU | RNN | LSTM


@dataclass(frozen=True, eq=False)
class Trace:
    """What one batched forward pass keeps for its backward pass (all time-major)."""

    model: Model
    X: np.ndarray  # (T, B, I)
    H_prev: np.ndarray  # (T, B, H) state each step started from
    H: np.ndarray  # (T, B, H)
    parts: dict[str, np.ndarray]  # the cell's gates, each (T, B, H)


def forward(model: Model, X: np.ndarray) -> Trace:
    """X (B, T, I) from zero initial states; returns the trace, whose `H` is (T, B, H)."""
    Xt = np.ascontiguousarray(np.transpose(X, (1, 0, 2)))  # (T, B, I)
    if isinstance(model, GRU):
        return _gru_forward(model, Xt)
    if isinstance(model, LSTM):
        return _lstm_forward(model, Xt)
    return _rnn_forward(model, Xt)


def backward(trace: Trace, dH: np.ndarray) -> dict[str, np.ndarray]:
    """dH (T, B, H) = ∂L/∂h_t from outside → PyTorch-named parameter gradients."""
    m = trace.model
    if isinstance(m, GRU):
        dGI, dGH, dW_hh = _gru_backward(trace, dH)
    elif isinstance(m, LSTM):
        dGI = dGH = _lstm_backward(trace, dH)
        dW_hh = _outer(dGH, trace.H_prev)
    else:
        dGI = dGH = _rnn_backward(trace, dH)
        dW_hh = _outer(dGH, trace.H_prev)
    return {
        "weight_ih_l0": _outer(dGI, trace.X),
        "weight_hh_l0": dW_hh,
        "bias_ih_l0": dGI.sum((0, 1)),
        "bias_hh_l0": dGH.sum((0, 1)),
    }


def _outer(dG: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Σ_t Σ_b dG[t, b] ⊗ A[t, b]: a weight gradient as one matrix product."""
    return dG.reshape(-1, dG.shape[-1]).T @ A.reshape(-1, A.shape[-1])


def _empty(T: int, B: int, H: int) -> np.ndarray:
    return np.empty((T, B, H))


# ---- GRU ----------------------------------------------------------------------------------------
def _gru_forward(m: GRU, X: np.ndarray) -> Trace:
    T, B, _ = X.shape
    H = m.hidden_size
    W_ih, W_hh, b_ih, b_hh = m.params
    GI = X @ W_ih.T + b_ih  # (T, B, 3H)
    R, Z, N, A, Hs, Hp = (_empty(T, B, H) for _ in range(6))
    h = np.zeros((B, H))
    keep = m.update == "keep"
    for t in range(T):
        Hp[t] = h
        if m.reset_after:
            gh = h @ W_hh.T + b_hh  # (B, 3H)
            rz = sigmoid(GI[t, :, :2 * H] + gh[:, :2 * H])
            A[t] = gh[:, 2 * H:]  # a = W_hn h + b_hn
            R[t], Z[t] = rz[:, :H], rz[:, H:]
            N[t] = np.tanh(GI[t, :, 2 * H:] + R[t] * A[t])
        else:
            rz = sigmoid(GI[t, :, :2 * H] + h @ W_hh[:2 * H].T + b_hh[:2 * H])
            R[t], Z[t] = rz[:, :H], rz[:, H:]
            A[t] = (R[t] * h) @ m.W_hn.T + m.b_hn  # a = W_hn (r ⊙ h) + b_hn
            N[t] = np.tanh(GI[t, :, 2 * H:] + A[t])
        h = Hs[t] = N[t] + Z[t] * (h - N[t]) if keep else h + Z[t] * (N[t] - h)
    return Trace(m, X, Hp, Hs, {"r": R, "z": Z, "n": N, "a": A})


def _gru_backward(tr: Trace, dH: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = tr.model
    T, B, H = tr.H.shape
    R, Z, N, A, Hp = tr.parts["r"], tr.parts["z"], tr.parts["n"], tr.parts["a"], tr.H_prev
    g = Z if m.update == "keep" else 1.0 - Z  # kept fraction of h
    c_n = (1.0 - g) * (1.0 - N * N)  # ∂h'/∂n_pre, per unit
    c_z = m.s * (Hp - N) * Z * (1.0 - Z)  # ∂h'/∂z_pre
    c_r = R * (1.0 - R)
    W_hh, W_hn, W_hrz = m.params.W_hh, m.W_hn, m.params.W_hh[:2 * H]
    dGH = _empty(T, B, 3 * H)  # w.r.t. the recurrent pre-activations [r, z, a or n]
    dN = _empty(T, B, H)
    carry = np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        d = dH[t] + carry  # δ_t
        dn = dN[t] = d * c_n[t]
        dGH[t, :, H:2 * H] = d * c_z[t]
        if m.reset_after:
            dGH[t, :, :H] = dn * A[t] * c_r[t]  # dr_pre
            dGH[t, :, 2 * H:] = dn * R[t]  # da
            carry = dGH[t] @ W_hh + d * g[t]
        else:
            drh = dn @ W_hn  # ∂L/∂(r ⊙ h)
            dGH[t, :, :H] = drh * Hp[t] * c_r[t]
            dGH[t, :, 2 * H:] = dn
            carry = dGH[t, :, :2 * H] @ W_hrz + drh * R[t] + d * g[t]
    dGI = np.concatenate([dGH[:, :, :2 * H], dN], axis=2)
    if m.reset_after:
        dW_hh = _outer(dGH, Hp)
    else:
        dW_hh = np.vstack([_outer(dGH[:, :, :2 * H], Hp), _outer(dN, R * Hp)])
    return dGI, dGH, dW_hh


# ---- vanilla RNN --------------------------------------------------------------------------------
def _rnn_forward(m: RNN, X: np.ndarray) -> Trace:
    T, B, _ = X.shape
    W_ih, W_hh, b_ih, b_hh = m.params
    P = X @ W_ih.T + (b_ih + b_hh)  # (T, B, H); each slab becomes h_t in place
    Hp = np.empty_like(P)
    h = np.zeros((B, m.hidden_size))
    for t in range(T):
        Hp[t] = h
        P[t] += h @ W_hh.T
        h = np.tanh(P[t], out=P[t])
    return Trace(m, X, Hp, P, {})


def _rnn_backward(tr: Trace, dH: np.ndarray) -> np.ndarray:
    W_hh = tr.model.params.W_hh
    c = 1.0 - tr.H * tr.H  # tanh'
    dP = np.empty_like(tr.H)
    carry = np.zeros(tr.H.shape[1:])
    for t in range(tr.H.shape[0] - 1, -1, -1):
        dP[t] = (dH[t] + carry) * c[t]
        carry = dP[t] @ W_hh
    return dP


# ---- LSTM ---------------------------------------------------------------------------------------
def _lstm_forward(m: LSTM, X: np.ndarray) -> Trace:
    T, B, _ = X.shape
    H = m.hidden_size
    W_ih, W_hh, b_ih, b_hh = m.params
    G = X @ W_ih.T + (b_ih + b_hh)  # (T, B, 4H) becomes the gates in place
    Hs, Cs, Cp, Hp, U = (_empty(T, B, H) for _ in range(5))
    h, c = np.zeros((B, H)), np.zeros((B, H))
    for t in range(T):
        Hp[t], Cp[t] = h, c
        gt = G[t]
        gt += h @ W_hh.T
        gt[:, :2 * H] = sigmoid(gt[:, :2 * H])
        gt[:, 2 * H:3 * H] = np.tanh(gt[:, 2 * H:3 * H])
        gt[:, 3 * H:] = sigmoid(gt[:, 3 * H:])
        c = Cs[t] = gt[:, H:2 * H] * c + gt[:, :H] * gt[:, 2 * H:3 * H]
        U[t] = np.tanh(c)
        h = Hs[t] = gt[:, 3 * H:] * U[t]
    return Trace(m, X, Hp, Hs, {"gates": G, "c": Cs, "c_prev": Cp, "u": U})


def _lstm_backward(tr: Trace, dH: np.ndarray) -> np.ndarray:
    T, B, H = tr.H.shape
    G, Cp, U = tr.parts["gates"], tr.parts["c_prev"], tr.parts["u"]
    i, f, g, o = G[:, :, :H], G[:, :, H:2 * H], G[:, :, 2 * H:3 * H], G[:, :, 3 * H:]
    W_hh = tr.model.params.W_hh
    dG = _empty(T, B, 4 * H)
    dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
    for t in range(T - 1, -1, -1):
        dh = dH[t] + dh_next
        dc = dc_next + dh * o[t] * (1.0 - U[t] * U[t])  # h = o tanh(c)
        dG[t, :, :H] = dc * g[t] * i[t] * (1.0 - i[t])
        dG[t, :, H:2 * H] = dc * Cp[t] * f[t] * (1.0 - f[t])
        dG[t, :, 2 * H:3 * H] = dc * i[t] * (1.0 - g[t] * g[t])
        dG[t, :, 3 * H:] = dh * U[t] * o[t] * (1.0 - o[t])
        dh_next = dG[t] @ W_hh
        dc_next = dc * f[t]
    return dG


def parameter_count(model: Any) -> int:
    return int(sum(p.size for p in model.params))
