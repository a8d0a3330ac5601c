"""Heavy work off the interpreter that serves reruns: small process pools with a bounded queue.

Streamlit runs every session's script in one process, so a second-long NumPy computation in one
session holds the interpreter while other students wait for their reruns. Such work goes to a
`Pool` of worker processes instead (standard-library `concurrent.futures`, forkserver or spawn, so
no Streamlit state is copied in), and the script thread only waits, which costs the others nothing.

- A pool admits `workers + waiting` jobs at a time; one more raises `Busy`, whose message the page
  shows, instead of queueing without bound.
- A job's function runs unchanged in a worker or inline: inside it, `report(payload)` sends progress
  back and `check()` raises `Cancelled` once the job was cancelled (inline: the caller's own check).
- `Job.wait` relays progress and calls the caller's stop check while it waits; whatever ends the wait
  early (Stop, a closed session, another control) cancels the job, which stops at its next `check()`.

Pure: no Streamlit here (`gru_lab/ui/work.py` is the glue).
"""
from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.spawn
import os
import select
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

BUSY_MESSAGE = "The server is busy with other students' calculations; try again in a moment."
PRELOAD = ()  # nothing imported ahead in the fork server: each worker sets its BLAS threads before NumPy loads
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
POLL_SECONDS = 0.05  # how often a waiting caller relays progress and runs its stop check
WATCH_SECONDS = 0.5  # how often a worker looks for its server where it cannot be told (no pidfd)


class Busy(RuntimeError):
    """Every worker is busy and the queue is full."""

    def __init__(self, message: str = BUSY_MESSAGE):
        super().__init__(message)


class Cancelled(RuntimeError):
    """The job was cancelled before it finished."""


# ---- inside a job -----------------------------------------------------------------------------------
_local = threading.local()  # .control: what report() and check() talk to, in this thread


def report(payload: Any) -> None:
    """Send progress to whoever waits for this job (nothing happens outside a job)."""
    control = getattr(_local, "control", None)
    if control is not None:
        control.report(payload)


def check() -> None:
    """Raise if this job should stop: Cancelled in a worker, the caller's own stop inline."""
    control = getattr(_local, "control", None)
    if control is not None:
        control.check()


class _Inline:
    def __init__(self, on_progress: Callable[[Any], None] | None, stop_check: Callable[[], None] | None):
        self.report = on_progress or (lambda payload: None)
        self.check = stop_check or (lambda: None)


def run_inline(fn: Callable, *args: Any, on_progress: Callable[[Any], None] | None = None,
               check: Callable[[], None] | None = None, **kwargs: Any) -> Any:
    """Run a job's function in this thread, as a pool would run it (for no pool, and for tests)."""
    previous = getattr(_local, "control", None)
    _local.control = _Inline(on_progress, check)
    try:
        return fn(*args, **kwargs)
    finally:
        _local.control = previous


class InlineJob:
    """A job that runs in the caller's thread when it is waited for: the same interface as Job."""

    def __init__(self, fn: Callable, args: tuple, kwargs: dict):
        self._call = (fn, args, kwargs)

    def wait(self, on_progress: Callable[[Any], None] | None = None, check: Callable[[], None] | None = None,
             poll: float = POLL_SECONDS) -> Any:
        fn, args, kwargs = self._call
        return run_inline(fn, *args, on_progress=on_progress, check=check, **kwargs)


# ---- in a worker process ----------------------------------------------------------------------------
_STARTED, _ENDED = "__started__", "__ended__"  # markers a task sends around its own reports
_worker: tuple[Any, Any, Any] | None = None  # (report queue, cancel flags, owners), set once per worker


def _init_worker(queue: Any, flags: Any, owners: Any, server: tuple[int, int | None]) -> None:
    """Runs first in a new worker, before any job's module (and NumPy) is imported."""
    global _worker
    _worker = (queue, flags, owners)
    for name in THREAD_VARIABLES:  # one BLAS thread: the pool is the parallelism, and the cores are shared
        os.environ[name] = "1"
    threading.Thread(target=_exit_with, args=server, name="gru-lab-server-watch", daemon=True).start()


# A server killed outright (SIGKILL, a crash) never shuts its pools down, and nothing else ends a worker:
# it waits on a queue whose write end it holds itself. So each worker watches the server and exits with
# it. Not PR_SET_PDEATHSIG: a forkserver worker's parent is the fork server, and a spawned one's is the
# server *thread* that started it, which may be a script thread that ends long before the server. The
# fork server and the resource tracker need nothing: CPython's fork server exits once every holder of
# its "alive" pipe is gone (the server and the workers), and the tracker once its pipe's writers are.
def _started(pid: int) -> int | None:
    """When a live process started (ticks since boot, which tells a reused pid apart), or None once it
    has exited (a zombie has)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()  # after the name, which may hold spaces
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None if fields[0] == b"Z" else int(fields[19])


def _identity(pid: int) -> tuple[int, int | None]:
    try:
        return pid, _started(pid)
    except OSError:  # no telling the start time: the pid alone will be watched
        return pid, None


def _alive(pid: int, started: int | None) -> bool:
    if started is not None:
        try:
            return _started(pid) == started
        except OSError:  # cannot read it just now (out of file descriptors?): a worker must not die of that
            return True
    try:  # no /proc (not Linux): whether the pid exists is all there is
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _exit_with(pid: int, started: int | None) -> None:
    """Return never: end this process once process `pid` (started at `started`) has exited."""
    try:
        fd = os.pidfd_open(pid)  # readable once it exits: no polling (Linux 5.3+)
    except (AttributeError, OSError):
        fd = None
    if fd is not None and started is not None and _alive(pid, started):  # the pidfd holds that very process
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while not poller.poll():
            pass
    else:
        while _alive(pid, started):
            time.sleep(WATCH_SECONDS)
    os._exit(1)


class _WorkerControl:
    def __init__(self, serial: int, slot: int):
        self.serial, self.slot = serial, slot
        self.queue, self.flags, self.owners = _worker

    def report(self, payload: Any) -> None:
        self.queue.put((self.serial, payload))

    def check(self) -> None:
        # cancelled, or cancelled long enough ago that its place already holds another job
        if self.flags[self.slot] or self.owners[self.slot] != self.serial:
            raise Cancelled("the job was cancelled")


def _run_task(serial: int, slot: int, fn: Callable, args: tuple, kwargs: dict) -> Any:
    control = _WorkerControl(serial, slot)
    control.check()  # cancelled while it waited in the queue: do nothing
    control.report(_STARTED)
    _local.control = control
    try:
        return fn(*args, **kwargs)
    finally:
        _local.control = None
        control.report(_ENDED)  # written before the result is sent, so the caller can wait for every report


# ---- in the server ----------------------------------------------------------------------------------
class Job:
    """One submitted call. Thread-safe; `wait` is the usual way to use it."""

    def __init__(self, pool: Pool, serial: int, slot: int):
        self._pool, self.serial, self.slot = pool, serial, slot
        self._inbox: deque[Any] = deque()
        self._future: Future | None = None
        self.started = threading.Event()  # a worker has picked it up
        self._ended = threading.Event()  # and every report it sent has arrived

    def _deliver(self, payload: Any) -> None:
        if isinstance(payload, str) and payload in (_STARTED, _ENDED):
            (self.started if payload == _STARTED else self._ended).set()
        else:
            self._inbox.append(payload)

    def messages(self) -> list[Any]:
        """The progress reports that arrived since the last call, oldest first."""
        out = []
        while self._inbox:
            out.append(self._inbox.popleft())
        return out

    def cancel(self) -> None:
        """Stop the job: dropped if it has not started, else it stops at its next check(). Its place
        is free at once (a worker still finishing it gives up at that check)."""
        self._pool._cancel(self)

    def done(self) -> bool:
        return self._future.done()

    def result(self, timeout: float | None = None) -> Any:
        """The function's return value (or its exception); Cancelled if it was cancelled first."""
        try:
            return self._future.result(timeout)
        except CancelledError:
            raise Cancelled("the job was cancelled before it started") from None

    def wait(self, on_progress: Callable[[Any], None] | None = None, check: Callable[[], None] | None = None,
             poll: float = POLL_SECONDS) -> Any:
        """The result, relaying progress to `on_progress` and calling `check()` every `poll` seconds.
        Anything raised meanwhile (check's own stop included) cancels the job and propagates."""
        try:
            while True:
                for payload in self.messages():
                    if on_progress:
                        on_progress(payload)
                if check:
                    check()
                try:
                    value = self.result(timeout=poll)
                except FutureTimeout:
                    continue
                if self.started.is_set():  # the last reports travel apart from the result: let them land
                    self._ended.wait(timeout=1.0)
                for payload in self.messages():
                    if on_progress:
                        on_progress(payload)
                return value
        except BaseException:
            self.cancel()
            raise


class Pool:
    """`workers` processes and room for `waiting` more jobs; submit() beyond that raises Busy."""

    def __init__(self, workers: int, waiting: int, context: str | None = None, preload: tuple[str, ...] = PRELOAD):
        if workers < 1 or waiting < 0:
            raise ValueError(f"a pool needs at least 1 worker and 0 or more waiting places; got {workers}, {waiting}")
        self.workers, self.waiting = workers, waiting
        self._ctx = _context(context, preload)
        self._lock = threading.Lock()
        self._free = list(range(workers + waiting))[::-1]
        self._flags = self._ctx.RawArray("b", workers + waiting)  # cancel flag per place, read by the workers
        self._owners = self._ctx.RawArray("q", workers + waiting)  # the serial of the job holding each place
        self._queue = self._ctx.SimpleQueue()  # (serial, payload) from every worker
        self._jobs: dict[int, Job] = {}  # holding a slot
        self._listening: weakref.WeakValueDictionary[int, Job] = weakref.WeakValueDictionary()  # for reports
        self._serials = itertools.count(1)
        self._server = _identity(os.getpid())  # the process the workers live and die with
        self._executor = self._new_executor()
        self._closed = False
        self._pump = threading.Thread(target=self._dispatch, name="gru-lab-pool-reports", daemon=True)
        self._pump.start()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self._ctx, initializer=_init_worker,
                                   initargs=(self._queue, self._flags, self._owners, self._server))

    @property
    def active(self) -> int:
        """Jobs running or waiting now."""
        with self._lock:
            return len(self._jobs)

    def submit(self, fn: Callable, *args: Any, **kwargs: Any) -> Job:
        """Queue fn(*args, **kwargs) or raise Busy. `fn` is pickled by name: a module-level function of
        an importable module (workers never import __main__, see _without_main)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool has been shut down")
            if not self._free:
                raise Busy()
            slot = self._free.pop()
            job = Job(self, next(self._serials), slot)
            self._flags[slot], self._owners[slot] = 0, job.serial
            self._jobs[job.serial] = self._listening[job.serial] = job
            try:
                future = self._start(job, fn, args, kwargs)
            except RuntimeError:  # a worker died (BrokenProcessPool): start afresh once
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()
                try:
                    future = self._start(job, fn, args, kwargs)
                except BaseException:
                    self._release(job)
                    raise
        job._future = future
        future.add_done_callback(lambda _: self._finished(job))
        return job

    def _start(self, job: Job, fn: Callable, args: tuple, kwargs: dict) -> Future:
        _spawning.here = True  # a worker this starts must not import __main__
        try:
            return self._executor.submit(_run_task, job.serial, job.slot, fn, args, kwargs)
        finally:
            _spawning.here = False

    def _finished(self, job: Job) -> None:
        with self._lock:
            self._release(job)

    def _cancel(self, job: Job) -> None:
        with self._lock:
            if job.serial in self._jobs:
                self._flags[job.slot] = 1
                self._release(job)
        job._future.cancel()

    def _release(self, job: Job) -> None:  # with the lock held
        if self._jobs.pop(job.serial, None) is not None:
            self._free.append(job.slot)

    def _dispatch(self) -> None:
        while True:
            try:
                item = self._queue.get()
            except (EOFError, OSError):
                return
            if item is None:
                return
            serial, payload = item
            with self._lock:
                job = self._listening.get(serial)  # still there after release: the last reports arrive late
            if job is not None:
                job._deliver(payload)

    def shutdown(self, wait: bool = True) -> None:
        """Cancel every job and stop the workers."""
        with self._lock:
            self._closed = True
            jobs = list(self._jobs.values())
        for job in jobs:
            if job._future is not None:
                job.cancel()
        self._executor.shutdown(wait=wait, cancel_futures=True)
        self._queue.put(None)
        if wait:
            self._pump.join(timeout=5)


# Under Streamlit, sys.modules["__main__"] is the app script itself (app.py), and multiprocessing
# tells every new worker to run the parent's __main__ again: a worker would draw the whole app while it
# starts. Workers need no __main__ (jobs are functions of importable modules), so a process a Pool
# starts is told of none. Only while this thread is inside Pool._start: other uses are left alone.
_spawning = threading.local()
_preparation = getattr(multiprocessing.spawn.get_preparation_data, "__wrapped__",
                       multiprocessing.spawn.get_preparation_data)  # the original, if this module is reloaded


def _without_main(name: str) -> dict:
    data = _preparation(name)
    if getattr(_spawning, "here", False):
        data.pop("init_main_from_name", None)
        data.pop("init_main_from_path", None)
    return data


_without_main.__wrapped__ = _preparation
multiprocessing.spawn.get_preparation_data = _without_main


def _context(name: str | None, preload: tuple[str, ...]):
    """forkserver where there is one (workers fork from a clean process that has imported `preload`),
    else spawn; never fork, which would copy the server's threads and Streamlit's state."""
    methods = multiprocessing.get_all_start_methods()
    name = name or ("forkserver" if "forkserver" in methods else "spawn")
    ctx = multiprocessing.get_context(name)
    if name == "forkserver" and preload:
        ctx.set_forkserver_preload(list(preload))
    return ctx


# ---- sizes ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Lane:
    workers: int
    waiting: int


def lanes(cpus: int | None = None, env: Mapping[str, str] | None = None) -> dict[str, Lane] | None:
    """The pools the app runs, by kind of work, sized from the CPU count, or None for no pool
    (GRU_LAB_WORKERS=0: everything inline, as in one process for one desk).

    "short" takes the work of a few seconds (gradient chains), "long" training and the sweep, which
    can run for minutes: apart, a long run can never hold the worker a short one needs. Each gets half
    the cores (at least one worker); GRU_LAB_WORKERS=n gives each n instead.
    """
    env = os.environ if env is None else env
    cpus = max(1, cpus or os.cpu_count() or 1)
    raw = env.get("GRU_LAB_WORKERS", "").strip()
    if raw:
        try:
            n = int(raw)
        except ValueError:
            raise ValueError(f"GRU_LAB_WORKERS must be a whole number (0 = no pool); got {raw!r}") from None
        if n <= 0:
            return None
        short = long = n
    else:
        long = max(1, cpus // 2)
        short = max(1, cpus - long)
    return {"short": Lane(short, 4 * short), "long": Lane(long, 2 * long)}
