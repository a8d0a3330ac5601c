"""The live-class store in one SQLite file (standard-library sqlite3), for one machine's processes.

WAL mode lets readers go on while one process writes; every write is a BEGIN IMMEDIATE transaction
(it takes the write lock at once, so a read-modify-write such as a vote cannot interleave), and a
busy writer is waited for up to BUSY_TIMEOUT_MS. Each call opens and closes its own connection:
nothing is shared between threads or processes, and a fork or a dead thread leaves nothing behind.
"""
from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from .store import LIMITS, ClassStore, Limits, Record

# Columns added after the first release: an older file gets them on opening (a class store outlives an upgrade).
UPGRADES = (("classes", "client", "TEXT NOT NULL DEFAULT 'local'"), ("classes", "locked", "INTEGER NOT NULL DEFAULT 0"),
            ("classes", "settings", "TEXT NOT NULL DEFAULT '[]'"), ("stops", "shown", "INTEGER NOT NULL DEFAULT 0"))

BUSY_TIMEOUT_MS = 10_000  # a write holds the lock for well under a millisecond; 10 s only under a pile-up

SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
    code TEXT PRIMARY KEY, lesson TEXT NOT NULL, n_stops INTEGER NOT NULL, questions TEXT NOT NULL,
    token_hash TEXT NOT NULL, stop INTEGER NOT NULL, ended INTEGER NOT NULL, version INTEGER NOT NULL,
    created REAL NOT NULL, last_active REAL NOT NULL, client TEXT NOT NULL DEFAULT 'local',
    locked INTEGER NOT NULL DEFAULT 0, settings TEXT NOT NULL DEFAULT '[]');
CREATE INDEX IF NOT EXISTS classes_by_activity ON classes (last_active);
CREATE TABLE IF NOT EXISTS stops (
    code TEXT, stop INTEGER, rounds INTEGER NOT NULL, revealed INTEGER NOT NULL, shown INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (code, stop)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS students (
    code TEXT, student TEXT, nickname TEXT NOT NULL, window_start REAL NOT NULL, window_votes INTEGER NOT NULL,
    PRIMARY KEY (code, student)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hits (bucket TEXT PRIMARY KEY, window_start REAL NOT NULL, n INTEGER NOT NULL)
    WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS hits_by_age ON hits (window_start);
CREATE TABLE IF NOT EXISTS lessons (lesson TEXT PRIMARY KEY, text TEXT NOT NULL, used REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS votes (
    code TEXT, stop INTEGER, round INTEGER, student TEXT, option INTEGER NOT NULL,
    PRIMARY KEY (code, stop, round, student)) WITHOUT ROWID;
"""


class SqliteStore(ClassStore):
    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time, limits: Limits = LIMITS):
        super().__init__(clock=clock, limits=limits)
        self.path = Path(path).expanduser()
        self._ready = False  # the schema is made on first use: a file that cannot be opened is a StoreDown then

    def __repr__(self) -> str:
        return f"SqliteStore({str(self.path)!r})"

    def _outage(self, err: Exception) -> str | None:
        if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
            return f"the file {self.path} is locked by another program; try again in a moment"
        if isinstance(err, sqlite3.DatabaseError | OSError):
            return f"the file {self.path} cannot be opened or written: {err}; check that it exists, is a " \
                   "SQLite file and that this server's user may read and write it and its folder"
        return None

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            con.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across a crashed process, cheap per commit
            if not self._ready:
                con.execute("PRAGMA journal_mode=WAL")  # stored in the file: set once, holds for every connection
                con.executescript(SCHEMA)
                for table, column, kind in UPGRADES:
                    if column not in {r[1] for r in con.execute(f"PRAGMA table_info({table})")}:
                        con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
                self._ready = True
        except BaseException:
            con.close()
            raise
        return con

    def _ping(self) -> None:
        with closing(self._connect()) as con:
            con.execute("SELECT 1 FROM classes LIMIT 1").fetchall()

    def _hit(self, bucket: str, limit: int, window_s: float, now: float) -> bool:
        with self._write() as con:
            con.execute("DELETE FROM hits WHERE window_start < ?", (now - 3600 * 24,))  # any window is shorter
            row = con.execute("SELECT window_start, n FROM hits WHERE bucket = ?", (bucket,)).fetchone()
            start, n = row if row and now - row[0] < window_s else (now, 0)
            if n >= limit:
                return False
            con.execute("INSERT INTO hits VALUES (?, ?, ?) ON CONFLICT (bucket) DO UPDATE "
                        "SET window_start = excluded.window_start, n = excluded.n", (bucket, start, n + 1))
            return True

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as con:
            con.execute("BEGIN")  # one snapshot for the reads together
            try:
                yield con
            finally:
                con.execute("COMMIT")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with closing(self._connect()) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    def _gate(self, con: sqlite3.Connection, code: str, now: float) -> tuple[str | None, tuple | None]:
        """(refusal status or None, (stop, ended, last_active, locked)) for a write to a class."""
        row = con.execute("SELECT stop, ended, last_active, locked FROM classes WHERE code = ?", (code,)).fetchone()
        if row is None:
            return "unknown", None
        if row[1] or row[2] < now - self.limits.idle_s:
            return "gone", None
        return None, row

    def _create(self, code: str, lesson: str, n_stops: int, questions: str, token_hash: str, now: float,
                client: str, settings: str) -> str:
        with self._write() as con:
            old = con.execute("SELECT code FROM classes WHERE last_active < ?", (now - self.limits.idle_s,))
            old = [(c,) for (c,) in old]
            for table in ("votes", "students", "stops", "classes"):
                con.executemany(f"DELETE FROM {table} WHERE code = ?", old)
            if con.execute("SELECT COUNT(*) FROM classes WHERE ended = 0").fetchone()[0] >= self.limits.max_classes:
                return "busy"
            sql = "SELECT COUNT(*) FROM classes WHERE ended = 0 AND client = ?"
            if con.execute(sql, (client,)).fetchone()[0] >= self.limits.classes_per_client:
                return "mine"
            if con.execute("SELECT 1 FROM classes WHERE code = ?", (code,)).fetchone():
                return "taken"
            con.execute("INSERT INTO classes (code, lesson, n_stops, questions, token_hash, stop, ended, version, "
                        "created, last_active, client, locked, settings) "
                        "VALUES (?, ?, ?, ?, ?, 1, 0, 1, ?, ?, ?, 0, ?)",
                        (code, lesson, n_stops, questions, token_hash, now, now, client, settings))
            return "ok"

    def _keep_lesson(self, lesson: str, text: str, now: float) -> None:
        with self._write() as con:
            con.execute("DELETE FROM lessons WHERE used < ?", (now - self.limits.idle_s,))
            con.execute("INSERT INTO lessons VALUES (?, ?, ?) ON CONFLICT (lesson) DO UPDATE SET used = excluded.used",
                        (lesson, text, now))

    def _lesson_text(self, lesson: str) -> str | None:
        with closing(self._connect()) as con:
            row = con.execute("SELECT text FROM lessons WHERE lesson = ?", (lesson,)).fetchone()
        return row[0] if row else None

    def _record(self, code: str) -> Record | None:
        with self._read() as con:
            row = con.execute("SELECT lesson, n_stops, questions, token_hash, stop, ended, version, created, "
                              "last_active, locked, settings FROM classes WHERE code = ?", (code,)).fetchone()
            if row is None:
                return None
            students = con.execute("SELECT COUNT(*) FROM students WHERE code = ?", (code,)).fetchone()[0]
            sql = "SELECT stop, rounds, revealed, shown FROM stops WHERE code = ?"
            rounds = con.execute(sql, (code,)).fetchall()
        lesson, n_stops, questions, token_hash, stop, ended, version, created, last_active, locked, settings = row
        return Record(lesson, n_stops, {int(k): tuple(v) for k, v in json.loads(questions).items()}, token_hash,
                      stop, bool(ended), version, students, created, last_active,
                      {s: (n, bool(r), bool(sh)) for s, n, r, sh in rounds}, bool(locked),
                      tuple((k, v) for k, v in json.loads(settings)))

    def _version(self, code: str) -> tuple[int, float] | None:
        with closing(self._connect()) as con:
            return con.execute("SELECT version, last_active FROM classes WHERE code = ?", (code,)).fetchone()

    def _join(self, code: str, student: str, nickname: str, now: float) -> str:
        with self._write() as con:
            refused, row = self._gate(con, code, now)
            if refused:
                return refused
            if row[3]:
                return "locked"
            if con.execute("SELECT COUNT(*) FROM students WHERE code = ?", (code,)).fetchone()[0] \
                    >= self.limits.max_students:
                return "full"
            con.execute("INSERT INTO students VALUES (?, ?, ?, 0, 0)", (code, student, nickname))
            con.execute("UPDATE classes SET last_active = ? WHERE code = ?", (now, code))
            return "ok"

    def _has_student(self, code: str, student: str) -> bool:
        with closing(self._connect()) as con:
            sql = "SELECT 1 FROM students WHERE code = ? AND student = ?"
            return con.execute(sql, (code, student)).fetchone() is not None

    def _act(self, code: str, op: str, stop: int, now: float) -> str:
        with self._write() as con:
            refused, _ = self._gate(con, code, now)
            if refused:
                return refused
            if op == "move":
                con.execute("UPDATE classes SET stop = ? WHERE code = ?", (stop, code))
            elif op == "end":
                con.execute("UPDATE classes SET ended = 1 WHERE code = ?", (code,))
            elif op in ("lock", "unlock"):
                con.execute("UPDATE classes SET locked = ? WHERE code = ?", (int(op == "lock"), code))
            else:
                sql = "SELECT rounds, revealed, shown FROM stops WHERE code = ? AND stop = ?"
                rounds, revealed, shown = con.execute(sql, (code, stop)).fetchone() or (1, 0, 0)
                if op == "reopen":
                    if rounds >= self.limits.max_rounds:
                        return "rounds"
                    rounds, revealed, shown = rounds + 1, 0, 0
                elif op == "reveal":
                    revealed = 1
                elif op == "show":
                    shown = 1
                else:
                    raise ValueError(f"unknown class action {op!r}")
                con.execute("INSERT INTO stops (code, stop, rounds, revealed, shown) VALUES (?, ?, ?, ?, ?) "
                            "ON CONFLICT (code, stop) DO UPDATE SET rounds = excluded.rounds, "
                            "revealed = excluded.revealed, shown = excluded.shown",
                            (code, stop, rounds, revealed, shown))
            con.execute("UPDATE classes SET version = version + 1, last_active = ? WHERE code = ?", (now, code))
            return "ok"

    def _vote(self, code: str, student: str, stop: int, option: int, now: float) -> str:
        with self._write() as con:
            refused, row = self._gate(con, code, now)
            if refused:
                return refused
            window = con.execute("SELECT window_start, window_votes FROM students WHERE code = ? AND student = ?",
                                 (code, student)).fetchone()
            if window is None:
                return "student"
            if row[0] != stop:
                return "stop"
            sql = "SELECT rounds, revealed, shown FROM stops WHERE code = ? AND stop = ?"
            rnd, revealed, shown = con.execute(sql, (code, stop)).fetchone() or (1, 0, 0)
            if revealed:
                return "revealed"
            if shown:
                return "shown"
            start, count = window if now - window[0] < self.limits.vote_window_s else (now, 0)
            if count >= self.limits.vote_limit:
                return "rate"
            con.execute("UPDATE students SET window_start = ?, window_votes = ? WHERE code = ? AND student = ?",
                        (start, count + 1, code, student))
            con.execute("INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT (code, stop, round, student) "
                        "DO UPDATE SET option = excluded.option", (code, stop, rnd, student, option))
            con.execute("UPDATE classes SET last_active = ? WHERE code = ?", (now, code))
            return "ok"

    def _my_vote(self, code: str, student: str, stop: int, rnd: int) -> int | None:
        with closing(self._connect()) as con:
            row = con.execute("SELECT option FROM votes WHERE code = ? AND stop = ? AND round = ? AND student = ?",
                              (code, stop, rnd, student)).fetchone()
        return None if row is None else row[0]

    def _counts(self, code: str, keys: list[tuple[int, int, int]]) -> list[int]:
        pairs = {(s, r) for s, r, _ in keys}
        sql, args = "SELECT stop, round, option, COUNT(*) FROM votes WHERE code = ?", [code]
        if len(pairs) == 1:
            sql, args = sql + " AND stop = ? AND round = ?", [code, *next(iter(pairs))]
        with closing(self._connect()) as con:
            found = {(s, r, o): n for s, r, o, n in con.execute(sql + " GROUP BY stop, round, option", args)}
        return [found.get(k, 0) for k in keys]

    def _pairs(self, code: str, stop: int, r1: int, r2: int) -> dict[tuple[int, int], int]:
        sql = ("SELECT a.option, b.option, COUNT(*) FROM votes a JOIN votes b ON b.code = a.code AND b.stop = a.stop "
               "AND b.round = ? AND b.student = a.student WHERE a.code = ? AND a.stop = ? AND a.round = ? "
               "GROUP BY a.option, b.option")
        with closing(self._connect()) as con:
            return {(a, b): n for a, b, n in con.execute(sql, (r2, code, stop, r1))}
