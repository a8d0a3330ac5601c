"""The live-class store: every test runs on SQLite and on a real Redis (conftest.py)."""
from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gru_lab.classes import ClassError, Limits, default_path, open_store
from gru_lab.classes import store as store_module
from gru_lab.classes.sqlite_store import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = {2: ["reset gate", "update gate", "candidate"], 4: ["yes", "no"]}


def _new(store, n_stops=5, questions=QUESTIONS, client=""):
    code, token = store.create("gru_intro", n_stops, questions, client)
    return code, token


def _at(store, stop=2):
    code, token = _new(store)
    store.move(code, token, stop)
    return code, token


def test_create_join_state(store, clock):
    code, token = _new(store)
    s = store.state(code)
    assert (s.code, s.lesson, s.n_stops, s.stop, s.round, s.revealed, s.ended, s.students) == (
        code, "gru_intro", 5, 1, 1, False, False, 0)
    assert s.created == s.last_active == clock.t and s.options == ()
    clock.advance(5)
    student = store.join(code, "Ada")
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", student) and store.student_exists(code, student)
    assert not store.student_exists(code, "x" * 22) and not store.student_exists(code, token)
    s2 = store.state(code)
    assert s2.students == 1 and s2.last_active == clock.t and s2.updated == s.updated  # joining is no teacher action
    store.move(code, token, 2)
    assert store.state(code).options == tuple(QUESTIONS[2])


def test_codes_are_8_unambiguous_symbols_and_random(store):
    made = [_new(store, client=f"10.0.{i // 10}.{i}") for i in range(60)]  # 60 teachers: under each one's limits
    codes = [c for c, _ in made]
    assert all(re.fullmatch(r"[2-9A-HJ-NP-Z]{8}", c) for c in codes) and len(set(codes)) == len(codes)
    assert len(set("".join(codes))) > 25  # 480 draws from 32 symbols: nearly all show up
    assert len({t for _, t in made}) == len(made) and all(len(t) == 32 for _, t in made)
    # typed on a phone: lower case, spaces and a hyphen are fine
    assert store.join(f" {codes[0][:4].lower()}-{codes[0][4:]} ")


@pytest.mark.parametrize("forged", ["", "ABC", "ABCDEFGH1", "ABCDEFG0", "ABCDEFGO", "ABCD EFG!", "ÄBCDEFGH",
                                    "A" * 1000, None, 12345678, ["ABCDEFGH"]])
def test_forged_codes_are_refused_before_the_store(store, forged):
    for call in (lambda: store.join(forged), lambda: store.state(forged), lambda: store.version(forged)):
        with pytest.raises(ClassError, match="not a class code: codes are 8 letters and digits"):
            call()


def test_unknown_code(store):
    with pytest.raises(ClassError, match=r"no class with this code \(it may have ended\)"):
        store.join("ABCDEFGH")
    with pytest.raises(ClassError, match="no class with this code"):
        store.version("ABCDEFGH")


@pytest.mark.parametrize("lesson,n_stops,questions,match", [
    ("gru intro", 5, {}, "lesson id"), ("x" * 65, 5, {}, "lesson id"), (None, 5, {}, "lesson id"),
    ("l", 0, {}, "1 to 30 stops"), ("l", 31, {}, "1 to 30 stops"), ("l", True, {}, "1 to 30 stops"),
    ("l", 3, {4: ["a", "b"]}, "from 1 to 3"), ("l", 3, {"2": ["a", "b"]}, "from 1 to 3"),
    ("l", 3, {2: ["a"]}, "2 to 4 options"), ("l", 3, {2: list("abcde")}, "2 to 4 options"),
    ("l", 3, {2: ["a", "x" * 161]}, "1 to 160 characters"), ("l", 3, {2: ["a", "b\x00"]}, "invisible"),
    ("l", 3, {2: ["a", "b\u200bc"]}, "invisible"), ("l", 3, {2: ["\ufeffa", "b"]}, "invisible"),
    ("l", 3, {2: ["a", "b\u202ec"]}, "invisible"), ("l", 3, {2: ["a", "b\u2028c"]}, "invisible"),
    ("l", 3, {2: ["a", " a "]}, "must differ"), ("l", 3, [["a", "b"]], "map a stop"),
])
def test_create_checks_its_input(store, lesson, n_stops, questions, match):
    with pytest.raises(ClassError, match=match):
        store.create(lesson, n_stops, questions)


def test_only_the_teacher_token_acts(store):
    code, token = _new(store)
    other_code, other_token = _new(store)
    student = store.join(code)
    store.move(code, token, 2)
    before = store.state(code)
    for bad in (student, other_token, token[:-1] + ("A" if token[-1] != "A" else "B"), "", None, 7, "x" * 10_000):
        for action, what in ((lambda t: store.move(code, t, 3), "move between stops"),
                             (lambda t: store.reveal(code, t), "reveal the answer"),
                             (lambda t: store.reopen(code, t), "reopen the vote"),
                             (lambda t: store.end(code, t), "end the class"),
                             (lambda t: store.export_rows(code, t), "download the tallies")):
            with pytest.raises(ClassError, match=f"only the teacher's link can {what}"):
                action(bad)
    assert store.state(code) == before


def test_teacher_moves_and_every_action_bumps_the_version(store):
    code, token = _new(store)
    versions = [store.version(code)]
    for act in (lambda: store.move(code, token, 2), lambda: store.reveal(code, token),
                lambda: store.reopen(code, token), lambda: store.move(code, token, 5), lambda: store.end(code, token)):
        act()
        versions.append(store.version(code))
        assert store.state(code).updated == versions[-1]
    assert versions == sorted(set(versions))
    for stop in (0, 6, "2", 2.0, True, None):
        code2, token2 = _new(store)
        with pytest.raises(ClassError, match="a stop is a whole number from 1 to 5"):
            store.move(code2, token2, stop)
    with pytest.raises(ClassError, match="stop 1 has no question"):
        store.reveal(code2, token2)


def test_a_later_vote_replaces_the_earlier(store):
    code, token = _at(store)
    ada, bob = store.join(code, "Ada"), store.join(code, "Bob")
    store.vote(code, ada, 2, "reset gate")
    store.vote(code, bob, 2, "reset gate")
    store.vote(code, ada, 2, "update gate")
    store.vote(code, ada, 2, "update gate")
    assert store.tally(code, 2, 1) == {"reset gate": 1, "update gate": 1, "candidate": 0}
    assert store.my_vote(code, ada, 2, 1) == "update gate" and store.my_vote(code, bob, 2, 1) == "reset gate"
    assert store.my_vote(code, "n" * 22, 2, 1) is None and store.my_vote(code, None, 2, 1) is None


def test_votes_only_on_the_current_stop_and_its_options(store):
    code, token = _at(store)
    ada = store.join(code)
    store.move(code, token, 4)
    with pytest.raises(ClassError, match="current stop only"):
        store.vote(code, ada, 2, "reset gate")
    with pytest.raises(ClassError, match="not an option of stop 4: choose one of yes; no"):
        store.vote(code, ada, 4, "maybe")
    with pytest.raises(ClassError, match="stop 3 has no question"):
        store.vote(code, ada, 3, "yes")
    with pytest.raises(ClassError, match="from 1 to 5"):
        store.vote(code, ada, 9, "yes")
    for student in ("n" * 22, token, None, ""):
        with pytest.raises(ClassError, match="not a student of this class"):
            store.vote(code, student, 4, "yes")
    assert store.tally(code, 4, 1) == {"yes": 0, "no": 0} and store.tally(code, 2, 1)["reset gate"] == 0


def test_reveal_closes_and_reopen_starts_round_2_keeping_round_1(store):
    code, token = _at(store)
    ada, bob = store.join(code), store.join(code)
    store.vote(code, ada, 2, "candidate")
    store.vote(code, bob, 2, "reset gate")
    store.reveal(code, token)
    assert store.state(code).revealed
    with pytest.raises(ClassError, match="closed: the answer is revealed"):
        store.vote(code, ada, 2, "update gate")
    store.reopen(code, token)
    s = store.state(code)
    assert (s.round, s.revealed) == (2, False) and store.rounds(code, 2) == 2 and store.rounds(code, 4) == 1
    store.vote(code, ada, 2, "update gate")
    assert store.tally(code, 2, 1) == {"reset gate": 1, "update gate": 0, "candidate": 1}
    assert store.tally(code, 2, 2) == {"reset gate": 0, "update gate": 1, "candidate": 0}
    assert store.my_vote(code, ada, 2, 1) == "candidate" and store.my_vote(code, bob, 2, 2) is None
    with pytest.raises(ClassError, match="stop 2 has rounds 1 to 2"):
        store.tally(code, 2, 3)
    store.move(code, token, 4)
    store.move(code, token, 2)  # coming back keeps the stop's round
    assert store.state(code).round == 2


def test_rounds_are_limited(open_class_store):
    store = open_class_store(limits=Limits(max_rounds=3))
    code, token = _at(store)
    store.reopen(code, token)
    store.reopen(code, token)
    with pytest.raises(ClassError, match="at most 3 rounds"):
        store.reopen(code, token)
    assert store.rounds(code, 2) == 3


def test_tally_is_exact_under_50_concurrent_voters(open_class_store):
    store = open_class_store(clock=time.time)
    code, token = _at(store)
    options = QUESTIONS[2]
    students = [store.join(code, f"s{i}") for i in range(50)]
    barrier, errors = threading.Barrier(50), []

    def voter(i: int, student: str) -> None:
        try:
            barrier.wait()
            store.vote(code, student, 2, options[(i + 1) % 3])  # changes its mind: only the last vote counts
            store.vote(code, student, 2, options[i % 3])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=voter, args=(i, s)) for i, s in enumerate(students)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.tally(code, 2, 1) == {"reset gate": 17, "update gate": 17, "candidate": 16}


_WORKER = """
import sys, time
from gru_lab.classes import open_store
url, code, stop, option, n, start = sys.argv[1:]
store = open_store(url)
students = [store.join(code, client=f"10.1.{option.count('e')}.{i}") for i in range(int(n))]  # 100 phones
time.sleep(max(0.0, float(start) - time.time()))
for s in students:
    store.vote(code, s, int(stop), option)
"""


def test_tally_is_exact_with_4_voting_processes(store_url):
    store = open_store(store_url)
    code, token = _at(store)
    start = time.time() + 1.5  # all four processes vote at once
    procs = [subprocess.Popen([sys.executable, "-c", _WORKER, store_url, code, "2", option, "25", str(start)],
                              cwd=ROOT, stderr=subprocess.PIPE, text=True)
             for option in ("reset gate", "update gate", "candidate", "candidate")]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    assert store.tally(code, 2, 1) == {"reset gate": 25, "update gate": 25, "candidate": 50}
    assert store.state(code).students == 100


def test_live_classes_are_limited(open_class_store, clock):
    store = open_class_store(limits=Limits(max_classes=3))
    made = [_new(store) for _ in range(3)]
    with pytest.raises(ClassError, match=r"too many live classes on this server right now \(at most 3\)"):
        _new(store)
    store.end(*made[0])  # an ended class frees its place but can still be exported
    code, token = _new(store)
    assert store.export_rows(*made[0])
    with pytest.raises(ClassError, match="too many live classes"):
        _new(store)
    clock.advance(3 * 3600)
    store.join(code)  # one class stays active, the others go idle
    clock.advance(1.5 * 3600)
    _new(store)
    _new(store)  # the idle ones were purged
    for gone in made:
        with pytest.raises(ClassError, match="no class with this code"):
            store.state(gone[0])


def test_students_per_class_are_limited(open_class_store):
    store = open_class_store(limits=Limits(max_students=5))
    code, _ = _new(store)
    for _ in range(5):
        store.join(code)
    with pytest.raises(ClassError, match=r"this class is full \(at most 5 students\)"):
        store.join(code)
    assert store.state(code).students == 5


def test_votes_are_rate_limited(store, clock):
    code, token = _at(store)
    ada, bob = store.join(code), store.join(code)
    for i in range(10):
        store.vote(code, ada, 2, QUESTIONS[2][i % 3])
        clock.advance(0.5)
    with pytest.raises(ClassError, match="too many votes: wait 10 seconds, then vote again"):
        store.vote(code, ada, 2, "candidate")
    store.vote(code, bob, 2, "candidate")  # per student
    assert store.my_vote(code, ada, 2, 1) == "reset gate"  # the refused vote changed nothing
    clock.advance(5.1)
    store.vote(code, ada, 2, "candidate")
    assert store.tally(code, 2, 1) == {"reset gate": 0, "update gate": 0, "candidate": 2}


def test_an_idle_class_expires(store, clock):
    code, token = _at(store)
    ada = store.join(code)
    clock.advance(3.9 * 3600)
    store.vote(code, ada, 2, "candidate")  # activity keeps it alive
    clock.advance(3.9 * 3600)
    assert store.state(code).stop == 2
    clock.advance(0.2 * 3600)
    for call in (lambda: store.state(code), lambda: store.version(code), lambda: store.join(code),
                 lambda: store.vote(code, ada, 2, "yes"), lambda: store.move(code, token, 3),
                 lambda: store.tally(code, 2, 1)):
        with pytest.raises(ClassError, match="this class has ended or expired"):
            call()


def test_an_ended_class_is_read_only(store):
    code, token = _at(store)
    ada = store.join(code)
    store.vote(code, ada, 2, "candidate")
    store.end(code, token)
    assert store.state(code).ended
    for call in (lambda: store.join(code), lambda: store.vote(code, ada, 2, "candidate"),
                 lambda: store.move(code, token, 3), lambda: store.reopen(code, token), lambda: store.end(code, token)):
        with pytest.raises(ClassError, match="this class has ended or expired"):
            call()
    assert store.tally(code, 2, 1)["candidate"] == 1 and store.student_exists(code, ada)


@pytest.mark.parametrize("nickname,expected", [
    ("", ""), ("  Ada  ", "Ada"), ("Zoë O'Neil-Smith", "Zoë O'Neil-Smith"), ("José  (2b)", "José (2b)"),
    ("x" * 24, "x" * 24), ("Hi!?.,_", "Hi!?.,_"),
])
def test_nicknames_accepted(store, nickname, expected):
    code, _ = _new(store)
    assert store.join(code, nickname)
    assert store_module.check_nickname(nickname) == expected


@pytest.mark.parametrize("nickname,match", [
    ("x" * 25, "too long: at most 24"), ("a\x07b", r"'\\x07' not allowed"), ("tab\there", "not allowed"),
    ("<b>bold</b>", "'/<>' not allowed; use letters, digits, spaces"), ("a;b", "not allowed"),
    ("💥", "not allowed"), (None, "is text"), ("x\n", None),
])
def test_nicknames_refused(store, nickname, match):
    code, _ = _new(store)
    if match is None:  # a trailing newline is stripped like other outer space
        assert store.join(code, nickname)
        return
    with pytest.raises(ClassError, match=match):
        store.join(code, nickname)
    assert store.state(code).students == 0


def test_csv_has_counts_and_no_student_ids(store):
    code, token = _at(store)
    students = [store.join(code, f"Kid {i}") for i in range(4)]
    for s, option in zip(students, ["candidate", "candidate", "reset gate", "update gate"], strict=True):
        store.vote(code, s, 2, option)
    store.reveal(code, token)
    store.reopen(code, token)
    for s in students[:3]:
        store.vote(code, s, 2, "candidate")
    store.move(code, token, 4)
    store.vote(code, students[0], 4, "no")
    text = store.csv_text(code, token, {2: "candidate"}, {2: ("Which gate", "Which gate keeps the past?")})
    assert not any(s in text for s in students) and "Kid" not in text and token not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == store_module.EXPORT_HEADER and len(rows) == 1 + 3 * 2 + 2
    by = {(r[0], r[2], r[3]): r for r in rows[1:]}
    assert by["2", "1", "candidate"][4:] == ["yes", "2", "4", "0.5", "Which gate", "Which gate keeps the past?"]
    assert by["2", "1", "reset gate"][4:8] == ["no", "1", "4", "0.5"]
    assert by["2", "2", "candidate"][4:8] == ["yes", "3", "3", "1.0"]
    assert by["4", "1", "no"][4:] == ["", "1", "1", "", "", ""] and by["4", "1", "yes"][5] == "0"
    with pytest.raises(ClassError, match="right answers"):
        store.export_rows(code, token, {2: "maybe"})
    with pytest.raises(ClassError, match="right answers"):
        store.export_rows(code, token, {3: "yes"})


def test_csv_cells_never_start_a_formula(store):
    code, token = store.create("l", 2, {1: ["=HYPERLINK(1)", "+2", "@x", "plain"]})
    text = store.csv_text(code, token)
    assert "\n1,'=HYPERLINK(1) | +2 | @x | plain,1,'=HYPERLINK(1),,0,0,,,\n" in text
    text = store.csv_text(code, token, stops={1: ("=cmd()", "-2+3")})  # a lesson's title and question too
    assert "'=cmd(),'-2+3\n" in text


def test_a_second_store_object_sees_the_same_classes(open_class_store):
    first = open_class_store()
    code, token = _at(first)
    ada = first.join(code, "Ada")
    first.vote(code, ada, 2, "candidate")
    second = open_class_store()  # a replica restarted, or another one
    assert second.state(code) == first.state(code) and second.student_exists(code, ada)
    second.reveal(code, token)
    assert first.state(code).revealed and first.tally(code, 2, 1)["candidate"] == 1


def test_open_store_picks_the_backend(tmp_path, monkeypatch):
    assert isinstance(open_store(str(tmp_path / "a.sqlite3")), SqliteStore)
    s = open_store(f"sqlite://{tmp_path}/b/c.sqlite3")
    assert isinstance(s, SqliteStore) and s.path == tmp_path / "b" / "c.sqlite3"
    try:
        r = open_store("redis://127.0.0.1:1/3")  # connects lazily
        assert type(r).__name__ == "RedisStore" and r.redis.connection_pool.connection_kwargs["db"] == 3
    except ImportError:  # no redis package: the Redis fixtures say how to install it
        pass
    for bad in ("postgres://x/y", "http://h", ":memory:", "sqlite://", "sqlite://:memory:"):
        with pytest.raises(ValueError, match="redis://host:port/db, sqlite:///path/to/file or a file path"):
            open_store(bad)
    monkeypatch.setenv("GRU_LAB_CLASS_STORE", f"sqlite://{tmp_path}/env.sqlite3")
    assert open_store().path == tmp_path / "env.sqlite3"
    monkeypatch.delenv("GRU_LAB_CLASS_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_path() == tmp_path / "xdg" / "gru_lab" / "classes.sqlite3" == open_store().path
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_path() == Path.home() / ".local" / "share" / "gru_lab" / "classes.sqlite3"


def test_the_sqlite_file_is_in_wal_mode(tmp_path):
    import sqlite3
    open_store(str(tmp_path / "w.sqlite3")).ping()
    with sqlite3.connect(tmp_path / "w.sqlite3") as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_default_limits_are_the_documented_constants():
    m = store_module
    assert m.LIMITS == Limits(m.IDLE_HOURS, m.MAX_CLASSES, m.MAX_STUDENTS, m.MAX_ROUNDS, m.VOTE_LIMIT,
                              m.VOTE_WINDOW_S, m.CLASSES_PER_CLIENT, m.CREATIONS_PER_HOUR, m.JOINS_PER_MINUTE)
    # one address can never hold every class slot, nor fill a class within a few minutes
    assert m.CLASSES_PER_CLIENT < m.MAX_CLASSES and m.MAX_STUDENTS / m.JOINS_PER_MINUTE > 5
    assert (m.IDLE_HOURS, m.MAX_CLASSES, m.MAX_STUDENTS, m.VOTE_LIMIT, m.VOTE_WINDOW_S) == (4, 200, 400, 10, 10)
    assert len(m.CODE_ALPHABET) == 32 and not set("0O1I") & set(m.CODE_ALPHABET)


def test_a_lesson_text_is_kept_for_every_replica(store, store_url):
    """The teacher's own lesson travels by its id: another store on the same file or Redis (another replica)
    reads the same text; a malformed id reads nothing, and an oversized text is refused."""
    store.keep_lesson("abc123def456", '{"title": "Mine"}')
    assert open_store(store_url).lesson_text("abc123def456") == '{"title": "Mine"}'
    assert store.lesson_text("no-such-lesson") is None
    assert store.lesson_text("../etc/passwd") is None
    with pytest.raises(ClassError, match="at most"):
        store.keep_lesson("abc123def456", "x" * (store_module.MAX_LESSON_CHARS + 1))
    with pytest.raises(ClassError, match="lesson id"):
        store.keep_lesson("bad id!", "{}")


def test_is_teacher_checks_the_token_without_acting(store):
    code, token = _new(store)
    version = store.version(code)
    assert store.is_teacher(code, token)
    assert not store.is_teacher(code, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not store.is_teacher(code, store.join(code))
    assert store.version(code) == version, "checking acted"
    with pytest.raises(ClassError, match="not a class code"):
        store.is_teacher("nope", token)
