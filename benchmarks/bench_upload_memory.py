"""Server memory while one session shows a GRU file near the upload limit (issue 12, item 19).

AppTest runs the real app in this process: upload a GRU with H = 1024, I = 2048 (float32, ~38 MB),
change the input preset four times, move the step once, close the session; print RSS and rerun times.
Run: python benchmarks/bench_upload_memory.py
"""
from __future__ import annotations

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


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def big_gru() -> bytes:
    rng = np.random.default_rng(0)
    shapes = {"weight_ih_l0": (3 * H, I), "weight_hh_l0": (3 * H, H), "bias_ih_l0": (3 * H,), "bias_hh_l0": (3 * H,)}
    return save({k: rng.uniform(-0.03, 0.03, s).astype(np.float32) for k, s in shapes.items()})


def main() -> None:
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


if __name__ == "__main__":
    main()
