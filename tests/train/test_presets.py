"""The Train page's presets and default-settings sentences state measured facts: retrain each preset and
each task's defaults for seeds 0–4 exactly as the page does, and check the stored counts are what
training gives, so what the page says cannot drift from what it does (about 30 s on one core)."""
import functools

import pytest

from gru_lab import experiments, train_presets
from gru_lab.controls import CONTROLS
from gru_lab.train_presets import DEFAULT_COUNTS, PRESETS, TrainSettings, default_note, default_settings


@functools.cache
def counts(s: TrainSettings) -> tuple[int, int]:
    """GRU and RNN seeds learned; the adding preset is the adding defaults, trained once."""
    c = train_presets.learned_counts(s)
    return c["GRU"], c["RNN"]


@pytest.mark.parametrize("key", PRESETS)
def test_a_preset_learns_as_often_as_it_says(key):
    p = PRESETS[key]
    assert counts(p.settings) == (p.gru, p.rnn), f"re-measure with python benchmarks/train_presets.py: {key}"
    assert train_presets.verdict(p.gru, p.rnn) == "only GRU", "a preset shows the GRU learning and the RNN not"


@pytest.mark.parametrize("task", experiments.TASKS)
def test_the_defaults_learn_as_often_as_the_page_says(task):
    assert counts(default_settings(task)) == DEFAULT_COUNTS[task]


def test_presets_are_settings_the_page_can_show():
    for p in PRESETS.values():
        for key, value in p.settings.widgets().items():
            c = CONTROLS[key]
            assert value in c.options if c.options else c.low <= value <= c.high, (p.key, key, value)
    assert set(DEFAULT_COUNTS) == set(experiments.TASKS)
    assert TrainSettings("adding").widgets() == {k: CONTROLS[k].default for k in train_presets.WIDGET_KEYS.values()}
    assert train_presets.PRESET_OPTIONS[0] == train_presets.OWN
    assert train_presets.preset_label(train_presets.OWN) == "Your own settings"


def test_the_sentences_follow_the_counts():
    assert default_note(default_settings("adding")) is None, "only the GRU learns there: nothing to correct"
    assert default_note(TrainSettings("recall", lr=0.1)) is None, "away from the defaults it says nothing"
    recall = default_note(default_settings("recall"))
    assert "neither model learns" in recall and "GRU learned in 0 of 5 seeds (0–4), RNN in 0 of 5" in recall
    assert PRESETS["recall"].label in recall
    start = default_note(default_settings("sentiment-start"))
    assert "no reliable difference" in start and "GRU learned in 2 of 5 seeds (0–4), RNN in 4 of 5" in start
    end = default_note(default_settings("sentiment-end"))
    assert "both models learn" in end and "No setting measured so far" in end
    p = PRESETS["sentiment-start"]
    assert "GRU learned in 5 of 5 seeds (0–4), RNN in 0 of 5" in train_presets.preset_caption(p.key, p.settings)
    assert "differ" in train_presets.preset_caption(p.key, TrainSettings("sentiment-start"))
    own = train_presets.OWN
    assert train_presets.preset_caption(own, p.settings) == train_presets.preset_caption(p.key, p.settings), \
        "a preset's settings reached another way (a link) show what was measured for them"
    assert train_presets.preset_caption(own, TrainSettings("recall", length=31)) is None
