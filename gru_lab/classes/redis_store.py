"""The live-class store in Redis (the `redis` client), shared by every replica that reaches the server.

A class is five keys: `<p>class:<code>` (a hash: the class, its `settings` as JSON (absent in a class made before
classes kept them: none), and `r:<stop>` / `rv:<stop>` / `sh:<stop>` for a stop's rounds, whether its latest round
is revealed, and which round has its split shown: the latest is shown when `sh` equals `r`, so opening a round needs
no reset), `…:students` (student -> nickname), `…:rate` (student ->
"window_start votes"), `…:votes` ("stop:round:student" -> option index) and `…:counts`
("stop:round:option" -> votes). Sorted sets `<p>live` and `<p>ended` hold codes by last activity.
Every write is one Lua script, so checks and writes are atomic (a replaced vote moves its count, the
student limit holds under a rush). Expiry follows the store's clock like SQLite's; the keys also get a
TTL of IDLE_HOURS + 1 h, refreshed on every write, so an abandoned class leaves nothing behind.
The scripts name keys they build from the prefix: fine on one server, not on Redis Cluster.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable

import redis

from .store import LIMITS, ClassStore, Limits, Record

SOCKET_TIMEOUT_S = 5  # a request that takes longer means the server is gone: fail, the page says so

_LIB = """
local meta, students, rate, votes, counts, live, ended = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local code, now, idle, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local function gate()
  local m = redis.call('HMGET', meta, 'ended', 'last_active')
  if not m[2] then return 'unknown' end
  if m[1] == '1' or tonumber(m[2]) < now - idle then return 'gone' end
  return nil
end
local function touch(still_live)
  redis.call('HSET', meta, 'last_active', ARGV[2])
  for i = 1, 5 do redis.call('EXPIRE', KEYS[i], ttl) end
  if still_live then redis.call('ZADD', live, ARGV[2], code) end
end
"""

_CREATE = _LIB + """
local prefix = ARGV[5]
for _, z in ipairs({live, ended}) do
  for _, c in ipairs(redis.call('ZRANGE', z, 0, -1)) do
    local b = prefix .. 'class:' .. c
    if redis.call('EXISTS', b) == 0 or tonumber(redis.call('ZSCORE', z, c)) < now - idle then
      redis.call('DEL', b, b .. ':students', b .. ':rate', b .. ':votes', b .. ':counts')
      redis.call('ZREM', z, c)
    end
  end
end
if redis.call('ZCARD', live) >= tonumber(ARGV[6]) then return 'busy' end
local client, mine = ARGV[11], 0
for _, c in ipairs(redis.call('ZRANGE', live, 0, -1)) do
  if redis.call('HGET', prefix .. 'class:' .. c, 'client') == client then mine = mine + 1 end
end
if mine >= tonumber(ARGV[12]) then return 'mine' end
if redis.call('EXISTS', meta) == 1 then return 'taken' end
redis.call('HSET', meta, 'lesson', ARGV[7], 'n_stops', ARGV[8], 'questions', ARGV[9], 'token_hash', ARGV[10],
  'stop', '1', 'ended', '0', 'version', '1', 'students', '0', 'created', ARGV[2], 'client', client, 'locked', '0',
  'settings', ARGV[13])
touch(true)
return 'ok'
"""

_JOIN = _LIB + """
local refused = gate()
if refused then return refused end
if redis.call('HGET', meta, 'locked') == '1' then return 'locked' end
if redis.call('HLEN', students) >= tonumber(ARGV[6]) then return 'full' end
redis.call('HSET', students, ARGV[5], ARGV[7])
redis.call('HINCRBY', meta, 'students', 1)
touch(true)
return 'ok'
"""

_ACT = _LIB + """
local refused = gate()
if refused then return refused end
local op, stop = ARGV[5], ARGV[6]
if op == 'move' then
  redis.call('HSET', meta, 'stop', stop)
elseif op == 'reveal' then
  redis.call('HSET', meta, 'rv:' .. stop, '1')
elseif op == 'show' then
  redis.call('HSET', meta, 'sh:' .. stop, redis.call('HGET', meta, 'r:' .. stop) or '1')
elseif op == 'reopen' then
  local n = tonumber(redis.call('HGET', meta, 'r:' .. stop) or '1')
  if n >= tonumber(ARGV[7]) then return 'rounds' end
  redis.call('HSET', meta, 'r:' .. stop, tostring(n + 1), 'rv:' .. stop, '0')
elseif op == 'lock' or op == 'unlock' then
  redis.call('HSET', meta, 'locked', op == 'lock' and '1' or '0')
elseif op == 'end' then
  redis.call('HSET', meta, 'ended', '1')
  redis.call('ZREM', live, code)
  redis.call('ZADD', ended, ARGV[2], code)
end
redis.call('HINCRBY', meta, 'version', 1)
touch(op ~= 'end')
return 'ok'
"""

_VOTE = _LIB + """
local refused = gate()
if refused then return refused end
local student, stop, option = ARGV[5], ARGV[6], ARGV[7]
if redis.call('HEXISTS', students, student) == 0 then return 'student' end
local m = redis.call('HMGET', meta, 'stop', 'r:' .. stop, 'rv:' .. stop, 'sh:' .. stop)
if m[1] ~= stop then return 'stop' end
if m[3] == '1' then return 'revealed' end
local rnd = m[2] or '1'
if m[4] == rnd then return 'shown' end
local start, count = ARGV[2], 0
local w = redis.call('HGET', rate, student)
if w then
  local s, c = string.match(w, '^(%S+) (%d+)$')
  if now - tonumber(s) < tonumber(ARGV[8]) then start, count = s, tonumber(c) end
end
if count >= tonumber(ARGV[9]) then return 'rate' end
redis.call('HSET', rate, student, start .. ' ' .. tostring(count + 1))
local field = stop .. ':' .. rnd .. ':' .. student
local old = redis.call('HGET', votes, field)
if old ~= option then
  if old then redis.call('HINCRBY', counts, stop .. ':' .. rnd .. ':' .. old, -1) end
  redis.call('HSET', votes, field, option)
  redis.call('HINCRBY', counts, stop .. ':' .. rnd .. ':' .. option, 1)
end
touch(true)
return 'ok'
"""


# How the students who voted in both rounds moved: "a:b" -> students (option indices), as a flat list.
_PAIRS = """
local students, votes, stop, r1, r2 = KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3]
local found = {}
for _, s in ipairs(redis.call('HKEYS', students)) do
  local a = redis.call('HGET', votes, stop .. ':' .. r1 .. ':' .. s)
  if a then
    local b = redis.call('HGET', votes, stop .. ':' .. r2 .. ':' .. s)
    if b then found[a .. ':' .. b] = (found[a .. ':' .. b] or 0) + 1 end
  end
end
local flat = {}
for k, n in pairs(found) do flat[#flat + 1] = k; flat[#flat + 1] = n end
return flat
"""

# One fixed window per bucket: "start count", expiring with its window.
_HIT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local start, n = now, 0
local w = redis.call('GET', KEYS[1])
if w then
  local s, c = string.match(w, '^(%S+) (%d+)$')
  if now - tonumber(s) < window then start, n = tonumber(s), tonumber(c) end
end
if n >= limit then return 0 end
redis.call('SET', KEYS[1], string.format('%.17g', start) .. ' ' .. tostring(n + 1), 'EX', math.ceil(window) + 1)
return 1
"""


class RedisStore(ClassStore):
    def __init__(self, url: str, *, clock: Callable[[], float] = time.time, limits: Limits = LIMITS,
                 prefix: str = "gru_lab:"):
        super().__init__(clock=clock, limits=limits)
        self.url, self.prefix = url, prefix
        self.redis = redis.Redis.from_url(url, decode_responses=True, socket_timeout=SOCKET_TIMEOUT_S,
                                          socket_connect_timeout=SOCKET_TIMEOUT_S)  # a thread-safe pool
        self._scripts = {name: self.redis.register_script(text)
                         for name, text in (("create", _CREATE), ("join", _JOIN), ("act", _ACT), ("vote", _VOTE),
                                            ("pairs", _PAIRS), ("hit", _HIT))}

    def __repr__(self) -> str:
        return f"RedisStore({self._outage(redis.exceptions.ConnectionError()).split(' does')[0]!r})"

    def close(self) -> None:
        self.redis.close()

    def _outage(self, err: Exception) -> str | None:
        where = self.redis.connection_pool.connection_kwargs
        server = f"Redis at {where.get('host', '?')}:{where.get('port', '?')}"  # never the URL: it may hold a password
        if isinstance(err, redis.exceptions.BusyLoadingError):
            return f"{server} is loading its data after a restart; try again in a moment"
        if isinstance(err, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError):
            return f"{server} does not answer; check that it runs and that this server may reach it"
        if isinstance(err, redis.exceptions.ReadOnlyError):
            return f"{server} is read-only (a replica?); point GRU_LAB_CLASS_STORE at the primary"
        if isinstance(err, redis.exceptions.ResponseError) and str(err).startswith(("OOM", "MISCONF")):
            return f"{server} refuses writes ({str(err).split(chr(10))[0][:120]})"
        if isinstance(err, redis.exceptions.AuthenticationError | redis.exceptions.AuthorizationError):
            return f"{server} refused this server's credentials"
        return None

    def _ping(self) -> None:
        self.redis.ping()

    def _hit(self, bucket: str, limit: int, window_s: float, now: float) -> bool:
        return bool(self._scripts["hit"](keys=[f"{self.prefix}hit:{bucket}"], args=[repr(float(now)),
                                                                                      repr(float(window_s)), limit]))

    def _key(self, code: str, part: str = "") -> str:
        return f"{self.prefix}class:{code}{part}"

    def _run(self, script: str, code: str, now: float, *args: object) -> str:
        keys = [self._key(code, p) for p in ("", ":students", ":rate", ":votes", ":counts")]
        keys += [self.prefix + "live", self.prefix + "ended"]
        ttl = int(self.limits.idle_s) + 3600
        return self._scripts[script](keys=keys, args=[code, repr(float(now)), repr(self.limits.idle_s), ttl, *args])

    def _create(self, code: str, lesson: str, n_stops: int, questions: str, token_hash: str, now: float,
                client: str, settings: str) -> str:
        return self._run("create", code, now, self.prefix, self.limits.max_classes, lesson, n_stops, questions,
                         token_hash, client, self.limits.classes_per_client, settings)

    def _keep_lesson(self, lesson: str, text: str, now: float) -> None:
        self.redis.set(f"{self.prefix}lesson:{lesson}", text, ex=int(self.limits.idle_s) + 3600)

    def _lesson_text(self, lesson: str) -> str | None:
        return self.redis.get(f"{self.prefix}lesson:{lesson}")

    def _record(self, code: str) -> Record | None:
        m = self.redis.hgetall(self._key(code))
        if not m:
            return None
        rounds = {}
        for stop in {k.split(":", 1)[1] for k in m if k.startswith(("r:", "rv:", "sh:"))}:
            n = m.get("r:" + stop, "1")
            rounds[int(stop)] = (int(n), m.get("rv:" + stop) == "1", m.get("sh:" + stop) == n)
        return Record(m["lesson"], int(m["n_stops"]), {int(k): tuple(v) for k, v in json.loads(m["questions"]).items()},
                      m["token_hash"], int(m["stop"]), m["ended"] == "1", int(m["version"]), int(m["students"]),
                      float(m["created"]), float(m["last_active"]), rounds, m.get("locked") == "1",
                      tuple((k, v) for k, v in json.loads(m.get("settings", "[]"))))

    def _version(self, code: str) -> tuple[int, float] | None:
        version, last_active = self.redis.hmget(self._key(code), "version", "last_active")
        return None if version is None else (int(version), float(last_active))

    def _join(self, code: str, student: str, nickname: str, now: float) -> str:
        return self._run("join", code, now, student, self.limits.max_students, nickname)

    def _has_student(self, code: str, student: str) -> bool:
        return bool(self.redis.hexists(self._key(code, ":students"), student))

    def _act(self, code: str, op: str, stop: int, now: float) -> str:
        return self._run("act", code, now, op, stop, self.limits.max_rounds)

    def _vote(self, code: str, student: str, stop: int, option: int, now: float) -> str:
        return self._run("vote", code, now, student, stop, option, repr(float(self.limits.vote_window_s)),
                         self.limits.vote_limit)

    def _my_vote(self, code: str, student: str, stop: int, rnd: int) -> int | None:
        found = self.redis.hget(self._key(code, ":votes"), f"{stop}:{rnd}:{student}")
        return None if found is None else int(found)

    def _counts(self, code: str, keys: list[tuple[int, int, int]]) -> list[int]:
        if not keys:
            return []
        found = self.redis.hmget(self._key(code, ":counts"), [f"{s}:{r}:{o}" for s, r, o in keys])
        return [int(n or 0) for n in found]

    def _pairs(self, code: str, stop: int, r1: int, r2: int) -> dict[tuple[int, int], int]:
        keys = [self._key(code, ":students"), self._key(code, ":votes")]
        flat = self._scripts["pairs"](keys=keys, args=[stop, r1, r2])
        return {tuple(int(i) for i in k.split(":")): int(n) for k, n in zip(flat[::2], flat[1::2], strict=True)}
