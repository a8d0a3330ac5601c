"""Every control a link can set, in one table: its widget, label, range, default and link text.

The sidebar and the pages draw their widgets from this table (`gru_lab.ui.widgets`), and the link
checker (`gru_lab.ui.urlstate`) reads a link's parameters back through `parse`, so a range is written
once. A parameter is refused here, before any widget sees it, when it is repeated, not a number, not
finite, out of range or not one of the options; the widget then starts from its default.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gru_core import LIMITS

from .experiments import CLIP_LABEL, NO_CLIP, TASKS
from .inputs import MAX_STEPS, MAX_TEXT_CHARS, PRESETS
from .settings import HIDDEN_SIZES, MAX_SEED

_INT = re.compile(r"[+-]?[0-9]{1,12}")  # plain whole numbers: no "1e309", "inf" or 40-digit values


@dataclass(frozen=True)
class Control:
    key: str  # widget key and link parameter
    label: str
    kind: str  # select_slider, selectbox, radio, multiselect, int, slider, text
    default: Any
    options: tuple = ()
    low: float | None = None  # int / slider range
    high: float | None = None
    step: float | None = None
    fmt: Callable[[Any], str] | None = None  # shown text, which is also what a link carries
    help: str | None = None
    high_text: str | None = None  # the upper end in words, where the page knows it (a lesson's last stop)

    @property
    def whole(self) -> bool:
        """Takes whole numbers only: a number input, or a slider with a whole step."""
        return self.kind == "int" or (self.kind == "slider" and isinstance(self.step, int))

    def link_text(self, value) -> str:
        if self.fmt is not None:
            return self.fmt(value)
        return str(value).lower() if isinstance(value, bool) else str(value)


class LinkProblem(ValueError):
    """A link parameter that cannot be used; the message says what is allowed."""


def parse(c: Control, raws: list[str]):
    """The widget value a link's parameter values stand for, or LinkProblem."""
    if c.kind == "multiselect":
        by_text = {c.link_text(o): o for o in c.options}
        if len(set(raws)) != len(raws) or any(r not in by_text for r in raws):
            raise LinkProblem(f"must be one of {_list(by_text)}, each at most once")
        return [by_text[r] for r in raws]
    if len(raws) != 1:
        raise LinkProblem(f"is given {len(raws)} times; give it once")
    raw = raws[0]
    if c.options:
        by_text = {c.link_text(o): o for o in c.options}
        if raw not in by_text:
            raise LinkProblem(f"must be one of {_list(by_text)}")
        return by_text[raw]
    if c.kind == "text":
        limit = int(c.high) if c.high is not None else MAX_TEXT_CHARS
        if len(raw) > limit:
            raise LinkProblem(f"must be at most {limit:,} characters long")
        return raw
    if c.whole:
        if not _INT.fullmatch(raw.strip()) or not c.low <= int(raw) <= c.high:
            raise LinkProblem(f"must be a whole number from {c.low:g} to {c.high_text or format(c.high, 'g')}")
        return int(raw)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and c.low <= value <= c.high):
        raise LinkProblem(f"must be a number from {c.low:g} to {c.high:g}")
    return value


def _list(by_text: dict) -> str:
    names = [f"'{t}'" for t in by_text]
    return ", ".join(names[:8]) + (", …" if len(names) > 8 else "")


def _c(key, label, kind, default, **kw) -> Control:
    return Control(key, label, kind, default, **kw)


_SIDEBAR = (
    _c("H", "Hidden size H", "select_slider", 8, options=HIDDEN_SIZES,
       help="Units in the hidden state. Larger sizes are slower to draw."),
    _c("preset", "Input sequence", "selectbox", "clue", options=tuple(PRESETS), fmt=lambda k: PRESETS[k].title),
    _c("custom_kind", "Your input is", "radio", "words", options=("words", "numbers")),
    _c("custom", "Your sequence", "text", "", help="Words: each word is one step. Numbers: comma-separated, one "
       "per step; separate rows with ';' to give several numbers per step."),
    _c("seed", "Random seed", "int", 0, low=0, high=MAX_SEED,
       help="Which random weights (PyTorch-style uniform initialisation)."),
    _c("scale", "Weight scale", "slider", 1.0, low=0.25, high=4.0, step=0.25,
       help="Multiplies every weight matrix. Above 2 the gates start to saturate."),
    _c("reset", "Reset gate applied … the product", "radio", "after", options=("after", "before")),
    _c("update", "Update gate z", "radio", "keep", options=("keep", "take")),
)
_STEP = (
    _c("weights", "Weights", "radio", "trained", options=("trained", "random", "file", "session")),
    _c("t", "Step", "slider", 1, low=1, high=MAX_STEPS, step=1, help="Which time step to inspect."),
    _c("unit", "Hidden unit shown in numbers", "int", 0, low=0, high=LIMITS.max_hidden - 1),
)
_SATURATION = (
    _c("case", "Gate case", "radio", "free", options=("free", "copy", "write-hold", "cut", "rnn-like", "custom")),
    _c("pz", "Pinned update gate z", "slider", 0.5, low=0.0, high=1.0, step=0.05),
    _c("pr", "Pinned reset gate r", "slider", 0.5, low=0.0, high=1.0, step=0.05),
    _c("bz", "Update gate bias shift", "slider", 0.0, low=-10.0, high=10.0, step=0.5),
    _c("br", "Reset gate bias shift", "slider", 0.0, low=-10.0, high=10.0, step=0.5),
    _c("sat_t", "Step t", "slider", None, low=1, high=MAX_STEPS, step=1),  # default: the last step
)
_VANISHING = (
    _c("T", "Sequence length T", "slider", 100, low=10, high=500, step=10),
    _c("rnn_scale", "RNN recurrent scale", "slider", 1.0, low=0.25, high=3.0, step=0.05,
       help="Multiplies the RNN's W_hh, moving its largest singular value λ₁ across 1."),
    _c("seeds", "Random models (seeds)", "slider", 20, low=1, high=30, step=1),
    _c("z_bias", "Random GRU: update-gate bias towards keeping the past", "slider", 0.0, low=0.0, high=5.0, step=0.5,
       help="Added to the random GRU's update-gate input bias on the side that keeps the past (the 'chrono' "
            "idea of Tallec & Ollivier, 2018): the copy path strengthens without training."),
)
_TRAIN = (
    _c("task", "Task", "selectbox", "adding", options=tuple(TASKS), fmt=TASKS.get),
    _c("length", "Sequence length T", "slider", 30, low=2, high=200, step=1),
    _c("models", "Models", "multiselect", ["GRU", "RNN"], options=("GRU", "RNN", "LSTM")),
    _c("train_H", "GRU hidden size", "select_slider", 16, options=(4, 8, 16, 32, 64)),
    _c("match", "Match the other models by", "radio", "hidden size", options=("hidden size", "parameter count"),
       help="Same H for all, or each H chosen so its parameter count is closest to the GRU's "
            "(3 weight blocks; RNN 1, LSTM 4)."),
    _c("steps", "Training steps", "slider", 400, low=50, high=2000, step=50),
    _c("batch", "Batch size", "select_slider", 32, options=(8, 16, 32, 64, 128)),
    _c("optimizer", "Optimiser", "radio", "adam", options=("adam", "sgd")),
    _c("lr", "Learning rate α", "select_slider", 0.01, options=(0.001, 0.003, 0.01, 0.03, 0.1, 0.3)),
    _c("clip", "Clip gradient norm at", "select_slider", 1.0, options=(0.1, 0.5, 1.0, 5.0, NO_CLIP), fmt=CLIP_LABEL),
    _c("train_seed", "Seed", "int", 0, low=0, high=MAX_SEED),
    _c("sweep_lengths", "Lengths", "multiselect", [10, 20, 40, 80], options=(5, 10, 20, 40, 60, 80, 120)),
)
_LSTM = (_c("lstm_T", "Sequence length T", "slider", 100, low=10, high=300, step=10),)
_LESSON = (  # the lesson page's address: no widgets, the page reads them itself (gru_lab.lessons)
    # Any whole number passes here: the lesson page names its own last stop (a lesson has 1 to 30).
    _c("stop", "Lesson stop", "int", 1, low=1, high=999_999, high_text="the lesson's last stop"),
    _c("lesson", "Lesson", "text", "", high=8_000),  # lesson.MAX_LINK: base64url of the lesson's JSON
    _c("lesson_file", "Lesson file", "text", "", high=12),  # the id of a lesson opened from a file on this server
    _c("class", "Class code", "text", "", high=40),  # a live class (gru_lab.ui.live): the store checks its shape
    _c("teacher", "Teacher's key", "text", "", high=64),  # a live class's control key, taken out of the address
    _c("view", "Class view", "radio", "room", options=("room", "presenter")),  # a teacher's tab: projector or own
)
_UNLOCKABLE = tuple(c.key for c in _STEP + _SATURATION + _VANISHING + _TRAIN + _LSTM)
_CLASSROOM = (  # every page's address: gru_lab.ui.classroom reads them
    _c("classroom", "Classroom mode", "radio", "0", options=("0", "1")),
    _c("unlock", "Settings the class may change in classroom mode", "multiselect", [], options=_UNLOCKABLE),
)
CLASSROOM_KEYS = tuple(c.key for c in _CLASSROOM)

CONTROLS: dict[str, Control] = {c.key: c for c in
                                _SIDEBAR + _STEP + _SATURATION + _VANISHING + _TRAIN + _LSTM + _LESSON + _CLASSROOM}
SIDEBAR_KEYS = tuple(c.key for c in _SIDEBAR)
INPUT_KEYS = ("preset", "custom_kind", "custom")  # the sidebar's input sequence
RANDOM_MODEL_KEYS = ("H", "seed", "scale")  # what only random weights depend on
CONVENTION_KEYS = ("reset", "update")

# The sidebar settings each page uses (url path → keys), and the page's own controls.
SIDEBAR_FOR_PAGE = {
    "": CONVENTION_KEYS,  # home shows the equations under the chosen conventions
    "step": SIDEBAR_KEYS,
    "saturation": SIDEBAR_KEYS,
    "vanishing": RANDOM_MODEL_KEYS + CONVENTION_KEYS,  # it feeds its own noise input
    "train": (),  # the Train page sets its own sizes and seed
    "lstm": SIDEBAR_KEYS,
    "lesson": ("seed", "reset", "update"),  # what makes a stop's answers travels with the lesson's link
    "join": (),  # a box for a class's code: the class keeps the lesson's settings
}
PAGE_KEYS = {
    "": (), "step": tuple(c.key for c in _STEP), "saturation": tuple(c.key for c in _SATURATION),
    "vanishing": tuple(c.key for c in _VANISHING), "train": tuple(c.key for c in _TRAIN),
    "lstm": tuple(c.key for c in _LSTM), "lesson": tuple(c.key for c in _LESSON), "join": (),
}


def keys_for_page(url_path: str) -> tuple[str, ...]:
    """Every link parameter a page reads."""
    return SIDEBAR_FOR_PAGE.get(url_path, ()) + PAGE_KEYS.get(url_path, ()) + CLASSROOM_KEYS
