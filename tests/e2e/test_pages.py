"""Every page opens cleanly: no exception, no "Page not found", charts actually drawn."""
from __future__ import annotations

from urllib.parse import urlsplit

import numpy as np
import pytest

from gru_lab.inputs import preset_sequence
from gru_lab.stories import claim, trained_model

from .conftest import PAGES, PHONE
from .settle import chart, settle, title, values
from .test_viewer import READ_JS
from .ui import MAIN, alerts, drawn, exceptions, page_not_found, select_text, slider_text

# The charts each page must draw (st.plotly_chart keys).
VIEWER_JS = """() => {
  const root = document.querySelector("[data-testid='stBidiComponentIsolated']").shadowRoot.querySelector(".gv");
  const size = (e) => { const b = e.getBoundingClientRect(); return [b.width, b.height]; };
  return {diagram: size(root.querySelector(".gv-diagram")),
          maps: Array.from(root.querySelectorAll(".gv-canvas canvas[data-q]")).map(size),
          eqs: root.querySelectorAll(".gv-num-line").length, rows: root.querySelectorAll(".gv-table tbody tr").length};
}"""
CHARTS = {
    "home": (),
    "step": (),  # drawn by the browser-side viewer: VIEWER_JS below
    "saturation": ("sat_matrices", "sat_frozen", "sat_diff", "sat_singular", "sat_chain"),
    "vanishing": ("chains", "deltas", "story_chains"),
    "train": (),  # nothing to draw until training starts (tests/e2e/test_train_page.py)
    "lstm": ("gru_gates", "lstm_gates", "three_chains"),
    "join": (),  # a live class's code box (tests/e2e/test_join_page.py)
}


def _path(href: str) -> str:
    """'http://host/step?x=1' or 'step?x=1' -> 'step' ('' for the root)."""
    return urlsplit(href).path.strip("/").split("/")[-1]


def _links(page, selector: str) -> list[str]:
    links = page.locator(selector)
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


@pytest.mark.parametrize("name", PAGES)
def test_page_opens_cleanly(tab, name):
    tab.open(PAGES[name])
    page = tab.page
    assert exceptions(page) == []
    assert not page_not_found(page), f"/{PAGES[name]} shows 'Page not found'"
    assert alerts(page, "Error") == [] and alerts(page, "Warning") == []
    assert page.locator(f"{MAIN} h1").count() >= 1, f"{name} has no title"
    charts = drawn(page)
    assert len(charts) == len(CHARTS[name])
    for key in CHARTS[name]:
        assert page.locator(f".st-key-{key} .js-plotly-plot").count() == 1, f"chart {key} missing"
    for c in charts:
        assert c["svg"] >= 1 and c["traces"] >= 1, f"a chart on {name} was not drawn: {c}"
        assert c["width"] > 100 and c["height"] > 100, f"a chart on {name} has no size: {c}"
    if name == "step":
        page.locator(".gv[data-t]").wait_for(timeout=30_000)
        v = page.evaluate(VIEWER_JS)
        assert v["diagram"][0] > 300 and v["diagram"][1] > 200, v
        assert len(v["maps"]) == 4 and all(w > 100 and h > 20 for w, h in v["maps"]), v
        assert (v["eqs"], v["rows"]) == (4, 8), v
    if name == "home":  # home has links instead of charts: one to each lesson at least
        lessons = {_path(h) for h in _links(page, f"{MAIN} [data-testid='stPageLink'] a")}
        assert {"step", "saturation", "vanishing"} <= lessons, lessons
    assert tab.errors == [], f"JavaScript errors on {name}: {tab.errors}"


def test_every_page_in_the_navigation_opens(tab):
    """Pages added to the navigation after these tests were written open cleanly too."""
    tab.open(PAGES["home"])
    paths = [_path(h) for h in _links(tab.page, "[data-testid='stSidebarNav'] a")]
    assert set(PAGES.values()) <= set(paths), f"navigation lacks pages: {paths}"
    for path in [p for p in paths if p not in PAGES.values()]:
        tab.open(path)
        page = tab.page
        assert exceptions(page) == [], f"/{path}: {exceptions(page)}"
        assert not page_not_found(page), f"/{path} shows 'Page not found'"
        assert page.locator(f"{MAIN} h1").count() >= 1, f"/{path} has no title"
        for c in drawn(page):
            assert c["svg"] >= 1 and c["traces"] >= 1, f"a chart on /{path} was not drawn: {c}"
    assert tab.errors == [], f"JavaScript errors: {tab.errors}"


def _follow_home_link(page, text: str, path: str) -> None:
    """From the home page (already open), click a 'Try this' link; client-side, in the same session."""
    page.locator(f"{MAIN} [data-testid='stPageLink'] a").filter(has_text=text).click()
    page.wait_for_url(f"**/{path}?**")
    settle(page)
    assert exceptions(page) == []


def _back_home(page) -> None:
    page.locator("[data-testid='stSidebarNav'] a").first.click()
    page.wait_for_url(lambda url: _path(url) == "")
    settle(page)


def test_home_links_open_their_lessons(tab):
    """Each 'Try this' link lands on its lesson with the settings it promises."""
    tab.open(PAGES["home"])
    page = tab.page

    _follow_home_link(page, "Verdict first", "step")
    page.locator(".gv[data-t]").wait_for(timeout=30_000)
    v = page.evaluate(READ_JS)
    seq = preset_sequence("verdict_start")
    unit = claim("verdict_start", seq, trained_model("verdict_start").forward(seq.x)).unit  # the story's unit
    assert v["root"] == v["diagram"] == v["equations"] == [30, unit] and v["marks"] == [[30, unit]] * 4, v

    _back_home(page)
    _follow_home_link(page, "becomes I", "saturation")
    z = values(chart(page, "sat_matrices")["data"][0]["z"])
    np.testing.assert_array_equal(z, np.eye(z.shape[0]))

    _back_home(page)
    _follow_home_link(page, "300 steps", "vanishing")
    assert slider_text(page, "T") == "300"
    assert slider_text(page, "rnn_scale") == "0.80"
    assert "T = 300" in title(chart(page, "chains"))


def test_home_link_applies_its_preset(tab):
    tab.open(PAGES["home"])
    _follow_home_link(tab.page, "Verdict first", "step")
    assert select_text(tab.page, "preset") == "Verdict first"
    assert alerts(tab.page, "Warning") == []


LATEX_FITS_JS = """() => Array.from(document.querySelectorAll("[data-testid='stMain'] .katex-display"))
  .map((e) => [e.scrollWidth, e.clientWidth])"""  # KaTeX's box scrolls sideways when its formula is wider


@pytest.mark.parametrize("query", ["", "?update=take&reset=before"])
def test_saturation_formula_and_numbers_fit_a_phone(browser, app_url, query):
    """Regression: at 390 px the Jacobian formula and its numbers ran off the right edge, scrolling
    sideways inside their box with nothing to say so."""
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/saturation{query}")
        settle(page)
        widths = page.evaluate(LATEX_FITS_JS)
        assert len(widths) == 2, widths
        assert all(scroll <= client + 4 for scroll, client in widths), widths  # KaTeX pads a few px
    finally:
        context.close()


def test_no_developer_options_in_front_of_a_class(tab):
    """client.toolbarMode = "viewer": no Deploy button, no Rerun or Clear cache in the menu."""
    tab.open("")
    page = tab.page
    assert page.get_by_role("button", name="Deploy").count() == 0
    page.get_by_test_id("stMainMenu").click()
    menu = page.get_by_test_id("stMainMenuPopover")
    menu.wait_for(timeout=30_000)
    text = menu.inner_text()
    assert "Rerun" not in text and "Clear cache" not in text, text
