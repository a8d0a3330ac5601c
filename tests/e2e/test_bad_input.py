"""Bad input in the custom box gives an error message, and the page stays usable."""
from __future__ import annotations

from gru_lab.inputs import EXAMPLE_TEXT

from .settle import settle
from .test_viewer import READ_JS
from .ui import MAIN, SIDEBAR, alerts, choose_radio, choose_select, drawn, exceptions, press_slider, slider_text


def _type_sequence(page, text: str) -> dict:
    box = page.locator(f"{SIDEBAR} .st-key-custom textarea")
    box.fill(text)
    box.press("Control+Enter")  # commits a text area, like clicking outside it
    return settle(page)


def test_bad_numbers_show_error_then_valid_numbers_draw(tab):
    tab.open("step")
    page = tab.page
    choose_select(page, "preset", "Your own")
    choose_radio(page, "custom_kind", "numbers")
    _type_sequence(page, "1, 2, x")
    errors = alerts(page, "Error")
    assert len(errors) == 1 and "'x' is not a number" in errors[0], errors
    assert exceptions(page) == []
    assert drawn(page) == [] and page.locator(".gv").count() == 0  # nothing drawn from unusable input
    # Still usable: the sidebar responds, and the typed text is kept for fixing.
    press_slider(page, "H", "ArrowRight")
    assert slider_text(page, "H") == "16"
    assert page.locator(f"{SIDEBAR} .st-key-custom textarea").input_value() == "1, 2, x"
    assert len(alerts(page, "Error")) == 1

    _type_sequence(page, "1, 2, 3")
    assert alerts(page, "Error") == []
    assert exceptions(page) == []
    page.locator(".gv[data-t]").wait_for(timeout=30_000)
    v = page.evaluate(READ_JS)
    assert v["readout"].startswith("Step 1 of 3: “1”"), v["readout"]
    assert v["squares"] == 16 and len(v["marks"]) == 4, v
    assert page.locator(f"{MAIN} h1").inner_text() == "Step through a sequence"


def test_empty_words_box_says_what_to_do(tab):
    """Choosing 'Your own' starts from an example text (regression: a red "no words" greeted the user
    before they typed); emptying the box then asks for words instead of failing."""
    tab.open("step?preset=Your+own")
    assert alerts(tab.page, "Error") == []
    box = tab.page.locator(".st-key-custom textarea")
    assert box.input_value() == EXAMPLE_TEXT["words"]
    box.fill("")
    box.press("Control+Enter")
    settle(tab.page)
    errors = alerts(tab.page, "Error")
    assert len(errors) == 1 and "no words" in errors[0], errors
    assert exceptions(tab.page) == []
