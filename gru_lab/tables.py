"""Tables of recorded values (pandas), for display and CSV download."""
from __future__ import annotations

import numpy as np
import pandas as pd

from gru_core import GRURecord


def record_table(rec: GRURecord, labels: tuple[str, ...]) -> pd.DataFrame:
    """Long format, one row per (step, unit): easy to filter, sort and open in a spreadsheet."""
    T, H = rec.h.shape
    return pd.DataFrame({
        "step": np.repeat(np.arange(1, T + 1), H),
        "input": np.repeat(np.asarray(labels, dtype=object), H),
        "unit": np.tile(np.arange(H), T),
        "h_prev": rec.h_prev.ravel(),
        "r": rec.r.ravel(),
        "z": rec.z.ravel(),
        "n": rec.n.ravel(),
        "h": rec.h.ravel(),
    })


def to_csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, float_format="%.6g").encode()
