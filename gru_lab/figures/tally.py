"""A class's predictions for one question: one bar per option and round, as the teacher projects it."""
from __future__ import annotations

import html

import plotly.graph_objects as go

from .colors import MODEL, rgba

ROUND_COLOURS = (MODEL["GRU"], MODEL["RNN"], MODEL["LSTM"], "#7F7F7F", "#332288")  # Okabe-Ito, then grey, indigo
ROUND_PATTERNS = ("", "/", ".", "x", "-")  # each round its own fill pattern too: not by colour alone


def tally_bars(options: tuple[str, ...], rounds: list[dict[str, int]], right: int | None = None) -> go.Figure:
    """Votes per option (horizontal bars, an option's words on its own line), one bar per round.

    `right`: the right option's index once revealed (its label says so); None while the class votes,
    so the chart gives nothing away."""
    labels = [("✓ " if i == right else "") + _wrap(o) for i, o in enumerate(options)]
    fig = go.Figure()
    for k, counts in enumerate(rounds):
        votes = [counts.get(o, 0) for o in options]
        total = sum(votes) or 1
        fig.add_trace(go.Bar(
            y=labels, x=votes, orientation="h", name=f"round {k + 1}",
            marker=dict(color=rgba(ROUND_COLOURS[k % 5], 0.85), pattern_shape=ROUND_PATTERNS[k % 5]),
            text=[f"{v} ({v / total:.0%})" for v in votes], textposition="outside", cliponaxis=False,
            constraintext="none",  # Plotly shrinks a label that does not fit its bar's band: never below the font
            hovertemplate="%{y}: %{x} votes<extra>round " + str(k + 1) + "</extra>"))
    top = max((v for r in rounds for v in r.values()), default=0)
    # Every option gets the same band (a category axis): one that holds the bars and the longest wrapped
    # label (up to ~22 px a line in projector type).
    band = max(38 * max(1, len(rounds)) ** 0.5, max(22 * (label.count("<br>") + 1) + 8 for label in labels))
    fig.update_layout(barmode="group", height=45 + band * len(options),
                      margin=dict(l=10, r=90, t=30 if len(rounds) > 1 else 10, b=10), showlegend=len(rounds) > 1,
                      legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                      xaxis=dict(rangemode="tozero",  # the bars say "2 (50%)": the axis needs no title
                                  range=[0, max(1, top) * 1.6], dtick=_dtick(top)),
                      yaxis=dict(autorange="reversed", automargin=True))
    return fig


def _dtick(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100):
        if top / step <= 8:
            return step
    return 200


def _wrap(text: str, width: int = 34) -> str:
    """Break a long option over lines (Plotly wraps nothing by itself). The option is a lesson author's
    text: escaped, so Plotly's few tags (<a>, <b>, <br>) in it show as text, never as a link."""
    words, lines, line = html.escape(str(text)).split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)
