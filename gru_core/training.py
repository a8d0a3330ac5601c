"""Training a recurrent model with a read-out by BPTT on mini-batches.

Deterministic given the seed: one generator draws the read-out's initial weights, then every
batch, in order. A callback sees each step's loss and may return False to stop early.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import batched
from .checks import check_size, freeze
from .optim import SGD, Adam, clip_by_norm
from .readout import Readout, loss_and_grads
from .state import NAMES, Params
from .tasks import Task


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 400  # enough for a GRU to beat the adding baseline at T = 30 (tests/train)
    batch: int = 32  # small batches keep a step fast; Adam copes with the noise
    lr: float = 0.01  # Adam's usual range for small recurrent nets
    optimizer: str = "adam"  # "adam" or "sgd" (plain θ ← θ − α ∂E/∂θ)
    clip: float | None = 1.0  # gradient-norm clipping: rare exploding steps cannot wreck training
    seed: int = 0
    eval_size: int = 512  # held-out sequences for the reported loss

    def __post_init__(self) -> None:
        check_size("steps", self.steps, 1, 1_000_000)
        check_size("batch", self.batch, 1, 65_536)
        check_size("seed", self.seed, 0, 2**32 - 1)
        check_size("eval_size", self.eval_size, 1, 1_000_000)
        if isinstance(self.lr, bool) or not isinstance(self.lr, (int, float)) or not (np.isfinite(self.lr)
                                                                                    and self.lr > 0):
            raise ValueError(f"lr must be a positive number; got {self.lr!r}")
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd'; got {self.optimizer!r}")
        if self.clip is not None and not (isinstance(self.clip, (int, float)) and np.isfinite(self.clip)
                                          and self.clip > 0):
            raise ValueError(f"clip must be a positive number or None (no clipping); got {self.clip!r}")


@dataclass(frozen=True)
class StepInfo:
    step: int
    loss: float
    accuracy: float
    grad_norm: float


@dataclass(frozen=True)
class TrainResult:
    model: batched.Model
    readout: Readout
    losses: np.ndarray  # (steps run,) training loss per step
    accuracies: np.ndarray
    eval_loss: float  # on held-out sequences after training
    eval_accuracy: float
    stopped_early: bool


def evaluate(model, readout: Readout, task: Task, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    tr = batched.forward(model, X)
    loss, acc, _, _ = loss_and_grads(readout, tr.H[-1], y, task.kind)
    return loss, acc


def train(model: batched.Model, task: Task, cfg: TrainConfig = TrainConfig(),
          callback: Callable[[StepInfo], bool | None] | None = None) -> TrainResult:
    if model.input_size != task.input_size:
        raise ValueError(f"the model takes {model.input_size} inputs per step; the task gives {task.input_size}")
    rng = np.random.default_rng(cfg.seed)
    readout = Readout.init(model.hidden_size, task.outputs, rng)
    X_eval, y_eval = task.sample(cfg.eval_size, np.random.default_rng(cfg.seed + 1_000_003))
    params = {**dict(zip(NAMES, model.params, strict=True)), "V": readout.V, "c": readout.c}
    opt = Adam(cfg.lr) if cfg.optimizer == "adam" else SGD(cfg.lr)
    losses, accs, stopped = [], [], False
    for step in range(cfg.steps):
        X, y = task.sample(cfg.batch, rng)
        tr = batched.forward(model, X)
        loss, acc, ro_grads, dh_T = loss_and_grads(readout, tr.H[-1], y, task.kind)
        dH = np.zeros_like(tr.H)
        dH[-1] = dh_T  # the loss reads the last state only
        grads, norm = clip_by_norm({**batched.backward(tr, dH), **ro_grads}, cfg.clip)
        params = opt.step(params, grads)
        model = dataclasses.replace(model, params=Params(*(freeze(params[k]) for k in NAMES)))
        readout = Readout(params["V"], params["c"])
        losses.append(loss)
        accs.append(acc)
        if callback is not None and callback(StepInfo(step, loss, acc, norm)) is False:
            stopped = True
            break
    eval_loss, eval_acc = evaluate(model, readout, task, X_eval, y_eval)
    return TrainResult(model, readout, np.array(losses), np.array(accs), eval_loss, eval_acc, stopped)
