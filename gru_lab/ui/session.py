"""Every session-state value that is not a widget, in one place: its key, its type, its reader.

Widgets keep their values under their own keys (the table in `gru_lab.controls`); what else a
session holds across reruns is named here, so no page spells a session key as a string.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

PAGE = "_page"  # url path of the previous run, to notice a move between pages
SETTINGS = "_settings"  # the sidebar's Settings on this run
REMEMBERED = "_remembered"  # sidebar values kept while a page hides their widgets
SHOWN = "_shown_keys"  # the widgets drawn on this run, for the share link
UPLOAD = "_upload"  # [file id, Loaded or None, error or None]: an upload is parsed once; emptied when the tab closes
TRAINED = "_trained_weights"  # the GRU trained on the Train page, as Loaded
TRAINING = "_training"  # Training: the Train page's run, live or finished
SWEEP = "_sweep"  # experiments.Sweep, or a stopped one
GO_TO_STEP = "_go_to_step"  # set by a callback: switch to the step page on this run
LINK_PROBLEMS = "_link_problems"  # what the link checker refused, shown once after its rerun
STORY_UNIT = "_story_unit"  # the unit the step page's story was about on the last run
LESSON_DRAFT = "_lesson_draft"  # list of lesson.Stop: the lesson a teacher is making
LESSON_FILE = "_lesson_file"  # (file id, Lesson or None, error or None): an uploaded lesson is read once
LESSON_ACTIVE = "_lesson_active"  # the Lesson loaded from a file, shown while the address has no lesson=
LESSON_REVEALED = "_lesson_revealed"  # (lesson id, stop number) whose answer was revealed
LESSON_PLACE = "_lesson_place"  # ((lesson id, stop number), 0 or 1): which of two places the stop was drawn in
LESSON_PENDING = "_lesson_pending"  # (page, link parameters): a view a teacher added, for the builder's form
LESSON_TITLE = "_lesson_title"  # a title for the builder's box, set before the box is drawn
CLASSROOM = "_classroom"  # True while this tab is in classroom mode (an address turned it on)
LIVE_TEACHER = "_live_teacher"  # {class code: control token} of the classes this tab leads
LIVE_STUDENT = "_live_student"  # {class code: student id} of the classes this tab joined
LIVE_BROWSE = "_live_browse"  # {class code: stop}: a student reading an earlier stop, not following
LIVE_SAID = "_live_said"  # why the last vote or action was refused, shown once
LESSON_ADD_PROBLEM = "_lesson_add_problem"  # why the last "Add this stop" was refused, shown once
PAGES = "_pages"  # this session's st.Page objects, made on its first run


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value


def pop(key: str, default: Any = None) -> Any:
    return st.session_state.pop(key, default)


def has(key: str) -> bool:
    return key in st.session_state


@dataclass(frozen=True)
class Training:
    """The Train page's run. `state`: running, stopped (by the user or by leaving), diverged, finished."""

    state: str
    task: Any  # gru_core.tasks.Task
    metric: str
    steps: int
    seed: int
    losses: dict[str, np.ndarray]  # per model, as far as it got
    runs: dict | None = None  # experiments.Run per model, once finished
    error: str = ""  # what went wrong, for "diverged"


def training() -> Training | None:
    return st.session_state.get(TRAINING)
