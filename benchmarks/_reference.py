"""Set-up shared by the benchmarks that measure against PyTorch: one thread, float64, same clocks.

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


def interleaved(f_a, f_b, rounds: int, per_round: int = 1) -> tuple[float, float, float, float]:
    """Median seconds per call of f_a and f_b by wall clock, then by this thread's CPU time (which leaves
    out waiting for a core on a shared machine): `rounds` rounds of `per_round` calls each, the two
    interleaved so drift in machine load hits both alike, after warm-up, garbage collector off (as timeit)."""
    for _ in range(WARMUP):
        f_a()
        f_b()
    wall, cpu = ([], []), ([], [])
    gc.collect()
    gc.disable()
    try:
        for _ in range(rounds):
            for k, f in enumerate((f_a, f_b)):
                w0, c0 = time.perf_counter(), time.thread_time()
                for _ in range(per_round):
                    f()
                wall[k].append((time.perf_counter() - w0) / per_round)
                cpu[k].append((time.thread_time() - c0) / per_round)
    finally:
        gc.enable()
    med = statistics.median
    return med(wall[0]), med(wall[1]), med(cpu[0]), med(cpu[1])


def median_ms(f, repeats: int, clock=time.perf_counter) -> float:
    """Median milliseconds per call of f alone (for the breakdowns)."""
    for _ in range(WARMUP):
        f()
    ts = []
    for _ in range(repeats):
        t0 = clock()
        f()
        ts.append(clock() - t0)
    return 1e3 * statistics.median(ts)


def mark(ok: bool) -> str:
    return "met" if ok else "**missed**"


def environment(torch) -> str:
    """Versions and thread settings, for the line under each table."""
    import numpy as np

    threads = ", ".join(f"{v}={os.environ.get(v)}" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS"))
    return (f"numpy {np.__version__}, torch {torch.__version__}, python {platform.python_version()}; {threads}, "
            f"torch threads {torch.get_num_threads()}; load average "
            f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")


def shares(parts: dict[str, float]) -> str:
    """'forward 0.774 ms (79%), …; sum 0.984 ms': each timed part and its share of their sum."""
    total = sum(parts.values())
    return ", ".join(f"{k} {v:.3f} ms ({100 * v / total:.0f}%)" for k, v in parts.items()) + f"; sum {total:.3f} ms"
