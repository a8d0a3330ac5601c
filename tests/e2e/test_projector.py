"""One screen a stop, in back-row type (issue "Predict, discuss, then see"): in classroom mode every stop of
the built-in lesson, alone and in a live class (the room's projector tab, a student joined), before and after
its reveal, fits a 1920×1080 and a 1280×800 screen without scrolling, and no visible text in it is under
20 px at 1920×1080 (18 px at 1280×800).

What counts as text: every rendered text node in the main area, through shadow roots (the step viewer), in
HTML and SVG (Plotly's ticks and legends, the viewer's diagram, measured on screen through the element's own
transform). A subscript or superscript is measured by its line (it is smaller by nature); KaTeX's hidden
MathML copy, the body of a closed "How to read this chart" and an icon's ligature name ("arrow_back", drawn as
one glyph) are not text on screen.
"""
from __future__ import annotations

from gru_lab import lessons

from .settle import settle
from .test_live_class import join, present, start_class

K = len(lessons.BUILT_IN.stops)
SCREENS = ((1920, 1080, 20.0), (1280, 800, 18.0))  # width, height, the smallest text allowed

MEASURE_JS = r"""
() => {
  const out = [];
  const main = document.querySelector('[data-testid="stMain"]');
  const walk = (root) => {
    const it = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    let n;
    while ((n = it.nextNode())) {
      if (n.nodeType === 1) { if (n.shadowRoot) walk(n.shadowRoot); continue; }
      const text = n.textContent.trim();
      const el = n.parentElement;
      if (!text || !el) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility !== "visible" || parseFloat(cs.opacity) === 0) continue;
      const r = el.getBoundingClientRect();
      if (r.width < 1 || r.height < 1) continue;
      if (el.closest("details:not([open]) > :not(summary)") || el.closest(".katex-mathml")) continue;
      if (/Material Symbols/i.test(cs.fontFamily)) continue;  // an icon's ligature name, drawn as one glyph
      const tag = el.tagName.toUpperCase();
      if (tag === "SUB" || tag === "SUP" || el.closest(".katex .msupsub")) continue;
      if (tag === "TSPAN" && el.parentElement
          && parseFloat(getComputedStyle(el.parentElement).fontSize) > parseFloat(cs.fontSize)) continue;
      let size = parseFloat(cs.fontSize);
      if (el instanceof SVGElement && el.getScreenCTM) {
        const m = el.getScreenCTM();
        if (m) size *= Math.hypot(m.a, m.b);
      }
      out.push({ text: text.slice(0, 50), size: Math.round(size * 10) / 10 });
    }
  };
  walk(main);
  return { texts: out, scroll: main.scrollHeight, height: main.clientHeight };
}
"""


def problems(page, where: str) -> list[str]:
    """At each screen size: the stop scrolls, or a text is under the floor."""
    found = []
    for width, height, floor in SCREENS:
        page.set_viewport_size({"width": width, "height": height})
        settle(page, quiet=0.8)
        m = page.evaluate(MEASURE_JS)
        if m["scroll"] > m["height"] + 2:
            found.append(f"{where} at {width}×{height}: scrolls by {m['scroll'] - m['height']} px")
        small = sorted({(t["size"], t["text"]) for t in m["texts"] if t["size"] < floor - 0.05})
        if small:
            found.append(f"{where} at {width}×{height}: {len(small)} texts under {floor:g} px, e.g. {small[:3]}")
    page.set_viewport_size({"width": SCREENS[0][0], "height": SCREENS[0][1]})
    return found


def test_alone_every_stop_fits_one_screen_in_back_row_type(browser, app_url):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    found = []
    try:
        for n in range(1, K + 1):
            page.goto(f"{app_url}/lesson?stop={n}&classroom=1")
            page.get_by_text(f"Stop {n} of {K}").wait_for(timeout=60_000)
            settle(page)
            found += problems(page, f"stop {n} before the reveal")
            page.get_by_role("button", name="Show me without predicting").click()
            page.get_by_text("The answer:").first.wait_for(timeout=60_000)
            found += problems(page, f"stop {n} revealed")
    finally:
        context.close()
    assert not found, "\n".join(found)


def test_the_rooms_projector_fits_every_stop_in_a_class(browser, app_url):
    context, room, code, link = start_class(browser, app_url, stop=1)
    phone_context, _ = join(browser, link)
    desk = present(context, app_url, code)
    found = []
    try:
        room.get_by_role("button", name="Show how to join").wait_for(timeout=30_000)  # the join panel shrank
        for n in range(1, K + 1):
            room.get_by_text(f"Stop {n} of {K}").wait_for(timeout=30_000)
            settle(room)
            found += problems(room, f"the room at stop {n}, voting")
            desk.get_by_role("button", name="Reveal the answer").click()
            room.get_by_text("The answer:").first.wait_for(timeout=30_000)
            found += problems(room, f"the room at stop {n}, revealed")
            if n < K:
                desk.get_by_role("button", name="Next").click()
    finally:
        phone_context.close()
        context.close()
    assert not found, "\n".join(found)
