"""Shareable links: every setting round-trips through the URL, and bad links are reported, not fatal.

A link is opened as a fresh session whose first run is the target page (see apptools.open_page).
Where a test changes a widget it also writes the new value into the address bar, as the browser's
half of bind="query-params" does (apptools.browser_set); AppTest alone leaves the URL untouched.
"""
from __future__ import annotations

import pytest

from gru_lab.inputs import PRESETS, preset_sequence
from gru_lab.stories import claim, trained_model

from .apptools import (
    assert_clean,
    browser_set,
    drawn,
    exceptions,
    move_viewer,
    open_link,
    share_link,
    values,
    viewer_at,
    warnings,
    widget,
)

POSITION = ("t", "unit")  # the step page's position: the viewer's, in the address (not widgets)
RANDOM = {"weights": "random"}  # the step page with random weights, where the sidebar's H, seed and scale apply

# Non-default values for every bound widget, as (URL text, value the widget must then hold).
LINKS = {
    "step": {"weights": ("random", "random"), "H": ("16", 16), "seed": ("7", 7), "scale": ("2.5", 2.5),
             "reset": ("before", "before"), "update": ("take", "take"), "t": ("5", 5), "unit": ("3", 3)},
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
    shown = [k for k in link if k not in POSITION]
    assert values(at, shown) == {k: link[k][1] for k in shown}
    if page == "step":  # the viewer opens at the linked step and unit
        assert viewer_at(at) == (link["t"][1], link["unit"][1])
    for key, (text, _) in link.items():
        assert key in at.query_params, f"{key} dropped from the URL"
        assert _same_url_value(at.query_params[key], text)


def test_link_with_custom_input_sets_it(open_page):
    at = open_page("step", preset=PRESETS["custom"].title, custom_kind="numbers", custom="1, 2, 3", t="2")
    assert exceptions(at) == [] and not at.error
    assert values(at, ["preset", "custom_kind", "custom"]) == {
        "preset": "custom", "custom_kind": "numbers", "custom": "1, 2, 3"}
    assert at.query_params["custom"] == "1, 2, 3" and at.query_params["custom_kind"] == "numbers"
    assert viewer_at(at)[0] == 2 and at.query_params["t"] == "2"


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
    ("step", {"t": "abc"}, "t", 1),
    ("step", {"t": "40"}, "t", 34),  # past the end of the 34 words: the last step
    ("step", {"unit": "99"}, "unit", 7),  # past the last of H = 8 units: the last unit
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
    if page == "step":  # the viewer pauses at step 3 and writes it into the address: the page follows it
        before = drawn(at)
        unit = viewer_at(at)[1]
        at = move_viewer(at, 3, unit)
        assert_clean(at)
        assert viewer_at(at) == (3, unit)
        assert share_link(at)[1]["t"] == "3"
        assert drawn(at) == before, "the viewer, already at step 3, is sent nothing new"
        return at
    key, value = {"saturation": ("case", "copy"), "vanishing": ("seeds", 2), "home": ("update", "take")}[page]
    before = drawn(at)
    at = browser_set(at, key, value, str(value))
    assert_clean(at)
    assert widget(at, key).value == value
    if page != "home":
        assert drawn(at) != before
    return at


@pytest.mark.parametrize(("page", "params", "bad", "default"), TAMPERED,
                         ids=[f"{p}-{'&'.join(f'{k}={v}' for k, v in q.items())}" for p, q, _, _ in TAMPERED])
def test_tampered_link_warns_and_falls_back(open_page, page, params, bad, default):
    if page == "step":
        params = {**RANDOM, **params}  # random weights: the sidebar's H, seed and scale are shown
    at = open_page(page, **params)
    assert exceptions(at) == []
    assert [e.value for e in at.error] == []
    shown = warnings(at)
    assert len(shown) == 1, shown
    assert f"(`{bad}`)" in shown[0] or f"`{bad}`" in shown[0]
    others = [k for k in params if k != bad]
    assert all(f"`{k}`" not in shown[0] for k in others), "only the bad setting is named"
    if bad in POSITION:  # the viewer opens at the default or the clamped position, and the address says so
        assert viewer_at(at)[POSITION.index(bad)] == default
        assert at.query_params.get(bad) in (None, str(default)), "the rejected value stays in the address bar"
        assert share_link(at)[1][bad] == str(default)
    else:
        if default is not None:
            assert widget(at, bad).value == default
        assert bad not in at.query_params, "the rejected value stays in the address bar"
    if page == "vanishing":
        at = browser_set(at, "T", 30, "30")  # keep the follow-up quick
    _follow_up(at, page)


def test_several_bad_settings_are_all_named_and_good_ones_kept(open_page):
    at = open_page("step", H="abc", t="9999", foo="1", seed="3", update="take", **RANDOM)
    assert exceptions(at) == []
    (shown,) = warnings(at)
    for bad in ("(`H`) = `abc`", "(`t`) = `9999`", "`foo`"):
        assert bad in shown
    assert "`seed`" not in shown and "`update`" not in shown and "`weights`" not in shown
    assert values(at, ["H", "seed", "update"]) == {"H": 8, "seed": 3, "update": "take"}
    assert viewer_at(at)[0] == 1
    assert {k: at.query_params.get(k) for k in ("seed", "update")} == {"seed": "3", "update": "take"}
    assert not {"H", "t", "foo"} & set(at.query_params)


# ---- widget changes and the URL ------------------------------------------------------------------
def test_step_buttons_write_the_url(open_page):
    # The step page's Previous and Next are the browser viewer's own now, and it writes the address
    # when stepping pauses (tests/e2e/test_step_page.py); here the page follows such a pause.
    at = open_page("step")
    unit = viewer_at(at)[1]
    at = move_viewer(at, 2, unit)
    assert viewer_at(at) == (2, unit) and share_link(at)[1]["t"] == "2"
    at = move_viewer(at, 1, unit)
    assert viewer_at(at) == (1, unit) and share_link(at)[1]["t"] == "1"
    assert at.query_params.get("t") in (None, "1")
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
    if page == "step":  # Next is the viewer's, in the browser (tests/e2e/test_step_page.py): it pauses on 6
        unit = viewer_at(at)[1]
        at = move_viewer(at, 6, unit)
        assert viewer_at(at) == (6, unit) and share_link(at)[1]["t"] == "6"
    else:
        widget(at, f"{key}_next").click()
        at.run()
        assert widget(at, key).value == 6
    assert at.query_params.get(key) == "6"
    assert warnings(at) == []


def test_shrinking_H_clamps_unit_and_its_url(open_page):
    at = open_page("step", H="32", unit="20", **RANDOM)
    assert_clean(at)
    assert viewer_at(at) == (1, 20)
    at = browser_set(at, "H", 4, "4")
    assert exceptions(at) == []
    assert viewer_at(at) == (1, 3)
    assert at.query_params.get("unit") == "3"
    assert share_link(at)[1]["unit"] == "3"
    at.run()  # and it stays there
    assert viewer_at(at) == (1, 3) and at.query_params.get("unit") == "3"


def test_clamping_does_not_warn(open_page):
    """Regression (same cause as the step buttons): the app itself clamps unit 20 → 3 after H shrinks,
    and then blames the URL for it: "`unit=20` is not an allowed value (now `3`)"."""
    at = open_page("step", H="32", unit="20", **RANDOM)
    at = browser_set(at, "H", 4, "4")
    assert warnings(at) == []


# (page, widget key, new value, URL text the browser writes)
CHANGES = [  # t and unit: the viewer pauses there (move_viewer)
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
    params = {"T": "30", "seeds": "3"} if page == "vanishing" else RANDOM if page == "step" else {}
    at = open_page(page, **params)
    if key in POSITION:
        t, unit = viewer_at(at)
        at = move_viewer(at, *((value, unit) if key == "t" else (t, value)))
        assert exceptions(at) == []
        assert viewer_at(at)[POSITION.index(key)] == value
    else:
        at = browser_set(at, key, value, text)
        assert exceptions(at) == []
        assert widget(at, key).value == value
    assert _same_url_value(at.query_params[key], text)
    assert warnings(at) == [], "a value the widget accepted is reported as unusable"
    again = open_page(page, **dict(at.query_params))
    if key in POSITION:
        assert viewer_at(again) == viewer_at(at)
    else:
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
    at = open_page(page, **({"T": "30", "seeds": "3"} if page == "vanishing" else RANDOM if page == "step" else {}))
    for key, value, text in changes:
        if key in POSITION:  # the viewer pauses there
            t, unit = viewer_at(at)
            at = move_viewer(at, *((value, unit) if key == "t" else (t, value)))
        else:
            at = browser_set(at, key, value, text)
        assert exceptions(at) == []
    if page == "step":
        assert viewer_at(at) == (9, 2), "the settings after the pause keep the viewer where it paused"
    path, params = share_link(at)
    assert path == f"/{page}"
    for key, _, text in changes:
        assert _same_url_value(params[key], text), (key, params.get(key))


def test_share_link_reopens_the_same_view(open_page):
    """Regression: share_link writes the preset's internal key (preset=sales), but the bound selectbox only
    accepts its title (preset=Weekly sales): the shared link opens 'Far-apart clue' with a warning."""
    at = open_page("step")
    at = browser_set(at, "preset", "sales", PRESETS["sales"].title)
    at = move_viewer(at, 40, viewer_at(at)[1])
    path, params = share_link(at)
    assert path == "/step"
    again = open_page("step", **params)
    assert exceptions(again) == []
    assert values(again, ["preset"]) == {"preset": "sales"}
    assert viewer_at(again) == viewer_at(at) and viewer_at(again)[0] == 40
    assert warnings(again) == []


@pytest.mark.parametrize("key", ["verdict_start", "sales"])
def test_a_new_story_moves_the_viewer_and_the_link_to_its_unit(open_page, key):
    """Regression: after another preset the viewer opened on the new story's unit, but the page kept
    the component's last report (the old unit) for the link and the address, and the next rerun
    moved the viewer back to it."""
    seq = preset_sequence(key)
    unit = claim(key, seq, trained_model(key).forward(seq.x)).unit
    at = open_page("step")
    at = browser_set(at, "preset", key, PRESETS[key].title)
    assert_clean(at)
    assert viewer_at(at)[1] == unit
    assert share_link(at)[1]["unit"] == str(unit)
    at.run()  # any later rerun (a click elsewhere) leaves it there
    assert viewer_at(at)[1] == unit and share_link(at)[1]["unit"] == str(unit)


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
