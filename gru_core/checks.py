"""Validation at the public boundary: every array is checked once, here, and becomes float64.

Each failure is a ValueError whose message names the argument, what was wrong and what is allowed.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .limits import LIMITS


def as_float_array(value: Any, name: str) -> np.ndarray:
    """Convert to a float64 array, refusing text, complex numbers and non-finite values."""
    if value is None:
        raise ValueError(f"{name} must be numeric (an array of numbers); got None")
    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name} must be numeric, got text {value[:40]!r}")
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged nested lists and the like
        raise ValueError(f"{name} must be a numeric array: {exc}") from None
    if arr.dtype.kind not in "biuf":
        if arr.dtype.kind == "c":
            raise ValueError(f"{name} must be real; complex values are not allowed")
        if arr.dtype.kind in "USa" or (arr.dtype.kind == "O" and any(isinstance(v, (str, bytes)) for v in arr.flat)):
            raise ValueError(f"{name} must be numeric, not text; convert strings to numbers first")
        if arr.dtype.kind in "mM" or (arr.dtype.kind == "O" and any(v is None for v in arr.flat)):
            raise ValueError(f"{name} must be numeric (plain int or float); got dtype {arr.dtype} with "
                             "dates, times or None")
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(
                f"{name} must be numeric (int or float), got dtype {arr.dtype}"
            ) from None
    try:
        arr = np.array(arr, dtype=np.float64)  # a private copy: later edits by the caller cannot reach us
    except OverflowError:
        raise ValueError(f"{name} has a number too large for a 64-bit float") from None
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(
            f"{name} must be finite; found {arr[tuple(bad)]} at index {tuple(int(i) for i in bad)}"
        )
    return arr


def as_matrix(value: Any, name: str, cols: int | None = None, col_name: str = "columns") -> np.ndarray:
    arr = as_float_array(value, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (T, {col_name}); got {arr.ndim}-D with shape {arr.shape}")
    if cols is not None and arr.shape[1] != cols:
        raise ValueError(f"{name} must have {cols} {col_name}; got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} must have at least one time step; got shape {arr.shape}")
    if arr.shape[0] > LIMITS.max_steps:
        raise ValueError(f"{name} has {arr.shape[0]} steps; at most {LIMITS.max_steps} are allowed")
    return freeze(arr)


def as_vector(value: Any, name: str, size: int) -> np.ndarray:
    arr = as_float_array(value, name)
    if arr.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},); got {arr.shape}")
    return freeze(arr)


def as_gate(value: Any, name: str, shape: tuple[int, int]) -> np.ndarray | None:
    """A pinned gate: None (free), or a value in [0, 1] broadcastable to (T, H)."""
    if value is None:
        return None
    arr = as_float_array(value, name)
    try:
        arr = np.broadcast_to(arr, shape)
    except ValueError:
        raise ValueError(
            f"{name} must be a float or an array broadcastable to (T, H) = {shape}; got shape {arr.shape}"
        ) from None
    if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
        raise ValueError(f"{name} values must lie in [0, 1]; got range [{arr.min():g}, {arr.max():g}]")
    return freeze(np.array(arr))


def check_size(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number from {low} to {high}; got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low} to {high}; got {value}")
    return int(value)


def check_jacobian_budget(T: int, width: int) -> None:
    entries = T * width * width
    if entries > LIMITS.max_jacobian_entries:
        raise ValueError(
            f"{T} step Jacobians of size {width}×{width} would hold {entries:,} numbers; "
            f"the cap is {LIMITS.max_jacobian_entries:,} (T·H² ≤ {LIMITS.max_jacobian_entries:.0e}): "
            "use a shorter sequence or a smaller hidden size"
        )


def freeze(arr: np.ndarray) -> np.ndarray:
    arr.flags.writeable = False
    return arr


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
