"""Step Jacobians J_t = ∂h_t/∂h_{t−1} of a recorded GRU pass, for all t at once.

With g the kept fraction (g = z for "keep", 1 − z for "take", s = ∂g/∂z = ±1):

    h' = g h + (1 − g) n
    J  = diag(g) + diag(h − n) ∂g/∂h + diag(1 − g) ∂n/∂h
    ∂g/∂h = s diag(z(1−z)) W_hz                                       (0 when z is pinned)
    reset after:  ∂n/∂h = diag(1−n²) [diag(r) W_hn + diag(a r(1−r)) W_hr]
    reset before: ∂n/∂h = diag(1−n²) W_hn [diag(r) + diag(h r(1−r)) W_hr]

Every term is a weight matrix scaled row-wise by a (T, H) coefficient, so the whole (T, H, H)
stack comes from a few broadcast products instead of a Python loop over time.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .checks import check_jacobian_budget, freeze

if TYPE_CHECKING:
    from .gru import GRURecord


class Coeffs(NamedTuple):
    g: np.ndarray  # (T, H) kept fraction of h: diag(g) is the copy path
    n: np.ndarray  # (T, H) (1 − g)(1 − n²): scales everything that passes through the candidate
    z: np.ndarray  # (T, H) s (h − n) z(1 − z): row scale of W_hz
    r: np.ndarray  # (T, H) reset after: c_n a r(1 − r), row scale of W_hr;
    #                       reset before: h r(1 − r), column scale between W_hn and W_hr


def coefficients(rec: GRURecord) -> Coeffs:
    m = rec.model
    z, r, n, hp = rec.z, rec.r, rec.n, rec.h_prev
    g = z if m.update == "keep" else 1.0 - z
    c_n = (1.0 - g) * (1.0 - n * n)
    c_z = np.zeros_like(z) if rec.z_pinned else m.s * (hp - n) * z * (1.0 - z)
    if rec.r_pinned:
        c_r = np.zeros_like(r)
    elif m.reset_after:
        c_r = c_n * rec.a * r * (1.0 - r)
    else:
        c_r = hp * r * (1.0 - r)
    return Coeffs(g, c_n, c_z, c_r)


def exact(rec: GRURecord, steps: Any = None, c: Coeffs | None = None) -> np.ndarray:
    """`c`: the record's coefficients, when the caller already has them (BPTT asks chunk by chunk)."""
    sel = select_steps(steps, rec.h.shape[0])
    H = rec.h.shape[1]
    check_jacobian_budget(len(sel), H)
    m = rec.model
    c = coefficients(rec) if c is None else c
    if m.reset_after:
        # J[t, i, :] = Σ_k C[t, k, i] W_k[i, :] over W_k ∈ (W_hz, W_hn, W_hr, I): for each row i a tiny
        # (S, 4) @ (4, H) product. One batched matmul writes the whole stack in a single pass over
        # memory instead of summing (S, H, H) temporaries.
        C = np.stack([c.z[sel], (c.n * rec.r)[sel], c.r[sel], c.g[sel]], axis=2)  # (S, H, 4)
        W = np.stack([m.W_hz, m.W_hn, m.W_hr, np.eye(H)], axis=1)  # (H, 4, H)
        J = np.empty((len(sel), H, H))
        np.matmul(C.transpose(1, 0, 2), W, out=J.transpose(1, 0, 2))
        return freeze(J)
    r = rec.r[sel]
    J = c.z[sel, :, None] * m.W_hz  # (S, H, H) through the update gate
    inner = m.W_hn * r[:, None, :]  # W_hn diag(r)
    inner += (m.W_hn * c.r[sel, None, :]) @ m.W_hr  # W_hn diag(h r(1−r)) W_hr: the reset gate's own move
    inner *= c.n[sel, :, None]
    J += inner
    _add_diagonal(J, c.g[sel])
    return freeze(J)


def frozen(rec: GRURecord, steps: Any = None) -> np.ndarray:
    """diag(g) + diag((1−g)(1−n²)) · (reset-weighted W_hn): z and r treated as constants."""
    sel = select_steps(steps, rec.h.shape[0])
    H = rec.h.shape[1]
    check_jacobian_budget(len(sel), H)
    m, c = rec.model, coefficients(rec)
    if m.reset_after:
        J = (c.n * rec.r)[sel, :, None] * m.W_hn  # diag(r) W_hn
    else:
        J = c.n[sel, :, None] * (m.W_hn * rec.r[sel, None, :])  # W_hn diag(r)
    _add_diagonal(J, c.g[sel])
    return freeze(J)


def _add_diagonal(J: np.ndarray, d: np.ndarray) -> None:
    idx = np.arange(J.shape[1])
    J[:, idx, idx] += d


def select_steps(steps: Any, T: int) -> np.ndarray:
    """None → all steps; an int, a slice or a sequence of ints in [−T, T) → those steps."""
    if steps is None:
        return np.arange(T)
    if isinstance(steps, slice):
        return np.arange(T)[steps]
    idx = np.atleast_1d(np.asarray(steps))
    if idx.dtype.kind not in "iu" or idx.ndim != 1:
        raise ValueError(f"steps must be None, a slice, or whole numbers in [-{T}, {T}); got {steps!r}")
    if idx.size and (idx.min() < -T or idx.max() >= T):
        raise ValueError(f"steps must lie in [-{T}, {T}) for a sequence of {T} steps; got {steps!r}")
    return idx
