"""The story each narrative preset tells, the small model trained for it, and the "Watch for" text
written from the numbers of the model on screen. Pure: no Streamlit.

    path = trained_weights_for("clue")           # weights/gru_story_clue.safetensors, or None
    model = trained_model("clue", update="take")  # the same trained function under "z takes the new"
    rec = model.forward(preset_sequence("clue").x)
    watch_for("clue", seq, rec)                   # "Unit 6 holds on to 'umbrella': …"
    claim("clue", seq, rec)                       # Claim(unit=6, start=4, end=33, threshold=0.1, …)

A story is one of three shapes, each checked on the record's own gates (gru_lab.stories.claims):

- hold (clue, verdict first, adding): at the story's word a unit's h changes, and from the next step
  to the word it explains z stays on the "keep" side of a threshold (above it under update "keep",
  below 1 − it under "take", where a small z keeps the past);
- replace (verdict last): at the final verdict a unit takes the new (z below a threshold under
  "keep", above 1 − it under "take") and h changes;
- track (weekly sales): from the second week on a unit's z stays on the "keep" side, so h moves
  little from day to day while it follows the 7-day average of sales.

A claim names the unit, the steps (0-based in `Claim`, 1-based in the text, as on screen) and the
threshold; `Claim.check(rec)` re-derives it from the record. The text says only what the numbers
show: when no unit passes, it says which came closest and where it fails. With random weights it
says first that a random GRU is not expected to remember.

The tasks and recipes that made the files are in gru_lab.stories.tasks (re-exported here): they build
their sequences from the presets' own kind of input, so a trained model meets the preset's sequence
as one more sample.

The package, module by module (the names below are re-exported here, so `stories.X` is enough):

- shipped: the trained files (trained_weights_for, WEIGHTS, MANIFEST), the models and read-outs read
  from them (trained_model, trained_readout, as_convention, weights_source, manifest), and the words
  (watch_for, prediction);
- claims: a story's claim, checked on the record's gates (claim, Claim, SHAPES, MIN_CHANGE, …);
- tasks: the story tasks and RECIPES, train_story and story_state (used by scripts/train_weights.py);
- chains: trained GRU, random GRU and RNN gradient chains on one story's input, for the vanishing
  page. Not re-exported (it builds models from the sidebar's settings): import gru_lab.stories.chains.
"""
from __future__ import annotations

from .claims import MIN_CHANGE, MIN_CORR, SHAPES, Claim, claim, story_steps
from .shipped import (
    CLASSES,
    MANIFEST,
    WEIGHTS,
    as_convention,
    manifest,
    prediction,
    trained_model,
    trained_readout,
    trained_weights_for,
    watch_for,
    weights_source,
)
from .tasks import (
    ADDING_FILE,
    CLUE,
    CLUE_QUERY,
    CLUE_WINDOW,
    DECOYS,
    INTENSIFIERS,
    NEGATIVE,
    PLOT_VERDICTS,
    POSITIVE,
    RECIPES,
    VERDICT_WINDOW,
    Recipe,
    StoryTask,
    clue_task,
    sales_task,
    story_state,
    train_story,
    verdict_task,
)

__all__ = [
    "MIN_CHANGE", "MIN_CORR", "SHAPES",
    "ADDING_FILE", "CLASSES", "CLUE", "CLUE_QUERY", "CLUE_WINDOW", "Claim", "DECOYS", "INTENSIFIERS", "MANIFEST",
    "NEGATIVE", "PLOT_VERDICTS", "POSITIVE", "RECIPES", "Recipe", "StoryTask", "VERDICT_WINDOW", "WEIGHTS",
    "as_convention", "claim", "clue_task", "manifest", "prediction", "sales_task", "story_state", "story_steps",
    "train_story", "trained_model", "trained_readout", "trained_weights_for", "verdict_task", "watch_for",
    "weights_source",
]
