"""Every page survives a tampered address in a real browser, and nothing loads from outside the server.

Each page is opened with all its bound parameters repeated, with every numeric one at +inf, −inf and
1e309, and with a nameless parameter: the page shows its title and a notice, never an exception.
"""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from gru_lab.controls import CONTROLS, keys_for_page

from .conftest import PAGES
from .ui import MAIN, alerts, exceptions, page_not_found


def _numeric(path: str) -> list[str]:
    return [k for k in keys_for_page(path) if CONTROLS[k].kind in ("int", "slider")]


def _links(path: str) -> dict[str, str]:
    keys = keys_for_page(path)
    links = {"repeated": urlencode([(k, v) for k in keys for v in ("1", "2")]),
             "nameless": "=1&&&==&=&" + urlencode({k: "1" for k in keys[:1]})}
    for value in ("inf", "-inf", "1e309"):
        links[value] = urlencode([(k, value) for k in _numeric(path)] or [("nothing", value)])
    return links


CASES = [(name, kind) for name, path in PAGES.items() for kind in _links(path)]


@pytest.mark.parametrize(("name", "kind"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_tampered_address_shows_the_page_and_a_notice(tab, name, kind):
    tab.open(f"{PAGES[name]}?{_links(PAGES[name])[kind]}")
    page = tab.page
    assert exceptions(page) == []
    assert not page_not_found(page)
    assert page.locator(f"{MAIN} h1").count() >= 1, "the page's title is missing"
    assert page.locator("[data-testid='stSidebarNav']").count() == 1, "the navigation is gone"
    assert any("could not be used" in w for w in alerts(page, "Warning")), alerts(page, "Warning")
    assert tab.errors == []


def test_no_request_leaves_the_server(browser, app_url):
    """A walk of every page asks nothing of any other host (an offline classroom works the same)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    try:
        from .conftest import Tab

        tab = Tab(context.new_page(), app_url)
        for path in PAGES.values():
            tab.open(path)
            assert exceptions(tab.page) == []
    finally:
        context.close()
    server = urlsplit(app_url).netloc
    outside = sorted({u for u in seen if urlsplit(u).scheme in ("http", "https", "ws", "wss")
                      and urlsplit(u).netloc != server})
    assert seen and outside == [], outside
