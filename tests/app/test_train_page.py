"""The Train page (/train): renders, trains every model and task in a few steps, matches sizes by
parameter count, sweeps lengths, and opens the trained GRU on the step page.

Training runs use 50 steps (the slider's minimum) and short sequences, so each takes well under
a second; the numbers are not checked for learning, only for shape, consistency and wiring.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gru_core import GRU, log_spaced_distances
from gru_lab import compute, train_presets, weights
from gru_lab import experiments as trainer
from gru_lab.settings import Settings
from gru_lab.ui import session

from . import apptools
from .apptools import assert_clean, decode, errors, exceptions, figure, figures, trace, warnings, widget

TRAIN = "app_pages/train.py"
STEP = "app_pages/step_through.py"
FAST = {"steps": 50}  # the slider's minimum: enough to run every code path in about a second
RESULT_CHARTS = {"final_losses", "chains_before_after"}


def open_train(pages: dict, **params) -> AppTest:
    """A fresh session whose first run is /train?<params>."""
    at = apptools.new_app()
    apptools.knows_pages(at, pages)
    at.switch_page(TRAIN)
    at.query_params.update({k: v if isinstance(v, list) else str(v) for k, v in params.items()})
    at.run()
    assert [t.value for t in at.title][:1] == ["Train it live"], exceptions(at)
    return at


def model_traces(fig: dict) -> list[str]:
    """The models a chart draws (its reference lines, such as the baseline, are traces of their own)."""
    return [d["name"] for d in fig["data"] if d.get("name") in trainer.CLASSES]


def results(at: AppTest) -> pd.DataFrame:
    """The results table (Streamlit does not put a dataframe's key in the element, so find it by its columns)."""
    found = [d.value for d in at.dataframe if "held-out loss" in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def sizes_caption(at: AppTest) -> str:
    found = [c.value for c in at.caption if c.value.startswith("Hidden sizes:")]
    assert len(found) == 1, [c.value for c in at.caption]
    return found[0]


def expected_caption(sizes: dict[str, int], I: int) -> str:
    return "Hidden sizes: " + ", ".join(f"{m} H = {h} ({trainer.param_count(m, I, h):,} parameters)"
                                        for m, h in sizes.items())


def train(at: AppTest, models: list[str] | None = None, **widgets) -> AppTest:
    """Set the models and other page widgets as a user would, then press Start training."""
    if models is not None:
        at.multiselect(key="models").set_value(models)
    for key, value in widgets.items():
        apptools.set_widget(at, key, value)
    at.run()
    assert exceptions(at) == []
    widget(at, "train_start").click()
    return at.run()


# ---- at defaults ------------------------------------------------------------------------------------
def test_renders_at_defaults_with_an_info_message(pages):
    at = open_train(pages)
    assert_clean(at)
    infos = [i.value for i in at.info]
    assert any("Start training" in i for i in infos), infos
    assert apptools.values(at, ["task", "length", "train_H", "match", "steps", "batch", "optimizer", "lr",
                                "clip", "train_seed"]) == {
        "task": "adding", "length": 30, "train_H": 16, "match": "hidden size", "steps": 400, "batch": 32,
        "optimizer": "adam", "lr": 0.01, "clip": 1.0, "train_seed": 0}
    assert at.multiselect(key="models").value == ["GRU", "RNN"]
    assert at.multiselect(key="sweep_lengths").value == [10, 20, 40, 80]
    assert sizes_caption(at) == expected_caption({"GRU": 16, "RNN": 16}, 2)  # the adding problem: 2 inputs
    assert not widget(at, "train_start").proto.disabled
    assert not widget(at, "sweep_start").proto.disabled
    assert figures(at) == {}, "nothing is drawn before training"
    assert "open_trained" not in apptools.widget_keys(at)
    assert at.dataframe.len == 0


# ---- one training run, read by several tests --------------------------------------------------------
@pytest.fixture(scope="module")
def trained(pages) -> AppTest:
    """All three models on the adding problem at T = 10, 50 steps. Read-only for the tests below."""
    at = open_train(pages, length=10, **FAST)
    return train(at, ["GRU", "RNN", "LSTM"])


def test_training_shows_one_row_per_model(trained):
    assert_clean(trained)
    table = results(trained)
    assert list(table["model"]) == ["GRU", "RNN", "LSTM"]
    assert list(table["hidden size"]) == [16, 16, 16]
    assert list(table["parameters"]) == [trainer.param_count(m, 2, 16) for m in ("GRU", "RNN", "LSTM")]
    assert "accuracy" not in table.columns, "the adding problem is a regression: no accuracy"
    np.testing.assert_allclose(table["baseline"], round(1 / 24, 5))
    np.testing.assert_allclose(table["loss ÷ baseline"], table["held-out loss"] / (1 / 24), atol=2e-3)
    assert set(table["learned?"]) <= {"yes", "no"}
    assert not any("Start training" in i.value for i in trained.info), "the info message gives way to results"
    run = trained.session_state[session.TRAINING]
    assert run.state == "finished"
    assert run.task.T == 10 and run.steps == 50 and list(run.runs) == ["GRU", "RNN", "LSTM"]


def test_final_loss_chart_has_one_trace_per_model_and_the_baseline(trained):
    fig = figure(trained, "final_losses")
    assert model_traces(fig) == ["GRU", "RNN", "LSTM"]
    runs = trained.session_state[session.TRAINING].runs
    for name in ("GRU", "RNN", "LSTM"):
        d = trace(fig, name)
        np.testing.assert_array_equal(decode(d["x"]), np.arange(1, 51))
        y = decode(d["y"]).astype(float)
        np.testing.assert_array_equal(y, runs[name].result.losses)
        assert np.isfinite(y).all() and (y > 0).all()
    layout = fig["layout"]
    assert layout["yaxis"]["type"] == "log"
    assert layout["yaxis"]["title"]["text"] == "MSE"
    assert layout["xaxis"]["range"] == [0, 50]
    (line,) = [d for d in fig["data"] if d["name"].startswith("baseline")]  # a trace: its label has a legend slot
    np.testing.assert_allclose(decode(line["y"]).astype(float), 1 / 24)


def test_result_charts_carry_their_numbers_in_words(trained):
    from .test_chart_text import _chart_alternatives
    found = _chart_alternatives(trained)
    assert set(found) >= RESULT_CHARTS
    runs = trained.session_state[session.TRAINING].runs
    for name in ("GRU", "RNN", "LSTM"):
        assert f"{name} {runs[name].result.losses[-1]:.3g} after 50 steps" in found["final_losses"]
    assert all(found[k].startswith("How to read:") for k in RESULT_CHARTS)


def test_chains_before_after_has_dotted_untrained_and_solid_trained(trained):
    fig = figure(trained, "chains_before_after")
    names = [d["name"] for d in fig["data"]]
    assert names == [f"{m} {s}" for m in ("GRU", "RNN", "LSTM") for s in ("untrained", "trained")]
    distance = log_spaced_distances(10, count=40)
    for m in ("GRU", "RNN", "LSTM"):
        before, after = trace(fig, f"{m} untrained"), trace(fig, f"{m} trained")
        assert before["line"]["dash"] == "dot" and after["line"]["dash"] == "solid"
        assert before["line"]["color"] == after["line"]["color"]
        for d in (before, after):
            np.testing.assert_array_equal(decode(d["x"]), distance)
            assert np.isfinite(decode(d["y"]).astype(float)).any()
        assert not np.array_equal(decode(before["y"]), decode(after["y"])), f"{m}: training changed nothing"
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_results_stay_when_the_page_reruns(pages):
    at = train(open_train(pages, length=5, **FAST), ["GRU"])
    before = figures(at)
    assert RESULT_CHARTS <= set(before)
    widget(at, "lr").set_value(0.1)  # any other widget: a rerun that does not train
    at.run()
    assert_clean(at)
    after = figures(at)
    assert RESULT_CHARTS <= set(after)
    assert apptools.same_data(before["final_losses"], after["final_losses"])


# ---- model sizes ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("task", "I"), [("adding", 2), ("recall", 5), ("sentiment-end", 10)])
@pytest.mark.parametrize("H", [8, 16])
def test_matched_sizes_are_closest_to_the_grus_parameter_count(task, I, H):
    assert trainer.make_task(task, 10).input_size == I
    sizes = trainer.matched_sizes(["GRU", "RNN", "LSTM"], I, H, "parameter count")
    target = trainer.param_count("GRU", I, H)
    assert sizes["GRU"] == H
    for m in ("RNN", "LSTM"):
        gap = abs(trainer.param_count(m, I, sizes[m]) - target)
        assert all(gap <= abs(trainer.param_count(m, I, h) - target) for h in range(1, 4 * H + 1))
        assert gap / target < 0.15
    assert sizes["RNN"] > H > sizes["LSTM"]  # fewer blocks → more units for the same budget
    assert trainer.matched_sizes(["GRU", "RNN", "LSTM"], I, H, "hidden size") == dict.fromkeys(
        ["GRU", "RNN", "LSTM"], H)


def test_matching_by_parameter_count_changes_the_hidden_sizes(pages):
    at = open_train(pages, length=5, **FAST)
    at.multiselect(key="models").set_value(["GRU", "RNN", "LSTM"])
    at.run()
    assert sizes_caption(at) == expected_caption(dict.fromkeys(["GRU", "RNN", "LSTM"], 16), 2)
    sizes = trainer.matched_sizes(["GRU", "RNN", "LSTM"], 2, 16, "parameter count")
    assert sizes == {"GRU": 16, "RNN": 29, "LSTM": 14}
    at = train(at, match="parameter count")
    assert_clean(at)
    assert sizes_caption(at) == expected_caption(sizes, 2)
    table = results(at)
    assert dict(zip(table["model"], table["hidden size"], strict=True)) == sizes
    params = dict(zip(table["model"], table["parameters"], strict=True))
    assert params == {m: trainer.param_count(m, 2, h) for m, h in sizes.items()}
    assert all(abs(params[m] - params["GRU"]) / params["GRU"] < 0.1 for m in ("RNN", "LSTM"))


def test_gru_hidden_size_sets_every_models_size(pages):
    at = open_train(pages, train_H=8)
    assert_clean(at)
    assert sizes_caption(at) == expected_caption({"GRU": 8, "RNN": 8}, 2)


# ---- no models ----------------------------------------------------------------------------------------
def test_an_empty_model_list_disables_start_and_warns(pages):
    at = open_train(pages, **FAST)
    at.multiselect(key="models").set_value([])
    at.run()
    assert exceptions(at) == [] and errors(at) == []
    assert any("Pick at least one model" in w for w in warnings(at)), warnings(at)
    assert widget(at, "train_start").proto.disabled
    assert figures(at) == {}
    assert "train_runs" not in at.session_state


# ---- every task -------------------------------------------------------------------------------------
TASKS = [("adding", 10), ("recall", 5), ("sentiment-start", 10), ("sentiment-end", 10)]


@pytest.mark.parametrize(("task", "length"), TASKS, ids=[t for t, _ in TASKS])
def test_every_task_trains(pages, task, length):
    at = open_train(pages, **FAST)
    widget(at, "task").select(task)
    at.run()  # the length slider depends on the task (a delay for recall): set it on the next run
    at = train(at, ["GRU", "RNN"], length=length)
    assert_clean(at)
    spec = trainer.make_task(task, length)
    table = results(at)
    assert list(table["model"]) == ["GRU", "RNN"]
    np.testing.assert_allclose(table["baseline"], round(spec.baseline_loss, 5))
    assert sizes_caption(at) == expected_caption({"GRU": 16, "RNN": 16}, spec.input_size)
    fig = figure(at, "final_losses")
    assert fig["layout"]["yaxis"]["title"]["text"] == ("MSE" if spec.kind == "regression" else "cross-entropy")
    if spec.kind == "classification":
        assert "accuracy" in table.columns
        assert ((table["accuracy"] >= 0) & (table["accuracy"] <= 1)).all()
    else:
        assert "accuracy" not in table.columns
    done = at.session_state[session.TRAINING].task
    assert (done.name, done.T, done.input_size) == (spec.name, spec.T, spec.input_size)


# ---- presets and what the defaults show ----------------------------------------------------------------
def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


@pytest.mark.parametrize("key", list(train_presets.PRESETS))
def test_a_preset_sets_its_settings_and_says_what_was_measured(pages, key):
    p = train_presets.PRESETS[key]
    at = open_train(pages, steps=100, lr=0.003)  # not the defaults: the preset must set every setting
    assert widget(at, "train_preset").value == train_presets.OWN
    widget(at, "train_preset").select(key)
    at.run()
    assert_clean(at)
    assert apptools.values(at, p.settings.widgets()) == p.settings.widgets()
    assert train_presets.preset_caption(key, p.settings) in captions(at)
    assert f"GRU learned in {p.gru} of 5 seeds (0–4), RNN in {p.rnn} of 5" in " ".join(captions(at))
    apptools.set_widget(at, "steps", 1000)  # moved away from the preset: the measurement no longer applies
    at.run()
    assert any("differ from the preset's" in c for c in captions(at)), captions(at)


@pytest.mark.parametrize("task", list(trainer.TASKS))
def test_the_defaults_say_honestly_whether_only_one_learns(pages, task):
    at = open_train(pages, task=trainer.TASKS[task])
    note = train_presets.default_note(train_presets.default_settings(task))
    assert (note in captions(at)) if note else not any("At these defaults" in c for c in captions(at))
    if train_presets.DEFAULT_COUNTS[task] != (5, 0):
        assert note is not None, "where the defaults show no clear difference, the page says so"
    apptools.set_widget(at, "lr", 0.03)  # away from the defaults the sentence goes
    at.run()
    assert not any("At these defaults" in c for c in captions(at))


# ---- the sweep ----------------------------------------------------------------------------------------
def test_sweep_draws_gru_and_rnn_against_length(pages):
    at = open_train(pages, **FAST)
    at.multiselect(key="sweep_lengths").set_value([10, 5])
    at.run()
    widget(at, "sweep_start").click()
    at.run()
    assert_clean(at)
    fig = figure(at, "sweep_chart")
    assert model_traces(fig) == ["GRU", "RNN"]
    from .test_chart_text import _chart_alternatives
    assert "T = 5: " in _chart_alternatives(at)["sweep_chart"]
    for name in ("GRU", "RNN"):
        d = trace(fig, name)
        assert list(decode(d["x"])) == [5, 10], "lengths are sorted"
        y = decode(d["y"]).astype(float)
        assert y.shape == (2,) and np.isfinite(y).all() and (y > 0).all()
    assert fig["layout"]["xaxis"]["type"] == "log" and fig["layout"]["yaxis"]["type"] == "log"
    levels = sorted(float(decode(d["y"])[0]) for d in fig["data"] if d["name"] not in trainer.CLASSES)
    assert levels == [trainer.SUCCESS, 1.0]
    sweep = at.session_state[session.SWEEP]
    assert sweep.lengths == (5, 10) and set(sweep.ratio) == {"GRU", "RNN"}
    assert "train_runs" not in at.session_state, "the sweep does not fill the Train tab's results"


def test_sweep_needs_a_length(pages):
    at = open_train(pages, **FAST)
    at.multiselect(key="sweep_lengths").set_value([])
    at.run()
    assert_clean(at)
    assert widget(at, "sweep_start").proto.disabled


# ---- a run that was stopped ---------------------------------------------------------------------------
def test_a_stopped_run_shows_the_loss_so_far(pages):
    at = open_train(pages)
    # What run_training leaves behind when a Stop click reruns the page before it finishes.
    at.session_state[session.TRAINING] = session.Training(
        "running", trainer.make_task("adding", 30), "MSE", 400, 0, {"GRU": [0.3, 0.2, 0.1], "RNN": []})
    at.run()
    assert exceptions(at) == [] and errors(at) == []
    assert any("stopped" in w for w in warnings(at)), warnings(at)
    fig = figure(at, "stopped_losses")
    assert model_traces(fig) == ["GRU"], "a model that had not started is not drawn"
    np.testing.assert_array_equal(decode(trace(fig, "GRU")["y"]), [0.3, 0.2, 0.1])


# ---- opening the trained GRU on the step page ---------------------------------------------------------
def open_trained(at: AppTest) -> AppTest:
    widget(at, "open_trained").click()
    return at.run()


def test_open_trained_shows_the_trained_gru_on_the_step_page(pages):
    at = open_train(pages, **FAST)
    widget(at, "task").select("recall")
    at.run()  # the task changes the length slider: set it on the next run
    at = train(at, ["GRU"], length=5)
    assert_clean(at)
    run = at.session_state[session.TRAINING].runs["GRU"]
    at = open_trained(at)
    assert exceptions(at) == [] and errors(at) == []
    assert [t.value for t in at.title] == ["Step through a sequence"]
    assert widget(at, "weights").value == "session"
    assert at.query_params.get("weights") in ("session", ["session"])
    captions = [c.value for c in at.caption]
    assert "Model: GRU from GRU trained here on delayed recall (4 symbols) (H = 16, 5 inputs per step)." in captions
    loaded = at.session_state[session.TRAINED]
    assert loaded.module == "GRU" and loaded.ignored == ()
    trained_state = run.result.model.to_torch()
    for name, value in trained_state.items():
        np.testing.assert_array_equal(loaded.state[name], value)
    # The viewer draws the trained GRU (the sidebar's default convention is PyTorch's) on the
    # sidebar's words, embedded to the model's 5 inputs.
    _, rec = compute.step_record(Settings(), weights.build(loaded), loaded.name)
    z = apptools.viewer_array(at, "z")
    assert z.shape == (rec.z.shape[0], 16)
    np.testing.assert_allclose(z, np.round(rec.z, 3), atol=1e-3)
    np.testing.assert_allclose(apptools.viewer_array(at, "x"), np.round(rec.x, 3), atol=1e-3)
    untrained = GRU.init(5, 16, seed=0).forward(rec.x)
    assert not np.allclose(rec.z, untrained.z)


def test_open_trained_after_the_adding_problem_picks_the_adding_preset(pages):
    at = train(open_train(pages, length=10, **FAST), ["GRU"])
    at = open_trained(at)
    assert exceptions(at) == []
    assert [t.value for t in at.title] == ["Step through a sequence"]
    assert widget(at, "weights").value == "session"
    assert widget(at, "preset").value == "adding"
    assert any(c.value.startswith("Model: GRU from GRU trained here on adding problem (regression) (H = 16, "
                                  "2 inputs per step)") for c in at.caption)


# ---- links to the page --------------------------------------------------------------------------------
@pytest.mark.parametrize(("params", "key", "value"), [
    ({"task": trainer.TASKS["recall"]}, "task", "recall"),
    ({"clip": "no clipping"}, "clip", 1e9),
    ({"models": ["GRU", "LSTM"]}, "models", ["GRU", "LSTM"]),
    ({"sweep_lengths": ["5", "10"]}, "sweep_lengths", [5, 10]),
], ids=["task", "clip", "models", "sweep_lengths"])
def test_a_link_with_page_settings_opens_without_a_warning(pages, params, key, value):
    at = open_train(pages, **params)
    assert exceptions(at) == []
    shown = at.multiselect(key=key).value if key in ("models", "sweep_lengths") else widget(at, key).value
    assert shown == value, "the link's value is used"
    assert warnings(at) == [], "…so no warning may say it was not"
