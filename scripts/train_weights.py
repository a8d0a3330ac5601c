"""Train the small models GRU Lab ships, reproducibly, and save them under weights/.

    python scripts/train_weights.py

Each model trains on the adding problem (T = 30) with gru_core's own trainer and a fixed seed, so
the same command on any machine writes the same numbers. weights/README.md records what came out.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gru_core import GRU, LSTM, RNN, save_state  # noqa: E402
from gru_core.tasks import adding  # noqa: E402
from gru_core.training import TrainConfig, train  # noqa: E402

T, H, SEED = 30, 16, 0
CONFIG = TrainConfig(steps=600, batch=32, lr=0.01, seed=SEED)  # the GRU reaches ~1e-4 by then


def main() -> None:
    task = adding(T)
    out = ROOT / "weights"
    lines = ["# Shipped weights", "", f"Made by `python scripts/train_weights.py`: adding problem, T = {T}, "
             f"H = {H}, {CONFIG.steps} Adam steps (lr {CONFIG.lr}, batch {CONFIG.batch}, clip {CONFIG.clip}), "
             f"seed {SEED}. Baseline (predict the mean) MSE = {task.baseline_loss:.4f}.", "",
             "| file | model | held-out MSE |", "|---|---|---:|"]
    for name, cls in (("gru", GRU), ("rnn", RNN), ("lstm", LSTM)):
        result = train(cls.init(task.input_size, H, seed=SEED), task, CONFIG)
        state = result.model.to_torch()
        state["readout.weight"], state["readout.bias"] = result.readout.V, result.readout.c  # nn.Linear names
        path = out / f"{name}_adding_T{T}.safetensors"
        save_state(state, path)
        lines.append(f"| {path.name} | {name.upper()} | {result.eval_loss:.5f} |")
        print(f"{path.name}: held-out MSE {result.eval_loss:.5f} (baseline {task.baseline_loss:.4f})")
    (out / "README.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
