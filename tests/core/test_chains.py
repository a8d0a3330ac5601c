"""chain_norms / chain_product against explicit matrix products, underflow-proof logs, and the
two matrix sizes spectral_norm and spectral_radius."""
import numpy as np
import pytest

from gru_core import RNN, chain_norms, chain_product, log_spaced_distances, spectral_norm, spectral_radius

from .fd import random_state

_rng = np.random.default_rng(31)
J = _rng.normal(size=(7, 4, 4)) * 0.6


def explicit(J, end, start):
    """∂h_end/∂h_start = J[end] J[end−1] … J[start+1], multiplied out directly."""
    P = np.eye(J.shape[1])
    for k in range(end, start, -1):
        P = P @ J[k]
    return P


@pytest.mark.parametrize("end", [None, 0, 3, 6])
def test_chain_norms_match_explicit_products(end):
    c = chain_norms(J, end)
    end = len(J) - 1 if end is None else end
    assert c.end == end
    np.testing.assert_array_equal(c.distance, np.arange(1, end + 2))
    products = [explicit(J, end, end - d) for d in c.distance]
    np.testing.assert_allclose(c.spectral, [np.linalg.norm(P, 2) for P in products], rtol=1e-12)
    np.testing.assert_allclose(c.frobenius, [np.linalg.norm(P, "fro") for P in products], rtol=1e-12)
    np.testing.assert_allclose(c.log10_spectral, np.log10(c.spectral), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c.log10_frobenius, np.log10(c.frobenius), rtol=1e-12, atol=1e-14)


def test_chain_norms_of_wide_matrices_match_explicit_products():
    # from H = 64 on, the top singular value comes from eigvalsh(P Pᵀ) instead of an SVD
    Jw = np.random.default_rng(32).normal(size=(5, 70, 70)) / np.sqrt(70)
    c = chain_norms(Jw)
    products = [explicit(Jw, 4, 4 - d) for d in c.distance]
    np.testing.assert_allclose(c.spectral, [np.linalg.norm(P, 2) for P in products], rtol=1e-10)
    np.testing.assert_allclose(c.frobenius, [np.linalg.norm(P, "fro") for P in products], rtol=1e-12)


@pytest.mark.parametrize("distances", [[1, 7], [3], [5, 2, 2, 6], np.array([4, 1]), 7])
def test_chosen_distances_match_the_full_curve(distances):
    full = chain_norms(J)
    c = chain_norms(J, distances=distances)
    wanted = np.unique(distances)
    np.testing.assert_array_equal(c.distance, wanted)
    for field in ("spectral", "frobenius", "log10_spectral", "log10_frobenius"):
        np.testing.assert_allclose(getattr(c, field), getattr(full, field)[wanted - 1], rtol=1e-13)


def test_chosen_distances_beyond_a_zero_step_are_minus_inf():
    Jz = J.copy()
    Jz[4] = 0.0
    c = chain_norms(Jz, distances=[1, 2, 3, 6])  # end 6: distance 3 reaches J[4]
    assert np.all(np.isfinite(c.log10_spectral[:2]))
    np.testing.assert_array_equal(c.log10_spectral[2:], -np.inf)


@pytest.mark.parametrize("distances", [0, 8, [], [1.0, 2.0], [True], "1", [-1, 2]])
def test_bad_distances_are_refused(distances):
    with pytest.raises(ValueError, match="distances"):
        chain_norms(J, distances=distances)


@pytest.mark.parametrize("longest", [1, 2, 19, 20, 21, 57, 800, 100_000])
def test_log_spaced_distances(longest):
    d = log_spaced_distances(longest)
    assert d.dtype.kind == "i"
    assert np.all(np.diff(d) > 0) and d[0] == 1 and d[-1] == longest
    assert set(range(1, min(longest, 20) + 1)) <= set(d.tolist())
    assert len(d) <= 20 + 60
    if longest > 100:
        ratios = d[21:] / d[20:-1]
        assert ratios.max() < 1.5  # evenly spread on a log axis: no big jumps
    if longest <= 1000:  # chain_norms walks every step; 1e5 of them is slow for a unit test
        assert np.array_equal(chain_norms(np.ones((longest, 1, 1)), distances=d).distance, d)


@pytest.mark.parametrize("longest", [0, -3, 2.5, "10", None])
def test_log_spaced_distances_refuses_bad_lengths(longest):
    # regression: nothing was checked: -3 returned [INT64_MIN, -3, 1], 2.5 floats, "10" raised TypeError
    with pytest.raises(ValueError, match="longest"):
        log_spaced_distances(longest)


@pytest.mark.parametrize("count", [2.5, -1, "60", None])
def test_log_spaced_distances_refuses_bad_counts(count):
    # regression: count was not checked: 2.5 raised TypeError, -1 a numpy message that did not name it
    with pytest.raises(ValueError, match="count"):
        log_spaced_distances(800, count)


def test_huge_but_finite_steps_do_not_overflow():
    # regression: the running product is renormalised after each step, but ‖J[end]‖ (and ‖P @ J‖) was computed
    # before that, so entries above ~1e154 overflowed the norm to inf and the logs came out nan.
    big = np.full((3, 2, 2), 1e200)  # σ₁ of the d-step chain is 2^d 10^(200 d)
    with np.errstate(all="ignore"):
        c = chain_norms(big)
    np.testing.assert_allclose(c.log10_spectral, [d * (200 + np.log10(2)) for d in (1, 2, 3)], rtol=1e-12)


def test_norms_past_the_float_range_are_inf_without_a_warning():
    # regression: 10**log10 of a 1e600 chain emitted "RuntimeWarning: overflow" (an error under pytest's
    # filterwarnings); the plain norm is inf by design, the log stays exact
    c = chain_norms(np.full((3, 4, 4), 1e300))
    assert np.isinf(c.spectral[1:]).all() and np.isfinite(c.log10_spectral).all()
    np.testing.assert_allclose(c.log10_spectral[0], 300 + np.log10(4), rtol=1e-12)


@pytest.mark.parametrize("H", [1, 2, 3, 5])
def test_identity_chain_has_norm_one_and_sqrt_h(H):
    c = chain_norms(np.broadcast_to(np.eye(H), (9, H, H)))
    np.testing.assert_allclose(c.spectral, np.ones(9), rtol=1e-15, atol=0)
    np.testing.assert_allclose(c.frobenius, np.full(9, np.sqrt(H)), rtol=1e-15, atol=0)


def test_a_zero_step_cuts_every_longer_chain():
    Jz = J.copy()
    Jz[3] = 0.0
    c = chain_norms(Jz)  # end 6: distances 1..3 avoid J[3], 4..7 include it
    assert np.all(c.spectral[:3] > 0) and np.all(np.isfinite(c.log10_spectral[:3]))
    np.testing.assert_array_equal(c.spectral[3:], 0.0)
    np.testing.assert_array_equal(c.frobenius[3:], 0.0)
    np.testing.assert_array_equal(c.log10_spectral[3:], -np.inf)
    np.testing.assert_array_equal(c.log10_frobenius[3:], -np.inf)


def test_a_zero_last_step_gives_all_minus_inf():
    c = chain_norms(np.zeros((3, 2, 2)))
    np.testing.assert_array_equal(c.log10_spectral, [-np.inf] * 3)
    np.testing.assert_array_equal(c.frobenius, [0.0] * 3)


def test_nilpotent_chain_reaches_exact_zero():
    shift = np.array([[0.0, 1.0], [0.0, 0.0]])  # shift ≠ 0 but shift @ shift = 0
    c = chain_norms(np.stack([shift] * 4))
    assert c.spectral[0] == 1.0
    np.testing.assert_array_equal(c.log10_frobenius[1:], -np.inf)


def chunked_log10_norms(J):
    """Reference: multiply newest to oldest, pulling out the largest entry every 10 steps."""
    P, log_scale, spec, fro = np.eye(J.shape[1]), 0.0, [], []
    for i, Jk in enumerate(J[::-1]):
        P = P @ Jk
        if i % 10 == 9:
            m = np.abs(P).max()
            P, log_scale = P / m, log_scale + np.log10(m)
        spec.append(log_scale + np.log10(np.linalg.norm(P, 2)))
        fro.append(log_scale + np.log10(np.linalg.norm(P, "fro")))
    return np.array(spec), np.array(fro)


def test_long_vanishing_chain_keeps_exact_logs_where_norms_underflow():
    state = {k: v * 0.1 for k, v in random_state(1, 2, 4, seed=9).items()}
    rng = np.random.default_rng(3)
    J800 = RNN.from_torch(state).forward(rng.normal(size=(800, 2))).jacobians()
    c = chain_norms(J800)
    assert c.log10_spectral[-1] < -308 and c.log10_frobenius[-1] < -308
    assert c.spectral[-1] == 0.0 and c.frobenius[-1] == 0.0  # 10^(−400 or so) is not a float64
    assert np.all(np.diff(c.log10_spectral) < 0)  # strictly shrinking, never stuck at a floor
    spec, fro = chunked_log10_norms(J800)
    np.testing.assert_allclose(c.log10_spectral, spec, rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(c.log10_frobenius, fro, rtol=1e-10, atol=1e-8)


@pytest.mark.parametrize("end, start", [(0, -1), (3, 2), (4, -1), (6, 1)])
def test_chain_product_matches_explicit(end, start):
    P = chain_product(J, end, start)
    np.testing.assert_allclose(P, explicit(J, end, start), rtol=1e-12, atol=1e-15)
    assert np.isclose(np.linalg.norm(P, 2), chain_norms(J, end).spectral[end - start - 1], rtol=1e-12)


def test_spectral_norm_and_radius_of_a_non_normal_matrix():
    M = np.array([[0.5, 3.0], [0.0, 0.5]])
    assert spectral_norm(M) == pytest.approx(np.linalg.svd(M, compute_uv=False)[0], rel=1e-14)
    assert spectral_radius(M) == pytest.approx(0.5, rel=1e-14)
    assert spectral_norm(M) > 6 * spectral_radius(M)


def test_spectral_radius_sees_complex_eigenvalues():
    rotation = 0.9 * np.array([[0.0, -1.0], [1.0, 0.0]])  # eigenvalues ±0.9i
    assert spectral_radius(rotation) == pytest.approx(0.9, rel=1e-14)
    assert spectral_norm(rotation) == pytest.approx(0.9, rel=1e-14)


@pytest.mark.parametrize("bad, match", [
    (np.ones((3, 3)), "shape"),
    (np.ones((3, 2, 3)), "square"),
    (np.ones((0, 2, 2)), "shape"),
    (np.full((2, 2, 2), np.nan), "finite"),
    (np.full((2, 2, 2), np.inf), "finite"),
    ("J", "numeric"),
    ([[[1, 2], [3]]], "numeric"),
])
def test_chain_norms_refuses_bad_stacks(bad, match):
    with pytest.raises(ValueError, match=match):
        chain_norms(bad)
    with pytest.raises(ValueError, match=match):
        chain_product(bad, 0, -1)


@pytest.mark.parametrize("end", [7, -1, 2.0, True, "3"])
def test_chain_norms_refuses_bad_end(end):
    with pytest.raises(ValueError, match="end"):
        chain_norms(J, end)
    with pytest.raises(ValueError, match="end"):
        chain_product(J, end, -1)


@pytest.mark.parametrize("start", [3, 4, -2, 1.0, None])
def test_chain_product_refuses_bad_start(start):
    with pytest.raises(ValueError, match="start"):
        chain_product(J, 3, start)


def test_chain_product_refuses_a_boolean_start():
    # regression: `end` refused bools while `start` let True through as step 1
    with pytest.raises(ValueError, match="start"):
        chain_product(J, 3, True)


@pytest.mark.parametrize("M, match", [
    (np.ones((2, 3)), "square"),
    (np.ones(3), "square"),
    (np.ones((0, 0)), "square"),
    ([[1.0, np.nan], [0.0, 1.0]], "finite"),
    ([[1j, 0], [0, 1]], "real"),
    ("M", "numeric"),
])
def test_spectral_functions_refuse_bad_matrices(M, match):
    with pytest.raises(ValueError, match=match):
        spectral_norm(M)
    with pytest.raises(ValueError, match=match):
        spectral_radius(M)
