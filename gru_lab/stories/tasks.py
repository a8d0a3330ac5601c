"""How each story model is trained: the tasks built from the presets' own kind of input, and the
recipe (task, size, seed, steps) behind every shipped file. scripts/train_weights.py runs
`train_story`; weights/README.md has the command. gru_lab.stories.shipped reads what these made.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from gru_core import GRU
from gru_core.checks import check_size
from gru_core.limits import LIMITS
from gru_core.tasks import Task
from gru_core.training import TrainConfig, TrainResult, train

from ..inputs import EMBED_DIM, PRESETS, embed, tokenize
from ..text import WEEK

# ---- the tasks ---------------------------------------------------------------------------------
POSITIVE = ("brilliant", "wonderful", "superb", "gripping", "delightful", "moving")
NEGATIVE = ("terrible", "awful", "dull", "tedious", "clumsy", "boring")
INTENSIFIERS = ("honestly", "simply", "really", "frankly", "truly")
CLUE, CLUE_QUERY = "umbrella", "dry"
DECOYS = ("map", "camera", "sandwich", "blanket", "guitar", "ticket")  # packed instead of the umbrella
EXTRA_FILLERS = tuple(
    "of in on at by after while then but it they he his her road town river hill bridge train station "
    "market window door garden morning evening night rain wind walked talked waited looked found left "
    "took saw heard made".split())
CLUE_WINDOW = 12  # the clue (or a decoy) stands somewhere in the first 12 words
VERDICT_WINDOW = 6  # verdict first: the deciding word is one of the first 6
PLOT_VERDICTS = 2  # verdict last: up to this many verdict words in the plot, each with probability 0.3


def _fillers() -> tuple[str, ...]:
    """Every word of the three word presets that tells nothing, and a few more: the distractors."""
    words = [w for key in ("clue", "verdict_start", "verdict_end") for w in tokenize(PRESETS[key].text)]
    banned = {CLUE, CLUE_QUERY, *DECOYS, *POSITIVE, *NEGATIVE, *INTENSIFIERS}
    return tuple(dict.fromkeys(w for w in (*words, *EXTRA_FILLERS) if w not in banned))


@dataclass(frozen=True)
class StoryTask(Task):
    """A gru_core Task whose sequences are made of a preset's kind of input.

    `vocab` lists the words (their embeddings are the inputs), the story's own words first."""

    vocab: tuple[str, ...] = ()

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        n = check_size("n (sequences to draw)", n, 1, LIMITS.max_sequences)
        return _SAMPLERS[self.name](self, n, rng)


@lru_cache(maxsize=8)
def _table(vocab: tuple[str, ...], dim: int) -> np.ndarray:
    return np.stack([embed(w, dim) for w in vocab])


def clue_task(T: int = 34) -> StoryTask:
    """'umbrella' (class 1) or a decoy (class 0) in the first CLUE_WINDOW words, then fillers, and the
    last word is always 'dry': at the end, say whether the umbrella was packed."""
    vocab = (CLUE, CLUE_QUERY, *DECOYS, *_fillers())
    return StoryTask("story-clue", "classification", T, EMBED_DIM, 2, float(np.log(2)), 0.5, vocab)


def verdict_task(position: str, T: int = 30) -> StoryTask:
    """A verdict word (positive = class 1, negative = 0) among plot fillers.

    "start": the verdict is one of the first VERDICT_WINDOW words. "end": it is the last word, often
    after an intensifier ('honestly'), and the plot may mention other verdict words that do not count."""
    if position not in ("start", "end"):
        raise ValueError(f"position must be 'start' or 'end'; got {position!r}")
    vocab = (*POSITIVE, *NEGATIVE, *INTENSIFIERS, *_fillers())
    return StoryTask(f"story-verdict-{position}", "classification", T, EMBED_DIM, 2, float(np.log(2)), 0.5, vocab)


def sales_task(T: int = 56) -> StoryTask:
    """Daily sales like the preset's: a random weekly shape, level, trend and noise. Class 1: the
    trend goes up (0.002 to 0.008 a day), class 0: down."""
    return StoryTask("story-sales", "classification", T, 1, 2, float(np.log(2)), 0.5)


def _sample_clue(task: StoryTask, n: int, rng: np.random.Generator):
    T, first = task.T, 2 + len(DECOYS)
    idx = rng.integers(first, len(task.vocab), (n, T))
    y = rng.integers(0, 2, n)
    where = rng.integers(0, min(CLUE_WINDOW, T - 1), n)
    idx[np.arange(n), where] = np.where(y == 1, 0, rng.integers(2, first, n))
    idx[:, T - 1] = 1
    return _table(task.vocab, task.input_size)[idx], y


def _sample_verdict(task: StoryTask, n: int, rng: np.random.Generator):
    T, P, N, K = task.T, len(POSITIVE), len(NEGATIVE), len(INTENSIFIERS)
    rows = np.arange(n)
    idx = rng.integers(P + N + K, len(task.vocab), (n, T))
    y = rng.integers(0, 2, n)
    word = np.where(y == 1, rng.integers(0, P, n), P + rng.integers(0, N, n))
    if task.name.endswith("start"):
        idx[rows, rng.integers(0, min(VERDICT_WINDOW, T), n)] = word
    else:
        for _ in range(PLOT_VERDICTS):  # verdicts inside the plot: only the last word decides
            noisy = rng.random(n) < 0.3
            where = rng.integers(0, max(T - 2, 1), n)
            idx[rows[noisy], where[noisy]] = rng.integers(0, P + N, int(noisy.sum()))
        if T > 1:
            adverb = rng.random(n) < 0.5
            idx[rows[adverb], T - 2] = P + N + rng.integers(0, K, int(adverb.sum()))
        idx[:, T - 1] = word
    return _table(task.vocab, task.input_size)[idx], y


def _sample_sales(task: StoryTask, n: int, rng: np.random.Generator):
    T, day = task.T, np.arange(task.T)
    shape = rng.uniform(0.1, 1.0, (n, WEEK))
    phase = rng.integers(0, WEEK, n)
    season = shape[np.arange(n)[:, None], (day[None, :] + phase[:, None]) % WEEK]
    y = rng.integers(0, 2, n)
    slope = np.where(y == 1, 1.0, -1.0) * rng.uniform(0.002, 0.008, n)
    level = rng.uniform(-0.2, 0.2, n)
    x = season + level[:, None] + slope[:, None] * day + 0.05 * rng.standard_normal((n, T))
    return x[:, :, None], y


_SAMPLERS = {"story-clue": _sample_clue, "story-verdict-start": _sample_verdict,
             "story-verdict-end": _sample_verdict, "story-sales": _sample_sales}


# ---- the recipes: how each shipped story model is trained ---------------------------------------
@dataclass(frozen=True)
class Recipe:
    file: str  # under weights/
    task: StoryTask
    hidden: int = 8
    seed: int = 0
    steps: int = 1500
    lr: float = 0.01
    batch: int = 32
    z_bias: float = 2.0  # added to b_iz at initialisation: z ≈ 0.88, the copy path open from the start
    #                      ("chrono" initialisation in spirit, Tallec & Ollivier 2018)
    about: str = ""  # one line for weights/README.md

    def config(self, steps: int | None = None) -> TrainConfig:
        return TrainConfig(steps=self.steps if steps is None else steps, batch=self.batch, lr=self.lr, seed=self.seed)

    def initial_model(self) -> GRU:
        p = GRU.init(self.task.input_size, self.hidden, seed=self.seed).params
        H = self.hidden
        b_ih = p.b_ih.copy()
        b_ih[H:2 * H] += self.z_bias
        return GRU(p._replace(b_ih=b_ih))


RECIPES: dict[str, Recipe] = {
    "clue": Recipe("gru_story_clue.safetensors", clue_task(), steps=1500,
                   about="34 words: 'umbrella' or a decoy in the first 12, fillers, 'dry' last; say whether the "
                         "umbrella was packed"),
    "verdict_start": Recipe("gru_story_verdict_start.safetensors", verdict_task("start"), steps=1500,
                            about="30 words: a positive or negative verdict among the first 6, plot fillers after; "
                                  "say which"),
    "verdict_end": Recipe("gru_story_verdict_end.safetensors", verdict_task("end"), steps=1000,
                          about="30 words: plot fillers (sometimes with verdict words that do not count), the "
                                "verdict last; say which"),
    "sales": Recipe("gru_story_sales.safetensors", sales_task(), steps=1500,
                    about="56 days: a random weekly shape, level and noise on a trend; say whether it goes up"),
}
ADDING_FILE = "gru_adding_T30.safetensors"  # trained on the adding problem (see weights/README.md)


def train_story(preset: str, steps: int | None = None, callback=None) -> TrainResult:
    """Train the preset's story model with its recipe (deterministic: the same numbers every time)."""
    r = RECIPES[preset]
    return train(r.initial_model(), r.task, r.config(steps), callback)


def story_state(result: TrainResult) -> dict[str, np.ndarray]:
    """The tensors a story file holds: nn.GRU's four and the read-out under nn.Linear's names."""
    state = result.model.to_torch()
    state["readout.weight"], state["readout.bias"] = result.readout.V, result.readout.c
    return state
