"""The memory tasks: shapes, determinism, what each sequence encodes, the baselines, and bad sizes."""
import numpy as np
import pytest

from gru_core import tasks

N = 500
TASKS = [
    pytest.param(tasks.adding(30), id="adding"),
    pytest.param(tasks.adding(3), id="adding-odd"),
    pytest.param(tasks.delayed_recall(5, symbols=3), id="recall"),
    pytest.param(tasks.delayed_recall(0), id="recall-no-delay"),
    pytest.param(tasks.sentiment(12, "start", fillers=5), id="sentiment-start"),
    pytest.param(tasks.sentiment(12, "end"), id="sentiment-end"),
]


@pytest.mark.parametrize("task", TASKS)
def test_shapes(task):
    X, y = task.sample(N, np.random.default_rng(0))
    assert X.shape == (N, task.T, task.input_size)
    assert y.shape == (N,)
    assert X.dtype == np.float64
    if task.kind == "classification":
        assert y.dtype.kind == "i" and y.min() >= 0 and y.max() < task.outputs
        assert set(np.unique(y)) == set(range(task.outputs))  # every class turns up in 500 draws
    else:
        assert task.outputs == 1 and y.dtype == np.float64


@pytest.mark.parametrize("task", TASKS)
def test_deterministic_given_the_generator(task):
    X1, y1 = task.sample(N, np.random.default_rng(42))
    X2, y2 = task.sample(N, np.random.default_rng(42))
    X3, y3 = task.sample(N, np.random.default_rng(43))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not (np.array_equal(X1, X3) and np.array_equal(y1, y3))


@pytest.mark.parametrize("task", TASKS)
def test_successive_batches_differ(task):
    rng = np.random.default_rng(1)
    X1, _ = task.sample(N, rng)
    X2, _ = task.sample(N, rng)
    assert not np.array_equal(X1, X2)


# ---- adding --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("T", [2, 3, 10, 31, 100])
def test_adding_targets_and_markers(T):
    task = tasks.adding(T)
    assert (task.kind, task.input_size, task.T) == ("regression", 2, T)
    X, y = task.sample(2000, np.random.default_rng(T))
    values, markers = X[:, :, 0], X[:, :, 1]
    assert np.all((values >= -1.0) & (values <= 1.0))
    assert set(np.unique(markers)) <= {0.0, 1.0}
    np.testing.assert_array_equal(markers.sum(1), 2.0)  # exactly two markers
    half = T // 2
    np.testing.assert_array_equal(markers[:, :half].sum(1), 1.0)  # one in the first half
    np.testing.assert_array_equal(markers[:, half:].sum(1), 1.0)  # one in the second
    np.testing.assert_allclose(y, 0.5 + (values * markers).sum(1) / 4.0, rtol=1e-15)
    assert np.all((y >= 0.0) & (y <= 1.0))


def test_adding_marker_positions_cover_both_halves():
    T = 10
    X, _ = tasks.adding(T).sample(4000, np.random.default_rng(3))
    first = X[:, :, 1].argmax(1)
    second = T - 1 - X[:, ::-1, 1].argmax(1)
    assert set(first) == set(range(T // 2))
    assert set(second) == set(range(T // 2, T))


def test_adding_target_variance_is_the_baseline():
    """Predicting the mean 0.5 scores Var(y) = 2 · (1/3) / 16 = 1/24: the baseline the task reports."""
    task = tasks.adding(20)
    assert task.baseline_loss == pytest.approx(1 / 24, rel=1e-15)
    _, y = task.sample(200_000, np.random.default_rng(8))
    # relative standard error of a variance estimate here is about sqrt((2.4 − 1) / n) ≈ 0.3 %
    assert np.var(y) == pytest.approx(task.baseline_loss, rel=0.02)
    assert np.mean(y) == pytest.approx(0.5, abs=0.002)
    assert np.mean((y - 0.5) ** 2) == pytest.approx(task.baseline_loss, rel=0.02)
    assert np.isnan(task.baseline_accuracy)


# ---- delayed recall ------------------------------------------------------------------------------------
@pytest.mark.parametrize("delay, K", [(0, 2), (1, 4), (6, 4), (20, 7)])
def test_recall_label_is_the_first_symbol_and_the_query_comes_last(delay, K):
    task = tasks.delayed_recall(delay, symbols=K)
    assert (task.T, task.input_size, task.outputs) == (delay + 2, K + 1, K)
    assert task.baseline_loss == pytest.approx(np.log(K)) and task.baseline_accuracy == pytest.approx(1 / K)
    X, y = task.sample(N, np.random.default_rng(delay))
    np.testing.assert_array_equal(X.sum(2), 1.0)  # one-hot at every step
    np.testing.assert_array_equal(X[:, 0, :K].argmax(1), y)  # the first symbol is the label
    np.testing.assert_array_equal(X[:, -1, K], 1.0)  # the query marker at the end ...
    np.testing.assert_array_equal(X[:, :-1, K], 0.0)  # ... and nowhere else
    if delay >= 3:  # the distractors use the same symbols, so nothing after step 0 gives the label away
        middle = X[:, 1:-1, :K].argmax(2)
        assert np.mean(middle == y[:, None]) == pytest.approx(1 / K, abs=0.05)


# ---- sentiment -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("position", ["start", "end"])
@pytest.mark.parametrize("T, F", [(2, 1), (9, 8), (30, 3)])
def test_sentiment_word_at_start_or_end(position, T, F):
    task = tasks.sentiment(T, position, fillers=F)
    assert task.name == f"sentiment-{position}"
    assert (task.T, task.input_size, task.outputs) == (T, 2 + F, 2)
    X, y = task.sample(N, np.random.default_rng(T))
    where = 0 if position == "start" else T - 1
    np.testing.assert_array_equal(X.sum(2), 1.0)  # one word per step
    np.testing.assert_array_equal(X[:, where, :2].argmax(1), y)  # word 0 = bad, word 1 = good
    np.testing.assert_array_equal(X[:, where, :2].sum(1), 1.0)
    others = np.delete(X, where, axis=1)
    np.testing.assert_array_equal(others[:, :, :2], 0.0)  # only fillers elsewhere


# ---- bad sizes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: tasks.adding(1),
    lambda: tasks.adding(0),
    lambda: tasks.adding(-5),
    lambda: tasks.adding(2.5),
    lambda: tasks.adding(True),
    lambda: tasks.adding("30"),
    lambda: tasks.adding(10_001),
    lambda: tasks.delayed_recall(-1),
    lambda: tasks.delayed_recall(1.0),
    lambda: tasks.delayed_recall(3, symbols=1),
    lambda: tasks.delayed_recall(3, symbols=33),
    lambda: tasks.sentiment(1),
    lambda: tasks.sentiment(10, "middle"),
    lambda: tasks.sentiment(10, "START"),
    lambda: tasks.sentiment(10, fillers=0),
    lambda: tasks.sentiment(10, fillers=65),
], ids=["adding-1", "adding-0", "adding-neg", "adding-float", "adding-bool", "adding-str", "adding-huge",
        "recall-neg", "recall-float", "recall-K1", "recall-K33", "sentiment-1", "sentiment-middle",
        "sentiment-case", "sentiment-F0", "sentiment-F65"])
def test_bad_sizes_raise_value_error(make):
    with pytest.raises(ValueError):
        make()


@pytest.mark.parametrize("n", [-1, 2.5, "8"])
def test_sample_refuses_bad_counts(n):
    """Task.sample is public too: a bad batch size should be the project's ValueError, not a numpy TypeError."""
    with pytest.raises(ValueError):
        tasks.adding(10).sample(n, np.random.default_rng(0))
