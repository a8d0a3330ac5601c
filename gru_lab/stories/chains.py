"""Trained GRU, random GRU and RNN on one story's input: how much of h_k still reaches h_T.

The vanishing page's seeds show what random weights do; this shows what training does. All three
read the same sequence (the far-apart clue, T = 34) with the same hidden size: the GRU trained for
that story (gru_lab.stories.shipped), a random GRU of the sidebar's seed, and a tanh RNN of that seed with
the page's recurrent scale. `z_bias` moves the random GRU's update gate towards "keep the past" (its
input bias, +b under "keep", −b under "take"): the chrono idea of Tallec & Ollivier (2018), a
stronger copy path from the start, which lengthens the chain as the gate opens.

Chains are from the last step: d = T − k for k = T−1 … −1 (k = −1 is h0), spectral norms, log10.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gru_core import chain_norms

from ..inputs import preset_sequence
from ..settings import Settings, build_gru, build_rnn
from .shipped import trained_model

STORY = "clue"  # the longest word story with a trained model: 34 steps
NAMES = ("trained GRU", "random GRU", "RNN")


@dataclass(frozen=True)
class StoryChains:
    T: int
    H: int
    distance: np.ndarray  # (T,) 1 … T
    log10: dict[str, np.ndarray]  # NAMES → (T,) log10 ‖∂h_T/∂h_k‖₂, −inf where exactly zero
    z_mean: dict[str, float]  # mean update gate of the two GRUs, under the active convention
    z_bias: float
    update: str
    rnn_lambda1: float = 0.0  # λ₁(W_hh) of the RNN: above 1 its chain may grow (explode), not hold


def story_chains(s: Settings, rnn_scale: float, z_bias: float) -> StoryChains:
    """The three chains on the story's input, under the sidebar's update convention (the trained
    model is rewritten for it, so it is the same function either way; reset after the product, as trained)."""
    x = preset_sequence(STORY).x
    trained = trained_model(STORY, s.update)
    H, I = trained.hidden_size, x.shape[1]
    shift = z_bias if s.update == "keep" else -z_bias  # towards the side that keeps the past
    like = Settings(hidden_size=H, seed=s.seed, update=s.update, reset_after=True)
    models = {"trained GRU": trained, "random GRU": build_gru(I, like, gate_shift=(0.0, shift)),
              "RNN": build_rnn(I, H, s.seed, rnn_scale)}
    log10, z_mean = {}, {}
    for name, m in models.items():
        rec = m.forward(x)
        c = chain_norms(rec.jacobians())
        log10[name] = c.log10_spectral
        if name != "RNN":
            z_mean[name] = float(np.mean(rec.z))
    lam = float(np.linalg.norm(models["RNN"].W_hh, 2))
    return StoryChains(x.shape[0], H, c.distance, log10, z_mean, float(z_bias), s.update, lam)


def at(sc: StoryChains, name: str, d: int) -> float:
    """‖∂h_T/∂h_{T−d}‖₂ of one model (0.0 where it underflows)."""
    with np.errstate(under="ignore"):
        return float(10.0 ** sc.log10[name][d - 1])


def _num(v: float) -> str:
    return f"{v:.2f}" if 0.01 <= v < 100 else f"{v:.1e}"


def reading(sc: StoryChains, d: int = 30) -> str:
    """What the three curves show at distance d, in numbers, under the active convention."""
    d = min(d, sc.T)
    v = {n: at(sc, n, d) for n in NAMES}
    keep_side = "near 1" if sc.update == "keep" else "near 0"
    text = (f"{d} steps back, ‖∂h_T/∂h_k‖ is still {_num(v['trained GRU'])} for the trained GRU (mean z "
            f"{sc.z_mean['trained GRU']:.2f}; under this convention z {keep_side} keeps the past), "
            f"{_num(v['random GRU'])} for the random GRU of the same size (mean z {sc.z_mean['random GRU']:.2f}) "
            f"and {_num(v['RNN'])} for the RNN.")
    if v["trained GRU"] > 100 * max(v["random GRU"], v["RNN"]):
        text += " Training, not the architecture alone, holds the gate open over the gap."
    elif sc.rnn_lambda1 >= 1 and v["RNN"] >= 0.01 * v["trained GRU"]:
        peak = float(np.max(sc.log10["RNN"]))
        grows = f", and its chain rises to {_num(10.0 ** peak)} on the way" if peak > 0 else ""
        text += (f" The RNN's large value is no memory: its λ₁(W_hh) is {sc.rnn_lambda1:.2f}, above 1{grows}: "
                 "with weights this large its gradients can explode, and this random RNN was never trained to "
                 "keep the clue.")
    if sc.z_bias:
        text += (f" The random GRU's update-gate bias is shifted by {sc.z_bias:g} towards keeping the past: "
                 "the copy path strengthens and its chain lengthens without any training.")
    else:
        text += " Shift the random GRU's update-gate bias towards keeping the past to watch its chain lengthen."
    return text
