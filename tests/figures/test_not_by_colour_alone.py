"""No meaning by colour alone (WCAG 1.4.1): on every chart that compares models, each model's curve
differs from the others' in dash or marker too, so it is told apart in grey or under colour blindness."""
from __future__ import annotations

import json

import numpy as np

from gru_lab.figures import training as train_figs
from gru_lab.figures import vanishing as van_figs
from gru_lab.figures.colors import MODEL_DASH, MODEL_SYMBOL
from gru_lab.settings import Settings
from gru_lab.stories.chains import story_chains


def _styles(fig, names: list[str]) -> dict[str, tuple]:
    """name → (dash, marker symbol) of the trace with that name, as the browser gets them."""
    data = json.loads(fig.to_json())["data"]
    out = {}
    for name in names:
        (d,) = [t for t in data if t.get("name") == name]
        mode = d.get("mode", "lines")
        symbol = d.get("marker", {}).get("symbol", "circle") if "markers" in mode else None
        out[name] = (d.get("line", {}).get("dash", "solid"), symbol)
    return out


def _distinct(styles: dict[str, tuple]) -> None:
    assert len(set(styles.values())) == len(styles), f"two curves differ only in colour: {styles}"


def test_each_model_has_its_own_dash_and_marker():
    assert len(set(MODEL_DASH.values())) == len(MODEL_DASH) and len(set(MODEL_SYMBOL.values())) == len(MODEL_SYMBOL)


def test_vanishing_medians(vanishing):
    for fig in (van_figs.chains(vanishing), van_figs.deltas(vanishing)):
        _distinct(_styles(fig, ["GRU median", "RNN median"]))


def test_story_chains_three_models():
    sc = story_chains(Settings(), 1.0, 0.0)
    _distinct(_styles(van_figs.story_chains(sc), ["trained GRU", "random GRU", "RNN"]))


def test_training_charts():
    losses = {m: np.linspace(1.0, 0.1, 50) for m in ("GRU", "RNN", "LSTM")}
    _distinct(_styles(train_figs.loss_curves(losses, 1.0, 50, "MSE"), list(losses)))
    _distinct(_styles(train_figs.accuracy_curves(losses, 0.5, 50), list(losses)))
    _distinct(_styles(train_figs.sweep_chart((10, 20), {m: np.array([0.5, 0.6]) for m in losses}, 0.5), list(losses)))
    d = np.array([1, 2, 4])
    _distinct(_styles(train_figs.three_chains(d, {m: -np.arange(3.0) for m in losses}, 4),
                      [f"{m} median" for m in losses]))
    chains = {"distance": {"": d}} | {m: {"untrained": -np.arange(3.0), "trained": -np.arange(3.0) / 2}
                                       for m in losses}
    _distinct(_styles(train_figs.chains_before_after(chains), [f"{m} {s}" for m in losses
                                                               for s in ("untrained", "trained")]))
