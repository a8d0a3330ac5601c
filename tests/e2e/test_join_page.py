"""/join in real Chromium on a phone: the class code typed in lower case with a space, Enter, and the class's
join form on the lesson page, in classroom mode with the settings the class keeps (its join link's)."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from gru_lab import lessons
from gru_lab.classes import open_store
from gru_lab.ui.lesson import lesson_id

from .conftest import PHONE
from .settle import settle
from .test_live_class import classroom  # noqa: F401 (a fixture: a server with a class store of its own)
from .ui import exceptions


def test_a_phone_types_the_code_and_reaches_the_join_form(browser, classroom):  # noqa: F811 (the imported fixture)
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


def test_a_wrong_code_is_said_on_a_phone(browser, classroom):  # noqa: F811 (the imported fixture)
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


def test_the_projected_link_copied_by_selection_opens_the_class(browser, classroom):  # noqa: F811 (the imported fixture)
    """The address under the QR code, copied the way a person does it (select it, Ctrl+C) and pasted into a
    phone's address bar, is the class's: nothing added inside it by the wrapped block (no space, no line
    break) and no character an address cannot hold."""
    url, _ = classroom
    teacher = browser.new_context(viewport={"width": 1920, "height": 1080})
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        teacher.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
        room = teacher.new_page()
        room.goto(f"{url}/lesson?stop=2")
        settle(room)
        room.get_by_role("button", name="Start a class").click()
        room.get_by_text("Or open this address:").wait_for(timeout=30_000)  # nobody joined: the join panel
        settle(room)
        block = room.locator("[data-testid='stMain'] [data-testid='stCode'] code").first
        block.click(click_count=3)  # a triple click selects the block's text, as a person does
        selected = room.evaluate("() => window.getSelection().toString()")
        assert "class=" in selected, f"the triple click did not select the projected link: {selected!r}"
        room.keyboard.press("Control+C")
        copied = room.evaluate("() => navigator.clipboard.readText()")
        assert copied == selected, (copied, selected)
        assert copied.isascii(), f"the copied link holds a character an address cannot have: {copied!r}"
        inside = copied.rstrip("\n")  # a triple click takes the block's line end, which an address bar drops
        assert not re.search(r"\s", inside), f"the copied link holds whitespace: {copied!r}"
        code = re.search(r"class=([A-Z0-9]{8})", inside).group(1)

        page = phone.new_page()
        page.goto(copied)  # pasted as it came
        page.get_by_role("button", name="Join the class").wait_for(timeout=30_000)
        settle(page)
        assert page.get_by_text(f"Join class {code[:4]}-{code[4:]}").count() == 1
        assert exceptions(page) == []
    finally:
        phone.close()
        teacher.close()
