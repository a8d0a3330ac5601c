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


# ---- saturation lab -----------------------------------------------------------------------------
def case_labels(update: str) -> dict[str, str]:
    copy_z, new_z = ("1", "0") if update == "keep" else ("0", "1")
    return {
        "free": "gates as computed",
        "copy": f"z = {copy_z}: copy the past",
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
    return (rf"t = {t + 1}:\quad z_t = {row(sat.rec.z[t])},\quad r_t = {row(sat.rec.r[t])},\quad "
            rf"1 - n_t^2 = {row(1 - n * n)}")


def case_formula(case: str, update: str, reset_after: bool) -> str:
    copy_z, new_z = ("1", "0") if update == "keep" else ("0", "1")
    rnn_like = (r"\operatorname{diag}(1 - n_t^2)\,W_{hn}")
    general_n = (r"\operatorname{diag}(1-n_t^2)\,\operatorname{diag}(r_t)\,W_{hn}" if reset_after
                 else r"\operatorname{diag}(1-n_t^2)\,W_{hn}\operatorname{diag}(r_t)")
    g = "z_t" if update == "keep" else "(1 - z_t)"
    one_minus_g = "(1 - z_t)" if update == "keep" else "z_t"
    return {
        "copy": rf"z = {copy_z}:\quad \frac{{\partial h_t}}{{\partial h_{{t-1}}}} = I",
        "cut": rf"z = {new_z},\ r = 0:\quad \frac{{\partial h_t}}{{\partial h_{{t-1}}}} = 0",
        "rnn-like": rf"z = {new_z},\ r = 1:\quad \frac{{\partial h_t}}{{\partial h_{{t-1}}}} = {rnn_like}",
    }.get(case, rf"\frac{{\partial h_t}}{{\partial h_{{t-1}}}} \approx \operatorname{{diag}}({g})"
                rf" + \operatorname{{diag}}({one_minus_g})\,{general_n}\quad\text{{(gates held fixed)}}")


def case_explanation(case: str, update: str, sat: Saturation) -> str:
    copy_z, new_z = ("1", "0") if update == "keep" else ("0", "1")
    gap = float(np.abs(sat.J - sat.J_frozen).max())
    if case == "copy":
        return (f"With z = {copy_z} the new state is an exact copy of the old one, so the step Jacobian is the "
                "identity: a gradient passes through this step unchanged, however many such steps there are. "
                "This is the path that lets a GRU remember across long gaps.")
    if case == "cut":
        return (f"With z = {new_z} the old state is thrown away, and with r = 0 the candidate ignores it too. "
                "Nothing about h_{t-1} reaches h_t, so the Jacobian is the zero matrix and no gradient flows "
                "further back: the memory is deliberately reset.")
    if case == "rnn-like":
        return (f"With z = {new_z} and r = 1 the GRU turns into a plain tanh RNN with weights W_hn. Its chain "
                f"shrinks or grows like a vanilla RNN's: here the largest singular value of W_hn is "
                f"{sat.W_hn_norm:.2f}, and since tanh' ≤ 1 each step can stretch a gradient by at most that much.")
    pinned = "with these pinned values the gates have no derivative, so" if case == "custom" else "here"
    return (f"The exact Jacobian adds terms for how z and r themselves move with h_(t-1); {pinned} the largest "
            f"difference between the exact and the frozen-gate matrix is {gap:.2e}. Push the gate bias sliders "
            "to saturate the gates and watch that difference shrink towards the pinned cases.")


# ---- GRU vs vanilla RNN ------------------------------------------------------------------------
def vanishing_reading(v: Vanishing) -> str:
    lam = v.rnn_lambda1
    regime = ("below 1, so its gradients are guaranteed to vanish (Pascanu et al. 2013)" if lam < 1
              else "above 1, so vanishing is no longer guaranteed and gradients may even explode")
    floor = f"{VANISH_FLOOR:.0e}"

    def fate(name: str, d: int | None) -> str:
        if d is None:
            return f"the {name}'s median chain stays above {floor} over all {v.T} steps"
        return f"the {name}'s median chain falls below {floor} after {d} steps"

    if v.rnn_below is not None and (v.gru_below is None or v.gru_below > v.rnn_below):
        verdict = "The GRU carries gradient further back than the RNN on this input."
    elif v.gru_below is not None and (v.rnn_below is None or v.rnn_below > v.gru_below):
        verdict = ("Here the RNN keeps more gradient than the GRU: with these settings the GRU's update gates "
                   "mostly let the new candidate through. Untrained gates are not tuned to remember; "
                   "raise the RNN scale or change the seed and compare.")
    else:
        verdict = "Neither curve reaches the floor here; lengthen the sequence to separate them."
    return (f"Each curve shows how much a change in an early state still moves the final one, on a log scale, "
            f"as the gap T − k grows (median of {v.n_seeds} random models, band = middle half). "
            f"The RNN's largest singular value λ₁(W_hh) is {lam:.3f}, {regime}. "
            f"On this chart {fate('RNN', v.rnn_below)}, while {fate('GRU', v.gru_below)}. {verdict}")
