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


def build_gru(I: int, s: Settings, seed: int | None = None, gate_shift: tuple[float, float] = (0.0, 0.0)) -> GRU:
    """Random weights, every weight matrix (not the biases) times the weight scale.

    `gate_shift` = (r, z): added to the reset and update gates' input biases, to saturate them softly.
    """
    p = GRU.init(I, s.hidden_size, seed=s.seed if seed is None else seed).params
    H = s.hidden_size
    b_ih = p.b_ih + np.repeat([gate_shift[0], gate_shift[1], 0.0], H)
    params = p._replace(W_ih=_frozen(p.W_ih * s.weight_scale), W_hh=_frozen(p.W_hh * s.weight_scale),
                        b_ih=_frozen(b_ih))
    return GRU(params, s.reset_after, s.update)


def build_rnn(I: int, H: int, seed: int, recurrent_scale: float) -> RNN:
    p = RNN.init(I, H, seed=seed).params
    return RNN(p._replace(W_hh=_frozen(p.W_hh * recurrent_scale)))


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)  # like every array the engine hands out
    return a
