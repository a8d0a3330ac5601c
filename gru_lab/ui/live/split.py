"""The class's split on one question, drawn alike on the room (projector), the presenter and the phones:
every round's votes side by side; the right option marked only once it is revealed, and then how many
moved to it and away from it between the first round and the last."""
from __future__ import annotations

import streamlit as st

from ...classes.advice import moves
from ...figures.tally import tally_bars
from ..charts import chart
from ..lesson import plain
from .seat import store


def rounds_of(code: str, n: int) -> list[dict[str, int]]:
    return [store().tally(code, n, r) for r in range(1, store().rounds(code, n) + 1)]


def _votes(k: int) -> str:
    return f"{k} vote" if k == 1 else f"{k} votes"


def split(code: str, n: int, options: tuple[str, ...], right: int | None, key: str,
          rounds: list[dict[str, int]] | None = None) -> None:
    rounds = rounds_of(code, n) if rounds is None else rounds
    alt = "; ".join(f"round {k}: " + ", ".join(f"{plain(o)}: {_votes(r.get(o, 0))}" for o in options)
                    for k, r in enumerate(rounds, start=1))
    chart(tally_bars(options, rounds, right), key, "Votes per option. " + alt)
    if right is not None and len(rounds) > 1:
        to, away = moves(store().pairs(code, n, 1, len(rounds)), options[right])
        st.markdown(f"From round 1 to round {len(rounds)}: **{to}** moved to the right option, **{away}** moved "
                    "away from it.")
