"""Shareable links: every setting round-trips through the URL, and bad links are reported, not fatal.

A link is opened as a fresh session whose first run is the target page (see apptools.open_page).
Where a test changes a widget it also writes the new value into the address bar, as the browser's
half of bind="query-params" does (apptools.browser_set); AppTest alone leaves the URL untouched.
"""
from __future__ import annotations

import pytest

from gru_lab.inputs import PRESETS

from .apptools import (
    assert_clean,
    browser_set,
    exceptions,
    figure,
    figures,
    open_link,
    share_link,
    values,
    warnings,
    widget,
)

# Non-default values for every bound widget, as (URL text, value the widget must then hold).
LINKS = {
    "step": {"H": ("16", 16), "seed": ("7", 7), "scale": ("2.5", 2.5), "reset": ("before", "before"),
             "update": ("take", "take"), "t": ("5", 5), "unit": ("3", 3)},
    "saturation": {"H": ("4", 4), "update": ("take", "take"), "case": ("custom", "custom"), "pz": ("0.3", 0.3),
                   "pr": ("0.8", 0.8), "bz": ("2.5", 2.5), "br": ("-1.0", -1.0), "sat_t": ("7", 7)},
    "vanishing": {"H": ("16", 16), "seed": ("2", 2), "T": ("50", 50), "rnn_scale": ("0.8", 0.8),
                  "seeds": ("3", 3)},
    "home": {"reset": ("before", "before"), "update": ("take", "take")},  # home uses only the conventions
}


def _same_url_value(a: str, b: str) -> bool:
    try:
        return float(a) == float(b)
    except ValueError:
        return a == b


@pytest.mark.parametrize("page", LINKS)
def test_link_sets_every_widget_and_stays_in_the_url(open_page, page):
    link = LINKS[page]
    at = open_page(page, **{k: text for k, (text, _) in link.items()})
    assert_clean(at)
    assert values(at, link) == {k: v for k, (_, v) in link.items()}
    for key, (text, _) in link.items():
        assert key in at.query_params, f"{key} dropped from the URL"
        assert _same_url_value(at.query_params[key], text)


def test_link_with_custom_input_sets_it(open_page):
    at = open_page("step", preset=PRESETS["custom"].title, custom_kind="numbers", custom="1, 2, 3", t="2")
    assert exceptions(at) == [] and not at.error
    assert values(at, ["preset", "custom_kind", "custom", "t"]) == {
        "preset": "custom", "custom_kind": "numbers", "custom": "1, 2, 3", "t": 2}
    assert at.query_params["custom"] == "1, 2, 3" and at.query_params["custom_kind"] == "numbers"
    assert figure(at, "heatmaps")["layout"]["meta"]["current_step"] == 1


@pytest.mark.parametrize("key", [k for k in PRESETS if k != "clue"])
def test_preset_link_selects_the_preset(open_page, key):
    """The URL carries the preset's displayed title (bind uses the formatted option)."""
    at = open_page("step", preset=PRESETS[key].title)
    assert exceptions(at) == []
    assert widget(at, "preset").value == key
    assert at.query_params["preset"] == PRESETS[key].title


def test_valid_preset_links_show_no_warning(open_page):
    """Regression: urlstate._matches compares the URL's title ("Weekly sales") with the stored key ("sales"),
    so every link that names a preset says it 'could not be used', although it was."""
    shown = {}
    for key, preset in PRESETS.items():
        at = open_page("step", preset=preset.title)
        assert widget(at, "preset").value == key
        if warnings(at):
            shown[preset.title] = warnings(at)
    assert shown == {}


@pytest.mark.parametrize("target", ["step", "saturation", "vanishing", "train"])
def test_home_try_this_links_open_cleanly(pages, open_page, target):
    """The home page's own 'Try this' links must open their page with their settings and no warning."""
    home = open_page("home")
    links = [pl.proto for pl in home.get("page_link") if pl.proto.page == target]
    assert links
    for link in links:
        at = open_link(pages, link.page_script_hash, link.query_string)
        assert exceptions(at) == []
        assert errors_and_warnings(at) == []
        assert at.title[0].value.startswith(
            {"step": "Step", "saturation": "Saturation", "vanishing": "Vanishing", "train": "Train"}[target])


def errors_and_warnings(at):
    return [e.value for e in at.error] + warnings(at)


# ---- tampered links ------------------------------------------------------------------------------
TAMPERED = [
    ("step", {"H": "7"}, "H", 8),
    ("step", {"H": "abc"}, "H", 8),
    ("step", {"preset": "nonsense"}, "preset", "clue"),
    ("step", {"t": "9999"}, "t", 1),
    ("step", {"t": "0"}, "t", 1),
    ("step", {"unit": "99"}, "unit", 0),
    ("step", {"scale": "nan"}, "scale", 1.0),
    ("step", {"scale": "inf"}, "scale", 1.0),
    ("step", {"seed": "-5"}, "seed", 0),
    ("step", {"seed": "10000"}, "seed", 0),
    ("step", {"reset": "sideways"}, "reset", "after"),
    ("step", {"update": "maybe"}, "update", "keep"),
    ("step", {"foo": "1"}, "foo", None),
    ("step", {"_settings": "x"}, "_settings", None),
    ("saturation", {"case": "bogus"}, "case", "free"),
    ("saturation", {"sat_t": "9999"}, "sat_t", 34),
    ("saturation", {"bz": "nan"}, "bz", 0.0),
    ("saturation", {"case": "custom", "pz": "2"}, "pz", 0.5),
    ("vanishing", {"T": "5"}, "T", 100),
    ("vanishing", {"rnn_scale": "abc"}, "rnn_scale", 1.0),
    ("vanishing", {"seeds": "0"}, "seeds", 20),
    ("home", {"update": "sideways"}, "update", "keep"),
]


def _follow_up(at, page):
    """Change the page's main widget: the page must keep working once the bad link was handled."""
    key, value = {"step": ("t", 3), "saturation": ("case", "copy"), "vanishing": ("seeds", 2),
                  "home": ("update", "take")}[page]
    before = figures(at)
    at = browser_set(at, key, value, str(value))
    assert_clean(at)
    assert widget(at, key).value == value
    if page != "home":
        assert figures(at) != before
    return at


@pytest.mark.parametrize(("page", "params", "bad", "default"), TAMPERED,
                         ids=[f"{p}-{'&'.join(f'{k}={v}' for k, v in q.items())}" for p, q, _, _ in TAMPERED])
def test_tampered_link_warns_and_falls_back(open_page, page, params, bad, default):
    at = open_page(page, **params)
    assert exceptions(at) == []
    assert [e.value for e in at.error] == []
    shown = warnings(at)
    assert len(shown) == 1, shown
    assert f"(`{bad}`)" in shown[0] or f"`{bad}`" in shown[0]
    others = [k for k in params if k != bad]
    assert all(f"`{k}`" not in shown[0] for k in others), "only the bad setting is named"
    if default is not None:
        assert widget(at, bad).value == default
    assert bad not in at.query_params, "the rejected value stays in the address bar"
    if page == "vanishing":
        at = browser_set(at, "T", 30, "30")  # keep the follow-up quick
    _follow_up(at, page)


def test_several_bad_settings_are_all_named_and_good_ones_kept(open_page):
    at = open_page("step", H="abc", t="9999", foo="1", seed="3", update="take")
    assert exceptions(at) == []
    (shown,) = warnings(at)
    for bad in ("(`H`) = `abc`", "(`t`) = `9999`", "`foo`"):
        assert bad in shown
    assert "`seed`" not in shown and "`update`" not in shown
    assert values(at, ["H", "t", "seed", "update"]) == {"H": 8, "t": 1, "seed": 3, "update": "take"}
    assert {k: at.query_params.get(k) for k in ("seed", "update")} == {"seed": "3", "update": "take"}
    assert not {"H", "t", "foo"} & set(at.query_params)


# ---- widget changes and the URL ------------------------------------------------------------------
def test_step_buttons_write_the_url(open_page):
    at = open_page("step")
    widget(at, "t_next").click()
    at.run()
    assert at.query_params.get("t") == "2"
    widget(at, "t_prev").click()
    at.run()
    assert widget(at, "t").value == 1
    assert at.query_params.get("t") in (None, "1")  # back at the default: Streamlit may drop it
    sat = open_page("saturation")
    widget(sat, "sat_t_prev").click()
    sat.run()
    assert sat.query_params.get("sat_t") == "33"


@pytest.mark.parametrize(("page", "key"), [("step", "t"), ("saturation", "sat_t")])
def test_step_buttons_do_not_warn(open_page, page, key):
    """Regression: Previous/Next change the step in a callback, before app.py snapshots the URL, so the
    snapshot still holds the old step and urlstate reports it as 'not an allowed value'."""
    at = open_page(page, **{key: "5"})
    assert_clean(at)
    widget(at, f"{key}_next").click()
    at.run()
    assert widget(at, key).value == 6
    assert at.query_params.get(key) == "6"
    assert warnings(at) == []


def test_shrinking_H_clamps_unit_and_its_url(open_page):
    at = open_page("step", H="32", unit="20")
    assert_clean(at)
    at = browser_set(at, "H", 4, "4")
    assert exceptions(at) == []
    assert widget(at, "unit").value == 3
    assert at.query_params.get("unit") == "3"
    assert figure(at, "cell_diagram")["layout"]["meta"]["unit"] == 3


def test_clamping_does_not_warn(open_page):
    """Regression (same cause as the step buttons): the app itself clamps unit 20 → 3 after H shrinks,
    and then blames the URL for it: "`unit=20` is not an allowed value (now `3`)"."""
    at = open_page("step", H="32", unit="20")
    at = browser_set(at, "H", 4, "4")
    assert warnings(at) == []


# (page, widget key, new value, URL text the browser writes)
CHANGES = [
    ("step", "t", 9, "9"), ("step", "unit", 2, "2"), ("step", "H", 16, "16"), ("step", "seed", 5, "5"),
    ("step", "scale", 1.5, "1.5"), ("step", "reset", "before", "before"), ("step", "update", "take", "take"),
    ("step", "preset", "sales", PRESETS["sales"].title),
    ("saturation", "case", "rnn-like", "rnn-like"), ("saturation", "bz", -2.0, "-2.0"),
    ("saturation", "br", 1.5, "1.5"), ("saturation", "sat_t", 4, "4"),
    ("vanishing", "T", 40, "40"), ("vanishing", "rnn_scale", 1.5, "1.5"), ("vanishing", "seeds", 2, "2"),
]


@pytest.mark.parametrize(("page", "key", "value", "text"), CHANGES, ids=[f"{p}-{k}" for p, k, _, _ in CHANGES])
def test_widget_change_round_trips_through_the_url(open_page, page, key, value, text):
    """Change a widget; the URL keeps it without complaint, and a new visitor with that URL sees it."""
    params = {"T": "30", "seeds": "3"} if page == "vanishing" else {}
    at = open_page(page, **params)
    at = browser_set(at, key, value, text)
    assert exceptions(at) == []
    assert widget(at, key).value == value
    assert _same_url_value(at.query_params[key], text)
    assert warnings(at) == [], "a value the widget accepted is reported as unusable"
    again = open_page(page, **dict(at.query_params))
    assert widget(again, key).value == value
    assert warnings(again) == []


@pytest.mark.parametrize("page", ["step", "saturation", "vanishing"])
def test_share_link_reflects_widget_changes(open_page, page):
    changes = {
        "step": [("t", 9, "9"), ("unit", 2, "2"), ("H", 16, "16"), ("seed", 5, "5"), ("scale", 1.5, "1.5"),
                 ("reset", "before", "before"), ("update", "take", "take")],
        "saturation": [("case", "custom", "custom"), ("pz", 0.2, "0.2"), ("sat_t", 12, "12"), ("br", 2.0, "2.0")],
        "vanishing": [("T", 40, "40"), ("rnn_scale", 0.75, "0.75"), ("seeds", 2, "2"), ("seed", 9, "9")],
    }[page]
    at = open_page(page, **({"T": "30", "seeds": "3"} if page == "vanishing" else {}))
    for key, value, text in changes:
        at = browser_set(at, key, value, text)
        assert exceptions(at) == []
    path, params = share_link(at)
    assert path == f"/{page}"
    for key, _, text in changes:
        assert _same_url_value(params[key], text), (key, params.get(key))


def test_share_link_reopens_the_same_view(open_page):
    """Regression: share_link writes the preset's internal key (preset=sales), but the bound selectbox only
    accepts its title (preset=Weekly sales): the shared link opens 'Far-apart clue' with a warning."""
    at = open_page("step")
    at = browser_set(at, "preset", "sales", PRESETS["sales"].title)
    at = browser_set(at, "t", 40, "40")
    path, params = share_link(at)
    assert path == "/step"
    again = open_page("step", **params)
    assert exceptions(again) == []
    assert values(again, ["preset", "t"]) == {"preset": "sales", "t": 40}
    assert warnings(again) == []


def test_share_link_of_a_default_view_opens_without_warning(open_page):
    """The link shown on an untouched page names every setting; opening it must not complain."""
    at = open_page("saturation")
    _, params = share_link(at)
    again = open_page("saturation", **params)
    assert exceptions(again) == []
    assert warnings(again) == []


@pytest.mark.parametrize(("page", "detour", "back", "hidden"), [
    ("step", [("preset", "custom", PRESETS["custom"].title), ("custom", "hello big world", "hello big world")],
     ("preset", "noise", PRESETS["noise"].title), {"custom", "custom_kind"}),
    ("saturation", [("case", "custom", "custom"), ("pz", 0.2, "0.2")], ("case", "copy", "copy"), {"pz", "pr"}),
], ids=["custom-text", "pinned-values"])
def test_share_link_leaves_out_hidden_settings(open_page, page, detour, back, hidden):
    """Regression: share_link adds every key still in st.session_state, including widgets the page no
    longer shows (the custom text after going back to a preset, pz/pr after leaving 'custom').
    Whoever opens the link is told "`custom` is not a setting of this page"."""
    at = open_page(page)
    for key, value, text in detour:
        at = browser_set(at, key, value, text)
    at = browser_set(at, *back)
    assert exceptions(at) == []
    assert not any(_shown(at, key) for key in hidden), "precondition: those widgets are hidden now"
    _, params = share_link(at)
    assert not hidden & set(params), sorted(hidden & set(params))


def _shown(at, key):
    try:
        widget(at, key)
    except KeyError:
        return False
    return True
