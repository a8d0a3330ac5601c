"""Predict, discuss, then see (issue "Predict, discuss, then see"), in real Chromium, at every question stop of
the built-in lesson in classroom mode.

Before the reveal nothing on a question stop gives its answer away: no visible text (shadow roots and
same-origin iframes included, the charts' captions and Plotly's SVG text, aria-labels, SVG titles), no
parameter table, and the step viewer does not reach the asked step. After the reveal the answer's decisive
numbers are on the screen. Checked where a learner alone presses "Show me without predicting", and in one
live class walked through every stop by the presenter's Next and Reveal: the room's projector, a phone that
joined, and the presenter's private view (which shows the answer before the reveal, on purpose).

The decisive strings are computed here from the live model (`gru_lab.lessons.answer`, the numbers behind
the verdict), not copied from the page: see `expectations()`.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field

import pytest

from gru_lab import lessons
from gru_lab.lessons.answers import _vanishing as vanishing_of  # the answer's own vanishing computation
from gru_lab.lessons.answers import step_record, view
from gru_lab.settings import Settings
from gru_lab.text import below_text, vs_one

from .conftest import DESKTOP, PHONE
from .server import AppServer
from .settle import settle
from .ui import exceptions

LESSON = lessons.BUILT_IN
K = len(LESSON.stops)
PROJECTOR = {"width": 1920, "height": 1080}
REVEAL_WAIT_MS = 30_000  # the room and the phones follow within ~1.5 s; a loaded 2-core CI machine gets room
DRAW_WAIT_MS = 30_000

# All text a person can see on the page: text nodes with a rendered box (non-zero client rect) whose element
# is visibility: visible, under no display: none; through open shadow roots and same-origin iframes; plus
# the aria-label / aria-valuetext / alt / title attributes of rendered elements, the <title> and <desc> of
# rendered SVG elements, and the value of visible text inputs. Block boxes become line breaks (like
# innerText), inline ones join, so "The answer: <strong>z = 1</strong>." reads "The answer: z = 1.".
VISIBLE_TEXT_JS = r"""
() => {
  const SVG = "http://www.w3.org/2000/svg";
  const ATTRS = ["aria-label", "aria-valuetext", "alt", "title"];
  const SKIP = new Set(["script", "style", "noscript", "template"]);
  const out = [];
  const sized = (el) => Array.from(el.getClientRects()).some((r) => r.width > 0 && r.height > 0);
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = node.parentElement;
      if (!parent) return;
      if (!node.data.trim()) { out.push(" "); return; }
      const view = node.ownerDocument.defaultView;
      const ps = view.getComputedStyle(parent);
      if (ps.visibility !== "visible" || (ps.display !== "contents" && !sized(parent))) return;
      const range = node.ownerDocument.createRange();
      range.selectNodeContents(node);
      if (Array.from(range.getClientRects()).some((r) => r.width > 0 && r.height > 0)) out.push(node.data);
      return;
    }
    let block = false;
    if (node.nodeType === Node.ELEMENT_NODE) {
      const el = node, local = el.localName;
      if (SKIP.has(local)) return;
      if (el.namespaceURI === SVG && (local === "title" || local === "desc")) {
        const owner = el.parentElement;  // drawn as a tooltip or read out for the element it names
        if (owner && sized(owner)) out.push("\n" + el.textContent + "\n");
        return;
      }
      const cs = el.ownerDocument.defaultView.getComputedStyle(el);
      if (cs.display === "none") return;
      const rendered = cs.visibility === "visible" && sized(el);
      if (rendered) {
        for (const a of ATTRS) {
          const v = el.getAttribute(a);
          if (v && v.trim()) out.push("\n" + v + "\n");
        }
        const typed = local === "input" && !["hidden", "checkbox", "radio", "range"].includes(el.type);
        if (typed || local === "textarea") {
          if (el.value) out.push("\n" + el.value + "\n");
        }
      }
      block = !cs.display.startsWith("inline") && cs.display !== "contents";
      if (block) out.push("\n");
      if (el.shadowRoot) walk(el.shadowRoot);
      if (local === "iframe") {
        let doc = null;
        try { doc = el.contentDocument; } catch (e) { doc = null; }  // another origin: not readable
        if (doc && doc.body && rendered) walk(doc.body);
      }
    }
    for (const child of node.childNodes) walk(child);
    if (block) out.push("\n");
  };
  walk(document.body);
  return out.join("").split("\n").map((l) => l.replace(/[\s\u00a0]+/g, " ").trim()).filter(Boolean).join("\n");
}
"""
# How many open shadow roots and same-origin iframes the walk went through (reported, so a run shows the
# walk did reach the step viewer's shadow root).
ROOTS_JS = r"""
() => {
  let shadows = 0, frames = 0;
  const walk = (root) => {
    for (const el of root.querySelectorAll("*")) {
      if (el.shadowRoot) { shadows++; walk(el.shadowRoot); }
      if (el.localName === "iframe") {
        try { if (el.contentDocument) { frames++; walk(el.contentDocument); } } catch (e) {}
      }
    }
  };
  walk(document);
  return [shadows, frames];
}
"""
WAIT_ALL_JS = f"(wanted) => {{ const text = ({VISIBLE_TEXT_JS})(); return wanted.every((s) => text.includes(s)); }}"


def norm(s: str) -> str:
    return re.sub(r"[\s\u00a0]+", " ", s).strip()


def visible_text(page) -> str:
    return page.evaluate(VISIBLE_TEXT_JS)


# ---- what each stop must hold back, computed from the live model -----------------------------------------
@dataclass
class Expect:
    n: int
    title: str
    kind: str
    verdict: str  # "The answer: <the right option>"
    said: list[str]  # the answer's decisive numbers, as the verdict prints them (room, phone, presenter)
    drawn: list[str] = field(default_factory=list)  # what only the stop's view shows once revealed
    hidden: list[str] = field(default_factory=list)  # also absent before the reveal (bare numbers)
    held: list[str] = field(default_factory=list)  # shown before the reveal, gone after (the viewer's cut)
    table: bool = False  # a parameter table (st.dataframe) comes with the answer
    h_line: str = ""  # the viewer's equation line (data-q) whose value is the answer, and that value
    h_value: str = ""

    def before_absent(self) -> list[str]:
        return [*self.said, *self.drawn, *self.hidden]

    def after_present(self) -> list[str]:
        return [self.verdict, *self.said, *self.drawn]


def _found(pattern: str, why: str, n: int, every: bool = False) -> list[str]:
    got = re.findall(pattern, why) if every else [m.group(0) for m in [re.search(pattern, why)] if m]
    assert got, f"stop {n}: the answer's explanation no longer says {pattern!r}: {why!r}"
    return got


def expectations() -> list[Expect]:
    s = Settings()
    out = []
    for n, stop in enumerate(LESSON.stops, start=1):
        assert stop.question is not None, f"stop {n} has no question"
        right, why = lessons.answer(stop, s)
        kind = stop.question.answer.removeprefix("computed:")
        e = Expect(n, stop.title, kind, norm(f"The answer: {stop.question.options[right]}"), [])
        if kind == "copy_z":
            e.said = _found(r"z = \d gives h_t = h_\(t−1\)", why, n)
        elif kind in ("h_changes", "z_keeps"):
            v = view(stop, s)
            _, rec = step_record(v)
            t, T = int(v.values["t"]), rec.h.shape[0]
            if kind == "h_changes":
                new = re.search(r"h goes from (\S+) to (\S+), (a change of [\d.]+)", why)
                assert new, why
                # the new h (not h_(t−1), which the question needs) and the change
                e.said = [new.group(2), new.group(3)]
                e.h_line, e.h_value = "h", new.group(2)
            else:
                e.said = _found(r"z = \d\.\d{3}", why, n) + _found(r"keeps \d+% of h_\(t−1\)", why, n) \
                    + _found(r"takes \d+% of the candidate n", why, n)
                e.h_line, e.h_value = "z", e.said[0].removeprefix("z = ")
            e.held = [f"Step {t - 1} of {t - 1}:",
                      f"The diagram stops at step {t - 1}; step {t} is shown with the answer."]
            e.drawn = [f"Step {t} of {T}:"]
        elif kind == "case_jacobian":
            e.said = _found(r"max \|[^|]+\| = \d\.\de[+-]\d\d", why, n, every=True)
            e.held = ["are drawn with the answer"]
        elif kind == "frozen_equal":
            e.said = _found(r"largest entry of \|J − J_frozen\| is \d\.\d\de[+-]\d\d", why, n)
            e.held = ["are drawn with the answer"]
        elif kind in ("first_below", "lambda_below"):
            van = vanishing_of(view(stop, s))
            lam = vs_one(van.rnn_lambda1)  # as stop_view._vanishing prints it
            if kind == "first_below":
                e.said = _found(r"at distance \d+", why, n, every=True)
            else:
                e.said = _found(r"is \d+\.\d{3},", why, n)
                e.said = [e.said[0].rstrip(",")]
            e.drawn = [f"median: {lam}", f"GRU below 1e-6 at {below_text(van.gru_below, van.T)}",
                       f"RNN at {below_text(van.rnn_below, van.T)}"]
            e.hidden = [lam, "below 1e-6 at"]
            e.held = ["and λ₁ are drawn with the answer"]
        elif kind in ("train_params", "lstm_params"):
            other = "RNN" if kind == "train_params" else "LSTM"
            e.said = _found(r"the GRU has [\d,]+ parameters", why, n) + _found(rf"the {other} [\d,]+", why, n)
            e.held = ["The parameter table is shown with the answer."]
            e.table = True
        else:
            raise AssertionError(f"stop {n}: no decisive strings chosen for the answer {kind!r}")
        e.said = [norm(x) for x in e.said]
        out.append(e)
    return out


EXPECT = expectations()


def test_every_stop_has_decisive_strings():
    """Runs without a browser: each stop's strings are found in its answer, and none is in the stop's own
    note, question or options (those are on the screen before the reveal, rightly)."""
    assert len(EXPECT) == K == 14
    for e, stop in zip(EXPECT, LESSON.stops, strict=True):
        assert e.said, e.n
        shown = norm(" ".join([stop.title, stop.note, stop.question.prompt, *stop.question.options]))
        for x in e.before_absent():
            assert x not in shown, f"stop {e.n}: {x!r} is in the stop's own text, so it cannot tell a leak"


# ---- the app ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def classroom(browser_available, tmp_path_factory):
    """The app's server URL, with a class store of its own."""
    folder = tmp_path_factory.mktemp("predict_first")
    before = os.environ.get("GRU_LAB_CLASS_STORE")
    os.environ["GRU_LAB_CLASS_STORE"] = str(folder / "classes.sqlite3")
    try:
        with AppServer(folder / "server.log") as server:
            yield server.url
    finally:
        if before is None:
            os.environ.pop("GRU_LAB_CLASS_STORE", None)
        else:
            os.environ["GRU_LAB_CLASS_STORE"] = before


def wait_text(page, wanted: list[str], timeout_ms: float = DRAW_WAIT_MS) -> bool:
    """Wait until the page's visible text holds every string in `wanted`; False when it does not in time."""
    try:
        page.wait_for_function(WAIT_ALL_JS, arg=wanted, timeout=timeout_ms, polling=200)
        return True
    except Exception as err:  # playwright's TimeoutError: what is missing is said by the check that follows
        if "Timeout" not in type(err).__name__ and "Timeout" not in str(err):
            raise
        return False


def viewer_line(page, q: str) -> str:
    """The step viewer's equation line with numbers for quantity q ('h', 'z'), read through its shadow root."""
    line = page.locator(f".gv-eq[data-q='{q}'] .gv-num-line")
    return norm(line.first.inner_text()) if line.count() else ""


# A stop's parameter table: the data grid (a canvas), or in classroom mode an HTML table (st.table)
# (in the main area: the stop's container no longer has a key of its own; the main area holds no other table)
TABLES = "[data-testid='stMain'] [data-testid='stDataFrame'], [data-testid='stMain'] [data-testid='stTable']"


def tables(page, n: int) -> int:
    return page.locator(TABLES.format(n=n)).count()


def check_before(page, e: Expect, who: str, markers: list[str]) -> list[str]:
    """The stop, drawn and settled, before the reveal: none of its answer. Returns the problems found."""
    settle(page)
    wait_text(page, markers + e.held)  # the stop (and the viewer in its shadow root) drawn, then look
    text = visible_text(page)
    missing = [x for x in markers + e.held if x not in text]
    if missing:  # not on this stop (or not drawn): what it shows is no evidence of a leak either way
        where = re.findall(rf"Stop \d+ of {K}", text)
        return [f"stop {e.n} {who}: before the reveal, {missing} not shown (the page is at {where[:1]})"]
    problems = [f"stop {e.n} {who}: LEAK before the reveal: {x!r} is on the screen"
                 for x in ["The answer:", *e.before_absent()] if x in text]
    if tables(page, e.n):
        problems.append(f"stop {e.n} {who}: LEAK before the reveal: a parameter table (stDataFrame/stTable) is drawn")
    if e.h_line:
        line = viewer_line(page, e.h_line)
        if line.endswith(f"= {e.h_value}"):
            problems.append(f"stop {e.n} {who}: LEAK before the reveal: the viewer's {e.h_line} line reads {line!r}")
    return problems


def check_after(page, e: Expect, who: str, wait_ms: float = DRAW_WAIT_MS) -> list[str]:
    """The stop after the reveal: the verdict and every decisive string on the screen."""
    wanted = e.after_present()
    wait_text(page, wanted, wait_ms)
    settle(page)
    text = visible_text(page)
    problems = [f"stop {e.n} {who}: after the reveal, {x!r} is not on the screen" for x in wanted if x not in text]
    problems += [f"stop {e.n} {who}: after the reveal the viewer still stops short: {x!r}" for x in e.held
                 if x.startswith("Step ") and x in text]
    if e.table:  # the grid's code loads lazily: wait for it to be drawn
        try:
            page.locator(TABLES.format(n=e.n)).first.wait_for(timeout=wait_ms)
        except Exception as err:
            if "Timeout" not in type(err).__name__ and "Timeout" not in str(err):
                raise
    if e.table and not tables(page, e.n):
        problems.append(f"stop {e.n} {who}: after the reveal, no parameter table is drawn")
    if e.h_line:
        line = viewer_line(page, e.h_line)
        if not line.endswith(f"= {e.h_value}"):
            problems.append(f"stop {e.n} {who}: after the reveal the viewer's {e.h_line} line reads {line!r}, "
                            f"not ending in {e.h_value!r}")
    return problems


def markers(e: Expect) -> list[str]:
    return [f"Stop {e.n} of {K}", norm(e.title)]


def click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").first.click()


def report(e: Expect) -> None:
    print(f"  stop {e.n:2d} {e.kind:13s} verdict={e.verdict!r}\n"
          f"           said={e.said} drawn={e.drawn} hidden={e.hidden} held={e.held}"
          + (" table" if e.table else "") + (f" viewer {e.h_line}-line = {e.h_value}" if e.h_line else ""))


# ---- 1. a learner alone -----------------------------------------------------------------------------
def test_alone_every_answer_waits_for_show_me(browser, classroom):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    problems: list[str] = []
    t0 = time.monotonic()
    try:
        page.goto(f"{classroom}/lesson?stop=1&classroom=1")
        settle(page)
        print(f"\nsolo: shadow roots, iframes walked: {page.evaluate(ROOTS_JS)}")
        for e in EXPECT:
            ts = time.monotonic()
            report(e)
            problems += check_before(page, e, "solo", markers(e))
            click(page, "lesson_show_me")
            settle(page)
            problems += check_after(page, e, "solo")
            if e.n < K:
                click(page, "lesson_next")
                settle(page)
            print(f"           solo {time.monotonic() - ts:.1f} s")
        assert exceptions(page) == [] and errors == [], (exceptions(page), errors)
    finally:
        context.close()
    print(f"solo: {time.monotonic() - t0:.1f} s for {K} stops")
    assert problems == [], "\n".join(problems)


# ---- 2 and 3. a live class: the room, the presenter, a phone --------------------------------------------
def test_a_class_sees_every_answer_only_after_the_reveal(browser, classroom):
    t0 = time.monotonic()
    teacher = browser.new_context(viewport=PROJECTOR)
    phone_ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    problems: list[str] = []
    errors: list[str] = []
    try:
        room = teacher.new_page()
        room.on("pageerror", lambda exc: errors.append(f"room: {exc}"))
        room.goto(f"{classroom}/lesson?stop=1&classroom=1")
        settle(room)
        click(room, "live_start")
        room.get_by_text("Class code").first.wait_for(timeout=30_000)
        room.wait_for_function("() => document.cookie.includes('gru_lab_teach_')", timeout=30_000)
        settle(room)
        code = re.search(r"class=([A-Z0-9]{8})", room.url).group(1)
        link = re.search(rf"https?://\S+class={code}\S*", visible_text(room))
        assert link, "the room shows no join link"
        assert "Stop 1 of" in visible_text(room), "the class did not start at the stop it was started from"

        presenter = teacher.new_page()
        presenter.on("pageerror", lambda exc: errors.append(f"presenter: {exc}"))
        presenter.goto(f"{classroom}/lesson?class={code}&classroom=1&view=presenter")
        presenter.get_by_text("Presenter view").first.wait_for(timeout=30_000)
        settle(presenter)

        phone = phone_ctx.new_page()
        phone.on("pageerror", lambda exc: errors.append(f"phone: {exc}"))
        phone.goto(link.group(0))
        phone.get_by_role("button", name="Join the class").wait_for(timeout=30_000)
        phone.get_by_role("button", name="Join the class").click()
        phone.get_by_text("you follow the teacher").wait_for(timeout=30_000)
        phone.wait_for_function("() => document.cookie.includes('gru_lab_me_')", timeout=30_000)
        settle(phone)
        print(f"\nclass {code} started and joined in {time.monotonic() - t0:.1f} s; shadow roots, iframes: "
              f"room {room.evaluate(ROOTS_JS)}, phone {phone.evaluate(ROOTS_JS)}")

        for e in EXPECT:
            ts = time.monotonic()
            report(e)
            problems += check_before(room, e, "room", markers(e))
            problems += check_before(phone, e, "phone", markers(e))
            # the presenter's private view: the answer before the reveal, that is its purpose
            wait_text(presenter, [f"Stop {e.n} of {K}", e.verdict, *e.said])
            shown = visible_text(presenter)
            problems += [f"stop {e.n} presenter: before the reveal, {x!r} is not shown" for x in [e.verdict, *e.said]
                         if x not in shown]
            click(presenter, "live_reveal")
            tr = time.monotonic()
            problems += check_after(room, e, "room", REVEAL_WAIT_MS)
            room_s = time.monotonic() - tr
            problems += check_after(phone, e, "phone", REVEAL_WAIT_MS)
            phone_s = time.monotonic() - tr
            if e.n < K:
                click(presenter, "present_next")
                for who, page in (("room", room), ("phone", phone)):
                    if not wait_text(page, [f"Stop {e.n + 1} of {K}"], REVEAL_WAIT_MS):
                        where = re.findall(rf"Stop \d+ of {K}", visible_text(page))
                        problems.append(f"{who} did not follow the presenter from stop {e.n} to stop {e.n + 1} "
                                        f"within {REVEAL_WAIT_MS / 1000:.0f} s (it shows {where[:1]}); reloaded")
                        page.reload()  # a reload keeps the seat: the remaining stops are still checked
                        wait_text(page, [f"Stop {e.n + 1} of {K}"], REVEAL_WAIT_MS)
            print(f"           class {time.monotonic() - ts:.1f} s (the reveal checked on the room after "
                  f"{room_s:.1f} s, on the phone after {phone_s:.1f} s)")
        for who, page in (("room", room), ("presenter", presenter), ("phone", phone)):
            assert exceptions(page) == [], (who, exceptions(page))
        assert errors == [], errors
    finally:
        phone_ctx.close()
        teacher.close()
    print(f"class: {time.monotonic() - t0:.1f} s for {K} stops")
    assert problems == [], "\n".join(problems)
