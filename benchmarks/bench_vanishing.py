"""The Vanishing page's computation: every seed on its own (the old way) against all seeds together.

Both paths compute the same numbers (tests/figures/test_vanishing_batch.py checks them equal); this
measures what batching the seeds saves, on one thread, in the same run. CPU seconds are the process's
own, so they are the one-core cost even while other work shares the machine; wall seconds include
waiting for a core. The last column is the page's own way: each block of seeds sent to a one-worker
`gru_lab.pool.Pool` (started and warmed first), wall time. Prints a markdown table against the targets.

    python benchmarks/bench_vanishing.py [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import time

from _reference import ROOT  # noqa: F401  (one thread, and the repository on the path: before NumPy)

from gru_lab import compute, jobs, pool  # noqa: E402
from gru_lab.settings import Settings  # noqa: E402

CASES = {  # name: (H, T, seeds, target s for the new path, what the target is)
    "defaults": (8, 100, 20, 0.3, "the default page's first open"),
    "middle": (32, 300, 20, None, ""),
    "largest": (128, 500, 30, 10.0, "the largest setting on one core"),
}


def per_seed(s: Settings, T: int, rnn_scale: float, seeds: tuple[int, ...]) -> list[compute.SeedRun]:
    return [compute.vanishing_run(s, T, rnn_scale, seed) for seed in seeds]


def through(p: pool.Pool):
    """compute.vanishing's `runs`, as the page calls it: one pool job per block of seeds."""
    return lambda s, T, rnn_scale, seeds: p.submit(jobs.vanishing_block, s, T, rnn_scale, seeds).result()


def clock(fn, repeats: int) -> tuple[float, float]:
    """Best (wall, CPU) seconds over `repeats` runs: the least disturbed one."""
    best = (float("inf"), float("inf"))
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        fn()
        best = min(best, (time.perf_counter() - w, time.process_time() - c))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    args = ap.parse_args()
    rows = []
    p = pool.Pool(1, 1)
    p.submit(jobs.ready).result()
    for name in args.cases:
        H, T, n, target, _ = CASES[name]
        s = Settings(hidden_size=H)
        old_w, old_c = clock(lambda s=s, T=T, n=n: compute.vanishing(s, T, 1.0, n, per_seed), args.repeats)
        new_w, new_c = clock(lambda s=s, T=T, n=n: compute.vanishing(s, T, 1.0, n), args.repeats)
        pool_w, _ = clock(lambda s=s, T=T, n=n: compute.vanishing(s, T, 1.0, n, through(p)), args.repeats)
        verdict = "" if target is None else f"≤ {target:g} {'met' if new_c <= target else 'missed'}"
        rows.append(f"| {name} | {H} | {T} | {n} | {old_c:.3f} | {new_c:.3f} | {old_c / new_c:.1f}× "
                    f"| {old_w:.3f} | {new_w:.3f} | {verdict} | {pool_w:.3f} |")
    p.shutdown()
    print("| case | H | T | seeds | per-seed CPU s | batched CPU s | speed-up | per-seed wall s | batched wall s "
          "| target (batched CPU s) | batched via the pool, wall s |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---|---:|")
    print("\n".join(rows))
    print(f"\nBest of {args.repeats} runs each, one thread, float64; GRU and RNN chains and BPTT for every seed, "
          f"summarised as the page does. Targets: "
          + "; ".join(f"{k}: {v[4]}" for k, v in CASES.items() if v[3] is not None)
          + f". Load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs.")


if __name__ == "__main__":
    main()
