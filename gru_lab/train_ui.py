"""Streamlit side of the Train page: running training with live progress, and showing results."""
from __future__ import annotations

import hashlib
import time

import numpy as np
import pandas as pd
import streamlit as st

from gru_core.training import StepInfo, TrainConfig

from . import trainer
from .figures import training as figs
from .models import Loaded

REDRAW_SECONDS = 0.5  # live chart refresh: the browser needs ~0.2 s to draw one, so faster only flickers


def run_training(task_name: str, length: int, sizes: dict[str, int], cfg: TrainConfig) -> None:
    """Train each model in turn, drawing the loss as it goes; results land in session state."""
    task = trainer.make_task(task_name, length)
    metric = "MSE" if task.kind == "regression" else "cross-entropy"
    bar = st.progress(0.0, text="Starting…")
    chart = st.empty()
    losses: dict[str, list[float]] = {m: [] for m in sizes}
    last_draw = [0.0]
    st.session_state["train_live"] = {"losses": losses, "baseline": task.baseline_loss, "metric": metric,
                                      "steps": cfg.steps}  # survives a Stop, which reruns the page mid-way

    def progress(module: str, info: StepInfo) -> None:
        losses[module].append(info.loss)
        now = time.monotonic()
        if now - last_draw[0] >= REDRAW_SECONDS or info.step == cfg.steps - 1:
            last_draw[0] = now
            done = list(sizes).index(module) + (info.step + 1) / cfg.steps
            bar.progress(done / len(sizes), text=f"Training {module}: step {info.step + 1} of {cfg.steps}, "
                                                 f"loss {info.loss:.4f}")
            fig = figs.loss_curves({k: np.array(v) for k, v in losses.items() if v}, task.baseline_loss,
                                   cfg.steps, metric)
            chart.plotly_chart(fig, key=f"live_{module}_{info.step}")

    runs = trainer.train_models(task, sizes, cfg, progress)
    bar.empty()
    chart.empty()
    st.session_state["train_runs"] = {"task": task, "runs": runs, "metric": metric, "seed": cfg.seed,
                                      "steps": cfg.steps}
    st.session_state.pop("train_live", None)


def show_stopped() -> None:
    live = st.session_state.get("train_live")
    if not live or not any(live["losses"].values()):
        return
    st.warning("Training was stopped before it finished; here is the loss so far.", icon=":material/stop_circle:")
    st.plotly_chart(figs.loss_curves({k: np.array(v) for k, v in live["losses"].items() if v}, live["baseline"],
                                     live["steps"], live["metric"]), key="stopped_losses")


def show_results() -> None:
    done = st.session_state.get("train_runs")
    if not done:
        st.info("Press **Start training** to train the chosen models; the loss is drawn as they learn.",
                icon=":material/model_training:")
        return
    task, runs = done["task"], done["runs"]
    st.subheader("Results")
    st.plotly_chart(figs.loss_curves({k: r.result.losses for k, r in runs.items()}, task.baseline_loss,
                                     done["steps"], done["metric"]), key="final_losses")
    if task.kind == "classification":
        st.plotly_chart(figs.accuracy_curves({k: r.result.accuracies for k, r in runs.items()},
                                             task.baseline_accuracy, done["steps"]), key="final_accuracy")
    st.dataframe(results_table(task, runs), hide_index=True, key="results_table")
    st.plotly_chart(figs.chains_before_after(trainer.chains_before_after(runs, task, done["seed"])),
                    key="chains_before_after")
    st.caption("Dotted: the same model before training. Training that solves a long-range task has to "
               "keep the chain from vanishing over the distance the task needs.")
    if "GRU" in runs:
        st.button("Open the trained GRU in Step through", key="open_trained", icon=":material/play_circle:",
                  on_click=_open_trained, args=(runs["GRU"], task.name))
    if st.session_state.pop("_go_to_step", False):
        st.switch_page("app_pages/step_through.py", query_params={"weights": "session"})


def _open_trained(run, task_name: str) -> None:
    # A callback runs before the widgets do, so it may still set bound widgets (the preset) by key.
    st.session_state["trained_weights"] = as_loaded(run, task_name)
    st.session_state["weights"] = "session"
    if task_name == "adding":
        st.session_state["preset"] = "adding"
    st.session_state["_go_to_step"] = True


def results_table(task, runs: dict) -> pd.DataFrame:
    rows = []
    for name, run in runs.items():
        r = run.result
        rows.append({
            "model": name, "hidden size": run.untrained.hidden_size, "parameters": run.params,
            "held-out loss": round(r.eval_loss, 5), "baseline": round(task.baseline_loss, 5),
            "loss ÷ baseline": round(r.eval_loss / task.baseline_loss, 3),
            "accuracy": round(r.eval_accuracy, 3),
            "learned?": "yes" if r.eval_loss < trainer.SUCCESS * task.baseline_loss else "no",
        })
    table = pd.DataFrame(rows)
    return table.drop(columns="accuracy") if task.kind == "regression" else table


def as_loaded(run, task_name: str) -> Loaded:
    state = run.result.model.to_torch()
    digest = hashlib.sha256(b"".join(np.ascontiguousarray(v).tobytes() for v in state.values())).hexdigest()[:32]
    return Loaded(f"GRU trained here on {trainer.TASKS[task_name].lower()}", "GRU", state, digest, ())


def run_sweep(lengths: tuple[int, ...], modules: tuple[str, ...], H: int, cfg: TrainConfig) -> None:
    bar = st.progress(0.0, text="Sweeping…")
    result = trainer.sweep(lengths, modules, H, cfg,
                           lambda f: bar.progress(f, text=f"Sweeping lengths {lengths}: {f:.0%}"))
    bar.empty()
    st.session_state["sweep"] = result
