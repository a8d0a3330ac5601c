"""Server memory while one session shows GRU files near the upload limit (issue 12 item 19, issue 19 item 3).

AppTest runs the real app in this process.
One file: upload a GRU with H = 1024, I = 2048 (float32, ~38 MB), change the input preset four times,
move the step once, close the session; print RSS and rerun times.
Eight files: eight different 62.9 MB GRU files (H = 1024, I = 2048 and an ignored read-out) uploaded one
after another in one session, the preset changed twice after each; print RSS after warm-up, after each
upload, at peak, when the tab closes (what the server does on a disconnect: the session's caches go, its
state and uploaded file stay for a reconnect), `--wait` seconds later, and after the session is shut down.
Run: python benchmarks/bench_upload_memory.py [one|eight|both] [--wait 60]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

import numpy as np
from safetensors.numpy import save

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.app import apptools  # noqa: E402

H, I = 1024, 2048
APPTEST_SESSION = "test session id"  # every AppTest session has this id (testing/v1/local_script_runner.py)


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def big_gru(seed: int = 0, readout: bool = False) -> bytes:
    """A float32 GRU state_dict; with `readout`, also a 25 MB "fc.weight" the app leaves aside (62.9 MB)."""
    rng = np.random.default_rng(seed)
    shapes = {"weight_ih_l0": (3 * H, I), "weight_hh_l0": (3 * H, H), "bias_ih_l0": (3 * H,), "bias_hh_l0": (3 * H,)}
    if readout:
        shapes["fc.weight"] = (6 * H, H)
    return save({k: rng.uniform(-0.03, 0.03, s).astype(np.float32) for k, s in shapes.items()})


def close_tab() -> None:
    """What the server does when a tab's websocket closes (WebsocketSessionManager.disconnect_session):
    the session's session-scoped caches are cleared; the session itself (state, uploaded files) is kept
    for a reconnect until Streamlit's session storage expires it (2 minutes)."""
    from streamlit.runtime import caching
    caching.clear_session_data_cache(APPTEST_SESSION)
    caching.clear_session_resource_cache(APPTEST_SESSION)
    gc.collect()


def eight(wait: float) -> None:
    apptools.TIMEOUT = 300
    pages = apptools.registered_pages()
    at = apptools.open_page(pages, "step", weights="file")
    at.selectbox(key="preset").select("verdict_end").run()  # warm-up: the page, a preset change, imports
    at.selectbox(key="preset").select("clue").run()
    gc.collect()
    rows = [("after warm-up", rss_mb())]
    warm = peak = rows[0][1]
    for n in range(1, 9):
        data = big_gru(n, readout=True)  # made here: eight files held by the benchmark would be 503 MB of its own
        at.file_uploader(key="weights_file").upload(f"gru_{n}.safetensors", data)
        at.run()
        peak = max(peak, rss_mb())
        for preset in ("verdict_end", "clue") if n % 2 else ("verdict_start", "verdict_end"):
            at.selectbox(key="preset").select(preset).run()
            peak = max(peak, rss_mb())
            assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
        assert any(f"gru_{n}.safetensors" in c.value for c in at.caption), "the new file is shown"
        size = len(data)
        del data
        rows.append((f"after upload {n} ({size / 1e6:.1f} MB) and two preset changes", rss_mb()))
    rows.append(("peak", peak))
    close_tab()
    rows.append(("right after the tab closed", rss_mb()))
    time.sleep(wait)
    gc.collect()
    rows.append((f"{wait:.0f} s after the tab closed", rss_mb()))
    del at  # Streamlit shuts the stored session down 2 minutes after the disconnect
    gc.collect()
    rows.append(("after the session was shut down", rss_mb()))
    print("| eight 62.9 MB files, one tab | RSS MB | vs warm-up MB |\n|---|---:|---:|")
    for name, mb in rows:
        print(f"| {name} | {mb:.0f} | {mb - warm:+.0f} |")
    print()


def one() -> None:
    apptools.TIMEOUT = 300
    data = big_gru()
    pages = apptools.registered_pages()
    warm = peak = rss_mb()
    at = apptools.open_page(pages, "step", weights="file")
    at.file_uploader(key="weights_file").upload("big.safetensors", data)
    t0 = time.perf_counter()
    at.run()
    times = {"upload": time.perf_counter() - t0}
    for preset in ("verdict_end", "verdict_start", "clue", "verdict_end"):
        t0 = time.perf_counter()
        at.selectbox(key="preset").select(preset).run()
        times[f"preset {preset}"] = time.perf_counter() - t0
        peak = max(peak, rss_mb())
        assert not at.exception and not at.error, [e.value for e in at.exception] + [e.value for e in at.error]
    t0 = time.perf_counter()
    at.slider(key="t").set_value(2).run()
    times["step move"] = time.perf_counter() - t0
    peak = max(peak, rss_mb())
    del at
    gc.collect()
    print("| RSS after warm-up MB | peak MB | after the session closed MB |\n|---:|---:|---:|")
    print(f"| {warm:.0f} | {peak:.0f} | {rss_mb():.0f} |\n")
    print("| rerun | seconds |\n|---|---:|")
    for name, s in times.items():
        print(f"| {name} | {s:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case", nargs="?", choices=("one", "eight", "both"), default="both")
    ap.add_argument("--wait", type=float, default=60.0, help="seconds to wait after the tab closes")
    args = ap.parse_args()
    if args.case in ("eight", "both"):
        eight(args.wait)
    if args.case in ("one", "both"):
        one()


if __name__ == "__main__":
    main()
