"""Where a class is, as a tiny file each student's browser polls: following the teacher costs the
server a static file read every second or so (or nothing, behind deploy/'s nginx), not a run of the page.

For every class a student of this process follows, a thread reads the class's version from the
store (a teacher's move, reveal or reopen bumps it) twice a second and, when it changed, writes
`<directory>/<code>.json` = {"version": …, "stop": …, "ended": …}. The directory is the runtime folder's
live/ (GRU_LAB_RUNTIME_DIR, never inside the app's own folder, which may be read-only); the app serves it
at URL by a route of its own (`route.py`), and deploy/'s nginx from disk, so the browser's poll never
reaches a script. A teacher's own process writes at once (`publish`). Every replica runs its own beacon
from the shared store, so a student on any replica, on any machine, follows. A file is removed when its
class ends (a poll that finds none asks the page, which shows the end), when nobody here follows it any
more, and on start-up for classes that are over; a missing file of a followed class is written again.

Pure: no Streamlit here.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from pathlib import Path

from .store import ClassError, ClassState, ClassStore, StoreDown, check_code

URL = "_gru_lab/live/{code}.json"  # relative to the app's base address (route.py, deploy/nginx.conf.template)
INTERVAL_S = 0.5  # the store is read this often per followed class: a move reaches a phone within ~1.5 s
FORGET_S = 15 * 60  # a class no student page here has asked about for 15 minutes is not watched
LOG = logging.getLogger("gru_lab")


class Beacon:
    def __init__(self, store: ClassStore, directory: Path, interval_s: float = INTERVAL_S) -> None:
        self.store, self.directory, self.interval_s = store, Path(directory), interval_s
        self._seen: dict[str, float] = {}  # code -> when a page last asked to follow it
        self._written: dict[str, int] = {}  # code -> the version in its file
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.sweep()

    def sweep(self) -> None:
        """Remove the files of classes that are over (ended, expired, unknown) and stale temporary files: what a
        crashed server left. A file of a live class stays: another replica's students poll it."""
        for path in self.directory.glob("*.tmp"):
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > 60:
                    path.unlink()
        for path in self.directory.glob("*.json"):
            try:
                over = self.store.state(path.stem).ended
            except ClassError as err:
                over = not isinstance(err, StoreDown)  # a store that is down says nothing about the class
            if over:
                path.unlink(missing_ok=True)

    def follow(self, state: ClassState) -> str:
        """Watch this class for a student page here; return the file's address (relative to the app)."""
        code = check_code(state.code)
        with self._lock:
            self._seen[code] = time.monotonic()
            fresh = self._written.get(code) is None or not (self.directory / f"{code}.json").exists()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="gru-lab-class-beacon", daemon=True)
                self._thread.start()
        if fresh:  # the first poll finds a file, not a 404
            self.publish(state)
        return URL.format(code=code)

    def publish(self, state: ClassState) -> None:
        """Write the class's file now (after a teacher's action in this process); an ended class's is removed."""
        if state.ended:
            self.remove(state.code)
        else:
            self._write(state.code, {"version": state.updated, "stop": state.stop, "ended": False})

    def remove(self, code: str) -> None:
        with contextlib.suppress(OSError):
            (self.directory / f"{check_code(code)}.json").unlink(missing_ok=True)
        with self._lock:
            self._written[code] = -1

    def _write(self, code: str, what: dict) -> None:
        path = self.directory / f"{code}.json"
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(what), encoding="utf-8")
            os.replace(tmp, path)  # atomic: a poll reads the old file or the new one, never half of one
        except OSError as err:  # the page goes on; its students find no file and ask the page instead
            LOG.warning("class beacon: cannot write %s (%s): set %s to a folder this server may write",
                        path, err, "GRU_LAB_RUNTIME_DIR")
            return
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
        except StoreDown as err:  # down now, may answer on the next tick: the file stays as it was
            LOG.warning("class beacon: class %s: %s", code, err)
        except ClassError:  # ended long ago, expired or purged: its file goes, and a poll asks the page
            if self._written.get(code) != -1:
                self.remove(code)
