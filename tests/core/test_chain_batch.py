"""chain_norms_batch / record_chain_norms: every chain of a batch equals chain_norms on its own, and the
BPTT norms equal the models' own backward, across chunk boundaries, cut chains and underflow."""
import numpy as np
import pytest

from gru_core import GRU, LSTM, RNN, chain_norms, chain_norms_batch, chains, record_chain_norms

from .fd import random_state

RTOL = 1e-12


def assert_logs_equal(batch, single, rtol=RTOL):
    """Equal in log space: the same −inf entries, the finite ones to rtol relative (at least 1 absolute)."""
    batch, single = np.asarray(batch), np.asarray(single)
    np.testing.assert_array_equal(np.isfinite(batch), np.isfinite(single))
    np.testing.assert_array_equal(batch[~np.isfinite(single)], single[~np.isfinite(single)])
    fin = np.isfinite(single)
    assert np.all(np.abs(batch[fin] - single[fin]) <= rtol * np.maximum(1.0, np.abs(single[fin])))


def stack(seed, B=4, T=9, H=5, scale=0.6):
    return np.random.default_rng(seed).normal(size=(B, T, H, H)) * scale


@pytest.mark.parametrize("distances", [None, [1, 4, 9], [3], np.array([6, 2, 2])])
def test_each_chain_of_a_batch_equals_chain_norms(distances):
    J = stack(1)
    b = chain_norms_batch(J, distances=distances)
    for i in range(len(J)):
        c = chain_norms(J[i], distances=distances)
        np.testing.assert_array_equal(b.distance, c.distance)
        assert_logs_equal(b.log10_spectral[i], c.log10_spectral)
        assert_logs_equal(b.log10_frobenius[i], c.log10_frobenius)
    assert b.log10_delta is None


def test_wide_matrices_match_across_chunk_boundaries(monkeypatch):
    monkeypatch.setattr(chains, "CHUNK_ENTRIES", 3 * 70 * 70 * 2)  # 2 steps a chunk, with 3 in the batch
    J = np.random.default_rng(2).normal(size=(3, 7, 70, 70)) / np.sqrt(70)
    b = chain_norms_batch(J)
    for i in range(3):
        assert_logs_equal(b.log10_spectral[i], chain_norms(J[i]).log10_spectral, rtol=1e-10)


def test_a_cut_chain_stays_cut_while_the_others_go_on():
    J = stack(3)
    J[1, 5] = 0.0  # the chain of member 1 is cut at distance T − 5 = 4
    b = chain_norms_batch(J)
    np.testing.assert_array_equal(b.log10_spectral[1, 3:], -np.inf)
    assert np.all(np.isfinite(b.log10_spectral[[0, 2, 3]]))
    for i in range(len(J)):
        assert_logs_equal(b.log10_spectral[i], chain_norms(J[i]).log10_spectral)
    assert np.all(chain_norms_batch(np.zeros((2, 3, 2, 2))).log10_spectral == -np.inf)


def test_underflowing_and_huge_chains_keep_exact_logs():
    state = {k: v * 0.1 for k, v in random_state(1, 2, 4, seed=9).items()}
    J800 = RNN.from_torch(state).forward(np.random.default_rng(3).normal(size=(800, 2))).jacobians()
    big = np.full((3, 2, 2), 1e200)
    b = chain_norms_batch(np.stack([J800, J800 * 2.0]))
    assert b.log10_spectral[0, -1] < -308
    assert_logs_equal(b.log10_spectral[0], chain_norms(J800).log10_spectral)
    assert_logs_equal(b.log10_spectral[1], chain_norms(J800 * 2.0).log10_spectral)
    with np.errstate(all="ignore"):
        assert_logs_equal(chain_norms_batch(big[None]).log10_spectral[0], chain_norms(big).log10_spectral)


@pytest.mark.parametrize("make", [
    lambda seed: GRU.init(3, 6, seed=seed),
    lambda seed: GRU.init(3, 6, seed=seed, reset_after=False, update="take"),
    lambda seed: RNN.init(3, 6, seed=seed),
    lambda seed: LSTM.init(3, 6, seed=seed),
], ids=["gru", "gru-before-take", "rnn", "lstm"])
def test_records_equal_their_own_chains_and_bptt(make, monkeypatch):
    monkeypatch.setattr(chains, "CHUNK_ENTRIES", 4 * 12 * 12 * 3)  # a few steps a chunk: chunk edges are crossed
    x = np.random.default_rng(4).normal(size=(25, 3))
    models = [make(seed) for seed in range(4)]
    recs = [m.forward(x) for m in models]
    dist = np.array([1, 2, 5, 11, 25])
    W = recs[0].jacobians(steps=[0]).shape[1]
    u = np.random.default_rng(5).normal(size=W)
    b = record_chain_norms(recs, distances=dist, dh_end=u)
    for i, (m, rec) in enumerate(zip(models, recs, strict=True)):
        assert_logs_equal(b.log10_spectral[i], chain_norms(rec.jacobians(), distances=dist).log10_spectral)
        if not isinstance(m, LSTM):  # an LSTM's backward takes dh for h only; its chain runs over (h, c)
            dh = np.zeros((25, 6))
            dh[-1] = u
            assert_logs_equal(b.log10_delta[i], np.log10(np.linalg.norm(m.backward(rec, dh)["h"], axis=1)))


def test_record_chain_norms_refuses_mixed_records():
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="same"):
        record_chain_norms([GRU.init(2, 3).forward(x), GRU.init(2, 4).forward(x)])
    with pytest.raises(ValueError, match="same"):
        record_chain_norms([GRU.init(2, 3).forward(x), GRU.init(2, 3).forward(x[:4])])
    with pytest.raises(ValueError, match="at least one"):
        record_chain_norms([])


@pytest.mark.parametrize("bad, match", [
    (np.ones((3, 3, 3)), "shape"),
    (np.ones((2, 3, 2, 3)), "shape"),
    (np.ones((0, 2, 2, 2)), "shape"),
    (np.full((1, 2, 2, 2), np.nan), "finite"),
])
def test_chain_norms_batch_refuses_bad_stacks(bad, match):
    with pytest.raises(ValueError, match=match):
        chain_norms_batch(bad)


@pytest.mark.parametrize("dh_end", [np.ones(4), np.ones((3, 5)), np.full(5, np.nan)])
def test_a_bad_loss_gradient_is_refused(dh_end):
    with pytest.raises(ValueError, match="dh_end"):
        chain_norms_batch(stack(6, B=2, H=5), dh_end=dh_end)


@pytest.mark.parametrize("distances", [[1, 9], None, [4]])
def test_below_the_floor_is_said_at_every_distance_not_only_the_measured_ones(distances):
    J = stack(5, B=6, T=9, H=5, scale=0.5)
    J[2, 4] = 0.0  # one chain cut at distance 5: below any floor from there on
    every = np.vstack([chain_norms(J[i]).log10_spectral for i in range(len(J))])  # every distance, on its own
    longest = 9 if distances is None else max(distances)
    for floor in np.quantile(every[np.isfinite(every)], [0.2, 0.5, 0.8]):  # floors the chains cross
        b = chain_norms_batch(J, distances=distances, log10_floor=floor)
        np.testing.assert_array_equal(b.below, every[:, :longest] < floor)
    assert chain_norms_batch(J).below is None
