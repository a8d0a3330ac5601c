"""Fixtures for the AppTest suite: a fresh app, and a page opened from a URL.

Helpers that read figures, widgets and messages live in `apptools` (importable from the tests).
"""
from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from gru_lab.ui import work

from . import apptools

# No background prewarming in this process: tests patch and time their own runs (test_prewarm.py calls it).
os.environ["GRU_LAB_PREWARM"] = "0"


@pytest.fixture(autouse=True, scope="session")
def heavy_work_inline():
    """Heavy work runs inline here, as with GRU_LAB_WORKERS=0: some tests replace a gru_lab function
    in this process, which a worker process would not see. test_pool_page.py installs real pools."""
    before = work.install(None)
    yield
    work.install(before)


@pytest.fixture(scope="session")
def pages() -> dict:
    """st.navigation's registered pages (hash → info), learnt once per test session."""
    return apptools.registered_pages()


@pytest.fixture
def app() -> AppTest:
    """A fresh AppTest of lab.py (the page script) that has not run yet."""
    return apptools.new_app()


@pytest.fixture
def open_page(pages):
    """open_page("step", H=16, t=5) → the AppTest after a first run of /step?H=16&t=5."""
    def _open(page: str, **params) -> AppTest:
        return apptools.open_page(pages, page, **params)
    return _open


@pytest.fixture(scope="module")
def baseline(pages) -> dict:
    """baseline("vanishing", T=30) → that view's figures, computed once per module (read-only)."""
    cache: dict[tuple, dict] = {}

    def _get(page: str, **params) -> dict:
        key = (page, tuple(sorted(params.items())))
        if key not in cache:
            at = apptools.open_page(pages, page, **params)
            apptools.assert_clean(at)
            cache[key] = apptools.figures(at)
        return cache[key]
    return _get
