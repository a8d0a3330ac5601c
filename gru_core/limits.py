"""Size limits enforced where data enters the public API.

One small frozen config, nanoGPT style: each default says why it is what it is.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    max_hidden: int = 1024  # far beyond anything a classroom plots; keeps an H×H heatmap drawable
    max_input: int = 4096  # room for one-hot vocabularies of a toy corpus
    max_steps: int = 100_000  # a forward pass stays under a second; the app caps T much lower
    max_jacobian_entries: int = 50_000_000  # T·H² float64s = 400 MB: what a shared 24 GB box spares a user
    max_file_bytes: int = 64 * 1024 * 1024  # a 1-layer GRU with H=1024 is 50 MB in float32; anything bigger is not one


LIMITS = Limits()
