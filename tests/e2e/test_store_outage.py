"""The class store goes away mid-class and comes back (issue 21): every page says so, none breaks.

Two replicas behind nginx (deploy/serve.py) share a Redis run as deploy/compose.yaml runs it. A teacher
starts a class (the room's tab and the presenter view), two students join and vote, then Redis stops
(SIGTERM, as `docker compose restart` sends). The teacher's two tabs, the students' tabs (after a reload,
as a phone does), a newcomer opening the join link all say the live class is paused and name the server;
the lesson without a class opens as usual. Redis starts again on its folder: the pages rejoin the class by
themselves, the votes are still counted, and no page or replica log shows a Python exception.
"""
from __future__ import annotations

import os

import pytest

from gru_lab.classes import open_store

from ..redis_server import RedisServer
from .settle import settle
from .test_live_class import join, present, start_class

WAIT_MS = 120_000  # a 2-core machine shared with other test runs: generous, and only reached on a failure
PAUSED = "The live class is paused"
EXCEPTION = "[data-testid='stException']"

# Does the main area show every one of `needles` (and, with `absent`, none of those)? Word joiners, which
# keep an address from turning into a link, are dropped first.
SHOWS_JS = """
([needles, absent]) => {
  const main = document.querySelector("[data-testid='stMain']");
  const text = main ? main.innerText.replaceAll("\\u2060", "") : "";
  return needles.every((n) => text.includes(n)) && !absent.some((n) => text.includes(n));
}
"""


@pytest.fixture
def hall_on_redis(browser_available, tmp_path):
    """(Deployment of 2 replicas behind nginx, RedisServer they share as GRU_LAB_CLASS_STORE)."""
    from deploy.serve import Deployment, missing_nginx

    from .server import free_port

    reason = missing_nginx()
    if reason:
        if os.environ.get("GRU_LAB_REQUIRE_NGINX") == "1":
            pytest.fail(f"GRU_LAB_REQUIRE_NGINX=1 but {reason}")
        pytest.skip(reason)
    server = RedisServer(tmp_path / "redis")  # skips (or fails) without redis-server
    before = os.environ.get("GRU_LAB_CLASS_STORE")
    try:
        server.start()
        os.environ["GRU_LAB_CLASS_STORE"] = server.url
        with Deployment(replicas=2, port=free_port(), workdir=tmp_path / "hall") as hall:
            yield hall, server
    finally:
        if before is None:
            os.environ.pop("GRU_LAB_CLASS_STORE", None)
        else:
            os.environ["GRU_LAB_CLASS_STORE"] = before
        server.stop()


def _text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text().replace("\u2060", "")


def _shows(page, name: str, needles: list[str], absent: list[str] = ()) -> None:
    """Wait until the page shows every needle and none of `absent`; fail naming the page and what it shows."""
    try:
        page.wait_for_function(SHOWS_JS, arg=[needles, list(absent)], timeout=WAIT_MS, polling=250)
    except Exception as err:  # playwright's TimeoutError: say what the page shows instead
        pytest.fail(f"{name} did not show {needles} without {list(absent)} within {WAIT_MS / 1000:.0f} s "
                    f"({type(err).__name__}); it shows:\n{_text(page)[:3000]}")


def _no_exception(pages: dict) -> None:
    shown = {name: page.locator(EXCEPTION).all_inner_texts() for name, page in pages.items()}
    assert not any(shown.values()), f"a page shows a Python exception: {shown}"


def test_every_page_survives_a_store_outage(browser, hall_on_redis):
    hall, server = hall_on_redis
    contexts = []
    try:
        teacher_ctx, teacher, code, link = start_class(browser, hall.url, stop=2)
        contexts.append(teacher_ctx)
        presenter = present(teacher_ctx, hall.url, code)
        students = [join(browser, link) for _ in range(2)]
        contexts += [ctx for ctx, _ in students]
        (_, a), (_, b) = students
        a.get_by_text("No: it changes by at most").click()
        settle(a)
        b.get_by_text("Yes: |h_").click()  # h_k or h_t, as the lesson's settings name the step
        settle(b)
        voted = "2 of 2 voted"  # the room's line: "Vote on your phone · 2 of 2 voted"
        counted = ["2 joined", "2 voted in round 1"]  # the presenter's: "2 joined · 2 voted in round 1"
        _shows(teacher, "the teacher's tab", [voted])
        _shows(presenter, "the presenter view", counted)
        store = open_store(server.url)
        try:
            tally = store.tally(code, 2, 1)
        finally:
            store.close()
        assert sorted(tally.values()) == [1, 1], tally

        # -- Redis stops ----------------------------------------------------------------------------------
        assert server.stop() == 0, f"redis-server did not exit cleanly on SIGTERM:\n{server.log_tail()}"
        down = [PAUSED, f"Redis at 127.0.0.1:{server.port}"]
        _shows(teacher, "the teacher's tab", down)
        _shows(presenter, "the presenter view", down)
        for k, (_, page) in enumerate(students):
            page.reload()  # a phone's page runs again when reloaded
            _shows(page, f"student {k}'s tab", down)
        newcomer_ctx = browser.new_context()
        contexts.append(newcomer_ctx)
        newcomer = newcomer_ctx.new_page()
        newcomer.goto(link)
        _shows(newcomer, "a newcomer's join link", down)
        reader_ctx = browser.new_context()
        contexts.append(reader_ctx)
        reader = reader_ctx.new_page()
        reader.goto(f"{hall.url}/lesson")
        _shows(reader, "the lesson without a class", ["Guided lesson", "Stop 1 of"])
        settle(reader)
        assert "cannot be reached" not in _text(reader) and PAUSED not in _text(reader), _text(reader)
        pages = {"teacher": teacher, "presenter": presenter, "student 0": a, "student 1": b, "newcomer": newcomer,
                 "lesson": reader}
        _no_exception(pages)

        # -- Redis starts again on its folder: the pages rejoin by themselves -------------------------------
        server.start()
        _shows(teacher, "the teacher's tab after the restart", [voted], absent=[PAUSED, "cannot be reached"])
        _shows(presenter, "the presenter view after the restart", counted + ["Presenter view"],
               absent=[PAUSED, "cannot be reached"])
        for k, (_, page) in enumerate(students):
            _shows(page, f"student {k}'s tab after the restart", ["you follow the teacher"],
                   absent=[PAUSED, "cannot be reached"])
        _shows(newcomer, "the newcomer's tab after the restart", ["Join class"], absent=[PAUSED])
        store = open_store(server.url)
        try:
            assert store.tally(code, 2, 1) == tally, "a vote was lost"
            assert store.state(code).students == 2
        finally:
            store.close()
        checked = a.locator("[data-testid='stMain'] [data-testid='stRadio'] label:has(input:checked)")
        assert checked.count() == 1 and "No: it changes" in checked.inner_text(), "student 0's vote is not shown"
        _no_exception(pages)
    finally:
        for ctx in contexts:
            ctx.close()
    for r in hall.replicas:
        assert "Traceback" not in r.log_tail(None), f"replica {r.index} logged a traceback:\n{r.log_tail(6000)}"
