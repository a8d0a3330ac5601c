"""The model settings every page shares (the sidebar), as one plain, hashable value."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gru_core import GRU, RNN

HIDDEN_SIZES = (4, 8, 16, 32, 64, 128)  # powers of two keep heatmaps evenly gridded
MAX_SEED = 9999


@dataclass(frozen=True)
class Settings:
    hidden_size: int = 8  # small enough to read every unit in a heatmap on a projector
    preset: str = "clue"  # the first lesson: a clue far from the word it explains
    custom_kind: str = "words"
    custom_text: str = ""
    seed: int = 0
    weight_scale: float = 1.0  # PyTorch's own init; raise it to push gates towards saturation
    reset_after: bool = True  # PyTorch's convention, so loaded weights behave as trained
    update: str = "keep"  # z keeps the past: PyTorch, Keras and most articles


def scaled_state(state: dict[str, np.ndarray], scale: float) -> dict[str, np.ndarray]:
    """Multiply the weight matrices (not the biases) by `scale`."""
    return {k: v * scale if k.startswith("weight") else v for k, v in state.items()}


def build_gru(I: int, s: Settings, seed: int | None = None) -> GRU:
    base = GRU.init(I, s.hidden_size, seed=s.seed if seed is None else seed)
    return GRU.from_torch(scaled_state(base.to_torch(), s.weight_scale), s.reset_after, s.update)


def build_rnn(I: int, H: int, seed: int, recurrent_scale: float) -> RNN:
    state = RNN.init(I, H, seed=seed).to_torch()
    state["weight_hh_l0"] = state["weight_hh_l0"] * recurrent_scale
    return RNN.from_torch(state)
