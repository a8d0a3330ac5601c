"""Cached entry points for the pages, keyed on the settings themselves (Streamlit hashes frozen
dataclasses), so a rerun that changes nothing a computation depends on costs a look-up.

Records and models are frozen, read-only values, so they are cached as resources: shared, never
pickled. A loaded file is keyed on its digest, not its megabytes, and its entries are few and
expire, so an upload near the size limit cannot fill the server.

A large model (an upload near the size limit: H = 1024, I = 2048 is 75 MB of float64 weights, as much
again per convention built) is not cached globally at all: its model and records live in one
session-scoped entry for the model the tab shows now, which a new model replaces and the tab's closing
drops (Streamlit clears session-scoped caches when a websocket disconnects). Global entries for them
would pile up, one model per distinct upload, until their TTL, which is what filled the server.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable

import streamlit as st

from .. import compute, jobs, stories, tables, weights
from ..inputs import Sequence
from ..settings import Settings
from ..stories import chains as chains_of_a_story
from ..weights import Loaded
from . import work

BY_DIGEST = {Loaded: lambda w: w.digest}
TTL = 3600  # seconds an unused entry stays
LARGE_BYTES = 16 * 2**20  # weights above this are a large model: per tab, one at a time (see above)
LARGE_RECORDS = 8  # settings remembered for the tab's large model: presets and conventions to switch back to


def is_large(loaded: Loaded | None) -> bool:
    return loaded is not None and sum(a.nbytes for a in loaded.state.values()) > LARGE_BYTES


def give_back_memory() -> None:
    """Return freed memory to the system after a large model is dropped.

    glibc keeps freed heap memory in its arenas, and once a large array has been freed it serves arrays
    up to 32 MB from the heap, not from mmap: a dropped model's records and smaller tensors then stay in
    the process's RSS until malloc_trim hands them back.
    """
    gc.collect()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _find_libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:  # not glibc (macOS, musl without it): nothing to trim
        return None


_LIBC = _find_libc()


def _release(entries: dict) -> None:
    # Emptied here, not left to the cache, so that the memory is free when it is given back.
    entries.clear()
    give_back_memory()


@st.cache_resource(scope="session", max_entries=1, show_spinner=False, on_release=_release)
def _large_entries(digest: str) -> dict:
    """The tab's large model: its models by convention and its records by settings, for one digest only."""
    return {}


@st.cache_resource(max_entries=64, ttl=TTL, show_spinner=False)
def sequence(s: Settings) -> Sequence:
    return compute.sequence_for(s)


def loaded_model(loaded: Loaded, reset_after: bool, update: str):
    """One model per file and convention: the records below share its weights."""
    if not is_large(loaded):
        return _small_model(loaded, reset_after, update)
    entries = _large_entries(loaded.digest)
    key = ("model", reset_after, update)
    if key not in entries:
        entries[key] = weights.build(loaded, reset_after, update)
    return entries[key]


@st.cache_resource(max_entries=4, ttl=600, show_spinner=False, hash_funcs=BY_DIGEST)
def _small_model(loaded: Loaded, reset_after: bool, update: str):
    return weights.build(loaded, reset_after, update)


def step_record(s: Settings, loaded: Loaded | None = None) -> tuple[Sequence, compute.Record]:
    if not is_large(loaded):
        return _small_record(s, loaded)
    entries = _large_entries(loaded.digest)
    key = ("record", s)
    found = entries.pop(key, None)  # popped and put back: the most recently used come last
    if found is None:
        found = compute.step_record(s, loaded_model(loaded, s.reset_after, s.update), loaded.name)
        records = [k for k in entries if k[0] == "record"]
        for old in records[:max(0, len(records) - LARGE_RECORDS + 1)]:
            del entries[old]
    entries[key] = found
    return found


@st.cache_resource(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=BY_DIGEST)
def _small_record(s: Settings, loaded: Loaded | None = None) -> tuple[Sequence, compute.Record]:
    model = None if loaded is None else loaded_model(loaded, s.reset_after, s.update)
    return compute.step_record(s, model, loaded.name if loaded else "")


@st.cache_resource(max_entries=32, ttl=TTL, show_spinner=False)
def lstm_record(s: Settings):
    """The sidebar's input through an LSTM of the same size and seed, for the GRU-vs-LSTM page."""
    return compute.lstm_record(s)


@st.cache_data(max_entries=32, show_spinner="Measuring RNN, GRU and LSTM chains…")
def three_chains(I: int, H: int, T: int, seeds: tuple[int, ...]):
    """In a worker process (raises pool.Busy when the pool is full; a Busy call is not cached)."""
    return work.run("short", jobs.three_chains, I, H, T, tuple(seeds))


@st.cache_resource(max_entries=16, show_spinner=False)
def story(preset: str) -> Loaded | None:
    return weights.story(preset)


@st.cache_resource(max_entries=128, ttl=TTL, show_spinner=False)
def saturation(s: Settings, case: str, pz: float, pr: float, bz: float, br: float, t: int) -> compute.Saturation:
    return compute.saturation(s, case, pz, pr, bz, br, t)


@st.cache_data(max_entries=400, show_spinner=False)
def vanishing_runs(s: Settings, T: int, rnn_scale: float, seeds: tuple[int, ...]) -> tuple[compute.SeedRun, ...]:
    """One block of seeds, computed together in a worker process (raises pool.Busy when it is full)."""
    return work.run("short", jobs.vanishing_block, s, T, rnn_scale, seeds)


def vanishing(s: Settings, T: int, rnn_scale: float, n_seeds: int,
              progress: Callable[[float], None] | None = None) -> compute.Vanishing:
    """Each block of seeds is cached on its own, so adding a seed computes one block, not all of them."""
    return compute.vanishing(compute.vanishing_settings(s), T, rnn_scale, n_seeds, vanishing_runs, progress)


@st.cache_data(max_entries=64, ttl=TTL, show_spinner=False, hash_funcs=BY_DIGEST)
def watch_for(s: Settings, loaded: Loaded | None = None) -> tuple[str, str | None, int | None]:
    """The step page's "Watch for" line, the trained read-out's answer and the unit the story is about,
    all from the record's own numbers."""
    seq, rec = step_record(s, loaded)
    c = stories.claim(s.preset, seq, rec)
    return (stories.watch_for(s.preset, seq, rec, random_weights=loaded is None),
            stories.prediction(s.preset, seq, rec), c.unit if c is not None and c.holds else None)


@st.cache_resource(max_entries=64, ttl=TTL, show_spinner=False)
def story_chains(s: Settings, rnn_scale: float, z_bias: float):
    """Three 34-step chains of H = 8: milliseconds, so no worker is needed."""
    return chains_of_a_story.story_chains(s, rnn_scale, z_bias)


@st.cache_resource(max_entries=32, ttl=TTL, show_spinner=False)
def param_table(I: int, H: int):
    """`tables.param_table` as an Arrow table, made once: st.dataframe converts a pandas frame to Arrow on
    every run (a third of a lesson stop's run), an Arrow table it only writes out."""
    import pyarrow as pa

    return pa.Table.from_pandas(tables.param_table(I, H), preserve_index=False)
