"""/join, the short join address of a live class: a typed code (any case, dash and spaces optional) leads to the
class's lesson page with the settings the class keeps, where the lesson page's own join form takes over; a
malformed, unknown or ended code is said, never a crash. The browser test: tests/e2e/test_join_page.py."""
from __future__ import annotations

import importlib

import pytest

from gru_lab import lessons
from gru_lab.ui.lesson import lesson_id

from . import apptools
from .apptools import assert_clean, errors


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    seat = importlib.import_module("gru_lab.ui.live.seat")  # the module: the package exports a function seat()
    monkeypatch.setenv("GRU_LAB_CLASS_STORE", str(tmp_path / "classes.sqlite3"))
    monkeypatch.setenv("GRU_LAB_RUNTIME_DIR", str(tmp_path / "run"))
    seat.store.clear()
    seat.beacon.clear()
    yield seat.store
    seat.store.clear()
    seat.beacon.clear()


def _class(store, settings=()):
    """A class of the built-in lesson, as a teacher's Start makes it: (code, token)."""
    lesson = lessons.BUILT_IN
    questions = {i: list(s.question.options) for i, s in enumerate(lesson.stops, start=1) if s.question}
    return store().create(lesson_id(lesson), len(lesson.stops), questions, "", settings)


def _typed(open_page, code: str):
    at = open_page("join")
    assert_clean(at)
    assert at.text_input(key="join_code").placeholder == "ABCD-EFGH"
    at.text_input(key="join_code").input(code)
    return at.button(key="join_go").click().run()


def test_a_typed_code_leads_to_the_class_with_its_settings(open_page, pages, own_store):
    code, _ = _class(own_store, (("seed", "3"), ("reset", "before")))
    at = _typed(open_page, f"{code[:4].lower()} {code[4:].lower()}")
    assert not at.exception, [e.value for e in at.exception]
    landed = dict(at.query_params)
    assert landed == {"class": code, "seed": "3", "reset": "before", "classroom": "1"}
    assert at.button(key="live_join") is not None, "the lesson page's join form"
    assert any(f"Join class {code[:4]}-{code[4:]}" in h.value for h in at.subheader)
    assert own_store().state(code).students == 0, "the code box joins nobody: the lesson page's form does"
    # AppTest's own page stays /join after the script's switch_page (a browser follows it): the lesson page at the
    # address it landed on, as the browser opens it, takes the join
    lesson = apptools.knows_pages(apptools.new_app(), pages)
    lesson.switch_page(apptools.PAGES["lesson"])
    lesson.query_params.update(landed)
    lesson.run()
    lesson.text_input(key="live_nickname").input("Ada")
    lesson.button(key="live_join").click().run()
    assert_clean(lesson, warn_ok=True)
    assert own_store().state(code).students == 1


@pytest.mark.parametrize("shape", ["{code}", "{lower}", "{a}-{b}", " {la} - {lb} "])
def test_any_way_of_typing_the_code(open_page, own_store, shape):
    code, _ = _class(own_store)
    typed = shape.format(code=code, lower=code.lower(), a=code[:4], b=code[4:], la=code[:4].lower(),
                         lb=code[4:].lower())
    at = _typed(open_page, typed)
    assert dict(at.query_params) == {"class": code, "classroom": "1"}, typed


@pytest.mark.parametrize("typed", ["ABC", "ABCD-EFG0", "abcdefghj", "<b>x</b>", "[x](http://e.com)", ""])
def test_a_malformed_code_says_what_a_code_looks_like(open_page, typed):
    at = _typed(open_page, typed)
    assert not at.exception, [e.value for e in at.exception]
    said = " ".join(errors(at))
    assert "8 letters and digits, shown as ABCD-EFGH" in said, said
    assert [t.value for t in at.title] == ["Join a class"] and "class" not in at.query_params
    assert "<b>" not in said and "](http" not in said  # the typed text is shown as text


def test_an_unknown_or_ended_class_is_said(open_page, own_store):
    at = _typed(open_page, "abcd-efgh")
    said = " ".join(errors(at)).replace("\\", "")
    assert "Class ABCD-EFGH cannot be joined: no class with this code (it may have ended)" in said, said
    assert [t.value for t in at.title] == ["Join a class"] and "class" not in at.query_params
    code, token = _class(own_store)
    own_store().end(code, token)
    at = _typed(open_page, code)
    said = " ".join(errors(at))
    assert f"Class {code[:4]}-{code[4:]} has ended" in said, said
    assert "class" not in at.query_params


def test_an_unreachable_store_is_said(open_page, monkeypatch, own_store):
    monkeypatch.setenv("GRU_LAB_CLASS_STORE", "redis://127.0.0.1:9/0")  # port 9 (discard): nothing answers
    own_store.clear()
    at = _typed(open_page, "ABCD-EFGH")
    assert not at.exception
    said = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "Classes cannot be reached right now" in said and "Redis at 127.0.0.1:9" in said, said


def test_the_join_address_is_the_short_one(monkeypatch):
    from gru_lab.ui.live import join

    for url, expected in (("http://host:8501/lesson", "http://host:8501/join"),
                          ("http://host:8501/join", "http://host:8501/join"),
                          ("https://school.example/gru/lesson/", "https://school.example/gru/join"),
                          ("http://host:8501", "http://host:8501/join"), (None, "/join")):
        monkeypatch.setattr(join.st, "context", type("Ctx", (), {"url": url})())
        assert join.join_address() == expected, url
