"""Training by BPTT: determinism, the loss going down on every task, the GRU beating the adding baseline
where the vanilla RNN cannot, early stopping, and input checks."""
import numpy as np
import pytest

from gru_core import GRU, LSTM, RNN, tasks
from gru_core.params import NAMES
from gru_core.training import StepInfo, TrainConfig, TrainingDiverged, train

SHORT = TrainConfig(steps=30, batch=16, eval_size=64, seed=3)


@pytest.mark.parametrize("make", [GRU.init, RNN.init, LSTM.init], ids=["gru", "rnn", "lstm"])
def test_training_is_deterministic_given_the_seed(make):
    task = tasks.adding(12)
    a = train(make(2, 8, seed=1), task, SHORT)
    b = train(make(2, 8, seed=1), task, SHORT)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.eval_loss == b.eval_loss
    for name, p, q in zip(NAMES, a.model.params, b.model.params, strict=True):
        np.testing.assert_array_equal(p, q, err_msg=name)
    np.testing.assert_array_equal(a.readout.V, b.readout.V)
    np.testing.assert_array_equal(a.readout.c, b.readout.c)
    c = train(make(2, 8, seed=1), task, TrainConfig(steps=30, batch=16, eval_size=64, seed=4))
    assert not np.array_equal(a.losses, c.losses)  # the seed does matter


def test_training_changes_the_weights_but_not_the_input_model():
    model = GRU.init(2, 8, seed=1)
    before = [p.copy() for p in model.params]
    res = train(model, tasks.adding(12), SHORT)
    for name, p, q, r in zip(NAMES, before, model.params, res.model.params, strict=True):
        np.testing.assert_array_equal(p, q, err_msg=f"{name} of the input model changed")
        assert not np.array_equal(p, r), f"{name} was not trained"
    assert isinstance(res.model, GRU) and res.model.update == model.update
    assert res.losses.shape == (SHORT.steps,) and res.accuracies.shape == (SHORT.steps,)
    assert not res.stopped_early


def test_training_keeps_the_gru_conventions():
    model = GRU.init(2, 8, seed=1, reset_after=False, update="take")
    res = train(model, tasks.adding(12), SHORT)
    assert (res.model.reset_after, res.model.update) == (False, "take")


@pytest.mark.parametrize("task", [
    pytest.param(tasks.adding(10), id="adding"),
    pytest.param(tasks.delayed_recall(3), id="recall"),
    pytest.param(tasks.sentiment(10, "start"), id="sentiment-start"),
    pytest.param(tasks.sentiment(10, "end"), id="sentiment-end"),
])
def test_gru_loss_decreases_on_every_task(task):
    res = train(GRU.init(task.input_size, 16, seed=0), task, TrainConfig(steps=150, seed=0))
    first, last = res.losses[:20].mean(), res.losses[-20:].mean()
    assert last < 0.5 * first, (first, last)
    assert last < 0.5 * task.baseline_loss, (last, task.baseline_loss)
    assert res.eval_loss < 0.5 * task.baseline_loss
    if task.kind == "classification":
        assert res.eval_accuracy > 0.9
        assert np.all((res.accuracies >= 0) & (res.accuracies <= 1))
    else:
        assert np.isnan(res.eval_accuracy)


def test_gru_learns_the_adding_problem_where_the_rnn_does_not():
    """T = 30, H = 16, the default 400 Adam steps: the GRU reaches ~1e-4 against the baseline 1/24 ≈ 0.042,
    the vanilla RNN stays at the baseline (predicting the mean)."""
    task = tasks.adding(30)
    cfg = TrainConfig(steps=400, seed=0)
    gru = train(GRU.init(2, 16, seed=0), task, cfg)
    rnn = train(RNN.init(2, 16, seed=0), task, cfg)
    assert gru.eval_loss < 0.25 * task.baseline_loss, gru.eval_loss
    assert rnn.eval_loss > 0.8 * task.baseline_loss, rnn.eval_loss
    assert np.all(np.isfinite(gru.losses)) and np.all(np.isfinite(rnn.losses))


@pytest.mark.parametrize("stop_at", [0, 4, 9])
def test_callback_returning_false_stops_early(stop_at):
    seen = []

    def callback(info):
        assert isinstance(info, StepInfo)
        seen.append(info)
        return False if info.step == stop_at else None

    res = train(GRU.init(2, 8, seed=1), tasks.adding(12), SHORT, callback=callback)
    assert res.stopped_early
    assert len(res.losses) == stop_at + 1 == len(seen)
    assert [s.step for s in seen] == list(range(stop_at + 1))
    np.testing.assert_array_equal(res.losses, [s.loss for s in seen])
    assert all(s.grad_norm > 0 and np.isfinite(s.grad_norm) for s in seen)
    assert np.isfinite(res.eval_loss)  # evaluated on the model as it was when stopped
    full = train(GRU.init(2, 8, seed=1), tasks.adding(12), SHORT)
    np.testing.assert_array_equal(res.losses, full.losses[:stop_at + 1])  # stopping does not change the path


def test_callback_returning_true_or_none_runs_to_the_end():
    res = train(GRU.init(2, 8, seed=1), tasks.adding(12), SHORT, callback=lambda info: True)
    assert not res.stopped_early and len(res.losses) == SHORT.steps


@pytest.mark.parametrize("model, task", [
    pytest.param(GRU.init(3, 8), tasks.adding(10), id="gru-3-vs-2"),
    pytest.param(RNN.init(1, 8), tasks.adding(10), id="rnn-1-vs-2"),
    pytest.param(LSTM.init(2, 8), tasks.delayed_recall(2), id="lstm-2-vs-5"),
    pytest.param(GRU.init(2, 8), tasks.sentiment(5), id="gru-2-vs-10"),
])
def test_input_size_mismatch_raises(model, task):
    with pytest.raises(ValueError, match="inputs"):
        train(model, task, SHORT)


@pytest.mark.parametrize("bad", [
    dict(optimizer="Adam"), dict(optimizer="adagrad"), dict(optimizer=""),
    dict(batch=0), dict(batch=2.5), dict(eval_size=0), dict(steps=-1),
    dict(lr=float("nan")), dict(lr=-0.1), dict(clip=-1.0),
    dict(clip=True), dict(clip=False), dict(clip=np.True_), dict(lr=True),  # regression: clip=True was a number
], ids=lambda d: "-".join(f"{k}={v}" for k, v in d.items()))
def test_bad_config_is_refused(bad):
    """A misspelt optimizer must not silently train with plain SGD, a negative clip must not turn descent into
    ascent, and empty batches must not end in NaN losses: each is the project's ValueError."""
    with pytest.raises(ValueError):
        train(GRU.init(2, 4), tasks.adding(5), TrainConfig(**{"steps": 2, **bad}))


def test_sgd_training_runs_and_differs_from_adam():
    a = train(GRU.init(2, 8, seed=1), tasks.adding(12), SHORT)
    s = train(GRU.init(2, 8, seed=1), tasks.adding(12), TrainConfig(steps=30, batch=16, eval_size=64, seed=3,
                                                                   optimizer="sgd", lr=0.1))
    assert a.losses[0] == s.losses[0]  # same initial weights and first batch
    assert not np.array_equal(a.losses, s.losses)


@pytest.mark.parametrize("make", [GRU.init, RNN.init, LSTM.init], ids=["gru", "rnn", "lstm"])
def test_divergence_stops_training_with_a_clear_error(make):
    # regression: lr=1e6 with plain SGD and no clipping returned NaN losses and NaN weights, silently
    cfg = TrainConfig(steps=30, batch=16, eval_size=64, seed=3, lr=1e6, optimizer="sgd", clip=None)
    seen = []
    with pytest.raises(TrainingDiverged, match=r"diverged at step \d+: .*Lower the learning rate \(now lr=1e\+06\) "
                                               r"or turn gradient clipping on") as caught:
        train(make(2, 8, seed=1), tasks.adding(12), cfg, callback=seen.append)
    err = caught.value
    assert isinstance(err, ValueError)
    assert len(err.losses) == err.step + 1 == len(seen) + 1  # every step run, the failing one last
    assert np.all(np.isfinite(err.losses[:-1]))
    np.testing.assert_array_equal(err.losses[:-1], [s.loss for s in seen])


def test_divergence_with_clipping_on_says_to_clip_harder():
    cfg = TrainConfig(steps=30, batch=16, eval_size=64, seed=3, lr=1e6, optimizer="sgd", clip=10.0)
    with pytest.raises(TrainingDiverged, match=r"clip harder \(now clip=10\)"):
        train(GRU.init(2, 8, seed=1), tasks.adding(12), cfg)


def test_training_diverged_survives_pickling():
    import pickle

    err = pickle.loads(pickle.dumps(TrainingDiverged("diverged", 3, np.array([1.0, np.nan]))))
    assert (str(err), err.step) == ("diverged", 3) and np.isnan(err.losses[-1])


def test_an_exception_in_the_callback_ends_training_at_once():
    """The app's stop button: whatever the callback raises comes out of train() before another step runs."""
    seen = []

    class Stop(Exception):
        pass

    def callback(info):
        seen.append(info.step)
        if info.step == 2:
            raise Stop

    with pytest.raises(Stop):
        train(GRU.init(2, 8, seed=1), tasks.adding(12), SHORT, callback=callback)
    assert seen == [0, 1, 2]


def test_a_non_finite_loss_stops_training(monkeypatch):
    from gru_core import training

    real = training.loss_and_grads

    def nan_at_step_2(*args, _calls=[]):  # noqa: B006 (a counter kept between calls)
        _calls.append(1)
        loss, acc, grads, dh = real(*args)
        return (float("nan") if len(_calls) == 3 else loss), acc, grads, dh

    monkeypatch.setattr(training, "loss_and_grads", nan_at_step_2)
    with pytest.raises(TrainingDiverged, match="at step 2: the loss is nan") as caught:
        train(GRU.init(2, 8, seed=1), tasks.adding(12), SHORT)
    assert caught.value.step == 2 and np.isnan(caught.value.losses[-1])
