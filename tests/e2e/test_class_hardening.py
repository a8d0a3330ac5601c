"""A live class as a school's IT would check it (issue 27): the control key reaches no server log, the class file
lives in the runtime folder (not the app's), is served without cross-origin access and goes when its class ends,
odd file names are a 404 (never a 500), and a teacher's control link (the presenter view's) works from its
fragment."""
from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .server import REPO, AppServer
from .settle import settle
from .test_live_class import PROJECTOR, join, no_controls, on_stop, present, start_class


def _env(**values):
    """Set os.environ for the servers started inside; restore it afterwards."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update({k: str(v) for k, v in values.items()})
    return before


def _restore(before):
    for k, v in before.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def _get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def store_state(server, code: str):
    from gru_lab.classes import open_store
    return open_store(str(server.store_path)).state(code)


def _token(context, code: str) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == f"gru_lab_teach_{code}")


@pytest.fixture(scope="module")
def one_process(browser_available, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hardening")
    before = _env(GRU_LAB_CLASS_STORE=folder / "classes.sqlite3", GRU_LAB_RUNTIME_DIR=folder / "run")
    try:
        with AppServer(folder / "server.log") as server:
            server.store_path = folder / "classes.sqlite3"  # the env may point elsewhere once another fixture ran
            yield server, folder / "run" / "live"
    finally:
        _restore(before)


def test_the_class_file_is_in_the_runtime_folder_and_private(browser, one_process):
    server, live = one_process
    teacher_ctx, teacher, code, link = start_class(browser, server.url, stop=1)
    student_ctx, student = join(browser, link)
    try:
        path = live / f"{code}.json"
        assert path.is_file(), "the class file is not in GRU_LAB_RUNTIME_DIR/live"
        assert not list(REPO.rglob(f"{code}.json")), "the class file was written into the app's folder"
        status, headers, body = _get(f"{server.url}/_gru_lab/live/{code}.json")
        assert status == 200 and b'"version"' in body
        lower = {k.lower(): v for k, v in headers.items()}
        assert "access-control-allow-origin" not in lower, "another site's page could read the class file"
        assert lower["cache-control"] == "no-store" and lower["x-content-type-options"] == "nosniff"
        for name in ("A" * 300 + ".json", "ABCDEFGH.json", "..%2Fserver.log", "%00.json", code.lower() + ".json"):
            status, _, _ = _get(f"{server.url}/_gru_lab/live/{name}")
            assert status in (400, 404), (name, status)  # 400: Streamlit's own path check
        for name in ("a" * 300, "live/" + "b" * 300 + ".json"):  # Streamlit's static serving: off, no 500
            assert _get(f"{server.url}/app/static/{name}")[0] != 500

        teacher.get_by_role("button", name="Next", exact=True).click()
        on_stop(student, 2, 30)  # the student follows by the file the app's own route serves
        teacher.get_by_role("button", name="Show how to join").click()  # the QR code again, on the projector
        teacher.get_by_text("Scan to join").wait_for(timeout=30_000)
        presenter = present(teacher_ctx, server.url, code)  # ending is the presenter view's, never the room's
        presenter.get_by_text("The class: joining, the room, the tallies, ending").click()
        presenter.get_by_role("button", name="End the class").click()  # asks first
        settle(presenter)
        assert store_state(server, code).ended is False, "the class ended without the confirmation"
        presenter.get_by_role("button", name="Yes, end the class").click()
        student.get_by_text(f"Class {code[:4]}-{code[4:]} has ended").wait_for(timeout=30_000)
        assert not path.exists(), "the file of an ended class stays"
        presenter.get_by_text("The class has ended").first.wait_for(timeout=30_000)
        teacher.get_by_text(f"Class {code[:4]}-{code[4:]} has ended").wait_for(timeout=30_000)  # the room follows
        teacher.get_by_text("Scan to join").wait_for(state="detached", timeout=30_000)  # the QR code goes too
        no_controls(teacher)
    finally:
        student_ctx.close()
        teacher_ctx.close()
    assert not [ln for ln in server.log_tail(None).splitlines() if "Traceback" in ln]


def _presenter_link(server_url: str, code: str, token: str) -> str:
    """The private link the presenter view's "Copy the presenter link" copies: the key after '#'."""
    return f"{server_url}/lesson?class={code}&classroom=1&view=presenter#teacher={token}"


def test_a_control_link_works_from_its_fragment(browser, one_process):
    """The copied control link (the presenter view's) carries the key after '#': the other device opens the
    presenter view and leads the class, and the key leaves the address at once."""
    server, _ = one_process
    teacher_ctx, teacher, code, _ = start_class(browser, server.url, stop=3)
    other = browser.new_context(viewport=PROJECTOR)
    contexts = [other]
    try:
        mine = present(teacher_ctx, server.url, code)  # the link the teacher's presenter view copies
        mine.get_by_role("button", name="Copy the presenter link").wait_for(timeout=30_000)
        page = other.new_page()
        page.goto(_presenter_link(server.url, code, _token(teacher_ctx, code)))
        page.get_by_role("heading", name="Presenter view").wait_for(timeout=30_000)
        page.get_by_role("button", name="Reveal the answer").wait_for(timeout=30_000)
        assert "teacher" not in page.url, page.url
        page.wait_for_function("() => document.cookie.includes('gru_lab_teach_')", timeout=30_000)
        settle(page)
        page.get_by_role("button", name="Next", exact=True).click()  # the other device leads the class
        teacher.get_by_text("Stop 4 of ").wait_for(timeout=30_000)  # the room follows
        assert store_state(server, code).stop == 4
        stranger = browser.new_context(viewport=PROJECTOR)  # no cookie of the class
        contexts.append(stranger)
        forged = stranger.new_page()
        forged.goto(_presenter_link(server.url, code, "x" * 32))
        forged.get_by_role("button", name="Join the class").wait_for(timeout=30_000)
        settle(forged)
        assert forged.get_by_role("heading", name="Presenter view").count() == 0
        assert forged.get_by_role("button", name="Reveal the answer").count() == 0
        assert forged.get_by_role("button", name="End the class").count() == 0
        assert store_state(server, code).stop == 4
    finally:
        for ctx in contexts:
            ctx.close()
        teacher_ctx.close()


@pytest.fixture(scope="module")
def hall(browser_available, tmp_path_factory):
    from deploy.serve import Deployment, missing_nginx

    from .server import free_port

    reason = missing_nginx()
    if reason:
        if os.environ.get("GRU_LAB_REQUIRE_NGINX") == "1":
            pytest.fail(f"GRU_LAB_REQUIRE_NGINX=1 but {reason}")
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("hall_log")
    before = _env(GRU_LAB_CLASS_STORE=folder / "classes.sqlite3")
    before["GRU_LAB_RUNTIME_DIR"] = os.environ.pop("GRU_LAB_RUNTIME_DIR", None)  # serve.py's own, which nginx reads
    try:
        with Deployment(replicas=2, port=free_port(), workdir=folder) as deployment:
            yield deployment
    finally:
        _restore(before)


def test_the_access_log_holds_no_key(browser, hall):
    """A class through nginx: the teacher starts it, opens the control link (fragment) and an older link with
    the key in its query on other devices, students join and follow; nginx's access log never holds the key."""
    teacher_ctx, teacher, code, link = start_class(browser, hall.url, stop=1)
    token = _token(teacher_ctx, code)
    devices = []
    try:
        for address in (_presenter_link(hall.url, code, token),
                        f"{hall.url}/lesson?class={code}&classroom=1&teacher={token}"):
            ctx = browser.new_context(viewport=PROJECTOR)
            devices.append(ctx)
            page = ctx.new_page()
            page.goto(address)
            if "view=presenter" in address:  # the presenter view's controls, on the teacher's other device
                page.get_by_role("button", name="Reveal the answer").wait_for(timeout=60_000)
            else:  # an older link leads to the room's view, the teacher's: its link to the presenter view
                page.get_by_role("link", name="Presenter view").wait_for(timeout=60_000)
        student_ctx, student = join(browser, link)
        devices.append(student_ctx)
        teacher.get_by_role("button", name="Next", exact=True).click()
        on_stop(student, 2, 30)
        text = Path(hall.access_log).read_text()
        assert f"class={code}" not in text and "/lesson" in text, "the log keeps queries, or logged nothing"
        assert "/_gru_lab/live/" in text, "the students' polls did not reach nginx's file location"
        assert token not in text, "the teacher's key is in nginx's access log"
        for replica in hall.replicas:
            assert token not in replica.log_tail(None)
    finally:
        for ctx in devices:
            ctx.close()
        teacher_ctx.close()


async def _forged_votes(url: str, code: str) -> tuple[list[str], list[str]]:
    """A student's own session sends vote messages a page never sends: (exceptions, errors shown)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    from benchmarks._protocol import Tab

    exceptions, said = [], []
    async with Tab(url, "lesson", {"class": code, "classroom": "1"}) as student:
        await student.run([], 120)
        await student.run([WidgetState(id=student.ids["live_join"], trigger_value=True)], 120, through_reruns=True)
        key = next(k for k in student.ids if k.startswith("live_vote_"))
        for forged in (WidgetState(id=student.ids[key], int_value=-1), WidgetState(id=student.ids[key], int_value=7),
                       WidgetState(id=student.ids[key], string_value="not an option"),
                       WidgetState(id=student.ids[key], double_value=float("nan")),
                       WidgetState(id=student.ids[key], json_value='{"index": 0}')):
            run = await student.run([forged], 120)
            exceptions += [p for p in run.problems if p.startswith("exception")]
            said += [p for p in run.problems if p.startswith("error shown")]
    return exceptions, said


def test_forged_votes_count_nothing_and_raise_nothing(browser, one_process):
    """Out-of-range and ill-typed vote messages: no exception, no vote counted (the last option is not -1)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from gru_lab.classes import open_store

    server, _ = one_process
    teacher_ctx, _, code, _ = start_class(browser, server.url, stop=2)
    try:
        with ThreadPoolExecutor(1) as pool:
            exceptions, said = pool.submit(asyncio.run, _forged_votes(server.url, code)).result()
        assert exceptions == []
        assert all("Your vote was not counted" in s for s in said), said
        assert sum(open_store(str(server.store_path)).tally(code, 2, 1).values()) == 0
    finally:
        teacher_ctx.close()
    assert not [ln for ln in server.log_tail(None).splitlines() if "Traceback" in ln]
