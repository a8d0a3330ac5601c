"""The app as an installed package: `pip install .` into a fresh folder, then the installed `gru-lab` run
from that folder made read-only, from a working directory elsewhere.

The package is built from a copy of the source (a build writes build/ and *.egg-info beside
pyproject.toml, which must not land in the checkout) and installed with
`pip install --no-deps --no-build-isolation --no-index --target <tmp>/site`: offline, the dependencies
being this interpreter's own. The tests run as root, whom file modes do not stop, so the installed folder
is made read-only by a read-only bind mount in a private mount namespace (`unshare -m`), and the wrapper
first proves that writing there fails. In it the installed console script `gru-lab` serves the app on a
free port with GRU_LAB_RUNTIME_DIR and GRU_LAB_CLASS_STORE in a writable folder: a teacher starts a class
on the lesson page, a student joins by the link and follows a Next (the student's page polls
/_gru_lab/live/<code>.json, served from the runtime folder), and afterwards the class file is in the
runtime folder, nothing changed in the installed folder and the server log holds no traceback.
`gru-lab serve` runs a one-replica hall behind nginx from the same read-only copy.

Without `unshare` (or without the right to mount) the read-only tests are skipped, unless
GRU_LAB_REQUIRE_BROWSER=1 turns that into a failure; the hall also needs nginx (GRU_LAB_REQUIRE_NGINX=1).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.serve import missing_nginx

from .server import HOST, REPO, free_port
from .test_live_class import FOLLOW_S, join, on_stop, start_class

START_TIMEOUT = 120.0  # the app imports numpy, pandas and Plotly on a shared 2-core machine
# The app's folder as pyproject.toml installs it into gru_lab/app/ (gru_lab.paths.APP_DIR).
APP_FILES = ["app.py", "lab.py", ".streamlit/config.toml", "deploy/serve.py", "deploy/nginx.conf.template"]
APP_FOLDERS = {"app_pages": "*.py", "weights": "*"}
NOT_SOURCE = shutil.ignore_patterns(".git", "artifacts", "tests", "benchmarks", "build", "*.egg-info", ".venv",
                                    "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", ".hypothesis",
                                    ".benchmarks")
# Runs "$@" with folder $1 mounted read-only, after showing that a write there fails. unshare -m makes the
# mount namespace private (its default propagation), so the mount is seen by this process tree only.
READ_ONLY = ('D="$1"; shift; mount --bind "$D" "$D" && mount -o remount,ro,bind "$D" "$D" || exit 96; '
             'if (: > "$D/.write_probe") 2>/dev/null; then echo "$D is writable" >&2; exit 97; fi; '
             'echo "read-only: $D"; exec "$@"')


def _require(reason: str, flag: str = "GRU_LAB_REQUIRE_BROWSER") -> None:
    if os.environ.get(flag) == "1":
        pytest.fail(f"{flag}=1 but {reason}")
    pytest.skip(reason)


def read_only(folder: Path, *cmd: str) -> list[str]:
    """`cmd` in a private mount namespace where `folder` is read-only."""
    return ["unshare", "-m", "--", "sh", "-c", READ_ONLY, "sh", str(folder), *cmd]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The package built from a copy of this checkout and installed (no dependencies) into a folder of its own."""
    base = tmp_path_factory.mktemp("installed")
    shutil.copytree(REPO, base / "src", ignore=NOT_SOURCE)
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                          "--no-cache-dir", "--disable-pip-version-check", "--target", str(base / "site"),
                          str(base / "src")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"pip install failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    print(f"pip install . took {time.monotonic() - t0:.1f} s")
    return base / "site"


@pytest.fixture(scope="module")
def can_mount(site) -> None:
    """unshare and a read-only bind mount work here (else skip, or fail under GRU_LAB_REQUIRE_BROWSER=1)."""
    if shutil.which("unshare") is None:
        _require("unshare (util-linux) not found: the installed folder cannot be made read-only")
    probe = subprocess.run(read_only(site, "true"), capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        _require(f"no read-only bind mount here (unshare -m exited {probe.returncode}: {probe.stderr.strip()})")


def _env(site: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRU_LAB_", "STREAMLIT_"))}
    return {**env, "PYTHONPATH": str(site), **extra}


def _snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder`, with a digest of each file's bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.rglob("*"))}


class Started:
    """A command in its own process group, its output in a log; stopped (the whole group) on exit."""

    def __init__(self, cmd: list[str], log: Path, cwd: Path, env: dict[str, str]) -> None:
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_healthy(self, url: str, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"exited with {self.proc.returncode}:\n{self.text()[-4000:]}"
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
            time.sleep(0.25)
        raise AssertionError(f"{url}/_stcore/health did not answer within {timeout:.0f} s:\n{self.text()[-4000:]}")

    def wait_for(self, text: str, timeout: float = START_TIMEOUT) -> None:
        """Until the output says `text` (fails if the command exits first or past `timeout`)."""
        deadline = time.monotonic() + timeout
        while text not in self.text():
            assert self.proc.poll() is None, f"exited with {self.proc.returncode}:\n{self.text()[-4000:]}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout:.0f} s:\n{self.text()[-4000:]}"
            time.sleep(0.25)

    def stop(self) -> None:
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 5)):
            if self.proc.poll() is not None:
                return
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=wait)

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def test_the_installed_copy_holds_the_app(site):
    """Every file of gru_core/ and gru_lab/ and of the app's folder arrives, byte for byte, and the installed
    gru_lab finds its app folder (weights included) in itself, not in the checkout."""
    missing, changed = [], []
    pairs = [(p, site / p.relative_to(REPO)) for pkg in ("gru_core", "gru_lab") for p in (REPO / pkg).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    pairs += [(REPO / f, site / "gru_lab" / "app" / f) for f in APP_FILES]
    pairs += [(p, site / "gru_lab" / "app" / p.relative_to(REPO)) for folder, pattern in APP_FOLDERS.items()
              for p in (REPO / folder).glob(pattern) if p.is_file()]
    for source, installed in pairs:
        if not installed.is_file():
            missing.append(str(source.relative_to(REPO)))
        elif installed.read_bytes() != source.read_bytes():
            changed.append(str(source.relative_to(REPO)))
    assert missing == [], f"not installed (pyproject.toml's packages and package-data): {missing}"
    assert changed == [], f"installed copies differ from the checkout: {changed}"
    assert not (REPO / "gru_lab" / "app").exists(), "a checkout's gru_lab/app/ would hide the repository root"
    assert (site / "bin" / "gru-lab").is_file(), "no gru-lab console script"

    code = ("import json, gru_lab.paths as p, gru_lab.weights as w, gru_lab.stories as s; "
            "print(json.dumps([str(p.APP_DIR), str(w.WEIGHTS), str(s.trained_weights_for('clue'))]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=site.parent, env=_env(site), capture_output=True,
                         text=True, timeout=120, check=True)
    app_dir, weights, clue = map(Path, json.loads(out.stdout))
    assert app_dir == (site / "gru_lab" / "app").resolve()
    assert weights == app_dir / "weights" and clue.parent == weights and clue.is_file()
    usage = subprocess.run([str(site / "bin" / "gru-lab"), "--help"], cwd=site.parent, env=_env(site),
                           capture_output=True, text=True, timeout=60, check=True).stdout
    assert "gru-lab serve" in usage and str(app_dir) in usage


def test_the_installed_app_runs_a_class_from_a_read_only_folder(site, can_mount, browser, tmp_path):
    work = tmp_path / "elsewhere"  # the working directory: neither the checkout nor the installed folder
    work.mkdir()
    runtime, store = tmp_path / "run", tmp_path / "classes.sqlite3"
    port = free_port()
    url = f"http://{HOST}:{port}"
    before = _snapshot(site)
    cmd = read_only(site, str(site / "bin" / "gru-lab"), "run", "--server.address", HOST, "--server.port", str(port))
    env = _env(site, GRU_LAB_RUNTIME_DIR=str(runtime), GRU_LAB_CLASS_STORE=str(store))
    t0 = time.monotonic()
    with Started(cmd, tmp_path / "server.log", work, env) as server:
        server.wait_healthy(url)
        print(f"installed app healthy after {time.monotonic() - t0:.1f} s")
        assert f"read-only: {site}" in server.text()

        teacher_ctx, teacher, code, link = start_class(browser, url)
        student_ctx = None
        try:
            assert link.startswith(url), link
            student_ctx, student = join(browser, link)
            teacher.get_by_role("button", name="Next", exact=True).click()
            print(f"the student followed in {on_stop(student, 2, FOLLOW_S):.2f} s")
            with urllib.request.urlopen(f"{url}/_gru_lab/live/{code}.json", timeout=10) as r:
                assert r.status == 200 and json.loads(r.read())
        finally:
            if student_ctx is not None:
                student_ctx.close()
            teacher_ctx.close()
        server.stop()
        log = server.text()
    assert (runtime / "live" / f"{code}.json").is_file(), f"no class file in the runtime folder {runtime}"
    assert store.is_file(), "the class store was not written where GRU_LAB_CLASS_STORE says"
    assert _snapshot(site) == before, "something was written into the installed folder"
    assert "Traceback" not in log, log[-6000:]


def test_gru_lab_serve_runs_a_hall_from_the_read_only_copy(site, can_mount, tmp_path_factory):
    reason = missing_nginx()
    if reason:
        _require(reason, "GRU_LAB_REQUIRE_NGINX")
    workdir = tmp_path_factory.mktemp("hall")
    port = free_port()
    url = f"http://{HOST}:{port}"
    before = _snapshot(site)
    cmd = read_only(site, str(site / "bin" / "gru-lab"), "serve", "--replicas", "1", "--port", str(port),
                    "--replica-port", "0", "--workdir", str(workdir))
    with Started(cmd, workdir / "serve.out", workdir, _env(site)) as hall:
        hall.wait_for("behind nginx at")  # serve.py says so once every replica and nginx answer
        hall.wait_healthy(url)
        with urllib.request.urlopen(f"{url}/lesson?stop=1", timeout=30) as r:
            assert r.status == 200 and r.headers["X-Upstream"]
        hall.stop()
        out = hall.text()
    replica_log = (workdir / "replica-0.log").read_text(errors="replace")
    assert "Traceback" not in out + replica_log, (out + replica_log)[-6000:]
    assert _snapshot(site) == before, "something was written into the installed folder"
