"""The control table: one range per setting, read by the sidebar, the pages and the link checker."""
from __future__ import annotations

import pytest

from gru_lab.controls import CONTROLS, PAGE_KEYS, SIDEBAR_FOR_PAGE, LinkProblem, parse


@pytest.mark.parametrize("key", sorted(k for k, c in CONTROLS.items() if c.default is not None))  # None: the data's
def test_every_default_reads_back_from_its_own_link_text(key):
    c = CONTROLS[key]
    raws = [c.link_text(v) for v in c.default] if c.kind == "multiselect" else [c.link_text(c.default)]
    assert parse(c, raws) == c.default


@pytest.mark.parametrize("raw", ["inf", "-inf", "1e309", "nan", "", " ", "1e3", "0x10", "٣", "1" * 40])
@pytest.mark.parametrize("key", ["seed", "unit", "train_seed"])
def test_whole_numbers_refuse_what_a_number_input_cannot_hold(key, raw):
    with pytest.raises(LinkProblem, match="whole number"):
        parse(CONTROLS[key], [raw])


@pytest.mark.parametrize("key", [k for k, c in CONTROLS.items() if c.kind != "multiselect"])
def test_a_repeated_parameter_is_refused(key):
    with pytest.raises(LinkProblem, match="is given 2 times"):
        parse(CONTROLS[key], ["1", "1"])


def test_multiselect_refuses_repeats_and_unknown_options():
    c = CONTROLS["models"]
    assert parse(c, ["LSTM", "GRU"]) == ["LSTM", "GRU"]
    for raws in (["GRU", "GRU"], ["GRU", "Transformer"]):
        with pytest.raises(LinkProblem):
            parse(c, raws)


def test_every_page_key_is_in_the_table():
    for keys in list(SIDEBAR_FOR_PAGE.values()) + list(PAGE_KEYS.values()):
        assert set(keys) <= set(CONTROLS)
