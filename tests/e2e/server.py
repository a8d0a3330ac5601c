"""Start and stop one private GRU Lab server: the one launcher of the browser tests and the benchmarks.

    with AppServer(log_path) as server:
        server.url        # http://127.0.0.1:<free port>
        server.rss_mb()   # the server's resident memory

The server is `python -m streamlit run app.py` run from the repo root, so it reads the repo's
.streamlit/config.toml and serves what a class gets. It listens on 127.0.0.1 only, on a port the OS
picks free, so it neither collides with another server on this machine nor is reachable from outside.
It runs in its own process group, so stopping it ends exactly the processes it started.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HEALTH_TIMEOUT = 60.0


def missing_browser() -> str | None:
    """Why a browser test cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed: pip install -r requirements-dev.txt"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found: apt-get install chromium (playwright install cannot download browsers here)"
    return None


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class AppServer:
    """The app on a free loopback port; `flags` are extra config flags, e.g. "--runner.postScriptGC=true"."""

    def __init__(self, log_path: Path, flags: Sequence[str] = (), script: str = "app.py", cwd: Path = REPO) -> None:
        self.log_path = log_path
        self.flags = list(flags)
        self.script, self.cwd = script, cwd  # another app file, or another checkout (the old page in a benchmark)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = HEALTH_TIMEOUT) -> AppServer:
        """Start the server; return once /_stcore/health answers, or raise within `timeout`."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "streamlit", "run", self.script,
               "--server.address", HOST, "--server.port", str(self.port), *self.flags]
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(cmd, cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"streamlit not healthy on {self.url} within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """End the server and its own process group: SIGTERM, then SIGKILL if it lingers."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(proc.pid, sig)  # the group id is the server's own pid (start_new_session)
            except ProcessLookupError:
                return
            try:
                proc.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def rss_mb(self) -> float | None:
        """Resident memory of the server process in MiB (VmRSS), or None when it is not running."""
        if self.proc is None:
            return None
        with contextlib.suppress(OSError), open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return None

    def log_errors(self) -> list[str]:
        """Lines of the server log that report a traceback or an error."""
        return [ln for ln in self.log_tail(None).splitlines() if "Traceback" in ln or "Error" in ln]

    def log_tail(self, chars: int | None = 4000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return text if chars is None else text[-chars:]

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
