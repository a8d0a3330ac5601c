"""Lesson files and links: a lesson to and from plain JSON (or TOML), and the lesson= parameter of
an address (base64url of the compact JSON, at most 8,000 characters). Pure.

Every field is checked as gru_lab.lessons.checks makes it, after the size and nesting depth are; a
problem is a ValueError that names the field and what is allowed.
"""
from __future__ import annotations

import base64
import binascii
import json
import tomllib

from .checks import _kind, _short, _text, make_lesson, make_question, make_stop
from .values import (
    FORMAT,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_LINK,
    MAX_STOPS,
    MAX_TITLE,
    TOKEN,
    VERSION,
    Lesson,
)


# ---- files and links -----------------------------------------------------------------------------
def to_dict(lesson: Lesson) -> dict:
    stops = []
    for st in lesson.stops:
        d = {"page": st.page, "params": st.query, "title": st.title, "note": st.note}
        if st.question is not None:
            q = st.question
            d["question"] = {"prompt": q.prompt, "options": list(q.options), "answer": q.answer}
        if st.after:
            d["after"] = st.after
        if st.hold != "answer":
            d["hold"] = st.hold
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
        s = _fields(where, s, ("page", "title", "note"), ("params", "question", "after", "hold"))
        q = s.get("question")
        if q is not None:
            q = _fields(f"{where}.question", q, ("prompt", "options", "answer"))
            q = make_question(q["prompt"], q["options"], q["answer"], f"{where}.question")
        stops.append(make_stop(s["page"], s.get("params", {}), s["title"], s["note"], q, where, s.get("after", ""),
                               s.get("hold", "answer")))
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


def _text_of(data: str | bytes, kind: str) -> str:
    """A lesson file's text, checked before parsing: UTF-8, not too long, not nested deeper than a lesson."""
    if isinstance(data, (bytes, bytearray)):
        if len(data) > MAX_FILE_BYTES:
            raise ValueError(f"the file is {len(data):,} bytes; a lesson file is at most {MAX_FILE_BYTES:,}")
        try:
            data = bytes(data).decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise ValueError(f"the file is not UTF-8 text (byte {err.start + 1} cannot be read); save the lesson "
                             f"as plain {kind} in UTF-8") from None
    if not isinstance(data, str):
        raise ValueError(f"a lesson must be {kind} text")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"the lesson is {len(data):,} characters; at most {MAX_FILE_BYTES:,} are allowed")
    if _depth(data) > MAX_DEPTH:
        raise ValueError(f"the {kind} nests deeper than a lesson does (more than {MAX_DEPTH} levels)")
    return data


def from_json(data: str | bytes) -> Lesson:
    """A lesson from a file's text (or bytes); anything wrong is a ValueError saying what and what is allowed."""
    data = _text_of(data, "JSON")
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
    data = _text_of(data, "TOML")
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
