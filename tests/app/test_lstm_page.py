"""The GRU vs LSTM page (/lstm): parameter counts, gates side by side, and three gradient chains."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from gru_core import log_spaced_distances
from gru_lab import experiments as trainer
from gru_lab.inputs import PRESETS

from . import apptools
from .apptools import assert_clean, browser_set, decode, errors, exceptions, figure, figures, same_data, trace, widget

LSTM_PAGE = "app_pages/gru_vs_lstm.py"
CHARTS = {"gru_gates", "lstm_gates", "three_chains"}
T_WORDS = 34  # the default preset, "Far-apart clue", has 34 words, embedded with 8 numbers each


def open_lstm(pages: dict, **params) -> AppTest:
    """A fresh session whose first run is /lstm?<params>."""
    at = apptools.new_app()
    apptools.knows_pages(at, pages)
    at.switch_page(LSTM_PAGE)
    at.query_params.update({k: str(v) for k, v in params.items()})
    at.run()
    if not at.exception:
        assert [t.value for t in at.title][:1] == ["GRU vs LSTM"]
    return at


@pytest.fixture(scope="module")
def default(pages) -> AppTest:
    """The page at defaults (read-only)."""
    return open_lstm(pages)


def param_table(at: AppTest) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if "weight blocks" in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def check_param_table(table: pd.DataFrame, I: int, H: int) -> None:
    assert list(table["model"]) == ["RNN", "GRU", "LSTM"]
    for _, row in table.iterrows():
        blocks = {"RNN": 1, "GRU": 3, "LSTM": 4}[row["model"]]
        assert row["weight blocks"] == blocks
        assert row["input weights"] == blocks * H * I
        assert row["recurrent weights"] == blocks * H * H
        assert row["biases"] == blocks * 2 * H
        assert row["total"] == blocks * (H * I + H * H + 2 * H)


def test_renders_at_defaults(default):
    assert_clean(default)
    assert set(figures(default)) == CHARTS
    check_param_table(param_table(default), 8, 8)
    assert widget(default, "lstm_T").value == 100


@pytest.mark.parametrize(("params", "I", "H"), [
    ({"H": 16}, 8, 16),
    ({"H": 4, "preset": PRESETS["sales"].title}, 1, 4),  # one number per step
    ({"preset": PRESETS["adding"].title}, 2, 8),
], ids=["words-H16", "sales-H4", "adding-H8"])
def test_parameter_table_follows_the_formula(pages, params, I, H):
    at = open_lstm(pages, **params)
    assert_clean(at)
    table = param_table(at)
    check_param_table(table, I, H)
    assert list(table["total"]) == [trainer.param_count(m, I, H) for m in ("RNN", "GRU", "LSTM")]


def test_changing_h_in_the_sidebar_updates_table_and_gates(pages):
    at = open_lstm(pages)
    before = figures(at)
    browser_set(at, "H", 16, "16")
    assert_clean(at)
    check_param_table(param_table(at), 8, 16)
    after = figures(at)
    for key in ("gru_gates", "lstm_gates"):
        for d in after[key]["data"]:
            assert decode(d["z"]).shape == (16, T_WORDS)
        assert not same_data(before[key], after[key])
    assert not same_data(before["three_chains"], after["three_chains"])


def test_gru_gates_have_four_rows_and_lstm_gates_six(default):
    gru, lstm = figure(default, "gru_gates"), figure(default, "lstm_gates")
    assert [d["name"] for d in gru["data"]] == ["z", "r", "n", "h"]
    assert [d["name"] for d in lstm["data"]] == ["i", "f", "o", "g", "c", "h"]
    for fig, rows in ((gru, 4), (lstm, 6)):
        assert all(d["type"] == "heatmap" for d in fig["data"])
        assert len([k for k in fig["layout"] if k.startswith("yaxis")]) == rows
        for d in fig["data"]:
            z = decode(d["z"]).astype(float)
            assert z.shape == (8, T_WORDS) and np.isfinite(z).all()
        assert not fig["layout"].get("shapes"), "no step is marked on this page"
    # Gates are sigmoids in [0, 1]; the cell state c is not bounded by 1.
    for q in ("i", "f", "o"):
        z = decode(trace(lstm, q)["z"]).astype(float)
        assert ((z >= 0) & (z <= 1)).all()
    assert not same_data({"data": [trace(gru, "h")]}, {"data": [trace(lstm, "h")]}), "two different models"


def test_three_chains_have_rnn_gru_and_lstm_on_a_log_axis(default):
    fig = figure(default, "three_chains")
    assert sorted(d["name"] for d in fig["data"]) == ["GRU median", "LSTM median", "RNN median"]
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert fig["layout"]["title"]["text"].endswith("(T = 100)")
    expected = trainer.three_chains(4, 8, 100, list(range(10)))
    distance = log_spaced_distances(100, count=40)
    for name in ("RNN", "GRU", "LSTM"):
        d = trace(fig, f"{name} median")
        np.testing.assert_array_equal(decode(d["x"]), distance)
        y = decode(d["y"]).astype(float)
        assert np.isfinite(y).sum() >= 10, f"{name}: hardly any data"
        finite = np.isfinite(y)
        np.testing.assert_allclose(np.log10(y[finite]), expected.median[name][finite], atol=1e-9)


def test_lstm_t_slider_changes_the_x_range(pages):
    at = open_lstm(pages)
    before = figures(at)
    browser_set(at, "lstm_T", 30, "30")
    assert_clean(at)
    after = figures(at)
    for name in ("RNN median", "GRU median", "LSTM median"):
        assert decode(trace(before["three_chains"], name)["x"]).max() == 100
        x = decode(trace(after["three_chains"], name)["x"])
        np.testing.assert_array_equal(x, log_spaced_distances(30, count=40))
    assert after["three_chains"]["layout"]["title"]["text"].endswith("(T = 30)")
    for key in ("gru_gates", "lstm_gates"):
        assert same_data(before[key], after[key]), f"{key} does not depend on T"


def test_a_link_with_lstm_t_opens_at_that_length(pages):
    at = open_lstm(pages, lstm_T=50)
    assert_clean(at)
    assert widget(at, "lstm_T").value == 50
    assert decode(trace(figure(at, "three_chains"), "GRU median")["x"]).max() == 50


def test_unusable_custom_input_is_explained(pages):
    at = open_lstm(pages, preset=PRESETS["custom"].title, custom_kind="numbers", custom="1, x")
    assert exceptions(at) == []
    shown = errors(at)
    assert len(shown) == 1 and shown[0].startswith("Your input cannot be used:"), shown
    assert figures(at) == {}
