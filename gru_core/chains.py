"""Products of step Jacobians and the norms that show gradients vanishing or exploding.

    ∂h_t/∂h_k = J_t J_{t−1} … J_{k+1}        (newest on the left)

Time indices follow base.Record (J[t] = ∂h_t/∂h_{t−1}; k = −1 names h0). A chain of
hundreds of steps easily shrinks past 1e−308, so the running product is renormalised each step
and its scale kept as a logarithm: the log10 norms stay exact where the plain ones underflow to 0.

`chain_norms_batch` and `record_chain_norms` run the same loop for many chains at once (one per
seed or model): one batched matrix product a step, the singular values only at the distances asked
for, and the records' Jacobians built a few steps at a time instead of held whole.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .checks import as_float_array, freeze


@dataclass(frozen=True)
class ChainNorms:
    end: int  # t, the step the chain ends at
    distance: np.ndarray  # (t+1,) t − k for k = t−1 … −1, i.e. 1 … t+1
    spectral: np.ndarray  # ‖∂h_t/∂h_k‖₂, largest singular value (0 or inf past float64's range)
    frobenius: np.ndarray  # ‖∂h_t/∂h_k‖_F (likewise)
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


@dataclass(frozen=True)
class ChainBatch:
    """chain_norms for a batch of B chains of the same length (models, seeds), ending at the last step."""

    distance: np.ndarray  # (D,) as in ChainNorms
    log10_spectral: np.ndarray  # (B, D)
    log10_frobenius: np.ndarray  # (B, D)
    log10_delta: np.ndarray | None  # (B, T) log10 ‖δ_k‖ for a loss gradient only at the last step, if asked
    # (B, longest distance asked), if a floor was given: column d − 1 says whether ‖∂h_T/∂h_(T−d)‖₂ is below
    # 10^log10_floor, at every distance, not only the measured ones (exact: see _batch)
    below: np.ndarray | None = None


CHUNK_ENTRIES = 1 << 19  # Jacobian entries (over the whole batch) built at a time: 4 MB, so they stay in cache


def chain_norms_batch(J: Any, distances: Any = None, dh_end: Any = None,
                      log10_floor: float | None = None) -> ChainBatch:
    """chain_norms(J[b], distances=distances) for every b of a (B, T, H, H) stack, computed together.

    `dh_end` (H,) or (B, H): a loss gradient ∂L/∂h at the last step only; then log10_delta holds
    log10 ‖δ_k‖, δ_k = ∂L/∂h_k, computed as BPTT computes it (no renormalisation: it underflows where
    BPTT's would). `log10_floor`: also say, at every distance, whether the chain is below 10^log10_floor
    (`ChainBatch.below`).
    """
    J = np.asarray(J) if isinstance(J, np.ndarray) and J.dtype == np.float64 else as_float_array(J, "J")
    if J.ndim != 4 or J.shape[2] != J.shape[3] or 0 in J.shape[:2]:
        raise ValueError(f"J must be a batch of step Jacobian stacks, shape (B, T, H, H); got {J.shape}")
    if not np.all(np.isfinite(J)):
        raise ValueError("J must be finite; it contains NaN or inf")
    B, T, W, _ = J.shape
    return _batch(lambda steps: J[:, steps], B, T, W, distances, dh_end, log10_floor)


def record_chain_norms(records: Sequence[Any], distances: Any = None, dh_end: Any = None,
                       check: Callable[[], None] | None = None, log10_floor: float | None = None) -> ChainBatch:
    """chain_norms_batch for the records of several models (same length and state size), their step
    Jacobians built a bounded chunk of steps at a time, so the whole (B, T, H, H) stack never exists.
    `check()` is called before each chunk (a few milliseconds apart): raising there ends the work."""
    if not records:
        raise ValueError("records must hold at least one record")
    T, W = records[0].h.shape[0], records[0].jacobians(steps=[0]).shape[1]
    if any(r.h.shape[0] != T or r.jacobians(steps=[0]).shape[1] != W for r in records):
        raise ValueError("every record must have the same number of steps and the same state size")
    sources = [r.jacobian_source() for r in records]
    B = len(records)
    buffer = np.empty((B, max(1, CHUNK_ENTRIES // (B * W * W)), W, W))

    def chunk(steps: slice) -> np.ndarray:
        if check is not None:
            check()
        out = buffer[:, :steps.stop - steps.start]
        for b, source in enumerate(sources):
            source(steps, out[b])  # each record writes its own contiguous slot: no stacking copy
        return out

    return _batch(chunk, B, T, W, distances, dh_end, log10_floor)


def _batch(chunk: Callable[[slice], np.ndarray], B: int, T: int, W: int, distances: Any,
           dh_end: Any, log10_floor: float | None = None) -> ChainBatch:
    """The loop of chain_norms over a batch. `chunk(slice)` gives (B, L, W, W): the steps' Jacobians.

    With `log10_floor`, whether each chain is below the floor at every distance up to the longest asked:
    ‖P‖_F/√W ≤ ‖P‖₂ ≤ ‖P‖_F, and the Frobenius norm is known at every step, so the singular value is
    taken only where those bounds leave it open (a few steps per chain), or read where it is measured."""
    dist = _as_distances(distances, T)
    wanted = np.zeros(T + 1, dtype=bool)
    wanted[dist] = True
    log_fro = np.full((B, len(dist)), -np.inf)
    log_spec = np.full((B, len(dist)), -np.inf)
    u = None
    if dh_end is not None:
        u = as_float_array(dh_end, "dh_end")
        if u.shape not in ((W,), (B, W)) or not np.all(np.isfinite(u)):
            raise ValueError(f"dh_end must be {W} finite numbers, or ({B}, {W}) for one row a chain; "
                             f"got shape {u.shape}")
        u = np.broadcast_to(u, (B, W))
    log_delta = None if u is None else np.empty((B, T))
    below = None if log10_floor is None else np.ones((B, dist[-1]), dtype=bool)  # a cut chain stays below
    half_log_w = 0.5 * np.log10(W)
    P, Q = np.broadcast_to(np.eye(W), (B, W, W)).copy(), np.empty((B, W, W))
    log_scale = np.zeros(B)
    cut = np.zeros(B, dtype=bool)
    carry = None if u is None else np.array(u)  # δ_t, before it is pushed one step further back
    steps = max(1, CHUNK_ENTRIES // (B * W * W))
    oldest = 0 if carry is not None else T - dist[-1]  # BPTT needs every step; the chains only their longest
    j = 0
    with np.errstate(divide="ignore"):  # log10(0) = −inf: a δ that underflowed, or a cut chain
        for stop in range(T, oldest, -steps):
            start = max(stop - steps, oldest)
            Js = chunk(slice(start, stop))
            for t in range(stop - 1, start - 1, -1):
                Jt = Js[:, t - start]  # (B, W, W), each matrix contiguous: one BLAS product per member
                if carry is not None:  # BPTT: δ_t = dh_t + J_{t+1}ᵀ δ_{t+1}, and dh is zero before the last step
                    log_delta[:, t] = np.log10(np.linalg.norm(carry, axis=1))
                    carry = np.matmul(carry[:, None], Jt)[:, 0]
                d = T - t
                if d > dist[-1] or cut.all():
                    continue
                np.matmul(P, Jt, out=Q)  # extend every chain one step into the past
                P, Q = Q, P
                fro = _fro_batch(P)
                cut |= fro == 0.0  # a cut chain stays zero: every longer one too, its logs stay −inf
                fro[cut] = 1.0
                np.multiply(P, (1.0 / fro)[:, None, None], out=P)  # unit norm again, the scale kept as a log
                log_scale += np.where(cut, -np.inf, np.log10(fro))
                if wanted[d]:
                    log_fro[:, j] = log_scale
                    live = ~cut
                    top = _top_singular_values(P if live.all() else P[live])  # only where the chain is measured
                    log_spec[live, j] = log_scale[live] + np.log10(top)
                    if below is not None:
                        below[:, d - 1] = log_spec[:, j] < log10_floor
                    j += 1
                elif below is not None:
                    low = log_scale < log10_floor  # ‖P‖₂ ≤ ‖P‖_F: below (a cut chain's −inf too)
                    open_ = ~low & (log_scale - half_log_w < log10_floor)  # ‖P‖₂ ≥ ‖P‖_F/√W: else above
                    if open_.any():
                        low[open_] = log_scale[open_] + np.log10(_top_singular_values(P[open_])) < log10_floor
                    below[:, d - 1] = low
    return ChainBatch(freeze(dist), freeze(log_spec), freeze(log_fro),
                      None if log_delta is None else freeze(log_delta), None if below is None else freeze(below))


def _fro_batch(P: np.ndarray) -> np.ndarray:
    """(B,) Frobenius norms of a (B, W, W) stack: a plain sum of squares where it can neither
    overflow nor underflow, otherwise scaled by the largest entry first (as _fro)."""
    flat = P.reshape(len(P), -1)
    ss = np.einsum("bi,bi->b", flat, flat)
    fro = np.sqrt(ss)
    safe = (ss > 1e-280) & (ss < 1e280)
    if not safe.all():
        for b in np.flatnonzero(~safe):
            fro[b] = _fro(P[b])
    return fro


def _top_singular_values(P: np.ndarray) -> np.ndarray:
    """σ₁ of each matrix in a (B, W, W) stack with ‖P_b‖_F = 1, as _top_singular_value: the top
    eigenvalue of P Pᵀ, whose absolute error eps is a relative error on σ₁² ≥ 1/W."""
    if len(P) == 0:
        return np.empty(0)
    G = np.matmul(P, P.transpose(0, 2, 1))
    return np.sqrt(np.maximum(np.linalg.eigvalsh(G)[:, -1], 0.0))


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
    """10**log10: 0 below ~1e-308 and inf above ~1e308, where float64 ends; the logs stay exact."""
    with np.errstate(under="ignore", over="ignore"):
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
