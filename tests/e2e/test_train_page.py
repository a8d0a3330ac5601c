"""The Train page in a real browser: training starts, its progress moves, Stop stops it, results show."""
from __future__ import annotations

import re
import time

from .settle import chart, settle, trace, values
from .ui import MAIN, alerts, exceptions

PROGRESS = re.compile(r"Training (GRU|RNN|LSTM): step (\d+) of (\d+)")


def progress_step(page) -> tuple[str, int] | None:
    """(model, step) from the progress bar's text, or None when no run is in progress."""
    texts = page.locator(f"{MAIN} [data-testid='stProgress']").all_inner_texts()
    for text in texts:
        m = PROGRESS.search(text)
        if m:
            return m.group(1), int(m.group(2))
    return None


def wait_for_progress(page, after: tuple[str, int] | None, timeout: float = 120.0) -> tuple[str, int]:
    """Poll (bounded) until the progress text shows a later step than `after`. 120 s: on a 2-core machine
    busy with other servers and browsers the first progress took over 60 s once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = progress_step(page)
        if now is not None and (after is None or now != after):
            return now
        page.wait_for_timeout(100)
    raise AssertionError(f"training progress did not move past {after} within {timeout:.0f} s")


def test_training_progresses_and_stop_stops_it(tab):
    page = tab.page
    # Many steps and a long sequence, so the run is still going when Stop is pressed.
    tab.open("train?steps=2000&length=120&models=GRU&models=LSTM")
    page.get_by_role("button", name="Start training").click()
    first = wait_for_progress(page, None)
    later = wait_for_progress(page, first)
    assert later[0] != first[0] or later[1] > first[1], (first, later)
    page.locator(".st-key-train_stop button").first.click()  # the page's Stop (the header has one too)
    settle(page, timeout=60)
    assert progress_step(page) is None, "the run should have stopped"
    assert any("stopped" in w for w in alerts(page, "Warning")), alerts(page, "Warning")
    stopped = chart(page, "stopped_losses")
    assert len(values(stopped["data"][0]["y"])) < 2000  # only part of the run was drawn
    assert exceptions(page) == []


def test_training_finishes_with_results(tab):
    page = tab.page
    tab.open("train?steps=150&length=20")  # GRU and RNN on the adding problem, the page's default models
    page.get_by_role("button", name="Start training").click()
    wait_for_progress(page, None)
    settle(page, timeout=120)
    assert exceptions(page) == []
    losses = chart(page, "final_losses")
    for model in ("GRU", "RNN"):
        assert len(values(trace(losses, model)["y"])) == 150
    assert losses["layout"]["yaxis"]["type"] == "log"
    chains = chart(page, "chains_before_after")
    names = {t["name"] for t in chains["data"]}
    assert {"GRU trained", "GRU untrained", "RNN trained", "RNN untrained"} <= names
    table = page.locator(f"{MAIN} [data-testid='stDataFrame']")  # drawn on a canvas: check it is there
    assert table.count() == 1 and table.bounding_box()["height"] > 60
    assert page.get_by_role("button", name="Open the trained GRU in Step through").count() == 1
