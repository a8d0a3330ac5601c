"""Words and formulas the pages show, built from records so they stay true as controls move."""
from __future__ import annotations

import numpy as np

from gru_core import GRURecord

from .compute import VANISH_FLOOR, Saturation, Vanishing


def gru_equations(reset_after: bool, update: str) -> list[str]:
    """The four GRU equations (LaTeX) under the active conventions."""
    cand = (r"n_t = \tanh\big(W_{in}x_t + b_{in} + r_t \odot (W_{hn}h_{t-1} + b_{hn})\big)" if reset_after
            else r"n_t = \tanh\big(W_{in}x_t + b_{in} + W_{hn}(r_t \odot h_{t-1}) + b_{hn}\big)")
    upd = (r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot n_t" if update == "keep"
           else r"h_t = (1 - z_t) \odot h_{t-1} + z_t \odot n_t")
    return [
        r"r_t = \sigma(W_{ir}x_t + b_{ir} + W_{hr}h_{t-1} + b_{hr})",
        r"z_t = \sigma(W_{iz}x_t + b_{iz} + W_{hz}h_{t-1} + b_{hz})",
        cand,
        upd,
    ]


def convention_label(reset_after: bool, update: str) -> str:
    reset = ("reset after the product (PyTorch, Keras default)" if reset_after
             else "reset before the product (Cho et al. 2014)")
    keep = "z keeps the past (PyTorch, Cho et al.)" if update == "keep" else "z takes the new (Chung et al. 2014)"
    return f"{reset}; {keep}"


def model_label(rec, filename: str | None, s) -> str:
    """One line saying which model the page shows."""
    name = type(rec.model).__name__
    H, I = rec.model.hidden_size, rec.model.input_size
    if filename is None:
        return f"Model: {name} with random weights (H = {H}, seed {s.seed}, weight scale {s.weight_scale:g})."
    return f"Model: {name} from {filename} (H = {H}, {I} inputs per step)."


def unit_equations(rec: GRURecord, t: int, j: int) -> list[str]:
    """The four equations for hidden unit j at step t with every number filled in."""
    m = rec.model
    x, hp = rec.x[t], rec.h_prev[t]
    H = m.hidden_size
    b_ih, b_hh = m.params.b_ih, m.params.b_hh
    ir, iz, i_n = (m.W_ir[j] @ x + b_ih[j], m.W_iz[j] @ x + b_ih[H + j], m.W_in[j] @ x + b_ih[2 * H + j])
    hr, hz = m.W_hr[j] @ hp + b_hh[j], m.W_hz[j] @ hp + b_hh[H + j]
    r, z, n, h, a = rec.r[t, j], rec.z[t, j], rec.n[t, j], rec.h[t, j], rec.a[t, j]
    pin_r = r" \;\text{(pinned)}" if rec.r_pinned else ""
    pin_z = r" \;\text{(pinned)}" if rec.z_pinned else ""
    u = f"_{{{j}}}"
    lines = [
        rf"r{u} = \sigma({ir:.3f} {_signed(hr)}) = {r:.3f}{pin_r}" if not rec.r_pinned else rf"r{u} = {r:.3f}{pin_r}",
        rf"z{u} = \sigma({iz:.3f} {_signed(hz)}) = {z:.3f}{pin_z}" if not rec.z_pinned else rf"z{u} = {z:.3f}{pin_z}",
    ]
    if m.reset_after:
        lines.append(rf"n{u} = \tanh({i_n:.3f} + {r:.3f} \cdot {_paren(a)}) = {n:.3f}")
    else:
        lines.append(rf"n{u} = \tanh({i_n:.3f} {_signed(a)}) = {n:.3f}")
    if m.update == "keep":
        lines.append(rf"h{u} = {z:.3f} \cdot {_paren(hp[j])} + {1 - z:.3f} \cdot {_paren(n)} = {h:.3f}")
    else:
        lines.append(rf"h{u} = {1 - z:.3f} \cdot {_paren(hp[j])} + {z:.3f} \cdot {_paren(n)} = {h:.3f}")
    return lines


def _signed(v: float) -> str:
    return f"+ {v:.3f}" if v >= 0 else f"- {-v:.3f}"


def _paren(v: float) -> str:
    return f"({v:.3f})" if v < 0 else f"{v:.3f}"


# ---- the steps a preset's story is about --------------------------------------------------------
KEY_WORDS = {  # preset key → the words its one-line "watch" sentence is about
    "clue": ("umbrella", "dry"),
    "verdict_end": ("honestly", "terrible"),
    "verdict_start": ("brilliant",),
}
WEEK = 7


def key_steps(preset: str, seq) -> tuple[int, ...]:
    """0-based steps the preset's story points at, for the heatmaps to label and mark.

    Words: where the key words stand. Adding problem: the steps whose marker input (feature 1) is 1.
    Weekly sales: the busiest weekday of the first week and the same weekday every week after it.
    """
    if preset in KEY_WORDS:
        return tuple(t for t, w in enumerate(seq.labels) if w in KEY_WORDS[preset])
    x = np.asarray(seq.x)
    if preset == "adding" and x.ndim == 2 and x.shape[1] >= 2:
        return tuple(int(t) for t in np.flatnonzero(x[:, 1] == 1.0))
    if preset == "sales" and len(x) >= WEEK:
        peak = int(np.argmax(x[:WEEK, 0]))
        return tuple(range(peak, len(x), WEEK))
    return ()


def key_steps_caption(preset: str, seq) -> str:
    """One line naming the marked steps, or '' when the preset has none."""
    steps = key_steps(preset, seq)
    if not steps:
        return ""
    if preset == "adding":
        what = " and ".join(f"{t + 1} (value {seq.x[t, 0]:g})" for t in steps)
        return f"Marked ▼: steps {what}, whose marker is 1: the answer is the sum of their values."
    if preset == "sales":
        return (f"Marked ▼: steps {', '.join(str(t + 1) for t in steps)}, the weekday that was busiest in the "
                "first week, in every week: the same day seven steps back is the useful memory.")
    return "Marked ▼: " + ", ".join(f"step {t + 1} “{seq.labels[t]}”" for t in steps) + "."


# ---- saturation lab -----------------------------------------------------------------------------
def case_labels(update: str) -> dict[str, str]:
    copy_z, new_z = ("1", "0") if update == "keep" else ("0", "1")
    return {
        "free": "gates as computed",
        "copy": f"z = {copy_z}: copy the past",
        "write-hold": f"z = {new_z} once, then {copy_z}: write, then hold",
        "cut": f"z = {new_z}, r = 0: cut the past",
        "rnn-like": f"z = {new_z}, r = 1: a plain RNN",
        "custom": "your pinned values",
    }


def case_numbers(sat: Saturation, units: int = 4) -> str:
    """The values the active case's formula is made of, at the chosen step, for the first few units."""
    t = sat.t
    H = sat.rec.h.shape[1]

    more = r", \dots" if H > units else ""

    def row(v) -> str:
        return "(" + ", ".join(f"{x:.2f}" for x in v[:units]) + more + ")"

    n = sat.rec.n[t]
    # One quantity a line: the values fit a phone's width instead of scrolling out of sight.
    return (rf"\begin{{aligned}}&\text{{at step }}t = {t + 1}:\\ &z_t = {row(sat.rec.z[t])}\\ "
            rf"&r_t = {row(sat.rec.r[t])}\\ &1 - n_t^2 = {row(1 - n * n)}\end{{aligned}}")


def case_formula(case: str, update: str, reset_after: bool) -> str:
    copy_z, new_z = ("1", "0") if update == "keep" else ("0", "1")
    if case == "write-hold":  # w is the write step; the page states which step that is
        return (rf"\begin{{aligned}}&t = w:\ z = {new_z},\ r = 0:\quad \frac{{\partial h_t}}{{\partial h_{{t-1}}}} = 0"
                rf"\\ &t \neq w:\ z = {copy_z}:\quad \frac{{\partial h_t}}{{\partial h_{{t-1}}}} = I"
                r"\\ &\Big\|\frac{\partial h_t}{\partial h_k}\Big\| = \begin{cases}1 & k \ge w\\ 0 & k < w \le t"
                r"\end{cases}\end{aligned}")
    rnn_like = (r"\operatorname{diag}(1 - n_t^2)\,W_{hn}")
    general_n = (r"\operatorname{diag}(1-n_t^2)\,\operatorname{diag}(r_t)\,W_{hn}" if reset_after
                 else r"\operatorname{diag}(1-n_t^2)\,W_{hn}\operatorname{diag}(r_t)")
    g = "z_t" if update == "keep" else "1 - z_t"
    one_minus_g = "1 - z_t" if update == "keep" else "z_t"
    return {
        "copy": rf"z = {copy_z}:\quad \frac{{\partial h_t}}{{\partial h_{{t-1}}}} = I",
        "cut": rf"z = {new_z},\ r = 0:\quad \frac{{\partial h_t}}{{\partial h_{{t-1}}}} = 0",
        "rnn-like": rf"z = {new_z},\ r = 1:\quad \frac{{\partial h_t}}{{\partial h_{{t-1}}}} = {rnn_like}",
    }.get(case, rf"\begin{{aligned}}\frac{{\partial h_t}}{{\partial h_{{t-1}}}} &\approx \operatorname{{diag}}({g})"
                rf"\\ &\quad + \operatorname{{diag}}({one_minus_g})\\ &\qquad\cdot {general_n}"
                r"\\ &\quad\text{(gates held fixed)}\end{aligned}")  # short lines: a phone shows all of it


def case_explanation(case: str, update: str, sat: Saturation) -> str:
    copy_z, new_z = ("1", "0") if update == "keep" else ("0", "1")
    if case == "copy":
        return (f"With z = {copy_z} the new state is an exact copy of the old one, so the step Jacobian is the "
                "identity: a gradient passes through this step unchanged, however many such steps there are. "
                "This is the path that lets a GRU remember across long gaps. Pinned like this at every step, "
                "though, h never leaves h₀: nothing new is ever written. A GRU that remembers opens the gate "
                "once, to write, and then holds it on the copy side across the gap.")
    if case == "write-hold":
        return write_hold_reading(update, sat)
    if case == "cut":
        return (f"With z = {new_z} the old state is thrown away, and with r = 0 the candidate ignores it too. "
                "Nothing about h_(t−1) reaches h_t, so the Jacobian is the zero matrix and no gradient flows "
                "further back: the memory is deliberately reset.")
    if case == "rnn-like":
        return (f"With z = {new_z} and r = 1 the GRU turns into a plain tanh RNN with weights W_hn. Its chain "
                f"shrinks or grows like a vanilla RNN's: here the largest singular value of W_hn is "
                f"{sat.W_hn_norm:.2f}, and since tanh' ≤ 1 each step can stretch a gradient by at most that much.")
    return frozen_gap_hint(sat)


HELD = 1e-9  # a chain within this of 1 is said to be 1: what is left is rounding in the product


def write_hold_split(sat: Saturation) -> tuple[np.ndarray, np.ndarray]:
    """The write-hold chain (norms, not logs) split at the write: distances 1 … t − w, whose product
    holds identities only, and t − w + 1 … t + 1, whose product includes the write step's Jacobian."""
    norms = 10.0 ** np.asarray(sat.chain_log10)  # −inf (an exactly cut chain) becomes exactly 0
    held = max(sat.t - sat.write, 0) if sat.t >= sat.write else len(norms)
    return norms[:held], norms[held:]


def write_hold_reading(update: str, sat: Saturation) -> str:
    """What the write-hold chain shows, said from its numbers, so the words hold for the chart."""
    copy_z, new_z = ("1", "0") if update == "keep" else ("0", "1")
    w, t = sat.write, sat.t
    clue = f"step {w + 1} (“{sat.seq.labels[w]}”)"
    how = (f"The update gate writes once, at {clue}: there z = {new_z} and r = 0, so h becomes the candidate, "
           f"made from that step's input alone. At every other step z = {copy_z} holds it, a copy whose Jacobian "
           "is I (before the write it holds h₀).")
    held, crossed = write_hold_split(sat)
    copy = 10.0 ** np.asarray(sat.copy_chain_log10)
    copy_said = ("stays at 1 all the way back to h₀, but with the gate never open nothing is ever written: "
                 "its h is h₀ at every step" if np.all(np.abs(copy - 1.0) <= HELD)
                 else f"runs from {copy.min():.3g} to {copy.max():.3g}")
    if not crossed.size:
        return (f"{how} Step {t + 1} comes before the write, so every step back to h₀ is a hold: the chain is "
                f"{_held(held)} at every distance. The copy case beside it {copy_said}.")
    if held.size:
        kept = (f"From step {t + 1} back to the state written at step {w + 1}, distances 1 to {held.size}, the "
                f"chain is {_held(held)}: the hold passes a gradient on undiminished.")
    else:
        kept = f"Step {t + 1} is the write itself."
    drop = ("drops to exactly 0" if np.all(crossed == 0.0)
            else f"drops to between {crossed.min():.3g} and {crossed.max():.3g}")
    return (f"{how} {kept} Across the write (distance {held.size + 1} on) it {drop}: what came before the write "
            f"is forgotten. The copy case beside it {copy_said}.")


def _held(norms: np.ndarray) -> str:
    return "exactly 1 (to rounding)" if np.all(np.abs(norms - 1.0) <= HELD) else \
        f"between {norms.min():.3g} and {norms.max():.3g}"


BIAS_SLIDER = {"z": "update gate bias shift", "r": "reset gate bias shift"}  # the page's slider labels
SATURATED_GAP = 1e-3  # below this the frozen-gate matrix is as good as exact, to the heatmaps' eye


def frozen_gap_hint(sat: Saturation) -> str:
    """What separates the exact Jacobian from the frozen-gate one here, and which slider changes that.

    Only gates that move with h_(t−1) add terms to the exact Jacobian, and the bias sliders only
    move gates that are computed: a pinned gate ignores its bias.
    """
    gap = float(np.abs(sat.J - sat.J_frozen).max())
    free = [g for g, pinned in (("z", sat.rec.z_pinned), ("r", sat.rec.r_pinned)) if not pinned]
    if not free:
        return ("Both gates are pinned, so neither moves with h_(t−1): the exact Jacobian is the frozen-gate one "
                "(their largest difference is 0). The bias sliders shift the gates' inputs, which pinned gates "
                "ignore; move the pinned values of z and r instead.")
    names = " and ".join(free)
    verb = "moves" if len(free) == 1 else "move"
    gap_text = "0" if gap == 0 else f"{gap:.2e}"
    lead = (f"The exact Jacobian adds terms for how {names} {verb} with h_(t−1); here the largest difference "
            f"between the exact and the frozen-gate matrix is {gap_text}.")
    if gap < SATURATED_GAP:
        return f"{lead} That is already small: here, holding the gates fixed changes almost nothing."
    sliders = " and ".join(f"“{BIAS_SLIDER[g]}”" for g in free)
    return (f"{lead} Push the {sliders} slider{'s' if len(free) > 1 else ''} far from 0 to saturate "
            f"{names} and watch that difference shrink towards the pinned cases.")


# ---- GRU vs vanilla RNN ------------------------------------------------------------------------
def vs_one(x: float, digits: int = 3) -> str:
    """x rounded to at least `digits` decimals, and to more where rounding would carry it across 1:
    λ₁ = 0.9963 prints as 0.996 at 3 digits but as 0.9963, not 1.00, at 2."""
    for d in range(digits, 12):
        shown = float(f"{x:.{d}f}")
        if (shown < 1) == (x < 1) and (shown > 1) == (x > 1):
            return f"{x:.{d}f}"
    return repr(x)


def lambda_comparison(lam: float, digits: int = 3) -> str:
    """'λ₁ = 0.996 < 1/γ = 1', with the sign the unrounded value has."""
    sign = "<" if lam < 1 else ">" if lam > 1 else "="
    return f"λ₁ = {vs_one(lam, digits)} {sign} 1/γ = 1"


def below_text(d: int | None, T: int) -> str:
    """A metric's value: where the median chain first falls below the floor, or that it does not on this chart."""
    return f"{d} steps" if d is not None else f"not within {T} steps"


def _above_one(log10_median: np.ndarray, distance: np.ndarray) -> tuple[int | None, float, int]:
    """(the farthest distance ≥ 2 at which the median chain is still ≥ 1, or None; its peak; where)."""
    finite = np.where(np.isfinite(log10_median), log10_median, -np.inf)
    i = int(np.argmax(finite))
    held = distance[(finite >= 0) & (distance >= 2)]
    return (int(held.max()) if held.size else None), float(10.0 ** finite[i]), int(distance[i])


def vanishing_verdict(v: Vanishing) -> str:
    """Which model carries gradient further back on the chart, and why, from the numbers alone.

    Every sentence must hold for the chart it sits under: a tie is a tie, and an RNN that stays
    above the floor because its chain grows (λ₁ > 1) is not read as the better memory.
    """
    g, r, lam, floor = v.gru_below, v.rnn_below, v.rnn_lambda1, f"{VANISH_FLOOR:.0e}"
    held, peak, peak_at = _above_one(v.rnn_chain.median, v.distance)
    end = float(10.0 ** v.rnn_chain.median[-1]) if np.isfinite(v.rnn_chain.median[-1]) else 0.0
    lower = " Lower the RNN scale to bring λ₁ to 1 or below and compare." if lam > 1 else ""
    grows = (f"the RNN's median chain stays at or above 1 out to distance {held} (up to {peak:.3g} at distance "
             f"{peak_at})") if held is not None else ""
    if r is None and end >= 1:
        return (f"The RNN's median chain does not fade at all: it is still {end:.3g} at distance {v.distance[-1]}, "
                "so its gradients are kept or amplified, the exploding side of λ₁ > 1. A gradient that grows with "
                "distance makes training unstable; it is not a better memory." + lower)
    if g is not None and g == r:
        return (f"Both median chains first fall below {floor} at the same measured distance, {g} steps: on this "
                "chart neither carries gradient further back."
                + (" With λ₁ above 1 the RNN is no longer bound to vanish, so it can keep up." + lower
                   if lam > 1 else " Change the seed or the sequence length and compare."))
    if g is None and r is None:
        return (f"Neither median chain falls below {floor} within the {v.T} steps shown; lengthen the sequence "
                "to separate them." + (f" On the way, {grows}: with λ₁ above 1 its gradients grow before they "
                                       "fade." if grows else ""))
    if r is not None and (g is None or g > r):
        return "The GRU carries gradient further back than the RNN on this input."
    if grows and lam > 1:
        return (f"The RNN's chain outlasts the GRU's here because with λ₁ above 1 its steps stretch gradients: "
                f"{grows} before it fades. That is the exploding side, where gradients grow instead of carrying "
                "a stable memory, and it makes training harder, not easier." + lower)
    return ("Here the RNN's chain reaches further than the GRU's: an untrained GRU's gates are random, not tuned "
            "to keep the past (training sets them). Change the seed"
            + (" or lower the RNN scale" if lam > 1 else "") + " and compare.")


def vanishing_reading(v: Vanishing) -> str:
    lam = v.rnn_lambda1
    regime = ("below 1, so its gradients are guaranteed to vanish (Pascanu et al. 2013)" if lam < 1
              else "not below 1, so vanishing is no longer guaranteed and gradients may even explode")
    floor = f"{VANISH_FLOOR:.0e}"

    def fate(name: str, d: int | None) -> str:
        if d is None:
            return f"the {name}'s median chain stays above {floor} over all {v.T} steps"
        return f"the {name}'s median chain falls below {floor} after {d} steps"

    return (f"Each curve shows how much a change in an early state still moves the final one, on a log scale, "
            f"as the gap T − k grows (median of {v.n_seeds} random models, band = middle half). "
            f"The RNNs' largest singular value λ₁(W_hh), median over the models, is {vs_one(lam)}, {regime}. "
            f"On this chart {fate('RNN', v.rnn_below)}, while {fate('GRU', v.gru_below)}. {vanishing_verdict(v)}")
