"""A class survives a restart of Redis run as deploy/compose.yaml runs it (append-only file, everysec, noeviction).

Students join and vote, Redis stops gracefully (SIGTERM, as `docker compose restart` sends), the store says
so (StoreDown naming the server), Redis starts again on the same folder, and the same store object finds
the class, its stop, its students and its tally, and counts a new vote.
"""
from __future__ import annotations

import time

import pytest

from gru_lab.classes import StoreDown, open_store

from ..redis_server import RedisServer

QUESTIONS = {2: ["yes", "no", "maybe"]}


def _until_answers(call, timeout: float = 60.0):
    """call() once the store answers: StoreDown (not answering yet, or loading its file) is retried."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return call()
        except StoreDown as err:
            if time.monotonic() > deadline:
                pytest.fail(f"the store did not answer within {timeout:.0f} s of Redis's restart: {err}")
            time.sleep(0.05)


def test_a_class_survives_a_redis_restart(tmp_path):
    import redis

    with RedisServer(tmp_path / "redis") as server:
        with redis.Redis.from_url(server.url, decode_responses=True) as client:
            config = client.config_get("*")
        assert config["maxmemory-policy"] == "noeviction"
        assert config["appendonly"] == "yes" and config["appendfsync"] == "everysec"
        assert config["maxmemory"] == str(256 * 1024 * 1024)

        store = open_store(server.url)
        code, token = store.create("restart-test", 3, QUESTIONS, client="203.0.113.1")
        store.move(code, token, 2)
        students = [store.join(code, f"s{i}", client=f"203.0.113.{10 + i}") for i in range(3)]
        for student, option in zip(students, ("yes", "yes", "no"), strict=True):
            store.vote(code, student, 2, option)
        before = store.state(code)
        assert (before.stop, before.students) == (2, 3)
        assert store.tally(code, 2, 1) == {"yes": 2, "no": 1, "maybe": 0}

        assert server.stop() == 0, f"redis-server did not exit cleanly on SIGTERM:\n{server.log_tail()}"
        down = f"Redis at 127.0.0.1:{server.port} does not answer"
        for call in (lambda: store.state(code), lambda: store.tally(code, 2, 1), store.ping,
                     lambda: store.vote(code, students[2], 2, "yes"),
                     lambda: store.join(code, client="203.0.113.20")):
            with pytest.raises(StoreDown, match=down):
                call()

        server.start()  # the same arguments, port and folder
        after = _until_answers(lambda: store.state(code))
        assert (after.code, after.lesson, after.n_stops, after.stop, after.round, after.students, after.updated,
                after.options, after.ended) == (code, "restart-test", 3, 2, 1, 3, before.updated,
                                                ("yes", "no", "maybe"), False)
        assert store.is_teacher(code, token)
        assert all(store.student_exists(code, s) for s in students)
        assert [store.my_vote(code, s, 2, 1) for s in students] == ["yes", "yes", "no"]
        assert store.tally(code, 2, 1) == {"yes": 2, "no": 1, "maybe": 0}

        store.vote(code, students[2], 2, "maybe")  # a changed vote moves its count
        newcomer = store.join(code, "late", client="203.0.113.30")
        store.vote(code, newcomer, 2, "yes")
        assert store.tally(code, 2, 1) == {"yes": 3, "no": 0, "maybe": 1}
        assert store.state(code).students == 4

        with redis.Redis.from_url(server.url, decode_responses=True) as client:
            assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
            assert client.config_get("appendonly") == {"appendonly": "yes"}
        store.close()
