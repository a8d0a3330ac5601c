"""Each main control changes what the chart shows, driven as a person would (keyboard and clicks)."""
from __future__ import annotations

import numpy as np

from .settle import chart, trace, values
from .ui import choose_radio, exceptions, press_slider, slider_text

# The step page's own controls (slider, Previous/Next, Play) live in the browser-side viewer now:
# tests/e2e/test_step_page.py and test_viewer.py drive them.


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


VIEWER_H_JS = """() => {
  const host = document.querySelector("[data-testid='stBidiComponentIsolated']");
  const root = host.shadowRoot.querySelector(".gv");
  return [root.querySelectorAll(".gv-table tbody tr").length, root.querySelector(".gv-cap").textContent];
}"""


def test_sidebar_hidden_size_changes_the_viewers_units(tab):
    tab.open("step?weights=random")  # the sidebar's H sizes random weights
    page = tab.page
    page.locator(".gv[data-t]").wait_for()
    rows, cap = page.evaluate(VIEWER_H_JS)
    assert rows == 8 and "units 0–7" in cap
    press_slider(page, "H", "ArrowRight")
    assert slider_text(page, "H") == "16"
    page.wait_for_function(f"() => ({VIEWER_H_JS})()[0] === 16", timeout=30_000)
    assert "units 0–15" in page.evaluate(VIEWER_H_JS)[1]
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
