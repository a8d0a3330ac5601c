"""A redis-server run as deploy/compose.yaml runs it (its `command:`), on a free loopback port, in a test's folder.

    with RedisServer(folder) as server:   # started; server.url is redis://127.0.0.1:<port>/0
        server.stop()                      # SIGTERM, as `docker compose restart` sends; waits for the exit
        server.start()                     # the same arguments and folder: it reloads its append-only file

Without redis-server or the `redis` package a test skips, unless GRU_LAB_REQUIRE_REDIS=1 (as
tests/classes/conftest.py does).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

COMPOSE = Path(__file__).resolve().parents[1] / "deploy" / "compose.yaml"
HOST = "127.0.0.1"


def compose_command(path: Path = COMPOSE) -> list[str]:
    """The redis service's `command:` list (one line of JSON in compose.yaml), checked to start redis-server."""
    lines = [ln.split("command:", 1)[1] for ln in path.read_text().splitlines() if ln.strip().startswith("command:")]
    if len(lines) != 1:
        pytest.fail(f"{path}: expected one `command:` line (the redis service's), found {len(lines)}")
    try:
        command = json.loads(lines[0])
    except ValueError as err:
        pytest.fail(f"{path}: the redis `command:` is not one line of JSON ({err}): {lines[0].strip()}")
    if not (isinstance(command, list) and command[:1] == ["redis-server"] and all(isinstance(a, str) for a in command)):
        pytest.fail(f"{path}: the redis `command:` is not a list of strings starting with redis-server: {command}")
    return command


def redis_binary() -> str:
    """redis-server's path; skips (or fails under GRU_LAB_REQUIRE_REDIS=1) without it or the redis package."""
    why = None
    try:
        import redis  # noqa: F401
    except ImportError:
        why = "the redis package is not installed: pip install redis"
    found = shutil.which("redis-server") or ("/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK)
                                             else None)
    if why is None and found is None:
        why = "redis-server is not installed: apt-get install redis-server"
    if why:
        if os.environ.get("GRU_LAB_REQUIRE_REDIS") == "1":
            pytest.fail(f"GRU_LAB_REQUIRE_REDIS=1 but {why}")
        pytest.skip(why)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path, timeout: float = 60.0):
        self.binary, self.folder, self.timeout = redis_binary(), Path(folder), timeout
        self.port, self.log = _free_port(), Path(folder) / "redis.log"
        self.args = compose_command()[1:] + ["--port", str(self.port), "--bind", HOST, "--dir", str(self.folder),
                                             "--logfile", str(self.log)]
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else "(no log)"

    def start(self) -> RedisServer:
        """Start it and return once it answers PING (LOADING, or no answer yet, is waited out)."""
        import redis

        self.folder.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen([self.binary, *self.args], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.timeout
        with redis.Redis(host=HOST, port=self.port, socket_timeout=2, socket_connect_timeout=2) as client:
            while True:
                try:
                    client.ping()
                    return self
                except (redis.ConnectionError, redis.TimeoutError):  # BusyLoadingError is a ConnectionError
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        self.stop()
                        pytest.fail(f"redis-server ({' '.join(self.args)}) did not answer PING on port {self.port}:\n"
                                    + self.log_tail())
                    time.sleep(0.05)

    def stop(self) -> int | None:
        """SIGTERM (a graceful shutdown: the append-only file is flushed) and wait; SIGKILL if it hangs."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return None if proc is None else proc.returncode
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail(f"redis-server did not exit within {self.timeout:.0f} s of SIGTERM:\n{self.log_tail()}")

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
