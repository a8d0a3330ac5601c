"""Input sequences: the presets a class starts from, and the parser for a user's own.

Words become vectors through a small deterministic embedding (a hash of the word seeds a random
draw), so the same sentence gives the same input in every session and on every machine.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import numpy as np

EMBED_DIM = 8  # enough for distinct words to look different to the gates, small enough to read
MAX_STEPS = 500  # the step-through page's heatmaps stay legible and fast up to here
MAX_FEATURES = 16  # numbers per step in a custom multi-feature sequence
MAX_TEXT_CHARS = 4_000  # a custom text travels in the page address: this keeps a link under ~50 KB
EXAMPLE_TEXT = {  # what the "Your own" box starts from, so nothing is empty or red before typing
    "words": "the keys that i left on the kitchen table this morning were still there tonight",
    "numbers": "0, 0.5, 1, 0.5, 0, -0.5, -1, -0.5, 0, 0.5, 1, 0.5",
}


@dataclass(frozen=True)
class Sequence:
    x: np.ndarray  # (T, I)
    labels: tuple[str, ...]  # one per step: the word, or the number(s) shown on axes
    kind: str  # "text" or "numbers"


@dataclass(frozen=True)
class Preset:
    key: str
    title: str
    watch: str  # one line: what to look for
    text: str = ""
    numbers: tuple[float, ...] = ()


def _weekly_sales() -> tuple[float, ...]:
    # Eight weeks of daily sales: a weekday/weekend rhythm plus a slow trend and fixed "noise".
    rng = np.random.default_rng(7)
    day = np.arange(56)
    shape = np.array([0.2, 0.1, 0.15, 0.3, 0.6, 1.0, 0.8])
    series = shape[day % 7] + 0.004 * day + 0.05 * rng.standard_normal(56)
    return tuple(np.round(series, 3))


def _adding_example() -> tuple[tuple[float, float], ...]:
    # One adding-problem sequence (value, marker) of the length the shipped models were trained on.
    from gru_core.tasks import adding

    X, _ = adding(30).sample(1, np.random.default_rng(11))
    return tuple(map(tuple, np.round(X[0], 3)))


def _noise() -> tuple[float, ...]:
    return tuple(np.round(np.random.default_rng(3).standard_normal(60), 3))


PRESETS: dict[str, Preset] = {p.key: p for p in (
    Preset("clue", "Far-apart clue",
           "The word 'umbrella' explains 'dry' thirty steps later: does any unit hold on to it?",
           text="She packed an umbrella before the long drive north past the lakes the farms the old mill "
                "and the quiet village where we stopped for lunch so when the storm came she stayed dry"),
    Preset("verdict_end", "Verdict last",
           "The plot summary is noise; watch the reset gate r let the final verdict through on its own.",
           text="a retired sailor buys a broken boat fixes the engine argues with the harbour master sails "
                "to the island meets his estranged daughter and they drift home together honestly terrible"),
    Preset("verdict_start", "Verdict first",
           "The verdict comes first; watch the update gate z stay high so h keeps it to the end.",
           text="brilliant from start to finish a retired sailor buys a broken boat fixes the engine argues "
                "with the harbour master sails to the island and drifts home with his daughter"),
    Preset("sales", "Weekly sales",
           "Daily sales with a weekly rhythm: the useful memory is the same weekday seven steps back.",
           numbers=_weekly_sales()),
    Preset("adding", "Adding problem",
           "Two marked values must be remembered and added at the end: with the trained weights, watch z "
           "hold the units that store them.", numbers=_adding_example()),
    Preset("noise", "Random noise",
           "No structure at all: a baseline for how the gates behave when nothing matters.",
           numbers=_noise()),
    Preset("custom", "Your own",
           "Type words or numbers in the \"Your sequence\" box in the sidebar (on a phone: the » at the "
           "top left opens it) and see what the gates make of them."),
)}


def preset_sequence(key: str, dim: int = EMBED_DIM) -> Sequence:
    p = PRESETS[key]
    return tokens_sequence(p.text, dim) if p.text else numbers_sequence(p.numbers)


def tokens_sequence(text: str, dim: int = EMBED_DIM) -> Sequence:
    tokens = tokenize(text)
    if not tokens:
        raise ValueError("the text has no words; type at least one word (letters or digits)")
    if len(tokens) > MAX_STEPS:
        raise ValueError(f"the text has {len(tokens)} words; at most {MAX_STEPS} are allowed")
    return Sequence(np.stack([embed(t, dim) for t in tokens]), tuple(tokens), "text")


def numbers_sequence(values) -> Sequence:
    x = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    return Sequence(x, tuple(f"{v:g}" for v in x[:, 0]), "numbers")


def tokenize(text: str) -> list[str]:
    """Words of any script: runs of letters, digits and apostrophes, with their combining marks.

    Words are lower-cased, and "İ" becomes "i" as in Turkish: Python's lower() alone gives "i̇" (an i
    with a combining dot, shown as a stray mark in the labels), the one letter it maps to two.
    "İstanbul" is one word, and Hebrew or Arabic letters are letters like any other.
    """
    tokens, word = [], []
    for ch in unicodedata.normalize("NFC", text.replace("\u0130", "i").lower()):
        if ch.isalnum() or ch == "'" or (word and unicodedata.category(ch).startswith("M")):
            word.append(ch)
        elif word:
            tokens.append("".join(word))
            word = []
    if word:
        tokens.append("".join(word))
    return tokens


def embed(token: str, dim: int = EMBED_DIM) -> np.ndarray:
    digest = hashlib.sha256(token.encode()).digest()
    rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
    return rng.standard_normal(dim) / np.sqrt(dim) * 2.0  # ‖e‖ ≈ 2: gates respond, not saturate


def parse_numbers(text: str) -> Sequence:
    """'0.5, 1, -2' → one number per step; rows split by ';' or new lines give several per step."""
    rows = [r for r in re.split(r"[;\n]", text) if r.strip()]
    if not rows:
        raise ValueError("no numbers found; type numbers separated by commas, e.g. 0.5, 1, -2")
    parsed = [_parse_row(r, i) for i, r in enumerate(rows)]
    if len(parsed) == 1:
        parsed = [[v] for v in parsed[0]]  # one row: each number is its own step
    widths = {len(r) for r in parsed}
    if len(widths) != 1:
        raise ValueError(f"every row needs the same count of numbers; found rows with {sorted(widths)}")
    width = widths.pop()
    if width > MAX_FEATURES:
        raise ValueError(f"{width} numbers per step; at most {MAX_FEATURES} are allowed")
    if len(parsed) > MAX_STEPS:
        raise ValueError(f"{len(parsed)} steps; at most {MAX_STEPS} are allowed")
    return numbers_sequence(parsed)


def _parse_row(row: str, index: int) -> list[float]:
    values = []
    for cell in row.split(","):
        cell = cell.strip()
        if not cell:
            raise ValueError(f"empty value in row {index + 1} (two commas in a row?); write a number there")
        try:
            v = float(cell)
        except ValueError:
            raise ValueError(f"'{cell[:20]}' is not a number; use plain numbers such as 0.5, -2 or 1e-3") from None
        if not np.isfinite(v):
            raise ValueError(f"'{cell}' is not a finite number; NaN and infinity are not allowed")
        if abs(v) > 1e6:
            raise ValueError(f"{cell} is too large; keep inputs within ±1,000,000")
        values.append(v)
    return values


def custom_sequence(text: str, kind: str, dim: int = EMBED_DIM) -> Sequence:
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"the input is {len(text):,} characters long; at most {MAX_TEXT_CHARS:,} are allowed")
    return parse_numbers(text) if kind == "numbers" else tokens_sequence(text, dim)  # kind "words"
