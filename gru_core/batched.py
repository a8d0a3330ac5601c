"""Training's passes over a mini-batch: each model's own forward (`run`), and direct BPTT.

The lesson's backward (`GRU.backward`, …) goes through the recorded step Jacobians, which it shows.
Training needs only the parameter gradients of many sequences at once, so `direct_backward` runs
the recursion δ_t = dh_t + J_{t+1}ᵀ δ_{t+1} without ever forming a J: each step pushes a (B, H)
slab back through the cell's derivatives, written out below. Shapes: X (B, T, I) outside;
time-major (T, B, ·) inside, so each step's slab is contiguous.
"""
from __future__ import annotations

import numpy as np

from .base import Trace
from .gru import GRU
from .lstm import LSTM
from .rnn import RNN

Model = GRU | RNN | LSTM


def forward(model: Model, X: np.ndarray) -> Trace:
    """X (B, T, I) from zero initial states; returns the model's trace, whose `H` is (T, B, H)."""
    return model.run(np.ascontiguousarray(np.transpose(X, (1, 0, 2))))


def direct_backward(trace: Trace, dH: np.ndarray) -> dict[str, np.ndarray]:
    """dH (T, B, H) = ∂L/∂h_t from outside → PyTorch-named parameter gradients, summed over the batch."""
    m, H_prev = trace.model, trace.H_prev
    if isinstance(m, GRU):
        dGI, dGH, dW_hh = _gru_backward(trace, H_prev, dH)
    else:
        dGI = dGH = (_lstm_backward if isinstance(m, LSTM) else _rnn_backward)(trace, dH)
        dW_hh = _outer(dGH, H_prev)
    return {
        "weight_ih_l0": _outer(dGI, trace.X),
        "weight_hh_l0": dW_hh,
        "bias_ih_l0": dGI.sum((0, 1)),
        "bias_hh_l0": dGH.sum((0, 1)),
    }


def _outer(dG: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Σ_t Σ_b dG[t, b] ⊗ A[t, b]: a weight gradient as one matrix product."""
    return dG.reshape(-1, dG.shape[-1]).T @ A.reshape(-1, A.shape[-1])


def _gru_backward(tr: Trace, Hp: np.ndarray, dH: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = tr.model
    T, B, H = tr.H.shape
    R, Z, N, A = (tr.parts[k] for k in ("r", "z", "n", "a"))
    g = Z if m.update == "keep" else 1.0 - Z  # kept fraction of h
    c_n = (1.0 - g) * (1.0 - N * N)  # ∂h'/∂n_pre, per unit
    c_z = np.zeros_like(Z) if "z" in tr.pinned else m.s * (Hp - N) * Z * (1.0 - Z)  # ∂h'/∂z_pre
    c_r = np.zeros_like(R) if "r" in tr.pinned else R * (1.0 - R)
    c_r *= A if m.reset_after else Hp  # dr_pre = dn_pre a r(1−r)  /  ∂L/∂(r⊙h) h r(1−r)
    W_hh, W_hn, W_hrz = m.params.W_hh, m.W_hn, m.params.W_hh[:2 * H]
    dGH = np.empty((T, B, 3 * H))  # w.r.t. the recurrent pre-activations [r, z, a (after) or n (before)]
    dGr, dGz, dGa = dGH[..., :H], dGH[..., H:2 * H], dGH[..., 2 * H:]
    dN = np.empty((T, B, H)) if m.reset_after else dGa  # w.r.t. n's pre-activation
    d, tmp, carry = np.empty((B, H)), np.empty((B, H)), np.zeros((B, H))
    # Every product is written into its place (out=): at small sizes the loop's cost is its allocations.
    for t in range(T - 1, -1, -1):
        np.add(dH[t], carry, out=d)  # δ_t
        dn = dN[t]
        np.multiply(d, c_n[t], out=dn)
        np.multiply(d, c_z[t], out=dGz[t])
        np.multiply(d, g[t], out=carry)  # the copy path
        if m.reset_after:
            np.multiply(dn, c_r[t], out=dGr[t])
            np.multiply(dn, R[t], out=dGa[t])  # da
            np.dot(dGH[t], W_hh, out=tmp)
        else:
            np.dot(dn, W_hn, out=tmp)  # ∂L/∂(r ⊙ h)
            np.multiply(tmp, c_r[t], out=dGr[t])
            tmp *= R[t]
            carry += tmp
            np.dot(dGH[t, :, :2 * H], W_hrz, out=tmp)
        carry += tmp
    if m.reset_after:
        return np.concatenate([dGH[:, :, :2 * H], dN], axis=2), dGH, _outer(dGH, Hp)
    return dGH, dGH, np.vstack([_outer(dGH[:, :, :2 * H], Hp), _outer(dN, R * Hp)])


def _rnn_backward(tr: Trace, dH: np.ndarray) -> np.ndarray:
    W_hh = tr.model.params.W_hh
    c = 1.0 - tr.H * tr.H  # tanh'
    dP = np.empty_like(tr.H)
    carry = np.zeros(tr.H.shape[1:])
    for t in range(tr.H.shape[0] - 1, -1, -1):
        dP[t] = (dH[t] + carry) * c[t]
        carry = dP[t] @ W_hh
    return dP


def _lstm_backward(tr: Trace, dH: np.ndarray) -> np.ndarray:
    T, B, H = tr.H.shape
    G, U = tr.parts["gates"], tr.parts["u"]
    Cp = np.concatenate([tr.parts["c0"][None], tr.parts["c"][:-1]])  # the cell state each step started from
    i, f, g, o = G[:, :, :H], G[:, :, H:2 * H], G[:, :, 2 * H:3 * H], G[:, :, 3 * H:]
    W_hh = tr.model.params.W_hh
    dG = np.empty((T, B, 4 * H))
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
