"""The live-class interface over its rules (rules.py: limits, messages, input checks); the backends fill in the
`_` primitives.

Interface (`ClassStore`; every refusal is a `ClassError`, a ValueError with a short plain-text message
that names what is allowed):
    create(lesson, n_stops, questions, client, settings) -> (code, teacher_token)
    join(code, nickname="", client) -> student    student_exists(code, student) -> bool
    state(code) -> ClassState                      version(code) -> int   (bumped by every teacher action)
    move(code, token, stop)   show(code, token)   reveal(code, token)   reopen(code, token)   end(code, token)
                                                   (teacher only)
    lock(code, token, locked)                      (teacher only: no one joins while locked)
    is_teacher(code, token) -> bool
    vote(code, student, stop, option)              my_vote(code, student, stop, round) -> str | None
    tally(code, stop, round) -> {option: votes}    rounds(code, stop) -> int    revealed(code, stop) -> bool
    pairs(code, stop, r1, r2) -> {(a, b): students}                              shown(code, stop) -> bool
    export_rows(code, token, right) -> [row]       csv_text(code, token, right) -> str   (no student ids)
    keep_lesson(lesson, text)                      lesson_text(lesson) -> str | None   (the lesson's file text,
                                                   so every replica can show a teacher's own lesson)
`client` is the address a request came from (`check_client`): creations and joins are limited per client as
well as per deployment and per class, so that one script cannot take every class slot or fill a class.
A backend that cannot be reached raises `StoreDown` (a ClassError) naming what failed, never its own error.
`stop` counts from 1; `round` counts a stop's votes from 1 (`reopen` starts the next, earlier rounds are kept);
`show`/`reveal`/`reopen` act on the current stop's latest round. Peer instruction's phases: a round is open (votes
count), then shown (its split is shown to the room, voting on it closed) and/or revealed (the answer shown, voting
closed), in either order; `reopen` starts the next round, open again. `pairs` counts how students moved between
two rounds. A class keeps the lesson page's settings its join link carries (`settings`: seed, reset, update), so
a student who types the code lands on the same lesson. An ended class can still be read and exported until it
expires.
Nicknames: letters, digits, spaces and . , ' - _ ! ? ( ) only, so HTML such as `<b>` is refused, not escaped.
Each write primitive is one atomic transaction (SQLite BEGIN IMMEDIATE, a Redis Lua script) and returns a
status word (`ok` or a key of STATUS) that `ClassStore` turns into the message.
"""
from __future__ import annotations

import abc
import csv
import dataclasses
import functools
import hmac
import io
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from .rules import (  # noqa: F401 - the rules' names, as the store's interface always gave them
    _CODE,
    _LESSON,
    _STUDENT,
    CLASSES_PER_CLIENT,
    CODE_ALPHABET,
    CODE_LENGTH,
    CREATIONS_PER_HOUR,
    EXPORT_HEADER,
    IDLE_HOURS,
    JOINS_PER_MINUTE,
    LIMITS,
    MAX_CLASSES,
    MAX_LESSON_CHARS,
    MAX_OPTION_CHARS,
    MAX_OPTIONS,
    MAX_ROUNDS,
    MAX_STOPS,
    MAX_STUDENTS,
    NICKNAME_CHARS,
    SETTING_NAMES,
    STATUS,
    VOTE_LIMIT,
    VOTE_WINDOW_S,
    ClassError,
    Limits,
    StoreDown,
    check_client,
    check_code,
    check_nickname,
    check_questions,
    check_settings,
    check_stop,
    token_hash,
)


@dataclass(frozen=True)
class ClassState:
    code: str
    lesson: str
    n_stops: int
    stop: int  # the teacher's current stop, 1..n_stops
    round: int  # the current stop's round, from 1
    revealed: bool  # the current stop's round is revealed (voting closed)
    ended: bool
    students: int
    updated: int  # version: bumped by every teacher action
    created: float
    last_active: float
    options: tuple[str, ...]  # the current stop's options; () when it has no question
    locked: bool = False  # the teacher closed joining
    shown: bool = False  # the current stop's round has its split shown to the room (voting on it closed)
    settings: tuple[tuple[str, str], ...] = ()  # the lesson page's settings the class keeps: (name, value) pairs


FRESH = (1, False, False)  # a stop nobody acted on: round 1, not revealed, not shown


@dataclass(frozen=True)
class Record:
    """A class as a backend reads it; `rounds` maps a stop to (rounds, latest round revealed, latest round shown),
    default FRESH."""
    lesson: str
    n_stops: int
    questions: dict[int, tuple[str, ...]]
    token_hash: str
    stop: int
    ended: bool
    version: int
    students: int
    created: float
    last_active: float
    rounds: dict[int, tuple[int, bool, bool]]
    locked: bool = False
    settings: tuple[tuple[str, str], ...] = ()


def _guarded(primitive: Callable) -> Callable:
    @functools.wraps(primitive)
    def guarded(self: ClassStore, *args, **kwargs):
        try:
            return primitive(self, *args, **kwargs)
        except ClassError:
            raise
        except Exception as err:
            what = self._outage(err)
            if what is None:
                raise
            raise StoreDown(what) from err
    return guarded


def _cell(value: object) -> object:
    """A spreadsheet must not run a label as a formula."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class ClassStore(abc.ABC):
    """The one interface; `clock` (seconds, default time.time) is injectable so tests need not sleep."""

    def __init__(self, *, clock: Callable[[], float] = time.time, limits: Limits = LIMITS):
        self.clock, self.limits = clock, limits

    # -- the backend primitives: each write is atomic and returns "ok" or a STATUS key ---------------------
    # _create: purge expired classes, then insert unless "busy" (max_classes live) or "taken" (code in use).
    # _create also refuses "mine" when `client` already holds classes_per_client live classes.
    # _act: op "move" (to stop), "show" / "reveal" / "reopen" (stop's latest round), "end", "lock" / "unlock"
    # (joining); each bumps the version. _join refuses "locked" while the class is locked. _vote refuses
    # "revealed" / "shown" for a closed round.
    # _pairs -> {(option index in r1, option index in r2): students} over the students who voted in both.
    # _version -> (version, last_active); _counts -> the votes of each (stop, round, option index).
    # _hit: count one request under `bucket` in a fixed window of window_s; False (not counted) past `limit`.
    # _ping: a cheap round trip (raises when the store is down).
    # Every primitive's own errors (a lost connection, an unwritable file) become StoreDown through
    # _outage, which a backend defines: no page ever shows a backend's traceback.
    PRIMITIVES = ("_create", "_record", "_version", "_join", "_has_student", "_act", "_vote", "_my_vote", "_counts",
                  "_pairs", "_keep_lesson", "_lesson_text", "_hit", "_ping")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name in cls.PRIMITIVES:
            if name in vars(cls):
                setattr(cls, name, _guarded(vars(cls)[name]))

    @abc.abstractmethod
    def _outage(self, err: Exception) -> str | None:
        """What failed, in words for a teacher (no secret), if `err` means the store is unreachable; else None."""

    @abc.abstractmethod
    def _create(self, code: str, lesson: str, n_stops: int, questions: str, token_hash: str, now: float,
                client: str, settings: str) -> str: ...
    @abc.abstractmethod
    def _record(self, code: str) -> Record | None: ...
    @abc.abstractmethod
    def _version(self, code: str) -> tuple[int, float] | None: ...
    @abc.abstractmethod
    def _join(self, code: str, student: str, nickname: str, now: float) -> str: ...
    @abc.abstractmethod
    def _has_student(self, code: str, student: str) -> bool: ...
    @abc.abstractmethod
    def _act(self, code: str, op: str, stop: int, now: float) -> str: ...
    @abc.abstractmethod
    def _vote(self, code: str, student: str, stop: int, option: int, now: float) -> str: ...
    @abc.abstractmethod
    def _my_vote(self, code: str, student: str, stop: int, rnd: int) -> int | None: ...
    @abc.abstractmethod
    def _counts(self, code: str, keys: list[tuple[int, int, int]]) -> list[int]: ...
    @abc.abstractmethod
    def _pairs(self, code: str, stop: int, r1: int, r2: int) -> dict[tuple[int, int], int]: ...
    @abc.abstractmethod
    def _keep_lesson(self, lesson: str, text: str, now: float) -> None: ...
    @abc.abstractmethod
    def _lesson_text(self, lesson: str) -> str | None: ...
    @abc.abstractmethod
    def _hit(self, bucket: str, limit: int, window_s: float, now: float) -> bool: ...
    @abc.abstractmethod
    def _ping(self) -> None: ...

    # -- the interface --------------------------------------------------------------------------------
    def _check(self, status: str) -> None:
        if status != "ok":
            raise ClassError(STATUS[status].format(**dataclasses.asdict(self.limits)))

    def _live(self, code: object) -> tuple[str, Record]:
        code = check_code(code)
        rec = self._record(code)
        if rec is None:
            self._check("unknown")
        if rec.last_active < self.clock() - self.limits.idle_s:
            self._check("gone")
        return code, rec

    def _teacher(self, code: object, token: object, what: str) -> tuple[str, Record]:
        code, rec = self._live(code)
        if not (isinstance(token, str) and len(token) < 100 and hmac.compare_digest(token_hash(token), rec.token_hash)):
            raise ClassError(f"only the teacher's link can {what}")
        return code, rec

    def is_teacher(self, code: str, token: str) -> bool:
        """Does `token` control this class? (False for a wrong token; ClassError for a bad or gone code.)"""
        try:
            self._teacher(code, token, "lead it")
        except ClassError as err:
            if "only the teacher" in str(err):
                return False
            raise
        return True

    @staticmethod
    def _options(rec: Record, stop: object) -> tuple[int, tuple[str, ...]]:
        stop = check_stop(stop, rec.n_stops)
        if stop not in rec.questions:
            raise ClassError(f"stop {stop} has no question to vote on")
        return stop, rec.questions[stop]

    @staticmethod
    def _round(rec: Record, stop: int, rnd: object) -> int:
        n = rec.rounds.get(stop, FRESH)[0]
        if isinstance(rnd, int) and not isinstance(rnd, bool) and 1 <= rnd <= n:
            return rnd
        raise ClassError(f"stop {stop} has rounds 1 to {n}")

    def ping(self) -> None:
        """Return if the store answers; else StoreDown."""
        self._ping()

    def _limit(self, what: str, client: str, limit: int, window_s: float) -> None:
        if not self._hit(f"{what}:{check_client(client)}", limit, window_s, self.clock()):
            self._check(what)

    def create(self, lesson: str, n_stops: int, questions: dict[int, list[str]], client: str = "",
               settings: tuple[tuple[str, str], ...] = ()) -> tuple[str, str]:
        """A new class (code, teacher token); `client`: the address asking (check_client); `settings`: the lesson
        page's settings the class keeps for students who type its code (check_settings)."""
        if not isinstance(lesson, str) or not _LESSON.fullmatch(lesson):
            raise ClassError("a lesson id is 1 to 64 letters, digits, - or _")
        if not (isinstance(n_stops, int) and not isinstance(n_stops, bool) and 1 <= n_stops <= MAX_STOPS):
            raise ClassError(f"a lesson has 1 to {MAX_STOPS} stops")
        text = json.dumps(check_questions(questions, n_stops))
        kept = json.dumps(check_settings(settings))
        client = check_client(client)
        self._limit("creations", client, self.limits.creations_per_client_hour, 3600)
        token = secrets.token_urlsafe(24)
        for _ in range(5):  # a code already in use: draw again
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            status = self._create(code, lesson, n_stops, text, token_hash(token), self.clock(), client, kept)
            if status != "taken":
                self._check(status)
                return code, token
        raise ClassError("no free class code found: try again")

    def keep_lesson(self, lesson: str, text: str) -> None:
        """Keep a lesson's text under its id (a digest of the text: the same id is the same lesson) for as long
        as a class may use it, so students on any replica can open the teacher's own lesson."""
        if not isinstance(lesson, str) or not _LESSON.fullmatch(lesson):
            raise ClassError("a lesson id is 1 to 64 letters, digits, - or _")
        if not isinstance(text, str) or len(text) > MAX_LESSON_CHARS:
            raise ClassError(f"a lesson's text is at most {MAX_LESSON_CHARS:,} characters")
        self._keep_lesson(lesson, text, self.clock())

    def lesson_text(self, lesson: str) -> str | None:
        if not isinstance(lesson, str) or not _LESSON.fullmatch(lesson):
            return None
        return self._lesson_text(lesson)

    def join(self, code: str, nickname: str = "", client: str = "") -> str:
        """A new student's id; `client`: the address asking (check_client). Every attempt counts towards the
        address's joins a minute, a refused one too (so it also slows guessing codes)."""
        self._limit("joins", client, self.limits.joins_per_client_minute, 60)
        code, nickname = check_code(code), check_nickname(nickname)
        student = secrets.token_urlsafe(16)
        self._check(self._join(code, student, nickname, self.clock()))
        return student

    def student_exists(self, code: str, student: str) -> bool:
        code, _ = self._live(code)
        return isinstance(student, str) and bool(_STUDENT.fullmatch(student)) and self._has_student(code, student)

    def state(self, code: str) -> ClassState:
        code, rec = self._live(code)
        rnd, revealed, shown = rec.rounds.get(rec.stop, FRESH)
        return ClassState(code, rec.lesson, rec.n_stops, rec.stop, rnd, revealed, rec.ended, rec.students,
                          rec.version, rec.created, rec.last_active, rec.questions.get(rec.stop, ()), rec.locked,
                          shown, rec.settings)

    def version(self, code: str) -> int:
        found = self._version(check_code(code))
        if found is None:
            self._check("unknown")
        if found[1] < self.clock() - self.limits.idle_s:
            self._check("gone")
        return found[0]

    def move(self, code: str, token: str, stop: int) -> None:
        code, rec = self._teacher(code, token, "move between stops")
        self._check(self._act(code, "move", check_stop(stop, rec.n_stops), self.clock()))

    def show(self, code: str, token: str) -> None:
        """Show the current stop's latest round's split to the room and close voting on it (whether or not revealed;
        again is harmless)."""
        code, rec = self._teacher(code, token, "show the class's answers")
        self._check(self._act(code, "show", self._options(rec, rec.stop)[0], self.clock()))

    def reveal(self, code: str, token: str) -> None:
        code, rec = self._teacher(code, token, "reveal the answer")
        self._check(self._act(code, "reveal", self._options(rec, rec.stop)[0], self.clock()))

    def reopen(self, code: str, token: str) -> None:
        code, rec = self._teacher(code, token, "reopen the vote")
        self._check(self._act(code, "reopen", self._options(rec, rec.stop)[0], self.clock()))

    def lock(self, code: str, token: str, locked: bool) -> None:
        """Close (True) or open (False) the class to new students; those in it stay."""
        code, _ = self._teacher(code, token, "lock or open the class")
        self._check(self._act(code, "lock" if locked is True else "unlock", 0, self.clock()))

    def end(self, code: str, token: str) -> None:
        code, _ = self._teacher(code, token, "end the class")
        self._check(self._act(code, "end", 0, self.clock()))

    def vote(self, code: str, student: str, stop: int, option: str) -> None:
        code, rec = self._live(code)
        if not (isinstance(student, str) and _STUDENT.fullmatch(student)):
            self._check("student")
        stop, options = self._options(rec, stop)
        if not isinstance(option, str) or option not in options:
            raise ClassError(f"not an option of stop {stop}: choose one of " + "; ".join(options))
        self._check(self._vote(code, student, stop, options.index(option), self.clock()))

    def my_vote(self, code: str, student: str, stop: int, round: int) -> str | None:
        code, rec = self._live(code)
        stop, options = self._options(rec, stop)
        rnd = self._round(rec, stop, round)
        if not (isinstance(student, str) and _STUDENT.fullmatch(student)):
            return None
        index = self._my_vote(code, student, stop, rnd)
        return None if index is None else options[index]

    def tally(self, code: str, stop: int, round: int) -> dict[str, int]:
        code, rec = self._live(code)
        stop, options = self._options(rec, stop)
        rnd = self._round(rec, stop, round)
        return dict(zip(options, self._counts(code, [(stop, rnd, i) for i in range(len(options))]), strict=True))

    def pairs(self, code: str, stop: int, r1: int, r2: int) -> dict[tuple[str, str], int]:
        """{(a, b): how many students voted a in round r1 and b in round r2}, over the students who voted in both
        rounds; every pair of the stop's options, in their order (0 where none)."""
        code, rec = self._live(code)
        stop, options = self._options(rec, stop)
        r1, r2 = self._round(rec, stop, r1), self._round(rec, stop, r2)
        found = self._pairs(code, stop, r1, r2)
        return {(a, b): found.get((i, j), 0) for i, a in enumerate(options) for j, b in enumerate(options)}

    def revealed(self, code: str, stop: int) -> bool:
        """Is the latest round of this stop revealed?"""
        _, rec = self._live(code)
        return rec.rounds.get(check_stop(stop, rec.n_stops), FRESH)[1]

    def shown(self, code: str, stop: int) -> bool:
        """Is the latest round of this stop's split shown to the room?"""
        _, rec = self._live(code)
        return rec.rounds.get(check_stop(stop, rec.n_stops), FRESH)[2]

    def rounds(self, code: str, stop: int) -> int:
        code, rec = self._live(code)
        return rec.rounds.get(check_stop(stop, rec.n_stops), FRESH)[0]

    def export_rows(self, code: str, token: str, right: dict[int, str] | None = None,
                    stops: dict[int, tuple[str, str]] | None = None) -> list[tuple]:
        """Rows under EXPORT_HEADER, one per stop, round and option; share_right is blank without a right answer;
        title and question come from `stops` ({stop: (title, question)}: the lesson's, which the store does not
        keep), blank without."""
        code, rec = self._teacher(code, token, "download the tallies")
        right = {} if right is None else right
        stops = {} if stops is None else stops
        if not isinstance(right, dict) or any(rec.questions.get(s) is None or a not in rec.questions[s]
                                              for s, a in right.items()):
            raise ClassError("right answers map a question's stop to one of its options")
        keys = [(s, r, i) for s, opts in rec.questions.items()
                for r in range(1, rec.rounds.get(s, FRESH)[0] + 1) for i in range(len(opts))]
        counts = dict(zip(keys, self._counts(code, keys), strict=True))
        rows = []
        for (s, r, i), n in counts.items():
            options, good = rec.questions[s], right.get(s)
            voters = sum(counts[s, r, j] for j in range(len(options)))
            share = round(counts[s, r, options.index(good)] / voters, 3) if good is not None and voters else ""
            mark = "" if good is None else ("yes" if options[i] == good else "no")
            title, question = stops.get(s, ("", ""))
            rows.append((s, " | ".join(options), r, options[i], mark, n, voters, share, title, question))
        return rows

    def csv_text(self, code: str, token: str, right: dict[int, str] | None = None,
                 stops: dict[int, tuple[str, str]] | None = None) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_HEADER)
        writer.writerows([_cell(v) for v in row] for row in self.export_rows(code, token, right, stops))
        return out.getvalue()
