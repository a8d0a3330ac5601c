"""The step-through page's weights controls: where the model comes from, upload and download."""
from __future__ import annotations

import streamlit as st

from gru_core import LIMITS, dump_state_bytes

from .. import weights
from ..weights import Loaded
from . import cached, session
from .widgets import widget

CHOICES = {
    "trained": "a small GRU trained for this input's story",
    "random": "random weights from the sidebar settings",
    "file": "your own PyTorch weights",
    "session": "the GRU you trained on the Train page",
}


def choice() -> str:
    """Which weights the page shows; "session" only while this session holds a trained GRU."""
    options = [k for k in CHOICES if k != "session" or session.has(session.TRAINED)]
    return widget("weights", options=options, captions=[CHOICES[k] for k in options], horizontal=True)


def weights_picker(picked: str, preset: str) -> Loaded | None:
    """None for random weights; otherwise the chosen weights, fully validated."""
    if picked == "random":
        return None
    if picked == "session":
        return session.get(session.TRAINED)
    if picked == "trained":
        found = cached.story(preset)
        if found is None:
            st.info("No model was trained for this input, so the random weights from the sidebar are shown. "
                    "Pick a preset story to see a trained GRU remember.", icon=":material/info:")
        return found
    up = st.file_uploader(
        f"A one-layer nn.GRU, nn.RNN or nn.LSTM state_dict, .safetensors or .npz, at most "
        f"{LIMITS.max_file_bytes // 2**20} MiB", type=["safetensors", "npz"], key="weights_file",
        help="In PyTorch: from safetensors.torch import save_file; save_file(model.state_dict(), 'my.safetensors')",
    )
    if up is None:
        # The uploader also holds nothing after it refused a file (wrong type, too large): what was said
        # about an earlier file must go with it, not stay beside the uploader's own refusal.
        session.pop(session.UPLOAD)
        st.info("Upload a file to see its model here; until then the random weights are shown.",
                icon=":material/upload_file:")
        return None
    return _parse(up)


def _forget(known: list) -> None:
    # Called when the tab closes (Streamlit clears session-scoped caches on a disconnect, and keeps the
    # session's state for a reconnect): the parsed weights are let go now, not when the session expires.
    known.clear()
    cached.give_back_memory()


@st.cache_resource(scope="session", max_entries=1, show_spinner=False, on_release=_forget)
def _parsed(file_id: str, _up) -> list:
    """[file id, Loaded or None, error or None] for the file the uploader holds: one per session, parsed once."""
    try:
        return [file_id, weights.parse_weights(_up.getvalue(), _up.name), None]
    except ValueError as err:
        return [file_id, None, str(err)]


def _parse(up) -> Loaded | None:
    known = session.get(session.UPLOAD)
    if not known or known[0] != up.file_id:
        session.pop(session.UPLOAD)  # the previous file goes before the next is read: one per session
        known = _parsed(up.file_id, up)
        # Kept in the session state as well, for what reads the current upload there; emptied with the cache.
        session.put(session.UPLOAD, known)
    _, loaded, error = known
    if error:
        st.error(f"{up.name} cannot be used: {error}", icon=":material/error:")
        return None
    if loaded.ignored:
        st.caption(f"Using the {loaded.module} in {up.name}; also in the file and left aside: "
                   f"{', '.join(loaded.ignored[:6])}{' …' if len(loaded.ignored) > 6 else ''}.")
    return loaded


def download_buttons(model, stem: str, dtype: str = "float64", key: str = "download") -> None:
    """Export the model shown so that PyTorch computes the same numbers, or say why it cannot.

    The bytes are made on click: a large model's tensors are not copied on every rerun.
    """
    exact, note = weights.pytorch_note(model)
    if note:
        st.caption(note)
    who = "PyTorch" if exact else "GRU Lab"
    stem = stem if exact else f"{stem}_gru_lab_reset_before"
    left, right = st.columns(2)
    for col, fmt in ((left, "safetensors"), (right, "npz")):
        col.download_button(f"{who} weights as .{fmt}",
                            lambda fmt=fmt: dump_state_bytes(weights.export_state(model, dtype), fmt),
                            file_name=f"{stem}.{fmt}", key=f"{key}_{fmt}", icon=":material/download:",
                            width="stretch")
