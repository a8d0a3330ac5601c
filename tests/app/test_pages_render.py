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
from gru_lab.stories import trained_model
from gru_lab.viewer import unpack

from .apptools import (
    CHARTS,
    assert_clean,
    decode,
    drawn,
    figures,
    jacobians,
    move_viewer,
    same_data,
    share_link,
    trace,
    viewer,
    viewer_array,
    viewer_at,
    widget,
    widget_keys,
)

URL_PATH = {"home": "", "step": "step", "saturation": "saturation", "vanishing": "vanishing"}
DEFAULT_SEQ = preset_sequence("clue")
T0 = len(DEFAULT_SEQ.labels)  # 34 steps at defaults
VANISH_BASE = {"T": 30, "seeds": 4}  # a small view keeps the vanishing cases quick
SIDEBAR_DEFAULTS = {"H": 8, "preset": "clue", "seed": 0, "scale": 1.0, "reset": "after", "update": "keep"}
RANDOM_ONLY = {"H", "seed", "scale"}  # the step page opens on the story's trained GRU: these size random weights
RANDOM = {"weights": "random"}  # the step page with random weights, where the sidebar's H, seed and scale apply
GATES = ("z", "r", "n", "h")


def _arrays_of(trace_json: dict) -> list[np.ndarray]:
    return [decode(trace_json[f]) for f in ("x", "y", "z") if f in trace_json]


@pytest.mark.parametrize("page", ["home", "step", "saturation", "vanishing"])
def test_page_renders_at_defaults(open_page, page):
    at = open_page(page)
    assert_clean(at)
    hidden = RANDOM_ONLY if page == "step" else set()
    used = {k: v for k, v in SIDEBAR_DEFAULTS.items() if k in SIDEBAR_FOR_PAGE[URL_PATH[page]] and k not in hidden}
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
    if page == "step":  # drawn in the browser from the viewer's payload
        data = viewer(at)
        assert (data["kind"], data["T"], data["H"], data["labels"]) == ("GRU", T0, 8, list(DEFAULT_SEQ.labels))
        for name in data["arrays"]:
            a = viewer_array(at, name)
            assert a.size and np.isfinite(a).all(), f"viewer array {name!r} is empty or not finite"


def test_home_shows_equations_and_links(open_page):
    at = open_page("home")
    assert len(at.latex) == 4
    assert r"h_t = z_t \odot h_{t-1}" in at.latex[3].value
    assert {link.proto.page for link in at.get("page_link")} == {"step", "saturation", "vanishing", "train"}


def test_step_page_table_and_numbers_match_the_record(open_page):
    at = open_page("step", **RANDOM)
    seq, rec = step_record(Settings())
    assert len(at.dataframe) == 0, "the table is drawn on request only"
    at.toggle(key="show_table").set_value(True).run()
    assert_clean(at)
    (table,) = [d.value for d in at.dataframe]
    assert table.shape == (T0 * 8, 8)
    assert list(table.columns) == ["step", "input", "unit", "h_prev", "r", "z", "n", "h"]
    np.testing.assert_allclose(table["h"].to_numpy(), rec.h.ravel())
    # The viewer's equations and heatmaps are drawn from its payload, at the equations' precision.
    data = viewer(at)
    assert (data["kind"], data["T"], data["H"], data["labels"]) == ("GRU", T0, 8, list(seq.labels))
    assert (data["update"], data["reset_after"]) == ("keep", True)
    for name, value in {"x": rec.x, "h0": rec.h0, "a": rec.a, **{q: getattr(rec, q) for q in GATES}}.items():
        np.testing.assert_allclose(viewer_array(at, name), np.round(value, 3), atol=1e-3, err_msg=name)
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
    if key == "viewer":  # the browser's viewer paused at (t, unit) = value
        move_viewer(at, *value)
        assert_clean(at, warn_ok=True)
        return
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


def shown(drawn_: dict, q: str) -> np.ndarray:
    """Quantity q (z, r, n, h, …) as the step page's viewer receives it, (T, H)."""
    return unpack(drawn_["viewer"]["arrays"][q])


def check_position(t: int, unit: int):
    """The address says (t, unit), as the viewer writes it where stepping pauses: "Link for students"
    carries it, and the viewer, already there, is sent exactly what it has (no new start, no data)."""
    def check(at, before, after):
        assert before["viewer"]["start"][:2] != [t, unit]
        assert after["viewer"] == before["viewer"], "the viewer was sent something new"
        _, params = share_link(at)
        assert (params["t"], params["unit"]) == (str(t), str(unit))
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


def check_viewer_changed(*quantities: str, unchanged: tuple[str, ...] = ()):
    """The step page's viewer gets other numbers for these quantities (and the same for `unchanged`)."""
    def check(at, before, after):
        assert after["viewer"]["id"] != before["viewer"]["id"]
        for q in quantities:
            assert shown(before, q).shape == shown(after, q).shape
            assert not np.array_equal(shown(before, q), shown(after, q)), f"viewer: {q!r} did not change"
        for q in unchanged:
            np.testing.assert_array_equal(shown(before, q), shown(after, q), err_msg=f"viewer: {q!r} changed")
    return check


def check_all_same(at, before, after):
    assert set(after) == set(before)
    for key in before:
        if key == "viewer":  # byte for byte, start included: the browser keeps its step and data
            assert after[key] == before[key], "the viewer's payload changed"
        else:
            assert same_data(before[key], after[key]), key
    assert viewer_at(at) == tuple(before["viewer"]["start"][:2]) and viewer_at(at)[0] == 1


def check_hidden_size(H):
    def check(at, before, after):
        for q in GATES:
            assert shown(before, q).shape == (T0, 8)
            assert shown(after, q).shape == (T0, H)
        assert (before["viewer"]["H"], after["viewer"]["H"]) == (8, H)
    return check


def check_preset(key):
    labels = preset_sequence(key).labels

    def check(at, before, after):
        assert after["viewer"]["labels"] == list(labels) and after["viewer"]["T"] == len(labels)
        for q in GATES:
            assert shown(after, q).shape == (len(labels), 8)
        assert widget(at, "preset").value == key
    return check


def check_story_model(at, before, after):
    """From random weights to the story's trained GRU: the viewer draws that model's numbers."""
    rec = trained_model("clue").forward(DEFAULT_SEQ.x)
    assert any(c.value == "Model: GRU from gru_story_clue.safetensors (H = 8, 8 inputs per step)." for c in at.caption)
    assert not RANDOM_ONLY & widget_keys(at), "H, seed and scale apply to random weights only"
    for q in GATES:
        assert not np.array_equal(shown(before, q), shown(after, q)), q
        np.testing.assert_allclose(shown(after, q), np.round(getattr(rec, q), 3), atol=1e-3, err_msg=q)


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
    # step page: its own widgets. The viewer steps, plays and picks units in the browser; the page
    # hears of a pause (move_viewer). Its Previous and Next buttons, the keys and Play are the
    # browser's alone now: tests/e2e/test_viewer.py (drive) and tests/e2e/test_step_page.py.
    "step-t": Case("step", [("viewer", (7, 0))], check_position(7, 0), params=RANDOM),
    "step-unit": Case("step", [("viewer", (1, 5))], check_position(1, 5), params=RANDOM),
    "step-download_csv": Case("step", [("download_csv", None)], check_all_same),
    "step-download_safetensors": Case("step", [("download_safetensors", None)], check_all_same),
    "step-download_npz": Case("step", [("download_npz", None)], check_all_same),
    "step-weights": Case("step", [("weights", "trained")], check_story_model, params=RANDOM),
    # step page: the sidebar (random weights, which its H, seed and scale size)
    "step-H": Case("step", [("H", 16)], check_hidden_size(16), params=RANDOM),
    **{f"step-preset-{k}": Case("step", [("preset", k)], check_preset(k), params=RANDOM) for k in PRESETS
       if k not in ("custom", "clue")},
    "step-preset-clue": Case("step", [("preset", "clue")], check_preset("clue"), setup=[("preset", "noise")],
                             params=RANDOM),
    "step-seed": Case("step", [("seed", 5)], check_viewer_changed(*GATES, unchanged=("x",)), params=RANDOM),
    "step-scale": Case("step", [("scale", 2.5)], check_viewer_changed(*GATES, unchanged=("x",)), params=RANDOM),
    "step-reset": Case("step", [("reset", "before")], check_viewer_changed("n", "h", unchanged=("x",)),
                       params=RANDOM),
    "step-update": Case("step", [("update", "take")], check_viewer_changed("h", unchanged=("x",)), params=RANDOM),
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
    # the chrono shift moves only the random GRU; the trained one and the RNN stay
    "vanishing-z_bias": Case("vanishing", [("z_bias", 2.0)],
                             check_changed("story_chains", "random GRU", unchanged=("trained GRU", "RNN"))),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_widget_changes_the_chart(open_page, baseline, case):
    at = open_page(case.page, **case.params)
    assert_clean(at)
    for key, value in case.setup:
        apply(at, key, value)
    if case.page == "step":  # what the step page draws is its viewer's payload
        before = drawn(at)
    else:
        before = figures(at) if case.setup else baseline(case.page, **case.params)
    for key, value in case.action:
        apply(at, key, value)
    assert set(figures(at)) == CHARTS[case.page]
    after = drawn(at)
    case.check(at, before, after)


def test_a_position_past_the_ends_is_clamped(open_page):
    """The page keeps the viewer inside the record: a position past the last step or unit opens at
    the last one, and the address and the link say so. (Next on the last step and Previous on the
    first are the browser's own buttons now: tests/e2e/test_viewer.py.)"""
    at = open_page("step", t=T0, **RANDOM)
    assert viewer_at(at) == (T0, 0)
    apply(at, "viewer", (T0 + 1, 0))
    assert viewer_at(at) == (T0, 0)
    assert at.query_params.get("t") == str(T0)
    apply(at, "viewer", (1, 8))
    assert viewer_at(at) == (1, 7)
    assert (at.query_params.get("t"), at.query_params.get("unit")) == ("1", "7")
    _, params = share_link(at)
    assert (params["t"], params["unit"]) == ("1", "7")


SIDEBAR = {"H", "preset", "seed", "scale", "reset", "update"}
PAGE_WIDGETS = {
    "home": set(),
    "step": {"weights", "download_csv", "download_safetensors", "download_npz"},
    "saturation": {"case", "bz", "br", "sat_t", "sat_t_prev", "sat_t_next"},
    "vanishing": {"T", "rnn_scale", "seeds", "z_bias"},
}


@pytest.mark.parametrize("page", PAGE_WIDGETS)
def test_every_widget_on_the_page_is_exercised(open_page, page):
    """A guard for this file: each widget a page shows has a case above (pz/pr appear with 'custom')."""
    # The step page with random weights shows every sidebar setting (the story's GRU hides H, seed and
    # scale). Its step, unit and Play are inside the viewer (a pause is the "viewer" case above), and
    # the table's toggle is test_step_page_table_and_numbers_match_the_record's.
    at = open_page(page, **(RANDOM if page == "step" else {}))
    own_input = {"custom", "custom_kind"}  # shown with the "Your own" preset only
    every_page = {"lesson_add_view"}  # app.py's, under every page: tests/app/test_lesson.py presses it
    assert widget_keys(at) - every_page == set(SIDEBAR_FOR_PAGE[URL_PATH[page]]) - own_input | PAGE_WIDGETS[page]
    covered = {key for case in CASES.values() if case.page == page for key, _ in case.action}
    extra = {"pz", "pr"} if page == "saturation" else set()
    assert PAGE_WIDGETS[page] | extra <= covered
    if page == "step":
        assert covered >= SIDEBAR | {"viewer"}
        viewer(at)  # the viewer is drawn


def test_sidebar_settings_follow_the_visitor_across_pages(app):
    """One session: a sidebar setting chosen on one page holds on every page it reaches, across pages
    (home, train) that do not show it."""
    app.run()
    assert_clean(app)
    app.switch_page("app_pages/step_through.py").run()
    widget(app, "weights").set_value("random")  # the sidebar's H sizes random weights
    app.run()
    widget(app, "H").set_value(16)
    app.run()
    app.switch_page("app_pages/home.py").run()
    app.switch_page("app_pages/train.py").run()
    app.switch_page("app_pages/step_through.py").run()
    assert_clean(app, warn_ok=True)
    assert widget(app, "H").value == 16
    assert viewer(app)["H"] == 16 and viewer_array(app, "h").shape == (T0, 16)
    app.switch_page("app_pages/saturation_lab.py").run()
    assert_clean(app, warn_ok=True)
    assert widget(app, "H").value == 16
    assert decode(trace(jacobians(figures(app)), "exact ∂h_t/∂h_(t−1)")["z"]).shape == (16, 16)
