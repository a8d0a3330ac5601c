"""A shared link reopens the exact view: widget values and the chart marker, in a fresh browser context."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .settle import settle
from .test_step_page import wait_for_address
from .test_viewer import READ_JS
from .ui import MAIN, alerts, choose_select, exceptions, press_slider, select_text, slider_text


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def _students_link(page) -> str:
    """The address in the 'Link for students' popover (on the step page a live box: gru_lab/ui/live_link)."""
    page.locator(f"{MAIN} [data-testid='stPopover'] button").first.click()
    code = page.locator("[data-testid='stPopoverBody'] [data-testid='stCode'] code, "
                        "[data-testid='stPopoverBody'] .gl-link-text")
    code.first.wait_for(timeout=15_000)
    link = (code.first.input_value() if code.first.evaluate("e => e.tagName") == "INPUT"
            else code.first.inner_text()).strip()
    page.keyboard.press("Escape")
    return link


def _state(page) -> dict:
    page.locator(".gv[data-t]").wait_for(timeout=30_000)
    v = page.evaluate(READ_JS)
    return {
        "H": slider_text(page, "H"),
        "preset": select_text(page, "preset"),
        "t": str(v["root"][0]),
        "marked": v["marks"][0][0] - 1,
        "units": v["squares"],
    }


def _numbers(page) -> tuple:
    """What the viewer draws at its step: the equations, the table row, the diagram's values."""
    v = page.evaluate(READ_JS)
    return v["lines"], v["row"], v["values"]


def test_shared_link_reopens_same_view(tab, new_tab):
    tab.open("step?weights=random")  # random weights: the sidebar's H applies
    page = tab.page
    press_slider(page, "H", "ArrowRight")
    choose_select(page, "preset", "Weekly sales")
    page.locator(".gv[data-t]").wait_for(timeout=30_000)
    for _ in range(3):
        page.locator(".gv-next").click()
    wait_for_address(page, 4, 0)  # the viewer reports where it paused; the address carries it
    settle(page)
    state = _state(page)
    assert state == {"H": "16", "preset": "Weekly sales", "t": "4", "marked": 3, "units": 16}
    url = page.url
    assert _query(url) == {"weights": ["random"], "H": ["16"], "preset": ["Weekly sales"], "t": ["4"], "unit": ["0"]}
    numbers_here = _numbers(page)

    other = new_tab()
    other.page.goto(url)
    settle(other.page)
    assert exceptions(other.page) == []
    assert _state(other.page) == state
    assert _numbers(other.page) == numbers_here


def test_opened_link_has_no_warning_and_students_link_reopens_it(tab, new_tab):
    """Opening a link with a preset applies it without a 'could not be used' warning (the URL carries the
    preset's shown title, not its key), and the 'Link for students' popover reproduces the view."""
    state = {"H": "16", "preset": "Weekly sales", "t": "4", "marked": 3, "units": 16}
    tab.open("step?weights=random&H=16&preset=Weekly+sales&t=4")
    assert _state(tab.page) == state
    assert alerts(tab.page, "Warning") == []
    link = _students_link(tab.page)
    assert urlsplit(link).path.rstrip("/").endswith("/step")
    assert {k: v for k, v in _query(link).items() if k in ("H", "preset", "t", "weights")} == {
        "H": ["16"], "preset": ["Weekly sales"], "t": ["4"], "weights": ["random"]}
    other = new_tab()
    other.page.goto(link)
    settle(other.page)
    assert exceptions(other.page) == []
    assert alerts(other.page, "Warning") == []
    assert _state(other.page) == state, f"{link} opened a different view"
