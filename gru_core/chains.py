"""Products of step Jacobians and the norms that show gradients vanishing or exploding.

    ∂h_t/∂h_k = J_t J_{t−1} … J_{k+1}        (newest on the left)

Time indices follow base.Record (J[t] = ∂h_t/∂h_{t−1}; k = −1 names h0). A chain of
hundreds of steps easily shrinks past 1e−308, so the running product is renormalised each step
and its scale kept as a logarithm: the log10 norms stay exact where the plain ones underflow to 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import as_float_array, freeze


@dataclass(frozen=True)
class ChainNorms:
    end: int  # t, the step the chain ends at
    distance: np.ndarray  # (t+1,) t − k for k = t−1 … −1, i.e. 1 … t+1
    spectral: np.ndarray  # ‖∂h_t/∂h_k‖₂, largest singular value
    frobenius: np.ndarray  # ‖∂h_t/∂h_k‖_F
    log10_spectral: np.ndarray  # −inf where the chain is exactly zero
    log10_frobenius: np.ndarray


def chain_norms(J: Any, end: int | None = None, distances: Any = None) -> ChainNorms:
    """Norms of ∂h_end/∂h_k for k < end, from a (T, H, H) stack of step Jacobians.

    `distances` (whole numbers from 1 to end + 1) restricts which chains are measured; the
    product still runs over every step, but the costly singular value is taken only there.
    """
    J = _as_stack(J)
    T = J.shape[0]
    end = T - 1 if end is None else _as_step(end, T)
    dist = _as_distances(distances, end + 1)
    wanted = np.zeros(end + 2, dtype=bool)
    wanted[dist] = True
    log_fro = np.full(len(dist), -np.inf)
    log_spec = np.full(len(dist), -np.inf)
    P = np.eye(J.shape[1])
    log_scale = 0.0
    j = 0  # next slot in the output
    for d in range(1, dist[-1] + 1):
        # P is kept at unit norm, so a product with one more factor can neither overflow nor underflow
        # (for entries below ~1e300); the scale is kept as a sum of logs.
        P = P @ J[end - d + 1]  # extend the chain one step into the past
        fro = _fro(P)
        if fro == 0.0:  # the chain has been cut; every longer chain is zero too (already −inf)
            break
        P /= fro
        log_scale += np.log10(fro)
        if wanted[d]:
            log_fro[j] = log_scale
            log_spec[j] = log_scale + np.log10(_top_singular_value(P))
            j += 1
    return ChainNorms(
        end=end,
        distance=freeze(dist),
        spectral=freeze(_pow10(log_spec)),
        frobenius=freeze(_pow10(log_fro)),
        log10_spectral=freeze(log_spec),
        log10_frobenius=freeze(log_fro),
    )


def chain_product(J: Any, end: int, start: int) -> np.ndarray:
    """The matrix ∂h_end/∂h_start (start = −1 for h0), as an explicit product."""
    J = _as_stack(J)
    T = J.shape[0]
    end = _as_step(end, T)
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or not -1 <= start < end:
        raise ValueError(f"start must be a whole number from -1 to end − 1 = {end - 1}; got {start!r}")
    P = J[end].copy()
    for k in range(end - 1, start, -1):
        P = P @ J[k]
    return freeze(P)


def spectral_norm(M: Any) -> float:
    """Largest singular value σ₁ (Pascanu et al.'s λ₁): the most any vector can be stretched."""
    return float(np.linalg.norm(_as_square(M), 2))


def spectral_radius(M: Any) -> float:
    """Largest |eigenvalue|: the growth rate of repeated multiplication by M."""
    return float(np.max(np.abs(np.linalg.eigvals(_as_square(M)))))


def _top_singular_value(P: np.ndarray) -> float:
    if P.shape[0] < 64:  # small matrices: LAPACK's SVD call overhead is the whole cost
        return float(np.linalg.norm(P, 2))
    # σ₁² is the top eigenvalue of the symmetric P Pᵀ; eigvalsh is faster than an SVD here and,
    # with ‖P‖_F = 1, its absolute error eps is also a relative error on σ₁².
    return float(np.sqrt(max(np.linalg.eigvalsh(P @ P.T)[-1], 0.0)))


def log_spaced_distances(longest: int, count: int = 60) -> np.ndarray:
    """Every distance up to 20, then about `count` more spread evenly on a log axis."""
    if isinstance(longest, bool) or not isinstance(longest, (int, np.integer)) or longest < 1:
        raise ValueError(f"longest must be a whole number of steps, at least 1; got {longest!r}")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 2:
        raise ValueError(f"count must be a whole number, at least 2; got {count!r}")
    dense = np.arange(1, min(longest, 20) + 1)
    sparse = np.unique(np.geomspace(1, longest, count).round().astype(int))
    return np.union1d(dense, sparse)


def _fro(M: np.ndarray) -> float:
    """Frobenius norm that cannot overflow: scale by the largest entry first."""
    m = float(np.abs(M).max())
    return m * float(np.linalg.norm(M / m)) if m > 0.0 else 0.0


def _pow10(log10: np.ndarray) -> np.ndarray:
    with np.errstate(under="ignore"):
        return np.power(10.0, log10)


def _as_stack(J: Any) -> np.ndarray:
    J = np.asarray(J) if isinstance(J, np.ndarray) and J.dtype == np.float64 else as_float_array(J, "J")
    if J.ndim != 3 or J.shape[1] != J.shape[2] or J.shape[0] == 0:
        raise ValueError(f"J must be a stack of square step Jacobians, shape (T, H, H); got {J.shape}")
    if not np.all(np.isfinite(J)):
        raise ValueError("J must be finite; it contains NaN or inf")
    return J


def _as_distances(distances: Any, longest: int) -> np.ndarray:
    if distances is None:
        return np.arange(1, longest + 1)
    d = np.atleast_1d(np.asarray(distances))
    if d.ndim == 1:
        d = np.unique(d)
    if d.dtype.kind not in "iu" or d.ndim != 1 or d.size == 0 or d[0] < 1 or d[-1] > longest:
        raise ValueError(f"distances must be whole numbers from 1 to {longest}; got {distances!r}")
    return d


def _as_step(end: Any, T: int) -> int:
    if isinstance(end, bool) or not isinstance(end, (int, np.integer)) or not 0 <= end < T:
        raise ValueError(f"end must be a step from 0 to {T - 1}; got {end!r}")
    return int(end)


def _as_square(M: Any) -> np.ndarray:
    M = as_float_array(M, "M")
    if M.ndim != 2 or M.shape[0] != M.shape[1] or M.shape[0] == 0:
        raise ValueError(f"M must be a non-empty square matrix; got shape {M.shape}")
    return M
