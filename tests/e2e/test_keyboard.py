"""Keyboard use, text alternatives and motion (issue 22, WCAG 2.2 AA), in Chromium on the real app.

A person with only a keyboard steps the step page's viewer (Tab to its controls, Enter and the arrow
keys), sees where the focus is (a ring), and leaves it with Tab again; answers and reveals a lesson
question; opens the sidebar on a phone. A screen reader gets the viewer's pictures as numbers: the
cell diagram and every heatmap are role="img" with a label that says what they show at the shown
step. Under prefers-reduced-motion nothing moves by itself and no transition runs.

Waits are on conditions (Playwright's expect and wait_for_function, generous timeouts), never on
fixed sleeps, except where the check is that nothing happens for a while.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, SCREENSHOTS, Tab
from .settle import settle
from .test_viewer import open_offline
from .ui import MAIN, SIDEBAR, focused, has_focus_ring, tab_until

STEP = "step?weights=random"  # the step page's random GRU: H = 8, 34 steps (test_step_page's default case)
WAIT = 30_000  # ms: a deadline for a loaded machine, not an expected time
NUMBER = re.compile(r"−?\d+\.\d{3}")

# The cell diagram's text alternative, e.g. "Cell diagram, step 4 (“umbrella”), unit 6: update gate z = 0.930, ..."
DIAGRAM = re.compile(r"Cell diagram, step (\d+) \(“([^”]*)”\), unit (\d+): update gate z = (−?\d+\.\d{3}), "
                     r"reset gate r = (−?\d+\.\d{3}), candidate n = (−?\d+\.\d{3}), "
                     r"h moves from (−?\d+\.\d{3}) to (−?\d+\.\d{3})\.")

# The contrast of the focus ring against the viewer's background, from the colours the browser computes.
RING_CONTRAST_JS = """
() => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  const root = a.closest(".gv");
  const rgb = (c) => { const x = document.createElement("canvas").getContext("2d"); x.fillStyle = c;
    const v = x.fillStyle; return v.startsWith("#") ? [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16))
      : v.match(/[\\d.]+/g).slice(0, 3).map(Number); };
  const lum = (c) => { const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92
    : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const ring = getComputedStyle(a).outlineColor, bg = getComputedStyle(root).getPropertyValue("--bg").trim();
  const [hi, lo] = [lum(ring), lum(bg)].sort((x, y) => y - x);
  return { ring, bg, ratio: (hi + 0.05) / (lo + 0.05) };
}
"""


@pytest.fixture
def context_tab(browser, app_url) -> Iterator:
    """Factory for a tab in a context with options of its own (colour scheme, reduced motion, viewport)."""
    contexts = []

    def make(viewport=DESKTOP, **options) -> Tab:
        context = browser.new_context(viewport=viewport, **options)
        contexts.append(context)
        return Tab(context.new_page(), app_url)

    try:
        yield make
    finally:
        for c in contexts:
            c.close()


def open_step(t: Tab) -> None:
    t.open(STEP)
    t.page.locator(".gv[data-t]").wait_for(timeout=60_000)


def diagram(page) -> dict:
    """The cell diagram's text alternative, parsed: step, label, unit and the five numbers."""
    label = page.locator(".gv-diagram").get_attribute("aria-label")
    m = DIAGRAM.match(label or "")
    assert m, f"the diagram's label does not say what it shows: {label!r}"
    t, word, unit, z, r, n, hp, h = m.groups()
    return {"t": int(t), "word": word, "unit": int(unit), "z": z, "r": r, "n": n, "hp": hp, "h": h}


def shown_row(page) -> dict:
    """The table's highlighted row: unit, h(t−1), r, z, n, h as printed."""
    cells = page.locator(".gv-table tbody tr.gv-on td, .gv-table tbody tr.gv-on th").all_inner_texts()
    return dict(zip(("unit", "hp", "r", "z", "n", "h"), cells, strict=True))


def expect_step(page, t: int, unit: int = 0) -> None:
    """The viewer shows step t and unit (its readout says so), and the diagram's label agrees with the
    table's row, number for number."""
    expect(page.locator(".gv-readout")).to_contain_text(re.compile(rf"^Step {t} of \d+: .* · unit {unit}$"),
                                                        timeout=WAIT)
    d, row = diagram(page), shown_row(page)
    assert (d["t"], d["unit"]) == (t, unit), d
    assert {k: d[k] for k in ("hp", "r", "z", "n", "h")} == {k: row[k] for k in ("hp", "r", "z", "n", "h")}, (d, row)


def test_step_viewer_by_keyboard_alone(tab):
    page = tab.page
    open_step(tab)
    expect_step(page, 1)
    first = diagram(page)
    f = tab_until(page, lambda f: "gv-next" in f["cls"])  # from the top of the page, Tab only
    assert f["visible"] and has_focus_ring(f), f
    page.keyboard.press("Enter")
    expect_step(page, 2)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect_step(page, 4)
    fourth = diagram(page)
    assert [fourth[k] for k in ("z", "r", "n", "h")] != [first[k] for k in ("z", "r", "n", "h")], (first, fourth)
    assert page.locator(".gv-readout").get_attribute("aria-live") == "polite"  # the step is announced

    page.keyboard.press("Shift+Tab")  # back to Play; space there plays, as on any button, and pauses
    assert "gv-play" in focused(page)["cls"]
    f = tab_until(page, lambda f: "gv-diagram" in f["cls"], limit=8)  # speed, unit, scrubber, then the diagram
    assert has_focus_ring(f), f
    page.keyboard.press("ArrowDown")  # the diagram: up and down change the unit
    expect_step(page, 4, 1)
    page.keyboard.press("ArrowLeft")
    expect_step(page, 3, 1)

    f = tab_until(page, lambda f: f["tag"] == "canvas", limit=3)  # the first heatmap
    assert has_focus_ring(f), f
    heatmap = page.locator(".gv-canvas canvas[data-q='z']")
    expect(heatmap).to_have_attribute("aria-label", re.compile(r"Step 3 \(“[^”]*”\), units 0–7: .*; unit 1 is "),
                                      timeout=WAIT)
    before = heatmap.get_attribute("aria-label")
    page.keyboard.press("ArrowRight")
    expect_step(page, 4, 1)
    expect(heatmap).not_to_have_attribute("aria-label", before, timeout=WAIT)
    assert re.search(r"Step 4 \(“[^”]*”\), units 0–7: ", heatmap.get_attribute("aria-label"))

    f = tab_until(page, lambda f: f["tag"] == "tr", limit=5)  # the other heatmaps, then the table's shown row
    assert has_focus_ring(f) and f["text"].startswith("1"), f
    page.keyboard.press("ArrowDown")
    expect_step(page, 4, 2)
    assert focused(page)["text"].startswith("2"), "the focus follows the shown row"
    tab_until(page, lambda f: not f["inViewer"], limit=3)  # and Tab leaves the viewer: no trap
    assert tab.errors == []


def test_lesson_question_answered_and_revealed_by_keyboard(tab):
    page = tab.page
    tab.open("lesson?stop=1")
    radios = page.locator(f"{MAIN} [data-testid='stRadio'] input[type=radio]")
    expect(radios.first).to_be_attached(timeout=WAIT)
    assert page.locator(f"{MAIN} [data-testid='stRadio'] input:checked").count() == 0
    # the question's options, not the sidebar's convention (the lesson page's sidebar comes first)
    tab_until(page, lambda f: f["tag"] == "input" and f["type"] == "radio" and f["inMain"])
    page.keyboard.press("ArrowDown")  # arrows move through a radio group and pick as they go
    expect(page.locator(f"{MAIN} [data-testid='stRadio'] input:checked")).to_have_count(1, timeout=WAIT)
    settle(page, timeout=120)
    f = tab_until(page, lambda f: f["tag"] == "button" and "Reveal the answer" in f["text"], limit=10)
    assert has_focus_ring(f), f
    page.keyboard.press("Enter")
    # the alert's text after its icon's name: "Right. …", "Not quite: …" or "You did not pick …"
    answer = page.locator(f"{MAIN} [data-testid='stMarkdownContainer']").filter(
        has_text=re.compile(r"^(Right\.|Not quite|You did not pick)"))
    expect(answer.first).to_be_visible(timeout=WAIT)
    assert re.match(r"(Right\.|Not quite)", answer.first.inner_text()), answer.first.inner_text()  # one was picked
    assert tab.errors == []


def test_phone_sidebar_opens_by_keyboard(context_tab):
    t = context_tab(PHONE)
    page = t.page
    t.open("")
    expand = page.get_by_test_id("stExpandSidebarButton")
    expect(expand).to_have_attribute("aria-expanded", "false", timeout=WAIT)
    f = tab_until(page, lambda f: f["testid"] == "stExpandSidebarButton")
    assert f["label"] == "Expand sidebar"
    page.keyboard.press("Enter")
    sidebar = page.locator(SIDEBAR)
    expect(sidebar).to_have_attribute("data-collapsed", "false", timeout=WAIT)
    expect(sidebar.get_by_role("button", name="Collapse sidebar")).to_be_visible(timeout=WAIT)
    page.wait_for_function(f"""() => {{ const r = document.querySelector("{SIDEBAR}").getBoundingClientRect();
      return r.left >= -1 && r.right > 100 && r.left < innerWidth; }}""", timeout=WAIT)  # slid in, on screen
    expect(sidebar.get_by_test_id("stSidebarNavLink").first).to_be_in_viewport(timeout=WAIT)
    assert t.errors == []


def test_viewer_pictures_have_text_alternatives_in_numbers(tab):
    page = tab.page
    open_step(tab)
    page.locator(".gv-next").click()
    expect_step(page, 2)
    pictures = page.locator(".gv [role=img]")
    maps = page.locator(".gv-map")
    n_maps = maps.count()
    assert n_maps == 4 and pictures.count() == 1 + n_maps  # the diagram and each heatmap (z, r, n, h)
    d = diagram(page)
    assert d["t"] == 2 and d["word"] in page.locator(".gv-readout").inner_text()
    for q, name in (("z", "update gate z"), ("r", "reset gate r"), ("n", "candidate n"), ("h", "hidden state h")):
        label = page.locator(f".gv-canvas canvas[data-q='{q}']").get_attribute("aria-label")
        assert label.startswith(f"Heatmap of {name}: 8 units down by 34 steps across, values from "), label
        assert re.search(r"Step 2 \(“[^”]*”\), units 0–7: (−?\d\.\d{3}, ){7}−?\d\.\d{3}; unit 0 is ", label), label
        assert page.get_by_role("img", name=re.compile(f"^Heatmap of {name}:")).count() == 1  # the accessible name
    z = page.locator(".gv-canvas canvas[data-q='z']").get_attribute("aria-label")
    assert f"unit 0 is {d['z']}." in z, (z, d)  # the same number as the diagram and the table
    labels = pictures.evaluate_all("(els) => els.map((e) => e.getAttribute('aria-label'))")
    assert all(NUMBER.search(label) for label in labels), labels
    assert tab.errors == []


def test_large_heatmap_labels_summarise_the_column(browser, tmp_path):
    """At H = 128 a label gives the step's lowest and highest unit, not 128 numbers (the offline file,
    which reuses the viewer's script: its labels are the same)."""
    context, page, tried, errors = open_offline(browser, tmp_path, (128, 500), hash_="#t=12&unit=5")
    try:
        label = page.locator(".gv-canvas canvas[data-q='h']").get_attribute("aria-label")
        assert label.startswith("Heatmap of hidden state h: 128 units down by 500 steps across"), label
        assert re.search(r"Step 12 \(“[^”]*”\), from −?\d\.\d{3} \(unit \d+\) to −?\d\.\d{3} \(unit \d+\); "
                         r"unit 5 is −?\d\.\d{3}\.", label), label
        assert len(NUMBER.findall(label)) == 5 and tried == [] and errors == []
    finally:
        context.close()


TRANSITION_JS = """() => getComputedStyle(document.querySelector("[data-testid='stBidiComponentIsolated']")
  .shadowRoot.querySelector(".gv-next")).transitionDuration"""


def test_reduced_motion_nothing_moves_by_itself(context_tab):
    normal = context_tab()
    open_step(normal)
    assert normal.page.evaluate(TRANSITION_JS) != "0s"  # the check below can fail: buttons fade on hover

    t = context_tab(reduced_motion="reduce")
    page = t.page
    open_step(t)
    assert page.evaluate("() => matchMedia('(prefers-reduced-motion: reduce)').matches")
    assert set(page.evaluate(TRANSITION_JS).split(", ")) == {"0s"}
    # Nothing advances on its own: count every redraw for a few seconds (a fixed wait by nature: the
    # check is that nothing happens). The viewer announces each drawn step with a "gv-drawn" event.
    moved = page.evaluate("""() => new Promise((done) => {
      const seen = []; document.addEventListener("gv-drawn", (e) => seen.push(e.detail.t), true);
      setTimeout(() => done(seen), 3000); })""")
    assert set(moved) <= {1} and page.locator(".gv").get_attribute("data-t") == "1", moved  # a redraw, no step
    assert page.locator(".gv-play").get_attribute("aria-pressed") == "false"
    # Play still plays when asked, and pauses
    page.locator(".gv-play").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("""() => Number(document.querySelector("[data-testid='stBidiComponentIsolated']")
      .shadowRoot.querySelector(".gv").dataset.t) >= 3""", timeout=WAIT)
    page.keyboard.press("Enter")
    expect(page.locator(".gv-play")).to_have_attribute("aria-pressed", "false", timeout=WAIT)
    assert t.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_screens(context_tab, scheme):
    """Screenshots with a focused control, for a person to look at; the ring's contrast is 3:1 or more."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    t = context_tab(color_scheme=scheme)
    page = t.page
    open_step(t)
    f = tab_until(page, lambda f: "gv-next" in f["cls"])
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    expect_step(page, 3)
    assert has_focus_ring(focused(page))
    ring = page.evaluate(RING_CONTRAST_JS)
    assert ring["ratio"] >= 3, ring
    page.locator(".gv-next").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"keyboard-step-next-{scheme}.png"))
    f = tab_until(page, lambda f: f["tag"] == "canvas", limit=8)
    assert has_focus_ring(f)
    assert page.evaluate(RING_CONTRAST_JS)["ratio"] >= 3
    page.locator(".gv-canvas canvas[data-q='z']").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"keyboard-step-heatmap-{scheme}.png"))
    f = tab_until(page, lambda f: f["tag"] == "tr", limit=5)
    assert has_focus_ring(f)
    page.locator(".gv-table tbody tr.gv-on").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"keyboard-step-table-{scheme}.png"))
    assert t.errors == []
