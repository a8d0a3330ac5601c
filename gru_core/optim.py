"""Parameter updates on dicts of arrays: plain gradient descent (θ ← θ − α ∂E/∂θ), Adam, and
global gradient-norm clipping. Each step returns new arrays; nothing is updated in place."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def clip_by_norm(grads: dict[str, np.ndarray], max_norm: float | None) -> tuple[dict[str, np.ndarray], float]:
    """Scale all gradients together so their joint L2 norm is at most max_norm; returns the norm before."""
    is_bool = isinstance(max_norm, (bool, np.bool_))  # True is 1 to Python, never a norm to a user
    if max_norm is not None and (is_bool or not (np.isfinite(max_norm) and max_norm > 0)):
        raise ValueError(f"max_norm must be a positive number or None (no clipping); got {max_norm!r}")
    norm = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))
    if max_norm is None or norm <= max_norm or norm == 0.0:
        return grads, norm
    scale = max_norm / norm
    return {k: g * scale for k, g in grads.items()}, norm


@dataclass
class SGD:
    lr: float

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {k: p - self.lr * grads[k] for k, p in params.items()}


@dataclass
class Adam:
    """Kingma & Ba (2015) with bias correction; its moments are the optimiser's own state."""

    lr: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    m: dict = field(default_factory=dict)
    v: dict = field(default_factory=dict)

    def step(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        self.t += 1
        out = {}
        for k, p in params.items():
            g = grads[k]
            self.m[k] = self.beta1 * self.m.get(k, 0.0) + (1 - self.beta1) * g
            self.v[k] = self.beta2 * self.v.get(k, 0.0) + (1 - self.beta2) * g * g
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            out[k] = p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        return out
