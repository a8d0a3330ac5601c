"""Long-range memory tasks with generators, each with the loss of its trivial baseline.

- Adding problem (Hochreiter & Schmidhuber 1997): each step carries a value v ∈ U(−1, 1) and a
  marker; two steps are marked, one in each half. Target 0.5 + (v₁ + v₂)/4. Predicting the mean
  scores the target's variance, (2/3)/16 = 1/24 ≈ 0.042: a model learns only below that.
- Delayed recall: a symbol (one of K) at the first step, `delay` steps of distracting symbols,
  then a query marker; the class is the first symbol. Chance: log K, accuracy 1/K.
- Toy sentiment: filler words with one deciding word (good or bad) at the start or the end.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import check_size
from .limits import LIMITS


@dataclass(frozen=True)
class Task:
    name: str
    kind: str  # "regression" or "classification"
    T: int
    input_size: int
    outputs: int
    baseline_loss: float  # what predicting without memory scores
    baseline_accuracy: float  # nan for regression

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """(X (n, T, I), y (n,)); deterministic given the generator's state."""
        n = check_size("n (sequences to draw)", n, 1, LIMITS.max_sequences)
        return _SAMPLERS[self.name](self, n, rng)


def adding(T: int) -> Task:
    T = check_size("sequence length", T, 2, LIMITS.max_task_length)
    return Task("adding", "regression", T, 2, 1, 1.0 / 24.0, float("nan"))


def delayed_recall(delay: int, symbols: int = 4) -> Task:
    delay = check_size("delay", delay, 0, LIMITS.max_task_length)
    K = check_size("symbols", symbols, 2, LIMITS.max_symbols)
    return Task("recall", "classification", delay + 2, K + 1, K, float(np.log(K)), 1.0 / K)


def sentiment(T: int, position: str = "start", fillers: int = 8) -> Task:
    T = check_size("sequence length", T, 2, LIMITS.max_task_length)
    if position not in ("start", "end"):
        raise ValueError(f"position must be 'start' or 'end'; got {position!r}")
    F = check_size("fillers", fillers, 1, LIMITS.max_fillers)
    return Task(f"sentiment-{position}", "classification", T, 2 + F, 2, float(np.log(2)), 0.5)


def _adding(task: Task, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    T = task.T
    X = np.zeros((n, T, 2))
    X[:, :, 0] = rng.uniform(-1.0, 1.0, (n, T))
    first = rng.integers(0, max(T // 2, 1), n)
    second = rng.integers(T // 2, T, n)
    second = np.where(second == first, (first + 1) % T, second)
    rows = np.arange(n)
    X[rows, first, 1] = 1.0
    X[rows, second, 1] = 1.0
    y = 0.5 + (X[rows, first, 0] + X[rows, second, 0]) / 4.0
    return X, y


def _recall(task: Task, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    K, T = task.outputs, task.T
    X = np.zeros((n, T, K + 1))
    y = rng.integers(0, K, n)
    rows = np.arange(n)
    X[rows, 0, y] = 1.0
    for t in range(1, T - 1):  # distractors: the same symbols, so only the first one can be the answer
        X[rows, t, rng.integers(0, K, n)] = 1.0
    X[:, T - 1, K] = 1.0  # the query
    return X, y


def _sentiment(task: Task, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    T, I = task.T, task.input_size
    X = np.zeros((n, T, I))
    rows = np.arange(n)
    for t in range(T):
        X[rows, t, 2 + rng.integers(0, I - 2, n)] = 1.0
    y = rng.integers(0, 2, n)
    where = 0 if task.name.endswith("start") else T - 1
    X[:, where, :] = 0.0
    X[rows, where, y] = 1.0  # word 0 = "bad", word 1 = "good"
    return X, y


_SAMPLERS = {"adding": _adding, "recall": _recall, "sentiment-start": _sentiment, "sentiment-end": _sentiment}
