"""Browser tests: one Streamlit server per session, headless Debian Chromium, a fresh page per test.

Without Chromium or Playwright these tests are skipped, unless GRU_LAB_REQUIRE_BROWSER=1 (CI) turns
the skip into a failure. Chromium is Debian's (`apt-get install chromium`): `playwright install`
cannot download browsers on these machines.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .server import REPO, AppServer, launch_chromium, missing_browser
from .settle import settle

HERE = Path(__file__).resolve().parent
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = REPO / "artifacts" / "screenshots"
# Page name -> URL path. Home is the default page, which Streamlit serves at the root ("/"), not /home.
PAGES = {"home": "", "step": "step", "saturation": "saturation", "vanishing": "vanishing", "train": "train",
         "lstm": "lstm", "join": "join"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = missing_browser()
    if reason:
        if os.environ.get("GRU_LAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GRU_LAB_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def app_url(browser_available, tmp_path_factory) -> Iterator[str]:
    """Base URL of a Streamlit server running this repo's app.py, stopped after the session."""
    with AppServer(tmp_path_factory.mktemp("streamlit") / "server.log") as server:
        yield server.url


@pytest.fixture(scope="session")
def browser(browser_available):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        try:
            yield b
        finally:
            b.close()


class Tab:
    """A page plus the JavaScript errors it raised, and a helper to open an app page and settle."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.errors: list[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def open(self, path: str) -> dict:
        self.page.goto(f"{self.base}/{path.lstrip('/')}")
        return settle(self.page)


def _new_tab(browser, app_url, viewport):
    context = browser.new_context(viewport=viewport)
    return context, Tab(context.new_page(), app_url)


@pytest.fixture
def tab(browser, app_url) -> Iterator[Tab]:
    """A fresh browser context (no shared session) at 1280×800."""
    context, t = _new_tab(browser, app_url, DESKTOP)
    try:
        yield t
    finally:
        context.close()


@pytest.fixture
def new_tab(browser, app_url):
    """Factory for more fresh contexts in one test (a second person opening a shared link)."""
    contexts = []

    def make(viewport=DESKTOP) -> Tab:
        context, t = _new_tab(browser, app_url, viewport)
        contexts.append(context)
        return t

    try:
        yield make
    finally:
        for c in contexts:
            c.close()


@pytest.fixture
def page(tab):
    return tab.page
