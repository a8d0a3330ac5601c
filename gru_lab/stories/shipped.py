"""The shipped story models and what they show: the file trained for each narrative preset's story
(weights/gru_story_*.safetensors, and the adding model), the model and read-out read from it under
either update convention, which weights a model on screen has, the training manifest
(weights/stories.json), and the "Watch for" text written from the numbers of the model on screen.

    path = trained_weights_for("clue")           # weights/gru_story_clue.safetensors, or None
    model = trained_model("clue", update="take")  # the same trained function under "z takes the new"
    watch_for("clue", seq, rec)                   # "Unit 6 holds on to 'umbrella': …"

The text says only what the numbers show (the claim, gru_lab.stories.claims, found on the record's own
gates): when no unit passes, it says which came closest and where it fails. With random weights it
says first that a random GRU is not expected to remember. Pure.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from gru_core import GRU, GRURecord, load_state, recurrent_part
from gru_core.readout import Readout

from .. import paths
from ..inputs import PRESETS
from .claims import MIN_CHANGE, SHAPES, Claim, claim
from .tasks import ADDING_FILE, CLUE, RECIPES

WEIGHTS = paths.WEIGHTS  # weights/ beside app.py, in a checkout or an installed copy
MANIFEST = WEIGHTS / "stories.json"  # what scripts/train_weights.py measured for each story model



# ---- the shipped models ------------------------------------------------------------------------
def trained_weights_for(preset: str) -> Path | None:
    """The file trained for the preset's story, or None (no story, or the file is missing)."""
    name = RECIPES[preset].file if preset in RECIPES else ADDING_FILE if preset == "adding" else None
    path = None if name is None else WEIGHTS / name
    return path if path is not None and path.is_file() else None


@lru_cache(maxsize=16)
def _trained_file(preset: str) -> dict[str, np.ndarray] | None:
    path = trained_weights_for(preset)
    return None if path is None else load_state(path)


def _trained_state(preset: str) -> dict[str, np.ndarray] | None:
    """The four recurrent tensors of the preset's trained file (PyTorch's convention)."""
    found = _trained_file(preset)
    return None if found is None else recurrent_part(found)[0]


def as_convention(state: dict[str, np.ndarray], update: str) -> dict[str, np.ndarray]:
    """PyTorch's tensors ("keep") rewritten so that a GRU read under `update` computes the same model:
    under "take" the z rows are negated (σ(−a) = 1 − σ(a)). The inverse of weights.export_state."""
    if update == "keep":
        return dict(state)
    if update != "take":
        raise ValueError(f"update must be 'keep' or 'take'; got {update!r}")
    H = np.asarray(state["weight_hh_l0"]).shape[1]
    return {k: (np.concatenate([v[:H], -v[H:2 * H], v[2 * H:]]) if k.endswith("_l0") else v)
            for k, v in state.items()}


def trained_model(preset: str, update: str = "keep") -> GRU | None:
    """The preset's trained GRU (reset after the product, as trained) under `update`, computing the
    same numbers either way; None when the preset has no trained model."""
    state = _trained_state(preset)
    return None if state is None else GRU.from_torch(as_convention(state, update), True, update)


def trained_readout(preset: str) -> Readout | None:
    found = _trained_file(preset)
    if found is None or "readout.weight" not in found:
        return None
    return Readout(found["readout.weight"], found["readout.bias"])


def weights_source(preset: str, model) -> str:
    """'trained': the model computes the preset's trained GRU (under either update convention);
    'misread': it has the trained weights read under a convention that changes what they compute;
    'other': anything else (random weights, a user's file)."""
    state = _trained_state(preset)
    if state is None or not isinstance(model, GRU) or model.hidden_size != state["weight_hh_l0"].shape[1] \
            or model.input_size != state["weight_ih_l0"].shape[1]:
        return "other"
    mine = model.to_torch()

    def same(ref: dict) -> bool:
        return all(np.allclose(mine[k], ref[k], rtol=0, atol=1e-9) for k in mine)

    if model.reset_after and same(as_convention(state, model.update)):
        return "trained"
    if same(state) or same(as_convention(state, "take")):
        return "misread"
    return "other"


def manifest() -> dict:
    """What the training script measured for each story model (held-out loss and accuracy, …)."""
    return json.loads(MANIFEST.read_text()) if MANIFEST.is_file() else {}


# ---- the words ---------------------------------------------------------------------------------
def _n(v: float) -> str:
    return f"{v:.2f}".replace("-", "−")


def _gate(v: float, thr: float, above: bool) -> str:
    """v with as many decimals (2 to 6) as it takes to show it on its side of thr."""
    for d in range(2, 7):
        r = round(v, d)
        if (r > thr if above else r < thr):
            break
    return f"{r:.{d}f}"


def _z(c: Claim) -> str:
    """'z stays above 0.9 (z keeps the past)' in the record's convention."""
    side = "above" if c.above else "below"
    thr = f"{c.threshold:g}"
    if c.kind == "replace":
        gloss = "under 'z takes the new' a large z takes the new" if c.update == "take" else "a small z takes the new"
        return f"z = {_gate(c.extreme, c.threshold, c.above)}, {side} {thr} ({gloss})"
    gloss = "z keeps the past" if c.update == "keep" else "under 'z takes the new' a small z keeps the past"
    return f"z stays {side} {thr} ({gloss})"


CLASSES = {  # what each class of a story task means: class 0, class 1
    "clue": ("'no umbrella'", "'the umbrella was packed'"),
    "verdict_start": ("'negative'", "'positive'"),
    "verdict_end": ("'negative'", "'positive'"),
    "sales": ("'sales are going down'", "'sales are going up'"),
}
_RANDOM = {
    "clue": "a random GRU is not expected to remember 'umbrella' until 'dry': nothing taught it to",
    "verdict_start": "a random GRU is not expected to hold the first word's verdict to the end",
    "verdict_end": "a random GRU is not expected to let the final verdict replace what came before",
    "sales": "a random GRU is not expected to follow the trend through the weekly rhythm",
    "adding": "a random GRU is not expected to remember the marked values",
}


def _word(seq, t: int) -> str:
    return f"'{seq.labels[t]}' (step {t + 1})" if seq.kind == "text" else f"step {t + 1}"


def _story(c: Claim, seq) -> str:
    """The sentence for a claim that holds."""
    if c.kind == "hold":
        what = {"clue": f"'{CLUE}'", "verdict_start": "the verdict", "adding": "the first marked value"}[c.preset]
        where = (f"at {_word(seq, c.write)}" if c.preset != "adding"
                 else f"at step {c.write + 1} (value {seq.x[c.write, 0]:g}, marker 1)")
        until = _word(seq, c.end) if c.preset == "clue" else f"the last step ({c.end + 1})"
        return (f"Unit {c.unit} holds on to {what}: {where} its h goes from {_n(c.h_before)} to {_n(c.h_after)}, "
                f"then {_z(c)} at every step from {c.start + 1} to {c.end + 1}, so h is still {_n(c.h_end)} at "
                f"{until}.")
    if c.kind == "replace":
        r = (f"r = {_n(c.r)} lets little of the past into that candidate, so the verdict comes through on its own"
             if c.r < 0.5 else f"r = {_n(c.r)} still lets the past into the candidate: it is z that replaces h")
        return (f"At {_word(seq, c.write)} unit {c.unit} lets the verdict through: {_z(c)}, so h is replaced by the "
                f"candidate and goes from {_n(c.h_before)} to {_n(c.h_after)}; {r}.")
    trend = "rise" if c.change > 0 else "fall"
    mirror = ": it falls as the average rises" if c.corr < 0 else ""
    return (f"Unit {c.unit} follows the trend, not the weekly rhythm: from step {c.start + 1} to step {c.end + 1} "
            f"{_z(c)}, so h moves at most {c.max_change:.2f} a day while sales swing by up to {c.swing:.2f} within "
            f"a week; h follows the 7-day average of sales (correlation {_n(c.corr)}{mirror}) and goes from "
            f"{_n(c.h_before)} to {_n(c.h_end)}, a {trend} of {_n(abs(c.change))}.")


def _failure(c: Claim, seq) -> str:
    """What the numbers show when no unit passes."""
    side = "falls to" if c.above else "rises to"
    if c.kind == "hold":
        what = {"clue": f"'{CLUE}'", "verdict_start": "the verdict", "adding": "the first marked value"}[c.preset]
        if abs(c.change) < MIN_CHANGE:
            return (f"No unit takes {what} in: at {_word(seq, c.write)} no h changes by {MIN_CHANGE:g} or more, "
                    f"so there is nothing for z to hold.")
        return (f"No unit holds {what} to step {c.end + 1}: unit {c.unit} changes by {_n(c.change)} at "
                f"{_word(seq, c.write)}, but its z {side} {_n(c.extreme)} at step {c.extreme_step + 1}, so what it "
                "wrote fades.")
    if c.kind == "replace":
        if abs(c.change) < MIN_CHANGE:
            return (f"At {_word(seq, c.write)} no unit's h changes by {MIN_CHANGE:g} or more: the verdict "
                    "barely registers.")
        kept = c.extreme if c.update == "keep" else 1.0 - c.extreme
        return (f"No unit lets the verdict through at {_word(seq, c.write)}: where h changes most, z is "
                f"{_n(c.extreme)} (unit {c.unit}), so it keeps {kept:.0%} of its past.")
    return (f"No unit follows the trend through the weekly rhythm: the closest, unit {c.unit}, follows the 7-day "
            f"average with correlation {_n(c.corr)}, and its z {side} {_n(c.extreme)} at step {c.extreme_step + 1}.")


def watch_for(preset: str, seq, rec, random_weights: bool = False) -> str:
    """The "Watch for" line for the model on screen, from its own numbers.

    `random_weights`: the page shows random weights (the sentence then says first that a random GRU
    is not expected to remember). Trained weights are recognised from the model itself.
    """
    c = claim(preset, seq, rec)
    if c is None:
        if preset in SHAPES and not isinstance(rec, GRURecord):
            return (f"This {type(rec.model).__name__} has no update gate z, so this story, told by a GRU's z, "
                    "does not apply; " + PRESETS[preset].watch[0].lower() + PRESETS[preset].watch[1:])
        return PRESETS[preset].watch
    said = _story(c, seq) if c.holds else _failure(c, seq)
    if rec.z_pinned:
        said += " (z is pinned here, so it holds or not by force, not by training.)"
    source = "other" if random_weights else weights_source(preset, rec.model)
    if source == "trained":
        return said
    said = said[0].lower() + said[1:]
    if random_weights:
        lead = f"Random weights: {_RANDOM[preset]}."
        return f"{lead} Here: {said}" if not c.holds else f"{lead} Yet here, by chance: {said}"
    if source == "misread":
        m = rec.model
        how = " and ".join(w for w, on in (("reset before the product", not m.reset_after),
                                           ("'z takes the new' without negating the z rows", m.update == "take"))
                           if on)
        return (f"These are the weights trained for this story, read with {how}, so they no longer compute the "
                f"trained model. On these numbers: {said}")
    return f"This model was not trained for this story, so nothing makes it remember. On these numbers: {said}"


def misread_notice(preset: str, model) -> str | None:
    """What to say beside a note that speaks of "a small GRU trained for this story" (a lesson stop), when
    the model on screen holds the trained weights run under another convention than they were trained
    with: then it is another model, and the note is about the trained one. None when it is the trained
    GRU itself (either update convention computes it), or not the story's weights at all."""
    if weights_source(preset, model) != "misread":
        return None
    return ("**Reset before the product** is set, but these weights were trained with the reset applied after "
            "it: here they run as another model, not the GRU trained for this story, so what this stop says "
            "about the trained GRU need not hold for what you see. Set the reset gate to 'after' the product to "
            "see the trained GRU.")


def prediction(preset: str, seq, rec) -> str | None:
    """What the trained model's read-out says at the last step, or None (not the trained model)."""
    ro = trained_readout(preset)
    if ro is None or not isinstance(rec, GRURecord) or weights_source(preset, rec.model) != "trained":
        return None
    out = ro.V @ rec.h[-1] + ro.c
    if preset == "adding":
        marked = np.flatnonzero(np.asarray(seq.x)[:, 1] == 1.0)
        truth = 0.5 + np.asarray(seq.x)[marked, 0].sum() / 4.0
        return (f"The read-out on the last h predicts {_n(out[0])}; the answer 0.5 + (v₁ + v₂)/4 is "
                f"{_n(truth)}.")
    p = np.exp(out - out.max())
    p /= p.sum()
    k = int(np.argmax(p))
    return f"The read-out on the last h says {CLASSES[preset][k]} (probability {p[k]:.2f})."
