"""The answer functions: each computes a question's right option from the live model that the
stop's page shows under the session's settings (so it is right under either update convention and
any seed). A fixed registry, ANSWERS: a lesson file can only name one of them. Pure.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .. import compute, experiments, weights
from ..controls import CONTROLS, SIDEBAR_KEYS, keys_for_page, parse
from ..inputs import EMBED_DIM, PRESETS
from ..settings import Settings
from .values import (
    CHANGE,
    EQUAL,
    TABLE_KEY,
    ZERO,
    Stop,
    View,
)


# ---- the live model behind a stop ----------------------------------------------------------------
def view(stop: Stop, base: Settings) -> View:
    """The session's settings with the stop's sidebar parameters on top, and the page's values."""
    given = {k: parse(CONTROLS[k], raws) for k, raws in stop.query_lists().items()}
    s = {TABLE_KEY[k]: given[k] for k in SIDEBAR_KEYS if k in given}
    if "reset_after" in s:
        s["reset_after"] = s["reset_after"] == "after"
    if "seed" in s:
        s["seed"] = int(s["seed"])
    if "weight_scale" in s:
        s["weight_scale"] = float(s["weight_scale"])
    values = {k: given.get(k, CONTROLS[k].default) for k in keys_for_page(stop.page) if k not in SIDEBAR_KEYS}
    return View(replace(base, **s), values)


def step_record(v: View):
    """The step page's record: the preset's trained GRU (weights "trained", when it has one), else
    the sidebar's random weights, as the page picks them."""
    s = v.settings
    loaded = weights.story(s.preset) if v.values.get("weights", "trained") == "trained" else None
    if loaded is None:
        return compute.step_record(s)
    return compute.step_record(s, weights.build(loaded, s.reset_after, s.update), loaded.name)


def _saturation(v: View) -> compute.Saturation:
    x = v.values
    T = len(compute.sequence_for(v.settings).labels)
    t = T if x["sat_t"] is None else min(max(int(x["sat_t"]), 1), T)
    return compute.saturation(v.settings, x["case"], x["pz"], x["pr"], x["bz"], x["br"], t - 1)


def _vanishing(v: View) -> compute.Vanishing:
    x = v.values
    return compute.vanishing(compute.vanishing_settings(v.settings), int(x["T"]), float(x["rnn_scale"]),
                             int(x["seeds"]))


def _position(v: View, rec) -> tuple[int, int]:
    """The step (1-based) and unit the stop names, clamped to the record as the page clamps them."""
    T, H = rec.h.shape
    return min(max(int(v.values["t"]), 1), T), min(max(int(v.values["unit"]), 0), H - 1)


# ---- the answer functions ------------------------------------------------------------------------
def _signed(v: float) -> str:
    """A number as the cell diagram writes it: a true minus sign, three decimals."""
    return f"{v:.3f}".replace("-", "−")



@dataclass(frozen=True)
class Answer:
    page: str
    options: tuple[str, ...]
    compute: Callable[[View], tuple[int, str]]


def _copy_z(v: View) -> tuple[int, str]:
    keep = v.settings.update == "keep"
    eq = "h_t = z ⊙ h_(t−1) + (1 − z) ⊙ n_t" if keep else "h_t = (1 − z) ⊙ h_(t−1) + z ⊙ n_t"
    return (0 if keep else 1), (f"Under the convention now set ({'z keeps the past' if keep else 'z takes the new'}), "
                                f"{eq}, so z = {1 if keep else 0} gives h_t = h_(t−1).")


def _h_changes(v: View) -> tuple[int, str]:
    _, rec = step_record(v)
    t, j = _position(v, rec)
    change = float(abs(rec.h[t - 1, j] - rec.h_prev[t - 1, j]))
    yes = change > CHANGE
    before, after = rec.h_prev[t - 1, j], rec.h[t - 1, j]
    return (0 if yes else 1), (f"Unit {j} at step {t}: h goes from {_signed(before)} to {_signed(after)}, "
                               f"a change of {change:.3f}, {'above' if yes else 'not above'} {CHANGE:g}.")


def _z_keeps(v: View) -> tuple[int, str]:
    _, rec = step_record(v)
    t, j = _position(v, rec)
    z = float(rec.z[t - 1, j])
    kept = z if v.settings.update == "keep" else 1 - z
    role = "z is the share kept" if v.settings.update == "keep" else "1 − z is the share kept"
    return (0 if kept > 0.5 else 1), (f"Unit {j} at step {t}: z = {z:.3f} and {role}, so it keeps {kept:.0%} "
                                      f"of h_(t−1) and takes {1 - kept:.0%} of the candidate n.")


def _case_jacobian(v: View) -> tuple[int, str]:
    sat = _saturation(v)
    rec, t = sat.rec, sat.t
    rnn_like = (1 - rec.n[t] ** 2)[:, None] * rec.model.W_hn
    d_id = float(np.max(np.abs(sat.J - np.eye(sat.J.shape[0]))))
    d_zero = float(np.max(np.abs(sat.J)))
    d_rnn = float(np.max(np.abs(sat.J - rnn_like)))
    dists = (d_id, d_zero, d_rnn)
    best = int(np.argmin(dists))
    index = best if dists[best] < ZERO else 3
    gates = f"z = {rec.z[t, 0]:.2g}" + (f", r = {rec.r[t, 0]:.2g}" if rec.r_pinned else ", r free")
    return index, (f"Case '{v.values['case']}' under '{v.settings.update}' pins {gates} at step {t + 1}: "
                   f"max |J − I| = {d_id:.1e}, max |J| = {d_zero:.1e}, max |J − diag(1 − n²)·W_hn| = {d_rnn:.1e}.")


def _frozen_equal(v: View) -> tuple[int, str]:
    sat = _saturation(v)
    diff = float(np.max(np.abs(sat.J - sat.J_frozen)))
    equal = diff < EQUAL
    return (0 if equal else 1), (f"At step {sat.t + 1} the largest entry of |J − J_frozen| is {diff:.2e}, "
                                 f"{'below' if equal else 'above'} {EQUAL:g}: "
                                 + ("the pinned gates do not depend on h, so freezing them changes nothing."
                                    if equal else "the gates move with h, and the frozen-gate formula leaves "
                                                  "those terms out."))


def _first_below(v: View) -> tuple[int, str]:
    van = _vanishing(v)
    g, r = van.gru_below, van.rnn_below
    if g is None and r is None:
        index = 2
    elif g is not None and (r is None or g < r):
        index = 0
    elif r is not None and (g is None or r < g):
        index = 1
    else:
        index = 3

    def where(d):
        return f"at distance {d}" if d is not None else f"not within T = {van.T}"
    return index, (f"Median over {van.n_seeds} seeds: the GRU chain falls below 1e-6 {where(g)}, "
                   f"the RNN chain {where(r)}.")


def _lambda_below(v: View) -> tuple[int, str]:
    van = _vanishing(v)
    lam = van.rnn_lambda1
    below = lam < 1.0
    return (0 if below else 1), (f"The median λ₁(W_hh) over {van.n_seeds} RNNs is {lam:.3f}, "
                                 f"{'below' if below else 'not below'} 1/γ = 1 (γ = 1 bounds tanh′), "
                                 + ("so every step shrinks the gradient and the chain must vanish."
                                    if below else "so nothing forces the chain to vanish (it still may)."))


def _ratio_option(ratio: float) -> int:
    return int(np.argmin([abs(ratio - c) for c in (1.0, 3.0, 4.0)]))


def _train_params(v: View) -> tuple[int, str]:
    x = v.values
    I = experiments.make_task(x["task"], int(x["length"])).input_size
    H = int(x["train_H"])
    gru, rnn = experiments.param_count("GRU", I, H), experiments.param_count("RNN", I, H)
    return _ratio_option(gru / rnn), (f"With H = {H} and {I} inputs a step, the GRU has {gru:,} parameters and the "
                                      f"RNN {rnn:,}: {gru / rnn:.2g}× (three weight blocks, one per gate and the "
                                      "candidate).")


def _lstm_params(v: View) -> tuple[int, str]:
    s = v.settings
    I = compute.sequence_for(s, EMBED_DIM).x.shape[1]
    H = s.hidden_size
    gru, lstm = experiments.param_count("GRU", I, H), experiments.param_count("LSTM", I, H)
    index = 0 if gru > lstm else 1 if lstm > gru else 2
    return index, (f"With H = {H} and {I} inputs a step, the GRU has {gru:,} parameters and the LSTM {lstm:,}: "
                   "three blocks against four (input, forget, output gates and the candidate).")


YES_CHANGE = (f"Yes: |h_t − h_(t−1)| > {CHANGE:g}", f"No: it changes by at most {CHANGE:g}")
ANSWERS: dict[str, Answer] = {
    "copy_z": Answer("", ("z = 1", "z = 0"), _copy_z),
    "h_changes": Answer("step", YES_CHANGE, _h_changes),
    "z_keeps": Answer("step", ("It keeps more of the past h_(t−1)", "It takes more of the new candidate n"),
                      _z_keeps),
    "case_jacobian": Answer("saturation", ("The identity I", "Zero", "diag(1 − n²)·W_hn, an RNN's Jacobian",
                                           "None of these"), _case_jacobian),
    "frozen_equal": Answer("saturation", ("Yes, equal (difference below 1e-6)", "No, they differ"), _frozen_equal),
    "first_below": Answer("vanishing", ("The GRU's", "The RNN's", "Neither, within T steps", "Both at once"),
                          _first_below),
    "lambda_below": Answer("vanishing", ("Yes: λ₁ < 1/γ, so it must vanish", "No: λ₁ ≥ 1/γ, nothing forces it"),
                           _lambda_below),
    "train_params": Answer("train", ("The same", "About 3×", "About 4×"), _train_params),
    "lstm_params": Answer("lstm", ("The GRU", "The LSTM", "The same"), _lstm_params),
}


def computed_for(stop: Stop, base: Settings) -> str:
    """Which model and convention a stop's computed answer comes from, in words, for the screen."""
    v = view(stop, base)
    s, x = v.settings, v.values
    conv = ("z keeps the past" if s.update == "keep" else "z takes the new") + \
        (", reset after the product" if s.reset_after else ", reset before the product")
    random = f"random weights (H = {s.hidden_size}, seed {s.seed}, scale {s.weight_scale:g})"
    title = PRESETS[s.preset].title if s.preset in PRESETS else "your own input"
    if stop.page == "":
        model = "the GRU's equations"
    elif stop.page == "step":
        trained = x.get("weights", "trained") == "trained" and weights.story(s.preset) is not None
        model = f"the GRU trained for '{title}'" if trained else f"a GRU with {random} on '{title}'"
    elif stop.page == "saturation":
        model = f"a GRU with {random} on '{title}', case '{x['case']}'"
    elif stop.page == "vanishing":
        model = (f"{int(x['seeds'])} random GRUs and RNNs (H = {s.hidden_size}, seeds from {s.seed}), "
                 f"T = {int(x['T'])}, RNN scale {float(x['rnn_scale']):g}")
    elif stop.page == "train":
        model = f"a GRU and an RNN of hidden size {int(x['train_H'])} on the task '{experiments.TASKS[x['task']]}'"
    else:
        model = f"a GRU and an LSTM of hidden size {s.hidden_size} on '{title}'"
    return f"Computed from {model}; convention: {conv}."


def answer(stop: Stop, base: Settings) -> tuple[int, str]:
    """(index of the right option, one sentence saying why, with the numbers)."""
    q = stop.question
    if q is None:
        raise ValueError("this stop has no question")
    if isinstance(q.answer, int):
        return q.answer, "This is the answer the lesson's author set."
    return ANSWERS[q.answer.removeprefix("computed:")].compute(view(stop, base))
