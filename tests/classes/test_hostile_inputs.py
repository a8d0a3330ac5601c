"""Every input a class takes, hostile: each case is refused with a ClassError (a sentence for the page) or
does nothing harmful; none raises anything else, on either store. `test_the_count` totals the cases, which the
issue's closing note reports (tried / refused / tracebacks)."""
from __future__ import annotations

import pytest

from gru_lab.classes import ClassError

QUESTIONS = {2: ["reset gate", "update gate", "candidate"]}
WEIRD = ["", " ", "\x00", "\u202e", "\u200b", "\ufeff", "<b>x</b>", "' OR 1=1 --", "../../etc/passwd", "%00",
         "A" * 10_000, "😀" * 50, "\n\r\t", "${jndi:ldap://x}", "=HYPERLINK(1)", None, 0, -1, 1.5, float("nan"),
         float("inf"), True, [], {}, ["ABCDEFGH"], b"ABCDEFGH"]

CODES = WEIRD + ["ABCDEFG0", "abcdefgh!", "ABCDEFGHJ", "ABCDEFGH"]  # the last: well formed, unknown
SEATS = WEIRD + ["s" * 21, "s" * 23, "s" * 22]  # the last: well formed, never joined
KEYS = WEIRD + ["k" * 32, "k" * 99, "k" * 100]
NICKNAMES = WEIRD + ["a" * 25, "Ada\u0301\u0301\u0301", "Zoë", "李雷"]  # the last two are fine
STOPS = WEIRD + [0, 1, 6, 2 ** 63, -(2 ** 63)]
OPTIONS = WEIRD + ["Reset Gate", "candidate "]
QUESTION_SETS = [{2: o} for o in WEIRD] + [{2: ["a", "b\u200b"]}, {2: ["a", "x" * 161]}, {2: ["a"] * 2},
                                           {2: list("abcde")}, {"2": ["a", "b"]}, {9: ["a", "b"]}, {2: ["a", None]},
                                           [["a", "b"]], None]
CLIENTS = WEIRD + ["999.1.1.1", "::ffff:999.1.1.1", "1.2.3.4, 5.6.7.8", "fe80::1%" + "x" * 100]


def _calls(store, code, token, student):
    """(input, case, call) for every hostile case of every input."""
    for bad in CODES:
        yield "code", bad, lambda b=bad: store.join(b, client="192.0.2.1")
        yield "code", bad, lambda b=bad: store.state(b)
        yield "code", bad, lambda b=bad: store.vote(b, student, 2, "candidate")
    for bad in SEATS:
        yield "seat", bad, lambda b=bad: store.vote(code, b, 2, "candidate")
        yield "seat", bad, lambda b=bad: store.my_vote(code, b, 2, 1)
        yield "seat", bad, lambda b=bad: store.student_exists(code, b)
    for bad in KEYS:
        for act in (lambda b: store.move(code, b, 3), lambda b: store.reveal(code, b),
                    lambda b: store.lock(code, b, True), lambda b: store.end(code, b),
                    lambda b: store.csv_text(code, b)):
            yield "key", bad, lambda b=bad, act=act: act(b)
    for bad in STOPS:
        yield "vote stop", bad, lambda b=bad: store.vote(code, student, b, "candidate")
        yield "vote round", bad, lambda b=bad: store.tally(code, 2, b)
    for bad in OPTIONS:
        yield "vote option", bad, lambda b=bad: store.vote(code, student, 2, b)
    for bad in NICKNAMES:
        yield "nickname", bad, lambda b=bad: store.join(code, b, client="192.0.2.2")
    for bad in QUESTION_SETS:
        yield "lesson options", bad, lambda b=bad: store.create("gru_intro", 5, b, "192.0.2.3")
    for bad in CLIENTS:
        yield "client address", bad, lambda b=bad: store.join(code, client=b)
    for bad in WEIRD:
        yield "lesson id", bad, lambda b=bad: store.keep_lesson(b, "{}")
        yield "lesson text", bad, lambda b=bad: store.keep_lesson("abc", b)


def _tally(store):
    code, token = store.create("gru_intro", 5, QUESTIONS, "192.0.2.9")
    store.move(code, token, 2)
    student = store.join(code, client="192.0.2.8")
    counts = {}
    for what, _, call in _calls(store, code, token, student):
        tried, refused, fine = counts.get(what, (0, 0, 0))
        try:
            call()
        except ClassError:
            refused += 1
        else:
            fine += 1
        counts[what] = (tried + 1, refused, fine)  # any other exception fails the test: a traceback
    return counts, store.state(code), store.tally(code, 2, 1)


def test_every_class_input_refuses_hostile_cases(store):
    counts, state, tally = _tally(store)
    assert not state.ended and state.stop == 2, "a forged key moved or ended the class"
    assert sum(tally.values()) <= 1
    for what, (tried, refused, fine) in counts.items():
        assert refused + fine == tried
        if what in ("code", "key", "seat", "vote stop", "lesson options", "lesson id"):
            # every case of these is malformed or foreign; only "seat" has harmless reads (False, None)
            assert refused >= tried - (2 * len(SEATS) if what == "seat" else 0), (what, counts[what])


def test_the_count(store, capsys):
    counts, _, _ = _tally(store)
    tried = sum(t for t, _, _ in counts.values())
    refused = sum(r for _, r, _ in counts.values())
    with capsys.disabled():
        print(f"\n{store!r}: {tried} hostile class inputs tried, {refused} refused with a message, "
              f"{tried - refused} harmless, 0 tracebacks; by input: "
              + ", ".join(f"{k} {t}/{r}" for k, (t, r, _) in counts.items()))
    assert tried > 500


@pytest.mark.parametrize("bad", ["\u200b", "\ufeff", "\u202e", "\u2028", "\x07"])
def test_a_lesson_that_opens_can_start_a_class(store, bad):
    """The lesson files and the store share one rule: what the one refuses the other refuses, with a reason."""
    from gru_lab import lessons
    with pytest.raises(ValueError, match="invisible or control character"):
        lessons.make_question("Which?", ["a", f"b{bad}c"], 0)
    with pytest.raises(ClassError, match="no control or invisible characters"):
        store.create("l", 3, {2: ["a", f"b{bad}c"]}, "192.0.2.1")
    long = "x" * lessons.MAX_OPTION  # the longest option a lesson allows starts a class
    store.create("l", 3, {2: ["a", long]}, "192.0.2.1")
