"""The Vanishing page's seeds computed together equal every seed computed on its own."""
import numpy as np
import pytest

from gru_lab import compute
from gru_lab.settings import Settings

FIELDS = ("gru_chain", "rnn_chain", "gru_delta", "rnn_delta")


def assert_logs_equal(batch, single, rtol=1e-9):
    """log10 values equal to rtol relative (1 absolute at least), and −inf exactly where it is."""
    np.testing.assert_array_equal(np.isfinite(batch), np.isfinite(single))
    fin = np.isfinite(single)
    np.testing.assert_array_less(np.abs(batch[fin] - single[fin]), rtol * np.maximum(1.0, np.abs(single[fin])))


@pytest.mark.parametrize("s, T, rnn_scale", [
    (Settings(), 100, 1.0),
    (Settings(hidden_size=16, seed=7, weight_scale=2.0), 60, 0.5),
    (Settings(hidden_size=4, reset_after=False, update="take"), 40, 3.0),
    (Settings(hidden_size=8), 400, 0.25),  # the RNN's δ underflows to exactly 0 (−inf) on the way back
])
def test_seeds_together_equal_each_seed_alone(s, T, rnn_scale):
    seeds = tuple(compute.seeds_for(s, 6))
    together = compute.vanishing_runs(s, T, rnn_scale, seeds)
    assert len(together) == len(seeds)
    for run, seed in zip(together, seeds, strict=True):
        alone = compute.vanishing_run(s, T, rnn_scale, seed)
        for field in FIELDS:
            assert_logs_equal(getattr(run, field), getattr(alone, field))
        for field in ("gru_below", "rnn_below"):  # below the floor, at every distance
            np.testing.assert_array_equal(getattr(run, field), getattr(alone, field))
        assert run.lambda1 == alone.lambda1


def test_the_underflow_case_really_underflows():
    run = compute.vanishing_runs(Settings(hidden_size=8), 400, 0.25, (0,))[0]
    assert np.isneginf(run.rnn_delta).any() and np.isfinite(run.rnn_chain).all()  # the chain keeps its logs


def test_the_page_summary_is_the_per_seed_summary():
    s = Settings(hidden_size=8, seed=3)
    v = compute.vanishing(s, 50, 1.0, 12)
    ref = compute.summarize([compute.vanishing_run(s, 50, 1.0, seed) for seed in compute.seeds_for(s, 12)], 50)
    assert (v.gru_below, v.rnn_below, v.n_seeds, v.rnn_lambda1) == (ref.gru_below, ref.rnn_below, 12, ref.rnn_lambda1)
    for band in ("gru_chain", "rnn_chain", "gru_delta", "rnn_delta"):
        for q in ("median", "q25", "q75"):
            assert_logs_equal(getattr(getattr(v, band), q), getattr(getattr(ref, band), q))


def test_seed_blocks_are_fixed_so_more_seeds_reuse_the_full_blocks():
    s = Settings(seed=9998)
    assert compute.SEED_BLOCK == 10
    assert compute.seed_blocks(s, 13) == [tuple(range(9998, 10008)), (10008, 10009, 10010)]
    assert compute.seed_blocks(s, 17)[:1] == compute.seed_blocks(s, 13)[:1]
    assert sum(compute.seed_blocks(s, 30), ()) == tuple(compute.seeds_for(s, 30))


def test_progress_is_reported_after_each_block():
    seen = []
    compute.vanishing(Settings(hidden_size=4), 20, 1.0, 2 * compute.SEED_BLOCK + 1, progress=seen.append)
    assert seen == pytest.approx([1 / 3, 2 / 3, 1.0])


@pytest.mark.parametrize("rnn_scale", [1.0, 2.0])
def test_below_the_floor_at_is_the_exact_first_distance_not_the_first_plotted_one(rnn_scale):
    """Lesson stops 10 and 12 (T = 100, five seeds): the median chain over every distance, computed here
    model by model with chain_norms, first falls below 1e-6 at the distance the page names."""
    from gru_core import chain_norms
    from gru_lab.settings import build_gru, build_rnn

    s, T = Settings(), 100
    x = compute.vanishing_input(T)
    seeds = compute.seeds_for(s, 5)
    firsts = []
    for models in ([build_gru(compute.VANISH_INPUT, s, seed=seed) for seed in seeds],
                   [build_rnn(compute.VANISH_INPUT, s.hidden_size, seed, rnn_scale) for seed in seeds]):
        median = np.median([chain_norms(m.forward(x).jacobians()).log10_spectral for m in models], axis=0)
        firsts.append(int(np.flatnonzero(median < np.log10(compute.VANISH_FLOOR))[0]) + 1)
    v = compute.vanishing(s, T, rnn_scale, 5)
    assert (v.gru_below, v.rnn_below) == tuple(firsts)
    if rnn_scale == 2.0:  # the case the walk-through found: 33 and 47, where the plotted grid has 34 and 50
        assert tuple(firsts) == (33, 47) and 47 not in compute.vanishing_distances(T)
