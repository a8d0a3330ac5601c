"""A live class in real Chromium contexts (issue 21): a teacher on a projector, students on phones.

The teacher starts a class; the tab that started it is the room's (the projector), and the teacher's
presenter view (`view=presenter`, the same browser) holds the answer and the controls. Students join by
the link, which the QR code decodes to; the teacher moves and the students follow; they vote and the
room counts them; the split, shown without the answer, closes the round and asks for a discussion;
round 2; the reveal reaches everyone with who moved; a student's link cannot lead the class, whether
edited or by sending the teacher's widget messages itself; and (test_deploy_live) a replica killed
mid-class loses no vote.

The server gets a class store of its own (GRU_LAB_CLASS_STORE, a SQLite file in a temporary folder),
which the tests also open to check what the class holds.
"""
from __future__ import annotations

import asyncio
import io
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState

from gru_lab.classes import ClassError, open_store

from .conftest import PHONE
from .server import REPO, AppServer
from .settle import settle

sys.path.insert(0, str(REPO))
from benchmarks._protocol import Tab as ProtocolTab  # noqa: E402

PROJECTOR = {"width": 1920, "height": 1080}
FOLLOW_S = 6.0  # the target is 2 s (benchmarks/classroom_load.py --class measures it); a loaded CI
# machine gets room here, and a student that never follows still fails at once


@pytest.fixture(scope="module")
def classroom(browser_available, tmp_path_factory):
    """(server URL, class store path): an app server with a class store of its own."""
    folder = tmp_path_factory.mktemp("live")
    path = folder / "classes.sqlite3"
    before = os.environ.get("GRU_LAB_CLASS_STORE")
    os.environ["GRU_LAB_CLASS_STORE"] = str(path)
    try:
        with AppServer(folder / "server.log") as server:
            yield server.url, path
    finally:
        if before is None:
            os.environ.pop("GRU_LAB_CLASS_STORE", None)
        else:
            os.environ["GRU_LAB_CLASS_STORE"] = before


ROOM_CONTROLS = ("Reveal the answer", "Show the split", "End the class", "Yes, end the class", "Tallies (CSV)",
                 "Lock joining")  # the presenter's, never on the projector


def start_class(browser, url: str, stop: int = 1):
    """A teacher's projector tab that started a class at `stop`: (context, page, code, join link)."""
    context = browser.new_context(viewport=PROJECTOR)
    page = context.new_page()
    page.goto(f"{url}/lesson?stop={stop}")
    settle(page)
    page.get_by_role("button", name="Start a class").click()
    page.get_by_text("Class code").wait_for(timeout=30_000)
    page.wait_for_function("() => document.cookie.includes('gru_lab_teach_')", timeout=30_000)
    page.get_by_text("Or open this address:").wait_for(timeout=30_000)  # nobody joined yet: how to join, large
    settle(page)
    link = page.locator("[data-testid='stMain'] [data-testid='stCode']").first.inner_text().strip()
    assert re.fullmatch(r"http\S+", link), link
    assert link.isascii(), "the projected link holds a character a pasted address cannot have"
    code = re.search(r"class=([A-Z0-9]{8})", link).group(1)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert f"type {code[:4]}-{code[4:]}" in text and "/join" in text, "the room is not told the short way in"
    return context, page, code, link


def present(context, url: str, code: str):
    """The teacher's presenter view: a second tab in the teacher's browser (the class's cookie)."""
    page = context.new_page()
    page.goto(f"{url}/lesson?class={code}&classroom=1&view=presenter")
    page.get_by_role("heading", name="Presenter view").wait_for(timeout=30_000)
    settle(page)
    return page


def no_controls(page) -> None:
    """The room (projector) acts on nothing: the class's controls are on the presenter view only."""
    main = page.locator("[data-testid='stMain']")
    for name in ROOM_CONTROLS:
        assert main.get_by_role("button", name=name).count() == 0, f"the room shows {name!r}"
        assert main.get_by_text(name, exact=True).count() == 0, f"the room shows {name!r}"


def join(browser, link: str, nickname: str = ""):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(link)
    page.get_by_role("button", name="Join the class").wait_for(timeout=30_000)
    if nickname:
        page.get_by_role("textbox", name="Nickname (optional)").fill(nickname)
    page.get_by_role("button", name="Join the class").click()
    page.get_by_text("you follow the teacher").wait_for(timeout=30_000)
    page.wait_for_function("() => document.cookie.includes('gru_lab_me_')", timeout=30_000)  # the seat is kept
    return context, page


def on_stop(page, n: int, timeout_s: float) -> float:
    """Seconds until the page shows stop n (fails past timeout_s)."""
    t0 = time.monotonic()
    page.get_by_text(f"Stop {n} of ").wait_for(timeout=timeout_s * 1000)
    return time.monotonic() - t0


def qr_text(page) -> str:
    import zxingcpp
    from PIL import Image

    shot = page.locator("[data-testid='stImage'] img").first.screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert found, "no QR code could be read from the projector"
    return found[0].text


def _main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _student_id(context, code: str) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == f"gru_lab_me_{code}")


YES, NO = "Yes: |h_t − h_(t−1)| > 0.05", "No: it changes by at most 0.05"


def test_a_class_follows_votes_and_sees_the_reveal(browser, classroom):
    url, path = classroom
    teacher_ctx, teacher, code, link = start_class(browser, url)
    students = []
    try:
        assert qr_text(teacher) == link, "the QR code is the students' link"
        assert "teacher=" not in teacher.url and "teacher" not in link, "the control key is in no address"
        no_controls(teacher)
        students = [join(browser, link, nickname) for nickname in ("Sam", "")]
        teacher.get_by_text(f"Class code {code[:4]}-{code[4:]} · 2 joined").wait_for(timeout=15_000)
        assert open_store(str(path)).state(code).students == 2
        teacher.get_by_text("Scan to join").wait_for(state="detached", timeout=15_000)  # the room is in: one line

        teacher.get_by_role("button", name="Next", exact=True).click()  # stop 2 asks whether h of unit 6 changes
        delays = [on_stop(page, 2, FOLLOW_S) for _, page in students]
        print(f"follow delays: {[f'{d:.2f}' for d in delays]} s")
        presenter = present(teacher_ctx, url, code)  # the teacher's own screen, off the projector
        presenter.get_by_text("Stop 2 of ").wait_for(timeout=15_000)
        assert "The answer:" in _main_text(presenter), "the presenter view does not hold the answer"

        (_, a), (_, b) = students
        a.get_by_text("No: it changes by at most").click()
        settle(a)
        b.get_by_text("Yes: |h_t").click()
        settle(b)
        a.get_by_text("Yes: |h_t").click()  # a changed mind replaces the earlier vote
        settle(a)
        teacher.get_by_text("Vote on your phone · 2 of 2 voted").wait_for(timeout=15_000)
        presenter.get_by_text("2 voted in round 1").wait_for(timeout=15_000)
        store = open_store(str(path))
        assert store.tally(code, 2, 1) == {YES: 2, NO: 0}
        assert "The answer" not in _main_text(teacher), "the answer leaked early on the projector"
        no_controls(teacher)

        # the split: the round closes, the room and the phones see how the class voted, without the answer
        presenter.get_by_role("button", name="Show the split").click()
        teacher.get_by_text("Discuss with your neighbour").wait_for(timeout=FOLLOW_S * 1000)
        for _, page in students:
            page.get_by_text("Discuss with your neighbour").wait_for(timeout=FOLLOW_S * 1000)
            page.get_by_text("opens round 2").wait_for(timeout=FOLLOW_S * 1000)
            settle(page)
            assert page.locator("[data-testid='stMain'] [data-testid='stRadio']").count() == 0, "a shown round votes"
            assert "The answer" not in _main_text(page), "the split told a phone the answer"
        assert "The answer" not in _main_text(teacher) and "✓" not in _main_text(teacher), "the split told the room"
        with pytest.raises(ClassError, match="voting on this round has closed"):
            store.vote(code, _student_id(students[1][0], code), 2, NO)  # the store refuses a closed round
        assert store.tally(code, 2, 1) == {YES: 2, NO: 0}

        presenter.get_by_role("button", name="Vote again (round 2)").click()
        a.get_by_text("Round 2: after the discussion").wait_for(timeout=FOLLOW_S * 1000)
        teacher.get_by_text("Round 2: vote again on your phone · 0 of 2 voted").wait_for(timeout=15_000)
        a.locator(f".st-key-live_vote_{code}_2_2").get_by_text("No: it changes by at most").click()
        settle(a)
        b.locator(f".st-key-live_vote_{code}_2_2").get_by_text("Yes: |h_t").click()
        settle(b)
        assert store.tally(code, 2, 2) == {YES: 1, NO: 1}
        assert store.tally(code, 2, 1) == {YES: 2, NO: 0}, "round 1 is kept"
        presenter.get_by_text("2 voted in round 2").wait_for(timeout=15_000)

        presenter.get_by_role("button", name="Reveal the answer").click()
        b.get_by_text("Your prediction was right.").wait_for(timeout=FOLLOW_S * 1000)
        a.get_by_text("Not quite: you predicted No").wait_for(timeout=FOLLOW_S * 1000)
        moved = "From round 1 to round 2: 0 moved to the right option, 1 moved away from it."
        for page in (a, b, teacher):  # both rounds, and who moved
            page.get_by_text(moved).wait_for(timeout=FOLLOW_S * 1000)
        teacher.get_by_text("The answer: Yes").wait_for(timeout=15_000)
        assert "✓" in _main_text(teacher), "the room's split does not mark the right option"
        no_controls(teacher)
        with pytest.raises(ClassError, match="voting on this round has closed"):
            store.vote(code, _student_id(students[0][0], code), 2, YES)
        assert store.tally(code, 2, 2) == {YES: 1, NO: 1}

        # Next after the reveal: the new stop's question, open, with no tally or answer of the last one
        teacher.get_by_role("button", name="Next", exact=True).click()
        for _, page in students:
            on_stop(page, 3, FOLLOW_S)
        presenter.get_by_text("Stop 3 of ").wait_for(timeout=15_000)  # the presenter follows the room's move
        teacher.get_by_text("Vote on your phone · 0 of 2 voted").wait_for(timeout=15_000)
        settle(teacher)
        shown = _main_text(teacher)
        assert "The answer" not in shown and "From round 1" not in shown and "Discuss with" not in shown, shown
        assert teacher.locator("[data-testid='stMain'] .js-plotly-plot").count() == 0, "a tally stays on stop 3"
        presenter.get_by_role("button", name="Back").click()  # and the room follows the presenter's
        teacher.get_by_text("Stop 2 of ").wait_for(timeout=15_000)
        assert store.state(code).stop == 2

        a.reload()  # a student's reload keeps the seat and the vote
        a.get_by_text("you follow the teacher").wait_for(timeout=30_000)
        assert store.state(code).students == 2, "the reload joined again"
        teacher.reload()  # and the teacher's keeps control, from the tab's cookie
        teacher.get_by_role("link", name="Presenter view").wait_for(timeout=30_000)
        presenter.reload()
        presenter.get_by_role("button", name="Reveal the answer").or_(
            presenter.get_by_text("Revealed to the room")).first.wait_for(timeout=30_000)
        assert store.state(code).stop == 2, "the reload moved the class"
    finally:
        for ctx, _ in students:
            ctx.close()
        teacher_ctx.close()


def _in_own_loop(coro):
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _forge(url: str, code: str, token: str) -> list[str]:
    """A student's own websocket session sends the teacher's widget messages: the room's Next, and the
    presenter view's Next, Show the split, Reveal, Lock joining and End."""
    async with ProtocolTab(url, "lesson", {"class": code, "teacher": token, "stop": "2"}) as teacher:
        await teacher.run([], 120)
        ids = {"lesson_next": teacher.ids["lesson_next"]}
    async with ProtocolTab(url, "lesson", {"class": code, "teacher": token, "view": "presenter"}) as teacher:
        await teacher.run([], 120)
        ids.update({k: teacher.ids[k] for k in ("present_next", "live_show", "live_reveal", "live_end",
                                                 f"live_lock_{code}")})
    problems = []
    async with ProtocolTab(url, "lesson", {"class": code, "classroom": "1"}) as student:
        await student.run([], 120)
        await student.run([WidgetState(id=student.ids["live_join"], trigger_value=True)], 120, through_reruns=True)
        assert "live_join" not in student.drawn, "the forged session did not join as a student"
        for key, wid in ids.items():
            state = WidgetState(id=wid, bool_value=True) if key.startswith("live_lock_") else \
                WidgetState(id=wid, trigger_value=True)
            run = await student.run([state], 120)
            problems += [f"{key}: {p}" for p in run.problems]
    return problems


def test_a_students_link_cannot_lead_the_class(browser, classroom):
    url, path = classroom
    teacher_ctx, teacher, code, link = start_class(browser, url, stop=2)
    student_ctx, student = join(browser, link)
    try:
        store = open_store(str(path))
        before = store.state(code)
        # 1. edited links: a made-up key, and the teacher's own Next via the address
        student.goto(link + "&teacher=" + "A" * 32 + "&stop=5")
        student.get_by_text("does not lead this class").wait_for(timeout=30_000)
        settle(student)
        assert store.state(code).stop == 2 and store.state(code).updated == before.updated
        assert student.get_by_role("button", name="Reveal the answer").count() == 0
        student.goto(link + "&view=presenter")  # asking for the presenter view is not having it
        student.get_by_text("you follow the teacher").wait_for(timeout=30_000)
        settle(student)
        assert student.get_by_role("heading", name="Presenter view").count() == 0
        assert "The answer" not in _main_text(student), "a student's tab shows the answer before the reveal"
        # 2. the teacher's widget messages, sent by a student's session itself
        token = next(c["value"] for c in teacher_ctx.cookies() if c["name"] == f"gru_lab_teach_{code}")
        problems = _in_own_loop(_forge(url, code, token))
        assert problems == []
        after = store.state(code)
        assert (after.stop, after.revealed, after.shown, after.ended, after.locked) == (2, False, False, False,
                                                                                     False), after
        # the teacher's link with the key does lead (the forged session above used it as the teacher)
        assert store.is_teacher(code, token)
    finally:
        student_ctx.close()
        teacher_ctx.close()


def test_a_forged_or_unknown_code_is_named(browser, classroom):
    url, _ = classroom
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        for code, said in (("NOPE", "not a class code"), ("ABCD2345", "no class with this code")):
            page.goto(f"{url}/lesson?class={code}")
            page.get_by_text(said).wait_for(timeout=30_000)
            page.get_by_role("button", name="Open the lesson without a class").wait_for()
    finally:
        context.close()


@pytest.fixture(scope="module")
def hall_with_class(browser_available, tmp_path_factory):
    """2 replicas behind nginx (deploy/serve.py) sharing one class store: (Deployment, store path)."""
    from deploy.serve import Deployment, missing_nginx

    from .server import free_port

    reason = missing_nginx()
    if reason:
        if os.environ.get("GRU_LAB_REQUIRE_NGINX") == "1":
            pytest.fail(f"GRU_LAB_REQUIRE_NGINX=1 but {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("hall_live")
    before = os.environ.get("GRU_LAB_CLASS_STORE")
    os.environ["GRU_LAB_CLASS_STORE"] = str(folder / "classes.sqlite3")
    try:
        with Deployment(replicas=2, port=free_port(), workdir=folder) as deployment:
            yield deployment, folder / "classes.sqlite3"
    finally:
        if before is None:
            os.environ.pop("GRU_LAB_CLASS_STORE", None)
        else:
            os.environ["GRU_LAB_CLASS_STORE"] = before


def test_a_replica_killed_mid_class_loses_no_vote(browser, hall_with_class):
    """Students on both replicas vote; the replica of one of them is killed (kill -9). Its votes stay
    counted, the student comes back (another replica, a fresh session) in the same seat with the same
    vote, and everyone follows the teacher's next move."""
    import signal

    from deploy.serve import STICKY_COOKIE

    hall, path = hall_with_class
    teacher_ctx, teacher, code, link = start_class(browser, hall.url, stop=2)
    students = [join(browser, link) for _ in range(4)]
    victim = None
    try:
        for k, (_, page) in enumerate(students):
            page.get_by_text("Yes: |h_t" if k % 2 else "No: it changes by at most").click()
            settle(page)
        store = open_store(str(path))
        assert sum(store.tally(code, 2, 1).values()) == 4
        on = {i: next(c["value"] for c in ctx.cookies() if c["name"] == STICKY_COOKIE).split(".")[0]
              for i, (ctx, _) in enumerate(students)}
        assert len(set(on.values())) == 2, f"all students landed on one replica: {on}"
        victim = hall.replicas[int(on[0][1:])]
        os.killpg(victim.proc.pid, signal.SIGKILL)
        victim.proc.wait(timeout=10)
        assert sum(store.tally(code, 2, 1).values()) == 4, "a vote was lost with the replica"

        _, a = students[0]
        a.reload()  # the phone comes back: nginx sends it to the other replica, a fresh session
        a.get_by_text("you follow the teacher").wait_for(timeout=60_000)
        settle(a)
        checked = a.locator("[data-testid='stMain'] [data-testid='stRadio'] label:has(input:checked)")
        assert checked.count() == 1 and "No: it changes" in checked.inner_text(), \
            "the student's vote is not shown as theirs after the failover"
        assert store.state(code).students == 4, "the student joined again instead of keeping the seat"

        teacher.get_by_role("button", name="Next", exact=True).click()
        for _, page in students:
            on_stop(page, 3, FOLLOW_S * 3)
    finally:
        for ctx, _ in students:
            ctx.close()
        teacher_ctx.close()
        if victim is not None and not victim.alive():
            victim.start()


def _split_seen(page, key: str) -> tuple[str, str]:
    """(the split chart's drawn SVG text: option labels, bar labels, legend; its text alternative) on a page."""
    drawn = page.locator(f".st-key-{key} .js-plotly-plot .main-svg").first
    drawn.wait_for(state="attached", timeout=15_000)
    svg = page.locator(f".st-key-{key} .js-plotly-plot").first.text_content()
    alt = page.locator("[data-testid='stMain'] [data-testid='stCaptionContainer']").filter(
        has_text="Votes per option.")
    assert alt.count() == 1, f"{key}: {alt.count()} text alternatives of the split"
    return svg, alt.first.text_content()


def _plots_text(page) -> str:
    return " ".join(page.locator("[data-testid='stMain'] .js-plotly-plot").all_text_contents())


def _pick(page, code: str, n: int, rnd: int, option: str) -> None:
    """A phone's vote in round rnd of stop n: a click on the option's label."""
    page.locator(f".st-key-live_vote_{code}_{n}_{rnd} [role='radiogroup'] label").filter(
        has_text=option[:10]).click()
    settle(page)


def _peer_loop(url, path, code, room, presenter, phones, n, first, second) -> None:
    """One stop's peer-instruction loop: round 1 (`first`: each phone's option), the split on every screen
    without the answer (the presenter's has it), round 2 (`second`), the reveal with both rounds and who moved."""
    from gru_lab import lessons
    from gru_lab.classes.advice import moves
    from gru_lab.settings import Settings

    stop = lessons.BUILT_IN.stops[n - 1]
    options = stop.question.options
    right = options[lessons.answer(stop, Settings())[0]]
    expected = [{o: votes.count(o) for o in options} for votes in (first, second)]
    to = sum(a != right and b == right for a, b in zip(first, second, strict=True))
    away = sum(a == right and b != right for a, b in zip(first, second, strict=True))
    store = open_store(str(path))
    k = len(phones)

    # round 1: a mixed vote
    for page in phones:
        page.locator(f".st-key-live_vote_{code}_{n}_1").wait_for(timeout=FOLLOW_S * 1000)
    for page, option in zip(phones, first, strict=True):
        _pick(page, code, n, 1, option)
    room.get_by_text(f"Vote on your phone · {k} of {k} voted").wait_for(timeout=15_000)
    presenter.get_by_text(f"{k} voted in round 1").wait_for(timeout=15_000)
    assert store.tally(code, n, 1) == expected[0]

    # the split: everyone sees how the class voted; only the presenter sees the answer
    presenter.get_by_role("button", name="Show the split").click()
    for page in (room, *phones):
        page.get_by_text("Discuss with your neighbour").wait_for(timeout=FOLLOW_S * 1000)
    for page, key in ((room, f"live_split_{n}"), *((p, f"live_split_{n}") for p in phones),
                      (presenter, f"present_split_{n}")):
        settle(page)
        svg, alt = _split_seen(page, key)
        assert "round 1: " in alt and "round 2" not in alt, alt
        for o in options:  # the chart shows each option's round-1 count
            assert f"{o}: {expected[0][o]} vote" in alt, (o, alt)
        if page is presenter:
            assert "The answer:" in _main_text(page), "the presenter view lost the answer at the split"
            continue
        assert "✓" not in svg and "✓" not in alt, f"the split marks the right option on {page.url}: {svg}"
        shown = _main_text(page)
        assert "The answer:" not in shown and "moved to the right option" not in shown, shown
        assert page.locator("[data-testid='stMain'] [data-testid='stRadio']").count() == 0, "a shown round votes"
    assert presenter.get_by_role("button", name="Vote again (round 2)").count() == 1

    # round 2, after the discussion: some change their minds
    presenter.get_by_role("button", name="Vote again (round 2)").click()
    for page in phones:
        page.locator(f".st-key-live_vote_{code}_{n}_2").wait_for(timeout=FOLLOW_S * 1000)
        settle(page)
    for page, option in zip(phones, second, strict=True):
        _pick(page, code, n, 2, option)
    room.get_by_text(f"Round 2: vote again on your phone · {k} of {k} voted").wait_for(timeout=15_000)
    presenter.get_by_text(f"{k} voted in round 2").wait_for(timeout=15_000)
    assert store.tally(code, n, 1) == expected[0], "round 1 is kept"
    assert store.tally(code, n, 2) == expected[1]
    assert moves(store.pairs(code, n, 1, 2), right) == (to, away)

    # the reveal: the answer, both rounds and who moved, everywhere
    presenter.get_by_role("button", name="Reveal the answer").click()
    moved = f"From round 1 to round 2: {to} moved to the right option, {away} moved away from it."
    for page in (room, *phones, presenter):
        page.get_by_text(moved, exact=True).wait_for(timeout=FOLLOW_S * 1000)
    for page, key in ((room, f"live_split_{n}"), *((p, f"live_split_{n}") for p in phones),
                      (presenter, f"present_split_{n}")):
        settle(page)
        svg, alt = _split_seen(page, key)
        assert "round 1" in svg and "round 2" in svg, f"the legend does not name both rounds: {svg}"
        for r, counts in enumerate(expected, start=1):
            said = f"round {r}: " + ", ".join(f"{o}: {counts[o]} vote" + ("" if counts[o] == 1 else "s")
                                              for o in options)
            assert said in alt, (said, alt)
        assert "✓" in svg, f"the revealed split does not mark the right option on {page.url}"
        shown = _main_text(page)
        assert "The answer:" in shown and f"{to} moved to the right option, {away} moved away" in shown
    assert store.tally(code, n, 1) == expected[0] and store.tally(code, n, 2) == expected[1]
    assert store.revealed(code, n)


def _nothing_left_of(page, n: int) -> None:
    """After a move past stop n: nothing of its split or answer on this screen."""
    settle(page)
    shown = _main_text(page)
    assert "The answer:" not in shown and "moved to the right option" not in shown, shown
    assert "Discuss with your neighbour" not in shown, shown
    assert "✓" not in _plots_text(page), f"a chart with the right option marked stays on {page.url}"
    assert page.locator(f".st-key-live_split_{n}").count() == 0, f"stop {n}'s split stays on {page.url}"


def test_peer_instruction_at_two_stops_with_three_phones(browser, classroom):
    url, path = classroom
    teacher_ctx, room, code, link = start_class(browser, url, stop=2)
    phones = []
    try:
        phones = [join(browser, link) for _ in range(3)]
        pages = [p for _, p in phones]
        room.get_by_text(f"Class code {code[:4]}-{code[4:]} · 3 joined").wait_for(timeout=15_000)
        presenter = present(teacher_ctx, url, code)
        presenter.get_by_text("Stop 2 of ").wait_for(timeout=15_000)

        # stop 2 (right: Yes): 2 right, 1 wrong; then one moves away, one moves to it
        _peer_loop(url, path, code, room, presenter, pages, 2, first=(YES, YES, NO), second=(NO, YES, YES))
        presenter.locator(".st-key-present_next button").click()
        for page in (room, *pages):
            on_stop(page, 3, FOLLOW_S)
        for page in (room, *pages):
            _nothing_left_of(page, 2)
        for k in (4, 5):
            presenter.get_by_text(f"Stop {k - 1} of ").wait_for(timeout=15_000)
            settle(presenter)
            presenter.locator(".st-key-present_next button").click()
            for page in (room, *pages):
                on_stop(page, k, FOLLOW_S)

        # stop 5 (right: the identity): 1 right, 2 wrong; then two move to it, one away
        identity, zero = "The identity I", "Zero"
        _peer_loop(url, path, code, room, presenter, pages, 5, first=(identity, zero, zero),
                   second=(zero, identity, identity))
        presenter.locator(".st-key-present_next button").click()
        for page in (room, *pages):
            on_stop(page, 6, FOLLOW_S)
        for page in (room, *pages):
            _nothing_left_of(page, 5)

        store = open_store(str(path))  # both stops keep both rounds
        assert sum(store.tally(code, 2, 1).values()) == sum(store.tally(code, 2, 2).values()) == 3
        assert store.tally(code, 5, 1)[identity] == 1 and store.tally(code, 5, 2)[identity] == 2

        # a phone asking for the presenter view gets a phone's page
        phone = pages[0]
        phone.goto(f"{url}/lesson?class={code}&classroom=1&view=presenter")
        phone.get_by_text("you follow the teacher").wait_for(timeout=30_000)
        settle(phone)
        assert phone.get_by_role("heading", name="Presenter view").count() == 0
        for key in ("live_show", "live_reveal", "live_reopen", "present_next", f"live_room_{code}"):
            assert phone.locator(f".st-key-{key}").count() == 0, f"a phone got the presenter's {key}"
        assert "The answer:" not in _main_text(phone), "a phone's presenter address shows stop 6's answer"
    finally:
        for ctx, _ in phones:
            ctx.close()
        teacher_ctx.close()


def test_the_presenters_room_size_box_takes_a_number(browser, classroom):
    """The head count against the room: a whole number typed in the presenter's box reaches the app (a
    widget-type guard once dropped the browser's int_value for a number box registered as a double)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    url, _ = classroom
    teacher_ctx, _, code, link = start_class(browser, url, stop=2)
    phone_ctx, _ = join(browser, link)
    try:
        presenter = present(teacher_ctx, url, code)
        presenter.get_by_text("The class: joining, the room, the tallies, ending").click()
        box = presenter.get_by_role("spinbutton", name="Students in the room")
        box.wait_for(timeout=15_000)
        warned = presenter.get_by_text("more joined than are in the room")

        box.fill("1")
        box.press("Enter")
        presenter.get_by_text("1 joined of 1 in the room").wait_for(timeout=15_000)
        settle(presenter)
        assert warned.count() == 0, "one joined of one in the room is no warning"

        box.fill("0")  # nobody is in the room: the one who joined did so from outside
        box.press("Enter")
        try:
            presenter.get_by_text("1 more joined than are in the room").wait_for(timeout=15_000)
        except PlaywrightTimeout:
            settle(presenter)
            head = re.findall(r"\d+ joined[^\n]*", _main_text(presenter))
            pytest.fail(f"0 in the room with 1 joined gives no warning; the box holds {box.input_value()!r}, "
                        f"the head count says {head}")
    finally:
        phone_ctx.close()
        teacher_ctx.close()
