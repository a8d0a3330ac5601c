"""The Train page's presets: settings where only the GRU learns, with what was measured for them.

"Learns" is what the page's results table calls learned: held-out loss below `experiments.SUCCESS`
(half) of the task's baseline loss, after training with `experiments.train_models`. Each count below
was measured by training the GRU and the RNN (same hidden size H) at the preset's settings for seeds
0–4, on one core, and is a measured fact, not a promise for other seeds. `DEFAULT_COUNTS` is the same
measurement at the page's default settings for every task; `default_note` turns it into the sentence
the page shows where the defaults show no difference.

Re-measure with `python benchmarks/train_presets.py` (it prints the table and whether each stored
count still holds); `tests/train/test_presets.py` retrains every preset and every task's defaults
and fails when a stored count differs from what training gives.

Measured (seconds: both models, all five seeds, one core, while other work shared the machine):

| preset | GRU | RNN | s |
|---|---|---|---|
| adding, T = 30, the defaults | 5/5 | 0/5 | 4 |
| delayed recall, delay 30, α = 0.1 | 5/5 | 0/5 | 5 |
| sentiment (word first), T = 60, α = 0.1, 200 steps | 5/5 | 0/5 | 5 |

At the defaults (T = 30, H = 16, 400 Adam steps, α = 0.01, batch 32, clip 1): adding 5/5 and 0/5;
delayed recall 0/5 and 0/5; sentiment with the word first 2/5 and 4/5; with the word last 5/5 and 5/5
(also at T = 100 and T = 200, and at α = 0.1: it needs no memory, so both learn it).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from gru_core.training import TrainConfig, TrainingDiverged

from . import experiments
from .controls import CONTROLS, NO_CLIP

OWN = "own"  # the selector's first option: leave the settings as they are
OWN_LABEL = "Your own settings"
SEEDS = (0, 1, 2, 3, 4)
MODULES = ("GRU", "RNN")
CLEAR = (4, 1)  # "only one learns": it learns in at least 4 of the 5 seeds, the other in at most 1


@dataclass(frozen=True)
class TrainSettings:
    """What decides a training run's outcome on the Train page, apart from the seed and the models shown."""

    task: str
    length: int = CONTROLS["length"].default
    H: int = CONTROLS["train_H"].default
    match: str = CONTROLS["match"].default
    steps: int = CONTROLS["steps"].default
    batch: int = CONTROLS["batch"].default
    optimizer: str = CONTROLS["optimizer"].default
    lr: float = CONTROLS["lr"].default
    clip: float = CONTROLS["clip"].default

    def config(self, seed: int) -> TrainConfig:
        """The page's TrainConfig for these settings (the clip slider's last stop means no clipping)."""
        return TrainConfig(steps=self.steps, batch=self.batch, lr=self.lr, optimizer=self.optimizer,
                           clip=None if self.clip >= NO_CLIP else self.clip, seed=seed)

    def widgets(self) -> dict[str, object]:
        """Widget key → value, to set the page's controls to these settings."""
        return {WIDGET_KEYS[k]: v for k, v in asdict(self).items()}


WIDGET_KEYS = {"task": "task", "length": "length", "H": "train_H", "match": "match", "steps": "steps",
               "batch": "batch", "optimizer": "optimizer", "lr": "lr", "clip": "clip"}


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    settings: TrainSettings
    gru: int  # seeds of SEEDS in which the GRU learned, measured
    rnn: int  # the same for the RNN


PRESETS: dict[str, Preset] = {p.key: p for p in (
    Preset("adding", "Adding problem, T = 30 (the defaults): only the GRU learns",
           TrainSettings("adding"), gru=5, rnn=0),
    Preset("recall", "Delayed recall, delay 30, α = 0.1: only the GRU learns",
           TrainSettings("recall", lr=0.1), gru=5, rnn=0),
    Preset("sentiment-start", "Sentiment, deciding word first, T = 60, α = 0.1, 200 steps: only the GRU learns",
           TrainSettings("sentiment-start", length=60, lr=0.1, steps=200), gru=5, rnn=0),
)}
PRESET_OPTIONS = (OWN, *PRESETS)

# Measured at the page's defaults, seeds 0–4: (GRU, RNN) seeds learned.
DEFAULT_COUNTS: dict[str, tuple[int, int]] = {
    "adding": (5, 0), "recall": (0, 0), "sentiment-start": (2, 4), "sentiment-end": (5, 5)}
_WHY = {  # why the defaults come out as they do, where that is known
    "recall": "400 steps at α = 0.01 leave both at chance",
    "sentiment-end": "the deciding word is the last input, so no memory is needed",
}


def preset_label(key: str) -> str:
    return OWN_LABEL if key == OWN else PRESETS[key].label


def preset_widgets(key: str) -> dict[str, object]:
    """What choosing `key` in the selector sets: the preset's widget values, nothing for "Your own settings"."""
    return PRESETS[key].settings.widgets() if key in PRESETS else {}


def learned_counts(s: TrainSettings, seeds: Iterable[int] = SEEDS) -> dict[str, int]:
    """In how many of `seeds` the GRU and the RNN learn at `s`, trained as the page trains them.

    Each model is trained on its own (a run of several trains them one after the other, independently),
    so one that diverges counts as not learned without stopping the other."""
    task = experiments.make_task(s.task, s.length)
    sizes = experiments.matched_sizes(list(MODULES), task.input_size, s.H, s.match)
    counts = dict.fromkeys(MODULES, 0)
    for seed in seeds:
        for module, H in sizes.items():
            try:
                run = experiments.train_models(task, {module: H}, s.config(seed))[module]
            except TrainingDiverged:
                continue
            counts[module] += bool(run.result.eval_loss < experiments.SUCCESS * task.baseline_loss)
    return counts


def verdict(gru: int, rnn: int) -> str:
    """'only GRU', 'only RNN', 'both', 'neither' or 'mixed', out of len(SEEDS) seeds."""
    hi, lo = CLEAR
    if gru >= hi and rnn <= lo:
        return "only GRU"
    if rnn >= hi and gru <= lo:
        return "only RNN"
    if gru >= hi and rnn >= hi:
        return "both"
    if gru <= lo and rnn <= lo:
        return "neither"
    return "mixed"


def counts_text(gru: int, rnn: int) -> str:
    return f"GRU learned in {gru} of {len(SEEDS)} seeds (0–4), RNN in {rnn} of {len(SEEDS)}"


def preset_caption(key: str, s: TrainSettings) -> str | None:
    """The measured result next to the selector: the chosen preset's, or any preset's whose settings are in
    place (a link can set them); None for your own settings that are no preset's."""
    p = PRESETS.get(key) or next((p for p in PRESETS.values() if p.settings == s), None)
    if p is None:
        return None
    if s != p.settings:
        return (f"The settings differ from the preset's now; its measured result, {counts_text(p.gru, p.rnn)}, "
                "holds for its own settings only.")
    return f"Measured at these settings: {counts_text(p.gru, p.rnn)}."


def default_settings(task: str) -> TrainSettings:
    return TrainSettings(task)


def preset_for(task: str) -> Preset | None:
    return next((p for p in PRESETS.values() if p.settings.task == task), None)


def default_note(s: TrainSettings) -> str | None:
    """The honest sentence for a task at the page's defaults, where only one of GRU and RNN learning does not
    hold there; None away from the defaults or where it does hold."""
    if s != default_settings(s.task):
        return None
    gru, rnn = DEFAULT_COUNTS[s.task]
    v = verdict(gru, rnn)
    if v == "only GRU":
        return None
    what = {"both": "both models learn this task", "neither": "neither model learns this task",
            "only RNN": "only the RNN learns this task",
            "mixed": "this task shows no reliable difference"}[v]
    why = f"; {_WHY[s.task]}" if s.task in _WHY else ""
    p = preset_for(s.task)
    then = (f" Pick the preset “{p.label}” to see a difference." if p is not None
            else " No setting measured so far makes only one of them learn it.")
    return f"At these defaults {what}: {counts_text(gru, rnn)}{why}.{then}"
