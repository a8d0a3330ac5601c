"""The story each narrative preset tells, the small model trained for it, and the "Watch for" text
written from the numbers of the model on screen.

    path = trained_weights_for("clue")           # weights/gru_story_clue.safetensors, or None
    model = trained_model("clue", update="take")  # the same trained function under "z takes the new"
    rec = model.forward(preset_sequence("clue").x)
    watch_for("clue", seq, rec)                   # "Unit 6 holds on to 'umbrella': …"
    claim("clue", seq, rec)                       # Claim(unit=6, start=4, end=33, threshold=0.1, …)

A story is one of three shapes, each checked on the record's own gates:

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

The tasks below build their sequences from the presets' own kind of input (the same word
embedding, the same daily series shape), so a model trained on them meets the preset's sequence as
one more sample. `train_story` is what scripts/train_weights.py runs; weights/README.md has the command.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from gru_core import GRU, GRURecord, load_state, recurrent_part
from gru_core.checks import check_size
from gru_core.limits import LIMITS
from gru_core.readout import Readout
from gru_core.tasks import Task
from gru_core.training import TrainConfig, TrainResult, train

from .inputs import EMBED_DIM, PRESETS, embed, tokenize
from .text import WEEK, key_steps

WEIGHTS = Path(__file__).resolve().parent.parent / "weights"
MANIFEST = WEIGHTS / "stories.json"  # what scripts/train_weights.py measured for each story model

# ---- the tasks ---------------------------------------------------------------------------------
POSITIVE = ("brilliant", "wonderful", "superb", "gripping", "delightful", "moving")
NEGATIVE = ("terrible", "awful", "dull", "tedious", "clumsy", "boring")
INTENSIFIERS = ("honestly", "simply", "really", "frankly", "truly")
CLUE, CLUE_QUERY = "umbrella", "dry"
DECOYS = ("map", "camera", "sandwich", "blanket", "guitar", "ticket")  # packed instead of the umbrella
EXTRA_FILLERS = tuple(
    "of in on at by after while then but it they he his her road town river hill bridge train station "
    "market window door garden morning evening night rain wind walked talked waited looked found left "
    "took saw heard made".split())
CLUE_WINDOW = 12  # the clue (or a decoy) stands somewhere in the first 12 words
VERDICT_WINDOW = 6  # verdict first: the deciding word is one of the first 6
PLOT_VERDICTS = 2  # verdict last: up to this many verdict words in the plot, each with probability 0.3


def _fillers() -> tuple[str, ...]:
    """Every word of the three word presets that tells nothing, and a few more: the distractors."""
    words = [w for key in ("clue", "verdict_start", "verdict_end") for w in tokenize(PRESETS[key].text)]
    banned = {CLUE, CLUE_QUERY, *DECOYS, *POSITIVE, *NEGATIVE, *INTENSIFIERS}
    return tuple(dict.fromkeys(w for w in (*words, *EXTRA_FILLERS) if w not in banned))


@dataclass(frozen=True)
class StoryTask(Task):
    """A gru_core Task whose sequences are made of a preset's kind of input.

    `vocab` lists the words (their embeddings are the inputs), the story's own words first."""

    vocab: tuple[str, ...] = ()

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        n = check_size("n (sequences to draw)", n, 1, LIMITS.max_sequences)
        return _SAMPLERS[self.name](self, n, rng)


@lru_cache(maxsize=8)
def _table(vocab: tuple[str, ...], dim: int) -> np.ndarray:
    return np.stack([embed(w, dim) for w in vocab])


def clue_task(T: int = 34) -> StoryTask:
    """'umbrella' (class 1) or a decoy (class 0) in the first CLUE_WINDOW words, then fillers, and the
    last word is always 'dry': at the end, say whether the umbrella was packed."""
    vocab = (CLUE, CLUE_QUERY, *DECOYS, *_fillers())
    return StoryTask("story-clue", "classification", T, EMBED_DIM, 2, float(np.log(2)), 0.5, vocab)


def verdict_task(position: str, T: int = 30) -> StoryTask:
    """A verdict word (positive = class 1, negative = 0) among plot fillers.

    "start": the verdict is one of the first VERDICT_WINDOW words. "end": it is the last word, often
    after an intensifier ('honestly'), and the plot may mention other verdict words that do not count."""
    if position not in ("start", "end"):
        raise ValueError(f"position must be 'start' or 'end'; got {position!r}")
    vocab = (*POSITIVE, *NEGATIVE, *INTENSIFIERS, *_fillers())
    return StoryTask(f"story-verdict-{position}", "classification", T, EMBED_DIM, 2, float(np.log(2)), 0.5, vocab)


def sales_task(T: int = 56) -> StoryTask:
    """Daily sales like the preset's: a random weekly shape, level, trend and noise. Class 1: the
    trend goes up (0.002 to 0.008 a day), class 0: down."""
    return StoryTask("story-sales", "classification", T, 1, 2, float(np.log(2)), 0.5)


def _sample_clue(task: StoryTask, n: int, rng: np.random.Generator):
    T, first = task.T, 2 + len(DECOYS)
    idx = rng.integers(first, len(task.vocab), (n, T))
    y = rng.integers(0, 2, n)
    where = rng.integers(0, min(CLUE_WINDOW, T - 1), n)
    idx[np.arange(n), where] = np.where(y == 1, 0, rng.integers(2, first, n))
    idx[:, T - 1] = 1
    return _table(task.vocab, task.input_size)[idx], y


def _sample_verdict(task: StoryTask, n: int, rng: np.random.Generator):
    T, P, N, K = task.T, len(POSITIVE), len(NEGATIVE), len(INTENSIFIERS)
    rows = np.arange(n)
    idx = rng.integers(P + N + K, len(task.vocab), (n, T))
    y = rng.integers(0, 2, n)
    word = np.where(y == 1, rng.integers(0, P, n), P + rng.integers(0, N, n))
    if task.name.endswith("start"):
        idx[rows, rng.integers(0, min(VERDICT_WINDOW, T), n)] = word
    else:
        for _ in range(PLOT_VERDICTS):  # verdicts inside the plot: only the last word decides
            noisy = rng.random(n) < 0.3
            where = rng.integers(0, max(T - 2, 1), n)
            idx[rows[noisy], where[noisy]] = rng.integers(0, P + N, int(noisy.sum()))
        if T > 1:
            adverb = rng.random(n) < 0.5
            idx[rows[adverb], T - 2] = P + N + rng.integers(0, K, int(adverb.sum()))
        idx[:, T - 1] = word
    return _table(task.vocab, task.input_size)[idx], y


def _sample_sales(task: StoryTask, n: int, rng: np.random.Generator):
    T, day = task.T, np.arange(task.T)
    shape = rng.uniform(0.1, 1.0, (n, WEEK))
    phase = rng.integers(0, WEEK, n)
    season = shape[np.arange(n)[:, None], (day[None, :] + phase[:, None]) % WEEK]
    y = rng.integers(0, 2, n)
    slope = np.where(y == 1, 1.0, -1.0) * rng.uniform(0.002, 0.008, n)
    level = rng.uniform(-0.2, 0.2, n)
    x = season + level[:, None] + slope[:, None] * day + 0.05 * rng.standard_normal((n, T))
    return x[:, :, None], y


_SAMPLERS = {"story-clue": _sample_clue, "story-verdict-start": _sample_verdict,
             "story-verdict-end": _sample_verdict, "story-sales": _sample_sales}


# ---- the recipes: how each shipped story model is trained ---------------------------------------
@dataclass(frozen=True)
class Recipe:
    file: str  # under weights/
    task: StoryTask
    hidden: int = 8
    seed: int = 0
    steps: int = 1500
    lr: float = 0.01
    batch: int = 32
    z_bias: float = 2.0  # added to b_iz at initialisation: z ≈ 0.88, the copy path open from the start
    #                      ("chrono" initialisation in spirit, Tallec & Ollivier 2018)
    about: str = ""  # one line for weights/README.md

    def config(self, steps: int | None = None) -> TrainConfig:
        return TrainConfig(steps=self.steps if steps is None else steps, batch=self.batch, lr=self.lr, seed=self.seed)

    def initial_model(self) -> GRU:
        p = GRU.init(self.task.input_size, self.hidden, seed=self.seed).params
        H = self.hidden
        b_ih = p.b_ih.copy()
        b_ih[H:2 * H] += self.z_bias
        return GRU(p._replace(b_ih=b_ih))


RECIPES: dict[str, Recipe] = {
    "clue": Recipe("gru_story_clue.safetensors", clue_task(), steps=1500,
                   about="34 words: 'umbrella' or a decoy in the first 12, fillers, 'dry' last; say whether the "
                         "umbrella was packed"),
    "verdict_start": Recipe("gru_story_verdict_start.safetensors", verdict_task("start"), steps=1500,
                            about="30 words: a positive or negative verdict among the first 6, plot fillers after; "
                                  "say which"),
    "verdict_end": Recipe("gru_story_verdict_end.safetensors", verdict_task("end"), steps=1000,
                          about="30 words: plot fillers (sometimes with verdict words that do not count), the "
                                "verdict last; say which"),
    "sales": Recipe("gru_story_sales.safetensors", sales_task(), steps=1500,
                    about="56 days: a random weekly shape, level and noise on a trend; say whether it goes up"),
}
ADDING_FILE = "gru_adding_T30.safetensors"  # trained on the adding problem (see weights/README.md)


def train_story(preset: str, steps: int | None = None, callback=None) -> TrainResult:
    """Train the preset's story model with its recipe (deterministic: the same numbers every time)."""
    r = RECIPES[preset]
    return train(r.initial_model(), r.task, r.config(steps), callback)


def story_state(result: TrainResult) -> dict[str, np.ndarray]:
    """The tensors a story file holds: nn.GRU's four and the read-out under nn.Linear's names."""
    state = result.model.to_torch()
    state["readout.weight"], state["readout.bias"] = result.readout.V, result.readout.c
    return state


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


# ---- claims ------------------------------------------------------------------------------------
HOLD_LEVELS = (0.99, 0.98, 0.95, 0.9, 0.85, 0.8)  # kept share of h: "z stays above …" (keep)
REPLACE_LEVELS = (0.01, 0.02, 0.05, 0.1, 0.15, 0.2)  # kept share of h: "z is below …" (keep)
MIN_CHANGE = 0.15  # |Δh| at the story's word that counts as the unit taking it in
MIN_CORR = 0.8  # |correlation| with the weekly average that counts as following it
_EPS = 1e-9  # margin between a gate value and the threshold it is said to pass
SHAPES = {"clue": "hold", "verdict_start": "hold", "adding": "hold", "verdict_end": "replace", "sales": "track"}


@dataclass(frozen=True)
class Claim:
    """What the text asserts, in numbers. Steps are 0-based; z must stay strictly above (`above`) or
    below the threshold at every step from `start` to `end` (inclusive), in the record's convention.

    kind "hold": h changes by at least MIN_CHANGE at step `write`, z keeps it from `start` = write + 1
    to `end`. "replace": at `write` = start = end z takes the new and h changes by at least MIN_CHANGE.
    "track": from `start` to `end` z keeps, and h follows the trailing 7-day mean of the input with
    |corr| ≥ MIN_CORR, never moving more than `max_change` in one step.
    `holds` is False when no unit passes; the fields then describe the unit that came closest, and
    `extreme`/`extreme_step` the gate value that breaks the threshold.
    """

    preset: str
    kind: str
    unit: int
    write: int
    start: int
    end: int
    update: str
    above: bool
    threshold: float
    holds: bool
    extreme: float  # the z over start…end nearest the threshold's wrong side (min if above, else max)
    extreme_step: int
    change: float  # h[write] − h_prev[write] (hold, replace); h[end] − h_prev[start] (track)
    h_before: float  # h_prev[write]
    h_after: float  # h[write]
    h_end: float  # h[end]
    r: float | None = None  # replace: r of the unit at the verdict
    corr: float | None = None  # track: correlation of h with the trailing 7-day mean
    max_change: float | None = None  # track: largest |h_t − h_(t−1)| from start to end
    swing: float | None = None  # track: largest spread of the input inside one 7-day window

    def check(self, rec: GRURecord) -> bool:
        """Whether the record's numbers bear the claim out (what `holds` says, re-derived)."""
        z = rec.z[self.start:self.end + 1, self.unit]
        gate = bool(np.all(z > self.threshold) if self.above else np.all(z < self.threshold))
        if self.kind == "track":
            h = rec.h[:, self.unit]
            steps = np.abs(h[self.start:self.end + 1] - rec.h_prev[self.start:self.end + 1, self.unit])
            corr = _corr(h[self.start:self.end + 1], _weekly_mean(rec.x)[self.start:self.end + 1])
            return gate and abs(corr) >= MIN_CORR and float(steps.max()) <= self.max_change + _EPS
        moved = abs(rec.h[self.write, self.unit] - rec.h_prev[self.write, self.unit]) >= MIN_CHANGE
        return gate and bool(moved)


def story_steps(preset: str, seq) -> tuple[int, int] | None:
    """(write, end), 0-based: the step the story's input arrives and the step it has to reach."""
    steps, T = key_steps(preset, seq), len(seq.labels)
    if preset == "clue":
        w = [t for t in steps if seq.labels[t] == CLUE]
        e = [t for t in steps if seq.labels[t] == CLUE_QUERY]
        return (w[0], max(e)) if w and e and max(e) > w[0] else None
    if preset in ("verdict_start", "adding"):
        return (steps[0], T - 1) if steps and steps[0] < T - 1 else None
    if preset == "verdict_end":
        return (steps[-1], steps[-1]) if steps else None
    if preset == "sales":
        return (WEEK, T - 1) if T > WEEK + 1 else None
    return None


def claim(preset: str, seq, rec) -> Claim | None:
    """The claim the preset's story makes on this record, or None (no story for this preset, the
    sequence lacks the story's steps, or the model has no update gate)."""
    if preset not in SHAPES or not isinstance(rec, GRURecord):
        return None
    steps = story_steps(preset, seq)
    if steps is None:
        return None
    keep_share = rec.z if rec.model.update == "keep" else 1.0 - rec.z
    g = np.round(keep_share, 12)  # the same choice under both conventions, whatever the last bit says
    shape = SHAPES[preset]
    if shape == "hold":
        return _hold(preset, rec, g, *steps)
    if shape == "replace":
        return _replace(preset, rec, g, steps[0])
    return _track(preset, rec, g, *steps)


def _level(value: float, levels: tuple[float, ...], above: bool) -> float | None:
    ok = [v for v in levels if (value > v + _EPS if above else value < v - _EPS)]
    return (max(ok) if above else min(ok)) if ok else None


def _threshold(share: float, update: str, keep_side: bool) -> tuple[bool, float]:
    """(above, threshold) on z for a threshold on the kept share of h."""
    if update == "keep":
        return keep_side, share
    return not keep_side, round(1.0 - share, 4)


def _hold(preset: str, rec: GRURecord, g: np.ndarray, write: int, end: int) -> Claim:
    dh = rec.h[write] - rec.h_prev[write]
    span = g[write + 1:end + 1]
    gmin = span.min(axis=0)
    movers = np.abs(dh) >= MIN_CHANGE
    pool = np.flatnonzero(movers) if movers.any() else np.arange(len(dh))
    rank = [(_level(gmin[j], HOLD_LEVELS, True) or 0.0, round(abs(float(dh[j])), 9), float(gmin[j]), -j) for j in pool]
    j = int(-max(rank)[3])
    level = _level(gmin[j], HOLD_LEVELS, True)
    holds = bool(movers[j]) and level is not None
    above, thr = _threshold(level if holds else HOLD_LEVELS[-1], rec.model.update, True)
    k = write + 1 + int(np.argmin(span[:, j]))
    return Claim(preset, "hold", j, write, write + 1, end, rec.model.update, above, thr, holds,
                 float(rec.z[k, j]), k, float(dh[j]), float(rec.h_prev[write, j]), float(rec.h[write, j]),
                 float(rec.h[end, j]))


def _replace(preset: str, rec: GRURecord, g: np.ndarray, t: int) -> Claim:
    dh = rec.h[t] - rec.h_prev[t]
    movers = np.abs(dh) >= MIN_CHANGE
    takers = movers & (g[t] < REPLACE_LEVELS[-1] - _EPS)
    if takers.any():
        j = int(max(np.flatnonzero(takers), key=lambda u: (round(abs(float(dh[u])), 9), -u)))
    else:
        pool = np.flatnonzero(movers) if movers.any() else np.arange(len(dh))
        j = int(min(pool, key=lambda u: (float(g[t, u]), u)))
    level = _level(g[t, j], REPLACE_LEVELS, False)
    holds = bool(takers.any())
    above, thr = _threshold(level if holds else REPLACE_LEVELS[-1], rec.model.update, False)
    return Claim(preset, "replace", j, t, t, t, rec.model.update, above, thr, holds,
                 float(rec.z[t, j]), t, float(dh[j]), float(rec.h_prev[t, j]), float(rec.h[t, j]),
                 float(rec.h[t, j]), r=float(rec.r[t, j]))


def _weekly_mean(x: np.ndarray) -> np.ndarray:
    """m[t] = mean of the first feature over steps t − 6 … t (nan for the first six)."""
    v = np.asarray(x, dtype=float)[:, 0]
    m = np.full(len(v), np.nan)
    if len(v) >= WEEK:
        c = np.concatenate([[0.0], np.cumsum(v)])
        m[WEEK - 1:] = (c[WEEK:] - c[:-WEEK]) / WEEK
    return m


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    den = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return float((a * b).sum() / den) if den > 0 else 0.0


def _track(preset: str, rec: GRURecord, g: np.ndarray, start: int, end: int) -> Claim:
    m = _weekly_mean(rec.x)[start:end + 1]
    h = rec.h[start:end + 1]
    corr = np.array([_corr(h[:, j], m) for j in range(h.shape[1])])
    gmin = g[start:end + 1].min(axis=0)
    good = (np.abs(corr) >= MIN_CORR) & (gmin > HOLD_LEVELS[-1] + _EPS)
    if good.any():
        j = int(max(np.flatnonzero(good),
                    key=lambda u: (_level(gmin[u], HOLD_LEVELS, True), round(abs(corr[u]), 9), -u)))
    else:
        j = int(max(range(len(corr)), key=lambda u: (round(abs(corr[u]), 9), -u)))
    level = _level(gmin[j], HOLD_LEVELS, True)
    holds = bool(good.any())
    above, thr = _threshold(level if holds else HOLD_LEVELS[-1], rec.model.update, True)
    k = start + int(np.argmin(g[start:end + 1, j]))
    steps = np.abs(rec.h[start:end + 1, j] - rec.h_prev[start:end + 1, j])
    x = np.asarray(rec.x, dtype=float)[:, 0]
    swing = max(float(np.ptp(x[t - WEEK + 1:t + 1])) for t in range(start, end + 1))
    return Claim(preset, "track", j, start, start, end, rec.model.update, above, thr, holds,
                 float(rec.z[k, j]), k, float(rec.h[end, j] - rec.h_prev[start, j]), float(rec.h_prev[start, j]),
                 float(rec.h[start, j]), float(rec.h[end, j]), corr=float(corr[j]),
                 max_change=float(np.ceil(steps.max() * 100) / 100), swing=swing)


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


__all__ = ["Claim", "RECIPES", "Recipe", "StoryTask", "as_convention", "claim", "clue_task", "manifest",
           "prediction", "sales_task", "story_state", "story_steps", "train_story", "trained_model",
           "trained_readout", "trained_weights_for", "verdict_task", "watch_for", "weights_source"]
