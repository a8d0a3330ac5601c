"""Fixtures: `open_class_store` opens stores on one fresh backing store, parametrised over SQLite and Redis.

Redis runs as our own `redis-server` on a free loopback port for the session (no persistence, in a temp
dir), flushed before each test and stopped at the end. Without redis-server or the `redis` package the
Redis tests skip, unless GRU_LAB_REQUIRE_REDIS=1 makes that a failure (as tests/conftest.py does for torch).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from gru_lab.classes import Limits, open_store


def _missing(why: str, install: str) -> None:
    if os.environ.get("GRU_LAB_REQUIRE_REDIS") == "1":
        pytest.fail(f"GRU_LAB_REQUIRE_REDIS=1 but {why}: {install}")
    pytest.skip(f"{why}: {install}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """redis://127.0.0.1:<port>/0 of a redis-server this session started (and stops)."""
    try:
        import redis
    except ImportError:
        _missing("the redis package is not installed", "pip install redis")
    server = shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server")
                                              else None)
    if server is None:
        _missing("redis-server is not installed", "apt-get install redis-server")
    port, workdir = _free_port(), tmp_path_factory.mktemp("redis")
    log = workdir / "redis.log"
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--dir", str(workdir), "--logfile", str(log)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    text = log.read_text() if log.exists() else ""
                    pytest.fail(f"redis-server did not answer PING on port {port}: {text[-2000:]}")
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Clock:
    """An injectable clock: tests move time with `advance` instead of sleeping."""

    def __init__(self, t: float = 1_800_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["sqlite", "redis"])
def store_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'classes.sqlite3'}"
    url = request.getfixturevalue("redis_url")
    import redis
    with redis.Redis.from_url(url) as client:
        client.flushdb()
    return url


@pytest.fixture
def open_class_store(store_url, clock):
    """open_class_store(clock=…, limits=…) -> a new store object on this test's backing store."""
    opened = []

    def make(clock=clock, limits: Limits | None = None):
        store = open_store(store_url, clock=clock, **({"limits": limits} if limits else {}))
        opened.append(store)
        return store

    yield make
    for store in opened:
        if hasattr(store, "close"):
            store.close()


@pytest.fixture
def store(open_class_store):
    return open_class_store()
