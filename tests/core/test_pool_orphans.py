"""A server killed outright (SIGKILL, as deploy/serve.py finds a crashed replica) takes its worker
pools with it: every process a gru_lab.pool.Pool started (workers, fork server, resource tracker)
exits within seconds instead of living on under init, holding memory, one set more per crash.

Processes are found and watched through /proc (Linux only; psutil is not a dependency).
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")

REPO = Path(__file__).resolve().parents[2]
BOUND = 60.0  # seconds for the server to start its workers, on a loaded machine
GONE = 30.0  # seconds for the orphans to exit: far above the couple they need
WORKERS = 2  # per lane, so each of the app's two pools starts more than one worker

# The app's pools (gru_lab.ui.work.pools, without Streamlit), each worker started by a job, then idle.
SERVER = """
import sys, time
from gru_lab import jobs, pool
context = sys.argv[1] or None
made = [pool.Pool(lane.workers, lane.waiting, context) for lane in pool.lanes().values()]
warm = [p.submit(jobs.ready) for p in made for _ in range(p.workers)]
for job in warm:
    job.result(timeout=120)
print("ready", flush=True)
time.sleep(600)
"""


def stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of a process, or None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return int(fields[1]), fields[0], int(fields[19])


def descendants(root: int) -> dict[int, int]:
    """Every live process under `root`, by pid, with its start time (which tells a reused pid apart)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (found := stat(int(entry.name))) is not None:
            table[int(entry.name)] = found
    out, todo = {}, [root]
    while todo:
        parent = todo.pop()
        for pid, (ppid, _, started) in table.items():
            if ppid == parent and pid not in out:
                out[pid] = started
                todo.append(pid)
    return out


def alive(pid: int, started: int) -> bool:
    found = stat(pid)
    return found is not None and found[2] == started and found[1] != "Z"  # a zombie has exited


def command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:100].decode(errors="replace")
    except OSError:
        return "(gone)"


def wait_ready(server: subprocess.Popen) -> None:
    end = time.monotonic() + BOUND
    while time.monotonic() < end:
        if select.select([server.stdout], [], [], 0.5)[0]:
            line = server.stdout.readline()
            assert line.strip() == "ready", (line, server.stderr.read() if server.poll() is not None else "")
            return
    pytest.fail("the server's pools did not start in time")


@pytest.mark.parametrize("context", ["", "spawn"], ids=["app-default", "spawn"])
def test_a_killed_server_leaves_no_pool_process_behind(context):
    env = {**os.environ, "GRU_LAB_WORKERS": str(WORKERS), "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([sys.executable, "-c", SERVER, context], cwd=REPO, env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    started: dict[int, int] = {}
    try:
        wait_ready(server)
        started = descendants(server.pid)
        assert len(started) >= 2 * WORKERS, started  # the workers at least, and the helpers they need
        server.send_signal(signal.SIGKILL)
        end = time.monotonic() + GONE
        while time.monotonic() < end and any(alive(pid, t) for pid, t in started.items()):
            time.sleep(0.1)
        left = {pid: command(pid) for pid, t in started.items() if alive(pid, t)}
        assert not left, f"still running {GONE:.0f} s after the server was killed: {left}"
    finally:
        server.kill()
        server.wait()
        for pid, t in started.items():  # never leave them to the next test, even when this one failed
            if alive(pid, t):
                os.kill(pid, signal.SIGKILL)
