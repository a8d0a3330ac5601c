"""What the Train and GRU-vs-LSTM pages compute: training runs, sweeps and gradient chains.

Pure functions of plain settings; progress is reported through a callback so the page can draw
while the work goes on, and can stop it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gru_core import GRU, LSTM, RNN, chain_norms, log_spaced_distances, record_chain_norms
from gru_core.base import parameter_count
from gru_core.tasks import Task, adding, delayed_recall, sentiment
from gru_core.training import StepInfo, TrainConfig, TrainResult, train

CLASSES = {"GRU": GRU, "RNN": RNN, "LSTM": LSTM}
BLOCKS = {"RNN": 1, "GRU": 3, "LSTM": 4}  # weight blocks per cell: the parameter count is blocks·(HI + H² + 2H)
TASKS = {
    "adding": "Adding problem (regression)",
    "recall": "Delayed recall (4 symbols)",
    "sentiment-start": "Sentiment, deciding word first",
    "sentiment-end": "Sentiment, deciding word last",
}
SUCCESS = 0.5  # a model "learns" when its held-out loss is below half the baseline's
NO_CLIP = 1e9  # the clip slider's "no clipping" stop


def CLIP_LABEL(v: float) -> str:  # noqa: N802 (a label function, named like the table it stands for)
    return "no clipping" if v >= NO_CLIP else f"{v:g}"


def make_task(name: str, length: int) -> Task:
    if name == "adding":
        return adding(length)
    if name == "recall":
        return delayed_recall(length)
    return sentiment(length, name.split("-")[1])


def param_count(module: str, I: int, H: int) -> int:
    return BLOCKS[module] * (H * I + H * H + 2 * H)


def matched_sizes(modules: list[str], I: int, H: int, match: str) -> dict[str, int]:
    """Hidden sizes: all H ("hidden size"), or each as close as possible to the GRU's parameter count."""
    if match == "hidden size":
        return dict.fromkeys(modules, H)
    target = param_count("GRU", I, H)
    sizes = {}
    for m in modules:
        candidates = np.arange(1, 4 * H + 1)
        counts = BLOCKS[m] * (candidates * I + candidates**2 + 2 * candidates)
        sizes[m] = int(candidates[np.argmin(np.abs(counts - target))])
    return sizes


@dataclass(frozen=True)
class Run:
    module: str
    untrained: object  # the model before training (same seed)
    result: TrainResult
    params: int


def train_models(task: Task, sizes: dict[str, int], cfg: TrainConfig,
                 progress: Callable[[str, StepInfo], bool | None] | None = None) -> dict[str, Run]:
    runs = {}
    for module, H in sizes.items():
        model = CLASSES[module].init(task.input_size, H, seed=cfg.seed)
        callback = (lambda info, m=module: progress(m, info)) if progress else None
        result = train(model, task, cfg, callback)
        runs[module] = Run(module, model, result, parameter_count(model))
        if result.stopped_early:
            break
    return runs


def chains_before_after(runs: dict[str, Run], task: Task, seed: int) -> dict[str, dict[str, np.ndarray]]:
    """log10 ‖∂s_T/∂s_k‖₂ on one task sequence, for each model untrained and trained."""
    X, _ = task.sample(1, np.random.default_rng(seed + 7))
    distance = log_spaced_distances(task.T, count=40)
    out = {"distance": {"": distance}}
    for name, run in runs.items():
        out[name] = {
            state: chain_norms(model.forward(X[0]).jacobians(), distances=distance).log10_spectral
            for state, model in (("untrained", run.untrained), ("trained", run.result.model))
        }
    return out


@dataclass(frozen=True)
class Sweep:
    lengths: tuple[int, ...]
    ratio: dict[str, np.ndarray]  # held-out loss / baseline, per module, per length
    baseline: float


def sweep(lengths: tuple[int, ...], modules: tuple[str, ...], H: int, cfg: TrainConfig,
          progress: Callable[[float], None] | None = None, each_step: Callable[[], None] | None = None) -> Sweep:
    """The classic picture in small: adding-problem success against sequence length.

    `each_step()` is called after every training step: the page's stop check, which raises to end the work.
    """
    callback = (lambda info: each_step()) if each_step else None
    ratio = {m: np.full(len(lengths), np.nan) for m in modules}
    baseline = adding(lengths[0]).baseline_loss
    done, total = 0, len(lengths) * len(modules)
    for i, T in enumerate(lengths):
        task = adding(T)
        for m in modules:
            result = train(CLASSES[m].init(task.input_size, H, seed=cfg.seed), task, cfg, callback)
            ratio[m][i] = result.eval_loss / task.baseline_loss
            done += 1
            if progress:
                progress(done / total)
    return Sweep(tuple(lengths), ratio, baseline)


# ---- GRU vs LSTM -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ThreeChains:
    distance: np.ndarray
    median: dict[str, np.ndarray]  # log10 ‖∂s_T/∂s_k‖₂, median over seeds, per module


def three_chains(I: int, H: int, T: int, seeds: list[int], check: Callable[[], None] | None = None) -> ThreeChains:
    """RNN, GRU and LSTM with PyTorch's default initialisation, on the same random input. `check()`
    runs every few steps; raising there ends the work."""
    x = np.random.default_rng(2024).standard_normal((T, I))
    distance = log_spaced_distances(T, count=40)
    median = {}
    for module, cls in CLASSES.items():  # every seed's chain at once, its Jacobians a chunk at a time
        rows = record_chain_norms([cls.init(I, H, seed=s).forward(x) for s in seeds], distances=distance,
                                  check=check)
        median[module] = np.percentile(rows.log10_spectral, 50, axis=0, method="nearest")
    return ThreeChains(distance, median)
