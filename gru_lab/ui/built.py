"""Built figures, cached like the data they draw, and shared by every session.

Building a Plotly figure (validating every trace and layout property) costs 5-25 ms; drawing one that
is built costs well under 1. A class follows one lesson link, so thirty students at the saturation
lab's step 5 ask for the same five figures: the first builds them, the rest draw them. Each entry is
keyed on the same plain settings as the computation it draws (and projector sizing), never on arrays.

A cached figure is never modified after it is built (`charts.Built` refuses nothing, so this module is
the one place that makes them; `charts.chart` copies any figure it must restyle).
"""
from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from .. import chart_text as alt
from ..figures import saturation as sat_figs
from ..figures import sequence as seq_figs
from ..figures import training as train_figs
from ..figures import vanishing as van_figs
from ..settings import Settings
from ..text import key_steps
from . import cached
from .cached import TTL
from .charts import Built, projector_sized

ENTRIES = 512  # a figure set is ~50-200 kB: 512 sets stay well under 100 MB


@dataclass(frozen=True)
class Chart:
    fig: go.Figure
    alt: str  # the chart's text alternative (`gru_lab.chart_text`)


def _chart(fig: go.Figure, text: str, projector: bool) -> Chart:
    return Chart(Built(projector_sized(fig) if projector else fig), text)


@st.cache_resource(max_entries=ENTRIES, ttl=TTL, show_spinner=False)
def saturation(s: Settings, case: str, pz: float, pr: float, bz: float, br: float, t0: int,
               projector: bool) -> dict[str, Chart]:
    """The saturation lab's charts at 0-based step t0, by widget key: the three matrices, the singular
    values, and the chain (or, for 'write-hold', the copy path and the two chains side by side)."""
    sat = cached.saturation(s, case, pz, pr, bz, br, t0)
    t = sat.t + 1
    panels = sat_figs.jacobian_panels(sat.J, sat.J_frozen)
    out = {
        "sat_matrices": _chart(panels[0], alt.jacobian(sat.J, "exact step Jacobian ∂h_t/∂h_(t−1)", sat.t), projector),
        "sat_frozen": _chart(panels[1], alt.jacobian(sat.J_frozen, "frozen-gate approximation (z and r held constant)",
                                                     sat.t), projector),
        "sat_diff": _chart(panels[2], alt.difference(sat.J, sat.J_frozen), projector),
        "sat_singular": _chart(sat_figs.singular_values(sat.sv, sat.sv_frozen), alt.singular_values(sat), projector),
    }
    if case != "write-hold":
        out["sat_chain"] = _chart(sat_figs.chain(sat.chain_log10, f"Chain from step {t} back to the start"),
                                  alt.saturation_chain(sat), projector)
        return out
    z_t, h_t, W_hn = sat.rec.z[sat.t], sat.rec.h[sat.t], sat.rec.model.W_hn
    out["sat_copy_path"] = _chart(sat_figs.copy_path(z_t, h_t, W_hn, s.update),
                                  alt.copy_path(z_t, h_t, W_hn, s.update, sat.t), projector)
    w = sat.write + 1
    crossing = (sat.t - sat.write + 1, f"across the write (step {w})") if sat.t >= sat.write else None
    out["sat_chain"] = _chart(sat_figs.chain(sat.chain_log10, f"Write, then hold: from step {t}", crossing,
                                             sat.copy_chain_log10), alt.write_hold_chain(sat), projector)
    out["sat_copy_chain"] = _chart(sat_figs.chain(sat.copy_chain_log10, f"Copy at every step: from step {t}", None,
                                                  sat.chain_log10), alt.copy_chain(sat), projector)
    return out


@st.cache_resource(max_entries=ENTRIES, ttl=TTL, show_spinner=False)
def vanishing(s: Settings, T: int, rnn_scale: float, n_seeds: int, projector: bool) -> dict[str, Chart]:
    """The vanishing page's chains and deltas; the page has computed `cached.vanishing` first (with its
    progress bar and its Busy notice), so here it is a look-up."""
    v = cached.vanishing(s, T, rnn_scale, n_seeds)
    return {"chains": _chart(van_figs.chains(v), alt.vanishing_chains(v), projector),
            "deltas": _chart(van_figs.deltas(v), alt.deltas(v), projector)}


@st.cache_resource(max_entries=ENTRIES, ttl=TTL, show_spinner=False)
def story_chains(s: Settings, rnn_scale: float, z_bias: float, projector: bool) -> Chart:
    sc = cached.story_chains(s, rnn_scale, z_bias)
    return _chart(van_figs.story_chains(sc), alt.story_chains(sc), projector)


@st.cache_resource(max_entries=ENTRIES, ttl=TTL, show_spinner=False)
def gates(s: Settings, projector: bool) -> dict[str, Chart]:
    """The GRU-vs-LSTM page's two gate heatmaps on the sidebar's input."""
    seq, gru = cached.step_record(s)
    _, lstm = cached.lstm_record(s)
    steps = key_steps(s.preset, seq)
    return {"gru_gates": _chart(seq_figs.heatmaps(gru, seq.labels, None, key_steps=steps), alt.heatmaps(gru, "GRU"),
                                projector),
            "lstm_gates": _chart(seq_figs.heatmaps(lstm, seq.labels, None, key_steps=steps),
                                 alt.heatmaps(lstm, "LSTM"), projector)}


@st.cache_resource(max_entries=ENTRIES, ttl=TTL, show_spinner=False)
def three_chains(H: int, T: int, seed: int, projector: bool) -> Chart:
    """RNN, GRU and LSTM chains over 10 seeds from `seed`; computed first by the page (pool, Busy)."""
    chains = cached.three_chains(4, H, T, tuple(range(seed, seed + 10)))
    return _chart(train_figs.three_chains(chains.distance, chains.median, T),
                  alt.model_chains(chains.distance, chains.median, T), projector)
