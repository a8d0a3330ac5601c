"""WCAG 2.2 AA on every page and every stop of the built-in lesson, light and dark, normal and classroom.

axe-core (vendored in tests/e2e/vendor/axe-core, loaded from the file: nothing is fetched) runs in the
page once it has settled, with the WCAG 2.0, 2.1 and 2.2 A and AA rules; any violation fails, named
with the elements and axe's own message (for contrast: the two colours and the ratio).
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gru_lab import lessons

from .conftest import PAGES
from .settle import settle

AXE = (Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
RUN_AXE = """async (tags) => {
  const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return r.violations.map((v) => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 4).map((n) =>
    n.target.join(" ").slice(-90) + ": " + ((n.any[0] || n.all[0] || {}).message || n.failureSummary))}));
}"""
STOPS = len(lessons.BUILT_IN.stops)
VIEWS = ([PAGES[p] for p in PAGES] + ["lesson"] + [f"lesson?stop={n}" for n in range(2, STOPS + 1)]
         + [f"lesson?stop={n}&classroom=1" for n in range(1, STOPS + 1)])


@pytest.fixture(scope="module", params=["light", "dark"])
def scheme_page(request, browser, app_url) -> Iterator[tuple[str, object]]:
    """One tab per colour scheme for the whole module: Streamlit follows the browser's scheme."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=request.param)
    try:
        yield request.param, context.new_page()
    finally:
        context.close()


def violations(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE)
    return page.evaluate(RUN_AXE, TAGS)


@pytest.mark.parametrize("view", VIEWS, ids=[v or "home" for v in VIEWS])
def test_no_wcag_aa_violation(scheme_page, app_url, view):
    scheme, page = scheme_page
    page.goto(f"{app_url}/{view}")
    settle(page, timeout=120)
    found = violations(page)
    assert found == [], f"{scheme} /{view}: " + "; ".join(
        f"{v['id']} ({v['help']}): " + " | ".join(v["nodes"]) for v in found)


def test_the_check_finds_a_contrast_failure(scheme_page, app_url):
    """The test above could fail: grey text on white is reported with its ratio."""
    _, page = scheme_page
    page.goto(f"{app_url}/")
    settle(page, timeout=120)
    page.evaluate("""() => { const p = document.createElement("p"); p.textContent = "faint";
      p.style.cssText = "color:#aaaaaa;background:#ffffff;font-size:14px";
      document.querySelector("[data-testid='stMain']").prepend(p); }""")
    found = violations(page)
    assert [v["id"] for v in found] == ["color-contrast"], found
    assert any("2.32" in n for n in found[0]["nodes"]), found  # #aaa on white is 2.32:1
