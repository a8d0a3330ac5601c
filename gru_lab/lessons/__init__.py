"""Guided lessons: an ordered list of stops, each a real view of the app with a note and, mostly, a
predict-then-reveal question whose answer is computed from the live model. Pure: no Streamlit (the
lesson page's Streamlit parts are gru_lab.ui.lesson and gru_lab.ui.lesson_builder).

    lesson = BUILT_IN                                  # the built-in tour, ≥ 10 stops
    index, why = answer(lesson.stops[4], Settings())   # the right option and the numbers behind it
    text = to_json(lesson); same = from_json(text)     # a lesson file: plain JSON (or TOML: from_toml), validated
    token = to_link(lesson); same = from_link(token)   # /lesson?lesson=<token>, at most 8,000 characters

A question's answer is either "computed:<name>", one of the fixed functions in ANSWERS (no eval, no
code from files), each computing the right option from the model that the stop's page shows under
the session's settings (so it is right under either update convention and any seed), or the index
of the right option, for a teacher's own question. Every field of a lesson file or link is checked
(types, lengths, page, parameters through `controls.parse`), and a problem is a ValueError that
names the field and what is allowed.

The package, module by module (everything public is re-exported here, so `lessons.X` is enough):

- values: Question, Stop, Lesson, the View a stop opens, and the limits (MAX_STOPS, MAX_LINK, PAGES, …);
- answers: the answer functions and their registry ANSWERS, `view`, `answer`, `computed_for`;
- checks: making and checking a question, a stop, a lesson, and a stop's parameters from a link;
- files: a lesson to and from JSON, TOML and the lesson= link parameter;
- built_in: the built-in lesson, BUILT_IN.
"""
from __future__ import annotations

from .answers import ANSWERS, View, answer, computed_for, view
from .built_in import BUILT_IN, CLUE
from .checks import check_params, make_lesson, make_question, make_stop, params_from_link
from .files import from_dict, from_file, from_json, from_link, from_toml, to_dict, to_json, to_link
from .values import (
    CHANGE,  # what "h changes" means, for pages and tests
    FORMAT,
    HOLDS,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LINK,
    MAX_NOTE,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_PROMPT,
    MAX_STOPS,
    MAX_TITLE,
    MIN_OPTIONS,
    NO_LESSON_WEIGHTS,
    PAGES,
    TOKEN,
    VERSION,
    Lesson,
    Question,
    Stop,
    bad_char,
)

__all__ = [
    "ANSWERS", "BUILT_IN", "CHANGE", "CLUE", "bad_char", "FORMAT", "HOLDS", "MAX_DEPTH", "MAX_FILE_BYTES", "MAX_LINK",
    "MAX_NOTE", "MAX_OPTION", "MAX_OPTIONS", "MAX_PROMPT", "MAX_STOPS", "MAX_TITLE", "MIN_OPTIONS",
    "NO_LESSON_WEIGHTS", "PAGES", "TOKEN", "VERSION", "Lesson", "Question", "Stop", "View", "answer",
    "check_params", "computed_for", "from_dict", "from_file", "from_json", "from_link", "from_toml",
    "make_lesson", "make_question", "make_stop", "params_from_link", "to_dict", "to_json", "to_link", "view",
]
