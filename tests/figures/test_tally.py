"""The class's tally chart: counts per option and round, the answer marked only once revealed, and a
lesson author's option text kept as text."""
from __future__ import annotations

from gru_lab.figures.tally import tally_bars

OPTIONS = ("z = 1", "z = 0", "<a href='https://x.test'>click</a> a long option that needs two lines")


def test_counts_per_round_and_no_answer_before_the_reveal():
    fig = tally_bars(OPTIONS, [{"z = 1": 3, "z = 0": 1}, {"z = 1": 4}])
    assert [list(t.x) for t in fig.data] == [[3, 1, 0], [4, 0, 0]]
    assert [t.name for t in fig.data] == ["round 1", "round 2"]
    assert not any("✓" in label for t in fig.data for label in t.y), "the chart gives the answer away"
    assert fig.data[0].text[0] == "3 (75%)"


def test_the_right_option_is_marked_once_revealed():
    fig = tally_bars(OPTIONS, [{"z = 1": 3}], right=1)
    assert [label.startswith("✓ ") for label in fig.data[0].y] == [False, True, False]


def test_option_text_cannot_become_a_link():
    label = tally_bars(OPTIONS, [{}]).data[0].y[2]
    assert "<a" not in label and label.startswith("&lt;a") and "&gt;click&lt;/a&gt;" in label and "<br>" in label
