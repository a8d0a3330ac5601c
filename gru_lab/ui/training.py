"""Streamlit side of the Train page: a run's explicit state, live progress, results and the sweep.

A run is "running" while its script goes on. Streamlit ends a script when the user presses Stop,
touches any other control or leaves the page; a run still marked running on the next script run was
ended that way, and is shown as stopped, with the loss it had reached. The training itself runs in a
worker process (`gru_lab.pool`, lane "long"); the script only waits, draws and watches for Stop, and
leaving the wait cancels the worker's run.
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from gru_core.training import TrainConfig, TrainingDiverged

from .. import chart_text as alt
from .. import experiments, jobs
from ..figures import training as figs
from ..pool import Busy
from ..weights import Loaded
from . import session, work
from .charts import CONFIG, chart
from .session import Training

REDRAW_SECONDS = 0.5  # live chart refresh: the browser needs ~0.2 s to draw one, so faster only flickers
ENDS_A_RUN = "Pressing Stop, any other control or leaving the page ends a run."


def stop_check():
    """A cheap call that ends this script run (raising Streamlit's stop) if the user stopped it or left.

    While a run waits for its worker it calls this every few hundredths of a second, so Stop or a closed
    tab cancels the work within one training step.
    """
    return work.stop_check()


def run_training(task_name: str, length: int, sizes: dict[str, int], cfg: TrainConfig) -> None:
    """Train each model in turn in a worker process, drawing the loss as it goes; the outcome lands in
    session state. A full pool leaves the last outcome as it was and says the server is busy."""
    try:
        job = work.start("long", jobs.train, task_name, length, sizes, cfg)
    except Busy:
        work.busy_notice()
        return
    task = experiments.make_task(task_name, length)
    metric = "MSE" if task.kind == "regression" else "cross-entropy"
    st.caption(ENDS_A_RUN)
    bar = st.progress(0.0, text="Starting…")
    chart = st.empty()
    losses: dict[str, list[float]] = {m: [] for m in sizes}
    run = Training("running", task, metric, cfg.steps, cfg.seed, losses)
    session.put(session.TRAINING, run)  # stays "running" if Streamlit ends the script mid-way
    last_draw = [0.0]

    def progress(batch: tuple[tuple[str, int, float], ...]) -> None:
        for module, _, loss in batch:
            losses[module].append(loss)
        module, step, loss = batch[-1]
        now = time.monotonic()
        if now - last_draw[0] >= REDRAW_SECONDS or step == cfg.steps - 1:
            last_draw[0] = now
            done = list(sizes).index(module) + (step + 1) / cfg.steps
            bar.progress(done / len(sizes), text=f"Training {module}: step {step + 1} of {cfg.steps}, "
                                                 f"loss {loss:.4f}")
            chart.plotly_chart(_loss_figure(run), key=f"live_{module}_{step}", config=CONFIG)

    try:
        runs = job.wait(progress, stop_check())
    except TrainingDiverged as err:
        session.put(session.TRAINING, replace(run, state="diverged", error=str(err)))
    else:
        session.put(session.TRAINING, replace(run, state="finished", runs=runs))
    bar.empty()
    chart.empty()


def _loss_figure(run: Training):
    curves = {k: np.array(v) for k, v in run.losses.items() if len(v)}
    return figs.loss_curves(curves, run.task.baseline_loss, run.steps, run.metric)


def show_state() -> None:
    """What the last run came to: nothing yet, stopped, diverged, or finished with its results."""
    run = session.training()
    if run is None:
        st.info("Press **Start training** to train the chosen models; the loss is drawn as they learn. "
                + ENDS_A_RUN, icon=":material/model_training:")
        return
    if run.state in ("running", "stopped"):
        reached = ", ".join(f"{m} {len(v)} of {run.steps} steps" for m, v in run.losses.items() if len(v))
        st.warning(f"Training was stopped before it finished ({reached or 'no step done'}). {ENDS_A_RUN} "
                   "Press **Start training** to run it again.", icon=":material/stop_circle:")
    elif run.state == "diverged":
        st.error(f"Training stopped: {run.error}", icon=":material/error:")
    if run.state != "finished":
        if any(len(v) for v in run.losses.values()):
            curves = {k: np.array(v) for k, v in run.losses.items() if len(v)}
            chart(_loss_figure(run), "stopped_losses", alt.losses(curves, run.task.baseline_loss, run.metric))
        return
    show_results(run)


def show_results(run: Training) -> None:
    task, runs = run.task, run.runs
    st.subheader("Results")
    losses = {k: r.result.losses for k, r in runs.items()}
    chart(figs.loss_curves(losses, task.baseline_loss, run.steps, run.metric), "final_losses",
          alt.losses(losses, task.baseline_loss, run.metric))
    if task.kind == "classification":
        accuracies = {k: r.result.accuracies for k, r in runs.items()}
        chart(figs.accuracy_curves(accuracies, task.baseline_accuracy, run.steps), "final_accuracy",
              alt.accuracies(accuracies, task.baseline_accuracy))
    st.dataframe(results_table(task, runs), hide_index=True, key="results_table")
    before_after = experiments.chains_before_after(runs, task, run.seed)
    chart(figs.chains_before_after(before_after), "chains_before_after", alt.before_after(before_after))
    st.caption("Training that solves a long-range task has to keep the chain from vanishing over the distance "
               "the task needs.")
    if "GRU" in runs:
        st.button("Open the trained GRU in Step through", key="open_trained", icon=":material/play_circle:",
                  on_click=_open_trained, args=(runs["GRU"], task.name))
    if session.pop(session.GO_TO_STEP, False):
        st.switch_page("app_pages/step_through.py", query_params={"weights": "session"})


def _open_trained(run, task_name: str) -> None:
    # A callback runs before the widgets do, so it may still set bound widgets (the preset) by key.
    session.put(session.TRAINED, as_loaded(run, task_name))
    st.session_state["weights"] = "session"
    if task_name == "adding":
        st.session_state["preset"] = "adding"
        session.get(session.REMEMBERED, {})["preset"] = "adding"
    session.put(session.GO_TO_STEP, True)


def results_table(task, runs: dict) -> pd.DataFrame:
    rows = []
    for name, run in runs.items():
        r = run.result
        rows.append({
            "model": name, "hidden size": run.untrained.hidden_size, "parameters": run.params,
            "held-out loss": round(r.eval_loss, 5), "baseline": round(task.baseline_loss, 5),
            "loss ÷ baseline": round(r.eval_loss / task.baseline_loss, 3),
            "accuracy": round(r.eval_accuracy, 3),
            "learned?": "yes" if r.eval_loss < experiments.SUCCESS * task.baseline_loss else "no",
        })
    table = pd.DataFrame(rows)
    return table.drop(columns="accuracy") if task.kind == "regression" else table


def as_loaded(run, task_name: str) -> Loaded:
    state = run.result.model.to_torch()
    digest = hashlib.sha256(b"".join(np.ascontiguousarray(v).tobytes() for v in state.values())).hexdigest()[:32]
    return Loaded(f"GRU trained here on {experiments.TASKS[task_name].lower()}", "GRU", state, digest, ())


def run_sweep(lengths: tuple[int, ...], modules: tuple[str, ...], H: int, cfg: TrainConfig) -> None:
    try:
        job = work.start("long", jobs.sweep, lengths, modules, H, cfg)
    except Busy:
        work.busy_notice()
        return
    st.caption(ENDS_A_RUN)
    bar = st.progress(0.0, text="Sweeping…")
    session.pop(session.SWEEP)
    try:
        result = job.wait(lambda f: bar.progress(f, text=f"Sweeping lengths {lengths}: {f:.0%}"), stop_check())
    except TrainingDiverged as err:
        bar.empty()
        st.error(f"The sweep stopped: {err}", icon=":material/error:")
        return
    bar.empty()
    session.put(session.SWEEP, result)
