"""Browser mode: a student as one Chromium context driven with Playwright's async API."""

import asyncio
import contextlib
import random
import re
import time
from urllib.parse import urlencode

from _server import StreamlitServer  # noqa: E402

from .protocol import Plan
from .results import Results
from .students import Action, PageSpec, next_case, next_preset

# ---- browser client --------------------------------------------------------------------------------------------
FINGERPRINT_JS = """
window.__gruFingerprint = () => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  let h = 2166136261 >>> 0, n = 0;
  for (const g of plots) {
    const s = JSON.stringify([g.data || null, (g.layout || {}).meta || null]);
    n += s.length;
    for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; }
  }
  return plots.length + ':' + n + ':' + h;
};
// When did the app's run end (script state back to notRunning), relative to the last __gruMark()?
window.__gruMark = () => { window.__gruT0 = performance.now(); window.__gruRunEnd = null; window.__gruRan = false; };
new MutationObserver(changes => {
  for (const c of changes) {
    const state = c.target.getAttribute('data-test-script-state');
    if (state === 'running') window.__gruRan = true;
    else if (state === 'notRunning' && window.__gruRan && window.__gruT0 !== undefined)
      window.__gruRunEnd = performance.now() - window.__gruT0;
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
window.__gruSettled = (before, minCharts) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (app.getAttribute('data-test-connection-state') && app.getAttribute('data-test-connection-state') !== 'CONNECTED')
    return false;
  if (document.querySelector('[data-testid="stElementContainer"][data-stale="true"]')) return false;
  if (document.querySelectorAll('.js-plotly-plot').length < minCharts) return false;
  const fp = window.__gruFingerprint();
  return fp !== before ? fp : false;
};
"""


SHOWN_JS = """() => {
  const texts = (sel, n) => Array.from(document.querySelectorAll(sel)).map(e => e.innerText.slice(0, n));
  return {exc: texts('[data-testid="stException"]', 150), warn: texts('[data-testid="stAlertContentWarning"]', 2000),
          err: texts('[data-testid="stAlertContentError"]', 150)};
}"""


def slider_input(page, label: str):
    return page.locator(f'[data-testid="stSlider"] [role="group"][aria-label="{label}"] input[type="range"]')


async def settled(page, before: str | None, min_charts: int, timeout: float) -> str:
    handle = await page.wait_for_function("([b, m]) => window.__gruSettled(b, m)", arg=[before, min_charts],
                                          polling=50, timeout=timeout * 1000)
    return await handle.json_value()


async def browser_action(page, action: Action, student: int, k: int) -> float:
    """Perform one interaction; returns the monotonic time at which the committing input was sent."""
    if action.kind == "slider":
        thumb = slider_input(page, action.label)
        v, hi = await thumb.evaluate("e => [Number(e.value), Number(e.max)]")
        await thumb.focus()
        await page.evaluate("window.__gruMark()")
        t0 = time.monotonic()
        await thumb.press("ArrowRight" if v < hi else "ArrowLeft")
        return t0
    if action.kind == "next":
        thumb = slider_input(page, action.label)
        v, hi = await thumb.evaluate("e => [Number(e.value), Number(e.max)]")
        button = page.get_by_role("button", name="Previous" if v >= hi else "Next", exact=True)
        await page.evaluate("window.__gruMark()")
        t0 = time.monotonic()
        await button.click()
        return t0
    if action.kind == "radio":
        group = page.locator(f'[role="radiogroup"][aria-label="{action.label}"]')
        current = await group.locator('[data-testid="stRadioOption"][data-selected="true"]').first.inner_text()
        target = next_case(current.split("\n")[0].strip(), k)
        option = group.locator('[data-testid="stRadioOption"]').filter(
            has_text=re.compile(rf"^\s*{re.escape(target)}\b"))
        await page.evaluate("window.__gruMark()")
        t0 = time.monotonic()
        await option.first.click()
        return t0
    if action.kind == "select":
        box = page.locator(f'[data-testid="stSelectbox"] input[role="combobox"][aria-label="{action.label}"]')
        target = next_preset(await box.input_value(), student, k)
        await box.click()
        option = page.get_by_role("option", name=target, exact=True)
        await option.wait_for(state="visible", timeout=10_000)
        await page.evaluate("window.__gruMark()")
        t0 = time.monotonic()
        await option.click()
        return t0
    raise ValueError(action.kind)


async def browser_student(idx: int, browser, server: StreamlitServer, spec: PageSpec, interactions: int,
                          plan: Plan, start_delay: float, rng: random.Random, res: Results,
                          progress: list[int]) -> None:
    from playwright.async_api import Error as PlaywrightError
    await asyncio.sleep(start_delay)
    ctx = None
    arrived = False
    try:
        ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
        await ctx.add_init_script(FINGERPRINT_JS)
        page = await ctx.new_page()
        url = f"{server.url}/{spec.path}?{urlencode(spec.params)}"
        t0 = time.monotonic()
        try:
            await page.goto(url, wait_until="domcontentloaded", timeout=plan.load_timeout * 1000)
            fp = await settled(page, None, spec.charts, max(1.0, plan.load_timeout - (time.monotonic() - t0)))
        except PlaywrightError as e:
            res.errors.append(f"page load: {str(e).splitlines()[0][:100]}")
            return
        finally:
            plan.arrive()
            arrived = True
        res.load.append(time.monotonic() - t0)
        await plan.start(rng)
        for k in range(interactions):
            if k:
                await asyncio.sleep(plan.pause(rng))
            action = spec.actions[k % len(spec.actions)]
            try:
                t0 = await browser_action(page, action, idx, k)
                fp = await settled(page, fp, spec.charts, plan.timeout)
                res.add(action.name, time.monotonic() - t0)
                run_end = await page.evaluate("window.__gruRunEnd")
                if run_end is not None:
                    res.run_done.append(run_end / 1000)
                progress[0] += 1
            except PlaywrightError as e:
                res.errors.append(f"{action.name}: {str(e).splitlines()[0][:100]}")
                with contextlib.suppress(PlaywrightError):  # resynchronise on whatever the page shows now
                    fp = await page.evaluate("window.__gruFingerprint()")
        with contextlib.suppress(PlaywrightError):
            shown = await page.evaluate(SHOWN_JS)
            res.app_errors += [f"exception: {x}" for x in shown["exc"]] + [f"error alert: {x}" for x in shown["err"]]
            res.warnings |= set(shown["warn"])
    finally:
        if not arrived:
            plan.arrive()
        if ctx is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ctx.close(), 30)
