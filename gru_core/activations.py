"""Element-wise nonlinearities, written so that no input overflows.

σ(x) for x ≥ 0 is 1/(1 + e^{−x}); for x < 0 it is e^{x}/(1 + e^{x}): either way the exponential
is of a non-positive number, so it can only underflow towards 0, which NumPy does silently. Unlike
the shortcut ½(1 + tanh(x/2)) this keeps full relative precision for very negative x, where σ is tiny.
"""
from __future__ import annotations

import numpy as np

SMALL = 256  # below this many entries, per-call overhead dominates: use the three-call form


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if x.size < SMALL:
        # σ(x) = exp(−log(1 + e^{−x})): three ufunc calls; logaddexp is slower per element but safe.
        out = np.logaddexp(0.0, -x, out=out)
        np.negative(out, out=out)
        return np.exp(out, out=out)
    e = np.exp(-np.abs(x))  # e^{−|x|} ∈ (0, 1]
    numerator = np.where(x >= 0, 1.0, e)
    return np.divide(numerator, 1.0 + e, out=out)
