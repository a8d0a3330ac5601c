"""The vanishing page's three curves on one story: trained GRU, random GRU, RNN."""
from __future__ import annotations

import numpy as np
import pytest

from gru_core import chain_norms
from gru_lab.figures.vanishing import story_chains as figure
from gru_lab.inputs import preset_sequence
from gru_lab.settings import Settings
from gru_lab.stories import trained_model
from gru_lab.stories.chains import NAMES, at, reading, story_chains


@pytest.mark.parametrize("update", ["keep", "take"])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_the_trained_gru_keeps_its_chain_where_the_rnn_loses_it(update, seed):
    sc = story_chains(Settings(seed=seed, update=update), 1.0, 0.0)
    assert at(sc, "trained GRU", 30) > 1e-2
    assert at(sc, "RNN", 30) < 1e-6
    assert at(sc, "random GRU", 30) < at(sc, "trained GRU", 30) / 100


@pytest.mark.parametrize("update", ["keep", "take"])
def test_the_trained_chain_is_the_models_own(update):
    """Independent of story_chains: the trained model's step Jacobians, multiplied out by hand."""
    x = preset_sequence("clue").x
    rec = trained_model("clue", update).forward(x)
    J = rec.jacobians()
    P = np.eye(J.shape[1])
    for t in range(J.shape[0] - 1, J.shape[0] - 31, -1):
        P = P @ J[t]
    sc = story_chains(Settings(update=update), 1.0, 0.0)
    assert at(sc, "trained GRU", 30) == pytest.approx(np.linalg.norm(P, 2), rel=1e-9)
    assert chain_norms(J).spectral[29] == pytest.approx(np.linalg.norm(P, 2), rel=1e-9)


@pytest.mark.parametrize("update", ["keep", "take"])
def test_the_chrono_shift_lengthens_only_the_random_gru(update):
    runs = [story_chains(Settings(update=update), 1.0, b) for b in (0.0, 1.0, 2.0, 4.0)]
    random_30 = [at(sc, "random GRU", 30) for sc in runs]
    assert random_30 == sorted(random_30) and random_30[-1] > 1e3 * random_30[0]
    for name in ("trained GRU", "RNN"):
        assert all(np.array_equal(sc.log10[name], runs[0].log10[name]) for sc in runs)
    z = [sc.z_mean["random GRU"] for sc in runs]  # towards keeping the past: up under keep, down under take
    assert z == (sorted(z) if update == "keep" else sorted(z, reverse=True))


def test_the_reading_quotes_the_curves_and_the_figure_draws_them():
    sc = story_chains(Settings(), 1.0, 0.0)
    text = reading(sc)
    assert f"{at(sc, 'trained GRU', 30):.2f}" in text and f"{at(sc, 'RNN', 30):.1e}" in text
    assert "Training, not the architecture alone" in text and "Shift the random GRU" in text
    assert "update-gate bias is shifted by 2" in reading(story_chains(Settings(), 1.0, 2.0))
    take = reading(story_chains(Settings(update="take"), 1.0, 0.0))
    assert "z near 0 keeps the past" in take
    fig = figure(sc)
    assert [d.name for d in fig.data if d.name in NAMES] == list(NAMES)
    assert all(np.isfinite(np.asarray(d.y, dtype=float)).any() for d in fig.data if d.name in NAMES)
