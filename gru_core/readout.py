"""A read-out on the last hidden state, and its loss.

    ŷ = V h_T + c
    regression:      E = mean_b (ŷ − y)²                     (one output)
    classification:  E = mean_b −log softmax(ŷ)_y             (K outputs, y the class)

Many-to-one tasks (the adding problem, delayed recall, sentiment) read only h_T, so ∂E/∂h_t is zero
for t < T and the whole gradient enters the recurrence at the last step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Readout:
    V: np.ndarray  # (K, H)
    c: np.ndarray  # (K,)

    @classmethod
    def init(cls, hidden_size: int, outputs: int, rng: np.random.Generator) -> Readout:
        k = 1.0 / np.sqrt(hidden_size)  # nn.Linear's default
        return cls(rng.uniform(-k, k, (outputs, hidden_size)), rng.uniform(-k, k, outputs))


def loss_and_grads(ro: Readout, h_T: np.ndarray, y: np.ndarray, kind: str) -> tuple[float, float, dict, np.ndarray]:
    """(loss, accuracy or nan, {"V", "c"} gradients, dE/dh_T (B, H)) for h_T (B, H)."""
    logits = h_T @ ro.V.T + ro.c  # (B, K)
    B = h_T.shape[0]
    if kind == "regression":
        err = logits[:, 0] - y
        loss, acc = float(np.mean(err * err)), float("nan")
        dlogits = (2.0 / B) * err[:, None]
    else:
        shifted = logits - logits.max(axis=1, keepdims=True)  # stable softmax
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = float(-logp[np.arange(B), y].mean())
        acc = float(np.mean(logits.argmax(axis=1) == y))
        dlogits = np.exp(logp)
        dlogits[np.arange(B), y] -= 1.0
        dlogits /= B
    grads = {"V": dlogits.T @ h_T, "c": dlogits.sum(0)}
    return loss, acc, grads, dlogits @ ro.V
