"""Records and results for the figure, text and table tests, built with gru_lab.compute (no Streamlit)."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab import compute
from gru_lab.settings import Settings


@pytest.fixture(scope="session")
def words():
    """The default view: 'Far-apart clue', 34 words embedded in 8 features, H = 8."""
    return compute.step_record(Settings())


@pytest.fixture(scope="session")
def numbers():
    """'Weekly sales': 56 steps of one number each, H = 4, z takes the new, reset before."""
    return compute.step_record(Settings(hidden_size=4, preset="sales", update="take", reset_after=False))


@pytest.fixture(scope="session")
def vanishing():
    return compute.vanishing(Settings(), 40, 1.0, 3)


@pytest.fixture(scope="session")
def saturation():
    """saturation(case, update="keep", t=10) → compute.Saturation for the default sequence."""
    cache = {}

    def _get(case: str, update: str = "keep", t: int = 10):
        key = (case, update, t)
        if key not in cache:
            cache[key] = compute.saturation(Settings(update=update), case, 0.5, 0.5, 0.0, 0.0, t)
        return cache[key]
    return _get


def arr(v) -> np.ndarray:
    return np.asarray(v, dtype=float)
