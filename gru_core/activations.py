"""Element-wise nonlinearities, written so that no input overflows.

σ(x) = exp(−log(1 + e^{−x})): `logaddexp` never overflows, and the final `exp` of a
non-positive number can only underflow towards 0, which NumPy does silently. Unlike the
shortcut ½(1 + tanh(x/2)) it keeps full relative precision for very negative x, where σ is tiny.
"""
from __future__ import annotations

import numpy as np


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    out = np.logaddexp(0.0, -x, out=out)
    np.negative(out, out=out)
    return np.exp(out, out=out)
