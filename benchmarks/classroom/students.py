"""What the students do: the links they open and the actions they take."""

from dataclasses import dataclass

from .common import PRESET_TITLES


# ---- what the students do --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    kind: str  # "slider", "next", "radio", "select"
    key: str  # the widget key (for "next": the key of the slider it moves)
    label: str  # the widget label shown in the browser (for "next": that slider's label)

    @property
    def name(self) -> str:
        return {"slider": f"slider {self.key}", "next": "Next button", "radio": "case radio",
                "select": "preset selectbox"}[self.kind]


@dataclass(frozen=True)
class PageSpec:
    path: str
    params: dict[str, str]
    charts: int  # Plotly charts on the page once it has run
    actions: tuple[Action, ...]


PAGES: dict[str, PageSpec] = {
    "step": PageSpec("step", {"H": "16", "preset": "Verdict first", "t": "5"}, 2, (
        Action("slider", "t", "Step"), Action("select", "preset", "Input sequence"),
        Action("next", "t", "Step"), Action("slider", "t", "Step"))),
    "saturation": PageSpec("saturation", {"H": "16", "preset": "Verdict first", "sat_t": "5"}, 3, (
        Action("radio", "case", "Gate case"), Action("slider", "sat_t", "Step t"),
        Action("next", "sat_t", "Step t"), Action("select", "preset", "Input sequence"))),
    "vanishing": PageSpec("vanishing", {"H": "16", "T": "100", "rnn_scale": "0.8"}, 2, (
        Action("slider", "T", "Sequence length T"), Action("slider", "rnn_scale", "RNN recurrent scale"),
        Action("slider", "seeds", "Random models (seeds)"), Action("slider", "T", "Sequence length T"))),
}


def next_preset(current: str, student: int, k: int) -> str:
    others = [p for p in PRESET_TITLES if p != current]
    return others[(student + k) % len(others)]


def next_case(current: str, k: int) -> str:  # noqa: ARG001 - k kept for other cycles
    """free <-> rnn-like. Under 'copy' and 'cut' the Jacobian charts are the same for every input
    (J = I, J = 0), so the preset change that follows the radio would change nothing on screen."""
    return "rnn-like" if current == "free" else "free"
