"""A lesson stop's view, drawn on the lesson page: the charts of the page the stop names, at the stop's
settings, from the same cached computations and figure builders as that page (and the model the answer
is computed from: `lesson.view`), so the chart, the answer and "Explore this view" cannot disagree.

The full page keeps its controls; a stop shows what its note and question are about, compactly enough
that the note, the chart, the question and the revealed answer fit one screen.

Predict, then see: until the answer is revealed a question stop's view holds back what answers it (the
stop's `hold`): the step viewer stops at the step before the one asked about, and the saturation
matrices, the vanishing chart with its λ₁ line and the parameter tables are drawn with the answer.
"""
from __future__ import annotations

import streamlit as st

from .. import experiments, lessons, weights
from ..pool import Busy
from ..stories.shipped import misread_notice
from ..text import below_text, convention_label, gru_equations, vs_one
from ..viewer import cut as cut_steps
from . import built, cached, charts, classroom, work
from . import viewer as viewer_ui

KEY = "lesson_view"  # one prefix for every element the stop's view draws
HEIGHT = 380  # px: the chart, the note, the question and the answer on one 1280×800 screen
SATURATION_PROJECTED = 310  # px: on a projector the three matrices sit in a row beside the question
CHAIN_PROJECTED = 400  # px: on a projector, in 20 px type, the legend under the chains takes ~200 of it


def draw(stop: lessons.Stop, s, revealed: bool = True) -> None:
    """The stop's view; `revealed` False: its question is still open, and the view holds back its answer."""
    v = lessons.view(stop, s)
    held = stop.question is not None and not revealed and stop.hold != "nothing"
    if held and stop.hold == "view":
        _later("This stop's view is shown with the answer.")
        return
    {"": _home, "step": _step, "saturation": _saturation, "vanishing": _vanishing, "train": _train,
     "lstm": _lstm}[stop.page](v, held)


def _later(what: str) -> None:
    """Where a held-back part of the view goes: said, so the room knows it is coming and predicts first.
    One line, not a box: on a 1280×800 projector the step viewer needs the height."""
    st.markdown(f":material/visibility_off: *{what}*")


def _home(v: lessons.View, held: bool) -> None:  # the equations are what its question needs
    s = v.settings
    st.caption("The equations, under " + convention_label(s.reset_after, s.update))
    for line in gru_equations(s.reset_after, s.update):
        st.latex(r"\small " + line)


def _step(v: lessons.View, held: bool) -> None:
    s, x = v.settings, v.values
    t = int(x["t"])
    loaded = cached.story(s.preset) if x.get("weights", "trained") == "trained" else None
    try:
        data = viewer_ui.payload(s, loaded)
    except ValueError as err:
        st.warning(f"This stop's view cannot be drawn: {err}.", icon=":material/warning:")
        return
    if loaded is not None:  # the note speaks of the trained GRU: say when the convention makes it another model
        notice = misread_notice(s.preset, weights.build(loaded, s.reset_after, s.update))
        if notice:
            st.warning(notice, icon=":material/warning:")
    # Steps in the browser like the step page's viewer; the lesson keeps no position of its own, so a
    # reload or another stop starts where the stop says.
    if held:  # the steps before the one asked about, and not one value of it
        t = min(t, data["T"]) - 1
        if t < 1:
            _later(f"The diagram is shown with the answer: the question is about step {t + 1}, the first.")
            return
        data = cut_steps(data, t)
        _later(f"The diagram stops at step {t}; step {t + 1} is shown with the answer.")
    viewer_ui.step_viewer(data, key=f"{KEY}_viewer_{t}_{x['unit']}", t=t, unit=int(x["unit"]), compact=True,
                          projector=classroom.active())


def _saturation(v: lessons.View, held: bool) -> None:
    s, x = v.settings, v.values
    if held:
        _later(f"Case '{x['case']}': the exact step Jacobian, the frozen-gate one and their difference are drawn "
               "with the answer.")
        return
    T = len(cached.sequence(s).labels)
    t = T if x["sat_t"] is None else min(max(int(x["sat_t"]), 1), T)
    figs = built.saturation(s, x["case"], x["pz"], x["pr"], x["bz"], x["br"], t - 1, classroom.active())
    for col, k in zip(st.columns(3), ("sat_matrices", "sat_frozen", "sat_diff"), strict=True):
        with col:
            charts.draw(figs[k], f"{KEY}_{k}", height=SATURATION_PROJECTED if classroom.active() else HEIGHT - 100)


def _vanishing(v: lessons.View, held: bool) -> None:
    x = v.values
    if held:
        _later(f"The chains over T = {int(x['T'])} steps (RNN scale {float(x['rnn_scale']):g}, the median of "
               f"{int(x['seeds'])} random models) and λ₁ are drawn with the answer.")
        return
    try:
        van = cached.vanishing(v.settings, int(x["T"]), float(x["rnn_scale"]), int(x["seeds"]))
    except Busy:
        work.busy_notice()
        return
    st.markdown(f"RNN λ₁(W_hh), median: **{vs_one(van.rnn_lambda1)}** · GRU below 1e-6 at "
                f"**{below_text(van.gru_below, van.T)}** · RNN at **{below_text(van.rnn_below, van.T)}**")
    figs = built.vanishing(v.settings, int(x["T"]), float(x["rnn_scale"]), int(x["seeds"]), classroom.active())
    charts.draw(figs["chains"], f"{KEY}_chains", height=CHAIN_PROJECTED if classroom.active() else HEIGHT)


def _train(v: lessons.View, held: bool) -> None:
    x = v.values
    task = experiments.make_task(x["task"], int(x["length"]))
    st.markdown(f"**{experiments.TASKS[x['task']]}**, T = {int(x['length'])}: the parameters of each model at hidden "
                f"size H = {int(x['train_H'])}, {task.input_size} inputs a step. Training runs on the full page.")
    if held:
        _later("The parameter table is shown with the answer.")
        return
    _table(cached.param_table(task.input_size, int(x["train_H"])))


def _lstm(v: lessons.View, held: bool) -> None:
    s, x = v.settings, v.values
    seq = cached.sequence(s)
    if held:
        _later("The parameter table is shown with the answer.")
    else:
        _table(cached.param_table(seq.x.shape[1], s.hidden_size))
    T = int(x["lstm_T"])
    try:
        cached.three_chains(4, s.hidden_size, T, tuple(range(s.seed, s.seed + 10)))  # the pool: Busy when full
    except Busy:
        work.busy_notice()
        return
    charts.draw(built.three_chains(s.hidden_size, T, s.seed, classroom.active()), f"{KEY}_three_chains",
                height=CHAIN_PROJECTED - 110 if classroom.active() else HEIGHT - 60)


def _table(df) -> None:
    """A stop's table: on a projector an HTML table in the page's back-row type (a data grid draws its
    13 px text on a canvas, which no style reaches); elsewhere the sortable grid."""
    if classroom.active():
        st.table(df, hide_index=True)
    else:
        st.dataframe(df, hide_index=True, key=f"{KEY}_params")
