"""gru_lab.pool with real worker processes: a heavy job does not hold up a light one, a full pool says
Busy, Stop (the caller's check raising) and cancel() end the work, and progress, results and errors
come back as they would inline.

Bounds are generous (seconds where the work takes milliseconds): the machine is shared and noisy.
"""
from __future__ import annotations

import sys
import threading
import time
import types

import numpy as np
import pytest

from gru_core.training import TrainConfig, TrainingDiverged
from gru_lab import compute, jobs, pool
from gru_lab.settings import Settings

FOREVER = TrainConfig(steps=1_000_000)  # hours of training: it only ends by being cancelled
BOUND = 10.0  # seconds: far above what each step below needs, on a loaded machine


def endless(task_length: int = 60) -> tuple:
    return jobs.train, "adding", task_length, {"GRU": 32}, FOREVER


def light() -> tuple:
    return jobs.vanishing_block, Settings(hidden_size=4), 20, 1.0, (0,)


@pytest.fixture(scope="module")
def two():
    """Two workers, room for one more job: warmed up, so no test pays for starting a process."""
    p = pool.Pool(2, 1)
    warm = [p.submit(*light()) for _ in range(2)]
    for job in warm:
        job.result(timeout=60)
    yield p
    p.shutdown()


def wait_until(predicate, seconds: float = BOUND) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_results_equal_the_same_call_inline(two):
    s, seeds = Settings(hidden_size=8, seed=5), (5, 6, 7)
    got = two.submit(jobs.vanishing_block, s, 40, 0.8, seeds).result(timeout=BOUND)
    for a, b in zip(got, compute.vanishing_runs(s, 40, 0.8, seeds), strict=True):
        np.testing.assert_array_equal(a.gru_chain, b.gru_chain)
        np.testing.assert_array_equal(a.rnn_delta, b.rnn_delta)


def test_a_heavy_job_does_not_delay_a_light_one(two):
    heavy = two.submit(*endless())
    waiter = threading.Thread(target=lambda: pytest.raises(pool.Cancelled, heavy.wait), daemon=True)
    waiter.start()  # another session waiting for its heavy job, as a script thread would
    try:
        assert heavy.started.wait(BOUND)
        t0 = time.monotonic()
        two.submit(*light()).result(timeout=BOUND)  # the other worker takes it at once
        in_pool = time.monotonic() - t0
        t0 = time.monotonic()
        compute.vanishing(Settings(), 50, 1.0, 5)  # work in this interpreter: the waiting holds no lock
        here = time.monotonic() - t0
        assert in_pool < 3.0 and here < 3.0, (in_pool, here)
        assert not heavy.done()
    finally:
        heavy.cancel()
    waiter.join(BOUND)
    assert not waiter.is_alive()


def test_a_full_pool_is_busy_until_a_place_frees(two):
    running = [two.submit(*endless()) for _ in range(3)]  # two workers busy, the one waiting place taken
    try:
        with pytest.raises(pool.Busy, match="busy with other students' calculations; try again in a moment"):
            two.submit(*light())
        assert two.active == 3
        running.pop().cancel()  # the waiting one: its place is free at once
        assert two.active == 2
        running.append(two.submit(*light()))  # no longer busy
        running.pop(0).cancel()  # a worker frees: the light job runs
        assert running[-1].result(timeout=BOUND) is not None
    finally:
        for job in running:
            job.cancel()
    assert wait_until(lambda: two.active == 0)


class Stopped(Exception):
    """What Streamlit's stop check raises when the user presses Stop or closes the tab."""


def test_the_callers_stop_cancels_a_running_job(two):
    job = two.submit(*endless())
    deadline = time.monotonic() + 0.5

    def check():
        if time.monotonic() > deadline:
            raise Stopped

    steps = []
    with pytest.raises(Stopped):
        job.wait(on_progress=steps.extend, check=check)
    assert steps, "progress came back while it ran"
    t0 = time.monotonic()
    with pytest.raises(pool.Cancelled):
        job.result(timeout=BOUND)  # the worker stopped, hours before the run would have ended
    assert time.monotonic() - t0 < BOUND
    assert wait_until(lambda: two.active == 0)


def test_a_cancelled_chain_computation_stops_within_its_block(two):
    job = two.submit(jobs.vanishing_block, Settings(hidden_size=128), 500, 1.0, tuple(range(30)))
    assert job.started.wait(BOUND)
    t0 = time.monotonic()
    job.cancel()
    with pytest.raises(pool.Cancelled):
        job.result(timeout=BOUND)
    assert time.monotonic() - t0 < 3.0  # the whole call is many seconds of work; it checks every few steps


def test_a_job_cancelled_before_it_starts_never_runs():
    p = pool.Pool(1, 1)
    try:
        first = p.submit(*endless())
        queued = p.submit(*light())
        queued.cancel()
        first.cancel()
        for job in (first, queued):
            with pytest.raises(pool.Cancelled):
                job.result(timeout=BOUND)
        assert not queued.started.is_set()
    finally:
        p.shutdown()


def test_training_progress_reports_every_step_once(two):
    steps = []
    runs = two.submit(jobs.train, "adding", 10, {"GRU": 4, "RNN": 4}, TrainConfig(steps=60)).wait(steps.extend)
    assert [(m, s) for m, s, _ in steps] == [(m, s) for m in ("GRU", "RNN") for s in range(60)]
    np.testing.assert_array_equal([loss for m, _, loss in steps if m == "GRU"], runs["GRU"].result.losses)


def test_an_error_in_the_worker_comes_back_as_itself(two):
    cfg = TrainConfig(steps=30, batch=16, eval_size=64, seed=3, lr=1e6, optimizer="sgd", clip=None)
    with pytest.raises(TrainingDiverged) as err:
        two.submit(jobs.train, "adding", 10, {"RNN": 8}, cfg).result(timeout=BOUND)
    assert err.value.step >= 0 and len(err.value.losses) == err.value.step + 1


def test_inline_jobs_use_the_callers_progress_and_stop():
    seen = []

    def check():
        if len(seen) >= 2:
            raise Stopped

    with pytest.raises(Stopped):
        pool.InlineJob(jobs.sweep, ((10, 20, 40), ("GRU",), 4, TrainConfig(steps=50)), {}).wait(seen.append, check)
    assert seen == pytest.approx([1 / 3, 2 / 3])
    pool.check()  # outside a job: nothing to stop
    pool.report("nobody listens")


def main_file() -> str | None:
    return getattr(sys.modules["__main__"], "__file__", None)


def test_workers_do_not_run_the_app_script_again(tmp_path, monkeypatch):
    # Under Streamlit, __main__ is app.py; multiprocessing would run it again in every new worker.
    script = tmp_path / "app.py"
    script.write_text("raise SystemExit('a worker ran the app script')\n")
    fake = types.ModuleType("__main__")
    fake.__file__, fake.__spec__ = str(script), None
    monkeypatch.setitem(sys.modules, "__main__", fake)
    p = pool.Pool(1, 0)
    try:
        assert p.submit(main_file).result(timeout=60) != str(script)
    finally:
        p.shutdown()


@pytest.mark.parametrize("cpus, env, sizes", [
    (2, {}, {"short": (1, 4), "long": (1, 2)}),
    (1, {}, {"short": (1, 4), "long": (1, 2)}),
    (8, {}, {"short": (4, 16), "long": (4, 8)}),
    (2, {"GRU_LAB_WORKERS": "3"}, {"short": (3, 12), "long": (3, 6)}),
    (2, {"GRU_LAB_WORKERS": "0"}, None),
])
def test_lanes_are_sized_from_the_cpu_count(cpus, env, sizes):
    got = pool.lanes(cpus, env)
    assert (None if got is None else {k: (v.workers, v.waiting) for k, v in got.items()}) == sizes


def test_a_bad_worker_count_is_refused():
    with pytest.raises(ValueError, match="GRU_LAB_WORKERS"):
        pool.lanes(2, {"GRU_LAB_WORKERS": "many"})
    with pytest.raises(ValueError, match="at least 1 worker"):
        pool.Pool(0, 1)
