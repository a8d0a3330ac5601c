"""The guided lesson (gru_lab.lessons), without Streamlit: the built-in stops, their computed answers
checked against an independent computation under both update conventions and several seeds, the
JSON file and link round trips, and hostile files and links refused with a clear message."""
from __future__ import annotations

import base64
import json
from dataclasses import replace

import numpy as np
import pytest

from gru_core import GRU, LSTM, RNN
from gru_lab import compute, experiments, stories
from gru_lab import lessons as lesson
from gru_lab.controls import CONTROLS, keys_for_page, parse
from gru_lab.lessons.built_in import _q
from gru_lab.settings import Settings, build_gru, build_rnn

L = lesson.BUILT_IN
SEEDS = (0, 1, 7)
UPDATES = ("keep", "take")
STOPS = list(enumerate(L.stops, 1))
# Random-weight step stops, so the step answers are checked for every seed too (the trained model has none).
RANDOM_STEP = tuple(
    lesson.Stop("step", (("preset", "Far-apart clue"), ("weights", "random"), ("t", str(t)), ("unit", str(u))),
                f"Random {t}/{u}", "A note.", _q("Does it change?", name))
    for t, u in ((1, 0), (4, 6), (12, 3), (30, 7)) for name in ("h_changes", "z_keeps"))


# ---- the built-in lesson ---------------------------------------------------------------------------
def test_the_built_in_lesson_covers_the_topics():
    assert len(L.stops) >= 10
    pages = [s.page for s in L.stops]
    for page in ("", "step", "saturation", "vanishing", "train", "lstm"):
        assert page in pages
    cases = {dict(s.params).get("case") for s in L.stops if s.page == "saturation"}
    assert {"copy", "cut", "rnn-like", "free"} <= cases
    names = {s.question.answer for s in L.stops if s.question}
    assert {f"computed:{n}" for n in ("case_jacobian", "frozen_equal", "first_below", "lambda_below",
                                      "train_params", "lstm_params", "h_changes", "copy_z")} <= names


@pytest.mark.parametrize(("n", "stop"), STOPS, ids=[f"stop{n}" for n, _ in STOPS])
def test_every_stop_is_valid(n, stop):
    allowed = keys_for_page(stop.page)
    for key, raws in stop.query_lists().items():
        assert key in allowed
        parse(CONTROLS[key], raws)  # raises if not
    assert 1 <= len(stop.title) <= lesson.MAX_TITLE and 1 <= len(stop.note) <= lesson.MAX_NOTE
    sentences = stop.note.count(". ") + stop.note.count(": ") + 1
    assert 2 <= sentences <= 4, "two or three sentences"
    assert stop.question is not None and lesson.MIN_OPTIONS <= len(stop.question.options) <= lesson.MAX_OPTIONS
    # the stop survives the same checks a file gets
    assert lesson.make_stop(stop.page, stop.query, stop.title, stop.note, stop.question, after=stop.after,
                            hold=stop.hold) == stop
    assert stop.after and len(stop.after) <= lesson.MAX_NOTE, "each stop says something more with its answer"


# ---- independent answers ----------------------------------------------------------------------------
def _model_and_x(stop, s):
    v = lesson.view(stop, s)
    seq = compute.sequence_for(v.settings)
    if v.values.get("weights") == "trained":
        model = stories.trained_model(v.settings.preset, update=v.settings.update)
    else:
        model = build_gru(seq.x.shape[1], v.settings)
    return v, model, seq.x


def _step_change(stop, s) -> tuple[float, float, float, float]:
    """(|h_t − h_(t−1)|, |h_t − n_t|) for the stop's unit, from a plain forward pass."""
    v, model, x = _model_and_x(stop, s)
    rec = model.forward(x)
    t, j = int(v.values["t"]) - 1, int(v.values["unit"])
    before = rec.h0[j] if t == 0 else rec.h[t - 1, j]
    return abs(rec.h[t, j] - before), abs(rec.h[t, j] - rec.n[t, j]), rec.h[t, j], before


def _fd_jacobian(model, x, t, h_prev, force_z, force_r, eps=1e-6):
    H = h_prev.shape[0]
    J = np.empty((H, H))
    for i in range(H):
        d = np.zeros(H)
        d[i] = eps
        up = model.forward(x[t:t + 1], h0=h_prev + d, force_z=force_z, force_r=force_r).h[0]
        down = model.forward(x[t:t + 1], h0=h_prev - d, force_z=force_z, force_r=force_r).h[0]
        J[:, i] = (up - down) / (2 * eps)
    return J


def _saturation_setup(stop, s):
    v = lesson.view(stop, s)
    x = v.values
    seq = compute.sequence_for(v.settings)
    model = build_gru(seq.x.shape[1], v.settings, gate_shift=(x["br"], x["bz"]))
    keep = v.settings.update == "keep"
    copy_z, new_z = (1.0, 0.0) if keep else (0.0, 1.0)
    fz, fr = {"free": (None, None), "copy": (copy_z, None), "cut": (new_z, 0.0), "rnn-like": (new_z, 1.0)}[x["case"]]
    rec = model.forward(seq.x, force_z=fz, force_r=fr)
    t = len(seq.labels) - 1  # sat_t not given: the last step
    h_prev = rec.h[t - 1]
    return v, model, seq.x, t, h_prev, rec, fz, fr


def expected(stop, s) -> int:
    """The right option, computed here without gru_lab.lessons' answer functions."""
    name = stop.question.answer.removeprefix("computed:")
    if name == "copy_z":
        v = lesson.view(stop, s)
        model = build_gru(4, v.settings)
        x = np.random.default_rng(0).standard_normal((5, 4))
        copies = [np.allclose(model.forward(x, force_z=z).h[-1], model.forward(x, force_z=z).h[0]) for z in (1.0, 0.0)]
        assert sum(copies) == 1
        return copies.index(True)
    if name == "h_changes":
        change, *_ = _step_change(stop, s)
        return 0 if change > lesson.CHANGE else 1
    if name == "z_keeps":
        to_past, to_new, *_ = _step_change(stop, s)
        return 0 if to_past < to_new else 1  # h = a·h_prev + (1 − a)·n: nearer the past when a > 1/2
    if name in ("case_jacobian", "frozen_equal"):
        v, model, x, t, h_prev, rec, fz, fr = _saturation_setup(stop, s)
        J = _fd_jacobian(model, x, t, h_prev, fz, fr)
        if name == "case_jacobian":
            p = model.params
            H = h_prev.shape[0]
            pre = p.W_ih[2 * H:] @ x[t] + p.b_ih[2 * H:] + p.W_hh[2 * H:] @ h_prev + p.b_hh[2 * H:]
            rnn_J = (1 - np.tanh(pre) ** 2)[:, None] * p.W_hh[2 * H:]
            for i, M in enumerate((np.eye(H), np.zeros((H, H)), rnn_J)):
                if np.max(np.abs(J - M)) < 1e-6:
                    return i
            return 3
        z, r, n = rec.z[t], rec.r[t], rec.n[t]
        g = z if v.settings.update == "keep" else 1 - z  # the share of h_(t−1) kept
        H = h_prev.shape[0]
        frozen = np.diag(g) + ((1 - g) * (1 - n ** 2) * r)[:, None] * model.params.W_hh[2 * H:]  # reset after
        return 0 if np.max(np.abs(J - frozen)) < 1e-4 else 1
    if name in ("first_below", "lambda_below"):
        v = lesson.view(stop, s)
        x = v.values
        vs = compute.vanishing_settings(v.settings)
        runs = [compute.vanishing_run(vs, int(x["T"]), float(x["rnn_scale"]), seed)
                for seed in compute.seeds_for(vs, int(x["seeds"]))]
        if name == "lambda_below":
            lams = [np.linalg.norm(build_rnn(compute.VANISH_INPUT, vs.hidden_size, seed, float(x["rnn_scale"])).W_hh, 2)
                    for seed in compute.seeds_for(vs, int(x["seeds"]))]
            assert np.isclose(np.median(lams), np.median([r.lambda1 for r in runs]))
            return 0 if np.median(lams) < 1 else 1
        d = compute.vanishing_distances(int(x["T"]))
        first = []
        for chain in ("gru_chain", "rnn_chain"):
            med = np.percentile(np.vstack([getattr(r, chain) for r in runs]), 50, axis=0, method="nearest")
            below = np.flatnonzero(med < -6)
            first.append(d[below[0]] if below.size else None)
        g, r = first
        if g is None and r is None:
            return 2
        if g is not None and r is not None and g == r:
            return 3
        return 0 if r is None or (g is not None and g < r) else 1
    if name == "train_params":
        v = lesson.view(stop, s)
        I = experiments.make_task(v.values["task"], int(v.values["length"])).input_size
        H = int(v.values["train_H"])
        ratio = sum(a.size for a in GRU.init(I, H).params) / sum(a.size for a in RNN.init(I, H).params)
        return {1.0: 0, 3.0: 1, 4.0: 2}[round(ratio, 6)]
    if name == "lstm_params":
        v = lesson.view(stop, s)
        I = compute.sequence_for(v.settings).x.shape[1]
        H = v.settings.hidden_size
        g = sum(a.size for a in GRU.init(I, H).params)
        m = sum(a.size for a in LSTM.init(I, H).params)
        return 0 if g > m else 1 if m > g else 2
    raise AssertionError(f"no independent check for {name}")


ALL = STOPS + [(f"r{i}", st) for i, st in enumerate(RANDOM_STEP)]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("update", UPDATES)
@pytest.mark.parametrize(("n", "stop"), ALL, ids=[f"stop{n}" for n, _ in ALL])
def test_every_computed_answer_is_right(n, stop, update, seed):
    s = Settings(update=update, seed=seed)
    index, why = lesson.answer(stop, s)
    assert index == expected(stop, s), why
    assert 0 <= index < len(stop.question.options)
    assert why.endswith(".") and any(ch.isdigit() for ch in why), "one sentence with the numbers"


def test_answers_follow_the_convention_where_the_truth_does():
    stop = L.stops[0]  # which z copies the past
    assert lesson.answer(stop, Settings(update="keep"))[0] == 0
    assert lesson.answer(stop, Settings(update="take"))[0] == 1
    copy = next(s for s in L.stops if dict(s.params).get("case") == "copy")
    assert {lesson.answer(copy, Settings(update=u))[0] for u in UPDATES} == {0}, "identity under both"


def test_a_teachers_fixed_answer():
    q = lesson.make_question("Which is larger?", ["one", "two"], 1)
    stop = lesson.make_stop("", {}, "T", "A note.", q)
    assert lesson.answer(stop, Settings())[0] == 1


# ---- files and links ---------------------------------------------------------------------------------
def small() -> lesson.Lesson:
    return lesson.make_lesson("My lesson", [
        lesson.make_stop("saturation", {"case": "cut", "bz": "2.5"}, "Cut", "Look at the left panel. It is zero.",
                         lesson.make_question("What is J?", ["I", "0"], 1)),
        lesson.make_stop("train", {"models": ["GRU", "LSTM"], "task": "Adding problem (regression)"}, "Train",
                         "Press start.\nWatch the loss."),
        L.stops[4],
    ])


def test_json_round_trip():
    for one in (L, small()):
        text = lesson.to_json(one)
        assert json.loads(text)["format"] == lesson.FORMAT
        assert lesson.from_json(text) == one
        assert lesson.from_json(text.encode("utf-8")) == one
        assert lesson.from_json(lesson.to_json(one, indent=None)) == one


def test_a_stops_after_and_hold_travel_in_its_file_and_link():
    d = lesson.to_dict(small())
    d["stops"][0].update(after="Because the gate is pinned.", hold="view")
    one = lesson.from_json(json.dumps(d))
    assert (one.stops[0].after, one.stops[0].hold) == ("Because the gate is pinned.", "view")
    assert lesson.from_json(lesson.to_json(one)) == one and lesson.from_link(lesson.to_link(one)) == one
    assert "hold" not in lesson.to_dict(small())["stops"][1], "the default is left out of the file"


def test_link_round_trip_and_cap():
    one = small()
    token = lesson.to_link(one)
    assert "=" not in token and len(token) <= lesson.MAX_LINK
    assert lesson.from_link(token) == one
    assert json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) == lesson.to_dict(one)
    long = lesson.make_lesson("Long", [lesson.make_stop("", {}, f"Stop {i}", "x" * 590) for i in range(14)])
    with pytest.raises(ValueError, match="at most 8,000 fit"):
        lesson.to_link(long)


def test_params_from_a_pasted_link():
    assert lesson.params_from_link("saturation", "https://x.org/saturation?case=copy&bz=2") == (
        ("case", "copy"), ("bz", "2"))
    assert lesson.params_from_link("saturation", "case=copy") == (("case", "copy"),)
    assert lesson.params_from_link("step", "") == ()
    with pytest.raises(ValueError, match="opens the page 'Saturation lab'"):
        lesson.params_from_link("step", "http://localhost:8501/saturation?case=copy")
    with pytest.raises(ValueError, match="not a setting of the page"):
        lesson.params_from_link("vanishing", "case=copy")
    with pytest.raises(ValueError, match="params.T = '1e309' must be a whole number from 10 to 500"):
        lesson.params_from_link("vanishing", "T=1e309")


def _file(**change) -> dict:
    d = lesson.to_dict(small())
    d.update(change)
    return d


def _stop(**change) -> dict:
    d = lesson.to_dict(small())
    d["stops"][0].update(change)
    return d


def _question(**change) -> dict:
    d = lesson.to_dict(small())
    d["stops"][0]["question"].update(change)
    return d


HOSTILE = {
    "title-number": (_file(title=5), "title must be text"),
    "title-huge": (_file(title="x" * 10_000), "at most 120"),
    "title-empty": (_file(title="  "), "title is empty"),
    "title-control": (_file(title="a\x00b"), "control character"),
    "stops-object": (_file(stops={"a": 1}), "stops must be a list"),
    "no-stops": (_file(stops=[]), "1 to 30 stops"),
    "too-many-stops": (_file(stops=[lesson.to_dict(small())["stops"][1]] * 31), "1 to 30 stops; this one has 31"),
    "unknown-field": (_file(script="import os"), "unknown field 'script'"),
    "wrong-format": (_file(format="pickle"), "format must be"),
    "wrong-version": (_file(version=True), "version must be 1"),
    "unknown-stop-field": (_stop(code="x"), "stop 1 has an unknown field 'code'"),
    "bad-page": (_stop(page="../../etc"), "is not a page"),
    "page-list": (_stop(page=["step"]), "is not a page"),
    "note-huge": (_stop(note="y" * 601), "stop 1.note is 601 characters long; at most 600"),
    "after-huge": (_stop(after="y" * 601), "stop 1.after is 601 characters long; at most 600"),
    "after-number": (_stop(after=3), "stop 1.after must be text"),
    "after-control": (_stop(after="a\u202eb"), "invisible or control character U+202E"),
    "hold-unknown": (_stop(hold="some"), "stop 1.hold = 'some' is not allowed; give one of 'answer'"),
    "hold-list": (_stop(hold=["view"]), "stop 1.hold"),
    "params-list": (_stop(params=[1, 2]), "name/value pairs"),
    "params-bad-value": (_stop(params={"bz": "inf"}), "stop 1.params.bz = 'inf' must be a number from -10 to 10"),
    "params-other-page": (_stop(params={"T": "100"}), "'T' is not a setting of the page 'saturation'"),
    "params-number": (_stop(params={"bz": 2}), "must be text"),
    "params-file-weights": ({**lesson.to_dict(small()), "stops": [
        {"page": "step", "title": "t", "note": "n", "params": {"weights": "file"}}]}, "cannot travel in a lesson"),
    "answer-import": (_question(answer="computed:__import__"), "is not allowed; give an option number or one of"),
    "answer-eval": (_question(answer="__import__('os').system('x')"), "is not allowed"),
    "answer-out-of-range": (_question(answer=7), "answer = 7 is not an option; give 0 to 1"),
    "answer-negative": (_question(answer=-1), "is not an option"),
    "answer-bool": (_question(answer=True), "must be the number of the right option"),
    "answer-float": (_question(answer=1.0), "must be the number of the right option"),
    "computed-wrong-options": (_question(answer="computed:case_jacobian"), "options must be exactly"),
    "too-many-options": (_question(options=["a", "b", "c", "d", "e"]), "5 options; give 2 to 4"),
    "one-option": (_question(options=["a"], answer=0), "1 options; give 2 to 4"),
    "option-number": (_question(options=["a", 2]), "options[2] must be text"),
    "option-repeated": (_question(options=["a", "a"]), "repeats an option"),
    "question-unknown": (_question(hint="x"), "unknown field 'hint'"),
    "question-list": (_stop(question=[1]), "question must be an object"),
    "top-list": ([1, 2, 3], "the lesson must be an object"),
}


@pytest.mark.parametrize(("bad", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_lesson_files_are_refused_with_a_reason(bad, message):
    with pytest.raises(ValueError, match=_re(message)):
        lesson.from_json(json.dumps(bad))


def _re(text: str) -> str:
    import re
    return re.escape(text)


def test_computed_answer_on_another_page_is_refused():
    d = lesson.to_dict(small())
    d["stops"][0]["question"] = {"prompt": "p", "options": list(lesson.ANSWERS["first_below"].options),
                                 "answer": "computed:first_below"}
    with pytest.raises(ValueError, match="computed on the page 'vanishing'"):
        lesson.from_json(json.dumps(d))


@pytest.mark.parametrize(("raw", "message"), [
    (b"\xff\xfe{\x00", "not UTF-8 text"),
    (b'{"title": "\xe9"}', "not UTF-8 text"),
    ("[" * 100_001 + "]" * 100_001, "200,002 characters; at most 200,000 are allowed"),
    ("[" * 5000 + "]" * 5000, "nests deeper"),
    ('{"title": {"a": {"b": {"c": {"d": {"e": {}}}}}}}', "nests deeper"),
    ('{"title": "a", "title": "b", "stops": []}', "given twice"),
    ('{"title": "a", "stops": [NaN]}', "not a number JSON allows"),
    ("not json", "not valid JSON"),
    ("", "not valid JSON"),
    (b"x" * 300_000, "the file is 300,000 bytes"),
], ids=["utf16", "latin1", "huge", "deep", "deep-object", "duplicate", "nan", "garbage", "empty", "huge-bytes"])
def test_broken_files_are_refused_with_a_reason(raw, message):
    with pytest.raises(ValueError, match=_re(message)):
        lesson.from_json(raw)


@pytest.mark.parametrize(("token", "message"), [
    ("abc!", "only letters, digits"),
    ("", "not a lesson link"),
    ("a", "cut short"),
    ("x" * 8001, "at most 8,000"),
    (base64.urlsafe_b64encode(b"\xff\xff\xff").decode(), "cut short or changed"),  # a link, not "the file"
    (base64.urlsafe_b64encode(b'{"title": 1, "stops": []}').decode().rstrip("="), "title must be text"),
    (base64.urlsafe_b64encode(b"[[[[[[[[[[]]]]]]]]]]").decode().rstrip("="), "nests deeper"),
], ids=["chars", "empty", "cut", "huge", "binary", "bad-title", "deep"])
def test_tampered_links_are_refused_with_a_reason(token, message):
    with pytest.raises(ValueError, match=_re(message)):
        lesson.from_link(token)


def test_a_link_that_is_not_utf8_never_speaks_of_a_file():
    with pytest.raises(ValueError) as err:
        lesson.from_link(base64.urlsafe_b64encode(b'{"title": "\xe9"}').decode())
    assert "file" not in str(err.value) and "address" in str(err.value)


def test_a_tampered_token_of_a_good_lesson():
    token = lesson.to_link(small())
    with pytest.raises(ValueError):
        lesson.from_link(token[: len(token) // 2])


def test_answer_names_are_a_fixed_table():
    assert all(callable(a.compute) and a.page in lesson.PAGES for a in lesson.ANSWERS.values())
    for a in lesson.ANSWERS.values():
        assert lesson.MIN_OPTIONS <= len(a.options) <= lesson.MAX_OPTIONS


def test_view_puts_the_stops_sidebar_settings_on_the_sessions():
    stop = lesson.make_stop("step", {"H": "16", "seed": "3", "update": "take", "t": "5"}, "t", "n")
    v = lesson.view(stop, replace(Settings(), weight_scale=2.0))
    assert (v.settings.hidden_size, v.settings.seed, v.settings.update, v.settings.weight_scale) == (16, 3, "take", 2.0)
    assert v.values["t"] == 5 and v.values["weights"] == "trained"


# ---- TOML lesson files: the same checks as JSON (issue 18) ------------------------------------------------
def test_a_toml_lesson_equals_its_json_twin():
    text = ('title = "Twin"\n[[stops]]\npage = "saturation"\ntitle = "Cut"\nnote = "Look."\nparams = { case = "cut" }\n'
            '[stops.question]\nprompt = "Which?"\noptions = ["a", "b"]\nanswer = 1\n')
    made = lesson.from_toml(text.encode())
    twin = lesson.from_json(json.dumps({"title": "Twin", "stops": [
        {"page": "saturation", "title": "Cut", "note": "Look.", "params": {"case": "cut"},
         "question": {"prompt": "Which?", "options": ["a", "b"], "answer": 1}}]}))
    assert made == twin
    assert lesson.from_file("x.TOML", text.encode()) == made
    assert lesson.from_file("x.json", lesson.to_json(made).encode()) == made


@pytest.mark.parametrize(("raw", "message"), [
    (b'title = 1979-05-27\nstops = []\n', "title must be text"),
    (b'title = "x"\n[[stops]]\npage = "step"\ntitle = "t"\nnote = "n"\nparams = { t = "inf" }\n', "whole number"),
    (b'title = "x"\nstops = ' + b"[" * 50 + b"]" * 50 + b"\n", "nests deeper"),
    (b"title = \n", "not valid TOML"),
    (b"\xff\xfe", "not UTF-8"),
    (b'title = "x"\n' + b"#" * 300_000, "at most 200,000"),
], ids=["datetime", "bad-param", "deep", "broken", "not-utf8", "huge"])
def test_hostile_toml_files_are_refused_with_a_reason(raw, message):
    with pytest.raises(ValueError, match=message):
        lesson.from_toml(raw)


def test_a_stop_may_unlock_settings_for_classroom_mode():
    """A teacher's stop records which settings the class may change (`unlock`), checked like any parameter."""
    stop = lesson.make_stop("vanishing", {"rnn_scale": "2.0", "unlock": ["rnn_scale", "T"]}, "Scale it", "Try it.")
    assert stop.query_lists()["unlock"] == ["rnn_scale", "T"]
    with pytest.raises(ValueError, match="unlock"):
        lesson.make_stop("vanishing", {"unlock": "lesson"}, "Scale it", "Try it.")
