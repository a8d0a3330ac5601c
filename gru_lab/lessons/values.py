"""A lesson's values and limits: Question, Stop, Lesson, and the View a stop opens. Pure.

gru_lab.lessons.checks makes and checks them; gru_lab.lessons.answers computes a question's answer.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..settings import Settings

FORMAT = "gru-lab-lesson"
VERSION = 1
MAX_TITLE = 120
MAX_NOTE = 600
MAX_PROMPT = 300
MAX_OPTION = 160
MAX_STOPS = 30
MIN_OPTIONS, MAX_OPTIONS = 2, 4
MAX_LINK = 8_000  # characters of the lesson= parameter
MAX_FILE_BYTES = 200_000  # a lesson file is a few KB; anything far larger is refused before parsing
MAX_DEPTH = 6  # the deepest a lesson file nests: lesson → stops → stop → question → options
CHANGE = 0.05  # "h changes at a step": |h_k − h_{k−1}| above this
EQUAL = 1e-6  # "the Jacobians are equal": max |J − J_frozen| below this
ZERO = 1e-9
# What a question stop's view holds back until the reveal (predict, then see):
HOLDS = {
    "answer": "the part of the view that answers the question (the page's own choice)",
    "view": "the whole view",
    "nothing": "nothing: the view does not answer the question",
}
PAGES = {  # url path → name shown
    "": "Home: the equations",
    "step": "Step through a sequence",
    "saturation": "Saturation lab",
    "vanishing": "Vanishing gradients: GRU vs RNN",
    "train": "Train it live",
    "lstm": "GRU vs LSTM",
}
NO_LESSON_WEIGHTS = ("file", "session")  # weights a link cannot carry
TABLE_KEY = {"H": "hidden_size", "preset": "preset", "custom_kind": "custom_kind", "custom": "custom_text",
              "seed": "seed", "scale": "weight_scale", "reset": "reset_after", "update": "update"}
# Not text a reader sees: controls, invisible format characters (zero-width spaces and joiners, a BOM,
# direction overrides), line and paragraph separators, unassigned and private code points.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
TOKEN = re.compile(r"[A-Za-z0-9_-]*")


def bad_char(text: str, lines: bool = False) -> str | None:
    """The first character of `text` that is not visible plain text (a tab is allowed, line breaks with
    `lines`), or None. The one rule for a lesson's texts and a class's option labels."""
    for c in text:
        if unicodedata.category(c) in HIDDEN_CATEGORIES and c != "\t" and not (lines and c == "\n"):
            return c
    return None


# ---- the values ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    prompt: str
    options: tuple[str, ...]
    answer: str | int  # "computed:<name in ANSWERS>" or the index of the right option


@dataclass(frozen=True)
class Stop:
    page: str  # url path: "", "step", "saturation", "vanishing", "train", "lstm"
    params: tuple[tuple[str, str], ...]  # link parameters (name, link text), a name repeated for a list
    title: str
    note: str  # said before the reveal: what the question needs, never its answer
    question: Question | None = None
    after: str = ""  # said once the answer is revealed: the explanation the note holds back
    hold: str = "answer"  # a key of HOLDS: what the view keeps back until the reveal

    def query_lists(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for k, v in self.params:
            out.setdefault(k, []).append(v)
        return out

    @property
    def query(self) -> dict[str, str | list[str]]:
        """The parameters as st.page_link's query_params: a list where a name repeats."""
        return {k: v[0] if len(v) == 1 else v for k, v in self.query_lists().items()}


@dataclass(frozen=True)
class Lesson:
    title: str
    stops: tuple[Stop, ...]


@dataclass(frozen=True)
class View:
    """What a stop's page shows: the model settings and the page's own control values."""
    settings: Settings
    values: dict  # every key of the page's own controls → its value (the stop's, else the default)
