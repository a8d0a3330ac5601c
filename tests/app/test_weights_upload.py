"""Weights on the step page: a user's file (GRU, RNN, LSTM, prefixed), hostile files, the shipped
trained GRU, and the export buttons (whose files must load back to the same tensors)."""
from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
import streamlit.testing.v1.app_test as app_test_module
from safetensors.numpy import save as save_safetensors
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from gru_core import GRU, LSTM, RNN, dump_state_bytes, load_state_bytes
from gru_lab import compute
from gru_lab import weights as models
from gru_lab.inputs import PRESETS
from gru_lab.settings import Settings
from gru_lab.ui import session

from . import apptools
from .apptools import assert_clean, errors, exceptions, figures, has_viewer, viewer, viewer_array, warnings, widget

T_WORDS = 34  # the default preset, "Far-apart clue": 34 words
RANDOM_CAPTION = "Model: GRU with random weights (H = 8, seed 0, weight scale 1)."
GRU_STATE = GRU.init(8, 16).to_torch()


def open_step(pages: dict, **params) -> AppTest:
    return apptools.open_page(pages, "step", **params)


def upload(pages: dict, name: str, data: bytes, **params) -> AppTest:
    """Open /step?weights=file&<params>, upload one file and rerun, as a user dropping it in."""
    at = open_step(pages, weights="file", **params)
    assert exceptions(at) == []
    at.file_uploader(key="weights_file").upload(name, data)
    return at.run()


def model_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("Model:")]


def heat_rows(at: AppTest) -> dict[str, tuple[int, ...]]:
    """The quantities the viewer's heatmaps draw, in order, each with its shape (H, T) as drawn."""
    return {q: viewer_array(at, q).T.shape for q in viewer(at)["order"]}


# ---- files that work ----------------------------------------------------------------------------------
def test_before_an_upload_the_random_weights_are_shown(pages):
    at = open_step(pages, weights="file")
    assert_clean(at)
    assert any("Upload a file" in i.value for i in at.info)
    assert model_captions(at) == [RANDOM_CAPTION]
    assert at.file_uploader(key="weights_file").allowed_type == [".safetensors", ".npz"]


def test_a_gru_safetensors_file_is_shown(pages):
    data = dump_state_bytes(GRU_STATE, "safetensors")
    at = upload(pages, "my_gru.safetensors", data)
    assert_clean(at)
    assert model_captions(at) == ["Model: GRU from my_gru.safetensors (H = 16, 8 inputs per step)."]
    assert heat_rows(at) == dict.fromkeys("zrnh", (16, T_WORDS))
    shown = viewer(at)
    assert shown["kind"] == "GRU" and "a" in shown["arrays"], "a GRU gets the cell diagram and its equations"
    assert (shown["update"], shown["reset_after"]) == ("keep", True)
    assert shown["H"] == 16, "the viewer's units are the file's 16"
    # The viewer draws this file's GRU, not random weights.
    loaded = models.parse_weights(data, "my_gru.safetensors")
    _, rec = compute.step_record(Settings(), models.build(loaded), loaded.name)
    for q in ("z", "r", "n", "h"):
        np.testing.assert_allclose(viewer_array(at, q), np.round(getattr(rec, q), 3), atol=1e-3, err_msg=q)
    assert at.session_state[session.UPLOAD][1].digest == models.parse_weights(data, "x.safetensors").digest


def test_an_lstm_npz_file_is_shown_with_its_gates(pages):
    at = upload(pages, "my_lstm.npz", dump_state_bytes(LSTM.init(8, 6, seed=1).to_torch(), "npz"))
    assert_clean(at)
    assert model_captions(at) == ["Model: LSTM from my_lstm.npz (H = 6, 8 inputs per step)."]
    # "This is an LSTM: the cell diagram and equations are drawn for GRUs …" is the viewer's own note,
    # written in the browser from the payload's kind (viewer.js; tests/e2e/test_viewer.py).
    assert viewer(at)["kind"] == "LSTM"
    assert list(heat_rows(at)) == ["i", "f", "o", "g", "c", "h"]
    assert set(heat_rows(at).values()) == {(6, T_WORDS)}
    data = viewer(at)
    assert data["kind"] == "LSTM"
    assert "update" not in data and "a" not in data["arrays"], "the cell diagram is drawn for GRUs only"


def test_an_rnn_file_is_shown(pages):
    at = upload(pages, "my_rnn.safetensors", dump_state_bytes(RNN.init(8, 4, seed=2).to_torch(), "safetensors"))
    assert_clean(at)
    assert model_captions(at) == ["Model: RNN from my_rnn.safetensors (H = 4, 8 inputs per step)."]
    assert viewer(at)["kind"] == "RNN"  # the viewer's "This is an RNN: …" note reads it
    assert heat_rows(at) == {"h": (4, T_WORDS)}
    assert "update" not in viewer(at) and "a" not in viewer(at)["arrays"], "the cell diagram is drawn for GRUs only"


def test_a_whole_models_state_dict_uses_its_recurrent_layer(pages):
    state = {**{f"rnn.{k}": v for k, v in GRU_STATE.items()}, "fc.weight": np.ones((1, 16)), "fc.bias": np.zeros(1)}
    at = upload(pages, "classifier.safetensors", dump_state_bytes(state, "safetensors"))
    assert_clean(at)
    assert model_captions(at) == ["Model: GRU from classifier.safetensors (H = 16, 8 inputs per step)."]
    aside = [c.value for c in at.caption if "left aside" in c.value]
    assert aside == ["Using the GRU in classifier.safetensors; also in the file and left aside: fc.bias, fc.weight."]
    assert heat_rows(at) == dict.fromkeys("zrnh", (16, T_WORDS))


def test_a_new_upload_replaces_the_previous_one(pages):
    at = upload(pages, "first.safetensors", dump_state_bytes(GRU_STATE, "safetensors"))
    assert model_captions(at) == ["Model: GRU from first.safetensors (H = 16, 8 inputs per step)."]
    at.file_uploader(key="weights_file").set_value(
        ("second.npz", dump_state_bytes(RNN.init(8, 4).to_torch(), "npz"), "application/octet-stream"))
    at.run()
    assert_clean(at)
    assert model_captions(at) == ["Model: RNN from second.npz (H = 4, 8 inputs per step)."]
    at.file_uploader(key="weights_file").clear()
    at.run()
    assert_clean(at)
    assert model_captions(at) == [RANDOM_CAPTION], "removing the file goes back to random weights"


def test_a_gru_with_three_inputs_reads_words_embedded_to_fit(pages):
    at = upload(pages, "small.safetensors", dump_state_bytes(GRU.init(3, 4).to_torch(), "safetensors"))
    assert_clean(at)
    assert model_captions(at) == ["Model: GRU from small.safetensors (H = 4, 3 inputs per step)."]


# ---- hostile files --------------------------------------------------------------------------------------
def _nan_state() -> dict[str, np.ndarray]:
    state = {k: np.array(v) for k, v in GRU_STATE.items()}
    state["weight_hh_l0"][3, 5] = np.nan
    return state


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # object arrays are pickled into the archive
    return buf.getvalue()


_VALID = dump_state_bytes(GRU_STATE, "safetensors")
HOSTILE = [
    ("pickled.npz", pickle.dumps({"weight_ih_l0": [[1.0]]}), "pickle"),
    ("truncated.safetensors", _VALID[: len(_VALID) // 2], "truncated"),
    ("nan.safetensors", save_safetensors(_nan_state()), "must be finite"),
    ("zip.safetensors", dump_state_bytes(GRU_STATE, "npz"), "zip archive"),
    ("objects.npz", _npz(weight_ih_l0=np.array([{"a": 1}], dtype=object)), "Python objects"),
    ("wrong_shape.npz", dump_state_bytes({**GRU_STATE, "bias_hh_l0": np.zeros(47)}, "npz"), "bias_hh_l0 must have"),
    ("noise.safetensors", bytes(range(256)) * 4, "not a valid safetensors file"),
]


@pytest.mark.parametrize(("name", "data", "problem"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_is_explained_and_random_weights_stay(pages, name, data, problem):
    at = upload(pages, name, data)
    assert exceptions(at) == []
    shown = errors(at)
    assert len(shown) == 1, shown
    assert shown[0].startswith(f"{name} cannot be used:")
    assert problem in shown[0]
    assert model_captions(at) == [RANDOM_CAPTION]
    assert heat_rows(at) == dict.fromkeys("zrnh", (8, T_WORDS))


def test_a_gru_whose_inputs_do_not_fit_the_numbers_is_explained(pages):
    at = upload(pages, "three_inputs.safetensors", dump_state_bytes(GRU.init(3, 4).to_torch(), "safetensors"),
                preset=PRESETS["sales"].title)
    assert exceptions(at) == []
    shown = errors(at)
    assert len(shown) == 1, shown
    assert shown[0].startswith("Your input cannot be used:")
    assert "expects 3 numbers per step but this sequence has 1" in shown[0]
    assert "type 3 comma-separated numbers per row" in shown[0]
    assert figures(at) == {}, "nothing is drawn from a model that cannot read the input"
    assert not has_viewer(at), "nothing is drawn from a model that cannot read the input"


# ---- the shipped trained GRU and this session's GRU -----------------------------------------------------
def test_the_shipped_trained_gru_reads_the_adding_preset(pages):
    at = open_step(pages, weights="trained", preset=PRESETS["adding"].title)
    assert_clean(at)
    assert model_captions(at) == ["Model: GRU from gru_adding_T30.safetensors (H = 16, 2 inputs per step)."]
    rows = heat_rows(at)
    assert list(rows) == ["z", "r", "n", "h"] and {shape[0] for shape in rows.values()} == {16}


def test_the_shipped_gru_under_another_convention_warns(pages):
    at = open_step(pages, weights="trained", preset=PRESETS["adding"].title, reset="before")
    assert exceptions(at) == [] and errors(at) == []
    assert any("another convention" in w for w in warnings(at)), warnings(at)
    # A shipped story model is rewritten for "z takes the new" (its z rows negated): the same function,
    # so that convention does not warn.
    at = open_step(pages, weights="trained", preset=PRESETS["adding"].title, update="take")
    assert_clean(at)
    assert viewer(at)["update"] == "take"


def test_a_link_to_session_weights_without_a_trained_gru_falls_back(pages):
    at = open_step(pages, weights="session")
    assert exceptions(at) == [] and errors(at) == []
    assert widget(at, "weights").value == "trained"  # the default: the story's trained GRU
    assert "session" not in widget(at, "weights").options
    assert any("(`weights`) = `session`" in w and "trained in another session" in w
               and "so `trained` weights are shown" in w for w in warnings(at)), warnings(at)
    assert model_captions(at) == ["Model: GRU from gru_story_clue.safetensors (H = 8, 8 inputs per step)."]


# ---- export ---------------------------------------------------------------------------------------------
@pytest.fixture
def media(monkeypatch) -> list[MediaFileManager]:
    """The media file managers AppTest creates (one per run), so a test can fetch a download's bytes."""
    made: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)
    return made


def download(at: AppTest, media: list[MediaFileManager], key: str) -> tuple[str, bytes]:
    """(file name, bytes) of a download button whose data is computed on click."""
    button = at.download_button(key=key)
    manager = media[-1]
    url = manager.execute_deferred(button.proto.deferred_file_id)
    stored = manager._storage.get_file(url.rsplit("/", 1)[-1])
    return stored.filename, stored.content


@pytest.mark.parametrize(("name", "state", "stem"), [
    ("my_gru.safetensors", GRU_STATE, "gru_lab_gru"),
    ("my_lstm.npz", LSTM.init(8, 6, seed=1).to_torch(), "gru_lab_lstm"),
], ids=["gru", "lstm"])
def test_the_weights_download_loads_back_to_the_same_tensors(pages, media, name, state, stem):
    at = upload(pages, name, dump_state_bytes(state, name.rsplit(".", 1)[1]))
    assert_clean(at)
    assert {b.key for b in at.download_button} >= {"download_safetensors", "download_npz", "download_csv"}
    for fmt in ("safetensors", "npz"):
        assert at.download_button(key=f"download_{fmt}").label == f"PyTorch weights as .{fmt}"
        filename, data = download(at, media, f"download_{fmt}")
        assert filename == f"{stem}.{fmt}"
        back = load_state_bytes(data, filename)
        assert set(back) == set(state)
        for k, v in state.items():
            np.testing.assert_array_equal(back[k], v, err_msg=f"{fmt}: {k}")


def test_random_weights_download_too(pages, media):
    at = open_step(pages, weights="random", H=4, seed=3)
    assert_clean(at)
    filename, data = download(at, media, "download_npz")
    assert filename == "gru_lab_gru.npz"
    back = load_state_bytes(data, filename)
    expected = GRU.init(8, 4, seed=3).to_torch()
    for k, v in expected.items():
        np.testing.assert_array_equal(back[k], v)
