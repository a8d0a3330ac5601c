"""Every chart carries a text alternative: the next element after it is a caption that says how to
read it and what it shows in numbers, the same numbers the chart draws (WCAG 1.1.1)."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from gru_lab import chart_text as alt
from gru_lab import compute
from gru_lab.settings import Settings

from .apptools import assert_clean, open_page


def _in_order(node):
    """The page's elements in the order a reader meets them (blocks walked depth first)."""
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    for key in sorted(children):
        yield from _in_order(children[key])


def _chart_alternatives(at) -> dict[str, str]:
    els = list(_in_order(at.main))
    out = {}
    for i, el in enumerate(els):
        if el.type == "plotly_chart":
            after = els[i + 1] if i + 1 < len(els) else None
            out[el.key] = after.value if after is not None and after.type == "caption" else ""
    return out


@pytest.mark.parametrize(("page", "charts"), [
    ("saturation", {"sat_matrices", "sat_frozen", "sat_diff", "sat_singular", "sat_chain"}),
    ("vanishing", {"chains", "deltas", "story_chains"}),
    ("lstm", {"gru_gates", "lstm_gates", "three_chains"}),
])
def test_every_chart_is_followed_by_its_text_alternative(pages, page, charts):
    at = open_page(pages, page)
    assert_clean(at)
    found = _chart_alternatives(at)
    assert set(found) == charts
    for key, text in found.items():
        assert text.startswith("How to read:") and "Here" in text and re.search(r"\d", text), (key, text)
    # Regression: Plotly's mode bar floated over the heatmaps' titles on a phone. No chart draws one.
    for el in at.get("plotly_chart"):
        assert json.loads(el.proto.config).get("displayModeBar") is False, el.key


def test_the_saturation_words_are_the_matrix_numbers():
    sat = compute.saturation(Settings(), "copy", 0.5, 0.5, 0.0, 0.0, 9)
    said = alt.jacobian(sat.J, "exact step Jacobian", sat.t)
    assert "step 10" in said and f"from {np.diag(sat.J).min():.3g} to {np.diag(sat.J).max():.3g}" in said
    assert f"from {sat.sv[0]:.3g} down to {sat.sv[-1]:.3g}" in alt.singular_values(sat)


def test_the_vanishing_words_name_where_each_chain_falls(vanishing_small):
    v = vanishing_small
    said = alt.vanishing_chains(v)
    for name, d in (("GRU", v.gru_below), ("RNN", v.rnn_below)):
        part = f"at distance {d}" if d is not None else f"over all {v.T} steps"
        assert part in said.split(f"the {name}'s")[1].split(";")[0], (name, said)


@pytest.fixture(scope="module")
def vanishing_small():
    return compute.vanishing(Settings(), 40, 1.0, 3)


def test_a_chain_that_is_exactly_zero_is_said_so():
    assert alt._pow10(-np.inf) == "exactly 0" and alt._pow10(-400.0) == "10^-400" and alt._pow10(0.0) == "1"
