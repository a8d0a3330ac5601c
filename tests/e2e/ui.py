"""Small helpers to drive Streamlit widgets the way a person does (keyboard, clicks) and read them back."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

from .settle import fingerprint, settle

MAIN = "[data-testid='stMain']"
SIDEBAR = "[data-testid='stSidebar']"

DRAWN_JS = """
(scope) => Array.from(document.querySelectorAll(scope + " .js-plotly-plot")).map((el) => {
  const box = el.getBoundingClientRect();
  return {
    traces: (el._fullData || []).length,
    svg: el.querySelectorAll(".main-svg").length,
    left: box.left, right: box.right, width: box.width, height: box.height,
  };
})
"""


def widget(page: Page, key: str) -> Locator:
    """The element container of the widget with this key (Streamlit adds class st-key-<key>)."""
    return page.locator(f".st-key-{key}")


def slider_input(page: Page, key: str) -> Locator:
    return widget(page, key).locator("input[type=range]")


def slider_text(page: Page, key: str) -> str:
    """The value a slider shows (its aria-valuetext: the option label for a select_slider)."""
    return slider_input(page, key).get_attribute("aria-valuetext")


def press_slider(page: Page, key: str, key_name: str = "ArrowRight", times: int = 1) -> dict:
    """Focus a slider's thumb, press a key `times` times, and wait for the app to settle."""
    thumb = slider_input(page, key)
    thumb.focus()
    for _ in range(times):
        page.keyboard.press(key_name)
    return settle(page)


def choose_radio(page: Page, key: str, label: str) -> dict:
    widget(page, key).get_by_text(label, exact=True).click()
    return settle(page)


def choose_select(page: Page, key: str, option: str) -> dict:
    widget(page, key).click()
    page.get_by_role("option", name=option, exact=True).click()
    return settle(page)


def select_text(page: Page, key: str) -> str:
    return widget(page, key).get_by_role("combobox").input_value()


def drawn(page: Page, scope: str = MAIN) -> list[dict]:
    """Per Plotly chart: how many traces Plotly drew, whether its SVG exists, and where it sits."""
    return page.evaluate(DRAWN_JS, scope)


def alerts(page: Page, kind: str = "Error") -> list[str]:
    return page.locator(f"{MAIN} [data-testid='stAlertContent{kind}']").all_inner_texts()


def exceptions(page: Page) -> list[str]:
    return page.locator("[data-testid='stException']").all_inner_texts()


def page_not_found(page: Page) -> bool:
    return page.get_by_text("Page not found").count() > 0


def chart_fingerprints(page: Page) -> tuple:
    return tuple(fingerprint(page)["charts"])


# Text labels Plotly draws (titles, subplot titles, annotations, axis titles, legend entries), whose boxes
# must neither overlap nor run past the chart's edge (where they are cut off). Tick labels are left out:
# rotated ticks have overlapping boxes even when readable.
OVERLAP_JS = """
() => {
  const out = [];
  document.querySelectorAll("[data-testid='stMain'] .js-plotly-plot").forEach((plot) => {
    const key = Array.from(plot.closest("[class*='st-key-']")?.classList || []).find((c) => c.startsWith("st-key-"));
    const els = Array.from(plot.querySelectorAll(
      ".annotation-text, .gtitle, .infolayer > g[class$='title'] text, .legendtext"
    )).filter((e) => e.textContent.trim() !== "");
    const boxes = els.map((e) => [e.textContent.trim(), e.getBoundingClientRect()]);
    const frame = plot.getBoundingClientRect();
    for (const [t, B] of boxes) {
      if (B.width > 0 && (B.left < frame.left - 1 || B.right > frame.right + 1)) {
        out.push(`${(key || "chart").slice(7)}: '${t}' runs past the chart's edge`);
      }
    }
    for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
      const [ta, A] = boxes[a], [tb, B] = boxes[b];
      const w = Math.min(A.right, B.right) - Math.max(A.left, B.left);
      const h = Math.min(A.bottom, B.bottom) - Math.max(A.top, B.top);
      if (w > 2 && h > 4) out.push(`${(key || "chart").slice(7)}: '${ta}' overlaps '${tb}'`);
    }
  });
  return out;
}
"""

# Text cut off by an `overflow: hidden` box in the main area (outside charts and tables).
CLIPPED_JS = """
() => Array.from(document.querySelectorAll("[data-testid='stMain'] *")).filter((el) => {
  if (el.closest(".js-plotly-plot, [data-testid='stDataFrame'], .katex-mathml")) return false;
  const s = getComputedStyle(el);
  return el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 2 && ["hidden", "clip"].includes(s.overflowX)
         && el.innerText.trim() !== "";
}).map((el) => el.innerText.trim().slice(0, 60))
"""


def overlapping_labels(page: Page) -> list[str]:
    return page.evaluate(OVERLAP_JS)


def clipped_text(page: Page) -> list[str]:
    return page.evaluate(CLIPPED_JS)
