"""Guided lessons: an ordered list of stops, each a real view of the app with a note and, mostly, a
predict-then-reveal question whose answer is computed from the live model. Pure: no Streamlit.

    lesson = BUILT_IN                                  # the built-in tour, ≥ 10 stops
    index, why = answer(lesson.stops[4], Settings())   # the right option and the numbers behind it
    text = to_json(lesson); same = from_json(text)     # a lesson file: plain JSON (or TOML: from_toml), validated
    token = to_link(lesson); same = from_link(token)   # /lesson?lesson=<token>, at most 8,000 characters

A question's answer is either "computed:<name>", one of the fixed functions in ANSWERS (no eval, no
code from files), each computing the right option from the model that the stop's page shows under
the session's settings (so it is right under either update convention and any seed), or the index
of the right option, for a teacher's own question. Every field of a lesson file or link is checked
(types, lengths, page, parameters through `controls.parse`), and a problem is a ValueError that
names the field and what is allowed.
"""
from __future__ import annotations

import base64
import binascii
import json
import tomllib
from urllib.parse import parse_qsl, urlsplit

from .controls import CONTROLS, LinkProblem, keys_for_page, parse
from .lesson_answers import ANSWERS, View, answer, computed_for, view  # noqa: F401  (the lesson API)
from .lesson_values import (
    CHANGE,  # noqa: F401  (re-exported: what "h changes" means, for pages and tests)
    CONTROL_CHARS,
    FORMAT,
    MAX_DEPTH,
    MAX_FILE_BYTES,
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
    TOKEN,
    VERSION,
    Lesson,
    Question,
    Stop,
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
    bad = CONTROL_CHARS.search(value.replace("\t", " ") if lines else value)
    if bad or (not lines and "\n" in value):
        allowed = "plain text and line breaks" if lines else "one line of plain text"
        raise ValueError(f"{where} contains a control character or line break; only {allowed} is allowed")
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


def make_stop(page, params, title, note, question: Question | None = None, where: str = "stop") -> Stop:
    """A checked Stop; a ValueError names the field and what is allowed."""
    if not isinstance(page, str) or page not in PAGES:
        raise ValueError(f"{where}.page = '{_short(page)}' is not a page; give one of "
                         + ", ".join(f"'{p}'" for p in PAGES))
    pairs = check_params(page, params, f"{where}.params")
    stop = Stop(page, pairs, _text(f"{where}.title", title, MAX_TITLE),
                _text(f"{where}.note", note, MAX_NOTE, lines=True), question)
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


# ---- files and links -----------------------------------------------------------------------------
def to_dict(lesson: Lesson) -> dict:
    stops = []
    for st in lesson.stops:
        d = {"page": st.page, "params": st.query, "title": st.title, "note": st.note}
        if st.question is not None:
            q = st.question
            d["question"] = {"prompt": q.prompt, "options": list(q.options), "answer": q.answer}
        stops.append(d)
    return {"format": FORMAT, "version": VERSION, "title": lesson.title, "stops": stops}


def to_json(lesson: Lesson, indent: int | None = 2) -> str:
    """Plain JSON; `indent=None` gives the compact form a link carries."""
    sep = (",", ":") if indent is None else None
    return json.dumps(to_dict(lesson), ensure_ascii=False, indent=indent, separators=sep)


def _fields(where: str, d, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(d, dict):
        raise ValueError(f"{where} must be an object; it is {_kind(d)}")
    unknown = [k for k in d if k not in required + optional]
    if unknown:
        raise ValueError(f"{where} has an unknown field '{_short(unknown[0])}'; allowed: "
                         + ", ".join(required + optional))
    missing = [k for k in required if k not in d]
    if missing:
        raise ValueError(f"{where} lacks the field '{missing[0]}'")
    return d


def from_dict(d) -> Lesson:
    d = _fields("the lesson", d, ("title", "stops"), ("format", "version"))
    if "format" in d and d["format"] != FORMAT:
        raise ValueError(f"format must be '{FORMAT}'")
    if "version" in d and (isinstance(d["version"], bool) or d["version"] != VERSION):
        raise ValueError(f"version must be {VERSION}")
    title = _text("title", d["title"], MAX_TITLE)
    raw = d["stops"]
    if not isinstance(raw, list):
        raise ValueError(f"stops must be a list; it is {_kind(raw)}")
    if not 1 <= len(raw) <= MAX_STOPS:
        raise ValueError(f"a lesson has 1 to {MAX_STOPS} stops; this one has {len(raw)}")
    stops = []
    for i, s in enumerate(raw, 1):
        where = f"stop {i}"
        s = _fields(where, s, ("page", "title", "note"), ("params", "question"))
        q = s.get("question")
        if q is not None:
            q = _fields(f"{where}.question", q, ("prompt", "options", "answer"))
            q = make_question(q["prompt"], q["options"], q["answer"], f"{where}.question")
        stops.append(make_stop(s["page"], s.get("params", {}), s["title"], s["note"], q, where))
    return make_lesson(title, stops)


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"the field '{_short(k)}' is given twice")
        d[k] = v
    return d


def _no_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def _depth(text: str) -> int:
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def from_json(data: str | bytes) -> Lesson:
    """A lesson from a file's text (or bytes); anything wrong is a ValueError saying what and what is allowed."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_FILE_BYTES:
            raise ValueError(f"the file is {len(data):,} bytes; a lesson file is at most {MAX_FILE_BYTES:,}")
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ValueError(f"the file is not UTF-8 text (byte {err.start + 1} cannot be read); save the lesson "
                             "as plain JSON in UTF-8") from None
    if not isinstance(data, str):
        raise ValueError("a lesson must be JSON text")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"the lesson is {len(data):,} characters; at most {MAX_FILE_BYTES:,} are allowed")
    if _depth(data) > MAX_DEPTH:
        raise ValueError(f"the JSON nests deeper than a lesson does (more than {MAX_DEPTH} levels)")
    try:
        d = json.loads(data, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise ValueError(f"this is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from None
    except RecursionError:
        raise ValueError("the JSON nests too deeply to be a lesson") from None
    return from_dict(d)


def from_toml(data: str | bytes) -> Lesson:
    """A lesson from a TOML file: the same fields as JSON ([[stops]] tables, a stop's params and question
    as tables), checked the same way."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_FILE_BYTES:
            raise ValueError(f"the file is {len(data):,} bytes; a lesson file is at most {MAX_FILE_BYTES:,}")
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ValueError(f"the file is not UTF-8 text (byte {err.start + 1} cannot be read); save the lesson "
                             "as plain TOML in UTF-8") from None
    if not isinstance(data, str):
        raise ValueError("a lesson must be TOML text")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"the lesson is {len(data):,} characters; at most {MAX_FILE_BYTES:,} are allowed")
    if _depth(data) > MAX_DEPTH:
        raise ValueError(f"the TOML nests deeper than a lesson does (more than {MAX_DEPTH} levels)")
    try:
        d = tomllib.loads(data)
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"this is not valid TOML: {err}") from None
    except RecursionError:
        raise ValueError("the TOML nests too deeply to be a lesson") from None
    return from_dict(d)


def from_file(name: str, data: bytes) -> Lesson:
    """A lesson file by its name's ending: .toml is TOML, anything else JSON."""
    return from_toml(data) if str(name).lower().endswith(".toml") else from_json(data)


def to_link(lesson: Lesson) -> str:
    """The lesson= parameter: base64url of the compact JSON, without padding; ValueError when too long."""
    token = base64.urlsafe_b64encode(to_json(lesson, indent=None).encode("utf-8")).decode("ascii").rstrip("=")
    if len(token) > MAX_LINK:
        raise ValueError(f"this lesson needs {len(token):,} characters in a link; at most {MAX_LINK:,} fit. "
                         "Shorten its notes or share the lesson file instead")
    return token


def from_link(token: str) -> Lesson:
    if not isinstance(token, str):
        raise ValueError("the lesson parameter must be text")
    if len(token) > MAX_LINK:
        raise ValueError(f"the lesson parameter is {len(token):,} characters; at most {MAX_LINK:,} are allowed")
    token = token.strip()
    if not token or not TOKEN.fullmatch(token):
        raise ValueError("the lesson parameter is not a lesson link (only letters, digits, '-' and '_' are allowed); "
                         "copy the whole address again")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        text = raw.decode("utf-8")
    except (binascii.Error, ValueError):  # UnicodeDecodeError is a ValueError: a link, not a file, was changed
        raise ValueError("the lesson parameter is cut short or changed; copy the whole address again") from None
    return from_json(text)


# ---- the built-in lesson ---------------------------------------------------------------------------
def _q(prompt: str, name: str) -> Question:
    return Question(prompt, ANSWERS[name].options, f"computed:{name}")


CLUE = "Far-apart clue"
BUILT_IN = Lesson("How a GRU remembers", (
    Stop("", (), "Two gates and one blend",
         "The reset gate r decides how much of the old state shapes the proposal n, and the update gate z blends "
         "the old state with n. Read the last equation: which value of z hands the past on untouched?",
         _q("Under the convention now set, which z makes h_t equal h_(t−1)?", "copy_z")),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "4"), ("unit", "6")), "Writing the clue",
         "A small GRU trained for this story reads 'umbrella' at step 4. Watch unit 6 in the cell diagram: "
         "after the first word, this is the step where its z lets the most of the new candidate in.",
         _q("Will h of unit 6 change at step 4?", "h_changes")),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "12"), ("unit", "6")), "Holding across the gap",
         "Eight words later nothing in the sentence is about the umbrella. Step through the gap and watch unit "
         "6's z: it decides whether the clue survives until 'dry'.",
         _q("Does unit 6 keep more of its past than it takes from the new at step 12?", "z_keeps")),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "20"), ("unit", "6")), "Nothing moves",
         "Deep in the gap the gate has saturated, so h is handed on from step to step. Predict before you look "
         "at the numbers below the diagram.",
         _q("Will h of unit 6 change at step 20?", "h_changes")),
    Stop("saturation", (("case", "copy"),), "Copy: the gradient's highway",
         "Pin z to 'keep everything'. Then h_t = h_(t−1) whatever the input, and the step Jacobian on the left "
         "shows what a gradient meets on its way back.",
         _q("What is ∂h_t/∂h_(t−1) when z pins the copy case?", "case_jacobian")),
    Stop("saturation", (("case", "cut"),), "Cut: forget the past",
         "Now z takes all of the candidate and r = 0 hides h_(t−1) from it. The new state no longer depends on "
         "the old one at all.",
         _q("What is ∂h_t/∂h_(t−1) in the cut case?", "case_jacobian")),
    Stop("saturation", (("case", "rnn-like"),), "RNN-like: the gates step aside",
         "z takes all of the candidate and r = 1 lets all of h_(t−1) in: the GRU step becomes a plain tanh RNN "
         "step with weights W_hn. Compare the Jacobian with the RNN's.",
         _q("What is ∂h_t/∂h_(t−1) in the RNN-like case?", "case_jacobian")),
    Stop("saturation", (("case", "free"),), "Exact vs frozen gates",
         "With free gates, z and r themselves depend on h_(t−1). Many textbooks drop that dependence; the "
         "middle panel does the same, and the right panel shows what it leaves out.",
         _q("Is the frozen-gate Jacobian equal to the exact one here?", "frozen_equal")),
    Stop("saturation", (("case", "copy"),), "When freezing is exact",
         "Back to the copy case: z is pinned, so it no longer moves with h. Look at the difference panel "
         "again.",
         _q("Is the frozen-gate Jacobian equal to the exact one now?", "frozen_equal")),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "1.0"), ("seeds", "5")), "GRU vs RNN: how far back?",
         "Each curve is ‖∂h_T/∂h_k‖ against the distance T − k, the median over five random models. A chain "
         "below 1e-6 means that step no longer shapes the learning signal. These GRUs are random, not trained: "
         "their update gates sit near ½ and halve the copy path at every step, so their chains vanish too, "
         "only later than the RNN's.",
         _q("Which chain falls below 1e-6 first, the GRU's or the RNN's?", "first_below")),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "0.5"), ("seeds", "5")), "λ₁ against 1/γ",
         "tanh′ is at most γ = 1, so when the largest singular value λ₁ of W_hh is below 1/γ every step "
         "shrinks the gradient. The first metric shows λ₁ for this RNN scale.",
         _q("Is λ₁(W_hh) below 1/γ here, so the RNN's chain must vanish?", "lambda_below")),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "2.0"), ("seeds", "5")), "A large λ₁ is no rescue",
         "Double the RNN's recurrent weights: λ₁ is now above 1, nothing forces the chain to vanish, and it reaches "
         "further than at scale 1, here further than these random GRUs' chains. Yet it still falls below 1e-6 "
         "within T, because large weights saturate tanh and shrink its slope. A larger λ₁ stretches the chain; a "
         "gate held open (a trained GRU) is what keeps it.",
         _q("Is λ₁(W_hh) below 1/γ here?", "lambda_below")),
    Stop("train", (("task", "Adding problem (regression)"), ("length", "30"), ("models", "GRU"), ("models", "RNN"),
                   ("steps", "400")), "Training on the adding problem",
         "Press 'Start training': both models must add two marked numbers seen up to 30 steps earlier. "
         "The dashed line is the loss of always guessing the mean; only a model that remembers gets below it.",
         _q("With the same H, how many times the RNN's parameters does the GRU have?", "train_params")),
    Stop("lstm", (("lstm_T", "50"),), "GRU vs LSTM",
         "The LSTM keeps a separate cell state behind three gates; its forget gate plays the part of the GRU's "
         "z. Compare the parameter table and the three gradient chains.",
         _q("For the same hidden size, which model has more parameters?", "lstm_params")),
))
