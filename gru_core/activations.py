"""Element-wise nonlinearities, written so that no input overflows or warns.

σ(x) = 1/(1 + e^{−x}) keeps full relative precision everywhere: for very negative x, e^{−x} is huge
and 1/(1 + e^{−x}) ≈ e^{x} to the last bit; for large x it rounds to 1, as σ does. Only below
x ≈ −709 does e^{−x} overflow, to inf, and then 1/(1 + inf) = 0: σ has underflowed anyway, and that
overflow is the one silenced. (The shortcut ½(1 + tanh(x/2)) would lose all relative precision
where σ is tiny.)
"""
from __future__ import annotations

import numpy as np

SMALL = 256  # below this many entries, per-call overhead dominates: use the form without np.errstate


def sigmoid(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if x.size < SMALL:
        # σ(x) = exp(−log(1 + e^{−x})): three ufunc calls, none of which can overflow.
        out = np.logaddexp(0.0, -x, out=out)
        np.negative(out, out=out)
        return np.exp(out, out=out)
    e = np.negative(x)  # a contiguous scratch, whatever the layout of x and out
    with np.errstate(over="ignore"):  # e^{−x} = inf below x ≈ −709, where σ = 0 (see above)
        np.exp(e, out=e)
    e += 1.0
    return np.divide(1.0, e, out=out)
