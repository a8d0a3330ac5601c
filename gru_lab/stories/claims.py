"""A story's claim, checked on the record's own gates: which unit, which steps, which threshold.

Three shapes: hold (at the story's word a unit's h changes, then z stays on the "keep" side of a
threshold up to the word it explains), replace (at the final verdict a unit takes the new), track
(from the second week on a unit keeps most of its past while h follows the 7-day average). Under
update "take" the keep side is a small z. `Claim.check(rec)` re-derives a claim. Pure.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gru_core import GRURecord

from ..text import WEEK, key_steps
from .tasks import CLUE, CLUE_QUERY

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
