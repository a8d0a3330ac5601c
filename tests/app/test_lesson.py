"""The guided lesson page (/lesson) through AppTest: every built-in stop renders, revealing gives the
right verdict under both update conventions, a teacher's lesson survives its link and its file, and
tampered links and files get a clear message, never an exception."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from gru_lab import lessons as lesson
from gru_lab.settings import Settings

from .apptools import (
    assert_clean,
    errors,
    exceptions,
    lesson_answer_radio,
    lesson_verdicts,
    open_lesson,
    open_link,
    open_page,
    warnings,
)
from .test_weights_upload import download, media  # noqa: F401 (a fixture)

L = lesson.BUILT_IN
STOPS = list(enumerate(L.stops, 1))


def _reveal(at, option: int | None):
    """Predict `option` and reveal; None: "Show me without predicting" (Reveal waits for a prediction)."""
    if option is not None:
        lesson_answer_radio(at).set_value(option)
        at.run()
        at.button(key="lesson_reveal").click()
    else:
        assert at.button(key="lesson_reveal").disabled, "Reveal asks for a prediction first"
        at.button(key="lesson_show_me").click()
    return at.run()


def _codes(at) -> list[str]:
    return [c.value for c in at.code]


def _progress(at) -> str:
    (bar,) = at.get("progress")
    return bar.proto.text


def _query(link: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(link).query, keep_blank_values=True).items()}


# ---- the built-in lesson ---------------------------------------------------------------------------
@pytest.mark.parametrize(("n", "stop"), STOPS, ids=[f"stop{n}" for n, _ in STOPS])
def test_every_built_in_stop_renders(pages, n, stop):
    at = open_page(pages, "lesson", stop=n)
    assert_clean(at)
    assert at.subheader[0].value == lesson_plain(stop.title)
    assert _progress(at) == f"Stop {n} of {len(L.stops)}"
    assert at.get("page_link") == [], "the full page answers the question: Explore opens after the reveal"
    radio = lesson_answer_radio(at)
    assert radio.value is None, "no answer is chosen for the class"
    _reveal(at, None)
    (link,) = at.get("page_link")
    assert link.proto.label == "Explore this view" and link.proto.page == stop.page
    assert _query("/?" + link.proto.query_string) == _not_defaults(stop)
    assert at.button(key="lesson_back").disabled == (n == 1)
    assert at.button(key="lesson_next").disabled == (n == len(L.stops))


def lesson_plain(text: str) -> str:
    from gru_lab.ui.lesson import plain
    return plain(text)


@pytest.mark.parametrize("update", ["keep", "take"])
@pytest.mark.parametrize(("n", "stop"), STOPS, ids=[f"stop{n}" for n, _ in STOPS])
def test_revealing_gives_the_right_verdict(pages, n, stop, update):
    right, why = lesson.answer(stop, Settings(update=update))
    at = open_lesson(pages, update, stop=n)
    assert_clean(at)
    _reveal(at, right)
    assert_clean(at)
    (said,) = lesson_verdicts(at)
    assert said.startswith("Right.")
    wrong = (right + 1) % len(stop.question.options)
    lesson_answer_radio(at).set_value(wrong)
    at.run()
    (said,) = lesson_verdicts(at)
    assert said.startswith("Not quite"), "the verdict follows the choice once revealed"
    assert lesson_plain(stop.question.options[right]) in said


def test_the_copy_case_is_the_identity_under_both_conventions(pages):
    n = next(i for i, s in STOPS if s.question.answer == "computed:case_jacobian" and dict(s.params)["case"] == "copy")
    for update in ("keep", "take"):
        at = _reveal(open_lesson(pages, update, stop=n), 0)
        (said,) = lesson_verdicts(at)
        assert said.startswith("Right.") and "The identity I" in said


def test_the_first_question_follows_the_convention(pages):
    for update, right in (("keep", "z = 1"), ("take", "z = 0")):
        at = _reveal(open_lesson(pages, update, stop=1), None)
        (said,) = lesson_verdicts(at)
        assert said.startswith("You did not pick") and f"**{right}**" in said


def test_next_and_back_move_through_the_address(pages):
    at = open_page(pages, "lesson", stop=3)
    at.button(key="lesson_next").click()
    at.run()
    assert at.query_params["stop"] in ("4", ["4"])
    assert at.subheader[0].value == lesson_plain(L.stops[3].title)
    at.button(key="lesson_back").click()
    at.run()
    at.button(key="lesson_back").click()
    at.run()
    assert at.subheader[0].value == lesson_plain(L.stops[1].title)
    assert_clean(at)


@pytest.mark.parametrize("n", [1, 2, 5, 10, 13, 14])
def test_open_this_view_opens_the_stops_page(pages, n):
    at = _reveal(open_page(pages, "lesson", stop=n), None)
    (link,) = at.get("page_link")
    view = open_link(pages, link.proto.page_script_hash, link.proto.query_string)
    assert exceptions(view) == [] and errors(view) == [] and warnings(view) == []


def test_every_widget_has_a_key(pages):
    at = open_page(pages, "lesson", stop=2)
    for kind in ("radio", "button", "text_input", "text_area", "selectbox", "number_input", "file_uploader"):
        for w in at.get(kind):
            assert w.key, f"a {kind} without a key"


# ---- classroom mode ---------------------------------------------------------------------------------
def test_classroom_mode_hides_the_sidebar_and_keeps_itself_in_the_link(pages):
    at = open_page(pages, "lesson", stop=4, classroom=1)
    assert_clean(at)
    (style,) = [h for h in at.get("html") if "stSidebar" in h.proto.body]  # the app's readable style is the other
    assert "display: none" in style.proto.body
    assert not any(e.label == "Make your own lesson" for e in at.expander), "no builder for the class"
    (link,) = _codes(at)
    assert _query(link) == {"stop": "4", "classroom": "1"}
    plain_mode = open_page(pages, "lesson", stop=4)
    assert plain_mode.get("html") == [] or all("stSidebar" not in h.proto.body for h in plain_mode.get("html"))


# ---- tampered links ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("params", "message"), [
    ({"stop": "0"}, "whole number from 1 to the lesson's last stop"),
    ({"stop": "abc"}, "whole number from 1 to the lesson's last stop"),
    ({"stop": "1e309"}, "whole number from 1 to the lesson's last stop"),
    ({"stop": "20"}, "past the end: this lesson has 14 stops"),
    ({"stop": "99"}, "this lesson has 14 stops (1 to 14)"),
    ({"stop": ["1", "2"]}, "given 2 times"),
    ({"lesson": "abc!"}, "only letters, digits"),
    ({"lesson": "eyJ0aXRsZSI6"}, "not valid JSON"),
    ({"lesson": "x" * 9000}, "at most 8,000 characters"),
    ({"classroom": "yes"}, "must be one of '0', '1'"),
    ({"H": "16"}, "is not a setting of this page"),
], ids=["zero", "word", "huge", "past-end", "far-past-end", "repeated", "chars", "cut", "too-long", "classroom",
        "other-key"])
def test_a_tampered_link_gets_a_notice_not_an_exception(pages, params, message):
    at = open_page(pages, "lesson", **params)
    assert exceptions(at) == [] and errors(at) == []
    (shown,) = warnings(at)
    assert message in shown.replace("\\", ""), shown
    assert at.subheader[0].value == lesson_plain(L.stops[0].title), "stop 1 of the built-in lesson"


def test_a_tampered_lesson_with_hostile_json_in_the_link(pages):
    import base64
    bad = {"title": "x", "stops": [{"page": "", "title": "t", "note": "n", "question": {
        "prompt": "p", "options": ["a", "b"], "answer": "computed:__import__"}}]}
    token = base64.urlsafe_b64encode(json.dumps(bad).encode()).decode().rstrip("=")
    at = open_page(pages, "lesson", lesson=token)
    assert exceptions(at) == []
    (shown,) = warnings(at)
    assert "computed:__import__" in shown.replace("\\", "") and "is not allowed" in shown.replace("\\", "")


def test_a_custom_lesson_past_its_end(pages):
    token = lesson.to_link(lesson.make_lesson("Two", [lesson.make_stop("", {}, "A", "a."),
                                                      lesson.make_stop("", {}, "B", "b.")]))
    at = open_page(pages, "lesson", lesson=token, stop=5)
    assert exceptions(at) == []
    (shown,) = warnings(at)
    assert "this lesson has 2 stops" in shown
    assert at.subheader[0].value == "A"


# The patterns remark-gfm (mdast-util-gfm-autolink-literal) links after escapes are resolved: these are
# what a lesson's text must never match once shown (the browser suite checks the page itself).
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
GFM_SCHEME = re.compile(r"(mailto|xmpp):", re.IGNORECASE)


@pytest.mark.parametrize("text", [
    "see http://evil.example/z", "HTTPS://EVIL.EXAMPLE", "_http://evil.example", "www.evil.example",
    "(www.evil.example)", "me@evil.example", "mailto:me@evil.example", "xmpp:me@evil.example",
    "ftp://evil.example", "[a](http://evil.example)", "<http://evil.example>",
])
def test_plain_text_cannot_form_an_address(text):
    from gru_lab.ui.lesson import plain
    shown = re.sub(r"\\(.)", r"\1", plain(text))  # what Markdown shows after resolving the escapes
    assert not (GFM_URL.search(shown) or GFM_EMAIL.search(shown) or GFM_SCHEME.search(shown)), repr(shown)
    assert shown.replace("\u2060", "") == text  # the words themselves are unchanged


# ---- what makes the answers travels with the lesson's link (issue 18) ----------------------------------
def test_a_lesson_link_carries_the_convention_and_the_seed(pages):
    at = _reveal(open_page(pages, "lesson", stop=1, update="take", seed=3), None)
    assert_clean(at)
    (said,) = lesson_verdicts(at)
    assert "**z = 0**" in said, "the take answer, not the keep one"
    assert any("z takes the new" in c.value for c in at.caption), "the answer names its convention"
    (link,) = _codes(at)
    assert _query(link) == {"stop": "1", "update": "take", "seed": "3"}, "the students' link carries them"


def test_a_stops_answer_names_the_models_it_was_computed_from(pages):
    n = next(i for i, s in STOPS if s.page == "vanishing")
    at = _reveal(open_page(pages, "lesson", stop=n, seed=3, update="take"), None)
    right, _ = lesson.answer(L.stops[n - 1], Settings(update="take", seed=3))
    (said,) = lesson_verdicts(at)
    assert lesson_plain(L.stops[n - 1].question.options[right]) in said
    (source,) = [c.value.replace("\\", "") for c in at.caption if c.value.startswith("Computed from")]
    assert "random GRUs and RNNs" in source and "seeds from 3" in source and "z takes the new" in source


@pytest.mark.parametrize("params", [{"stop": 10, "update": "take", "seed": 3}, {"stop": 5, "reset": "before"},
                                    {"stop": 8, "classroom": 1}, {"stop": 13, "update": "take"}])
def test_explore_this_view_gives_only_what_the_page_would_not_rewrite(pages, params):
    """Defaults and the sidebar's settings stay out of the link: the page's widgets would rewrite the
    address on arrival, a history entry of its own, and Back would not return to the stop."""
    at = _reveal(open_page(pages, "lesson", **params), None)
    stop = L.stops[params["stop"] - 1]
    (link,) = at.get("page_link")
    expected = {**_not_defaults(stop), **({"classroom": "1"} if "classroom" in params else {})}
    assert _query("/?" + link.proto.query_string) == expected
    view = open_link(pages, link.proto.page_script_hash, link.proto.query_string)
    assert exceptions(view) == [] and errors(view) == [] and warnings(view) == []


def _not_defaults(stop) -> dict[str, str]:
    from gru_lab.controls import CONTROLS
    out = {}
    for k, v in stop.query_lists().items():
        c = CONTROLS[k]
        default = [c.link_text(x) for x in c.default] if isinstance(c.default, list) else [c.link_text(c.default)]
        if v != default:
            out[k] = v[-1]
    return out


def test_an_authors_answer_says_it_is_the_authors(pages):
    own = lesson.make_lesson("Mine", [lesson.make_stop("", (), "A stop", "A note.",
                                                       lesson.make_question("Which?", ["a", "b"], 1))])
    at = _reveal(open_page(pages, "lesson", lesson=lesson.to_link(own), stop=1), 1)
    assert_clean(at)
    (said,) = lesson_verdicts(at)
    assert said.startswith("Right.") and "the lesson's author set" in said
    assert not any(c.value.startswith("Computed from") for c in at.caption)
    assert any("author chose this question's answer" in c.value for c in at.caption)


# ---- a lesson from a file survives a reload; TOML files; one button adds a view (issue 18) -------------
TOML = """title = "From TOML"

[[stops]]
page = "saturation"
title = "Cut"
note = "Look at the left panel."
params = { case = "cut" }

[[stops]]
page = "vanishing"
title = "Chains"
note = "Which falls first?"
params = { T = "60", seeds = "3" }

[stops.question]
prompt = "Which chain falls below 1e-6 first?"
options = ["The GRU's", "The RNN's", "Neither, within T steps", "Both at once"]
answer = "computed:first_below"
"""


def test_a_lesson_file_survives_a_reload(pages):
    at = open_page(pages, "lesson", stop=3)
    at.file_uploader(key="lesson_upload").upload("mine.toml", TOML.encode())
    at.run()
    assert_clean(at)
    assert at.subheader[0].value == "Cut"
    fid = at.query_params["lesson_file"]
    fid = fid[0] if isinstance(fid, list) else fid
    reloaded = open_page(pages, "lesson", lesson_file=fid, stop=2)  # a new session: the tab was reloaded
    assert_clean(reloaded)
    assert reloaded.subheader[0].value == "Chains" and _progress(reloaded) == "Stop 2 of 2"


@pytest.mark.parametrize(("fid", "message"), [("abc", "not a lesson file's id"),
                                              ("0123456789ab", "no longer holds that lesson file")])
def test_an_unknown_lesson_file_id_is_named(pages, fid, message):
    at = open_page(pages, "lesson", lesson_file=fid)
    assert exceptions(at) == [] and errors(at) == []
    (shown,) = warnings(at)
    assert "Lesson file" in shown and message in shown.replace("\\", "")
    assert at.subheader[0].value == lesson_plain(L.stops[0].title)


def test_a_bad_toml_file_gets_a_clear_error(pages):
    at = open_page(pages, "lesson")
    at.file_uploader(key="lesson_upload").upload("bad.toml", b'title = "x"\nstops = [ { page = "nowhere" } ]\n')
    at.run()
    assert exceptions(at) == []
    (shown,) = errors(at)
    assert "cannot be used" in shown and "lacks the field 'title'" in shown.replace("\\", "")


@pytest.mark.parametrize(("page", "params", "expected"), [
    ("saturation", {"case": "copy", "bz": "2.0"}, {"case": "copy", "bz": "2.0"}),
    ("vanishing", {"T": "60", "classroom": "0"}, {"T": "60"}),
    ("home", {}, {}),
])
def test_one_button_adds_the_view_to_the_lesson_builder(pages, page, params, expected):
    at = open_page(pages, page, **params)
    at.button(key="lesson_add_view").click()
    at.run()
    assert_clean(at)
    from .apptools import PAGES, knows_pages
    knows_pages(at, pages)
    at.switch_page(PAGES["lesson"])
    at.query_params.clear()
    at.run()
    assert_clean(at)
    assert at.selectbox(key="lesson_b_page").value == ("" if page == "home" else page)
    assert _query("/?" + at.text_input(key="lesson_b_link").value) == expected
    at.text_input(key="lesson_b_stop_title").input("Mine")
    at.text_area(key="lesson_b_note").input("Look here.")
    at.button(key="lesson_b_add").click()
    at.run()
    assert_clean(at) and errors(at) == []


def test_a_view_a_lesson_cannot_carry_is_refused_with_a_reason(pages):
    at = open_page(pages, "step", weights="file")
    at.button(key="lesson_add_view").click()
    at.run()
    assert exceptions(at) == []
    assert any("cannot be added to a lesson" in t.proto.body for t in at.get("toast"))


@pytest.mark.parametrize("reset", ["after", "before"])
def test_a_story_stop_says_when_its_trained_gru_runs_as_another_model(pages, reset):
    """Regression: under 'reset before' stop 2 still spoke of "a small GRU trained for this story", though
    the weights, trained with the reset after the product, then compute another model."""
    at = open_page(pages, "lesson", stop=2, reset=reset)
    assert_clean(at, warn_ok=True)
    said = [w.value for w in at.warning if "trained for this story" in w.value]
    assert len(said) == (reset == "before"), said


@pytest.mark.parametrize(("hold", "charts_before"), [("answer", 0), ("view", 0), ("nothing", 3)])
def test_a_lesson_files_stop_names_what_its_view_holds_back(pages, hold, charts_before):
    q = lesson.make_question("What is J?", ["I", "0"], 0)
    stop = lesson.make_stop("saturation", {"case": "copy"}, "Copy", "Look.", q, after="It is I.", hold=hold)
    at = open_page(pages, "lesson", lesson=lesson.to_link(lesson.make_lesson("Mine", [stop])), stop=1)
    assert len(at.get("plotly_chart")) == charts_before
    said = " ".join(m.value for m in at.markdown)
    assert ("shown with the answer" in said) == (hold == "view")
    assert "It is I" not in said, "the explanation waits for the reveal"
    at = _reveal(at, None)
    assert len(at.get("plotly_chart")) == 3
    (verdict,) = lesson_verdicts(at)
    assert verdict.endswith("It is I\\.") or "It is I" in verdict
