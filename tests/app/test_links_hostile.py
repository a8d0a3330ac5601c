"""Tampered links never crash a page: repeated, infinite, huge, nameless and oversized parameters.

Regressions: a repeated parameter raised TypeError in the link check, seed=inf raised OverflowError
inside the number input, and an empty parameter name raised before st.navigation, taking the whole
app (sidebar and navigation) with it.
"""
from __future__ import annotations

import pytest

from gru_lab.controls import CONTROLS, keys_for_page

from .apptools import exceptions, open_page, warnings

PAGES = ["home", "step", "saturation", "vanishing", "train", "lstm"]
URL = {"home": "", "step": "step", "saturation": "saturation", "vanishing": "vanishing", "train": "train",
       "lstm": "lstm"}
TITLE_START = {"home": "GRU Lab", "step": "Step", "saturation": "Saturation", "vanishing": "Vanishing",
               "train": "Train", "lstm": "GRU vs LSTM"}


def _opened(at, page):
    assert exceptions(at) == [], exceptions(at)
    assert [t.value for t in at.title][:1] and at.title[0].value.startswith(TITLE_START[page])


def _repeated(key):
    c = CONTROLS[key]
    if c.kind == "multiselect":
        first = c.link_text(c.options[0])
        return [first, first]  # the same option twice
    return ["1", "2"]


CASES = [(page, key) for page in PAGES for key in keys_for_page(URL[page])]


@pytest.mark.parametrize(("page", "key"), CASES, ids=[f"{p}-{k}" for p, k in CASES])
def test_repeated_parameter_is_named_and_defaulted(pages, page, key):
    at = open_page(pages, page, **{key: _repeated(key)})
    _opened(at, page)
    (shown,) = warnings(at)
    assert f"(`{key}`)" in shown and CONTROLS[key].label in shown
    assert key not in at.query_params


NUMBERS = [(page, key) for page, key in CASES if CONTROLS[key].kind in ("int", "slider")]


@pytest.mark.parametrize("value", ["inf", "-inf", "1e309", "nan", "99999999999999999999999"])
@pytest.mark.parametrize(("page", "key"), NUMBERS, ids=[f"{p}-{k}" for p, k in NUMBERS])
def test_infinite_and_huge_numbers_fall_back(pages, page, key, value):
    at = open_page(pages, page, **{key: value})
    _opened(at, page)
    (shown,) = warnings(at)
    assert f"(`{key}`)" in shown
    assert "must be a" in shown  # says what is allowed


@pytest.mark.parametrize("params", [{"": "1"}, {"": ["", "", "1"]}, {"": "", "H": "16"}])
def test_a_nameless_parameter_keeps_the_app_whole(pages, params):
    at = open_page(pages, "step", **params)
    _opened(at, "step")
    # The story's trained GRU is shown by default, so the sidebar holds no H, seed or scale slider.
    assert {w.key for w in at.sidebar.get("selectbox")} == {"preset"}, "the sidebar is drawn"
    assert {"reset", "update"} <= {w.key for w in at.sidebar.get("radio")}
    assert any("no name" in w for w in warnings(at))


def test_a_nameless_parameter_is_named_without_empty_code(pages):
    # regression: `/step?&&&==&=` said "a parameter with no name = `=`, `` is not a setting"
    at = open_page(pages, "step", **{"": ["=", ""]})
    (shown,) = [w for w in warnings(at) if "no name" in w]
    assert "``" not in shown and " = " not in shown, shown
    assert "given `=`, an empty value" in shown, shown


def test_unknown_names_are_shown_short_and_quoted_safely(pages):
    long_name = "x" * 100_000
    at = open_page(pages, "step", **{long_name: "1", "seed": "1`**bold** $\\href{javascript:alert(1)}{x}$"})
    _opened(at, "step")
    (shown,) = warnings(at)
    assert len(shown) < 1_000
    assert shown.count("`") % 2 == 0, "a backtick in a value must not open an unclosed code span"
    assert "`1ʼ**bold**" in shown  # the value stays inside its code span


def test_notice_uses_the_labels_a_user_sees(pages):
    at = open_page(pages, "step", preset="nonsense")
    (shown,) = warnings(at)
    assert "**Input sequence**" in shown
    assert "`Far-apart clue`" in shown and "now `clue`" not in shown
