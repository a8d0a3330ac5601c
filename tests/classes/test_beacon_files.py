"""The class files (beacon.py) live in the runtime folder: written for a followed class, removed when it ends, and
on start-up for classes that are over or never existed; a live class's file stays (another replica's students poll
it). A folder that cannot be written is logged, never raised into a page."""
from __future__ import annotations

import json
import os
import time

from gru_lab.classes.beacon import Beacon

QUESTIONS = {2: ["a", "b"]}


def test_files_follow_their_class(store, tmp_path):
    live_dir = tmp_path / "live"
    beacon = Beacon(store, live_dir, interval_s=3600)  # no ticks: the test drives it
    code, token = store.create("gru_intro", 3, QUESTIONS, "192.0.2.1")
    assert beacon.follow(store.state(code)) == f"_gru_lab/live/{code}.json"
    assert json.loads((live_dir / f"{code}.json").read_text())["version"] == store.state(code).updated
    (live_dir / f"{code}.json").unlink()  # another replica's sweep, a cleaner: the next follow writes it again
    beacon.follow(store.state(code))
    assert (live_dir / f"{code}.json").exists()
    store.end(code, token)
    beacon.publish(store.state(code))
    assert not (live_dir / f"{code}.json").exists(), "an ended class's file stays"


def test_start_up_sweeps_what_a_crash_left(store, tmp_path):
    live_dir = tmp_path / "live"
    live_dir.mkdir()
    alive, _ = store.create("gru_intro", 3, QUESTIONS, "192.0.2.1")
    ended, token = store.create("gru_intro", 3, QUESTIONS, "192.0.2.1")
    store.end(ended, token)
    for name in (alive, ended, "ABCDEFGH", "not-a-code"):
        (live_dir / f"{name}.json").write_text("{}")
    old_tmp, new_tmp = live_dir / f"{alive}.1.2.tmp", live_dir / f"{alive}.3.4.tmp"
    old_tmp.write_text("{}"), new_tmp.write_text("{}")
    os.utime(old_tmp, (time.time() - 3600, time.time() - 3600))
    Beacon(store, live_dir, interval_s=3600)
    assert sorted(p.name for p in live_dir.iterdir()) == sorted([f"{alive}.json", new_tmp.name])


def test_an_unwritable_folder_is_logged_not_raised(store, tmp_path, caplog):
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    beacon = Beacon(store, blocker / "live", interval_s=3600)  # its parent is a file: nothing can be written
    code, _ = store.create("gru_intro", 3, QUESTIONS, "192.0.2.1")
    beacon.follow(store.state(code))
    assert "cannot write" in caplog.text and "GRU_LAB_RUNTIME_DIR" in caplog.text
