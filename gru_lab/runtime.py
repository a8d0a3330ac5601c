"""Process-wide tuning of the server, done once.

Streamlit's full garbage collections walk every object numpy, pandas, Plotly and Streamlit loaded
(~150 ms each on the class machines). `gc.freeze()` moves what exists after the first complete run,
mostly imported modules, out of their reach, cutting each to ~50 ms (benchmarks/classroom_load.py
--gc-compare). Frozen objects are still freed by reference counting; only cycles among them stay.
"""
from __future__ import annotations

import gc

_frozen = False


def freeze_after_first_run() -> None:
    global _frozen
    if not _frozen:
        gc.freeze()
        _frozen = True

