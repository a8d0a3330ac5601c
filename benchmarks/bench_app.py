"""Rerun time of every page under AppTest, at default settings and at the largest allowed sizes.

The first run of each scenario fills the caches; the timed runs are reruns with nothing changed,
which is what a student pays when any control that does not change the computation moves (and
what every page pays for drawing). Prints a markdown table against the targets.

    python benchmarks/bench_app.py [--repeats 15] [--pages vanishing ...]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

LONG_TEXT = " ".join(f"word{i % 97}" for i in range(500))  # 500 steps, the step pages' maximum
LARGEST = {"H": 128, "preset": "custom", "custom_kind": "words", "custom": LONG_TEXT}
PAGES = {
    "home": ("app_pages/home.py",),
    "step": ("app_pages/step_through.py",),
    "saturation": ("app_pages/saturation_lab.py",),
    "vanishing": ("app_pages/vanishing.py",),
}
LARGEST_PAGE = {"vanishing": {"T": 500, "seeds": 30}, "step": {"t": 250}, "saturation": {"sat_t": 250}}
TARGET_MS = {"defaults": 100, "largest": 400}


def time_page(page: str, state: dict, repeats: int) -> tuple[float, float, float]:
    """`state`: widget values by key, set as a user would have set them before this rerun."""
    at = AppTest.from_file(str(ROOT / "lab.py"), default_timeout=600)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGES[page][0])
    t0 = time.perf_counter()
    at.run()  # cold: computes and fills the caches
    cold = time.perf_counter() - t0
    if at.exception or at.error:
        raise RuntimeError(f"{page}: {(at.exception or at.error)[0].value}")
    for key, value in state.items():  # the sizes really are the ones asked for
        assert at.session_state[key] == value, (page, key, at.session_state[key])
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        at.run()
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return cold * 1e3, statistics.median(samples) * 1e3, samples[int(0.9 * (len(samples) - 1))] * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--pages", nargs="*", default=list(PAGES), choices=list(PAGES))
    args = ap.parse_args()
    rows = []
    for size in ("defaults", "largest"):
        for page in args.pages:
            params = {} if size == "defaults" else {**LARGEST, **LARGEST_PAGE.get(page, {})}
            cold, med, p90 = time_page(page, params, args.repeats)
            ok = "met" if med <= TARGET_MS[size] else "missed"
            rows.append(f"| {page} | {size} | {cold:.0f} | {med:.0f} | {p90:.0f} | ≤ {TARGET_MS[size]} {ok} |")
    print("| page | sizes | first run ms (cold cache) | rerun median ms | rerun p90 ms | target (median) |")
    print("|---|---|---:|---:|---:|---|")
    print("\n".join(rows))
    print(f"\nlargest = H 128, a 500-word custom input (T = 500); vanishing page T = 500 with 30 seeds. "
          f"{args.repeats} reruns each.")


if __name__ == "__main__":
    main()
