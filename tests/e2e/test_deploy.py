"""The hall set-up (deploy/): 2 replicas behind nginx serve two browsers, each kept on its replica,
and a browser whose replica was killed stays on the one it failed over to once that one is back.

Skipped without nginx unless GRU_LAB_REQUIRE_NGINX=1 (CI, .ci/run) turns the skip into a failure;
the browser test also needs Chromium (conftest.py). The configuration test needs neither.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from collections import defaultdict

import pytest

from deploy.serve import (
    FAIL_TIMEOUT_S,
    MAX_ADDRESS_CHARS,
    REQUEST_LINE_REST,
    STICKY_COOKIE,
    Deployment,
    healthy,
    missing_nginx,
    nginx_binary,
    render,
    upload_limit_mb,
)

from .server import free_port
from .settle import settle
from .ui import MAIN, choose_radio, exceptions

LOG_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) .* replica=(?P<replica>\S+) '
                      r"sticky=(?P<sticky>\S+)")


@pytest.fixture(scope="module")
def nginx_available() -> None:
    reason = missing_nginx()
    if reason:
        if os.environ.get("GRU_LAB_REQUIRE_NGINX") == "1":
            pytest.fail(f"GRU_LAB_REQUIRE_NGINX=1 but {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def hall(nginx_available, tmp_path_factory):
    with Deployment(replicas=2, port=free_port(), workdir=tmp_path_factory.mktemp("deploy")) as deployment:
        yield deployment


def get(url: str, cookie: str | None = None):
    """(X-Upstream, the Set-Cookie headers) of one GET."""
    headers = {"Cookie": f"{STICKY_COOKIE}={cookie}"} if cookie else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
        r.read()
        return r.headers.get("X-Upstream"), r.headers.get_all("Set-Cookie") or []


def sticky_cookie(set_cookies: list[str]) -> str | None:
    found = [c.split(";")[0].split("=", 1)[1] for c in set_cookies if c.startswith(f"{STICKY_COOKIE}=")]
    return found[0] if found else None


def test_config_matches_the_app(tmp_path):
    conf = render(tmp_path, "127.0.0.1:8080", [8501, 8502])
    assert f"client_max_body_size {upload_limit_mb() + 1}m;" in conf
    server = r"\s*server 127\.0\.0\.1:(\d+) max_fails=\d+ fail_timeout=\d+s( backup)?;"
    upstreams = {m[1]: re.findall(server, m[2]) for m in re.finditer(r"upstream (\w+) \{\n(.*?)\n    \}", conf, re.S)}
    assert upstreams == {"gru_lab": [("8501", ""), ("8502", "")],  # new browsers: round robin
                         "gru_lab_r0": [("8501", ""), ("8502", " backup")],  # cookie r0.*: replica 0 first
                         "gru_lab_r1": [("8502", ""), ("8501", " backup")]}, upstreams
    assert f"map $cookie_{STICKY_COOKIE} $gru_lab_pinned" in conf and "proxy_pass http://$gru_lab_upstream;" in conf
    assert re.search(r'"~\(\^\|, \)127\\.0\\.0\\.1:8502\$"\s+r1;', conf), "the served replica's name"
    assert f"large_client_header_buffers 4 {MAX_ADDRESS_CHARS + REQUEST_LINE_REST};" in conf
    stream = conf[conf.index("location = /_stcore/stream"):]
    assert "proxy_read_timeout 1d;" in stream[:stream.index("}")]
    assert "proxy_set_header Upgrade $http_upgrade;" in conf and not re.search(r"@[A-Z_]+@", conf)
    if nginx_binary():  # nginx's own syntax check, with the same prefix and no root
        (tmp_path / "tmp").mkdir()
        (tmp_path / "nginx.conf").write_text(conf)
        done = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                               "-e", str(tmp_path / "error.log")], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr


def test_nginx_sets_the_cookie_once_and_it_keeps_the_replica(hall):
    replicas = {r.address for r in hall.replicas}
    first, set_cookies = get(f"{hall.url}/_stcore/health")
    cookie = sticky_cookie(set_cookies)
    assert first in replicas and cookie, set_cookies
    for path in ("/", "/saturation", "/_stcore/host-config", "/_stcore/health"):
        upstream, again = get(hall.url + path, cookie)
        assert upstream == first, f"{path} went to {upstream}, the cookie's replica is {first}"
        assert sticky_cookie(again) is None, "nginx reset a cookie the browser already had"
    reached = {get(f"{hall.url}/_stcore/health", f"probe-{k}")[0] for k in range(32)}
    assert reached == replicas, f"32 cookies reached {reached} of {replicas}"


def cookie_for_other_replica(hall, taken: str) -> str:
    """A well-formed sticky cookie naming the replica that is not `taken` ("r<index>.<browser id>")."""
    other = next(r for r in hall.replicas if r.address != taken)
    return f"{other.name}.0ther"


def browser_id(cookie: str) -> str:
    """The access log's sticky key: the browser id after the replica's name."""
    return cookie.split(".", 1)[1]


class Visitor:
    """One browser (a context of its own) and the X-Upstream of every HTTP response it got."""

    def __init__(self, browser, base: str, cookie: str | None = None) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        if cookie:
            self.context.add_cookies([{"name": STICKY_COOKIE, "value": cookie, "url": base}])
        self.page = self.context.new_page()
        self.upstreams: list[str] = []
        self.errors: list[str] = []
        self.page.on("response", lambda r: self.upstreams.append(r.headers.get("x-upstream")))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def cookie(self) -> str | None:
        return next((c["value"] for c in self.context.cookies() if c["name"] == STICKY_COOKIE), None)

    def check_served(self, what: str) -> None:
        settle(self.page)
        assert exceptions(self.page) == [], f"{what}: {exceptions(self.page)}"
        assert self.page.locator(f"{MAIN} h1").count() >= 1, f"{what}: no page title drawn"
        assert self.errors == [], f"{what}: JavaScript errors {self.errors}"


def stream_replicas(access_log, cookies: list[str], connections: int, timeout: float = 15.0) -> dict:
    """Cookie -> the replicas its /_stcore/stream websockets went to, once each cookie has `connections`
    (nginx logs a websocket when it closes)."""
    deadline = time.monotonic() + timeout
    while True:
        seen: dict[str, list[str]] = defaultdict(list)
        for line in access_log.read_text().splitlines():
            m = LOG_LINE.search(line)
            if m and m["path"].startswith("/_stcore/stream") and m["sticky"] in cookies:
                seen[m["sticky"]].append(m["replica"])
        if all(len(seen[c]) >= connections for c in cookies) or time.monotonic() > deadline:
            return {c: set(seen[c]) for c in cookies}
        time.sleep(0.25)


def test_two_browsers_are_served_and_each_stays_on_its_replica(browser, hall):
    replicas = {r.address for r in hall.replicas}
    a = Visitor(browser, hall.url)  # no cookie yet: nginx gives it one
    b = None
    try:
        a.page.goto(f"{hall.url}/saturation?H=16")
        a.check_served("first browser")
        cookie_a, replica_a = a.cookie(), a.upstreams[0]
        assert cookie_a and replica_a in replicas, (a.cookie(), a.upstreams)
        b = Visitor(browser, hall.url, cookie_for_other_replica(hall, replica_a))  # the other replica, for sure
        b.page.goto(f"{hall.url}/saturation?H=16")
        b.check_served("second browser")
        cookie_b, replica_b = b.cookie(), b.upstreams[0]
        assert {replica_a, replica_b} == replicas, "the two browsers should be on the two replicas"
        for v, name in ((a, "first"), (b, "second")):
            for case in ("copy", "cut"):  # a rerun over the websocket: the server writes the case into the link
                choose_radio(v.page, "case", case)
                assert f"case={case}" in v.page.url, f"{name} browser: the rerun to {case} did not happen"
            for k in range(2):
                v.page.reload()
                v.check_served(f"{name} browser, reload {k + 1}")
                assert "case=cut" in v.page.url
        assert (a.cookie(), b.cookie()) == (cookie_a, cookie_b), "a browser's sticky cookie changed"
        assert set(filter(None, a.upstreams)) == {replica_a}, a.upstreams
        assert set(filter(None, b.upstreams)) == {replica_b}, b.upstreams
    finally:
        a.context.close()
        if b is not None:
            b.context.close()
    # The websockets, which carry every rerun: one per page load (3 each), every one on its browser's replica.
    ids = [browser_id(cookie_a), browser_id(cookie_b)]
    assert stream_replicas(hall.access_log, ids, 3) == {ids[0]: {replica_a}, ids[1]: {replica_b}}


def served_by(upstream: str | None) -> str | None:
    """The replica that answered: X-Upstream lists every one nginx tried, the last one answered."""
    return upstream.split(", ")[-1] if upstream else upstream


def test_a_browser_that_failed_over_stays_where_it_landed(hall):
    """kill -9 of a browser's replica moves it to the other (one fresh session); once the killed replica
    is back (restarted, healthy, and past nginx's fail_timeout), the browser stays where it landed
    instead of being sent back (a second fresh session). Runs last: it restarts a replica."""
    first, set_cookies = get(f"{hall.url}/_stcore/health")
    cookie = sticky_cookie(set_cookies)
    victim = next(r for r in hall.replicas if r.address == first)
    survivor = next(r for r in hall.replicas if r is not victim)
    assert get(f"{hall.url}/", cookie)[0] == victim.address
    os.killpg(victim.proc.pid, signal.SIGKILL)
    victim.proc.wait(timeout=10)
    try:
        landed, again = get(f"{hall.url}/saturation", cookie)
        assert served_by(landed) == survivor.address, landed
        cookie = sticky_cookie(again) or cookie  # a browser keeps its cookie unless a response replaces it
        victim.start()
        deadline = time.monotonic() + 120
        while not healthy(victim.url, timeout=2):
            assert victim.alive() and time.monotonic() < deadline, victim.log_tail()
            time.sleep(0.25)
        time.sleep(FAIL_TIMEOUT_S + 1)  # nginx sends requests to a failed replica again after fail_timeout
        for path in ("/", "/saturation", "/_stcore/host-config", "/_stcore/health", "/"):
            upstream, replaced = get(hall.url + path, cookie)
            assert upstream == survivor.address, (
                f"{path}: the failed-over browser went back to {upstream}, a second fresh session; it "
                f"landed on {survivor.address}")
            assert sticky_cookie(replaced) is None, f"{path}: the cookie changed again: {replaced}"
    finally:
        if not victim.alive():
            victim.start()
        deadline = time.monotonic() + 120
        while not healthy(victim.url, timeout=2) and time.monotonic() < deadline:
            time.sleep(0.25)
