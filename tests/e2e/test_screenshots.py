"""Full-page screenshots of every page on a laptop (1280×800) and a phone (390×844) screen.

They land in artifacts/screenshots/ (git-ignored) for a person to look at. The test itself checks
what a screenshot would show as broken: charts cut off at the right edge, sideways scrolling, an
undrawn chart, an exception.
"""
from __future__ import annotations

import pytest

from .conftest import DESKTOP, PAGES, PHONE, SCREENSHOTS
from .settle import settle
from .ui import MAIN, drawn, exceptions

MAX_HEIGHT = 12_000  # px: a bound on the full-page capture

SCROLL_JS = """
() => { const m = document.querySelector("[data-testid='stMain']");
        return {height: m ? m.scrollHeight : 0, scrollWidth: m ? m.scrollWidth : 0,
                clientWidth: m ? m.clientWidth : 0}; }
"""


def _full_page_shot(page, viewport: dict, path) -> dict:
    """Streamlit scrolls inside its main area, so grow the window to the content, capture, and restore."""
    page.set_viewport_size(viewport)
    settle(page)
    size = page.evaluate(SCROLL_JS)
    tall = min(max(size["height"], viewport["height"]), MAX_HEIGHT)
    page.set_viewport_size({"width": viewport["width"], "height": tall})
    settle(page)
    page.screenshot(path=str(path), full_page=True)
    size = page.evaluate(SCROLL_JS)
    page.set_viewport_size(viewport)
    return size


@pytest.mark.parametrize("name", PAGES)
def test_screenshots(tab, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.open(PAGES[name])
    page = tab.page
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        path = SCREENSHOTS / f"{name}-{label}-{viewport['width']}x{viewport['height']}.png"
        size = _full_page_shot(page, viewport, path)
        assert path.stat().st_size > 10_000, f"{path} is (nearly) empty"
        assert exceptions(page) == []
        assert size["scrollWidth"] <= size["clientWidth"] + 1, f"{name} scrolls sideways at {label} width: {size}"
        for c in drawn(page, MAIN):
            assert c["traces"] >= 1 and c["svg"] >= 1, f"an undrawn chart on {name} ({label}): {c}"
            assert c["left"] >= -1 and c["right"] <= viewport["width"] + 1, (
                f"a chart on {name} is cut off at {label} width: {c}")
