"""gru_lab.tables: one row per (step, unit), and a CSV that reads back to the same numbers."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from gru_lab.tables import record_table, to_csv

COLUMNS = ["step", "input", "unit", "h_prev", "r", "z", "n", "h"]


@pytest.mark.parametrize("which", ["words", "numbers"])
def test_record_table_shape_and_order(request, which):
    seq, rec = request.getfixturevalue(which)
    T, H = rec.h.shape
    df = record_table(rec, seq.labels)
    assert df.shape == (T * H, len(COLUMNS))
    assert list(df.columns) == COLUMNS
    assert df["step"].tolist() == [t + 1 for t in range(T) for _ in range(H)]
    assert df["unit"].tolist() == list(range(H)) * T
    assert df["input"].tolist() == [w for w in seq.labels for _ in range(H)]
    for t, j in ((0, 0), (T // 2, H - 1), (T - 1, 1)):
        row = df.iloc[t * H + j]
        assert (row["step"], row["unit"]) == (t + 1, j)
        for q in ("r", "z", "n", "h", "h_prev"):
            assert row[q] == getattr(rec, q)[t, j]


@pytest.mark.parametrize("which", ["words", "numbers"])
def test_csv_round_trip(request, which):
    seq, rec = request.getfixturevalue(which)
    df = record_table(rec, seq.labels)
    data = to_csv(df)
    assert isinstance(data, bytes)
    back = pd.read_csv(io.BytesIO(data), dtype={"input": str})
    assert list(back.columns) == COLUMNS
    assert back.shape == df.shape
    assert back["input"].tolist() == df["input"].tolist()
    np.testing.assert_array_equal(back[["step", "unit"]].to_numpy(), df[["step", "unit"]].to_numpy())
    for q in ("h_prev", "r", "z", "n", "h"):
        np.testing.assert_allclose(back[q].to_numpy(), df[q].to_numpy(), rtol=1e-5, atol=1e-12)
    assert data.decode().splitlines()[0] == ",".join(COLUMNS)
