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

GRU_LAB_CLASS_LIMITS overrides limits by name, e.g. "joins_per_client_minute=300" for a hall whose phones all
reach the server from one NAT address (names and reasons: store.py's Limits). GRU_LAB_RUNTIME_DIR is the one
folder the app writes at run time (each class's small file, beacon.py), never inside the app's own folder.

No student identity leaves the store: students are random ids, the teacher is a random token kept
only as its SHA-256, and the tallies export counts only. Pure: no Streamlit here.
"""
from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path

from .store import LIMITS, ClassError, ClassState, ClassStore, Limits, StoreDown

__all__ = ["ClassError", "ClassState", "ClassStore", "Limits", "LIMITS", "StoreDown", "default_path", "limits_from",
           "open_store", "runtime_dir"]

ENV = "GRU_LAB_CLASS_STORE"
ENV_LIMITS = "GRU_LAB_CLASS_LIMITS"
ENV_RUNTIME = "GRU_LAB_RUNTIME_DIR"


def runtime_dir() -> Path:
    """$GRU_LAB_RUNTIME_DIR, else $XDG_RUNTIME_DIR/gru_lab, else ~/.cache/gru_lab/run: per user, outside the app."""
    given = os.environ.get(ENV_RUNTIME, "").strip()
    if given:
        return Path(given).expanduser()
    xdg = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    return Path(xdg) / "gru_lab" if xdg else Path.home() / ".cache" / "gru_lab" / "run"


def limits_from(text: str | None = None) -> Limits:
    """LIMITS with the overrides of `text` (default $GRU_LAB_CLASS_LIMITS): "name=value, name=value"."""
    text = os.environ.get(ENV_LIMITS, "") if text is None else text
    fields = {f.name: f.type for f in dataclasses.fields(Limits)}
    changes = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in fields:
            raise ValueError(f"{ENV_LIMITS}: {name!r} is not a limit; the limits are {', '.join(fields)}")
        try:
            number = float(value) if fields[name] in (float, "float") else int(value)
        except ValueError:
            raise ValueError(f"{ENV_LIMITS}: {name} = {value.strip()!r} is not a number") from None
        if not 0 < number < 1e9:
            raise ValueError(f"{ENV_LIMITS}: {name} must be above 0 and below 1e9")
        changes[name] = number
    return dataclasses.replace(LIMITS, **changes)


def default_path() -> Path:
    """The per-user data file: $XDG_DATA_HOME/gru_lab/classes.sqlite3, else under ~/.local/share."""
    base = os.environ.get("XDG_DATA_HOME", "").strip() or Path.home() / ".local" / "share"
    return Path(base) / "gru_lab" / "classes.sqlite3"


def open_store(url: str | None = None, *, clock: Callable[[], float] = time.time,
               limits: Limits | None = None) -> ClassStore:
    """The store at `url`, else at $GRU_LAB_CLASS_STORE, else the SQLite file default_path(); with `limits`,
    else limits_from() ($GRU_LAB_CLASS_LIMITS over LIMITS).

    (Here rather than in store.py: store.py is what the backends import, so it cannot import them.)
    """
    url = (url if url is not None else os.environ.get(ENV, "")).strip() or str(default_path())
    limits = limits_from() if limits is None else limits
    if url.startswith(("redis://", "rediss://")):
        from .redis_store import RedisStore
        return RedisStore(url, clock=clock, limits=limits)
    path = url.removeprefix("sqlite://")
    if "://" in path or path in ("", ":memory:"):
        raise ValueError(f"{ENV}: cannot use {url!r}; give redis://host:port/db, sqlite:///path/to/file "
                         "or a file path (a file, not :memory:, so that every process sees the same classes)")
    from .sqlite_store import SqliteStore
    return SqliteStore(path, clock=clock, limits=limits)
