"""Which Train page settings make only one of GRU and RNN learn, over seeds 0–4.

    python benchmarks/train_presets.py                  # the stored presets and every task's defaults
    python benchmarks/train_presets.py --task recall --length 30 --lr 0.1   # one candidate setting
    python benchmarks/train_presets.py --task recall --length 20 40 --lr 0.03 0.1   # every combination

Trains GRU and RNN exactly as the page does (`gru_lab.train_presets.learned_counts`: the page's task,
sizes, TrainConfig and `experiments.train_models`; "learned" is held-out loss below
`experiments.SUCCESS` of the baseline), one process on one thread, and prints a markdown table: the
setting, GRU and RNN successes out of 5, the verdict (only GRU / only RNN / both / neither / mixed;
"only" means at least 4 of 5 against at most 1), CPU seconds for both models and all seeds, and for
the stored presets and defaults whether the stored count still holds. Exit status 1 if one does not.
"""
from __future__ import annotations

import argparse
import itertools
import sys
import time

from _reference import ROOT  # noqa: F401  (one thread, and the repository on the path: before NumPy)

from gru_lab import experiments, train_presets  # noqa: E402
from gru_lab.controls import CONTROLS  # noqa: E402
from gru_lab.train_presets import TrainSettings  # noqa: E402

FIELDS = ("task", "length", "H", "match", "steps", "batch", "optimizer", "lr", "clip")


def measure(s: TrainSettings) -> tuple[dict[str, int], float]:
    t0 = time.process_time()
    counts = train_presets.learned_counts(s)
    return counts, time.process_time() - t0


def describe(s: TrainSettings) -> str:
    return (f"{s.task} T={s.length} H={s.H} ({s.match}) {s.steps} steps, batch {s.batch}, {s.optimizer} "
            f"α={s.lr:g}, clip {experiments.CLIP_LABEL(s.clip)}")


def stored() -> list[tuple[str, TrainSettings, tuple[int, int]]]:
    rows = [(f"preset `{p.key}`", p.settings, (p.gru, p.rnn)) for p in train_presets.PRESETS.values()]
    rows += [(f"defaults, {task}", train_presets.default_settings(task), counts)
             for task, counts in train_presets.DEFAULT_COUNTS.items()]
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    d = TrainSettings("adding")
    ap.add_argument("--task", nargs="+", choices=tuple(experiments.TASKS))
    ap.add_argument("--length", nargs="+", type=int, default=[d.length])
    ap.add_argument("--H", nargs="+", type=int, default=[d.H])
    ap.add_argument("--match", nargs="+", default=[d.match], choices=CONTROLS["match"].options)
    ap.add_argument("--steps", nargs="+", type=int, default=[d.steps])
    ap.add_argument("--batch", nargs="+", type=int, default=[d.batch])
    ap.add_argument("--optimizer", nargs="+", default=[d.optimizer], choices=("adam", "sgd"))
    ap.add_argument("--lr", nargs="+", type=float, default=[d.lr])
    ap.add_argument("--clip", nargs="+", type=float, default=[d.clip])
    args = ap.parse_args()

    if args.task:
        rows = [("candidate", TrainSettings(*combo), None)
                for combo in itertools.product(*(getattr(args, f) for f in FIELDS))]
    else:
        rows = stored()
    print("| what | settings | GRU /5 | RNN /5 | verdict | CPU s | stored |")
    print("|---|---|---|---|---|---|---|")
    drift = False
    for what, s, expected in rows:
        counts, seconds = measure(s)
        got = (counts["GRU"], counts["RNN"])
        holds = "" if expected is None else ("holds" if got == expected else f"**was {expected[0]}/{expected[1]}**")
        drift |= expected is not None and got != expected
        print(f"| {what} | {describe(s)} | {got[0]} | {got[1]} | {train_presets.verdict(*got)} | {seconds:.1f} "
              f"| {holds} |", flush=True)
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(main())
