"""Latency and memory results, and the table printed for them."""

import asyncio
import contextlib
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from _server import StreamlitServer  # noqa: E402

from .common import TARGET_MEM_MB, TARGET_N, TARGET_P95_S


# ---- results ---------------------------------------------------------------------------------------------------
@dataclass
class Results:
    title: str
    load: list[float] = field(default_factory=list)  # page load / first run, seconds
    lat: dict[str, list[float]] = field(default_factory=dict)  # action name -> seconds
    run_done: list[float] = field(default_factory=list)  # browser: action -> the app's run ended (s)
    errors: list[str] = field(default_factory=list)
    app_errors: list[str] = field(default_factory=list)  # exceptions or error alerts the app showed
    warnings: set[str] = field(default_factory=set)  # distinct warning alerts the app showed
    rss: dict[str, float | None] = field(default_factory=dict)
    rss_series: list[tuple[float, float]] = field(default_factory=list)
    wall: float = 0.0
    server_problems: list[str] = field(default_factory=list)
    gc: dict[str, float] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)

    def add(self, action: str, seconds: float) -> None:
        self.lat.setdefault(action, []).append(seconds)

    @property
    def all_lat(self) -> list[float]:
        return [x for v in self.lat.values() for x in v]


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); nan for no data."""
    if not xs:
        return math.nan
    s = sorted(xs)
    return s[min(len(s) - 1, max(0, math.ceil(q / 100 * len(s)) - 1))]


def row(name: str, xs: list[float], errors: int | str = "") -> str:
    if not xs:
        return f"  {name:<22} {0:>5}  {'-':>7} {'-':>7} {'-':>7}  {errors!s:>6}"
    return (f"  {name:<22} {len(xs):>5}  {pct(xs, 50):>7.3f} {pct(xs, 95):>7.3f} {max(xs):>7.3f}  {errors!s:>6}")


def fmt_mb(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.0f}"


def report(r: Results, n: int) -> str:
    lines = [f"== {r.title} ==" + (f" [app at {r.extra['commit']}]" if r.extra.get("commit") else ""),
             f"  {'latency (s)':<22} {'n':>5}  {'p50':>7} {'p95':>7} {'max':>7}  {'errors':>6}",
             row("page load / first run", r.load)]
    for name, xs in r.lat.items():
        lines.append(row(name, xs))
    all_lat = r.all_lat
    lines.append(row("ALL interactions", all_lat, len(r.errors)))
    if r.run_done:
        lines.append(row("(of which: run ended)", r.run_done))
        lines.append("  (run ended = action to the app's script state back to notRunning, seen in the browser;"
                     " the rest is the browser drawing the charts)")
    done = len(all_lat)
    lines.append(f"  {done} interactions in {r.wall:.1f} s wall ({done / r.wall if r.wall else 0:.1f}/s); machine "
                 f"load average {r.extra.get('loadavg_start', math.nan):.1f} before, "
                 f"{r.extra.get('loadavg_end', math.nan):.1f} at the end (2 cores, shared)")
    rs = r.rss
    lines.append(f"  server RSS (MB): cold start {fmt_mb(rs.get('cold'))}, after warm-up {fmt_mb(rs.get('base'))}, "
                 f"peak {fmt_mb(rs.get('peak'))}, end of load {fmt_mb(rs.get('end'))}, after close "
                 f"{fmt_mb(rs.get('after'))} (lowest {fmt_mb(rs.get('after_min'))} within "
                 f"{rs.get('settle_s', 0):.0f} s)")
    if "slope_mb_per_100" in r.extra:
        lines.append(f"  RSS growth during load (2nd half): {r.extra['slope_mb_per_100']:+.1f} MB per 100 reruns")
    if r.gc:
        lines.append(f"  server gen-2 GC: {r.gc['count']:.0f} collections, {r.gc['total_ms']:.0f} ms total, "
                     f"mean {r.gc['mean_ms']:.1f} ms, max {r.gc['max_ms']:.1f} ms")
    p95 = pct(all_lat, 95)
    n_err = len(r.errors) + len(r.app_errors)
    back = (rs.get("after_min") is not None and rs.get("base") is not None
            and rs["after_min"] - rs["base"] <= TARGET_MEM_MB)
    tag = "" if n == TARGET_N else f" (targets are set for N = {TARGET_N}; this is N = {n})"
    lines.append(f"  targets{tag}: p95 <= {TARGET_P95_S:.1f} s: {'PASS' if p95 <= TARGET_P95_S else 'FAIL'} "
                 f"({p95:.2f} s); errors = 0: {'PASS' if not n_err else 'FAIL'} ({n_err}); "
                 f"RSS back within {TARGET_MEM_MB:.0f} MB of warm-up: {'PASS' if back else 'FAIL'} "
                 f"({(rs.get('after_min') or 0) - (rs.get('base') or 0):+.0f} MB)")
    for label, items in (("errors", r.errors), ("app errors shown", r.app_errors)):
        if items:
            counts: dict[str, int] = {}
            for e in items:
                counts[e] = counts.get(e, 0) + 1
            top = sorted(counts.items(), key=lambda kv: -kv[1])[:6]
            lines.append(f"  {label}: " + "; ".join(f"{k} ×{v}" for k, v in top))
    for w in sorted(r.warnings):
        lines.append(f"  app warning shown: {w[:200]}")
    if r.server_problems:
        lines.append(f"  server log ({r.extra.get('server_log', '?')}): {len(r.server_problems)} error/warning lines, "
                     f"first: {r.server_problems[0][:200]}")
    return "\n".join(lines)


# ---- memory ----------------------------------------------------------------------------------------------------
async def sample_rss(server: StreamlitServer, series: list[tuple[float, float]], stop: asyncio.Event,
                     every: float = 0.5) -> None:
    t0 = time.monotonic()
    while not stop.is_set():
        rss = server.rss_mb()
        if rss is not None:
            series.append((time.monotonic() - t0, rss))
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), every)


async def settle_rss(server: StreamlitServer, base: float | None, settle_s: float,
                     full: bool = False) -> tuple[float | None, float | None]:
    """Sample RSS once a second for up to settle_s; unless full, stop early after 5 s within the target.
    Returns (last, lowest)."""
    last = low = server.rss_mb()
    ok_since = None
    t0 = time.monotonic()
    while time.monotonic() - t0 < settle_s:
        await asyncio.sleep(1.0)
        last = server.rss_mb()
        if last is None:
            break
        low = last if low is None else min(low, last)
        if not full and base is not None and last - base <= TARGET_MEM_MB:
            ok_since = ok_since or time.monotonic()
            if time.monotonic() - ok_since >= 5:
                break
        else:
            ok_since = None
    return last, low


def growth_per_100(series: list[tuple[float, float]], reruns_at: Callable[[float], float]) -> float | None:
    """Least-squares slope of RSS against reruns completed, over the second half of the load phase."""
    pts = [(reruns_at(t), rss) for t, rss in series]
    pts = pts[len(pts) // 2:]
    if len(pts) < 3:
        return None
    mx = statistics.fmean(p[0] for p in pts)
    my = statistics.fmean(p[1] for p in pts)
    den = sum((x - mx) ** 2 for x, _ in pts)
    return None if den == 0 else 100 * sum((x - mx) * (y - my) for x, y in pts) / den
