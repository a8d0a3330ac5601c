"""Long links: one stated limit for the whole address, the same on every page, and a readable refusal.

A link's address (path and query, as sent) of at most deploy.serve.MAX_ADDRESS_CHARS opens the app
on every page, behind the hall's nginx and on one process; nginx refuses a longer one with a page that
says so and names the lesson file, not a bare error. Why the limit is where it is: Streamlit 1.67's
server (uvicorn with h11) answers a bare 400 to a request head over 16 KiB whenever the head arrives
in more than one read, which is chance on loopback and the rule over a network (issue 19: the same
100k-character link opened on some pages and not on others).

The nginx tests are skipped without nginx unless GRU_LAB_REQUIRE_NGINX=1; the browser ones also
need Chromium (conftest.py).
"""
from __future__ import annotations

import os
import re
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

from deploy.serve import MAX_ADDRESS_CHARS, Deployment, missing_nginx

from .server import REPO, free_port
from .settle import settle
from .ui import MAIN, exceptions

# Every page a link can name, and the classroom view, as the path and query before the padding.
PATHS = ["/?", "/step?", "/saturation?", "/vanishing?", "/train?", "/lstm?", "/lesson?", "/?classroom=1&"]
H11_HEAD_LIMIT = 16 * 1024  # h11.DEFAULT_MAX_INCOMPLETE_EVENT_SIZE, which uvicorn uses as it is
# What Chromium sends besides the address on a page's requests, at its largest: a Referer is cut to the
# origin beyond 4,096 characters; the cookies are nginx's sticky one and Streamlit's XSRF one.
BROWSER_HEADERS = (
    "Host: 127.0.0.1:65535\r\nConnection: keep-alive\r\n"
    'sec-ch-ua: "Chromium";v="140", "Not=A?Brand";v="24"\r\nsec-ch-ua-mobile: ?0\r\n'
    'sec-ch-ua-platform: "Linux"\r\nUpgrade-Insecure-Requests: 1\r\n'
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n"
    "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: navigate\r\nSec-Fetch-User: ?1\r\nSec-Fetch-Dest: document\r\n"
    f"Referer: http://127.0.0.1:65535/{'r' * (4096 - len('http://127.0.0.1:65535/'))}\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\nAccept-Language: en-US,en;q=0.9\r\n"
    f"Cookie: gru_lab_replica=r0.{'f' * 32}; _streamlit_xsrf=2|{'a' * 8}|{'b' * 64}|{'1' * 10}\r\n"
)


def address(prefix: str, length: int) -> str:
    """`prefix` padded with a parameter the app ignores (with a notice) to exactly `length` characters."""
    start = f"{prefix}pad="
    return start + "a" * (length - len(start))


def raw_get(host: str, port: int, target: str, headers: str, step: int, pause: float = 0.05) -> bytes:
    """The status line of a GET sent `step` bytes a write, `pause` seconds apart (as TCP segments arrive)."""
    request = f"GET {target} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n".encode()
    with socket.create_connection((host, port), timeout=30) as s:
        for k in range(0, len(request), step):
            s.sendall(request[k:k + step])
            time.sleep(pause)
        data = b""
        while b"\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0]


def test_readme_states_the_limit_beside_the_lesson_cap():
    text = " ".join((REPO / "README.md").read_text().split())
    lesson = text.index("at most 8,000 characters")
    around = text[lesson - 300:lesson + 900]
    assert f"{MAX_ADDRESS_CHARS:,} characters" in around, "the address limit belongs beside the lesson cap"
    assert "lesson file" in around, "and what a teacher shares instead"


def test_one_process_opens_a_link_at_the_limit_however_it_arrives(app_url):
    """On Streamlit's own server a link at the limit, with a browser's largest headers, stays under
    h11's 16 KiB even when it arrives in pieces; a head over 16 KiB that arrives in pieces is refused
    (a bare 400), which is why the limit is not higher."""
    url = urlsplit(app_url)
    headers = BROWSER_HEADERS.replace("127.0.0.1:65535", url.netloc)
    at_limit = [address(p, MAX_ADDRESS_CHARS) for p in PATHS]
    head = len(f"GET {at_limit[0]} HTTP/1.1\r\n{headers}Connection: close\r\n\r\n")
    assert head <= H11_HEAD_LIMIT, f"a head of {head} bytes at the limit: lower MAX_ADDRESS_CHARS"
    statuses = {t.split("?")[0] + t.split("?")[1][:12]: raw_get(url.hostname, url.port, t, headers, step=1448)
                for t in at_limit}
    assert set(statuses.values()) == {b"HTTP/1.1 200 OK"}, statuses
    over = address("/step?", H11_HEAD_LIMIT)  # its first 17,000 bytes arrive before the rest
    assert raw_get(url.hostname, url.port, over, headers, step=17_000) == b"HTTP/1.1 400 Bad Request", (
        "Streamlit's server no longer refuses a 17 KiB head in pieces: MAX_ADDRESS_CHARS could be raised")


@pytest.fixture(scope="module")
def hall(tmp_path_factory):
    reason = missing_nginx()
    if reason:
        if os.environ.get("GRU_LAB_REQUIRE_NGINX") == "1":
            pytest.fail(f"GRU_LAB_REQUIRE_NGINX=1 but {reason}")
        pytest.skip(reason)
    with Deployment(replicas=1, port=free_port(), workdir=tmp_path_factory.mktemp("long_links")) as deployment:
        yield deployment


def fetch(url: str) -> tuple[int, str, str]:
    """(status, Content-Type, body) of one GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode(errors="replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode(errors="replace")


def test_hall_opens_a_link_at_the_limit_on_every_page_and_refuses_a_longer_one_readably(hall):
    opened = {p: fetch(hall.url + address(p, MAX_ADDRESS_CHARS)) for p in PATHS}
    assert {p: s for p, (s, _, body) in opened.items() if s != 200 or "<title>Streamlit</title>" not in body} == {}
    refused = {p: fetch(hall.url + address(p, MAX_ADDRESS_CHARS + 1)) for p in PATHS}
    assert {p: s for p, (s, _, _) in refused.items()} == dict.fromkeys(PATHS, 414)
    for p, (_, kind, body) in refused.items():
        assert kind.startswith("text/html"), (p, kind)
        assert "This link is too long" in body and f"{MAX_ADDRESS_CHARS:,} characters" in body, (p, body[:300])
        assert "lesson file" in body, (p, body[:300])


# Streamlit's frontend looks for its server under the page's own path first; those probes 404 by design.
BASE_PROBE = re.compile(r"/_stcore/(health|host-config)$")


@pytest.mark.parametrize("prefix", PATHS)
def test_a_browser_opens_a_link_at_the_limit_through_the_hall(browser, hall, prefix):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    failed: list[tuple[int, str]] = []
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("response", lambda r: failed.append((r.status, r.url[:120]))
                if r.status >= 400 and not (r.status == 404 and BASE_PROBE.search(r.url)) else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(hall.url + address(prefix, MAX_ADDRESS_CHARS))
        settle(page)
        assert exceptions(page) == []
        assert page.locator(f"{MAIN} h1").count() >= 1, "the page's title is missing"
        assert failed == [] and errors == [], (failed, errors)
    finally:
        context.close()


def test_a_browser_shows_the_refusal_page_for_a_longer_link(browser, hall):
    context = browser.new_context()
    try:
        page = context.new_page()
        response = page.goto(hall.url + address("/lesson?", MAX_ADDRESS_CHARS + 1))
        assert response.status == 414
        assert page.locator("h1").inner_text() == "This link is too long"
        assert "lesson file" in page.locator("body").inner_text()
    finally:
        context.close()
