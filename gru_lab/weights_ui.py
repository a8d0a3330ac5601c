"""The step-through page's weights controls: where the model comes from, upload and download."""
from __future__ import annotations

import streamlit as st

from gru_core import LIMITS, dump_state_bytes

from . import cached, models
from .models import Loaded

CHOICES = {
    "random": "random weights from the sidebar settings",
    "trained-adding": "a GRU trained on the adding problem (pick that input)",
    "file": "your own PyTorch weights",
    "session": "the GRU you trained on the Train page",
}


def weights_picker() -> Loaded | None:
    """None for random weights; otherwise the chosen weights, fully validated."""
    options = [k for k in CHOICES if k != "session" or "trained_weights" in st.session_state]
    choice = st.radio("Weights", options, captions=[CHOICES[k] for k in options], key="weights",
                      horizontal=True, bind="query-params")
    if choice == "random":
        return None
    if choice == "session":
        return st.session_state["trained_weights"]
    if choice != "file":
        return cached.shipped(choice)
    up = st.file_uploader(
        f"A one-layer nn.GRU, nn.RNN or nn.LSTM state_dict, .safetensors or .npz, at most "
        f"{LIMITS.max_file_bytes // 2**20} MiB", type=["safetensors", "npz"], key="weights_file",
        help="In PyTorch: from safetensors.torch import save_file; save_file(model.state_dict(), 'my.safetensors')",
    )
    if up is None:
        st.info("Upload a file to see its model here; until then the random weights are shown.",
                icon=":material/upload_file:")
        return None
    return _parse(up)


def _parse(up) -> Loaded | None:
    known = st.session_state.get("_upload")
    if known is None or known[0] != up.file_id:  # parse each upload once, not on every rerun
        try:
            known = (up.file_id, models.parse_weights(up.getvalue(), up.name), None)
        except ValueError as err:
            known = (up.file_id, None, str(err))
        st.session_state["_upload"] = known
    _, loaded, error = known
    if error:
        st.error(f"{up.name} cannot be used: {error}", icon=":material/error:")
        return None
    if loaded.ignored:
        st.caption(f"Using the {loaded.module} in {up.name}; also in the file and left aside: "
                   f"{', '.join(loaded.ignored[:6])}{' …' if len(loaded.ignored) > 6 else ''}.")
    return loaded


def download_buttons(model, stem: str) -> None:
    """Export the model shown, in both formats PyTorch users can load back."""
    state = model.to_torch()
    left, right = st.columns(2)
    for col, fmt in ((left, "safetensors"), (right, "npz")):
        col.download_button(f"Weights as .{fmt}", lambda fmt=fmt: dump_state_bytes(state, fmt),
                            file_name=f"{stem}.{fmt}", key=f"download_{fmt}", icon=":material/download:",
                            width="stretch")
