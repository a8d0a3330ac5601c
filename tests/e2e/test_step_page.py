"""The step page in Chromium, with its browser-side viewer (gru_lab/ui/viewer) on the real app.

After every move every view shows the same step and unit (`test_viewer.check`: diagram, equations,
heatmap markers, table row, readout, scrubber), stepping sends the server nothing, pauses included:
the viewer writes the position into the address itself, so the browser's Back button, "Link for
students" and the HTML download (built in the browser) all open where the class was.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from .conftest import DESKTOP
from .test_viewer import (
    READ_JS,
    Wire,
    check,
    download_view,
    drive,
    first_frame_reports,
    reports,
    steps_offline,
    wait_until_t,
)

DEFAULTS = ()  # viewer_app.record()'s case: the step page's random GRU (H = 8, the far-apart clue, seed 0)
RANDOM = "?weights=random"


def open_step(browser, app_url, query: str = RANDOM):
    """A fresh visitor on /step: (context, page, its websocket frames (Wire), JS errors), once the
    first run is over."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    wire, errors = Wire(page), []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{app_url}/step{query}")
    page.locator(".gv[data-t]").wait_for(timeout=60_000)
    wire.run_done(0, "the first run")  # its last messages are in: counts taken from here on are the page's own
    return context, page, wire, errors


def press_outside(page) -> None:
    """A press on the page's title: outside the viewer, and not a control (the viewer then reports)."""
    page.locator("[data-testid='stMain'] h1").first.click()


def address(page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(page.url).query).items()}


def wait_for_address(page, t: int, unit: int, timeout: float = 20_000) -> None:
    page.wait_for_function(f"() => /[?&]t={t}(&|$)/.test(location.search) && /[?&]unit={unit}(&|$)/"
                           ".test(location.search)", timeout=timeout)


def student_link(page) -> dict[str, str]:
    page.get_by_role("button", name="Link for students").click()
    box = page.locator("[data-testid='stPopoverBody'] .gl-link-text").first
    box.wait_for(timeout=20_000)
    code = box.input_value()
    page.keyboard.press("Escape")
    return {k: v[-1] for k, v in parse_qs(urlsplit(code.strip()).query).items()}


def test_every_control_moves_every_view_together_and_the_link_follows(browser, app_url):
    context, page, wire, errors = open_step(browser, app_url)
    try:
        check(page, DEFAULTS, 1, 0)
        drive(page, DEFAULTS)  # Next, arrows, scrubber, unit box, heatmap cell, table row, space, Play, Home
        wait_for_address(page, 1, 2)
        mark = wire.mark()
        # the press on "Link for students" is outside the viewer: the viewer reports, and the fragment reruns
        assert {k: student_link(page)[k] for k in ("t", "unit")} == {"t": "1", "unit": "2"}
        wire.run_done(wire.request(reports((1, 2)), mark, "the report of (1, 2)"), "the report's run")
        check(page, DEFAULTS, 1, 2)  # the rerun after the report leaves the viewer where it was
        assert errors == []
    finally:
        context.close()


def test_ten_steps_and_a_pause_send_no_frame(browser, app_url):
    context, page, wire, errors = open_step(browser, app_url)
    try:
        before = len(wire.sent)
        for _ in range(5):
            page.locator(".gv-next").click()
        page.locator(".gv-diagram").focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        check(page, DEFAULTS, 11, 0)
        assert len(wire.sent) == before, "stepping talked to the server"
        wait_for_address(page, 11, 0)  # written by the viewer itself
        # One more step and at once a press outside the viewer: its report, of step 12 (not 11, which a
        # pause could have sent), must be the first frame since the steps began.
        page.locator(".gv-next").click()
        mark = wire.mark()
        press_outside(page)
        first_frame_reports(wire, before, (12, 0), "10 steps and a pause")
        wire.run_done(wire.request(reports((12, 0)), mark, "the report of (12, 0)"), "the report's run")
        check(page, DEFAULTS, 12, 0)
        assert errors == []
    finally:
        context.close()


def test_back_after_another_page_returns_to_the_step_left(browser, app_url):
    """Step → Next → Next → Saturation → Back lands on step 3 in one Back (it took two, the first
    showing step 1)."""
    context, page, wire, errors = open_step(browser, app_url, "")
    try:
        unit = page.evaluate(READ_JS)["root"][1]
        page.locator(".gv-next").click()
        page.locator(".gv-next").click()
        wait_for_address(page, 3, unit)  # the pause's last act: Back has its place
        page.get_by_role("link", name="Saturation lab").click()
        page.get_by_role("heading", name="Saturation lab").wait_for(timeout=30_000)
        mark = wire.mark()
        page.go_back()
        page.locator(".gv[data-t]").wait_for(timeout=30_000)
        wire.run_done(wire.request(lambda m: True, mark, "the run Back asks for"), "the run after Back")
        wait_until_t(page, "(t) => t === 3")
        assert (address(page)["t"], address(page)["unit"]) == ("3", str(unit))
        v = page.evaluate(READ_JS)
        assert v["root"] == v["diagram"] == v["equations"] == v["table"] == [3, unit], v
        assert errors == []
    finally:
        context.close()


def test_a_link_opens_its_step_unit_and_conventions(browser, app_url):
    case = (4, 34, "take", False)
    context, page, _, errors = open_step(browser, app_url, RANDOM + "&H=4&update=take&reset=before&t=7&unit=3")
    try:
        v = check(page, case, 7, 3)
        assert "(1 − zt) ⊙ ht−1 + zt ⊙ nt" in v["symbolic"][3] and "Whn(rt ⊙ ht−1)" in v["symbolic"][2]
        assert errors == []
    finally:
        context.close()


def test_download_opens_offline_where_the_class_paused(browser, app_url, tmp_path):
    context, page, _, errors = open_step(browser, app_url)
    try:
        for _ in range(5):
            page.locator(".gv-next").click()
        page.locator(".gv-unit").fill("4")
        wait_for_address(page, 6, 4)  # the pause's last act: the viewer sends nothing, and builds the file itself
        download_view(page, tmp_path / "step.html")
        assert errors == []
    finally:
        context.close()
    steps_offline(browser, tmp_path / "step.html", DEFAULTS, 6, 4)


def test_a_story_opens_on_its_trained_model_and_unit(browser, app_url):
    """The far-apart clue opens on the GRU trained for it, at the unit its "Watch for" names; the
    random GRU is one click away and says it is not expected to remember."""
    from gru_lab.inputs import preset_sequence
    from gru_lab.stories import claim, trained_model

    seq = preset_sequence("clue")
    c = claim("clue", seq, trained_model("clue").forward(seq.x))
    context, page, _, errors = open_step(browser, app_url, "")
    try:
        v = page.evaluate(READ_JS)
        assert v["root"] == [1, c.unit], v["root"]
        main = page.locator("[data-testid='stMain']")
        assert main.get_by_text(f"Unit {c.unit} holds on to 'umbrella'").count() == 1
        page.locator(".st-key-weights").get_by_text("random", exact=True).click()
        page.get_by_text("Random weights: a random GRU is not expected").wait_for(timeout=30_000)
        assert errors == []
    finally:
        context.close()
