"""A live class's rules: its limits (with the reason for each), the refusals' messages, and every input
check. Pure; the store (store.py) and its backends apply them."""
from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from dataclasses import dataclass

from ..lessons.values import MAX_OPTION as MAX_OPTION_CHARS
from ..lessons.values import MAX_OPTIONS, MAX_STOPS, MIN_OPTIONS, bad_char  # noqa: F401 - MAX_STOPS: store.py

IDLE_HOURS = 4  # a class with no write for 4 h is over (a double lesson is under 2 h); then it is purged
MAX_CLASSES = 200  # live (not ended) classes per deployment: a school's classes at once; bounds storage
MAX_STUDENTS = 400  # students per class: a big lecture hall; bounds a class's rows and a tally's work
# Per client address (behind deploy/'s nginx, the address nginx passes): a school behind one NAT address
# shares these, so they are set for a school, not for one person.
CLASSES_PER_CLIENT = 20  # live classes one address holds: 10 such addresses to fill MAX_CLASSES
CREATIONS_PER_HOUR = 30  # classes one address starts an hour: a school's periods, not a create-and-end loop
JOINS_PER_MINUTE = 60  # joins from one address a minute: a hall of 300 behind one NAT is in within 5 minutes,
# a script cannot fill a class of MAX_STUDENTS in under 7 (and the teacher can lock joining once the room is in)
# MAX_STOPS, MAX_OPTIONS and MAX_OPTION_CHARS are the lesson files' own (gru_lab.lessons.values): a lesson
# that opens can start a class.
MAX_ROUNDS = 5  # rounds per stop: peer instruction needs 2; a few spare, never an unbounded loop
VOTE_LIMIT, VOTE_WINDOW_S = 10, 10  # votes per student per 10 s: changing one's mind is a few taps, a script is not
NICKNAME_CHARS = 24  # fits a name on the teacher's screen
MAX_LESSON_CHARS = 200_000  # a lesson's JSON: the lesson files' own limit (gru_lab.lessons) is below this
NICKNAME_PUNCTUATION = " .,'-_!?()"

# Codes: 8 symbols of a 32-symbol alphabet without the look-alikes 0/O and 1/I: 32**8 = 2**40 ≈ 1.1e12 codes.
# With MAX_CLASSES live classes, a guess hits one with p ≤ 200 / 1.1e12 ≈ 1.8e-10, so even 100 guesses a second
# for a whole class (4 h, 1.4e6 guesses) find any class with p < 3e-4, and a found code only lets one join
# as a student: the teacher's actions need the teacher token (192 bits).
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
_CODE = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_LESSON = re.compile(r"[A-Za-z0-9_-]{1,64}")
_STUDENT = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)
# The lesson page's settings a class keeps for a student who types the code (its join link carries them):
# the ones that make the lesson's answers (gru_lab/ui/lesson.py's carried()), each a short plain token.
SETTING_NAMES = ("seed", "reset", "update")
_SETTING_VALUE = re.compile(r"[A-Za-z0-9._-]{1,12}")

STATUS = {
    "unknown": "no class with this code (it may have ended)",
    "gone": "this class has ended or expired",
    "busy": "too many live classes on this server right now (at most {max_classes}): end a class you no longer "
            "need, or try again later",
    "mine": "this address already leads {classes_per_client} live classes, the most one address may: end one of "
            "them first",
    "creations": "this address started {creations_per_client_hour} classes in the last hour, the most one address "
                 "may: try again within the hour",
    "joins": "too many joins from this address in the last minute (at most {joins_per_client_minute}): wait a "
             "minute, then join again",
    "locked": "the teacher has closed this class to new students: ask the teacher to open it",
    "full": "this class is full (at most {max_students} students)",
    "student": "not a student of this class: join again with the class code",
    "stop": "voting is open on the teacher's current stop only",
    "revealed": "voting on this round has closed: the answer is revealed",
    "shown": "voting on this round has closed: the class's answers are shown; wait for the teacher to open a "
             "new round",
    "rate": "too many votes: wait {vote_window_s:g} seconds, then vote again",
    "rounds": "a stop has at most {max_rounds} rounds of votes",
}
EXPORT_HEADER = ("stop", "options", "round", "option", "right", "votes", "voters", "share_right", "title", "question")


class ClassError(ValueError):
    """A refused request; its message is plain text for the page to show."""


class StoreDown(ClassError):
    """The class store cannot be reached or written; the message names what failed (no secret in it)."""

    def __init__(self, what: str):
        super().__init__(f"the class store cannot be reached ({what})")


@dataclass(frozen=True)
class Limits:
    idle_hours: float = IDLE_HOURS
    max_classes: int = MAX_CLASSES
    max_students: int = MAX_STUDENTS
    max_rounds: int = MAX_ROUNDS
    vote_limit: int = VOTE_LIMIT
    vote_window_s: float = VOTE_WINDOW_S
    classes_per_client: int = CLASSES_PER_CLIENT
    creations_per_client_hour: int = CREATIONS_PER_HOUR
    joins_per_client_minute: int = JOINS_PER_MINUTE

    @property
    def idle_s(self) -> float:
        return self.idle_hours * 3600


LIMITS = Limits()



def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_code(code: object) -> str:
    """Upper case, spaces and hyphens dropped (codes are typed on phones); else ClassError."""
    if isinstance(code, str) and len(code) < 40:
        code = code.strip().upper().replace(" ", "").replace("-", "")
        if _CODE.fullmatch(code):
            return code
    raise ClassError(f"not a class code: codes are {CODE_LENGTH} letters and digits")


def check_client(client: object) -> str:
    """The key a client's limits count under: its address (an IPv6 host by its /64, which one machine may
    hold whole), or "local" for this machine and an address the server did not learn."""
    if not isinstance(client, str) or not client.strip() or len(client) > 64:
        return "local"
    try:
        ip = ipaddress.ip_address(client.strip().split("%")[0])
    except ValueError:
        return "local"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "local"
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def check_nickname(nickname: object) -> str:
    if not isinstance(nickname, str):
        raise ClassError("a nickname is text")
    nick = unicodedata.normalize("NFC", nickname[: 4 * NICKNAME_CHARS + 1]).strip()
    if len(nick) > NICKNAME_CHARS:
        raise ClassError(f"nickname too long: at most {NICKNAME_CHARS} characters")
    bad = "".join(sorted({c for c in nick if not (c.isalnum() or c in NICKNAME_PUNCTUATION)}))
    if bad:
        raise ClassError(f"nickname: {bad!r} not allowed; use letters, digits, spaces and . , ' - _ ! ? ( )")
    return " ".join(nick.split())


def check_stop(stop: object, n_stops: int) -> int:
    if isinstance(stop, int) and not isinstance(stop, bool) and 1 <= stop <= n_stops:
        return stop
    raise ClassError(f"a stop is a whole number from 1 to {n_stops}")


def check_settings(settings: object) -> tuple[tuple[str, str], ...]:
    """(name, value) pairs, each name once, from SETTING_NAMES, each value 1 to 12 of A-Z a-z 0-9 . _ -."""
    allowed = ", ".join(SETTING_NAMES)
    if not isinstance(settings, tuple | list) or len(settings) > len(SETTING_NAMES):
        raise ClassError(f"a class's settings are (name, value) pairs, each name once, from {allowed}")
    out = []
    for pair in settings:
        if not (isinstance(pair, tuple | list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
            raise ClassError(f"a class's settings are (name, value) pairs, each name once, from {allowed}")
        name, value = pair
        if name not in SETTING_NAMES or name in dict(out):
            raise ClassError(f"a class's settings are (name, value) pairs, each name once, from {allowed}")
        if not _SETTING_VALUE.fullmatch(value):
            raise ClassError(f"a class's setting {name} is 1 to 12 letters, digits, . _ or -")
        out.append((name, value))
    return tuple(out)


def check_questions(questions: object, n_stops: int) -> dict[int, tuple[str, ...]]:
    if not isinstance(questions, dict):
        raise ClassError("questions map a stop number to its list of option labels")
    out = {}
    for stop, options in questions.items():
        stop = check_stop(stop, n_stops)
        if not isinstance(options, list | tuple) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            raise ClassError(f"stop {stop}: a question has {MIN_OPTIONS} to {MAX_OPTIONS} options")
        labels = tuple(o.strip() if isinstance(o, str) else "" for o in options)
        if not all(0 < len(label) <= MAX_OPTION_CHARS and bad_char(label) is None for label in labels):
            raise ClassError(f"stop {stop}: an option is 1 to {MAX_OPTION_CHARS} characters of one line of plain "
                             "text (no control or invisible characters)")
        if len(set(labels)) < len(labels):
            raise ClassError(f"stop {stop}: the options must differ")
        out[stop] = labels
    return dict(sorted(out.items()))
