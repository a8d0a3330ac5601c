"""Tables of recorded values (pandas), for display and CSV download."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .records import quantities


def record_table(rec, labels: tuple[str, ...]) -> pd.DataFrame:
    """Long format, one row per (step, unit): easy to filter, sort and open in a spreadsheet."""
    T, H = rec.h.shape
    columns = {"h_prev": rec.h_prev, **quantities(rec)}
    if "r" in columns:  # GRU: the equations' order
        columns = {k: columns[k] for k in ("h_prev", "r", "z", "n", "h")}
    return pd.DataFrame({
        "step": np.repeat(np.arange(1, T + 1), H),
        "input": np.repeat(np.asarray(labels, dtype=object), H),
        "unit": np.tile(np.arange(H), T),
        **{name: values.ravel() for name, values in columns.items()},
    })


def to_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, float_format="%.6g").encode()


def param_table(I: int, H: int) -> pd.DataFrame:
    """Parameter counts: weight blocks × (H·I input weights + H² recurrent weights + 2H biases)."""
    from .experiments import BLOCKS, param_count

    return pd.DataFrame([
        {"model": m, "weight blocks": BLOCKS[m], "input weights": BLOCKS[m] * H * I,
         "recurrent weights": BLOCKS[m] * H * H, "biases": BLOCKS[m] * 2 * H, "total": param_count(m, I, H)}
        for m in ("RNN", "GRU", "LSTM")
    ])
