"""Train the small models GRU Lab ships, reproducibly, and save them under weights/.

    python scripts/train_weights.py                      # everything (about a minute on one core)
    python scripts/train_weights.py clue verdict_end     # only these: adding, clue, verdict_start, verdict_end, sales

"adding" trains a GRU, an RNN and an LSTM on the adding problem (T = 30). Each story preset gets a
small GRU trained on a task made of that preset's kind of input (gru_lab.stories.RECIPES: task,
hidden size, seed, steps), so its "Watch for" happens on the preset's own sequence. Everything uses
gru_core's own trainer and fixed seeds, so the same command on any machine writes the same numbers.
The measurements go to weights/stories.json and weights/README.md.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gru_core import GRU, LSTM, RNN, save_state  # noqa: E402
from gru_core.tasks import adding  # noqa: E402
from gru_core.training import TrainConfig, train  # noqa: E402
from gru_lab import stories  # noqa: E402
from gru_lab.inputs import PRESETS, preset_sequence  # noqa: E402
from gru_lab.stories import shipped  # noqa: E402

T, H, SEED = 30, 16, 0
CONFIG = TrainConfig(steps=600, batch=32, lr=0.01, seed=SEED)  # the GRU reaches ~1e-4 by then
OUT = ROOT / "weights"
FIRST = 5  # training losses kept in the manifest, for tests/figures/test_stories.py to retrain against


def train_adding() -> dict:
    task = adding(T)
    models = []
    for name, cls in (("gru", GRU), ("rnn", RNN), ("lstm", LSTM)):
        result = train(cls.init(task.input_size, H, seed=SEED), task, CONFIG)
        state = result.model.to_torch()
        state["readout.weight"], state["readout.bias"] = result.readout.V, result.readout.c  # nn.Linear names
        path = OUT / f"{name}_adding_T{T}.safetensors"
        save_state(state, path)
        models.append({"file": path.name, "model": name.upper(), "eval_loss": result.eval_loss})
        print(f"{path.name}: held-out MSE {result.eval_loss:.5f} (baseline {task.baseline_loss:.4f})")
    return {"T": T, "hidden": H, "seed": SEED, "steps": CONFIG.steps, "lr": CONFIG.lr, "batch": CONFIG.batch,
            "clip": CONFIG.clip, "baseline_loss": task.baseline_loss, "models": models}


def train_story(preset: str) -> dict:
    recipe = stories.RECIPES[preset]
    result = stories.train_story(preset)
    path = OUT / recipe.file
    save_state(stories.story_state(result), path)
    shipped._trained_file.cache_clear()  # the file just changed
    seq = preset_sequence(preset)
    c = stories.claim(preset, seq, stories.trained_model(preset).forward(seq.x))
    entry = {"file": recipe.file, "task": recipe.about, "T": recipe.task.T, "inputs": recipe.task.input_size,
             "hidden": recipe.hidden, "seed": recipe.seed, "steps": recipe.steps, "lr": recipe.lr,
             "batch": recipe.batch, "z_bias": recipe.z_bias, "eval_size": recipe.config().eval_size,
             "eval_loss": result.eval_loss, "eval_accuracy": result.eval_accuracy,
             "first_losses": [float(v) for v in result.losses[:FIRST]],
             "story": {"unit": c.unit, "steps": [c.start + 1, c.end + 1], "holds": c.holds,
                       "z_keep": f"{'above' if c.above else 'below'} {c.threshold:g}"}}
    print(f"{recipe.file}: held-out loss {result.eval_loss:.5f}, accuracy {result.eval_accuracy:.3f}; "
          f"on the preset: {stories.watch_for(preset, seq, stories.trained_model(preset).forward(seq.x))}")
    if not c.holds:
        print(f"  warning: the story does not hold on the '{preset}' preset", file=sys.stderr)
    return entry


def readme(found: dict) -> str:
    lines = ["# Shipped weights", "",
             "Everything here is made by `python scripts/train_weights.py` (about 20 s on one core; name models to "
             "train only those, e.g. `python scripts/train_weights.py clue`), with gru_core's own trainer and fixed "
             "seeds. Retraining gives the same numbers up to the last bits of a float64 (the order of floating-point "
             "sums can differ between NumPy builds and versions of the engine). `stories.json` holds every figure "
             "below, and the first training losses of each story model.", ""]
    if "adding" in found:
        a = found["adding"]
        lines += ["## Adding problem", "",
                  f"Made by `python scripts/train_weights.py adding`: adding problem, T = {a['T']}, H = {a['hidden']}, "
                  f"{a['steps']} Adam steps (lr {a['lr']}, batch {a['batch']}, clip {a['clip']}), seed {a['seed']}. "
                  f"Baseline (predict the mean) MSE = {a['baseline_loss']:.4f}.", "",
                  "| file | model | held-out MSE |", "|---|---|---:|"]
        lines += [f"| {m['file']} | {m['model']} | {m['eval_loss']:.5f} |" for m in a["models"]]
        lines.append("")
    story = [p for p in stories.RECIPES if p in found]
    if story:
        lines += ["## Story presets", "",
                  "One small GRU per narrative preset (PyTorch layout: reset after the product, z keeps the past), "
                  "trained so that the preset's \"Watch for\" happens on its own sequence. Made by "
                  f"`python scripts/train_weights.py {' '.join(story)}`; the recipes (task, hidden size, seed, "
                  "steps) are `gru_lab.stories.RECIPES`. Every model: Adam, batch 32, lr 0.01, clip 1.0, the "
                  "update-gate input bias raised by `z_bias` at initialisation (so z starts near 0.88 and the copy "
                  "path is open from the first step), loss on the last state only. Held-out figures are on "
                  "512 fresh sequences of the task (chance: loss 0.693, accuracy 0.5). Each file also holds the "
                  "read-out (`readout.weight`, `readout.bias`).", "",
                  "| file | preset | task | H | steps | z_bias | held-out loss | held-out accuracy | on the preset |",
                  "|---|---|---|---:|---:|---:|---:|---:|---|"]
        for p in story:
            e = found[p]
            s = e["story"]
            a, b = s["steps"]
            on = (f"unit {s['unit']}, {f'steps {a}–{b}' if b > a else f'step {a}'}: z {s['z_keep']}"
                  if s["holds"] else "the story does not hold")
            lines.append(f"| {e['file']} | {PRESETS[p].title} | {e['task']} | {e['hidden']} | {e['steps']} | "
                         f"{e['z_bias']:g} | {e['eval_loss']:.2e} | {e['eval_accuracy']:.3f} | {on} |")
        lines += ["", "The \"on the preset\" column is what `gru_lab.stories.claim` finds on the preset's sequence "
                  "(steps 1-based, z under \"keep\"; under \"take\" the same model, z rows negated, has z below "
                  "1 − that). `tests/figures/test_stories.py` checks it, and that retraining reproduces the first "
                  "losses recorded in `stories.json`.", ""]
    return "\n".join(lines)


def main(names: list[str]) -> None:
    allowed = ["adding", *stories.RECIPES]
    unknown = [n for n in names if n not in allowed]
    if unknown:
        raise SystemExit(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(allowed)}")
    found = stories.manifest()
    for name in names or allowed:
        found[name] = train_adding() if name == "adding" else train_story(name)
    found = {k: found[k] for k in allowed if k in found}
    stories.MANIFEST.write_text(json.dumps(found, indent=1) + "\n")
    (OUT / "README.md").write_text(readme(found))


if __name__ == "__main__":
    main(sys.argv[1:])
