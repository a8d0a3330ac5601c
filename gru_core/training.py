"""Training a recurrent model with a read-out by BPTT on mini-batches.

Deterministic given the seed: one generator draws the read-out's initial weights, then every
batch, in order. A callback sees each step as it ends and may return False to stop there; a
non-finite loss or gradient, or weights pushed past LIMITS.max_weight, stop training with
TrainingDiverged instead of returning NaN weights.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import batched
from .checks import check_size, freeze
from .limits import LIMITS
from .optim import SGD, Adam, clip_by_norm
from .params import NAMES, Params
from .readout import Readout, loss_and_grads
from .tasks import Task


def _is_number(value: object) -> bool:
    """A real number, not a bool (True is an int to Python, never a step size to a user)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


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
        check_size("steps", self.steps, 1, LIMITS.max_train_steps)
        check_size("batch", self.batch, 1, LIMITS.max_batch)
        check_size("seed", self.seed, 0, LIMITS.max_seed)
        check_size("eval_size", self.eval_size, 1, LIMITS.max_sequences)
        if not (_is_number(self.lr) and np.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive number; got {self.lr!r}")
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer must be 'adam' or 'sgd'; got {self.optimizer!r}")
        if self.clip is not None and not (_is_number(self.clip) and np.isfinite(self.clip) and self.clip > 0):
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


class TrainingDiverged(ValueError):
    """The step size was too large: a loss, gradient or weight stopped being a usable number.

    `step` is the step where it happened (0-based); `losses` the training loss of every step up to
    and including it (the last may be nan or inf).
    """

    def __init__(self, message: str, step: int, losses: np.ndarray):
        super().__init__(message)
        self.step, self.losses = step, losses

    def __reduce__(self):  # keeps the exception picklable despite the extra arguments
        return type(self), (str(self), self.step, self.losses)


def _diverged(what: str, step: int, losses: list[float], cfg: TrainConfig) -> TrainingDiverged:
    clip = "turn gradient clipping on (clip=1.0)" if cfg.clip is None else f"clip harder (now clip={cfg.clip:g})"
    return TrainingDiverged(f"training diverged at step {step}: {what}. Lower the learning rate (now "
                            f"lr={cfg.lr:g}) or {clip}.", step, np.array(losses))


def evaluate(model, readout: Readout, task: Task, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    tr = batched.forward(model, X)
    loss, acc, _, _ = loss_and_grads(readout, tr.H[-1], y, task.kind)
    return loss, acc


def train_step(model: batched.Model, readout: Readout, opt: Adam | SGD, X: np.ndarray, y: np.ndarray, kind: str,
               clip: float | None) -> tuple[batched.Model, Readout, float, float, float]:
    """One step of `train`: forward, read-out loss on h_T, direct BPTT, clipping, update.

    Returns the updated (model, readout), and the step's loss, accuracy and gradient norm before clipping.
    """
    tr = batched.forward(model, X)
    loss, acc, ro_grads, dh_T = loss_and_grads(readout, tr.H[-1], y, kind)
    dH = np.zeros_like(tr.H)
    dH[-1] = dh_T  # the loss reads the last state only
    grads, norm = clip_by_norm({**batched.direct_backward(tr, dH), **ro_grads}, clip)
    params = opt.step({**dict(zip(NAMES, model.params, strict=True)), "V": readout.V, "c": readout.c}, grads)
    return (dataclasses.replace(model, params=Params(*(freeze(params[k]) for k in NAMES))),
            Readout(params["V"], params["c"]), loss, acc, norm)


def train(model: batched.Model, task: Task, cfg: TrainConfig = TrainConfig(),
          callback: Callable[[StepInfo], bool | None] | None = None) -> TrainResult:
    """Train for cfg.steps steps. `callback(info)` runs after every step; returning False stops training
    right there (the result is evaluated and marked stopped_early), and an exception it raises ends
    training at once and propagates. Raises TrainingDiverged (a ValueError) on divergence."""
    if model.input_size != task.input_size:
        raise ValueError(f"the model takes {model.input_size} inputs per step; the task gives {task.input_size}")
    rng = np.random.default_rng(cfg.seed)
    readout = Readout.init(model.hidden_size, task.outputs, rng)
    X_eval, y_eval = task.sample(cfg.eval_size, np.random.default_rng(cfg.seed + 1_000_003))
    opt = Adam(cfg.lr) if cfg.optimizer == "adam" else SGD(cfg.lr)
    losses, accs, stopped = [], [], False
    for step in range(cfg.steps):
        X, y = task.sample(cfg.batch, rng)
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is caught below, by value
            new_model, new_readout, loss, acc, norm = train_step(model, readout, opt, X, y, task.kind, cfg.clip)
        losses.append(loss)
        if not np.isfinite(loss) or not np.isfinite(norm):
            bad = ("loss", loss) if not np.isfinite(loss) else ("gradient norm", norm)
            raise _diverged(f"the {bad[0]} is {bad[1]}", step, losses, cfg)
        # A loss can stay finite for many steps while the weights run off (the read-out is linear):
        # stop as soon as one leaves what a model may hold, and be loaded back with.
        largest = max(max(float(p.max()), -float(p.min())) for p in (*new_model.params, *new_readout.V, new_readout.c))
        if not largest <= LIMITS.max_weight:  # also true for nan
            raise _diverged(f"a weight reached {largest:g}, beyond ±{LIMITS.max_weight:g}", step, losses, cfg)
        model, readout = new_model, new_readout
        accs.append(acc)
        if callback is not None and callback(StepInfo(step, loss, acc, norm)) is False:
            stopped = True
            break
    eval_loss, eval_acc = evaluate(model, readout, task, X_eval, y_eval)
    return TrainResult(model, readout, np.array(losses), np.array(accs), eval_loss, eval_acc, stopped)
