"""Train-page and GRU-vs-LSTM figures (gru_lab.figures.training), the computations behind them
(gru_lab.trainer) and the parameter table (gru_lab.tables.param_table). No Streamlit."""
from __future__ import annotations

import numpy as np
import pytest

from gru_core import GRU, LSTM, RNN, log_spaced_distances
from gru_core.base import parameter_count
from gru_core.training import TrainConfig
from gru_lab import experiments as trainer
from gru_lab.figures import training as figs
from gru_lab.figures.colors import MODEL
from gru_lab.tables import param_table

from .figtools import by_name, decode, legend_below_x_title, spec

CFG = TrainConfig(steps=5, batch=8, eval_size=32)  # enough to change the weights, fast
CLASSES = {"GRU": GRU, "RNN": RNN, "LSTM": LSTM}


def y(d: dict) -> np.ndarray:
    return decode(d["y"]).astype(float)


# ---- loss_curves ------------------------------------------------------------------------------------
def reference_lines(fig: dict) -> dict[str, dict]:
    """The reference lines (baseline, chance, …): traces named in the second legend."""
    return {d["name"]: d for d in fig["data"] if d.get("legend") == "legend2"}


def test_loss_curves_one_trace_per_model_log_axis_and_baseline():
    losses = {"GRU": np.array([0.5, 0.2, 0.1]), "RNN": np.array([0.6, 0.5]), "LSTM": np.array([0.4])}
    fig = spec(figs.loss_curves(losses, 1 / 24, 400, "MSE"))
    assert [d["name"] for d in fig["data"] if d.get("legend") != "legend2"] == ["GRU", "RNN", "LSTM"]
    for name, values in losses.items():
        d = by_name(fig, name)
        np.testing.assert_array_equal(decode(d["x"]), np.arange(1, len(values) + 1))
        np.testing.assert_array_equal(y(d), values)
        assert d["line"]["color"] == MODEL[name]
    layout = fig["layout"]
    assert layout["yaxis"]["type"] == "log" and layout["yaxis"]["title"]["text"] == "MSE"
    assert layout["xaxis"]["range"] == [0, 400], "the x axis spans the whole run, even while it is live"
    (line,) = reference_lines(fig).values()
    assert line["name"] == "baseline 0.042 (no memory)"
    np.testing.assert_allclose(y(line), [1 / 24, 1 / 24])
    assert list(decode(line["x"])) == [0, 400] and line["line"]["dash"] == "dash"


def test_baseline_label_cannot_be_drawn_over():
    """Regression: 'baseline 0.042 (no memory)' was written on the chart, where an RNN that never beats the
    baseline runs right over it. Named in a legend of its own, below the plot, nothing covers it;
    the models' legend sits above, so neither legend's longest entry squeezes the other's."""
    fig = spec(figs.loss_curves({"RNN": np.full(50, 1 / 24)}, 1 / 24, 50, "MSE"))
    layout = fig["layout"]
    assert not layout.get("annotations"), "no text on the plot area"
    legend_below_x_title(layout, "legend2")
    assert layout["legend"]["y"] > 1 and layout["legend"]["yanchor"] == "bottom"


@pytest.mark.parametrize(("values", "baseline"), [
    ([0.5, 0.2, 0.1], 0.5), ([0.06, 0.05, 0.045], 1 / 24), ([2.0, 1.0, 0.2], np.log(4)), ([1e-5, 0.3], 1 / 24)])
def test_loss_axis_labels_only_powers_of_ten(values, baseline):
    """Regression: narrow log axes labelled their 2s and 5s as bare digits ('10, 5, 2, 1, 5, 2, 10⁻¹')."""
    axis = figs.loss_curves({"GRU": np.array(values)}, baseline, 10, "MSE").layout.yaxis
    lo, hi = axis.range
    assert axis.dtick >= 1 and float(axis.dtick).is_integer() and axis.tick0 == 0
    assert float(lo).is_integer() and float(hi).is_integer() and hi - lo >= 1, "a labelled power of ten at each end"
    assert 10.0 ** lo <= min(*values, baseline) and max(*values, baseline) <= 10.0 ** hi


def test_loss_curves_without_losses_draw_only_the_baseline():
    fig = spec(figs.loss_curves({}, np.log(4), 50, "cross-entropy"))
    assert list(reference_lines(fig)) == ["baseline 1.386 (no memory)"] and len(fig["data"]) == 1
    assert fig["layout"]["yaxis"]["title"]["text"] == "cross-entropy"


# ---- chains_before_after ----------------------------------------------------------------------------
def test_chains_before_after_dotted_untrained_solid_trained():
    distance = np.array([1, 2, 4, 8])
    chains = {
        "distance": {"": distance},
        "GRU": {"untrained": np.array([0.0, -1.0, -2.0, -3.0]), "trained": np.array([0.0, -0.5, -0.7, -0.9])},
        "RNN": {"untrained": np.array([0.0, -2.0, -4.0, -400.0]), "trained": np.array([0.0, -3.0, -6.0, -9.0])},
    }
    fig = spec(figs.chains_before_after(chains))
    assert [d["name"] for d in fig["data"]] == ["GRU untrained", "GRU trained", "RNN untrained", "RNN trained"]
    for name in ("GRU", "RNN"):
        for state, dash in (("untrained", "dot"), ("trained", "solid")):
            d = by_name(fig, f"{name} {state}")
            assert d["line"]["dash"] == dash and d["line"]["color"] == MODEL[name]
            np.testing.assert_array_equal(decode(d["x"]), distance)
        assert by_name(fig, f"{name} trained")["line"]["width"] > by_name(fig, f"{name} untrained")["line"]["width"]
    np.testing.assert_allclose(y(by_name(fig, "GRU untrained")), [1.0, 0.1, 0.01, 0.001])
    rnn = y(by_name(fig, "RNN untrained"))
    assert np.isnan(rnn[-1]), "10^-400 is no number a log axis can draw: a gap, not 0"
    np.testing.assert_allclose(rnn[:3], [1.0, 1e-2, 1e-4])
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_chains_before_after_from_real_runs():
    task = trainer.make_task("adding", 12)
    runs = trainer.train_models(task, {"GRU": 4, "LSTM": 3}, CFG)
    chains = trainer.chains_before_after(runs, task, seed=0)
    distance = log_spaced_distances(12, count=40)
    assert list(chains) == ["distance", "GRU", "LSTM"]
    np.testing.assert_array_equal(chains["distance"][""], distance)
    for name in ("GRU", "LSTM"):
        assert set(chains[name]) == {"untrained", "trained"}
        for curve in chains[name].values():
            assert curve.shape == distance.shape and np.isfinite(curve).all()
        assert not np.array_equal(chains[name]["untrained"], chains[name]["trained"])
    fig = spec(figs.chains_before_after(chains))
    assert len(fig["data"]) == 4
    np.testing.assert_allclose(np.log10(y(by_name(fig, "GRU trained"))), chains["GRU"]["trained"])


# ---- sweep_chart ------------------------------------------------------------------------------------
def test_sweep_chart_log_x_over_the_lengths():
    lengths = (10, 20, 40)
    ratio = {"GRU": np.array([0.1, 0.2, 0.9]), "RNN": np.array([0.3, 1.0, 1.1])}
    fig = spec(figs.sweep_chart(lengths, ratio, 0.5))
    assert [d["name"] for d in fig["data"] if d.get("legend") != "legend2"] == ["GRU", "RNN"]
    for name, values in ratio.items():
        d = by_name(fig, name)
        assert list(decode(d["x"])) == list(lengths)
        np.testing.assert_array_equal(y(d), values)
        assert d["mode"] == "lines+markers"
    assert fig["layout"]["xaxis"]["type"] == "log" and fig["layout"]["yaxis"]["type"] == "log"
    refs = reference_lines(fig)
    assert sorted(float(y(d)[0]) for d in refs.values()) == [0.5, 1.0]


def test_sweep_chart_ticks_are_the_lengths_and_the_legend_clears_the_title():
    """Regression: lengths 20, 40, 80 were labelled '2', '4', '8' with stray ticks between, and the legend
    sat on the title."""
    lengths = (10, 20, 40, 80)
    fig = spec(figs.sweep_chart(lengths, {"GRU": np.array([0.1, 0.2, 0.4, 0.9])}, 0.5))
    x = fig["layout"]["xaxis"]
    assert x["tickmode"] == "array" and list(x["tickvals"]) == list(lengths)
    assert list(x["ticktext"]) == ["10", "20", "40", "80"]
    layout = fig["layout"]
    assert layout["title"]["yref"] == "container" and layout["legend"]["yanchor"] == "bottom"
    assert layout["margin"]["t"] >= 60, "room for the title above the legend above the plot"
    legend_below_x_title(layout, "legend2")
    assert layout["yaxis"]["dtick"] >= 1


# ---- three_chains -----------------------------------------------------------------------------------
def test_three_chains_figure_has_three_traces():
    chains = trainer.three_chains(2, 4, 30, [0, 1, 2])
    assert list(chains.median) == ["GRU", "RNN", "LSTM"]
    np.testing.assert_array_equal(chains.distance, log_spaced_distances(30, count=40))
    for values in chains.median.values():
        assert values.shape == chains.distance.shape
    fig = spec(figs.three_chains(chains.distance, chains.median, 30))
    assert [d["name"] for d in fig["data"]] == ["GRU median", "RNN median", "LSTM median"]
    for name in ("GRU", "RNN", "LSTM"):
        d = by_name(fig, f"{name} median")
        np.testing.assert_array_equal(decode(d["x"]), chains.distance)
        finite = np.isfinite(y(d))
        assert finite.any()
        np.testing.assert_allclose(np.log10(y(d)[finite]), chains.median[name][finite])
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert fig["layout"]["title"]["text"].endswith("(T = 30)")


def test_three_chains_median_is_one_of_the_seeds():
    """method="nearest": each point is a value some seed really had, not an average of two."""
    one = {s: trainer.three_chains(2, 4, 15, [s]) for s in (0, 1, 2)}
    three = trainer.three_chains(2, 4, 15, [0, 1, 2])
    for name in ("GRU", "RNN", "LSTM"):
        stacked = np.vstack([one[s].median[name] for s in (0, 1, 2)])
        np.testing.assert_array_equal(three.median[name], np.sort(stacked, axis=0)[1])


# ---- trainer ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "length", "kind", "T", "I", "outputs"), [
    ("adding", 30, "regression", 30, 2, 1),
    ("recall", 5, "classification", 7, 5, 4),
    ("recall", 0, "classification", 2, 5, 4),
    ("sentiment-start", 20, "classification", 20, 10, 2),
    ("sentiment-end", 20, "classification", 20, 10, 2),
])
def test_make_task(name, length, kind, T, I, outputs):
    task = trainer.make_task(name, length)
    assert (task.name, task.kind, task.T, task.input_size, task.outputs) == (name, kind, T, I, outputs)
    X, target = task.sample(3, np.random.default_rng(0))
    assert X.shape == (3, T, I) and target.shape == (3,)
    assert name in trainer.TASKS


def test_make_task_refuses_an_unknown_position():
    with pytest.raises(ValueError, match="position"):
        trainer.make_task("sentiment-middle", 10)


@pytest.mark.parametrize("module", ["RNN", "GRU", "LSTM"])
@pytest.mark.parametrize(("I", "H"), [(1, 1), (2, 16), (10, 7), (8, 64)])
def test_param_count_is_the_formula_and_the_real_count(module, I, H):
    blocks = {"RNN": 1, "GRU": 3, "LSTM": 4}[module]
    assert trainer.param_count(module, I, H) == blocks * (H * I + H * H + 2 * H)
    assert trainer.param_count(module, I, H) == parameter_count(CLASSES[module].init(I, H))


def test_matched_sizes():
    assert trainer.matched_sizes(["GRU", "LSTM"], 2, 16, "hidden size") == {"GRU": 16, "LSTM": 16}
    assert trainer.matched_sizes([], 2, 16, "parameter count") == {}
    sizes = trainer.matched_sizes(["RNN", "GRU", "LSTM"], 2, 16, "parameter count")
    assert list(sizes) == ["RNN", "GRU", "LSTM"], "the order chosen is kept"
    assert sizes == {"RNN": 29, "GRU": 16, "LSTM": 14}  # 957, 960 and 1,008 parameters against 960
    for I in (1, 5, 10):
        for H in (4, 8, 16, 32, 64):
            target = trainer.param_count("GRU", I, H)
            for m, h in trainer.matched_sizes(["RNN", "GRU", "LSTM"], I, H, "parameter count").items():
                best = min(abs(trainer.param_count(m, I, k) - target) for k in range(1, 4 * H + 1))
                assert abs(trainer.param_count(m, I, h) - target) == best, (m, I, H, h)


def test_train_models_one_run_per_model():
    task = trainer.make_task("recall", 3)
    seen: list[tuple[str, int]] = []
    runs = trainer.train_models(task, {"GRU": 4, "RNN": 5}, CFG, lambda m, info: seen.append((m, info.step)))
    assert list(runs) == ["GRU", "RNN"]
    assert seen == [(m, s) for m in ("GRU", "RNN") for s in range(CFG.steps)]
    for name, run in runs.items():
        assert run.module == name
        assert run.params == trainer.param_count(name, 5, run.untrained.hidden_size)
        assert run.result.losses.shape == (CFG.steps,)
        assert run.untrained.hidden_size == run.result.model.hidden_size
        assert not np.array_equal(run.untrained.params[0], run.result.model.params[0])
    np.testing.assert_array_equal(runs["GRU"].untrained.params[0], GRU.init(5, 4, seed=CFG.seed).params[0])


def test_train_models_stops_when_the_callback_says_so():
    task = trainer.make_task("adding", 6)
    runs = trainer.train_models(task, {"GRU": 4, "RNN": 4}, CFG, lambda m, info: False if info.step == 2 else None)
    assert list(runs) == ["GRU"], "a stop ends the whole run, not just the current model"
    assert runs["GRU"].result.stopped_early and len(runs["GRU"].result.losses) == 3


def test_sweep_ratios_per_model_and_length():
    fractions: list[float] = []
    sweep = trainer.sweep((4, 6, 8), ("GRU", "RNN"), 4, CFG, fractions.append)
    assert sweep.lengths == (4, 6, 8)
    assert set(sweep.ratio) == {"GRU", "RNN"}
    for values in sweep.ratio.values():
        assert values.shape == (3,) and np.isfinite(values).all() and (values > 0).all()
    assert sweep.baseline == pytest.approx(1 / 24)
    np.testing.assert_allclose(fractions, np.arange(1, 7) / 6)


# ---- the parameter table ----------------------------------------------------------------------------
@pytest.mark.parametrize(("I", "H"), [(8, 8), (1, 4), (2, 16)])
def test_param_table(I, H):
    table = param_table(I, H)
    assert list(table.columns) == ["model", "weight blocks", "input weights", "recurrent weights", "biases", "total"]
    assert list(table["model"]) == ["RNN", "GRU", "LSTM"]
    assert list(table["weight blocks"]) == [1, 3, 4]
    for _, row in table.iterrows():
        b = row["weight blocks"]
        assert (row["input weights"], row["recurrent weights"], row["biases"]) == (b * H * I, b * H * H, b * 2 * H)
        assert row["total"] == row["input weights"] + row["recurrent weights"] + row["biases"]
        assert row["total"] == parameter_count(CLASSES[row["model"]].init(I, H))


def test_accuracy_curves_have_one_trace_per_model_and_a_chance_line():
    acc = {"GRU": np.linspace(0.2, 1.0, 30), "RNN": np.full(30, 0.25)}
    fig = figs.accuracy_curves(acc, 0.25, 30)
    assert [t.name for t in fig.data] == ["GRU", "RNN", "chance 0.25"]
    np.testing.assert_array_equal(fig.data[0].y, acc["GRU"])
    assert fig.layout.yaxis.range == (0, 1.02)
    chance = fig.data[2]
    assert chance.legend == "legend2" and list(chance.y) == [0.25, 0.25] and not fig.layout.annotations


def test_chain_legends_sit_below_the_x_axis_title():
    """Regression: on the GRU vs LSTM page and lesson stop 14 the legend's first row (at y = −0.2 of the
    plot) covered "distance T − k (steps back)"."""
    chains = trainer.three_chains(2, 4, 15, [0, 1])
    legend_below_x_title(spec(figs.three_chains(chains.distance, chains.median, 15))["layout"])
    before_after = {"distance": {"": np.array([1, 2])}, "GRU": {"untrained": np.zeros(2), "trained": np.zeros(2)}}
    legend_below_x_title(spec(figs.chains_before_after(before_after))["layout"])
    legend_below_x_title(spec(figs.accuracy_curves({"GRU": np.full(5, 0.5)}, 0.25, 5))["layout"], "legend2")
