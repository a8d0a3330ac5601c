"""Where a model's weights come from: random (from the settings), shipped, or a user's file.

A file's tensors travel with a digest of its bytes, so caches key on 32 characters, not megabytes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gru_core import GRU, LSTM, RNN, detect_module, load_state_bytes, recurrent_part

from .settings import Settings

WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
SHIPPED = {"trained-adding": "gru_adding_T30.safetensors"}  # weights choice → file under weights/
CLASSES = {"GRU": GRU, "RNN": RNN, "LSTM": LSTM}


@dataclass(frozen=True, eq=False)
class Loaded:
    name: str  # the file's name, for labels
    module: str  # "GRU", "RNN" or "LSTM"
    state: dict[str, np.ndarray]  # the four recurrent tensors
    digest: str  # identifies the contents
    ignored: tuple[str, ...]  # other tensors in the file (a read-out, say), left aside


def parse_weights(data: bytes, filename: str) -> Loaded:
    """Validate an uploaded file completely; any problem is a ValueError that says what is wrong."""
    state, ignored = recurrent_part(load_state_bytes(data, filename))
    module = detect_module(state)
    model = CLASSES[module].from_torch(state)  # checks names, shapes, finiteness, sizes
    return Loaded(filename, module, model.to_torch(), hashlib.sha256(data).hexdigest()[:32], tuple(ignored))


def shipped(choice: str) -> Loaded:
    path = WEIGHTS / SHIPPED[choice]
    return parse_weights(path.read_bytes(), path.name)


def build(loaded: Loaded, s: Settings):
    """The model a file describes; a GRU is read under the sidebar's conventions."""
    if loaded.module == "GRU":
        return GRU.from_torch(loaded.state, s.reset_after, s.update)
    return CLASSES[loaded.module].from_torch(loaded.state)
