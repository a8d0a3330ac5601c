"""Every chart in words: how to read it, then what it shows in numbers (its text alternative).

A chart is an SVG that a screen reader announces as nothing, and a projector's back row may not make
out its colours, so each page puts one of these sentences under each chart (WCAG 1.1.1). They are
built from the very arrays the figure draws, so the words cannot disagree with the picture.
"""
from __future__ import annotations

import numpy as np

from .compute import VANISH_FLOOR, Saturation, Vanishing, copy_term, rnn_term
from .figures.saturation import colour_limit, scale_text
from .records import quantities
from .stories.chains import NAMES, StoryChains

NAMES_OF = {"z": "update gate z", "r": "reset gate r", "n": "candidate n", "h": "state h", "i": "input gate i",
            "f": "forget gate f", "o": "output gate o", "g": "candidate g", "c": "cell state c"}


def _num(x: float) -> str:
    """A norm or a value as a reader says it: 3 significant digits, powers of ten for the very small."""
    if not np.isfinite(x):
        return "0" if x == -np.inf else "beyond the float range" if x > 0 else "not a number"
    return f"{x:.3g}" if x == 0 or 1e-3 <= abs(x) < 1e4 else f"{x:.2e}"


def _pow10(log10: float) -> str:
    if log10 == -np.inf:
        return "exactly 0"
    return _num(10.0 ** log10) if -300 < log10 < 300 else f"10^{log10:.0f}"


def _at(log10: np.ndarray, distance: np.ndarray, d: int) -> tuple[int, str]:
    """The measured distance closest to d, and the norm there."""
    i = int(np.argmin(np.abs(np.asarray(distance) - d)))
    return int(distance[i]), _pow10(float(log10[i]))


def _below(d: int | None, T: int) -> str:
    floor = f"{VANISH_FLOOR:.0e}"
    return f"falls below {floor} at distance {d}" if d is not None else f"stays above {floor} over all {T} steps"


# ---- saturation lab -------------------------------------------------------------------------------
def jacobian(J: np.ndarray, which: str, t: int) -> str:
    H = J.shape[0]
    diag = np.diag(J)
    off = J[~np.eye(H, dtype=bool)] if H > 1 else np.zeros(1)
    return (f"How to read: the {which}, an {H} × {H} grid; row i, column j is how much unit j of h_(t−1) moves "
            f"unit i of h_t at step {t + 1}, grey for negative, white for 0, colour for positive. Here: the diagonal "
            f"runs from {_num(diag.min())} to {_num(diag.max())}, the largest entry off it is "
            f"{_num(np.abs(off).max())} in size.")


def difference(J: np.ndarray, J_frozen: np.ndarray) -> str:
    gap = np.abs(J - J_frozen)
    return (f"How to read: exact minus frozen gates, entry by entry: what treating z and r as constants leaves "
            f"out, drawn on its own colour scale, {scale_text(colour_limit(J - J_frozen))}, not the other two's. "
            f"Here: the largest difference is {_num(gap.max())} in size, the mean {_num(gap.mean())}.")


def singular_values(sat: Saturation) -> str:
    return (f"How to read: the singular values of the exact and the frozen-gate Jacobian, largest first: a value "
            f"of 1 hands a direction of h_(t−1) on unchanged, 0 drops it. Here: exact from {_num(sat.sv[0])} down to "
            f"{_num(sat.sv[-1])}, frozen gates from {_num(sat.sv_frozen[0])} down to {_num(sat.sv_frozen[-1])}.")


def saturation_chain(sat: Saturation) -> str:
    d = np.arange(1, len(sat.chain_log10) + 1)
    far, at_far = int(d[-1]), _pow10(float(sat.chain_log10[-1]))
    return (f"How to read: ‖∂h_t/∂h_k‖₂, how much of h_k still reaches h_t, against the distance t − k on a log "
            f"axis: a flat line at 1 keeps the past, a falling one forgets it. Here: {_pow10(sat.chain_log10[0])} at "
            f"distance 1, {at_far} at distance {far}.")


def write_hold_chain(sat: Saturation) -> str:
    """The write-hold chain: where it stays at 1 and where it crosses the write step."""
    w, t = sat.write, sat.t
    d = np.arange(1, len(sat.chain_log10) + 1)
    crossed = d > t - w if t >= w else np.zeros(len(d), dtype=bool)  # products that include the write's J
    if not crossed.any():
        here = (f"step {t + 1} comes before the write at step {w + 1}: {_range(sat.chain_log10)} at every distance "
                f"1 to {int(d[-1])}.")
    else:
        held = f"{_range(sat.chain_log10[~crossed])} at distances 1 to {t - w}, " if (~crossed).any() else ""
        here = (f"{held}{_range(sat.chain_log10[crossed])} from distance {t - w + 1} on, the distances whose "
                f"product crosses the write at step {w + 1}.")
    return ("How to read: ‖∂h_t/∂h_k‖₂ for the write-then-hold gates against the distance t − k on a log axis; a "
            f"dotted line marks the first distance that reaches back across the write (once t has passed it). "
            f"Here: {here}")


def copy_chain(sat: Saturation) -> str:
    d = len(sat.copy_chain_log10)
    return ("How to read: the same chain with the update gate on the copy side at every step, for the same step t "
            f"and on the same axis. Here: {_range(sat.copy_chain_log10)} at every distance 1 to {d}.")


def copy_path(z: np.ndarray, h: np.ndarray, W_hn: np.ndarray, update: str, t: int) -> str:
    sv_copy = np.linalg.svd(copy_term(z, update), compute_uv=False)
    sv_rnn = np.linalg.svd(rnn_term(h, W_hn), compute_uv=False)
    g = "z" if update == "keep" else "1 − z"
    return (f"How to read: left, the GRU step's copy path diag({g}), which hands each unit's past on by its own "
            f"gate; right, the whole Jacobian diag(1 − h_t²) W_hh of a tanh RNN step with W_hh = W_hn that landed "
            f"on the same h_t, which has no copy path; singular values of 1 keep a gradient, below 1 shrink it. "
            f"Here, at step {t + 1}: the copy path's singular values {_spread(sv_copy)}, the RNN step's "
            f"{_spread(sv_rnn)}.")


def _spread(sv: np.ndarray) -> str:
    """Singular values (descending) as a reader says them."""
    lo, hi = _num(float(sv[-1])), _num(float(sv[0]))
    return f"are all {lo}" if lo == hi else f"run from {lo} to {hi}"


def _range(log10: np.ndarray) -> str:
    lo, hi = float(np.min(log10)), float(np.max(log10))
    return _pow10(lo) if _pow10(lo) == _pow10(hi) else f"from {_pow10(lo)} to {_pow10(hi)}"


# ---- vanishing page ---------------------------------------------------------------------------------
def vanishing_chains(v: Vanishing) -> str:
    far = int(v.distance[-1])
    return (f"How to read: for each distance T − k, the line is the median over {v.n_seeds} random models of "
            f"‖∂h_T/∂h_k‖₂ on a log axis and the band their middle half; below the {VANISH_FLOOR:.0e} floor no "
            f"usable gradient is left. Here: the GRU's median {_below(v.gru_below, v.T)} "
            f"({_at(v.gru_chain.median, v.distance, far)[1]} at distance {far}); the RNN's "
            f"{_below(v.rnn_below, v.T)} ({_at(v.rnn_chain.median, v.distance, far)[1]} at {far}), "
            f"λ₁(W_hh) = {_num(v.rnn_lambda1)}.")


def deltas(v: Vanishing) -> str:
    first, last = 0, len(v.steps) - 1
    return (f"How to read: ‖δ_k‖, the size of the learning signal that BPTT brings back to step k from a loss on "
            f"the last state, on a log axis (median and middle half over {v.n_seeds} models). Here: at step "
            f"{int(v.steps[last])} GRU {_pow10(v.gru_delta.median[last])}, RNN {_pow10(v.rnn_delta.median[last])}; at "
            f"step {int(v.steps[first])} GRU {_pow10(v.gru_delta.median[first])}, "
            f"RNN {_pow10(v.rnn_delta.median[first])}.")


def story_chains(sc: StoryChains) -> str:
    d = min(30, sc.T)
    said = ", ".join(f"{name} {_at(sc.log10[name], sc.distance, d)[1]}" for name in NAMES)
    return (f"How to read: one line per model, ‖∂h_T/∂h_k‖₂ on this story's input against the distance T − k, "
            f"on a log axis. Here, at distance {d}: {said}.")


# ---- GRU vs LSTM and the Train page ------------------------------------------------------------------
def heatmaps(rec, model: str) -> str:
    values = quantities(rec)
    T, H = rec.h.shape
    said = "; ".join(f"{NAMES_OF.get(q, q)} {_num(a.min())} to {_num(a.max())} (mean {_num(a.mean())})"
                     for q, a in values.items())
    return (f"How to read: the {model}'s gates and states, one panel each, units down ({H}) and steps across "
            f"({T}); gates run from 0 (white) to 1 (colour), signed values from −1 (grey) to +1. Here: {said}.")


def model_chains(distance: np.ndarray, median: dict[str, np.ndarray], T: int) -> str:
    far = int(distance[-1])
    said = ", ".join(f"{name} {_at(values, distance, far)[1]}" for name, values in median.items())
    return (f"How to read: the median over random models of how much of s_k still reaches s_T, against the "
            f"distance T − k on a log axis (T = {T}). Here, at distance {far}: {said}.")


def losses(curves: dict[str, np.ndarray], baseline: float, metric: str) -> str:
    said = ", ".join(f"{name} {_num(float(v[-1]))} after {len(v)} steps" for name, v in curves.items() if len(v))
    return (f"How to read: the training loss ({metric}) at each step on a log axis, one line per model, and the "
            f"dashed baseline a model with no memory reaches. Here: {said or 'no step yet'}; "
            f"baseline {_num(baseline)}.")


def accuracies(curves: dict[str, np.ndarray], chance: float) -> str:
    said = ", ".join(f"{name} {_num(float(v[-1]))}" for name, v in curves.items() if len(v))
    return (f"How to read: the share of the batch each model classifies right at each step; the dashed line is "
            f"chance. Here, at the last step: {said}; chance {_num(chance)}.")


def before_after(chains: dict) -> str:
    distance = chains["distance"][""]
    far = int(distance[-1])
    said = "; ".join(f"{name} {_at(c['untrained'], distance, far)[1]} before, {_at(c['trained'], distance, far)[1]} "
                     "after" for name, c in chains.items() if name != "distance")
    return (f"How to read: how much of an early state still reaches the last one, against the distance, before "
            f"training (dotted, open markers) and after (solid). Here, at distance {far}: {said}.")


def sweep(lengths: tuple[int, ...], ratio: dict[str, np.ndarray], success: float) -> str:
    said = "; ".join(name + ": " + ", ".join(f"T = {n}: {_num(float(r))}" for n, r in zip(lengths, values,
                                                                                        strict=True))
                     for name, values in ratio.items())
    return (f"How to read: held-out loss divided by the no-memory baseline at each sequence length; below "
            f"{success:g} the model learned the task, at 1 it learned nothing. Here: {said}.")
