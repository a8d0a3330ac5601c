"""One colour per quantity on every page: the Okabe–Ito palette, safe for the common forms of
colour blindness and saturated enough for a projector in either theme."""
from __future__ import annotations

QUANTITY = {
    "z": "#0072B2",  # blue: update gate
    "r": "#E69F00",  # orange: reset gate
    "n": "#009E73",  # green: candidate
    "h": "#CC79A7",  # purple: hidden state
    "grad": "#D55E00",  # vermillion: gradients and Jacobian chains
    "x": "#7F7F7F",  # grey: the input
    # LSTM gates, from Paul Tol's colour-blind-safe set: distinct from the GRU's four
    "i": "#332288",  # indigo: input gate
    "f": "#882255",  # wine: forget gate
    "o": "#44AA99",  # teal: output gate
    "g": "#009E73",  # green, like the GRU's candidate n
    "c": "#AA4499",  # purple, a deeper shade of the state h
}
MODEL = {"GRU": "#0072B2", "RNN": "#D55E00", "LSTM": "#009E73"}
# No meaning by colour alone (WCAG 1.4.1): each model's curve also has its own dash and marker, so a
# reader who cannot tell blue from vermillion, or a grey projector, still tells GRU from RNN.
MODEL_DASH = {"GRU": "solid", "RNN": "dash", "LSTM": "dashdot"}
MODEL_SYMBOL = {"GRU": "circle", "RNN": "square", "LSTM": "diamond"}
MARKERS_SHOWN = 14  # markers per curve: enough to name it, few enough not to hide the line
NEGATIVE = "#262626"  # the negative end of signed scales: near-black, so the sign reads by lightness too
NEUTRAL = "#F2F2F2"


def gate_scale(q: str) -> list[list]:
    """0 → near-white, 1 → the quantity's colour (gates live in [0, 1])."""
    return [[0.0, NEUTRAL], [1.0, QUANTITY[q]]]


def signed_scale(q: str) -> list[list]:
    """−1 → grey, 0 → near-white, +1 → the quantity's colour (tanh outputs live in [−1, 1])."""
    return [[0.0, NEGATIVE], [0.5, NEUTRAL], [1.0, QUANTITY[q]]]


def rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


SIGNED = {"n", "h", "x", "g", "c"}
