"""Streamlit side of gru_lab.pool: the server's worker pools, and the notice when they are full.

One set of pools per server process, made on first use: "short" for gradient chains, "long" for
training and the sweep (`pool.lanes`; GRU_LAB_WORKERS=0 runs everything inline). A page calls `run`,
which waits for the job while relaying its progress and watching for Stop: Streamlit's stop check
raises when the user presses Stop, changes a control or closes the tab, and that cancels the job.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check

from .. import jobs, pool

_lock = threading.Lock()
_pools: dict[str, pool.Pool] | None = None
_made = False
_warm = False


def pools() -> dict[str, pool.Pool] | None:
    """The pools by lane, or None to run inline."""
    global _pools, _made
    with _lock:
        if not _made:
            lanes = pool.lanes()
            _pools = None if lanes is None else {k: pool.Pool(v.workers, v.waiting) for k, v in lanes.items()}
            _made = True
        return _pools


def warm_up() -> None:
    """Start the workers now (once per server, in the background), so the first heavy call a student
    makes does not also wait for processes to start."""
    global _warm
    if _warm:
        return
    _warm = True
    for p in (pools() or {}).values():
        for _ in range(p.workers):
            try:
                p.submit(jobs.ready)
            except pool.Busy:
                break


def install(new: dict[str, pool.Pool] | None) -> dict[str, pool.Pool] | None:
    """Use these pools from now on (None: inline); returns the ones before, for tests to put back."""
    global _pools, _made
    with _lock:
        old, _pools, _made = _pools, new, True
        return old


def stop_check() -> Callable[[], None]:
    """This script run's check: raises Streamlit's stop or rerun once the user has moved on."""
    return get_run_yield_check() or (lambda: None)


def start(lane: str, fn: Callable, *args: Any) -> pool.Job | pool.InlineJob:
    """Queue fn(*args) on a lane's pool (or inline); raises pool.Busy when that pool is full."""
    found = pools()
    return pool.InlineJob(fn, args, {}) if found is None else found[lane].submit(fn, *args)


def run(lane: str, fn: Callable, *args: Any, on_progress: Callable[[Any], None] | None = None) -> Any:
    """start(...) and wait for the result; Stop, another control or a closed tab cancel the job."""
    return start(lane, fn, *args).wait(on_progress, stop_check())


def busy_notice() -> None:
    st.warning(pool.BUSY_MESSAGE, icon=":material/hourglass_top:")
