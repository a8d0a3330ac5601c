"""Where a class is, as a tiny file each student's browser polls: following the teacher costs the
server a static file read every second or so (or nothing, behind deploy/'s nginx), not a run of the page.

For every class a student of this process follows, a thread reads the class's version from the
store (a teacher's move, reveal or reopen bumps it) twice a second and, when it changed, writes
`<directory>/<code>.json` = {"version": …, "stop": …, "ended": …}. Streamlit serves the directory
as static files (`server.enableStaticServing`, the app's static/ folder, at /app/static/), so the
browser's poll never reaches a script. A teacher's own process writes at once (`publish`). Every
replica runs its own beacon from the shared store, so a student on any replica, on any machine,
follows; files of classes nobody here follows any more are removed.

Pure: no Streamlit here.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path

from .store import ClassError, ClassState, ClassStore, check_code

DIRECTORY = Path(__file__).resolve().parents[2] / "static" / "live"
URL = "app/static/live/{code}.json"  # relative to the app's base address
INTERVAL_S = 0.5  # the store is read this often per followed class: a move reaches a phone within ~1.5 s
FORGET_S = 15 * 60  # a class no student page here has asked about for 15 minutes is not watched
LOG = logging.getLogger("gru_lab")


class Beacon:
    def __init__(self, store: ClassStore, directory: Path = DIRECTORY, interval_s: float = INTERVAL_S) -> None:
        self.store, self.directory, self.interval_s = store, Path(directory), interval_s
        self._seen: dict[str, float] = {}  # code -> when a page last asked to follow it
        self._written: dict[str, int] = {}  # code -> the version in its file
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def follow(self, state: ClassState) -> str:
        """Watch this class for a student page here; return the file's address (relative to the app)."""
        code = check_code(state.code)
        with self._lock:
            self._seen[code] = time.monotonic()
            fresh = self._written.get(code) is None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="gru-lab-class-beacon", daemon=True)
                self._thread.start()
        if fresh:  # the first poll finds a file, not a 404
            self.publish(state)
        return URL.format(code=code)

    def publish(self, state: ClassState) -> None:
        """Write the class's file now (after a teacher's action in this process)."""
        self._write(state.code, {"version": state.updated, "stop": state.stop, "ended": state.ended})

    def _write(self, code: str, what: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{code}.json"
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(what), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a poll reads the old file or the new one, never half of one
        with self._lock:
            self._written[code] = what["version"]

    def _run(self) -> None:
        while True:
            time.sleep(self.interval_s)
            now = time.monotonic()
            with self._lock:
                gone = [c for c, t in self._seen.items() if now - t > FORGET_S]
                for c in gone:
                    del self._seen[c]
                    self._written.pop(c, None)
                codes = list(self._seen)
            for c in gone:
                (self.directory / f"{c}.json").unlink(missing_ok=True)
            for code in codes:
                self._check(code)

    def _check(self, code: str) -> None:
        try:
            version = self.store.version(code)
            if self._written.get(code) != version:
                self.publish(self.store.state(code))
        except ClassError:  # ended long ago, expired or purged: say so once
            if self._written.get(code) != -1:
                self._write(code, {"version": -1, "stop": 0, "ended": True})
        except Exception:  # noqa: BLE001 - a store that is down now may answer on the next tick
            LOG.warning("class beacon: reading class %s failed", code, exc_info=True)
