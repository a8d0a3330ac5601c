"""A shared lesson shows its author's text as text: no bare address, e-mail or Markdown becomes a link.

Streamlit's Markdown turns bare `http://…`, `www.…` and `name@host` into links even when every
Markdown character is escaped, so these tests read what a real browser draws. Each text field of a
lesson (its title, a stop's title and note, a question's prompt and options) carries every form, by
link and by file; the page must show the words and hold no link to the outside.
"""
from __future__ import annotations

import json

from gru_lab import lessons

from .ui import MAIN

FORMS = ["see http://evil.example/h", "https://evil.example/s", "www.evil.example/w", "me@evil.example",
         "mailto:you@evil.example", "[click](http://evil.example/m)", "<http://evil.example/a>",
         "ftp://evil.example/f", "![x](http://evil.example/i.png)", "<b>bold</b>"]
TEXT = " ".join(FORMS)  # 205 characters: fits a note and a prompt; titles and options get parts of it

# Anchors whose address is not the app's own pages (page links are relative or on the test server).
OUTSIDE_LINKS_JS = """
(base) => Array.from(document.querySelectorAll("a[href], img[src]")).map((a) => a.href || a.src)
  .filter((h) => !h.startsWith(base) && !h.startsWith("blob:") && !h.startsWith("data:"))
"""


def _lesson() -> lessons.Lesson:
    q = lessons.make_question(TEXT, [FORMS[0] + " " + FORMS[2], FORMS[3] + " " + FORMS[4], FORMS[5]], 1)
    stop = lessons.make_stop("saturation", [("case", "copy")], FORMS[1] + " " + FORMS[3], TEXT, q)
    return lessons.make_lesson(FORMS[2] + " " + FORMS[6], [stop])


def _check(tab, app_url: str) -> None:
    page = tab.page
    main = page.locator(MAIN)
    main.get_by_role("radiogroup").get_by_role("radio").nth(0).check(force=True)
    main.get_by_role("button", name="Reveal the answer").click()  # enabled once an option is picked
    page.get_by_text("answer the lesson's author set", exact=False).first.wait_for(timeout=60_000)
    outside = page.evaluate(OUTSIDE_LINKS_JS, app_url)
    assert outside == [], f"the lesson put links to the outside on the page: {outside}"
    shown = main.inner_text().replace("\u2060", "")
    for part in ("evil.example/h", "www.evil.example/w", "me@evil.example", "[click](http://evil.example/m)",
                 "<b>bold</b>"):
        assert part in shown, f"{part!r} is not shown as text"


def test_a_lesson_link_shows_addresses_as_text(tab, app_url):
    tab.open(f"lesson?lesson={lessons.to_link(_lesson())}&stop=1")
    _check(tab, app_url)


def test_a_lesson_file_shows_addresses_as_text(tab, app_url, tmp_path):
    path = tmp_path / "www.evil.example me@evil.example.json"
    path.write_text(lessons.to_json(_lesson()), encoding="utf-8")
    tab.open("lesson")
    tab.page.get_by_text("Make your own lesson").click()
    tab.page.locator(".st-key-lesson_upload input[type=file]").set_input_files(str(path))
    tab.page.get_by_text("Opened ", exact=False).first.wait_for(state="attached", timeout=60_000)
    _check(tab, app_url)
    assert json.loads(lessons.to_json(_lesson()))["title"].startswith("www.")
