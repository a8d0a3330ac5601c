"""The lesson carries the class (issue 18), in Chromium: every built-in stop shows its view, note,
question and revealed answer on one wide screen, in and out of classroom mode; the answer comes after a
prediction (an option picked) or "Show me without predicting", and Explore this view only after it; Explore
this view then Back returns to the same stop; classroom mode holds on the page a stop opens; a lesson link's
convention and seed give that convention's answers."""
from __future__ import annotations

import pytest

from gru_lab import lessons as lesson

from .conftest import DESKTOP, PHONE
from .settle import settle
from .ui import exceptions

L = lesson.BUILT_IN
WIDE = {"width": 1920, "height": 1080}
# The view's first chart, viewer diagram (inside the component's shadow root), table or equation.
VIEW = ("[data-testid='stMain'] .js-plotly-plot, [data-testid='stMain'] .gv-diagram, "
        "[data-testid='stMain'] [data-testid='stDataFrame'], [data-testid='stMain'] [data-testid='stTable'], "
        "[data-testid='stMain'] .katex-display")
MIN_SHOWN = 0.6  # of the view's first chart (or viewer diagram, table, equation) on screen, without scrolling

BOXES_JS = """() => {
  const box = (el) => { if (!el) return null; const r = el.getBoundingClientRect();
                        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height}; };
  const main = document.querySelector("[data-testid='stMain']");
  return {
    title: box(main.querySelector("h3")),
    question: box(main.querySelector("[data-testid='stRadio']")),
    verdict: box(main.querySelector("[data-testid='stAlert']")),
    sidebar: !!document.querySelector("[data-testid='stSidebar']") &&
             getComputedStyle(document.querySelector("[data-testid='stSidebar']")).display !== "none",
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""


OPTIONS = "[data-testid='stMain'] [data-testid='stRadio'] [role='radiogroup'] label"


def _reveal(page) -> None:
    """Predict (the question's first option), then Reveal: the button waits for a pick."""
    reveal = page.locator("[data-testid='stMain']").get_by_role("button", name="Reveal the answer")
    assert reveal.is_disabled(), "Reveal does not wait for a prediction"
    page.locator(OPTIONS).first.click()
    settle(page)
    reveal.click()
    settle(page)
    assert reveal.count() == 0, "Reveal stays after the reveal"


def _open(tab, path: str) -> dict:
    tab.open(path)
    page = tab.page
    _reveal(page)
    assert exceptions(page) == [], exceptions(page)
    return _boxes(page)


def _boxes(page) -> dict:
    found = page.evaluate(BOXES_JS)
    view = page.locator(VIEW).first  # a locator pierces the viewer's shadow root
    r = view.bounding_box() if view.count() else None
    found["view"] = r and {"top": r["y"], "bottom": r["y"] + r["height"], "height": r["height"]}
    return found


def _on_screen(box: dict | None, height: int) -> float:
    """The share of the box inside the window's height."""
    if not box or box["height"] <= 0:
        return 0.0
    return max(0.0, min(box["bottom"], height) - max(box["top"], 0)) / box["height"]


CASES = [(n, size, in_class) for n in range(1, len(L.stops) + 1)
         for size, in_class in ((DESKTOP, False), (DESKTOP, True), (WIDE, False), (WIDE, True))]


@pytest.mark.parametrize(("n", "size", "in_class"), CASES,
                         ids=[f"stop{n}-{s['width']}-{'class' if c else 'plain'}" for n, s, c in CASES])
def test_a_stop_its_view_question_and_answer_share_one_screen(new_tab, n, size, in_class):
    tab = new_tab(size)
    b = _open(tab, f"/lesson?stop={n}" + ("&classroom=1" if in_class else ""))
    h = size["height"]
    for part in ("title", "question", "verdict"):
        assert _on_screen(b[part], h) == 1.0, f"stop {n}: the {part} is not wholly on screen: {b[part]}"
    assert _on_screen(b["view"], h) >= MIN_SHOWN, f"stop {n}: its view is off screen: {b['view']}"
    assert b["sidebar"] is not in_class
    assert b["overflow"] <= 0


@pytest.mark.parametrize("n", range(1, len(L.stops) + 1))
def test_on_a_phone_the_stop_stacks_note_question_then_view(new_tab, n):
    tab = new_tab(PHONE)
    b = _open(tab, f"/lesson?stop={n}&classroom=1")
    assert b["title"]["bottom"] <= b["question"]["top"] <= b["verdict"]["top"] < b["view"]["top"]
    assert b["overflow"] <= 0


@pytest.mark.parametrize("n", [2, 5, 8, 10, 13])
def test_explore_this_view_then_back_returns_to_the_stop_in_classroom_mode(tab, n):
    page = tab.page
    tab.open(f"/lesson?stop={n}&classroom=1")
    explore = page.get_by_test_id("stPageLink-NavLink").filter(has_text="Explore this view")
    assert explore.count() == 0, "the full page, which answers the question, opens before the reveal"
    _reveal(page)
    explore.click()
    settle(page)
    assert "/lesson" not in page.url and "classroom=1" in page.url
    shown = _boxes(page)
    assert not shown["sidebar"], "classroom mode holds on the page the stop opens"
    settings = page.locator("[data-testid='stMain'] [data-testid='stSlider'] [role='slider'], "
                            "[data-testid='stMain'] [data-testid='stRadio'] input")
    assert all(s.is_disabled() or s.get_attribute("aria-disabled") == "true" for s in settings.all()), \
        "no setting the lesson did not unlock"
    page.go_back()
    settle(page)
    assert f"stop={n}" in page.url
    assert page.get_by_test_id("stProgress").inner_text().startswith(f"Stop {n} of {len(L.stops)}")


def test_a_lesson_link_with_take_and_a_seed_gives_the_take_answers(tab):
    page = tab.page
    tab.open("/lesson?stop=1&update=take&seed=3&classroom=1")
    page.get_by_role("button", name="Show me without predicting").click()  # the answer, no prediction asked
    settle(page)
    said = page.get_by_test_id("stAlert").inner_text()
    assert "The answer: z = 0" in said and "z takes the new" in said, said


def test_a_lesson_opened_from_a_file_survives_a_reload(tab, tmp_path):
    page = tab.page
    path = tmp_path / "mine.json"
    path.write_text(lesson.to_json(lesson.make_lesson("Mine", [
        lesson.make_stop("saturation", (("case", "cut"),), "First of mine", "Look at the left panel."),
        lesson.make_stop("", (), "Second of mine", "Read the last line.")])), encoding="utf-8")
    tab.open("/lesson?stop=3")
    page.get_by_text("Make your own lesson").click()
    page.locator(".st-key-lesson_upload input[type=file]").set_input_files(str(path))
    settle(page)
    assert page.locator("h3").first.inner_text() == "First of mine"
    assert "lesson_file=" in page.url
    page.get_by_role("button", name="Next").click()
    settle(page)
    page.reload()
    settle(page)
    assert page.locator("h3").first.inner_text() == "Second of mine", "a reload keeps the file's lesson"
    assert exceptions(page) == []


def test_explore_after_any_order_of_visits_opens_the_stops_own_view(tab):
    """Explore this view opens the stop's own case whatever was explored before: stop 7 (rnn-like), Back,
    stop 8 (the page's default case, free: none in the address), Back, the lesson's Back to stop 7, and
    rnn-like again; the browser's Back always returns to the stop it left."""
    from urllib.parse import parse_qs, urlsplit

    page = tab.page

    def query() -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}

    def on_lesson(n: int) -> None:
        assert urlsplit(page.url).path.rstrip("/").endswith("/lesson") and query().get("stop") == str(n), page.url
        assert page.get_by_test_id("stProgress").inner_text().startswith(f"Stop {n} of {len(L.stops)}")

    def explore(case: str) -> None:
        page.get_by_role("button", name="Show me without predicting").click()
        settle(page)
        page.get_by_test_id("stPageLink-NavLink").filter(has_text="Explore this view").click()
        settle(page)
        assert urlsplit(page.url).path.rstrip("/").endswith("/saturation"), page.url
        assert query().get("case") == (None if case == "free" else case), page.url
        checked = page.evaluate("""() => Array.from(document.querySelectorAll('.st-key-case label'))
            .filter((l) => l.querySelector('input') && l.querySelector('input').checked)
            .map((l) => l.innerText.split('\\n')[0].trim())""")
        assert checked == [case], f"the saturation page's case is {checked}, not the stop's {case!r}"
        assert exceptions(page) == []

    def back(n: int) -> None:
        page.go_back()
        settle(page)
        on_lesson(n)

    tab.open("/lesson?classroom=1&stop=7")
    explore("rnn-like")
    back(7)
    page.get_by_role("button", name="Next", exact=True).click()
    settle(page)
    on_lesson(8)
    explore("free")
    back(8)
    page.get_by_role("button", name="Back", exact=True).click()
    settle(page)
    on_lesson(7)
    explore("rnn-like")
    back(7)
