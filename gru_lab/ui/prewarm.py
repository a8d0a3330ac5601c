"""What every first visitor asks for, computed once when the server starts, in the background: each
page at its defaults and every stop of the built-in lesson, plain and in projector sizes. A class
opening the lesson's first link together then waits for no worker pool and builds no figure.

It fills the very caches the pages read (`cached`, `built`, `viewer.payload`) with the same keys,
so tests/app/test_prewarm.py opens each of them after `defaults()` and counts no figure built.
GRU_LAB_PREWARM=0 turns it off (the AppTest suite does: its tests time and patch their own runs).
"""
from __future__ import annotations

import logging
import os
import threading

from .. import lessons
from ..controls import CONTROLS
from ..settings import Settings
from . import built, cached
from . import viewer as viewer_ui
from .sidebar import default_settings

_started = False
_lock = threading.Lock()
LOG = logging.getLogger("gru_lab")


def start() -> None:
    """Once per server process: fill the caches on a thread of its own while the first page draws."""
    global _started
    with _lock:
        if _started or os.environ.get("GRU_LAB_PREWARM") == "0":
            return
        _started = True
    # Imported here, before the thread: Plotly looks for pandas in sys.modules without the import lock, so
    # a figure built while another thread is still importing pandas finds half a module (seen as
    # "partially initialized module 'pandas' has no attribute 'Series'" on the first page of a server).
    import pandas  # noqa: F401
    import plotly.graph_objects  # noqa: F401
    threading.Thread(target=_quietly, name="gru-lab-prewarm", daemon=True).start()


def _quietly() -> None:
    try:
        defaults()
    except Exception:  # noqa: BLE001 - a cold cache is slower, never wrong: the pages compute on demand
        LOG.exception("prewarming the default views failed; they will be computed on first visit")


def _d(key: str):
    return CONTROLS[key].default


def defaults() -> None:
    s = default_settings()
    for projector in (False, True):  # a lesson is usually projected; a student's phone is not
        _step(s, _d("weights"), _d("t"), _d("unit"))
        _saturation(s, _d("case"), _d("pz"), _d("pr"), _d("bz"), _d("br"), _d("sat_t"), projector)
        _vanishing(s, _d("T"), _d("rnn_scale"), _d("seeds"), _d("z_bias"), projector)
        _lstm(s, _d("lstm_T"), projector)
        for stop in lessons.BUILT_IN.stops:
            v = lessons.view(stop, s)
            x = v.values
            if stop.page == "step":
                _step(v.settings, x.get("weights", "trained"), x["t"], x["unit"])
            elif stop.page == "saturation":
                _saturation(v.settings, x["case"], x["pz"], x["pr"], x["bz"], x["br"], x["sat_t"], projector)
            elif stop.page == "vanishing":
                _vanishing(v.settings, int(x["T"]), float(x["rnn_scale"]), int(x["seeds"]), None, projector)
            elif stop.page == "lstm":
                _lstm(v.settings, int(x["lstm_T"]), projector, gates=False)


def _step(s: Settings, weights: str, t, unit) -> None:
    loaded = cached.story(s.preset) if weights == "trained" else None
    viewer_ui.payload(s, loaded)
    cached.watch_for(s, loaded)


def _saturation(s: Settings, case, pz, pr, bz, br, sat_t, projector: bool) -> None:
    T = len(cached.sequence(s).labels)
    t = T if sat_t is None else min(max(int(sat_t), 1), T)
    built.saturation(s, case, pz, pr, bz, br, t - 1, projector)


def _vanishing(s: Settings, T: int, rnn_scale: float, seeds: int, z_bias, projector: bool) -> None:
    cached.vanishing(s, T, rnn_scale, seeds)
    built.vanishing(s, T, rnn_scale, seeds, projector)
    if z_bias is not None:
        built.story_chains(s, rnn_scale, z_bias, projector)


def _lstm(s: Settings, T: int, projector: bool, gates: bool = True) -> None:
    cached.three_chains(4, s.hidden_size, T, tuple(range(s.seed, s.seed + 10)))
    built.three_chains(s.hidden_size, T, s.seed, projector)
    if gates:
        built.gates(s, projector)
