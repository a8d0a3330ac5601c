"""A user's own sequence ("Your own"): every malformed input is explained in an st.error, never a
crash, and the other settings survive it; valid words and numbers render."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab.inputs import PRESETS

from .apptools import (
    CHARTS,
    assert_clean,
    decode,
    exceptions,
    figures,
    has_viewer,
    trace,
    values,
    viewer,
    viewer_array,
    viewer_at,
    warnings,
    widget,
)

CUSTOM = PRESETS["custom"].title
KEPT = {"H": 16, "seed": 3, "update": "take"}  # other settings in the same link: must survive the error

BAD = [
    ("numbers", "1, 2, x", "'x' is not a number"),
    ("numbers", "1,,2", "empty value in row 1"),
    ("numbers", "nan", "not a finite number"),
    ("numbers", "inf", "not a finite number"),
    ("numbers", "-inf, 1", "not a finite number"),
    ("numbers", "1e400", "not a finite number"),
    ("numbers", "1e7", "too large"),
    ("numbers", "1,2;3", "same count of numbers"),
    ("numbers", "", "no numbers found"),
    ("numbers", " ;\n ; ", "no numbers found"),
    ("numbers", ", ,", "empty value"),
    ("numbers", ",".join(["1"] * 501), "501 steps; at most 500"),
    ("numbers", ";".join([",".join(["1"] * 17)] * 2), "17 numbers per step; at most 16"),
    ("words", "", "no words"),
    ("words", "!!! ... ??? --", "no words"),
    ("words", " ".join(["word"] * 501), "501 words; at most 500"),
]
BAD_IDS = [f"{kind}-{text[:12]!r}" for kind, text, _ in BAD]


@pytest.mark.parametrize("page", ["step", "saturation"])
@pytest.mark.parametrize(("kind", "text", "problem"), BAD, ids=BAD_IDS)
def test_bad_custom_input_is_explained(open_page, page, kind, text, problem):
    at = open_page(page, preset=CUSTOM, custom_kind=kind, custom=text,
                   **{k: str(v) for k, v in KEPT.items()})
    assert exceptions(at) == []
    shown = [e.value for e in at.error]
    assert len(shown) == 1, shown
    assert shown[0].startswith("Your input cannot be used:")
    assert problem in shown[0]
    assert values(at, ["preset", "custom_kind", "custom", *KEPT]) == {
        "preset": "custom", "custom_kind": kind, "custom": text, **KEPT}
    assert figures(at) == {}, "nothing is drawn from an unusable input"
    assert not has_viewer(at), "nothing is drawn from an unusable input"


def test_typing_bad_then_good_input_keeps_the_other_settings(open_page):
    at = open_page("step", preset=CUSTOM, custom="the cat sat", H="16", seed="3", t="2", unit="5")
    assert exceptions(at) == [] and not at.error
    widget(at, "custom_kind").set_value("numbers")
    at.run()
    assert exceptions(at) == []
    assert "is not a number" in at.error[0].value  # the words are not numbers
    widget(at, "custom").input("0.5, 1, x")
    at.run()
    assert exceptions(at) == []
    assert "'x' is not a number" in at.error[0].value
    assert values(at, ["H", "seed", "custom_kind"]) == {"H": 16, "seed": 3, "custom_kind": "numbers"}
    widget(at, "custom").input("1,2;3,4;5,6")
    at.run()
    assert_clean(at, warn_ok=True)
    assert values(at, ["H", "seed", "custom_kind", "custom"]) == {
        "H": 16, "seed": 3, "custom_kind": "numbers", "custom": "1,2;3,4;5,6"}
    data = viewer(at)
    assert (data["T"], data["H"]) == (3, 16)
    assert viewer_array(at, "h").shape == (3, 16)
    np.testing.assert_allclose(viewer_array(at, "x"), [[1, 2], [3, 4], [5, 6]])


GOOD = [
    ("words", "The cat, that the dog chased, ran away!", ["the", "cat", "that", "the", "dog", "chased", "ran", "away"],
     8),
    ("words", "don't stop 2 believe", ["don't", "stop", "2", "believe"], 8),
    ("numbers", "0.5, 1, -2, 0", ["0.5", "1", "-2", "0"], 1),
    ("numbers", "1,2;3,4", ["1", "3"], 2),
    ("numbers", "1, 2\n3, 4\n5, 6", ["1", "3", "5"], 2),
    ("numbers", "1e6, -1e6, 1e-3", ["1e+06", "-1e+06", "0.001"], 1),
]


@pytest.mark.parametrize("page", ["step", "saturation"])
@pytest.mark.parametrize(("kind", "text", "labels", "features"), GOOD, ids=[g[1][:14] for g in GOOD])
def test_valid_custom_input_renders(open_page, page, kind, text, labels, features):
    at = open_page(page, preset=CUSTOM, custom_kind=kind, custom=text)
    assert exceptions(at) == []
    assert [e.value for e in at.error] == []
    figs = figures(at)
    assert set(figs) == CHARTS[page]
    T = len(labels)
    if page == "step":
        # The viewer draws in the browser (one step at a time, tests/e2e/test_viewer.py): its payload
        # carries the steps' labels and each step's inputs.
        data = viewer(at)
        assert data["labels"] == labels and data["T"] == T
        assert viewer_array(at, "x").shape == (T, features)
        assert viewer_array(at, "z").shape == (T, data["H"])
    else:
        assert widget(at, "sat_t").value == T
        assert len(decode(trace(figs["sat_chain"], "‖∂h_t/∂h_k‖₂")["x"])) == T


@pytest.mark.parametrize("page", ["step", "saturation"])
@pytest.mark.parametrize(("kind", "text"), [("numbers", "-0.5"), ("words", "hello")], ids=["one-number", "one-word"])
def test_single_step_input_renders(open_page, page, kind, text):
    """Regression: a one-step sequence gives st.slider(min_value=1, max_value=1), which Streamlit rejects
    (StreamlitInvalidMinMaxError): the page crashes instead of showing the single step."""
    at = open_page(page, preset=CUSTOM, custom_kind=kind, custom=text)
    assert exceptions(at) == []
    assert [e.value for e in at.error] == []
    assert set(figures(at)) == CHARTS[page]
    if page == "step":
        assert viewer(at)["T"] == 1 and viewer_at(at)[0] == 1


LONG = " ".join(["abcdefghij" * 5] * 400)  # 400 words, 20,399 characters: over the 4,000 a link may carry


@pytest.mark.parametrize("page", ["step", "saturation"])
def test_too_long_input_in_a_link_is_refused_by_name(open_page, page):
    """Regression: a link carried any length of text (a 1 MB one got HTTP 400 on reload); the text
    box and the link now hold at most 4,000 characters, and a longer link says so."""
    at = open_page(page, preset=CUSTOM, custom_kind="words", custom=LONG)
    assert exceptions(at) == []
    (shown,) = warnings(at)
    assert "(`custom`)" in shown and "4,000 characters" in shown
    assert "custom" not in at.query_params
    assert widget(at, "custom").max_chars == 4_000


def test_warnings_about_long_values_stay_short(open_page):
    """A too-long text is named in a notice, and no message repeats its characters back."""
    at = open_page("saturation", preset=CUSTOM, custom_kind="words", custom=LONG)
    assert exceptions(at) == []
    assert any("4,000" in w for w in warnings(at))
    assert all(len(m) < 1000 for m in warnings(at) + [e.value for e in at.error])


def test_custom_input_multi_feature_values_reach_the_model(open_page):
    """Rows '1,2;3,4' are two steps of two features: the viewer's x at step 2 holds both numbers."""
    at = open_page("step", preset=CUSTOM, custom_kind="numbers", custom="1,2;3,4", t="2")
    assert exceptions(at) == []
    t, _ = viewer_at(at)
    assert t == 2
    np.testing.assert_allclose(viewer_array(at, "x")[t - 1], [3.0, 4.0])
