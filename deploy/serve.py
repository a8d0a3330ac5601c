"""Serve GRU Lab to a lecture hall: N Streamlit replicas on loopback ports behind nginx, on one machine.

    python deploy/serve.py --replicas 2 --port 8080                  # this machine only
    python deploy/serve.py --replicas 4 --port 8080 --host 0.0.0.0   # open to the school network
    python deploy/serve.py --replicas 2 -- --client.showErrorDetails full   # extra Streamlit flags

Each replica is `streamlit run app.py --server.port P --server.address 127.0.0.1 --server.headless true`
run from the app's folder (so it reads .streamlit/config.toml): the repository root, or gru_lab/app/ of
an installed copy (`gru-lab serve`, gru_lab/cli.py). Each replica runs in a process group of its own.
nginx runs in the foreground with deploy/nginx.conf.template rendered into a work directory of its
own (its pid, logs and temp files too), so it needs neither root nor /etc/nginx. The script waits
until every replica's /_stcore/health and nginx answer, then watches them: a replica that exits is
started again (its students' sessions start afresh, as after any server restart), one whose health
check fails is reported. Ctrl-C (or SIGTERM, as `docker stop` sends) stops nginx, then the replicas.

The benchmark (benchmarks/classroom_load.py --replicas N) and tests/e2e/test_deploy.py use the same
`Deployment` class.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TEMPLATE = HERE / "nginx.conf.template"
LOOPBACK = "127.0.0.1"
STICKY_COOKIE = "gru_lab_replica"  # set by nginx, "r<index>.<browser id>"; see the template
# The longest address (path and query, as sent: after percent-encoding) a link may have, on every page.
# The replicas' server (Streamlit 1.67 runs uvicorn with h11) refuses with a bare 400 a request whose
# head (request line and headers) is over 16 KiB when it arrives in more than one read, as a long
# one does over a network: whether a longer link opens is then chance. 10,000 leaves 6 KiB for a
# browser's headers (Chromium cuts a Referer over 4,096 characters to the origin). nginx refuses a
# longer request line itself (414) with TOO_LONG_PAGE; the lesson= parameter's own cap is 8,000.
MAX_ADDRESS_CHARS = 10_000
REQUEST_LINE_REST = len("GET  HTTP/1.1\r\n")  # around the address in nginx's buffer
TOO_LONG_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>GRU Lab: link too long</title>"
    "<body style=\"font-family:sans-serif;max-width:40em;margin:3em auto;line-height:1.5\">"
    "<h1>This link is too long</h1>"
    f"<p>GRU Lab opens links of up to {MAX_ADDRESS_CHARS:,} characters; this one is longer, so the "
    "server refused it before the app saw it.</p>"
    "<p>Ask your teacher for the lesson file instead (Guided lesson, Make your own lesson: "
    "Download the lesson file) and open it there (Open a lesson file), or use a shorter link.</p>"
    "<p><a href=\"/\">Open GRU Lab</a></p></body></html>"
)
HEALTH_TIMEOUT = 120.0  # N replicas import numpy, pandas and Plotly at once on a small machine
# Passive health checks (the only ones open-source nginx has): this many failures within this window
# take a replica out of the hash ring for the window.
MAX_FAILS, FAIL_TIMEOUT_S = 3, 10


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)


def missing_nginx() -> str | None:
    """Why nginx cannot run here, or None."""
    return None if nginx_binary() else "nginx not found: apt-get install nginx (Debian's package)"


def upload_limit_mb(config: Path = REPO / ".streamlit" / "config.toml") -> int:
    """The app's server.maxUploadSize (MB; Streamlit's default is 200)."""
    with open(config, "rb") as f:
        return int(tomllib.load(f).get("server", {}).get("maxUploadSize", 200))


def replica_name(index: int) -> str:
    """How the sticky cookie names replica `index` (its value is "<name>.<browser id>")."""
    return f"r{index}"


def render(prefix: Path, listen: str, ports: Sequence[int], template: Path = TEMPLATE,
           live_dir: Path | None = None) -> str:
    """The nginx configuration for replicas on these loopback ports, nginx listening on `listen`, serving
    the class files of `live_dir` (default: <prefix>/run/live)."""
    def server(port: int, backup: bool = False) -> str:
        return (f"        server {LOOPBACK}:{port} max_fails={MAX_FAILS} fail_timeout={FAIL_TIMEOUT_S}s"
                + (" backup;" if backup else ";"))

    pinned = "".join(  # replica i first, every other one as its backup
        f"    upstream gru_lab_{replica_name(i)} {{\n"
        + "\n".join([server(p)] + [server(q, backup=True) for q in ports if q != p]) + "\n    }\n"
        for i, p in enumerate(ports))
    if "'" in TOO_LONG_PAGE or "$" in TOO_LONG_PAGE:
        raise ValueError("TOO_LONG_PAGE goes into nginx's return '...': no single quote or $ in it")
    fields = {"@PREFIX@": str(prefix), "@LISTEN@": listen,
              "@SERVERS@": "\n".join(server(p) for p in ports),
              "@PINNED@": pinned,
              "@COOKIE_TO_UPSTREAM@": "\n".join(f"        {replica_name(i)}  gru_lab_{replica_name(i)};"
                                                for i in range(len(ports))),
              "@ADDR_TO_REPLICA@": "\n".join(f'        "~(^|, ){re.escape(LOOPBACK)}:{p}$"  {replica_name(i)};'
                                             for i, p in enumerate(ports)),
              "@BODY_MB@": str(upload_limit_mb() + 1),
              "@LINE_BYTES@": str(MAX_ADDRESS_CHARS + REQUEST_LINE_REST),
              "@TOO_LONG_PAGE@": TOO_LONG_PAGE,
              "@LIVE_DIR@": str(live_dir or prefix / "run" / "live")}
    text = template.read_text()
    for field, value in fields.items():
        text = text.replace(field, value)
    return text


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def healthy(url: str, timeout: float = 5.0) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as r:
        return r.status == 200
    return False


def rss_mb(pid: int) -> float | None:
    """Resident memory of process `pid` in MiB (VmRSS), or None when it is gone."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def _stop_group(proc: subprocess.Popen | None, first: int = signal.SIGTERM, wait: float = 10) -> None:
    """End `proc` and its own process group (start_new_session): `first`, then SIGKILL if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    for sig, seconds in ((first, wait), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=seconds)
            return


class Replica:
    """One `streamlit run app.py` on a loopback port."""

    def __init__(self, index: int, port: int, log_path: Path, flags: Sequence[str] = (),
                 env: dict[str, str] | None = None) -> None:
        self.index, self.port, self.log_path = index, port, log_path
        self.flags, self.env = list(flags), env
        self.proc: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        """How the sticky cookie names it."""
        return replica_name(self.index)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def address(self) -> str:
        """How nginx names it ($upstream_addr, the X-Upstream header)."""
        return f"{LOOPBACK}:{self.port}"

    def start(self) -> Replica:
        cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(self.port),
               "--server.address", LOOPBACK, "--server.headless", "true", *self.flags]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True, env=self.env)
        return self

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        _stop_group(proc)

    def rss_mb(self) -> float | None:
        return rss_mb(self.proc.pid) if self.proc is not None else None

    def log_tail(self, chars: int | None = 4000) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return text if chars is None else text[-chars:]

    def log_errors(self) -> list[str]:
        """Lines of the replica's log that report a traceback or an error."""
        return [ln for ln in self.log_tail(None).splitlines() if "Traceback" in ln or "Error" in ln]


class Deployment:
    """`replicas` Streamlit replicas and nginx in front of them, listening on host:port.

    `workdir` holds the rendered nginx.conf, nginx's logs (access.log names the replica of every
    request) and one log per replica; a fresh temporary directory unless given. `replica_port` 0
    picks free ports, else the replicas use replica_port, replica_port + 1, ...
    """

    def __init__(self, replicas: int = 2, port: int = 8080, host: str = LOOPBACK, workdir: Path | None = None,
                 flags: Sequence[str] = (), replica_port: int = 0) -> None:
        if replicas < 1:
            raise ValueError(f"replicas must be at least 1, got {replicas}")
        self.host, self.port = host, port
        self.workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="gru_lab_deploy_"))
        # One cookie secret for every replica, so anything Streamlit signs is valid on all of them.
        # The class files' folder: shared by the replicas, which write it, and nginx, which serves it. Its own
        # folder in /tmp unless set: nginx's workers (nobody, under root) must reach it, and a workdir made by
        # a test or a user may sit in a private folder.
        given = os.environ.get("GRU_LAB_RUNTIME_DIR", "").strip()
        self.runtime = Path(given) if given else Path(tempfile.mkdtemp(prefix="gru_lab_run_"))
        self._own_runtime = not given
        env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET":
               os.environ.get("STREAMLIT_SERVER_COOKIE_SECRET") or secrets.token_hex(32),
               "GRU_LAB_RUNTIME_DIR": str(self.runtime),
               # nginx on loopback is the one proxy whose X-Real-IP (a student's own address) is believed,
               # for the limits per client (gru_lab/classes/clients.py)
               "GRU_LAB_TRUSTED_PROXIES": LOOPBACK}
        ports = [free_port() if not replica_port else replica_port + i for i in range(replicas)]
        self.replicas = [Replica(i, p, self.workdir / f"replica-{i}.log", flags, env) for i, p in enumerate(ports)]
        self.nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        shown = LOOPBACK if self.host in ("0.0.0.0", "") else self.host
        return f"http://{shown}:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    @property
    def conf(self) -> Path:
        return self.workdir / "nginx.conf"

    def start(self, timeout: float = HEALTH_TIMEOUT) -> Deployment:
        """Start the replicas and nginx; return once all answer /_stcore/health, or raise within `timeout`."""
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError(missing_nginx())
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "tmp").mkdir(exist_ok=True)
        if os.geteuid() == 0:  # nginx's workers drop to "nobody" and must reach their temp files
            self.workdir.chmod(0o755)
        (self.runtime / "live").mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            for folder in (self.runtime, self.runtime / "live"):
                folder.chmod(0o755)
        self.conf.write_text(render(self.workdir, f"{self.host}:{self.port}", [r.port for r in self.replicas],
                                    live_dir=self.runtime / "live"))
        try:
            for r in self.replicas:
                r.start()
            deadline = time.monotonic() + timeout
            for r in self.replicas:
                self._wait(r.url, deadline, r.alive, lambda r=r: f"replica {r.index} ({r.address})", r.log_tail)
            with open(self.workdir / "nginx.out", "ab") as out:
                self.nginx = subprocess.Popen(
                    [binary, "-p", str(self.workdir), "-c", str(self.conf), "-e", str(self.workdir / "error.log"),
                     "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                    start_new_session=True)
            self._wait(self.url, deadline, self.nginx_alive, lambda: f"nginx on {self.host}:{self.port}",
                       self.nginx_log_tail)
            self._check_live_dir()
        except BaseException:
            self.stop()
            raise
        return self

    def _check_live_dir(self) -> None:
        """nginx must read the replicas' class files, or students never follow: a probe file, fetched through it."""
        probe = self.runtime / "live" / "PROBE234.json"  # a well-formed class code no class has (no 0/1/O/I)
        probe.write_text('{"probe": true}')
        try:
            with urllib.request.urlopen(f"{self.url}/_gru_lab/live/{probe.name}", timeout=10) as r:
                if r.status == 200:
                    return
        except OSError as err:
            raise RuntimeError(f"nginx cannot serve the class files in {probe.parent} ({err}): its workers (user "
                               "nobody when started as root) must be able to read that folder and every folder "
                               "above it; set GRU_LAB_RUNTIME_DIR to such a folder") from None
        finally:
            probe.unlink(missing_ok=True)

    @staticmethod
    def _wait(url, deadline, alive, name, tail) -> None:
        while time.monotonic() < deadline:
            if not alive():
                raise RuntimeError(f"{name()} exited during start-up:\n{tail()}")
            if healthy(url, timeout=2):
                return
            time.sleep(0.25)
        raise RuntimeError(f"{name()} not healthy on {url} in time:\n{tail()}")

    def nginx_alive(self) -> bool:
        return self.nginx is not None and self.nginx.poll() is None

    def nginx_log_tail(self, chars: int = 4000) -> str:
        parts = []
        for name in ("nginx.out", "error.log"):
            with contextlib.suppress(OSError):
                parts.append((self.workdir / name).read_text(errors="replace")[-chars:])
        return "\n".join(parts) or "(no log)"

    def stop(self) -> None:
        """nginx first (no new requests reach a replica that is going), then every replica."""
        nginx, self.nginx = self.nginx, None
        _stop_group(nginx, signal.SIGTERM, 5)  # SIGTERM: nginx's fast shutdown, websockets closed
        for r in self.replicas:
            r.stop()
        if self._own_runtime:  # the class files of this run: nothing to keep once the replicas are gone
            shutil.rmtree(self.runtime, ignore_errors=True)

    def watch(self, interval: float = 5.0, failures_to_report: int = 3) -> None:
        """Until nginx exits (or a KeyboardInterrupt): start again any replica that exited, and report
        one whose /_stcore/health has failed `failures_to_report` checks in a row."""
        failed = [0] * len(self.replicas)
        while self.nginx_alive():
            for r in self.replicas:
                if not r.alive():
                    code = r.proc.returncode if r.proc is not None else None
                    print(f"{time.strftime('%H:%M:%S')} replica {r.index} ({r.address}) exited with {code}; "
                          f"starting it again (log {r.log_path})", flush=True)
                    r.start()
                    failed[r.index] = 0
                    continue
                failed[r.index] = 0 if healthy(r.url, timeout=10) else failed[r.index] + 1
                if failed[r.index] == failures_to_report:
                    print(f"{time.strftime('%H:%M:%S')} replica {r.index} ({r.address}) failed "
                          f"{failures_to_report} health checks in a row "
                          f"(busy or hung); nginx routes around it once connections fail", flush=True)
            time.sleep(interval)
        raise RuntimeError(f"nginx exited:\n{self.nginx_log_tail()}")

    def __enter__(self) -> Deployment:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="Arguments after -- go to every replica's `streamlit run`.")
    p.add_argument("--replicas", type=int, default=2, help="Streamlit processes (about one per core)")
    p.add_argument("--port", type=int, default=8080, help="the port students open (nginx)")
    p.add_argument("--host", default=LOOPBACK, help="nginx's address: 0.0.0.0 opens it to the network")
    p.add_argument("--replica-port", type=int, default=8501, help="first replica port (0: free ports)")
    p.add_argument("--workdir", type=Path, help="nginx.conf, logs and temp files (default: a new temp dir)")
    argv = list(sys.argv[1:] if argv is None else argv)
    flags = argv[argv.index("--") + 1:] if "--" in argv else []
    args = p.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    signal.signal(signal.SIGTERM, _interrupt)  # docker stop; as PID 1 an unhandled SIGTERM is ignored
    deployment = Deployment(args.replicas, args.port, args.host, args.workdir, flags, args.replica_port)
    try:
        deployment.start()
        print(f"GRU Lab: {args.replicas} replicas ("
              + ", ".join(f"{r.address} pid {r.proc.pid}" for r in deployment.replicas) + ") behind "
              f"nginx at {deployment.url}\nlogs and nginx.conf: {deployment.workdir}\nCtrl-C stops everything.",
              flush=True)
        deployment.watch()
    except KeyboardInterrupt:
        print("stopping nginx and the replicas", flush=True)
        return 0
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        deployment.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
