"""A teacher's own lesson on the lesson page, through AppTest: the builder's form, reordering and removing
stops, its link and its file surviving a reopen, and hostile files refused with a clear error."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from gru_lab import lessons as lesson

from .apptools import assert_clean, errors, exceptions, lesson_verdicts, open_page, set_widget
from .test_lesson import L, _codes, _progress, _query, _reveal, lesson_plain
from .test_weights_upload import download, media  # noqa: F401 (a fixture)


# ---- a teacher's own lesson ---------------------------------------------------------------------------
def _build(at, stops):
    """Fill the builder's form and add each stop: (page, link, title, note, prompt, options, right)."""
    for page, link, title, note, prompt, options, right in stops:
        set_widget(at, "lesson_b_page", page)
        at.text_input(key="lesson_b_link").input(link)
        at.text_input(key="lesson_b_stop_title").input(title)
        at.text_area(key="lesson_b_note").input(note)
        at.text_input(key="lesson_b_prompt").input(prompt)
        at.text_area(key="lesson_b_options").input("\n".join(options))
        at.number_input(key="lesson_b_right").set_value(right)
        at.button(key="lesson_b_add").click()
        at.run()
        assert exceptions(at) == [] and errors(at) == [], errors(at)
    return at


MINE = [
    ("saturation", "http://localhost:8501/saturation?case=cut&bz=1.5", "Cut it", "Look at the left panel. *Why?*",
     "What is J here?", ["I", "0", "Something else"], 2),
    ("vanishing", "T=60&seeds=3", "Short chains", "Compare the curves. Which falls first?", "", [], 1),
    ("", "", "Equations [link](http://evil)", "Read the last line.", "Is z a gate?", ["Yes", "No"], 1),
]


def test_a_custom_lesson_survives_its_link(pages):
    at = open_page(pages, "lesson")
    at.text_input(key="lesson_b_title").input("Mine")
    _build(at, MINE)
    link = next(c for c in _codes(at) if "lesson=" in c)
    q = _query(link)
    assert urlsplit(link).path.endswith("/lesson") and q["stop"] == "1"
    opened = open_page(pages, "lesson", **q)
    assert_clean(opened)
    assert opened.subheader[0].value == lesson_plain("Cut it")
    assert _progress(opened) == "Stop 1 of 3"
    (said,) = lesson_verdicts(_reveal(opened, 1))  # the builder's "Right option" counts from 1
    assert said.startswith("Right.") and "**0**" in said
    (pl,) = opened.get("page_link")
    assert _query("/?" + pl.proto.query_string) == {"case": "cut", "bz": "1.5"}
    third = open_page(pages, "lesson", lesson=q["lesson"], stop=3)
    assert_clean(third)
    assert third.subheader[0].value == lesson_plain("Equations [link](http://evil)"), "shown as text, not a link"
    assert "\\[link\\]\\(http\u2060\\:" in third.subheader[0].value  # escaped, and the address broken
    second = open_page(pages, "lesson", lesson=q["lesson"], stop=2)
    assert_clean(second)
    assert not [r for r in second.radio if str(r.key).startswith("lesson_answer_")], "a stop with no question"


def test_builder_reorders_and_removes(pages):
    at = _build(open_page(pages, "lesson"), MINE)
    at.button(key="lesson_b_down_0").click()
    at.run()
    at.button(key="lesson_b_remove_2").click()
    at.run()
    token = _query(next(c for c in _codes(at) if "lesson=" in c))["lesson"]
    assert [s.title for s in lesson.from_link(token).stops] == ["Short chains", "Cut it"]
    at.button(key="lesson_b_up_1").click()
    at.run()
    token = _query(next(c for c in _codes(at) if "lesson=" in c))["lesson"]
    assert [s.title for s in lesson.from_link(token).stops] == ["Cut it", "Short chains"]


def test_builder_names_what_is_wrong_with_a_stop(pages):
    at = open_page(pages, "lesson")
    set_widget(at, "lesson_b_page", "vanishing")
    at.text_input(key="lesson_b_link").input("http://localhost:8501/saturation?case=copy")
    at.text_input(key="lesson_b_stop_title").input("x")
    at.text_area(key="lesson_b_note").input("y")
    at.button(key="lesson_b_add").click()
    at.run()
    assert exceptions(at) == []
    (shown,) = errors(at)
    assert "opens the page" in shown and "Saturation lab" in shown
    at.text_input(key="lesson_b_link").input("T=1e309")
    at.button(key="lesson_b_add").click()
    at.run()
    (shown,) = errors(at)
    assert "must be a whole number from 10 to 500" in shown


def test_a_custom_lesson_survives_its_file(pages, media):  # noqa: F811
    at = _build(open_page(pages, "lesson"), MINE)
    name, data = download(at, media, "lesson_b_download")
    assert name.endswith(".json")
    made = lesson.from_json(data)
    assert [s.title for s in made.stops] == ["Cut it", "Short chains", "Equations [link](http://evil)"]
    student = open_page(pages, "lesson")
    student.file_uploader(key="lesson_upload").upload("lesson.json", data if isinstance(data, bytes) else data.encode())
    student.run()
    assert_clean(student)
    assert student.subheader[0].value == lesson_plain("Cut it")
    student.button(key="lesson_next").click()
    student.run()
    assert student.subheader[0].value == lesson_plain("Short chains")
    student.button(key="lesson_built_in").click()
    student.run()
    assert student.subheader[0].value == lesson_plain(L.stops[0].title)


BAD_FILES = {
    "not-utf8": (b"\xff\xfe\x00{", "not UTF-8"),
    "not-json": (b"print('hi')", "not valid JSON"),
    "import": (json.dumps({"title": "x", "stops": [{"page": "", "title": "t", "note": "n", "question": {
        "prompt": "p", "options": ["a", "b"], "answer": "computed:__import__"}}]}).encode(), "is not allowed"),
    "too-many": (json.dumps({"title": "x", "stops": [{"page": "", "title": "t", "note": "n"}] * 31}).encode(),
                 "1 to 30 stops"),
    "deep": (b"[" * 3000 + b"]" * 3000, "nests deeper"),
    "bad-params": (json.dumps({"title": "x", "stops": [{"page": "step", "title": "t", "note": "n",
                                                        "params": {"t": "inf"}}]}).encode(), "whole number"),
    "markdown-name": (b"{", "not valid JSON"),
}


@pytest.mark.parametrize(("data", "message"), BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_hostile_lesson_file_gets_a_clear_error(pages, data, message):
    at = open_page(pages, "lesson", stop=2)
    at.file_uploader(key="lesson_upload").upload("[x](http://e).json", data)
    at.run()
    assert exceptions(at) == []
    (shown,) = errors(at)
    assert "cannot be used" in shown and message in shown.replace("\\", "")
    assert "[x](http" not in shown, "the file name is shown as text"
    assert at.subheader[0].value == lesson_plain(L.stops[1].title), "the lesson on screen stays"
