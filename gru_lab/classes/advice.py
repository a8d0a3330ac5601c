"""Peer instruction's arithmetic, pure: what a round's share right suggests the teacher do next, and how
many students moved to the right option or away from it between two rounds (Crouch & Mazur 2001; Smith
et al. 2009: discuss when 30–70 % are right, explain when fewer, move on when more)."""
from __future__ import annotations

LOW, HIGH = 0.30, 0.70  # the band where discussing with a neighbour gains the most


def share_right(counts: dict[str, int], right: str) -> float | None:
    """The share of a round's votes on the right option; None when no one voted."""
    total = sum(counts.values())
    return counts.get(right, 0) / total if total else None


def advice(share: float | None, rnd: int) -> str:
    """A hint for the teacher (never shown to the room): the teacher decides."""
    if share is None:
        return "No votes yet: give the room a moment to predict."
    said = f"{share:.0%} right in round {rnd}"
    if share < LOW:
        return f"{said}: few are right. Explain the idea, then let them vote again."
    if share <= HIGH and rnd == 1:
        return f"{said}: the room is split. Show the split, let neighbours convince each other, then vote again."
    if share <= HIGH:
        return f"{said}: still split after discussing. Reveal and explain why."
    return f"{said}: most are right. Reveal and move on."


def moves(pairs: dict[tuple[str, str], int], right: str) -> tuple[int, int]:
    """(students who moved to the right option, students who moved away from it) between two rounds,
    from the store's pairs {(option in the first round, option in the second): students}."""
    to = sum(n for (a, b), n in pairs.items() if a != right and b == right)
    away = sum(n for (a, b), n in pairs.items() if a == right and b != right)
    return to, away
