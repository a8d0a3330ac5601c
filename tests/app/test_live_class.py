"""A live class on the lesson page under AppTest: starting one, joining with a nickname the store
refuses and one it takes, and the teacher's key never left in the address. The browser suite
(tests/e2e/test_live_class.py) covers following, votes, the reveal, cookies and replicas."""
from __future__ import annotations

import importlib

import pytest

from gru_lab.ui import session

from . import apptools
from .apptools import assert_clean, errors


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    seat = importlib.import_module("gru_lab.ui.live.seat")  # the module: the package exports a function seat()

    monkeypatch.setenv("GRU_LAB_CLASS_STORE", str(tmp_path / "classes.sqlite3"))
    seat.store.clear()
    seat.beacon.clear()
    monkeypatch.setenv("GRU_LAB_RUNTIME_DIR", str(tmp_path / "run"))
    yield
    seat.store.clear()
    seat.beacon.clear()


def visit(pages, **params):
    """The lesson page at these parameters (a join form has no title, which open_page checks for)."""
    at = apptools.knows_pages(apptools.new_app(), pages)
    at.switch_page(apptools.PAGES["lesson"])
    at.query_params.update(params)
    return at.run()


def started(open_page):
    at = open_page("lesson", stop="2")
    at.button(key="live_start").click().run()
    assert_clean(at, warn_ok=True)
    code = at.query_params.get("class")
    assert code and len(code) == 8 and "teacher" not in at.query_params
    assert at.query_params.get("classroom") == "1"
    return at, code


def test_a_teacher_starts_a_class_at_this_stop(open_page):
    store = importlib.import_module("gru_lab.ui.live.seat").store

    at, code = started(open_page)
    state = store().state(code)
    assert (state.stop, state.students, state.revealed) == (2, 0, False)
    assert [c.value for c in at.caption if "joined voted" in c.value], "no live tally on a question stop"
    assert any(b.key == "live_reveal" for b in at.button)


@pytest.mark.parametrize(("nickname", "joined"), [("Sam O'Neil", True), ("<b>x</b>", False), ("x" * 30, None)])
def test_joining_checks_the_nickname(open_page, pages, nickname, joined):
    store = importlib.import_module("gru_lab.ui.live.seat").store

    _, code = started(open_page)
    at = visit(pages, **{"class": code, "classroom": "1"})
    assert at.button(key="live_join") is not None
    at.text_input(key="live_nickname").input(nickname)
    at.button(key="live_join").click().run()
    if joined is None:  # longer than the box takes: Streamlit's max_chars refuses it before the store
        return
    if joined:
        assert_clean(at, warn_ok=True)
        assert code in (at.session_state[session.LIVE_STUDENT] or {})
        assert store().state(code).students == 1
    else:
        assert any("You could not join" in e and "letters, digits" in e for e in errors(at)), errors(at)
        assert store().state(code).students == 0


def test_a_wrong_teachers_key_is_named_and_taken_out_of_the_address(open_page, pages):
    _, code = started(open_page)
    at = visit(pages, **{"class": code, "teacher": "A" * 32})
    assert "teacher" not in at.query_params
    assert any("does not lead this class" in w.value for w in at.warning)
    assert at.button(key="live_join") is not None, "a wrong key joins as a student, not as the teacher"


def test_the_teacher_locks_joining_and_sees_the_room(open_page, pages):
    """Lock joining: a new phone is told the class is closed and why; the head count stands against the room."""
    store = importlib.import_module("gru_lab.ui.live.seat").store

    at, code = started(open_page)
    first = visit(pages, **{"class": code, "classroom": "1"})
    first.button(key="live_join").click().run()
    at.number_input(key=f"live_room_{code}").set_value(0).run()  # nobody is in the room: one joined too many
    at.toggle(key=f"live_lock_{code}").set_value(True).run()
    assert store().state(code).locked
    head = " ".join(m.value for m in at.markdown)
    assert "1 joined" in head and "joining locked" in head, head
    late = visit(pages, **{"class": code, "classroom": "1"})
    assert any("closed this class to new students" in i.value for i in late.info)
    late.button(key="live_join").click().run()
    assert any("You could not join: the teacher has closed this class" in e for e in errors(late)), errors(late)
    assert store().state(code).students == 1
    at.toggle(key=f"live_lock_{code}").set_value(False).run()
    late.button(key="live_join").click().run()
    assert store().state(code).students == 2


def test_a_refused_start_is_said(open_page, monkeypatch):
    """The limit per address reached: the button says why, where the teacher pressed it."""
    seat = importlib.import_module("gru_lab.ui.live.seat")
    monkeypatch.setenv("GRU_LAB_CLASS_LIMITS", "classes_per_client=1")
    seat.store.clear()
    started(open_page)
    at = open_page("lesson", stop="3")
    at.button(key="live_start").click().run()
    assert "class" not in at.query_params
    assert any("A class could not start: this address already leads 1 live classes" in e for e in errors(at)), \
        errors(at)


def test_an_unreachable_store_pauses_the_class_and_keeps_the_lesson(open_page, pages, monkeypatch):
    seat = importlib.import_module("gru_lab.ui.live.seat")
    _, code = started(open_page)
    monkeypatch.setenv("GRU_LAB_CLASS_STORE", "redis://127.0.0.1:9/0")  # port 9 (discard): nothing answers
    seat.store.clear()
    at = visit(pages, **{"class": code, "classroom": "1"})
    assert not at.exception
    said = " ".join(w.value for w in at.warning).replace("\\", "")  # the markdown's escapes
    assert "The live class is paused: the class store cannot be reached (Redis at 127.0.0.1:9 does not answer" in said
    assert any("Stop 1 of 14" in p.text for p in at.get("progress")), "the lesson itself is not shown"
