"""One client cannot take over the classes (issue 27): creations and joins are limited per client address,
the teacher can lock joining, and a store that cannot be reached is a named StoreDown, never a backend error.
Both stores (the `store` fixture is parametrised over SQLite and Redis)."""
from __future__ import annotations

import pytest

from gru_lab.classes import ClassError, Limits, StoreDown, limits_from, open_store
from gru_lab.classes.store import LIMITS, check_client

QUESTIONS = {2: ["reset gate", "update gate", "candidate"]}


def _new(store, client):
    return store.create("gru_intro", 5, QUESTIONS, client)


def test_one_client_cannot_take_every_class_slot(store):
    """201 starts from one address: it gets its own share, is told why past it, and another teacher still starts."""
    made, refused = [], []
    for _ in range(201):
        try:
            made.append(_new(store, "203.0.113.9"))
        except ClassError as err:
            refused.append(str(err))
    assert len(made) == LIMITS.classes_per_client < LIMITS.max_classes
    assert len(refused) == 201 - len(made)
    assert refused[0].startswith(f"this address already leads {LIMITS.classes_per_client} live classes")
    code, token = _new(store, "198.51.100.7")  # another school's teacher
    assert store.is_teacher(code, token)


def test_a_create_and_end_loop_is_bounded(store):
    """Ending a class frees its slot, so the loop is bounded by creations an hour, and it is said."""
    for _ in range(LIMITS.creations_per_client_hour):
        store.end(*_new(store, "203.0.113.9"))
    with pytest.raises(ClassError, match=f"started {LIMITS.creations_per_client_hour} classes in the last hour"):
        _new(store, "203.0.113.9")
    _new(store, "192.0.2.1")  # another address is not slowed


def test_creations_reopen_after_the_hour(open_class_store, clock):
    store = open_class_store(limits=Limits(creations_per_client_hour=2))
    _new(store, "203.0.113.9"), _new(store, "203.0.113.9")
    with pytest.raises(ClassError, match="in the last hour"):
        _new(store, "203.0.113.9")
    clock.advance(3601)
    _new(store, "203.0.113.9")


def test_one_address_cannot_fill_a_class(store, clock):
    """400 joins from one address: refused past the limit a minute, while another address joins; a minute
    later the address may join again (a hall behind one NAT gets in, only more slowly)."""
    code, _ = _new(store, "192.0.2.1")
    joined, refused = 0, []
    for _ in range(400):
        try:
            store.join(code, client="203.0.113.50")
            joined += 1
        except ClassError as err:
            refused.append(str(err))
    assert joined == LIMITS.joins_per_client_minute
    assert refused and set(refused) == {"too many joins from this address in the last minute (at most "
                                        f"{LIMITS.joins_per_client_minute}): wait a minute, then join again"}
    assert store.join(code, "Real student", client="198.51.100.23")
    assert store.state(code).students == joined + 1
    clock.advance(61)
    assert store.join(code, client="203.0.113.50")


def test_the_teacher_locks_joining(store):
    code, token = _new(store, "192.0.2.1")
    student = store.join(code, client="198.51.100.1")
    with pytest.raises(ClassError, match="only the teacher's link can lock or open the class"):
        store.lock(code, "not-the-token", True)
    store.lock(code, token, True)
    assert store.state(code).locked
    with pytest.raises(ClassError, match="the teacher has closed this class to new students"):
        store.join(code, client="198.51.100.2")
    assert store.student_exists(code, student)  # those in it stay
    store.lock(code, token, False)
    assert not store.state(code).locked and store.join(code, client="198.51.100.2")


@pytest.mark.parametrize("given,key", [
    ("203.0.113.9", "203.0.113.9"), ("::ffff:203.0.113.9", "203.0.113.9"), ("127.0.0.1", "local"), ("::1", "local"),
    ("", "local"), (None, "local"), ("not an address", "local"), ("2001:db8::1", "2001:db8::/64"),
    ("2001:db8::ffff:1", "2001:db8::/64"), ("fe80::1%eth0", "fe80::/64"), ("1" * 100, "local"),
])
def test_a_client_is_keyed_by_its_address(given, key):
    """An IPv6 host holds a whole /64, so it counts as one client; what is not an address counts as local."""
    assert check_client(given) == key


def test_limits_from_the_setting():
    assert limits_from("") == LIMITS
    assert limits_from("joins_per_client_minute=300, vote_window_s=2.5") == Limits(joins_per_client_minute=300,
                                                                                   vote_window_s=2.5)
    for bad, said in (("joins=3", "'joins' is not a limit"), ("max_students=many", "is not a number"),
                      ("max_students=0", "above 0"), ("max_students=-5", "above 0")):
        with pytest.raises(ValueError, match=said):
            limits_from(bad)


# ---- a store that cannot be reached -------------------------------------------------------------------
def _all_calls(store, code="ABCDEFGH", token="t" * 32):
    return {"create": lambda: store.create("gru_intro", 5, QUESTIONS, "192.0.2.1"),
            "join": lambda: store.join(code, client="192.0.2.1"), "state": lambda: store.state(code),
            "version": lambda: store.version(code), "vote": lambda: store.vote(code, "s" * 22, 2, "candidate"),
            "move": lambda: store.move(code, token, 2), "ping": store.ping,
            "lesson_text": lambda: store.lesson_text("abc")}


def test_an_unreachable_redis_is_named(redis_url):
    """Nothing listens on the port: every call is a StoreDown naming the server (never the URL)."""
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = open_store(f"redis://:secret-password@127.0.0.1:{port}/0")
    for name, call in _all_calls(store).items():
        with pytest.raises(StoreDown) as err:
            call()
        assert str(err.value) == (f"the class store cannot be reached (Redis at 127.0.0.1:{port} does not answer; "
                                  "check that it runs and that this server may reach it)"), name
        assert "secret" not in str(err.value)


@pytest.mark.parametrize("make", ["not a database", "a folder in the way"])
def test_an_unusable_sqlite_file_is_named(tmp_path, make):
    path = tmp_path / "classes.sqlite3"
    if make == "not a database":
        path.write_bytes(b"this is not SQLite" * 100)
    else:
        (tmp_path / "file").write_text("x")
        path = tmp_path / "file" / "classes.sqlite3"  # its folder is a file
    store = open_store(str(path))
    for name, call in _all_calls(store).items():
        with pytest.raises(StoreDown, match=f"the file {path} cannot be opened or written") as err:
            call()
        assert "check that it exists" in str(err.value), name


def test_a_refusal_is_not_an_outage(store):
    """StoreDown only for the store's own failures: an input refusal stays an ordinary ClassError."""
    with pytest.raises(ClassError) as err:
        store.join("ABCDEFGH", client="192.0.2.1")
    assert not isinstance(err.value, StoreDown)


def test_the_forwarded_address_is_believed_only_from_the_trusted_proxy():
    from gru_lab.classes.clients import client_address, trusted_proxies
    nginx = trusted_proxies("127.0.0.1, ::1")
    assert client_address(None, "203.0.113.5", nginx) == "203.0.113.5"  # Streamlit: None is this machine
    assert client_address("::ffff:127.0.0.1", "203.0.113.5", nginx) == "203.0.113.5"
    assert client_address("198.51.100.4", "203.0.113.5", nginx) == "198.51.100.4"  # a browser claiming a header
    assert client_address(None, "203.0.113.5", frozenset()) == "127.0.0.1"  # no proxy configured: not believed
    assert client_address(None, "<script>", nginx) == "127.0.0.1"
    with pytest.raises(ValueError, match="'nginx' is not an IP address"):
        trusted_proxies("nginx")
