"""Peer instruction's phases in the store (vote, show the split, discuss, vote again, reveal), how students moved
between rounds, and the settings a class keeps for students who type its code: on SQLite and on a real Redis
(conftest.py), and on a SQLite file an older version of the app made."""
from __future__ import annotations

import sqlite3

import pytest

from gru_lab.classes import ClassError, open_store
from gru_lab.classes.rules import token_hash

QUESTIONS = {2: ["reset gate", "update gate", "candidate"], 4: ["yes", "no"]}
CLOSED = "voting on this round has closed"


def _at(store, stop=2, settings=()):
    code, token = store.create("gru_intro", 5, QUESTIONS, "", settings)
    store.move(code, token, stop)
    return code, token


def test_show_closes_the_round_and_says_so(store):
    code, token = _at(store)
    ada, bob = store.join(code), store.join(code)
    store.vote(code, ada, 2, "candidate")
    assert not store.state(code).shown and not store.shown(code, 2)
    store.show(code, token)
    s = store.state(code)
    assert (s.round, s.shown, s.revealed) == (1, True, False) and store.shown(code, 2) and not store.shown(code, 4)
    for student, option in ((ada, "reset gate"), (bob, "candidate")):  # a change and a first vote: both refused
        with pytest.raises(ClassError, match=f"^{CLOSED}: the class's answers are shown"):
            store.vote(code, student, 2, option)
    assert store.tally(code, 2, 1) == {"reset gate": 0, "update gate": 0, "candidate": 1}
    assert store.my_vote(code, ada, 2, 1) == "candidate" and store.my_vote(code, bob, 2, 1) is None
    store.show(code, token)  # again: harmless
    assert store.state(code).shown and store.tally(code, 2, 1)["candidate"] == 1


def test_reveal_after_show_and_show_after_reveal(store):
    code, token = _at(store)
    ada = store.join(code)
    store.show(code, token)
    store.reveal(code, token)
    s = store.state(code)
    assert (s.shown, s.revealed) == (True, True) and store.revealed(code, 2)
    with pytest.raises(ClassError, match=f"^{CLOSED}: the answer is revealed"):
        store.vote(code, ada, 2, "candidate")
    store.move(code, token, 4)
    store.reveal(code, token)
    assert (store.state(code).shown, store.state(code).revealed) == (False, True)
    store.show(code, token)  # allowed once revealed too
    assert (store.state(code).shown, store.state(code).revealed) == (True, True)


def test_reopen_after_show_opens_round_2(store):
    code, token = _at(store)
    ada, bob, cy = store.join(code), store.join(code), store.join(code)
    store.vote(code, ada, 2, "candidate")
    store.vote(code, bob, 2, "reset gate")
    store.show(code, token)
    store.reopen(code, token)  # no reveal in between: peer instruction discusses the split first
    s = store.state(code)
    assert (s.round, s.shown, s.revealed) == (2, False, False)
    assert not store.shown(code, 2) and not store.revealed(code, 2) and store.rounds(code, 2) == 2
    store.vote(code, ada, 2, "update gate")  # changed
    store.vote(code, bob, 2, "reset gate")  # stayed
    store.vote(code, cy, 2, "update gate")  # voted in round 2 only
    assert store.tally(code, 2, 1) == {"reset gate": 1, "update gate": 0, "candidate": 1}
    assert store.tally(code, 2, 2) == {"reset gate": 1, "update gate": 2, "candidate": 0}
    pairs = store.pairs(code, 2, 1, 2)
    assert len(pairs) == 9 and sum(pairs.values()) == 2
    assert {k: n for k, n in pairs.items() if n} == {("candidate", "update gate"): 1, ("reset gate", "reset gate"): 1}
    assert list(pairs)[:3] == [("reset gate", "reset gate"), ("reset gate", "update gate"), ("reset gate", "candidate")]
    assert {k: n for k, n in store.pairs(code, 2, 2, 1).items() if n} == {
        ("update gate", "candidate"): 1, ("reset gate", "reset gate"): 1}
    assert {k: n for k, n in store.pairs(code, 2, 2, 2).items() if n} == {
        ("update gate", "update gate"): 2, ("reset gate", "reset gate"): 1}
    store.show(code, token)
    store.reveal(code, token)
    store.reopen(code, token)
    s = store.state(code)
    assert (s.round, s.shown, s.revealed) == (3, False, False)
    store.vote(code, ada, 2, "candidate")
    assert store.pairs(code, 2, 1, 3)[("candidate", "candidate")] == 1 and sum(store.pairs(code, 2, 2, 3).values()) == 1


def test_round_2_opens_before_any_show_or_reveal(store):
    code, token = _at(store)
    ada = store.join(code)
    store.vote(code, ada, 2, "candidate")
    store.reopen(code, token)
    s = store.state(code)
    assert (s.round, s.shown, s.revealed) == (2, False, False)
    store.vote(code, ada, 2, "reset gate")
    assert store.pairs(code, 2, 1, 2)[("candidate", "reset gate")] == 1


def test_pairs_checks_its_input(store):
    code, token = _at(store)
    assert set(store.pairs(code, 4, 1, 1).values()) == {0} and len(store.pairs(code, 4, 1, 1)) == 4
    for bad, match in (((2, 1, 2), "stop 2 has rounds 1 to 1"), ((2, 0, 1), "rounds 1 to 1"),
                       ((2, 1, True), "rounds 1 to 1"), ((2, "1", 1), "rounds 1 to 1"),
                       ((3, 1, 1), "stop 3 has no question"), ((9, 1, 1), "from 1 to 5"),
                       ((None, 1, 1), "from 1 to 5")):
        with pytest.raises(ClassError, match=match):
            store.pairs(code, *bad)
    for bad_code, match in (("nope", "not a class code"), ("ABCDEFGH", "no class with this code")):
        with pytest.raises(ClassError, match=match):
            store.pairs(bad_code, 2, 1, 1)


def test_only_the_teacher_shows_and_every_show_bumps_the_version(store):
    code, token = _at(store)
    student = store.join(code)
    before = store.state(code)
    for bad in (student, token[:-1] + ("A" if token[-1] != "A" else "B"), "", None):
        with pytest.raises(ClassError, match="only the teacher's link can show the class's answers"):
            store.show(code, bad)
    assert store.state(code) == before
    versions = [store.version(code)]
    for act in (lambda: store.show(code, token), lambda: store.show(code, token), lambda: store.reveal(code, token),
                lambda: store.reopen(code, token), lambda: store.show(code, token)):
        act()
        versions.append(store.version(code))
        assert store.state(code).updated == versions[-1]
    assert versions == sorted(set(versions))
    store.move(code, token, 3)
    with pytest.raises(ClassError, match="stop 3 has no question"):
        store.show(code, token)
    store.move(code, token, 2)
    store.end(code, token)
    with pytest.raises(ClassError, match="this class has ended or expired"):
        store.show(code, token)


def test_a_class_keeps_its_settings(store):
    code, _ = _at(store, settings=(("seed", "3"), ("reset", "after")))
    assert store.state(code).settings == (("seed", "3"), ("reset", "after"))
    code, _ = _at(store, settings=[["update", "take"]])  # a list of lists, as built by a page, is fine
    assert store.state(code).settings == (("update", "take"),)
    code, _ = _at(store)
    assert store.state(code).settings == ()


@pytest.mark.parametrize("settings,match", [
    ((("lesson", "x"),), "from seed, reset, update"), ((("seed", "1"), ("seed", "2")), "each name once"),
    ((("seed", ""),), "1 to 12 letters"), ((("seed", "1234567890123"),), "1 to 12 letters"),
    ((("seed", "a b"),), "1 to 12 letters"), ((("seed", "<b>"),), "1 to 12 letters"),
    ((("seed", "1\n"),), "1 to 12 letters"), ((("seed", "é"),), "1 to 12 letters"), ((("seed", 3),), "pairs"),
    ((("seed",),), "pairs"), (("seed=3",), "pairs"), ({"seed": "3"}, "pairs"), ("seed=3", "pairs"), (None, "pairs"),
    ((("seed", "1"), ("reset", "after"), ("update", "take"), ("seed", "2")), "pairs"),
])
def test_settings_are_checked(store, settings, match):
    with pytest.raises(ClassError, match=match):
        store.create("gru_intro", 5, QUESTIONS, "", settings)


OLD_SCHEMA = """
CREATE TABLE classes (
    code TEXT PRIMARY KEY, lesson TEXT NOT NULL, n_stops INTEGER NOT NULL, questions TEXT NOT NULL,
    token_hash TEXT NOT NULL, stop INTEGER NOT NULL, ended INTEGER NOT NULL, version INTEGER NOT NULL,
    created REAL NOT NULL, last_active REAL NOT NULL, client TEXT NOT NULL DEFAULT 'local',
    locked INTEGER NOT NULL DEFAULT 0);
CREATE INDEX classes_by_activity ON classes (last_active);
CREATE TABLE stops (
    code TEXT, stop INTEGER, rounds INTEGER NOT NULL, revealed INTEGER NOT NULL,
    PRIMARY KEY (code, stop)) WITHOUT ROWID;
CREATE TABLE students (
    code TEXT, student TEXT, nickname TEXT NOT NULL, window_start REAL NOT NULL, window_votes INTEGER NOT NULL,
    PRIMARY KEY (code, student)) WITHOUT ROWID;
CREATE TABLE hits (bucket TEXT PRIMARY KEY, window_start REAL NOT NULL, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX hits_by_age ON hits (window_start);
CREATE TABLE lessons (lesson TEXT PRIMARY KEY, text TEXT NOT NULL, used REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE votes (
    code TEXT, stop INTEGER, round INTEGER, student TEXT, option INTEGER NOT NULL,
    PRIMARY KEY (code, stop, round, student)) WITHOUT ROWID;
"""


def test_a_sqlite_file_of_the_previous_version_keeps_working(tmp_path, clock):
    """A class store outlives an upgrade: a file with the previous layout (no `settings`, no `shown`), holding a
    live class mid-lesson, opens; its class goes on (show, vote, reopen, pairs) and new classes keep settings."""
    path, code, token, ada, bob = tmp_path / "old.sqlite3", "ABCDEFGH", "t" * 32, "a" * 22, "b" * 22
    with sqlite3.connect(path) as con:
        con.executescript(OLD_SCHEMA)
        con.execute("INSERT INTO classes VALUES (?, 'gru_intro', 5, ?, ?, 2, 0, 7, ?, ?, 'local', 0)",
                    (code, '{"2": ["reset gate", "update gate", "candidate"], "4": ["yes", "no"]}', token_hash(token),
                     clock.t, clock.t))
        con.execute("INSERT INTO stops VALUES (?, 2, 1, 1)", (code,))  # stop 2: round 1 revealed
        con.executemany("INSERT INTO students VALUES (?, ?, '', 0, 0)", [(code, ada), (code, bob)])
        con.executemany("INSERT INTO votes VALUES (?, 2, 1, ?, ?)", [(code, ada, 2), (code, bob, 0)])
    con.close()
    store = open_store(f"sqlite://{path}", clock=clock)
    s = store.state(code)
    assert (s.stop, s.round, s.revealed, s.shown, s.settings, s.updated) == (2, 1, True, False, (), 7)
    assert store.tally(code, 2, 1) == {"reset gate": 1, "update gate": 0, "candidate": 1}
    store.show(code, token)
    assert store.state(code).shown and store.state(code).revealed
    store.reopen(code, token)
    store.vote(code, ada, 2, "candidate")
    store.vote(code, bob, 2, "update gate")
    store.show(code, token)
    with pytest.raises(ClassError, match=CLOSED):
        store.vote(code, ada, 2, "reset gate")
    assert {k: n for k, n in store.pairs(code, 2, 1, 2).items() if n} == {
        ("candidate", "candidate"): 1, ("reset gate", "update gate"): 1}
    new, _ = store.create("gru_intro", 5, QUESTIONS, "", (("seed", "3"),))
    assert store.state(new).settings == (("seed", "3"),) and store.state(code).settings == ()
    again = open_store(f"sqlite://{path}", clock=clock)  # a second process on the upgraded file
    assert again.state(code) == store.state(code) and again.state(new).settings == (("seed", "3"),)


def test_a_redis_class_of_the_previous_version_keeps_working(redis_url, clock):
    """Redis: a class stored before classes kept settings has no `settings` field; it reads as none."""
    store = open_store(redis_url, clock=clock)
    try:
        code, token = _at(store, settings=(("seed", "3"),))
        store.redis.hdel(store._key(code), "settings")
        assert store.state(code).settings == () and not store.state(code).shown
        store.show(code, token)
        assert store.state(code).shown
    finally:
        store.close()
