"""The server computes each page's defaults and the built-in lesson's stops when it starts
(gru_lab/ui/prewarm.py), so the first students build no figure and wait for no pool there."""
from __future__ import annotations

import pytest

from gru_lab import lessons
from gru_lab.figures import saturation, sequence, training, vanishing
from gru_lab.ui import prewarm
from gru_lab.ui import viewer as viewer_ui

from .apptools import assert_clean

BUILDERS = {saturation: ("jacobian_panels", "singular_values", "chain", "copy_path"),
            vanishing: ("chains", "deltas", "story_chains"), training: ("three_chains",),
            sequence: ("heatmaps",), viewer_ui: ("viewer_data",)}


@pytest.fixture
def nothing_built(monkeypatch):
    prewarm.defaults()

    def refuse(*args, **kwargs):
        raise AssertionError("a figure or a viewer payload was built on a first visit")

    for module, names in BUILDERS.items():
        for name in names:
            monkeypatch.setattr(module, name, refuse)


@pytest.mark.parametrize("page", ["home", "step", "saturation", "vanishing", "lstm"])
def test_each_page_at_its_defaults_is_ready(open_page, nothing_built, page):
    assert_clean(open_page(page))


@pytest.mark.parametrize("classroom", ["0", "1"])
def test_every_stop_of_the_built_in_lesson_is_ready(open_page, nothing_built, classroom):
    for n in range(1, len(lessons.BUILT_IN.stops) + 1):
        at = open_page("lesson", stop=str(n), classroom=classroom)
        assert_clean(at, warn_ok=False)


def test_the_check_could_fail(open_page, monkeypatch):
    """Without the prewarmed entries the same visit builds figures: a new seed is not prewarmed."""
    built = []
    monkeypatch.setattr(saturation, "jacobian_panels", lambda *a, **k: built.append(a) or [])
    open_page("saturation", seed="4321")
    assert built, "a seed no one asked for yet was drawn without building its figures"
