"""Browser tests: one Streamlit server per session, headless Debian Chromium, a fresh page per test.

Without Chromium or Playwright these tests are skipped, unless GRU_LAB_REQUIRE_BROWSER=1 (CI) turns
the skip into a failure. Chromium is Debian's (`apt-get install chromium`): `playwright install`
cannot download browsers on these machines.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .settle import settle

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
HEALTH_TIMEOUT = 60.0
SCREENSHOTS = REPO / "artifacts" / "screenshots"
# Page name -> URL path. Home is the default page, which Streamlit serves at the root ("/"), not /home.
PAGES = {"home": "", "step": "step", "saturation": "saturation", "vanishing": "vanishing"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _missing_browser() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: pip install -r requirements-dev.txt"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found: apt-get install chromium"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(log_path: Path, timeout: float = HEALTH_TIMEOUT) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run app.py` on a free loopback port in its own process group; wait for health."""
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb")  # noqa: SIM115 - closed by stop_app via the process's lifetime
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, base
        except OSError:
            pass
        time.sleep(0.25)
    stop_app(proc)
    raise RuntimeError(f"streamlit not healthy on {base} within {timeout:.0f} s:\n{_tail(log_path)}")


def stop_app(proc: subprocess.Popen) -> None:
    """End the server we started, and its process group (it has its own, so nothing else is touched)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _tail(path: Path, n: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return "(no log)"


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def browser_available() -> None:
    reason = _missing_browser()
    if reason:
        if os.environ.get("GRU_LAB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"GRU_LAB_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="session")
def app_url(browser_available, tmp_path_factory) -> Iterator[str]:
    """Base URL of a Streamlit server running this repo's app.py, stopped after the session."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    proc, base = start_app(log_path)
    try:
        yield base
    finally:
        stop_app(proc)


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
