"""The pages with real worker pools (gru_lab.ui.work): heavy work goes to a worker process, and a full
pool shows the busy notice instead of an exception, then works again once a place frees."""
from __future__ import annotations

import pytest

from gru_core.training import TrainConfig
from gru_lab import jobs, pool
from gru_lab.ui import session, work

from . import apptools
from .apptools import exceptions, figures, warnings, widget

BOUND = 30.0  # seconds


def endless() -> tuple:
    return jobs.train, "adding", 60, {"GRU": 32}, TrainConfig(steps=1_000_000)  # ends only when cancelled


@pytest.fixture(scope="module")
def lanes():
    """One worker and no waiting place per lane, installed for this module's page runs."""
    made = {"short": pool.Pool(1, 0), "long": pool.Pool(1, 0)}
    before = work.install(made)
    yield made
    work.install(before)
    for p in made.values():
        p.shutdown()


def fill(p: pool.Pool) -> pool.Job:
    job = p.submit(*endless())
    assert job.started.wait(BOUND)
    return job


def test_the_vanishing_page_computes_in_a_worker_and_says_busy_when_full(lanes, pages):
    blocker = fill(lanes["short"])
    try:
        at = apptools.open_page(pages, "vanishing", T="30", seeds="3", seed="4321")  # nothing cached for this
        assert exceptions(at) == [], exceptions(at)
        assert pool.BUSY_MESSAGE in warnings(at)
        assert "chains" not in figures(at)
    finally:
        blocker.cancel()
    at.run()  # the student tries again a moment later
    assert exceptions(at) == [] and pool.BUSY_MESSAGE not in warnings(at)
    assert {"chains", "deltas"} <= set(figures(at))
    assert lanes["short"].active == 0


def test_the_lstm_page_says_busy_for_its_chains_and_draws_the_rest(lanes, pages):
    blocker = fill(lanes["short"])
    try:
        at = apptools.open_page(pages, "lstm", seed="4321")
        assert exceptions(at) == [], exceptions(at)
        assert pool.BUSY_MESSAGE in warnings(at)
        assert "three_chains" not in figures(at) and "gru_gates" in figures(at)
    finally:
        blocker.cancel()
    at.run()
    assert "three_chains" in figures(at) and pool.BUSY_MESSAGE not in warnings(at)


def test_training_runs_in_a_worker_and_a_full_pool_leaves_the_last_result(lanes, pages):
    at = apptools.open_page(pages, "train", steps="50")
    widget(at, "train_start").click()
    at.run(timeout=BOUND)
    assert exceptions(at) == [], exceptions(at)
    trained = at.session_state[session.TRAINING]
    assert trained.state == "finished" and set(trained.runs) == {"GRU", "RNN"}
    assert all(len(v) == 50 for v in trained.losses.values()), "every step's loss came back from the worker"
    blocker = fill(lanes["long"])
    try:
        widget(at, "train_start").click()
        at.run(timeout=BOUND)
        assert exceptions(at) == [], exceptions(at)
        assert pool.BUSY_MESSAGE in warnings(at)
        assert at.session_state[session.TRAINING] is trained  # the last run's results stay on the page
        widget(at, "sweep_start").click()
        at.run(timeout=BOUND)
        assert pool.BUSY_MESSAGE in warnings(at)
    finally:
        blocker.cancel()
