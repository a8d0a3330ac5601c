"""Making and checking a lesson's parts: a question, a stop (its page and parameters, through
`controls.parse`), a lesson, and a stop's parameters from a page's link. Pure.

Every problem is a ValueError that names the field and what is allowed; gru_lab.lessons.files reads
files and links through these same checks.
"""
from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from ..controls import CONTROLS, LinkProblem, keys_for_page, parse
from .answers import ANSWERS
from .values import (
    HOLDS,
    MAX_LINK,
    MAX_NOTE,
    MAX_OPTION,
    MAX_OPTIONS,
    MAX_PROMPT,
    MAX_STOPS,
    MAX_TITLE,
    MIN_OPTIONS,
    NO_LESSON_WEIGHTS,
    PAGES,
    Lesson,
    Question,
    Stop,
    bad_char,
)


# ---- making and checking stops -------------------------------------------------------------------
def _text(where: str, value, limit: int, *, empty_ok: bool = False, lines: bool = False) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be text; it is {_kind(value)}")
    value = value.strip()
    if not value and not empty_ok:
        raise ValueError(f"{where} is empty; write at least one word")
    if len(value) > limit:
        raise ValueError(f"{where} is {len(value):,} characters long; at most {limit:,} are allowed")
    bad = bad_char(value, lines)
    if bad is not None:
        allowed = "plain text and line breaks" if lines else "one line of plain text"
        what = "a line break" if bad == "\n" else f"the invisible or control character U+{ord(bad):04X}"
        raise ValueError(f"{where} contains {what}; only {allowed} is allowed")
    return value


def _kind(value) -> str:
    return {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def check_params(page: str, params, where: str = "params") -> tuple[tuple[str, str], ...]:
    """The parameters as (name, link text) pairs, each checked as the page's link checker would."""
    if isinstance(params, dict):
        pairs = []
        for k, v in params.items():
            if isinstance(v, list):
                if not v:
                    raise ValueError(f"{where}.{k} is an empty list; give at least one value")
                pairs += [(k, x) for x in v]
            else:
                pairs.append((k, v))
    elif isinstance(params, (list, tuple)):
        pairs = list(params)
    else:
        raise ValueError(f"{where} must be an object of parameter names and values; it is {_kind(params)}")
    allowed = keys_for_page(page)
    grouped: dict[str, list[str]] = {}
    for item in pairs:
        if not (isinstance(item, (list, tuple)) and len(item) == 2):
            raise ValueError(f"{where} must hold name/value pairs")
        k, val = item
        if not isinstance(k, str) or not isinstance(val, str):
            raise ValueError(f"{where}.{_short(k)} must be text (as in a link); it is {_kind(val)}")
        if k not in allowed:
            names = ", ".join(allowed) or "none"
            raise ValueError(f"{where}: '{_short(k)}' is not a setting of the page '{page or 'home'}'; "
                             f"its settings are: {names}")
        grouped.setdefault(k, []).append(val)
    for k, raws in grouped.items():
        try:
            parse(CONTROLS[k], raws)
        except LinkProblem as why:
            raise ValueError(f"{where}.{k} = '{_short(', '.join(raws))}' {why}") from None
        if k == "weights" and raws[0] in NO_LESSON_WEIGHTS:
            raise ValueError(f"{where}.weights = '{raws[0]}' cannot travel in a lesson; use 'trained' or 'random'")
    return tuple((k, v) for k in grouped for v in grouped[k])


def _short(value, n: int = 40) -> str:
    text = str(value)
    return text[:n] + ("…" if len(text) > n else "")


def make_question(prompt, options, answer_, where: str = "question") -> Question:
    prompt = _text(f"{where}.prompt", prompt, MAX_PROMPT)
    if not isinstance(options, (list, tuple)):
        raise ValueError(f"{where}.options must be a list of {MIN_OPTIONS} to {MAX_OPTIONS} texts; "
                         f"it is {_kind(options)}")
    if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
        raise ValueError(f"{where}.options has {len(options)} options; give {MIN_OPTIONS} to {MAX_OPTIONS}")
    opts = tuple(_text(f"{where}.options[{i + 1}]", o, MAX_OPTION) for i, o in enumerate(options))
    if len(set(opts)) != len(opts):
        raise ValueError(f"{where}.options repeats an option; each must differ")
    if isinstance(answer_, bool) or not isinstance(answer_, (int, str)):
        raise ValueError(f"{where}.answer must be the number of the right option (0 to {len(opts) - 1}) or "
                         f"'computed:<name>'; it is {_kind(answer_)}")
    if isinstance(answer_, int):
        if not 0 <= answer_ < len(opts):
            raise ValueError(f"{where}.answer = {answer_} is not an option; give 0 to {len(opts) - 1}")
    else:
        name = answer_.removeprefix("computed:")
        if not answer_.startswith("computed:") or name not in ANSWERS:
            raise ValueError(f"{where}.answer = '{_short(answer_)}' is not allowed; give an option number or one of "
                             + ", ".join(f"'computed:{n}'" for n in ANSWERS))
        if opts != ANSWERS[name].options:
            raise ValueError(f"{where}.options must be exactly {list(ANSWERS[name].options)} for "
                             f"'computed:{name}', whose answer is one of them")
    return Question(prompt, opts, answer_)


def make_stop(page, params, title, note, question: Question | None = None, where: str = "stop", after="",
              hold="answer") -> Stop:
    """A checked Stop; a ValueError names the field and what is allowed."""
    if not isinstance(hold, str) or hold not in HOLDS:
        raise ValueError(f"{where}.hold = '{_short(hold)}' is not allowed; give one of "
                         + "; ".join(f"'{k}' ({v})" for k, v in HOLDS.items()))
    if not isinstance(page, str) or page not in PAGES:
        raise ValueError(f"{where}.page = '{_short(page)}' is not a page; give one of "
                         + ", ".join(f"'{p}'" for p in PAGES))
    pairs = check_params(page, params, f"{where}.params")
    stop = Stop(page, pairs, _text(f"{where}.title", title, MAX_TITLE),
                _text(f"{where}.note", note, MAX_NOTE, lines=True), question,
                _text(f"{where}.after", after, MAX_NOTE, empty_ok=True, lines=True), hold)
    if question is not None and isinstance(question.answer, str):
        need = ANSWERS[question.answer.removeprefix("computed:")].page
        if need != page:
            raise ValueError(f"{where}.question.answer '{question.answer}' is computed on the page '{need or 'home'}', "
                             f"not '{page or 'home'}'")
    return stop


def make_lesson(title, stops) -> Lesson:
    title = _text("title", title, MAX_TITLE)
    stops = tuple(stops)
    if not 1 <= len(stops) <= MAX_STOPS:
        raise ValueError(f"a lesson has 1 to {MAX_STOPS} stops; this one has {len(stops)}")
    return Lesson(title, stops)


def params_from_link(page: str, text: str) -> tuple[tuple[str, str], ...]:
    """A page's link ("https://…/saturation?case=copy") or just its parameters ("case=copy&bz=2"),
    checked for that page."""
    if not isinstance(text, str):
        raise ValueError("the link must be text")
    text = text.strip()
    if len(text) > MAX_LINK:
        raise ValueError(f"the link is {len(text):,} characters long; at most {MAX_LINK:,} are allowed")
    if not text:
        return ()
    query = text
    if "?" in text or "://" in text or text.startswith("/"):
        parts = urlsplit(text)
        segment = parts.path.rstrip("/").rpartition("/")[2]
        if segment in PAGES and segment != page:
            raise ValueError(f"this link opens the page '{PAGES[segment]}', not '{PAGES[page]}'; "
                             "choose that page or paste its own link")
        query = parts.query
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query), max_num_fields=100)
    except ValueError as err:
        raise ValueError(f"the parameters cannot be read ({err}); paste the page's link or name=value pairs "
                         "joined by '&'") from None
    return check_params(page, pairs, "params")
