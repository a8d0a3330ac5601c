"""Where a model's weights come from: random (from the settings), shipped, or a user's file.

A file's tensors travel with a digest of its bytes, so caches key on 32 characters, not megabytes.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np

from gru_core import GRU, LSTM, RNN, detect_module, load_state_bytes, recurrent_part

from . import paths, stories

WEIGHTS = paths.WEIGHTS  # weights/ beside app.py, in a checkout or an installed copy
CLASSES = {"GRU": GRU, "RNN": RNN, "LSTM": LSTM}


@dataclass(frozen=True, eq=False)
class Loaded:
    name: str  # the file's name, for labels
    module: str  # "GRU", "RNN" or "LSTM"
    state: dict[str, np.ndarray]  # the four recurrent tensors
    digest: str  # identifies the contents
    ignored: tuple[str, ...]  # other tensors in the file (a read-out, say), left aside
    dtype: str = "float64"  # what the file stored, so an export gives back the same precision
    story: str = ""  # the preset this shipped model was trained for (gru_lab.stories), "" for a user's file


def parse_weights(data: bytes, filename: str) -> Loaded:
    """Validate an uploaded file completely; any problem is a ValueError that says what is wrong."""
    state, ignored = recurrent_part(load_state_bytes(data, filename, keep_dtype=True))
    module = detect_module(state)
    model = CLASSES[module].from_torch(state)  # checks names, shapes, finiteness, sizes; float64 from here on
    dtype = np.result_type(*state.values()).name  # what the file stored, for exports
    return Loaded(filename, module, model.to_torch(), hashlib.sha256(data).hexdigest()[:32], tuple(ignored), dtype)


def story(preset: str) -> Loaded | None:
    """The small GRU trained for the preset's story (weights/, made by scripts/train_weights.py), or
    None when the preset has none (noise, your own input)."""
    path = stories.trained_weights_for(preset)
    if path is None:
        return None
    loaded = parse_weights(path.read_bytes(), path.name)
    return replace(loaded, story=preset)


def build(loaded: Loaded, reset_after: bool = True, update: str = "keep"):
    """The model a file describes; a GRU is read under the given conventions.

    A story model is rewritten for "z takes the new" (z rows negated), so it computes the trained
    function under either update convention and its story reads the same; a user's file is read as
    it stands, and the page says that its numbers then differ from what it was trained to compute.
    """
    if loaded.module == "GRU":
        state = stories.as_convention(loaded.state, update) if loaded.story else loaded.state
        return GRU.from_torch(state, reset_after, update)
    return CLASSES[loaded.module].from_torch(loaded.state)


def pytorch_note(model) -> tuple[bool, str]:
    """(whether PyTorch's own module computes this model from an exported file, what the export does).

    PyTorch's nn.GRU resets after the product and lets z keep the past. Under "z takes the new" the
    same model is PyTorch's with the z rows negated, since σ(−a) = 1 − σ(a). A reset-before GRU has
    no PyTorch counterpart.
    """
    if not isinstance(model, GRU) or (model.reset_after and model.update == "keep"):
        return True, ""
    if not model.reset_after:
        return False, ("PyTorch's nn.GRU always resets after the product, so no PyTorch file computes this "
                       "reset-before model; these files hold GRU Lab's weights, to open here under the same "
                       "settings.")
    return True, ("Converted for PyTorch: this model lets z take the new, PyTorch lets z keep the past, so the "
                  "z rows are negated (σ(−a) = 1 − σ(a)) and nn.GRU computes the same numbers.")


def export_state(model, dtype: str = "float64") -> dict[str, np.ndarray]:
    """The tensors to write: PyTorch's equivalent where one exists (see pytorch_note), in `dtype`."""
    state = model.to_torch()
    if isinstance(model, GRU) and model.reset_after and model.update == "take":
        H = model.hidden_size
        state = {k: np.concatenate([v[:H], -v[H:2 * H], v[2 * H:]]) for k, v in state.items()}  # z rows
    return {k: v.astype(dtype, copy=False) for k, v in state.items()}
