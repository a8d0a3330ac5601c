"""Start and stop one private GRU Lab server for a benchmark, and read its memory.

    with StreamlitServer(flags=["--runner.postScriptGC=false"]) as server:
        server.url          # http://127.0.0.1:<free port>
        server.rss_mb()     # VmRSS of the server process, from /proc/<pid>/status

The server listens on 127.0.0.1 only, on a port picked free by the OS, so it never collides with
another server on this machine. `stop()` ends only the process this helper started (by its pid,
then its own process group), first politely (SIGTERM), then SIGKILL after a bounded wait.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float | None:
    """Resident set size of `pid` in MB (VmRSS), or None once the process is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024  # kB -> MB (MiB)
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return None


# Used instead of `-m streamlit` only when asked to log gen-2 GC pauses or to gc.freeze() after the
# app's imports: it sets that up, then hands over to the same CLI entry point `-m streamlit` runs.
BOOTSTRAP = r"""
import gc, os, sys, time
log = os.environ.get("GRU_LAB_GC_LOG")
if log:
    out = open(log, "a", buffering=1)
    started = [0.0]
    def timer(phase, info):
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            out.write(f"{(time.perf_counter() - started[0]) * 1e3:.3f} {info['collected']}\n")
    gc.callbacks.append(timer)
if os.environ.get("GRU_LAB_GC_FREEZE") == "1":
    import importlib, pkgutil
    sys.path.insert(0, os.getcwd())
    import gru_lab, gru_lab.figures
    names = ["numpy", "pandas", "pyarrow", "plotly.graph_objects", "plotly.subplots", "streamlit", "gru_core"]
    for pkg in (gru_lab, gru_lab.figures):
        names += [m.name for m in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + ".")]
    for name in names:  # the app's own modules too, except cached: its st.cache_data wants Streamlit's runtime
        if name == "gru_lab.cached":
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:
            print(f"gc.freeze bootstrap: could not import {name}: {exc}", file=sys.stderr)
    gc.collect()
    gc.freeze()
from streamlit.web.cli import main
sys.argv = ["streamlit", *sys.argv[1:]]
sys.exit(main())
"""


class StreamlitServer:
    """`python -m streamlit run app.py` on a free 127.0.0.1 port, with extra config flags passed through.

    gc_log: a file to which the server appends one line per gen-2 collection ("<ms> <collected>").
    freeze: import the app's modules, then gc.freeze() before the server starts (what a gc.freeze()
    after the imports in the app would do), so later collections skip those objects.
    snapshot: run a copy of the work tree (without .git and caches) taken at start(), so that files
    edited while a long benchmark runs neither change the app mid-run nor make Streamlit's file
    watcher unload modules under the running sessions. The copy is deleted by stop().
    """

    def __init__(self, flags: Sequence[str] = (), app: str = "app.py", cwd: Path = ROOT,
                 port: int | None = None, env: dict[str, str] | None = None,
                 gc_log: Path | None = None, freeze: bool = False, snapshot: bool = False) -> None:
        self.flags = list(flags)
        self.snapshot = snapshot
        self._copy: Path | None = None
        self.gc_log, self.freeze = gc_log, freeze
        self.app = app
        self.cwd = Path(cwd)
        self.port = port or free_port()
        self.env = {**os.environ, **(env or {})}
        if gc_log is not None:
            self.env["GRU_LAB_GC_LOG"] = str(gc_log)
        if freeze:
            self.env["GRU_LAB_GC_FREEZE"] = "1"
        self.proc: subprocess.Popen | None = None
        self._log = tempfile.NamedTemporaryFile(prefix="gru_lab_server_", suffix=".log", delete=False)
        self.log_path = Path(self._log.name)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{HOST}:{self.port}/_stcore/stream"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "server not started"
        return self.proc.pid

    def command(self) -> list[str]:
        head = ["-c", BOOTSTRAP] if (self.gc_log is not None or self.freeze) else ["-m", "streamlit"]
        return [sys.executable, *head, "run", self.app,
                "--server.headless", "true", "--server.address", HOST, "--server.port", str(self.port),
                "--browser.gatherUsageStats", "false", *self.flags]

    def start(self, timeout: float = 90.0) -> StreamlitServer:
        """Start the server and wait (bounded) until /_stcore/health answers 200."""
        cwd = self.cwd
        if self.snapshot:
            self._copy = Path(tempfile.mkdtemp(prefix="gru_lab_app_"))
            cwd = self._copy / "app"
            shutil.copytree(self.cwd, cwd, ignore=shutil.ignore_patterns(
                ".git", "__pycache__", ".pytest_cache", ".hypothesis", ".ruff_cache", ".benchmarks", "artifacts",
                ".venv", "node_modules"))
        self.proc = subprocess.Popen(self.command(), cwd=cwd, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)  # own process group: stop() reaches only it
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"streamlit did not become healthy within {timeout:.0f} s:\n{self.log_tail()}")

    def rss_mb(self) -> float | None:
        return rss_mb(self.pid) if self.proc is not None else None

    def log_text(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def problems(self) -> list[str]:
        """Lines of the server log that report an exception or error (tracebacks, ERROR/WARNING logs)."""
        keep = ("Traceback", "Error", "Exception", "ERROR", "WARNING")
        return [ln for ln in self.log_text().splitlines() if any(k in ln for k in keep)]

    def stop(self, timeout: float = 15.0) -> None:
        """End the process this helper started (and only its own process group), bounded in time."""
        proc, self.proc = self.proc, None
        try:
            if proc is None or proc.poll() is not None:
                return
            for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, sig)  # the group id is the server's own pid (start_new_session)
                try:
                    proc.wait(timeout=wait)
                    return
                except subprocess.TimeoutExpired:
                    continue
        finally:
            if self._copy is not None:
                shutil.rmtree(self._copy, ignore_errors=True)
                self._copy = None

    def __enter__(self) -> StreamlitServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        self._log.close()
