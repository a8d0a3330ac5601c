"""Cached entry points for the pages. Keys are plain tuples, so a rerun that changes nothing the
computation depends on (a unit picker, a tab) costs a dictionary look-up."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from . import compute, models, trainer
from .inputs import Sequence
from .models import Loaded
from .settings import Settings


@st.cache_data(max_entries=64, show_spinner=False)
def step_record(key: tuple, weights_id: str = "", _loaded: Loaded | None = None) -> tuple[Sequence, compute.Record]:
    """`weights_id` names `_loaded` (unhashed: a file's digest stands for its tensors)."""
    return compute.step_record(Settings(*key), _loaded)


@st.cache_data(max_entries=32, show_spinner=False)
def lstm_record(key: tuple):
    """The sidebar's input through an LSTM of the same size and seed, for the GRU-vs-LSTM page."""
    return compute.lstm_record(Settings(*key))


@st.cache_data(max_entries=32, show_spinner="Measuring RNN, GRU and LSTM chains…")
def three_chains(I: int, H: int, T: int, seeds: tuple[int, ...]):
    return trainer.three_chains(I, H, T, list(seeds))


@st.cache_resource(max_entries=8, show_spinner=False)
def shipped(choice: str) -> Loaded:
    return models.shipped(choice)


@st.cache_data(max_entries=128, show_spinner=False)
def saturation(key: tuple, case: str, pz: float, pr: float, bz: float, br: float, t: int) -> compute.Saturation:
    return compute.saturation(Settings(*key), case, pz, pr, bz, br, t)


@st.cache_data(max_entries=2000, show_spinner=False)
def vanishing_run(key: tuple, T: int, rnn_scale: float, seed: int) -> compute.SeedRun:
    return compute.vanishing_run(Settings(*key), T, rnn_scale, seed)


def vanishing(key: tuple, T: int, rnn_scale: float, n_seeds: int,
              progress: Callable[[float], None] | None = None) -> compute.Vanishing:
    """Each seed is cached on its own, so adding a seed computes one more, not all of them."""
    seeds = compute.seeds_for(Settings(*key), n_seeds)
    runs = []
    for i, seed in enumerate(seeds):
        runs.append(vanishing_run(key, T, rnn_scale, seed))
        if progress:
            progress((i + 1) / len(seeds))
    return compute.summarize(runs, T)
