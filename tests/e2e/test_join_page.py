"""/join in real Chromium on a phone: the class code typed in lower case with a space, Enter, and the class's
join form on the lesson page, in classroom mode with the settings the class keeps (its join link's)."""
from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import pytest

from gru_lab import lessons
from gru_lab.classes import open_store
from gru_lab.ui.lesson import lesson_id

from .conftest import PHONE
from .server import AppServer
from .settle import settle
from .ui import exceptions


@pytest.fixture(scope="module")
def classroom(browser_available, tmp_path_factory):
    """(server URL, class store path): an app server with a class store of its own."""
    folder = tmp_path_factory.mktemp("join")
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


def test_a_phone_types_the_code_and_reaches_the_join_form(browser, classroom):
    url, path = classroom
    lesson = lessons.BUILT_IN
    questions = {i: list(s.question.options) for i, s in enumerate(lesson.stops, start=1) if s.question}
    code, _ = open_store(str(path)).create(lesson_id(lesson), len(lesson.stops), questions, "", (("seed", "3"),))
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}/join")
        settle(page)
        assert page.get_by_role("heading", name="Join a class").count() == 1
        box = page.get_by_role("textbox", name="Class code")
        assert box.get_attribute("placeholder") == "ABCD-EFGH"
        box.fill(f"{code[:4].lower()} {code[4:].lower()}")
        box.press("Enter")
        page.get_by_role("button", name="Join the class").wait_for(timeout=30_000)
        settle(page)
        where = urlsplit(page.url)
        assert where.path.rstrip("/").endswith("/lesson"), page.url
        assert {k: v[-1] for k, v in parse_qs(where.query).items()} == {"class": code, "seed": "3", "classroom": "1"}
        assert page.get_by_text(f"Join class {code[:4]}-{code[4:]}").count() == 1
        assert open_store(str(path)).state(code).students == 0, "the code box joins nobody"
        page.get_by_role("button", name="Join the class").click()
        page.get_by_text("you follow the teacher").wait_for(timeout=30_000)
        assert open_store(str(path)).state(code).students == 1
        assert exceptions(page) == [] and errors == [], errors
    finally:
        context.close()


def test_a_wrong_code_is_said_on_a_phone(browser, classroom):
    url, _ = classroom
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{url}/join")
        settle(page)
        box = page.get_by_role("textbox", name="Class code")
        box.fill("abc")
        box.press("Enter")
        page.get_by_text("is not a class code").wait_for(timeout=30_000)
        box.fill("abcd-efgh")
        page.get_by_role("button", name="Join", exact=True).click()
        page.get_by_text("no class with this code").wait_for(timeout=30_000)
        assert urlsplit(page.url).path.rstrip("/").endswith("/join") and exceptions(page) == []
    finally:
        context.close()
