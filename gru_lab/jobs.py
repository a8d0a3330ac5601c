"""The app's heavy calls as pool jobs: module-level functions of plain, picklable arguments that run
the same in a worker process (`gru_lab.pool`) or inline, reporting progress with `pool.report` and
stopping at `pool.check` once cancelled. Pure: no Streamlit."""
from __future__ import annotations

import time

from gru_core.training import StepInfo, TrainConfig

from . import compute, experiments, pool
from .settings import Settings

REPORT_SECONDS = 0.1  # training reports its losses in batches this far apart, not one message a step


def ready() -> None:
    """Nothing: submitted ahead of the first real job, it starts a worker and imports what jobs need."""


def vanishing_block(s: Settings, T: int, rnn_scale: float, seeds: tuple[int, ...]) -> tuple[compute.SeedRun, ...]:
    return compute.vanishing_runs(s, T, rnn_scale, seeds, check=pool.check)


def three_chains(I: int, H: int, T: int, seeds: tuple[int, ...]) -> experiments.ThreeChains:
    return experiments.three_chains(I, H, T, list(seeds), check=pool.check)


def train(task_name: str, length: int, sizes: dict[str, int], cfg: TrainConfig) -> dict[str, experiments.Run]:
    """experiments.train_models; reports tuples of (model, step, loss), every step's loss once."""
    task = experiments.make_task(task_name, length)
    pending: list[tuple[str, int, float]] = []
    last = [time.monotonic()]

    def progress(module: str, info: StepInfo) -> None:
        pool.check()
        pending.append((module, info.step, info.loss))
        now = time.monotonic()
        if now - last[0] >= REPORT_SECONDS or info.step == cfg.steps - 1:
            pool.report(tuple(pending))
            pending.clear()
            last[0] = now

    return experiments.train_models(task, sizes, cfg, progress)


def sweep(lengths: tuple[int, ...], modules: tuple[str, ...], H: int, cfg: TrainConfig) -> experiments.Sweep:
    """experiments.sweep; reports the fraction done after each model and length."""
    return experiments.sweep(lengths, modules, H, cfg, pool.report, pool.check)
