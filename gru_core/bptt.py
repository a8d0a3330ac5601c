"""Backpropagation through time, shared by every model: δ_t = dh_t + J_{t+1}ᵀ δ_{t+1}.

The recursion is the only part of BPTT that must go step by step; with the step Jacobians at hand
it is one vector-matrix product a step. They are built a chunk of steps at a time, newest first, so
memory stays bounded however long the sequence, and everything else (the gradients of the
pre-activations and of the weights) is computed for all steps at once afterwards.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

CHUNK_ENTRIES = 1 << 21  # Jacobian entries built at a time: 16 MB, small next to the memory cap


def deltas(jacobians: Callable[[slice], np.ndarray], dh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """δ (T, H) for every step, and J_0ᵀ δ_0 = ∂L/∂h0. `jacobians(slice)` gives (S, H, H) stacks."""
    T, H = dh.shape
    chunk = max(1, CHUNK_ENTRIES // (H * H))
    delta = np.empty((T, H))
    carry = np.zeros(H)  # J_{t+1}ᵀ δ_{t+1}: what flows back into step t
    for stop in range(T, 0, -chunk):
        start = max(stop - chunk, 0)
        J = jacobians(slice(start, stop))
        for t in range(stop - 1, start - 1, -1):
            d = delta[t]
            np.add(dh[t], carry, out=d)
            np.dot(d, J[t - start], out=carry)  # δ_tᵀ J_t = (J_tᵀ δ_t)ᵀ
    return delta, carry
