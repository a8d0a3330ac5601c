"""What each page shows, computed from plain settings: pure functions, cached by `gru_lab.cached`."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from gru_core import (
    LSTM,
    GRURecord,
    LSTMRecord,
    RNNRecord,
    chain_norms,
    log_spaced_distances,
    record_chain_norms,
    spectral_norm,
)

from .inputs import EMBED_DIM, Sequence, custom_sequence, preset_sequence
from .settings import Settings, build_gru, build_rnn

VANISH_INPUT = 4  # features of the noise input on the vanishing page
VANISH_FLOOR = 1e-6  # "vanished": the chart marks where each curve first falls below this
Record = GRURecord | RNNRecord | LSTMRecord


def sequence_for(s: Settings, dim: int = EMBED_DIM) -> Sequence:
    """The input sequence; words are embedded with `dim` numbers, to fit a loaded model's input size."""
    if s.preset == "custom":
        return custom_sequence(s.custom_text, s.custom_kind, dim)
    return preset_sequence(s.preset, dim)


def step_record(s: Settings, model=None, name: str = "") -> tuple[Sequence, Record]:
    """The recorded pass the step-through page shows: random weights, or a given model (from `name`)."""
    if model is None:
        seq = sequence_for(s)
        return seq, build_gru(seq.x.shape[1], s).forward(seq.x)
    seq = sequence_for(s, model.input_size)
    if seq.x.shape[1] != model.input_size:
        raise ValueError(
            f"the {type(model).__name__} from {name} expects {model.input_size} numbers per step but this "
            f"sequence has {seq.x.shape[1]}; pick a word preset (words are embedded to fit), or type "
            f"{model.input_size} comma-separated numbers per row, rows separated by ';'"
        )
    return seq, model.forward(seq.x)


def lstm_record(s: Settings) -> tuple[Sequence, LSTMRecord]:
    seq = sequence_for(s)
    return seq, LSTM.init(seq.x.shape[1], s.hidden_size, seed=s.seed).forward(seq.x)


# ---- saturation lab ------------------------------------------------------------------------------
CASES = ("free", "copy", "write-hold", "cut", "rnn-like", "custom")  # the words shown and put in links
WRITE_STEP = 4  # 1-based step at which 'write-hold' writes: "umbrella", the clue of the default sentence


def pinned_gates(case: str, update: str, pz: float, pr: float) -> tuple[float | None, float | None]:
    """(force_z, force_r) for a case. 'copy' keeps the whole past: z = 1 under keep, z = 0 under take."""
    copy_z, new_z = (1.0, 0.0) if update == "keep" else (0.0, 1.0)
    return {
        "free": (None, None),
        "copy": (copy_z, None),
        "cut": (new_z, 0.0),
        "rnn-like": (new_z, 1.0),
        "custom": (pz, pr),
    }[case]


def write_step(T: int) -> int:
    """0-based step at which 'write-hold' writes: WRITE_STEP, or the last step of a shorter sequence."""
    return min(WRITE_STEP, T) - 1


def write_hold_gates(update: str, T: int, w: int) -> tuple[np.ndarray, float]:
    """(force_z, force_r) for 'write-hold': z on the take-the-new side at step w only, on the copy side
    at every other step (before w too, so h stays h0 until the clue arrives). r = 0 makes the write
    depend on the input alone; at the copy steps r changes nothing, since (1 − g) = 0 there."""
    copy_z, new_z = (1.0, 0.0) if update == "keep" else (0.0, 1.0)
    z = np.full((T, 1), copy_z)
    z[w] = new_z
    return z, 0.0


def copy_term(z: np.ndarray, update: str) -> np.ndarray:
    """diag(g), the step Jacobian's additive copy path: g = z under keep, 1 − z under take."""
    return np.diag(z if update == "keep" else 1.0 - z)


def rnn_term(h: np.ndarray, W_hh: np.ndarray) -> np.ndarray:
    """diag(1 − h²) W_hh: a tanh RNN step that landed on h, the only path such a step has."""
    return (1.0 - h * h)[:, None] * W_hh


@dataclass(frozen=True)
class Saturation:
    seq: Sequence
    rec: GRURecord
    t: int
    J: np.ndarray  # (H, H) exact ∂h_t/∂h_{t−1}
    J_frozen: np.ndarray  # (H, H) with gates held constant
    sv: np.ndarray  # singular values of J, descending
    sv_frozen: np.ndarray
    chain_log10: np.ndarray  # (t+1,) log10 ‖∂h_t/∂h_k‖₂ against distance 1 … t+1
    W_hn_norm: float  # σ₁(W_hn): what the RNN-like case's chain depends on
    write: int | None = None  # 'write-hold' only: the 0-based step that writes
    copy_chain_log10: np.ndarray | None = None  # 'write-hold' only: the copy case's chain, to set beside


def saturation(s: Settings, case: str, pz: float, pr: float, bz: float, br: float, t: int) -> Saturation:
    seq = sequence_for(s)
    model = build_gru(seq.x.shape[1], s, gate_shift=(br, bz))  # soft saturation: shifted pre-activations
    T = len(seq.labels)
    w = write_step(T) if case == "write-hold" else None
    force_z, force_r = write_hold_gates(s.update, T, w) if w is not None else pinned_gates(case, s.update, pz, pr)
    rec = model.forward(seq.x, force_z=force_z, force_r=force_r)
    t = min(max(t, 0), T - 1)
    J = rec.jacobians(steps=[t])[0]
    J_frozen = rec.frozen_gate_jacobians(steps=[t])[0]
    chain = chain_norms(rec.jacobians(steps=slice(0, t + 1)))
    copy_chain = None
    if w is not None:  # the same model and step with the gate on the copy side throughout
        copy = model.forward(seq.x, force_z=pinned_gates("copy", s.update, pz, pr)[0])
        copy_chain = chain_norms(copy.jacobians(steps=slice(0, t + 1))).log10_spectral
    return Saturation(seq, rec, t, J, J_frozen, np.linalg.svd(J, compute_uv=False),
                      np.linalg.svd(J_frozen, compute_uv=False), chain.log10_spectral, spectral_norm(model.W_hn),
                      w, copy_chain)


# ---- GRU vs vanilla RNN ------------------------------------------------------------------------
@dataclass(frozen=True)
class Band:
    median: np.ndarray
    q25: np.ndarray
    q75: np.ndarray


@dataclass(frozen=True)
class Vanishing:
    T: int
    distance: np.ndarray  # (D,) distances T − k at which the chains were measured
    gru_chain: Band  # log10 ‖∂h_T/∂h_k‖₂ over seeds
    rnn_chain: Band
    steps: np.ndarray  # (T,) 1 … T
    gru_delta: Band  # log10 ‖δ_k‖ for a loss at the last step
    rnn_delta: Band
    rnn_lambda1: float  # median σ₁(W_hh) of the RNNs
    gru_below: int | None  # first distance where the median GRU chain is below VANISH_FLOOR, counting every
    rnn_below: int | None  # distance, not only the plotted ones (SeedRun.gru_below)
    n_seeds: int


def vanishing_input(T: int) -> np.ndarray:
    return np.random.default_rng(2024).standard_normal((T, VANISH_INPUT))  # (T, I), the same for both models


@dataclass(frozen=True)
class SeedRun:
    """One seed's GRU and RNN, measured on the same input (log10 values)."""
    gru_chain: np.ndarray  # (D,) at vanishing_distances(T)
    rnn_chain: np.ndarray
    gru_delta: np.ndarray  # (T,)
    rnn_delta: np.ndarray
    lambda1: float  # σ₁ of the RNN's W_hh
    gru_below: np.ndarray  # (T,) bool: is the chain below VANISH_FLOOR at distance d (item d − 1), at every d
    rnn_below: np.ndarray


def vanishing_distances(T: int) -> np.ndarray:
    return log_spaced_distances(T, count=60)


def vanishing_settings(s: Settings) -> Settings:
    """Only what the vanishing page depends on: it feeds its own noise, not the sidebar's input."""
    return replace(s, preset=Settings.preset, custom_kind=Settings.custom_kind, custom_text=Settings.custom_text)


def vanishing_run(s: Settings, T: int, rnn_scale: float, seed: int) -> SeedRun:
    """One seed on its own: the reference that `vanishing_runs` (every seed at once) must equal."""
    x = vanishing_input(T)
    dh = np.zeros((T, s.hidden_size))
    dh[-1] = 1.0 / np.sqrt(s.hidden_size)  # a unit-norm loss gradient at the last step only
    distance = vanishing_distances(T)
    gru = build_gru(VANISH_INPUT, replace(s, seed=seed))
    rnn = build_rnn(VANISH_INPUT, s.hidden_size, seed, rnn_scale)
    out = {}
    for name, model in (("gru", gru), ("rnn", rnn)):
        rec = model.forward(x)
        every = chain_norms(rec.jacobians()).log10_spectral  # at every distance 1 … T
        out[f"{name}_chain"] = every[distance - 1]
        out[f"{name}_below"] = every < np.log10(VANISH_FLOOR)
        with np.errstate(divide="ignore"):
            out[f"{name}_delta"] = np.log10(np.linalg.norm(model.backward(rec, dh)["h"], axis=1))
    return SeedRun(lambda1=spectral_norm(rnn.W_hh), **out)


def vanishing_runs(s: Settings, T: int, rnn_scale: float, seeds: tuple[int, ...],
                   check: Callable[[], None] | None = None) -> tuple[SeedRun, ...]:
    """vanishing_run for several seeds at once: each seed's model runs on its own (the input is shared,
    the weights are not), then every seed's chain products and BPTT advance together, one batched
    matrix product a step, with the singular values taken only at the plotted distances.
    `check()` runs every few steps; raising there ends the work (a cancelled job)."""
    x = vanishing_input(T)
    u = np.full(s.hidden_size, 1.0 / np.sqrt(s.hidden_size))  # the unit-norm loss gradient at the last step
    distance = vanishing_distances(T)
    rnns = [build_rnn(VANISH_INPUT, s.hidden_size, seed, rnn_scale) for seed in seeds]
    grus = [build_gru(VANISH_INPUT, replace(s, seed=seed)) for seed in seeds]
    # GRUs and RNNs in one batch: the same T and H, and the loop over steps, not the small products, is
    # the cost, so one pass for both takes about half the time of one each.
    batch = record_chain_norms([m.forward(x) for m in grus + rnns], distances=distance, dh_end=u, check=check,
                               log10_floor=np.log10(VANISH_FLOOR))
    n = len(seeds)
    chain, delta, below = batch.log10_spectral, batch.log10_delta, batch.below
    return tuple(SeedRun(chain[i], chain[n + i], delta[i], delta[n + i], spectral_norm(rnn.W_hh),
                         below[i], below[n + i]) for i, rnn in enumerate(rnns))


def seeds_for(s: Settings, n_seeds: int) -> list[int]:
    return [(s.seed + i) % 2**32 for i in range(n_seeds)]


SEED_BLOCK = 10  # seeds computed (and cached) together: seed i is in block i // SEED_BLOCK. 10: the
# default 20 seeds in 2 jobs (62 ms on one core at H = 16, T = 140, against 78 ms in blocks of 5)


def seed_blocks(s: Settings, n_seeds: int) -> list[tuple[int, ...]]:
    """The page's seeds in fixed blocks, so moving the seeds slider recomputes only the last block."""
    seeds = seeds_for(s, n_seeds)
    return [tuple(seeds[i:i + SEED_BLOCK]) for i in range(0, len(seeds), SEED_BLOCK)]


def summarize(runs: list[SeedRun], T: int) -> Vanishing:
    distance = vanishing_distances(T)
    gru_chain = _band([r.gru_chain for r in runs])
    rnn_chain = _band([r.rnn_chain for r in runs])
    return Vanishing(
        T=T, distance=distance, gru_chain=gru_chain, rnn_chain=rnn_chain, steps=np.arange(1, T + 1),
        gru_delta=_band([r.gru_delta for r in runs]), rnn_delta=_band([r.rnn_delta for r in runs]),
        rnn_lambda1=float(np.median([r.lambda1 for r in runs])),
        gru_below=_first_below([r.gru_below for r in runs]), rnn_below=_first_below([r.rnn_below for r in runs]),
        n_seeds=len(runs),
    )


def vanishing(s: Settings, T: int, rnn_scale: float, n_seeds: int, runs=None,
              progress: Callable[[float], None] | None = None) -> Vanishing:
    """`runs(s, T, rnn_scale, seeds)`: vanishing_runs, or a cached stand-in for it, called once per
    block of seeds; `progress(fraction)` after each block."""
    runs = runs or vanishing_runs
    blocks = seed_blocks(s, n_seeds)
    out: list[SeedRun] = []
    for i, block in enumerate(blocks):
        out.extend(runs(s, T, rnn_scale, block))
        if progress:
            progress((i + 1) / len(blocks))
    return summarize(out, T)


def _band(rows: list[np.ndarray]) -> Band:
    a = np.vstack(rows)  # (seeds, D); −inf (an exactly cut chain) sorts below everything, as it should
    q25, median, q75 = np.percentile(a, [25, 50, 75], axis=0, method="nearest")
    return Band(median, q25, q75)


def _first_below(below: list[np.ndarray]) -> int | None:
    """The first distance where the median chain (nearest rank, as _band's) is below VANISH_FLOOR, from each
    seed's below-the-floor flags at every distance. The median picks one seed's value by rank, and "below"
    keeps the order, so the median is below exactly where the seed of that rank is: ranking ±1 is enough."""
    sign = np.where(np.vstack(below), -1.0, 1.0)
    hit = np.flatnonzero(np.percentile(sign, 50, axis=0, method="nearest") < 0)
    return int(hit[0]) + 1 if hit.size else None
