"""Play on the step page moves every view together (regression: only the diagram animated, while the
slider, the equations and the heatmap marker stayed at step 1)."""
from __future__ import annotations

import re
import time

from .settle import chart, settle
from .ui import MAIN, exceptions, slider_text, widget


def _shown_steps(page) -> dict[str, int]:
    heading = page.locator(f"{MAIN} h3", has_text=re.compile(r"^Unit \d+ at step \d+")).first.inner_text()
    return {
        "slider": int(slider_text(page, "t")),
        "equations": int(re.search(r"at step (\d+)", heading).group(1)),
        "heatmap marker": int(chart(page, "heatmaps")["layout"]["meta"]["current_step"]) + 1,
    }


def test_play_then_pause_leaves_every_view_on_one_step(tab):
    tab.open("step")
    page = tab.page
    assert _shown_steps(page) == {"slider": 1, "equations": 1, "heatmap marker": 1}
    widget(page, "play").locator("button").first.click()
    time.sleep(4)  # a few steps at one per 0.8 s
    widget(page, "play").locator("button").first.click()  # now Pause
    settle(page)
    shown = _shown_steps(page)
    assert exceptions(page) == []
    assert len(set(shown.values())) == 1, shown
    assert shown["slider"] > 2, f"Play did not advance: {shown}"
