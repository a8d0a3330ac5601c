"""Full-page screenshots of every page on a laptop (1280×800) and a phone (390×844) screen.

They land in artifacts/screenshots/ (git-ignored) for a person to look at. The test checks what a
screenshot would show as broken: charts cut off at the edge, sideways scrolling, undrawn charts,
exceptions, chart labels drawn over each other and text cut off by its box.
"""
from __future__ import annotations

import pytest

from .conftest import DESKTOP, PAGES, PHONE, SCREENSHOTS
from .settle import settle
from .ui import MAIN, clipped_text, drawn, exceptions, overlapping_labels

MAX_HEIGHT = 12_000  # px: a bound on the full-page capture

# Layout faults seen in these screenshots and not fixed yet: (page, screen) -> what is wrong.
# The test expects exactly these, so a fix (or a new fault) makes it fail until this table is updated.
KNOWN_LAYOUT_BUGS: dict[tuple[str, str], str] = {}  # (page, width) → fault still open; none are now

SIZE_JS = """
() => { const m = document.querySelector("[data-testid='stMain']");
        const side = document.querySelector("[data-testid='stSidebarContent']");
        const sideShown = side && side.getBoundingClientRect().right > 0;
        return {height: Math.max(m ? m.scrollHeight : 0, sideShown ? side.scrollHeight : 0),
                scrollWidth: m ? m.scrollWidth : 0, clientWidth: m ? m.clientWidth : 0}; }
"""


def _full_page_shot(page, viewport: dict, path) -> dict:
    """Streamlit scrolls inside its main area, so grow the window to the content, capture, and restore."""
    if page.viewport_size != viewport:
        page.set_viewport_size(viewport)
        settle(page)
    size = page.evaluate(SIZE_JS)
    page.set_viewport_size({"width": viewport["width"], "height": min(max(size["height"], viewport["height"]),
                                                                      MAX_HEIGHT)})
    settle(page)
    page.screenshot(path=str(path), full_page=True)
    return page.evaluate(SIZE_JS)


@pytest.mark.parametrize("name", PAGES)
def test_screenshots(tab, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.open(PAGES[name])
    page = tab.page
    faults = {}
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
        found = overlapping_labels(page) + [f"cut off: {t!r}" for t in clipped_text(page)]
        if found:
            faults[label] = found
    known = {label for (page_name, label) in KNOWN_LAYOUT_BUGS if page_name == name}
    assert set(faults) == known, (
        f"layout faults on {name}: {faults}; expected faults only for {sorted(known)} "
        f"(update KNOWN_LAYOUT_BUGS when one is fixed)")
