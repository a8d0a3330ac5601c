"""Set-up shared by the benchmarks that measure against PyTorch: one thread, float64, same clock.

Import this first: the thread limits must be in the environment before NumPy or PyTorch load.
"""
from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import gc  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WARMUP = 2


def load_torch(script: str):
    """PyTorch on one thread in float64, or exit 2 with the install line."""
    try:
        import torch
    except ImportError:
        print(f"{script} needs PyTorch as the reference; install the CPU build with\n"
              "    pip install torch==2.13.0", file=sys.stderr)
        sys.exit(2)
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set, or parallel work already started
        pass
    torch.set_default_dtype(torch.float64)
    return torch


def median_call(f, repeats: int, clock=time.perf_counter) -> float:
    """Median seconds per call after warm-up, the garbage collector off while timing (as timeit)."""
    for _ in range(WARMUP):
        f()
    ts = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = clock()
            f()
            ts.append(clock() - t0)
    finally:
        gc.enable()
    return statistics.median(ts)


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def environment(torch) -> str:
    """Versions and thread settings, for the line under each table."""
    import numpy as np

    threads = ", ".join(f"{v}={os.environ.get(v)}" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                                "MKL_NUM_THREADS"))
    return (f"numpy {np.__version__}, torch {torch.__version__}, python {platform.python_version()}; "
            f"{threads}, torch.get_num_threads()={torch.get_num_threads()}; "
            f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


def shares(parts: dict[str, float], unit: str = "") -> str:
    """'forward 0.774 ms (79%), …; sum 0.984 ms': each timed part and its share of their sum."""
    total = sum(parts.values())
    split = ", ".join(f"{k} {v:.3f}{unit} ({100 * v / total:.0f}%)" for k, v in parts.items())
    return f"{split}; sum {total:.3f} ms"
