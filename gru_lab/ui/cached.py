"""Cached entry points for the pages, keyed on the settings themselves (Streamlit hashes frozen
dataclasses), so a rerun that changes nothing a computation depends on costs a look-up.

Records and models are frozen, read-only values, so they are cached as resources: shared, never
pickled. A loaded file is keyed on its digest, not its megabytes, and its entries are few and
expire, so an upload near the size limit cannot fill the server.
"""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from .. import compute, jobs, stories, weights
from .. import story_chains as chains_of_a_story
from ..inputs import Sequence
from ..settings import Settings
from ..weights import Loaded
from . import work

BY_DIGEST = {Loaded: lambda w: w.digest}
TTL = 3600  # seconds an unused entry stays


@st.cache_resource(max_entries=64, ttl=TTL, show_spinner=False)
def sequence(s: Settings) -> Sequence:
    return compute.sequence_for(s)


@st.cache_resource(max_entries=4, ttl=600, show_spinner=False, hash_funcs=BY_DIGEST)
def loaded_model(loaded: Loaded, reset_after: bool, update: str):
    """One model per file and convention: the records below share its weights."""
    return weights.build(loaded, reset_after, update)


@st.cache_resource(max_entries=32, ttl=TTL, show_spinner=False, hash_funcs=BY_DIGEST)
def step_record(s: Settings, loaded: Loaded | None = None) -> tuple[Sequence, compute.Record]:
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
