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
    assert [m.value for m in at.markdown if "Vote on your phone" in m.value and "of 0 voted" in m.value]
    assert not [b.key for b in at.button if b.key.startswith("live_")], "the projector has no class control"
    presenter(at)
    assert {"live_show", "live_reveal", "live_end"} <= {b.key for b in at.button}


def presenter(at):
    """The same teacher's presenter view (its tab: the session that holds the control key)."""
    at.query_params["view"] = "presenter"
    at.run()
    assert_clean(at, warn_ok=True)
    assert at.title[0].value == "Presenter view"
    return at


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
    presenter(at)
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


def test_the_peer_instruction_loop(open_page, pages):
    """Vote → show the split (no answer anywhere but the presenter) → discuss → round 2 → reveal: both rounds
    on every screen, who moved, and a student's tab never reaches the presenter's actions."""
    from gru_lab.lessons import BUILT_IN, answer
    from gru_lab.settings import Settings

    store = importlib.import_module("gru_lab.ui.live.seat").store
    room, code = started(open_page)
    q = BUILT_IN.stops[1].question
    right = q.options[answer(BUILT_IN.stops[1], Settings())[0]]
    wrong = next(o for o in q.options if o != right)
    phones = []
    for first, second in ((right, right), (wrong, right), (right, wrong)):
        phone = visit(pages, **{"class": code, "classroom": "1"})
        phone.button(key="live_join").click().run()
        phone.radio(key=f"live_vote_{code}_2_1").set_value(first).run()
        phones.append((phone, second))
    hidden = answer(BUILT_IN.stops[1], Settings())[1].split(":")[1][:25]  # "… h goes from 0.510 to −0.434"

    def said(at) -> str:
        return " ".join(str(e.value) for kind in ("markdown", "caption", "info", "success") for e in at.get(kind))

    desk = open_page("lesson", stop="2")  # the teacher's own second tab: the same session, the presenter's view
    desk.session_state[session.LIVE_TEACHER] = {code: room.session_state[session.LIVE_TEACHER][code]}
    desk.query_params.update({"class": code, "classroom": "1"})
    presenter(desk)
    assert hidden.replace(".", "\\.") in said(desk), "the presenter sees the answer before the vote"
    desk.button(key="live_show").click().run()
    assert store().state(code).shown and store().tally(code, 2, 1) == {right: 2, wrong: 1}
    room.run()
    assert "Discuss with your neighbour" in said(room) and hidden.replace(".", "\\.") not in said(room)
    assert not room.success, "the room never sees the answer before the reveal"
    for phone, _ in phones:
        phone.run()
        votes = [r for r in phone.get("radio") if r.key.startswith("live_vote")]
        assert "Discuss with your neighbour" in said(phone) and not votes, "voting closed, split shown"
    desk.button(key="live_reopen").click().run()
    for phone, second in phones:
        phone.run()
        phone.radio(key=f"live_vote_{code}_2_2").set_value(second).run()
    assert store().tally(code, 2, 2) == {right: 2, wrong: 1}
    sneaky, _ = phones[0]
    sneaky.query_params["view"] = "presenter"
    sneaky.run()
    assert not sneaky.title or sneaky.title[0].value != "Presenter view"
    assert not {"live_show", "live_reveal", "live_reopen", "live_end"} & {b.key for b in sneaky.button}
    desk.button(key="live_reveal").click().run()
    room.run()
    assert hidden.replace(".", "\\.") in said(room)
    assert "**1** moved to the right option, **1** moved away from it" in said(room)
    assert "round 1:" in said(room) and "round 2:" in said(room), "both rounds side by side"


def test_a_class_keeps_the_settings_its_link_carries(open_page):
    """A student who types the code (/join) gets the seed and convention the join link would carry."""
    store = importlib.import_module("gru_lab.ui.live.seat").store
    at = open_page("lesson", stop="3", seed="3", update="take")
    at.button(key="live_start").click().run()
    code = at.query_params.get("class")
    assert dict(store().state(code).settings) == {"seed": "3", "update": "take"}


def test_the_teachers_explore_unlocks_the_page_for_a_live_demonstration(open_page, pages):
    """In a class the teacher's room, after the reveal, opens the stop's page with every setting unlocked (a
    "what if" on the projector); a student's phone has no Explore at all."""
    from urllib.parse import parse_qs

    from gru_lab.controls import CONTROLS, PAGE_KEYS

    room, code = started(open_page)  # stop 2: the step page
    assert not room.get("page_link"), "Explore opens after the reveal"
    presenter(room).button(key="live_reveal").click().run()
    del room.query_params["view"]
    room.run()
    (link,) = room.get("page_link")
    unlocked = set(parse_qs(link.proto.query_string)["unlock"])
    assert unlocked == set(PAGE_KEYS["step"]) & set(CONTROLS["unlock"].options)
    view = apptools.open_link(pages, link.proto.page_script_hash, link.proto.query_string)
    assert_clean(view, warn_ok=True)
    assert not apptools.widget(view, "weights").disabled
    phone = visit(pages, **{"class": code, "classroom": "1"})
    phone.button(key="live_join").click().run()
    assert not phone.get("page_link")
