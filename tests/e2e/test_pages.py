"""Every page opens cleanly: no exception, no "Page not found", charts actually drawn."""
from __future__ import annotations

import numpy as np
import pytest

from .conftest import PAGES
from .settle import chart, settle, title, values
from .ui import MAIN, alerts, drawn, exceptions, page_not_found, select_text, slider_text

# The charts each page must draw (st.plotly_chart keys), in page order.
CHARTS = {
    "home": (),
    "step": ("cell_diagram", "heatmaps"),
    "saturation": ("sat_matrices", "sat_singular", "sat_chain"),
    "vanishing": ("chains", "deltas"),
}


@pytest.mark.parametrize("path", PAGES)
def test_page_opens_cleanly(tab, path):
    tab.open(PAGES[path])
    page = tab.page
    assert exceptions(page) == []
    assert not page_not_found(page), f"/{path} shows 'Page not found'"
    assert alerts(page) == []
    assert page.locator(f"{MAIN} h1").count() >= 1, f"/{path} has no title"
    charts = drawn(page)
    assert len(charts) == len(CHARTS[path])
    for key in CHARTS[path]:
        assert page.locator(f".st-key-{key} .js-plotly-plot").count() == 1, f"chart {key} missing"
    for c in charts:
        assert c["svg"] >= 1 and c["traces"] >= 1, f"a chart on /{path} was not drawn: {c}"
        assert c["width"] > 100 and c["height"] > 100, f"a chart on /{path} has no size: {c}"
    assert tab.errors == [], f"JavaScript errors on /{path}: {tab.errors}"


@pytest.mark.xfail(strict=True, reason="app bug: st.Page(url_path='home', default=True) is served at '/' only, "
                   "so /home greets a visitor with 'Page not found' (Streamlit ignores url_path for the default "
                   "page). Drop url_path='home' in app.py (and this test), or make /home reachable.")
def test_home_url_path_is_served(tab):
    tab.open("home")
    assert not page_not_found(tab.page), "/home shows 'Page not found'"


def test_home_links_to_every_lesson(tab):
    tab.open(PAGES["home"])
    links = tab.page.locator(f"{MAIN} [data-testid='stPageLink'] a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == 3, hrefs
    for path in ("step", "saturation", "vanishing"):
        assert any(h.split("?")[0].rstrip("/").split("/")[-1] == path for h in hrefs), f"no link to {path}: {hrefs}"


def _follow_home_link(tab, text: str, path: str):
    tab.open(PAGES["home"])
    page = tab.page
    page.locator(f"{MAIN} [data-testid='stPageLink'] a").filter(has_text=text).click()
    page.wait_for_url(f"**/{path}?**")
    settle(page)
    assert exceptions(page) == []
    return page


def test_home_link_opens_step_page_at_its_step(tab):
    """'A review whose verdict comes first' lands on the step page at step 30."""
    page = _follow_home_link(tab, "verdict comes first", "step")
    assert slider_text(page, "t") == "30"
    assert chart(page, "heatmaps")["layout"]["meta"]["current_step"] == 29
    assert chart(page, "cell_diagram")["layout"]["meta"]["current_step"] == 29


@pytest.mark.xfail(strict=True, reason="app bug: following the home page's 'verdict comes first' link keeps the "
                   "sidebar's preset (Far-apart clue) because the sidebar widget already exists in the session, so "
                   "query-param binding does not apply preset=Verdict first; a 'link had settings that could not be "
                   "used' warning appears while the URL still says Verdict first")
def test_home_link_applies_its_preset(tab):
    page = _follow_home_link(tab, "verdict comes first", "step")
    assert select_text(page, "preset") == "Verdict first"
    assert alerts(page, "Warning") == []


def test_home_link_opens_saturation_in_copy_case(tab):
    page = _follow_home_link(tab, "copies its state", "saturation")
    z = values(chart(page, "sat_matrices")["data"][0]["z"])
    np.testing.assert_array_equal(z, np.eye(z.shape[0]))


def test_home_link_opens_vanishing_with_300_steps(tab):
    page = _follow_home_link(tab, "300 steps", "vanishing")
    assert slider_text(page, "T") == "300"
    assert slider_text(page, "rnn_scale") == "0.80"
    assert "T = 300" in title(chart(page, "chains"))


def test_unknown_page_says_so(tab):
    """A mistyped address is not silently shown as something else."""
    tab.page.goto(f"{tab.base}/no-such-page")
    tab.page.get_by_text("Page not found").first.wait_for(timeout=30_000)
    assert page_not_found(tab.page)
