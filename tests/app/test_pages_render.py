"""Every page renders cleanly, and every widget, sidebar included, changes what the charts draw."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

from gru_lab.compute import step_record, vanishing_distances
from gru_lab.controls import SIDEBAR_FOR_PAGE
from gru_lab.inputs import PRESETS, preset_sequence
from gru_lab.settings import Settings

from .apptools import CHARTS, assert_clean, decode, figures, jacobians, same_data, trace, widget, widget_keys

URL_PATH = {"home": "", "step": "step", "saturation": "saturation", "vanishing": "vanishing"}
DEFAULT_SEQ = preset_sequence("clue")
T0 = len(DEFAULT_SEQ.labels)  # 34 steps at defaults
VANISH_BASE = {"T": 30, "seeds": 4}  # a small view keeps the vanishing cases quick
SIDEBAR_DEFAULTS = {"H": 8, "preset": "clue", "seed": 0, "scale": 1.0, "reset": "after", "update": "keep"}


def _arrays_of(trace_json: dict) -> list[np.ndarray]:
    return [decode(trace_json[f]) for f in ("x", "y", "z") if f in trace_json]


@pytest.mark.parametrize("page", ["home", "step", "saturation", "vanishing"])
def test_page_renders_at_defaults(open_page, page):
    at = open_page(page)
    assert_clean(at)
    used = {k: v for k, v in SIDEBAR_DEFAULTS.items() if k in SIDEBAR_FOR_PAGE[URL_PATH[page]]}
    assert {k: widget(at, k).value for k in used} == used
    assert not (set(SIDEBAR_DEFAULTS) - set(used)) & widget_keys(at), "settings the page does not use are hidden"
    figs = figures(at)
    assert set(figs) == CHARTS[page]
    for key, fig in figs.items():
        assert fig["data"], f"{key} has no traces"
        for d in fig["data"]:
            arrays = _arrays_of(d)
            assert arrays and all(a.size > 0 for a in arrays), f"{key}: trace {d.get('name')!r} is empty"
        numeric = [decode(d["z"] if "z" in d else d["y"]) for d in fig["data"] if "z" in d or "y" in d]
        finite = [a[np.isfinite(a.astype(float))] for a in numeric if a.dtype.kind in "fiu"]
        assert any(a.size for a in finite), f"{key} draws no finite number"


def test_home_shows_equations_and_links(open_page):
    at = open_page("home")
    assert len(at.latex) == 4
    assert r"h_t = z_t \odot h_{t-1}" in at.latex[3].value
    assert {link.proto.page for link in at.get("page_link")} == {"step", "saturation", "vanishing", "train"}


def test_step_page_table_and_numbers_match_the_record(open_page):
    at = open_page("step")
    seq, rec = step_record(Settings())
    table = at.dataframe[0].value
    assert table.shape == (T0 * 8, 8)
    assert list(table.columns) == ["step", "input", "unit", "h_prev", "r", "z", "n", "h"]
    np.testing.assert_allclose(table["h"].to_numpy(), rec.h.ravel())
    assert len(at.latex) == 4
    assert f"= {rec.r[0, 0]:.3f}" in at.latex[0].value
    assert f"= {rec.h[0, 0]:.3f}" in at.latex[3].value
    assert widget(at, "download_csv").proto.label == "Download as CSV"


# ---- every widget changes what the page draws ----------------------------------------------------
@dataclass
class Case:
    page: str
    action: list[tuple[str, object]]  # (widget key, value); value None means click
    check: Callable[[object, dict, dict], None]  # (at, figures before, figures after)
    setup: list[tuple[str, object]] = field(default_factory=list)
    params: dict = field(default_factory=dict)  # query parameters the page is opened with

    def __post_init__(self):
        if self.page == "vanishing" and not self.params:
            self.params = dict(VANISH_BASE)


def apply(at, key, value):
    w = widget(at, key)
    if w.type in ("button", "download_button"):
        w.click()
    elif w.type == "selectbox":
        w.select(value)
    else:
        w.set_value(value)
    at.run()
    # Warnings are the URL tests' business (AppTest leaves the address bar as it was); here: no crash.
    assert_clean(at, warn_ok=True)


def heat(figs, q):
    return decode(trace(figs["heatmaps"], q)["z"])


def cell_text(figs):
    """The hover labels of the diagram's update-gate squares, one per unit shown."""
    return [label for row in trace(figs["cell_diagram"], "update z")["text"] for label in row]


def check_step_marker(step0: int):
    """The heatmaps' outline and the cell diagram both sit on 0-based step `step0`."""
    def check(at, before, after):
        assert after["heatmaps"]["layout"]["meta"]["current_step"] == step0
        assert before["heatmaps"]["layout"]["meta"]["current_step"] != step0
        shapes = after["heatmaps"]["layout"]["shapes"]
        assert shapes and all(s["x0"] == step0 - 0.5 and s["x1"] == step0 + 0.5 for s in shapes)
        cell = after["cell_diagram"]["layout"]
        assert cell["meta"]["current_step"] == step0
        assert not cell.get("sliders"), "no diagram-only animation that could leave the page behind"
        assert cell["title"]["text"].startswith(f"Step {step0 + 1} of {T0}")
        assert widget(at, "t").value == step0 + 1
    return check


def check_changed(chart: str, *traces: str, unchanged: tuple[str, ...] = ()):
    def check(at, before, after):
        if traces:
            for name in traces:
                assert not same_data({"data": [trace(before[chart], name)]}, {"data": [trace(after[chart], name)]}), \
                    f"{chart}: trace {name!r} did not change"
        else:
            assert not same_data(before[chart], after[chart]), f"{chart} did not change"
        for name in unchanged:
            assert same_data({"data": [trace(before[chart], name)]}, {"data": [trace(after[chart], name)]}), \
                f"{chart}: trace {name!r} changed but should not depend on this setting"
    return check


def check_all_same(at, before, after):
    assert set(after) == set(before)
    for key in before:
        assert same_data(before[key], after[key]), key
    assert widget(at, "t").value == 1 and widget(at, "unit").value == 0


def check_unit(unit):
    def check(at, before, after):
        assert after["cell_diagram"]["layout"]["meta"]["unit"] == unit
        assert before["cell_diagram"]["layout"]["meta"]["unit"] != unit
        assert any(f"unit {unit}:" in label for label in cell_text(after)), "the shown unit is in the diagram"
        assert all(rf"_{{{unit}}}" in el.value for el in at.latex)
    return check


def check_hidden_size(H):
    def check(at, before, after):
        for q in "zrnh":
            assert heat(before, q).shape == (8, T0)
            assert heat(after, q).shape == (H, T0)
    return check


def check_preset(key):
    labels = preset_sequence(key).labels

    def check(at, before, after):
        expected = [f"{t + 1}·{w}" for t, w in enumerate(labels)]
        for q in "zrnh":
            assert list(trace(after["heatmaps"], q)["x"]) == expected
            assert heat(after, q).shape == (8, len(labels))
        assert widget(at, "preset").value == key
    return check


def check_sat_matrix_shape(H):
    def check(at, before, after):
        for name in ("exact ∂h_t/∂h_(t−1)", "frozen gates", "exact − frozen"):
            assert decode(trace(jacobians(after), name)["z"]).shape == (H, H)
    return check


def check_chain_length(n):
    def check(at, before, after):
        assert len(decode(trace(after["sat_chain"], "‖∂h_t/∂h_k‖₂")["x"])) == n
        assert not same_data(before["sat_matrices"], after["sat_matrices"])
    return check


def check_vanishing_T(T):
    def check(at, before, after):
        np.testing.assert_array_equal(decode(trace(after["chains"], "GRU median")["x"]), vanishing_distances(T))
        assert len(decode(trace(after["deltas"], "GRU median")["x"])) == T
        assert len(decode(trace(before["deltas"], "GRU median")["x"])) == VANISH_BASE["T"]
        assert after["chains"]["layout"]["title"]["text"].endswith(f"(T = {T})")
    return check


def check_band_collapses(at, before, after):
    """One random model: its median is itself and the band around it has no width."""
    for chart in ("chains", "deltas"):
        for model in ("GRU", "RNN"):
            ys = [decode(trace(fig[chart], f"{model} {part}")["y"]).astype(float)
                  for fig in (before, after) for part in ("75th percentile", "middle half")]
            assert not np.array_equal(ys[0], ys[1], equal_nan=True)  # 4 seeds: a band
            np.testing.assert_array_equal(ys[2], ys[3])  # 1 seed: no band


EXACT = "exact ∂h_t/∂h_(t−1)"
CASES = {
    # step page: its own widgets
    "step-t": Case("step", [("t", 7)], check_step_marker(6)),
    "step-t_next": Case("step", [("t_next", None)], check_step_marker(1)),
    "step-t_prev": Case("step", [("t_prev", None)], check_step_marker(3), setup=[("t", 5)]),
    "step-unit": Case("step", [("unit", 5)], check_unit(5)),
    "step-download_csv": Case("step", [("download_csv", None)], check_all_same),
    "step-download_safetensors": Case("step", [("download_safetensors", None)], check_all_same),
    "step-download_npz": Case("step", [("download_npz", None)], check_all_same),
    "step-weights": Case("step", [("weights", "trained-adding")], check_hidden_size(16)),  # the shipped GRU
    # step page: the sidebar
    "step-H": Case("step", [("H", 16)], check_hidden_size(16)),
    **{f"step-preset-{k}": Case("step", [("preset", k)], check_preset(k)) for k in PRESETS
       if k not in ("custom", "clue")},
    "step-preset-clue": Case("step", [("preset", "clue")], check_preset("clue"), setup=[("preset", "noise")]),
    "step-seed": Case("step", [("seed", 5)], check_changed("heatmaps", "z", "r", "n", "h")),
    "step-scale": Case("step", [("scale", 2.5)], check_changed("heatmaps", "z", "r", "n", "h")),
    "step-reset": Case("step", [("reset", "before")], check_changed("heatmaps", "n", "h")),
    "step-update": Case("step", [("update", "take")], check_changed("heatmaps", "h")),
    # saturation page
    **{f"saturation-case-{c}": Case("saturation", [("case", c)], check_changed("sat_matrices", EXACT))
       for c in ("copy", "cut", "rnn-like", "custom")},
    "saturation-pz": Case("saturation", [("pz", 0.9)], check_changed("sat_matrices", EXACT),
                          setup=[("case", "custom")]),
    "saturation-pr": Case("saturation", [("pr", 0.1)], check_changed("sat_matrices", EXACT),
                          setup=[("case", "custom")]),
    "saturation-bz": Case("saturation", [("bz", 3.0)], check_changed("sat_matrices", EXACT)),
    "saturation-br": Case("saturation", [("br", -3.0)], check_changed("sat_matrices", EXACT)),
    "saturation-sat_t": Case("saturation", [("sat_t", 10)], check_chain_length(10)),
    "saturation-sat_t_prev": Case("saturation", [("sat_t_prev", None)], check_chain_length(T0 - 1)),
    "saturation-sat_t_next": Case("saturation", [("sat_t_next", None)], check_chain_length(11),
                                  setup=[("sat_t", 10)]),
    "saturation-H": Case("saturation", [("H", 4)], check_sat_matrix_shape(4)),
    "saturation-preset": Case("saturation", [("preset", "sales")], check_chain_length(56)),
    "saturation-seed": Case("saturation", [("seed", 5)], check_changed("sat_matrices", EXACT)),
    "saturation-scale": Case("saturation", [("scale", 2.5)], check_changed("sat_matrices", EXACT)),
    "saturation-reset": Case("saturation", [("reset", "before")], check_changed("sat_matrices", EXACT)),
    "saturation-update": Case("saturation", [("update", "take")], check_changed("sat_singular", "exact")),
    # vanishing page: the RNN never depends on the GRU-only settings
    "vanishing-T": Case("vanishing", [("T", 50)], check_vanishing_T(50)),
    "vanishing-rnn_scale": Case("vanishing", [("rnn_scale", 0.5)],
                                check_changed("chains", "RNN median", unchanged=("GRU median",))),
    "vanishing-seeds": Case("vanishing", [("seeds", 1)], check_band_collapses),
    "vanishing-H": Case("vanishing", [("H", 16)], check_changed("chains", "GRU median", "RNN median")),
    "vanishing-seed": Case("vanishing", [("seed", 7)], check_changed("chains", "GRU median", "RNN median")),
    "vanishing-scale": Case("vanishing", [("scale", 2.0)],
                            check_changed("chains", "GRU median", unchanged=("RNN median",))),
    "vanishing-reset": Case("vanishing", [("reset", "before")],
                            check_changed("deltas", "GRU median", unchanged=("RNN median",))),
    "vanishing-update": Case("vanishing", [("update", "take")],
                             check_changed("deltas", "GRU median", unchanged=("RNN median",))),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_widget_changes_the_chart(open_page, baseline, case):
    at = open_page(case.page, **case.params)
    assert_clean(at)
    for key, value in case.setup:
        apply(at, key, value)
    before = figures(at) if case.setup else baseline(case.page, **case.params)
    for key, value in case.action:
        apply(at, key, value)
    after = figures(at)
    assert set(after) == CHARTS[case.page]
    case.check(at, before, after)


def test_step_buttons_stop_at_the_ends(open_page):
    """Next on the last step and previous on the first leave the step (and the marker) where it was."""
    at = open_page("step", t=T0)
    apply(at, "t_next", None)
    assert widget(at, "t").value == T0
    assert figures(at)["heatmaps"]["layout"]["meta"]["current_step"] == T0 - 1
    apply(at, "t", 1)
    apply(at, "t_prev", None)
    assert widget(at, "t").value == 1
    assert figures(at)["heatmaps"]["layout"]["meta"]["current_step"] == 0


SIDEBAR = {"H", "preset", "seed", "scale", "reset", "update"}
PAGE_WIDGETS = {
    "home": set(),
    "step": {"weights", "t", "t_prev", "t_next", "unit", "download_csv", "download_safetensors", "download_npz"},
    "saturation": {"case", "bz", "br", "sat_t", "sat_t_prev", "sat_t_next"},
    "vanishing": {"T", "rnn_scale", "seeds"},
}


@pytest.mark.parametrize("page", PAGE_WIDGETS)
def test_every_widget_on_the_page_is_exercised(open_page, page):
    """A guard for this file: each widget a page shows has a case above (pz/pr appear with 'custom')."""
    at = open_page(page)
    timers = {"play"} if page == "step" else set()  # Play runs on a timer AppTest does not fire: tests/e2e/test_play.py
    own_input = {"custom", "custom_kind"}  # shown with the "Your own" preset only
    assert widget_keys(at) == set(SIDEBAR_FOR_PAGE[URL_PATH[page]]) - own_input | PAGE_WIDGETS[page] | timers
    covered = {key for case in CASES.values() if case.page == page for key, _ in case.action}
    extra = {"pz", "pr"} if page == "saturation" else set()
    assert PAGE_WIDGETS[page] | extra <= covered
    if page == "step":
        assert covered >= SIDEBAR


def test_sidebar_settings_follow_the_visitor_across_pages(app):
    """One session: a sidebar setting chosen on one page holds on every page it reaches, across pages
    (home, train) that do not show it."""
    app.run()
    assert_clean(app)
    app.switch_page("app_pages/step_through.py").run()
    widget(app, "H").set_value(16)
    app.run()
    app.switch_page("app_pages/home.py").run()
    app.switch_page("app_pages/train.py").run()
    app.switch_page("app_pages/step_through.py").run()
    assert_clean(app, warn_ok=True)
    assert widget(app, "H").value == 16
    assert decode(trace(figures(app)["heatmaps"], "h")["z"]).shape == (16, T0)
    app.switch_page("app_pages/saturation_lab.py").run()
    assert_clean(app, warn_ok=True)
    assert widget(app, "H").value == 16
    assert decode(trace(jacobians(figures(app)), "exact ∂h_t/∂h_(t−1)")["z"]).shape == (16, 16)
