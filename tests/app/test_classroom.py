"""Classroom mode on every page (issue 18): `classroom=1` hides the sidebar, sets projector sizes and
locks the page's settings except those a lesson unlocked; it holds across the app's own links until
the teacher leaves it."""
from __future__ import annotations

import pytest

from gru_lab.controls import CONTROLS, SIDEBAR_KEYS

from .apptools import PAGES, assert_clean, knows_pages, open_page, widget

SETTINGS = {"step": ("weights",), "saturation": ("case", "bz"), "vanishing": ("T", "rnn_scale", "seeds"),
            "train": ("task", "length"), "lstm": ("lstm_T",)}


def _in_class(at) -> bool:
    return any("stSidebar" in h.proto.body and "display: none" in h.proto.body for h in at.get("html"))


def _page_widgets(at) -> list:
    keyed = [w for kind in ("slider", "radio", "selectbox", "select_slider", "multiselect", "number_input")
             for w in at.get(kind) if getattr(w, "key", None) in CONTROLS]
    return [w for w in keyed if w.key not in SIDEBAR_KEYS]


@pytest.mark.parametrize("page", ["home", "step", "saturation", "vanishing", "train", "lstm"])
def test_classroom_mode_holds_on_every_page_and_locks_its_settings(pages, page):
    at = open_page(pages, page, classroom=1)
    assert_clean(at)
    assert _in_class(at), "no sidebar, projector sizes"
    shown = _page_widgets(at)
    assert all(w.disabled for w in shown), [w.key for w in shown if not w.disabled]
    for key in SETTINGS.get(page, ()):
        assert widget(at, key).disabled
    assert at.button(key="classroom_leave")
    plain = open_page(pages, page)
    assert not _in_class(plain) and all(not w.disabled for w in _page_widgets(plain))


def test_a_lesson_unlocks_chosen_settings(pages):
    at = open_page(pages, "vanishing", classroom=1, unlock="rnn_scale")
    assert_clean(at)
    assert not widget(at, "rnn_scale").disabled
    assert widget(at, "T").disabled and widget(at, "seeds").disabled


def test_classroom_mode_follows_the_apps_own_links_until_the_teacher_leaves(pages):
    at = open_page(pages, "lesson", stop=5, classroom=1)
    assert _in_class(at)
    knows_pages(at, pages)
    at.switch_page(PAGES["saturation"])
    at.query_params.clear()  # an st.page_link without classroom=1
    at.run()
    assert_clean(at)
    assert _in_class(at) and at.query_params["classroom"] in ("1", ["1"]), "the address keeps it"
    at.button(key="classroom_leave").click()
    at.run()
    assert not _in_class(at) and not widget(at, "case").disabled
    at.switch_page(PAGES["vanishing"])
    at.run()
    assert not _in_class(at)


def test_a_bad_unlock_is_named(pages):
    at = open_page(pages, "saturation", classroom=1, unlock="lesson")
    text = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Settings the class may change" in text and "must be one of" in text
    assert widget(at, "case").disabled


def test_a_lesson_stop_carries_what_it_unlocks_to_its_page(pages):
    from urllib.parse import parse_qs

    from gru_lab import lessons

    from .apptools import open_link

    stop = lessons.make_stop("vanishing", {"rnn_scale": "2.0", "unlock": "rnn_scale"}, "Scale it", "Move the slider.")
    own = lessons.make_lesson("Mine", [stop])
    at = open_page(pages, "lesson", lesson=lessons.to_link(own), stop=1, classroom=1)
    assert_clean(at)
    (link,) = at.get("page_link")
    assert parse_qs(link.proto.query_string) == {"rnn_scale": ["2.0"], "unlock": ["rnn_scale"], "classroom": ["1"]}
    view = open_link(pages, link.proto.page_script_hash, link.proto.query_string)
    assert_clean(view)
    assert _in_class(view) and not widget(view, "rnn_scale").disabled and widget(view, "T").disabled
    assert widget(view, "rnn_scale").value == 2.0


@pytest.mark.parametrize(("params", "said"), [
    ({}, "the defaults: classroom mode hides the sidebar"),  # opened directly: no lesson set anything
    ({"update": "take"}, "set by the link that opened this page"),
])
def test_home_says_where_its_settings_come_from_in_class(pages, params, said):
    """Regression: Home in classroom mode said "set by the lesson" when opened directly, from no lesson."""
    at = open_page(pages, "home", classroom=1, **params)
    assert_clean(at)
    captions = [c.value for c in at.caption if "·" in c.value]
    assert any(c.endswith(said) for c in captions), captions
    assert not any("set by the lesson" in c.value for c in at.caption)
