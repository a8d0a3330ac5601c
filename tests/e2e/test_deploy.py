"""The hall set-up (deploy/): 2 replicas behind nginx serve two browsers, each kept on its replica.

Skipped without nginx unless GRU_LAB_REQUIRE_NGINX=1 (CI, .ci/run) turns the skip into a failure;
the browser test also needs Chromium (conftest.py). The configuration test needs neither.
"""
from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.request
from collections import defaultdict

import pytest

from deploy.serve import STICKY_COOKIE, Deployment, missing_nginx, nginx_binary, render, upload_limit_mb

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
    assert re.findall(r"server 127\.0\.0\.1:(\d+) max_fails=\d+ fail_timeout=\d+s;", conf) == ["8501", "8502"]
    assert f"map $cookie_{STICKY_COOKIE} $gru_lab_sticky" in conf and "hash $gru_lab_sticky consistent;" in conf
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
    for k in range(64):
        if get(f"{hall.url}/_stcore/health", f"other-{k}")[0] != taken:
            return f"other-{k}"
    raise AssertionError(f"64 cookies all hashed onto {taken}")


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
    assert stream_replicas(hall.access_log, [cookie_a, cookie_b], 3) == {cookie_a: {replica_a}, cookie_b: {replica_b}}
