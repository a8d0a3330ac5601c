"""Closed loop: C clients each send their next interaction as soon as the last one is answered, for D
seconds. How many reruns a second does the server answer, and how many per second of CPU (per core)?

    python benchmarks/closed_loop.py --clients 8 --duration 30
    python benchmarks/closed_loop.py --clients 8 --duration 30 --app /tmp/gru_before   # another checkout
    python benchmarks/closed_loop.py --clients 8 --duration 30 --pages step            # one page's mix

The independent check of classroom_load.py's CPU ms per rerun: no think time, so the server is busy
all the time and throughput, not latency, is the figure. Clients are dealt round robin to the pages
(--pages) and play the same mix as the classroom's students (classroom_load.PAGES, the same protocol
client). Once every client has loaded, the server's CPU (its process group: server and worker pool,
summed over replicas with --replicas) is read, the clients loop for --duration seconds, and it is
read again when the last answer is in. Reruns per CPU second is reruns / ΔCPU s: what one fully busy
core answers; reruns per second is what this machine answered, shared as it is.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _protocol import Tab  # noqa: E402
from classroom_load import (  # noqa: E402
    Class,
    Load,
    act,
    checked,
    common_args,
    group_cpu,
    link,
    loadavg,
    open_tab,
    pct,
    serve,
    warm_up,
)


async def client(i: int, page: str, url: str, args: argparse.Namespace, load: Load, room: Class,
                 until: list[float]) -> None:
    rng = random.Random(args.seed * 1000 + i)
    try:
        async with Tab(url, page, link(page, i)) as tab:
            run = await open_tab(tab, page, args, load)
            room.arrive(i)
            await room.all_loaded.wait()
            k = i // room.pages
            while time.monotonic() < until[0]:
                run = await act(tab, page, k, run, rng, args, load)
                k += 1
    except Exception as exc:
        load.errors[f"{page}: {type(exc).__name__} {exc}"] += 1
    finally:
        room.arrive(i)


async def closed_loop(url: str, servers: dict, args: argparse.Namespace) -> tuple[Load, float, float]:
    load = Load()
    groups = [s.proc.pid for s in servers.values()]
    await asyncio.gather(*(warm_up(s.url, args.timeout * 4, args.pages) for s in servers.values()))
    room, until = Class(args.clients, len(args.pages)), [float("inf")]
    tasks = [asyncio.create_task(client(i, args.pages[i % len(args.pages)], url, args, load, room, until))
             for i in range(args.clients)]
    await room.all_loaded.wait()
    cpu0, t0 = group_cpu(groups)[0], time.monotonic()
    until[0] = t0 + args.duration
    await asyncio.gather(*tasks)
    return load, group_cpu(groups)[0] - cpu0, time.monotonic() - t0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--duration", type=float, default=30.0, help="seconds of back-to-back reruns")
    common_args(p)
    args = checked(p, p.parse_args())
    before = loadavg()
    with serve(args, Path(tempfile.mkdtemp(prefix="gru_lab_loop_"))) as (url, servers, _):
        load, cpu_s, wall_s = asyncio.run(closed_loop(url, servers, args))
    xs = [x for name, v in load.seconds.items() if name != "page load (first run)" for x in v]
    n = len(xs)
    print(f"{args.clients} clients back to back for {args.duration:g} s on {', '.join(args.pages)}, "
          f"{f'{args.replicas} replicas behind nginx' if args.replicas else 'one process'}"
          f"{', app ' + str(args.app) if args.app else ''}; {os.cpu_count()} cores, "
          f"load average (1/5/15 min) {before} before, {loadavg()} after\n")
    print("| reruns | wall s | CPU s | reruns/s | reruns per CPU s (per core) | CPU ms per rerun | p50 s | p95 s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    if n:
        print(f"| {n} | {wall_s:.1f} | {cpu_s:.1f} | {n / wall_s:.1f} | {n / cpu_s if cpu_s else 0:.1f} "
              f"| {1000 * cpu_s / n:.0f} | {pct(xs, 50):.3f} | {pct(xs, 95):.3f} |")
    print("\n| interaction | n | p50 s | p95 s |\n|---|---:|---:|---:|")
    for name, v in sorted(load.seconds.items()):
        print(f"| {name} | {len(v)} | {pct(v, 50):.3f} | {pct(v, 95):.3f} |")
    errors = sum(load.errors.values())
    print(f"\nErrors: {errors}" + "".join(f"\n  {k} × {e}" for e, k in load.errors.most_common(8)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
