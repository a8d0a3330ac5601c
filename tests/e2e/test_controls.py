"""Each main control changes what the chart shows, driven as a person would (keyboard and clicks)."""
from __future__ import annotations

import numpy as np

from .settle import chart, settle, title, trace, values
from .ui import choose_radio, exceptions, press_slider, slider_text, widget


def _marked_step(page) -> int:
    """The step the heatmaps outline: layout.meta.current_step, checked against the drawn vrect."""
    fig = chart(page, "heatmaps")
    step = fig["layout"]["meta"]["current_step"]
    shapes = [s for s in fig["layout"]["shapes"] if s.get("type") == "rect"]
    assert shapes, "the heatmaps have no step outline"
    for s in shapes:
        assert (s["x0"], s["x1"]) == (step - 0.5, step + 0.5), f"outline {s} is not around step {step}"
    return step


def _click(page, key: str) -> None:
    widget(page, key).get_by_role("button").click()
    settle(page)


def test_step_slider_and_buttons_move_marked_step(tab):
    """Keyboard on the Step slider, then Next / Previous: the heatmaps' outline and the cell diagram follow."""
    tab.open("step")
    page = tab.page
    assert _marked_step(page) == 0
    press_slider(page, "t", "ArrowRight")
    assert slider_text(page, "t") == "2"
    assert _marked_step(page) == 1
    assert chart(page, "cell_diagram")["layout"]["meta"]["current_step"] == 1
    assert title(chart(page, "cell_diagram")).replace("<b>", "").startswith("Step 2 of ")
    assert "t=2" in page.url

    _click(page, "t_next")
    _click(page, "t_next")
    assert _marked_step(page) == 3
    assert slider_text(page, "t") == "4"
    _click(page, "t_prev")
    assert _marked_step(page) == 2
    assert slider_text(page, "t") == "3"

    press_slider(page, "t", "Home")
    assert _marked_step(page) == 0
    _click(page, "t_prev")  # at the first step, Previous stays there
    assert _marked_step(page) == 0
    assert slider_text(page, "t") == "1"
    assert exceptions(page) == []


def test_saturation_case_copy_is_identity_and_cut_is_zero(tab):
    tab.open("saturation")
    page = tab.page
    free = values(chart(page, "sat_matrices")["data"][0]["z"])
    H = free.shape[0]
    assert free.shape == (H, H) and not np.allclose(free, np.eye(H))
    choose_radio(page, "case", "copy")
    assert "case=copy" in page.url
    np.testing.assert_array_equal(values(chart(page, "sat_matrices")["data"][0]["z"]), np.eye(H))
    choose_radio(page, "case", "cut")
    assert "case=cut" in page.url
    np.testing.assert_array_equal(values(chart(page, "sat_matrices")["data"][0]["z"]), np.zeros((H, H)))
    assert exceptions(page) == []


def test_vanishing_log_axis_and_rnn_scale_slider(tab):
    tab.open("vanishing")
    page = tab.page
    fig = chart(page, "chains")
    assert fig["layout"]["yaxis"]["type"] == "log"
    gru = values(trace(fig, "GRU median")["y"])
    rnn = values(trace(fig, "RNN median")["y"])
    for name, y in (("GRU", gru), ("RNN", rnn)):
        assert np.isfinite(y).sum() >= 2, f"{name} median has no data"
        assert (y[np.isfinite(y)] > 0).all(), f"{name} median is not positive (log axis)"
    assert slider_text(page, "rnn_scale") == "1.00"
    press_slider(page, "rnn_scale", "ArrowRight")
    assert slider_text(page, "rnn_scale") == "1.05"
    assert "rnn_scale=1.05" in page.url
    fig = chart(page, "chains")
    rnn_after = values(trace(fig, "RNN median")["y"])
    gru_after = values(trace(fig, "GRU median")["y"])
    assert not np.array_equal(rnn, rnn_after, equal_nan=True), "the RNN trace did not change"
    np.testing.assert_array_equal(gru, gru_after)  # the scale is the RNN's only
    assert exceptions(page) == []


def test_sidebar_hidden_size_changes_heatmap_rows(tab):
    tab.open("step")
    page = tab.page
    z = values(chart(page, "heatmaps")["data"][0]["z"])
    assert z.shape[0] == 8
    press_slider(page, "H", "ArrowRight")
    assert slider_text(page, "H") == "16"
    assert values(chart(page, "heatmaps")["data"][0]["z"]).shape[0] == 16
    assert "H=16" in page.url


FLOOR_JS = """
() => {
  const plot = document.querySelector(".st-key-chains .js-plotly-plot");
  const label = Array.from(plot.querySelectorAll(".annotation-text")).find((e) => e.textContent.startsWith("floor"));
  const ya = plot._fullLayout.yaxis;
  const top = plot.querySelector(".main-svg").getBoundingClientRect().top;
  const box = label.getBoundingClientRect();
  return {label_top: box.top - top, label_bottom: box.bottom - top, line_y: ya._offset + ya.l2p(Math.log10(1e-6))};
}
"""


def test_vanishing_floor_label_sits_on_its_line(tab):
    """Regression: on a log axis plotly.js reads an annotation's y in log10 units; the 'floor 1e-06' label was
    once drawn at 10^(1e-6) = 1, at the top of the chart, far from its dashed line."""
    tab.open("vanishing?T=20")  # a short range, so a label misplaced by 6 decades is far from its line
    pos = tab.page.evaluate(FLOOR_JS)
    # "bottom right": the label hangs just under its line, so the line runs along the label's top edge.
    assert pos["label_top"] - 6 <= pos["line_y"] <= pos["label_bottom"] + 6, pos
