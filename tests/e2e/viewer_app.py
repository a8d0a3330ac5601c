"""A tiny app that shows only the step-through viewer, for tests/e2e/test_viewer.py and
benchmarks/bench_stepping.py: `streamlit run tests/e2e/viewer_app.py`, then open
/?H=128&T=500&update=take&reset=before&t=5&unit=3 (all optional; defaults: the step page's).

It prints what the server knows (the reported position, the number of runs) so a test can see
exactly when the browser talked to it: stepping never does (the viewer keeps t and unit in the
address), a press outside the viewer after stepping reports once. `record` and `payload` are plain functions: the tests
import them to know what the viewer must show.
"""
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, for `streamlit run` from anywhere

from gru_core import GRU  # noqa: E402
from gru_lab.inputs import embed, preset_sequence  # noqa: E402
from gru_lab.viewer import changed_most, viewer_data  # noqa: E402

HOSTILE = "</script><img src=x onerror=alert(1)>"  # a word label that must stay text


@lru_cache(maxsize=8)
def record(H: int = 8, T: int = 34, update: str = "keep", reset_after: bool = True):
    """(labels, GRU record): at T = 34 the step page's default input, else T made-up words."""
    if T == 34:
        seq = preset_sequence("clue")
        labels, x = seq.labels, seq.x
    else:
        labels = tuple(f"w{i % 37}" for i in range(T - 1)) + (HOSTILE,)
        x = np.stack([embed(w) for w in labels])
    return labels, GRU.init(x.shape[1], H, seed=0, reset_after=reset_after, update=update).forward(x)


@lru_cache(maxsize=8)
def payload(H: int = 8, T: int = 34, update: str = "keep", reset_after: bool = True) -> dict:
    labels, rec = record(H, T, update, reset_after)
    return viewer_data(rec, labels, key_steps=changed_most(rec, 3), title="Viewer test")


def serve(log_path: Path):
    """A server for this file alone: tests/e2e/server.py's AppServer (free loopback port, own process
    group, health check, stop) started on viewer_app.py instead of app.py. Use it as a context manager."""
    from tests.e2e.server import AppServer

    return AppServer(log_path, ["--server.headless", "true"], script=str(Path(__file__).resolve()))


def main() -> None:
    import streamlit as st

    from gru_lab.ui.viewer import step_viewer

    q = st.query_params
    args = int(q.get("H", 8)), int(q.get("T", 34)), q.get("update", "keep"), q.get("reset", "after") == "after"
    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    st.session_state.setdefault("pos", [int(q.get("t", 1)), int(q.get("unit", 0))])

    def moved(t: int, unit: int) -> None:  # what the step page does: keep it for the link, and in the address
        st.session_state["pos"] = [t, unit]
        st.query_params["t"], st.query_params["unit"] = str(t), str(unit)

    @st.cache_data  # the script reruns from scratch, lru_cache and all: keep the payload across runs
    def cached(H: int, T: int, update: str, reset_after: bool) -> dict:
        return payload(H, T, update, reset_after)

    data = cached(*args)
    t, unit = st.session_state["pos"]
    step_viewer(data, key="viewer", t=t, unit=unit, address=True, offline_title="Viewer test", on_move=moved)
    st.markdown(f"server: t={t} unit={unit} runs={st.session_state['runs']}")
    st.button("Rerun", key="rerun")  # a run of the page while the viewer is elsewhere: it must stay there


if __name__ == "__main__":
    main()
