"""The per-step quantities of any recorded pass (GRU, RNN or LSTM), by their equation symbols."""
from __future__ import annotations

import numpy as np

from gru_core import GRURecord, LSTMRecord

NAMES = {
    "z": "update gate z", "r": "reset gate r", "n": "candidate n", "h": "hidden state h",
    "i": "input gate i", "f": "forget gate f", "g": "cell candidate g", "o": "output gate o", "c": "cell state c",
}


def quantities(rec) -> dict[str, np.ndarray]:
    """(T, H) arrays in the order a page shows them: gates first, state last."""
    if isinstance(rec, GRURecord):
        return {"z": rec.z, "r": rec.r, "n": rec.n, "h": rec.h}
    if isinstance(rec, LSTMRecord):
        return {"i": rec.i, "f": rec.f, "o": rec.o, "g": rec.g, "c": rec.c, "h": rec.h}
    return {"h": rec.h}


def kind(rec) -> str:
    return "GRU" if isinstance(rec, GRURecord) else "LSTM" if isinstance(rec, LSTMRecord) else "RNN"
