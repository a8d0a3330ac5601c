"""Live classes (issue 21): a teacher leads a lesson, students follow on their phones and vote.

A class is state shared by every process and replica that serves the app, so it lives in a store
behind one interface, `ClassStore` (store.py: the methods, the limits, every input check and every
message), with two backends that only do the atomic reads and writes: SQLite (sqlite_store.py, one
file, for the processes of one machine) and Redis (redis_store.py, for replicas). `open_store()`
picks one from a URL or the GRU_LAB_CLASS_STORE setting:

    redis://host:port/db (or rediss://)   -> Redis
    sqlite:///path/to/file or a file path -> SQLite
    unset                                 -> SQLite at $XDG_DATA_HOME/gru_lab/classes.sqlite3
                                             (default ~/.local/share/gru_lab/classes.sqlite3)

No student identity leaves the store: students are random ids, the teacher is a random token kept
only as its SHA-256, and the tallies export counts only. Pure: no Streamlit here.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from .store import LIMITS, ClassError, ClassState, ClassStore, Limits

__all__ = ["ClassError", "ClassState", "ClassStore", "Limits", "LIMITS", "default_path", "open_store"]

ENV = "GRU_LAB_CLASS_STORE"


def default_path() -> Path:
    """The per-user data file: $XDG_DATA_HOME/gru_lab/classes.sqlite3, else under ~/.local/share."""
    base = os.environ.get("XDG_DATA_HOME", "").strip() or Path.home() / ".local" / "share"
    return Path(base) / "gru_lab" / "classes.sqlite3"


def open_store(url: str | None = None, *, clock: Callable[[], float] = time.time,
               limits: Limits = LIMITS) -> ClassStore:
    """The store at `url`, else at $GRU_LAB_CLASS_STORE, else the SQLite file default_path().

    (Here rather than in store.py: store.py is what the backends import, so it cannot import them.)
    """
    url = (url if url is not None else os.environ.get(ENV, "")).strip() or str(default_path())
    if url.startswith(("redis://", "rediss://")):
        from .redis_store import RedisStore
        return RedisStore(url, clock=clock, limits=limits)
    path = url.removeprefix("sqlite://")
    if "://" in path or path in ("", ":memory:"):
        raise ValueError(f"{ENV}: cannot use {url!r}; give redis://host:port/db, sqlite:///path/to/file "
                         "or a file path (a file, not :memory:, so that every process sees the same classes)")
    from .sqlite_store import SqliteStore
    return SqliteStore(path, clock=clock, limits=limits)
