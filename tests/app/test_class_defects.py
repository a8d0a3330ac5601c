"""What a teacher hit in class, each fixed at its cause (exports, share links, the sidebar, the own
input box, the Train page's states, the favicon, cached records)."""
from __future__ import annotations

import numpy as np
import pytest

from gru_core import GRU, dump_state_bytes, load_state_bytes
from gru_lab import experiments, weights
from gru_lab.inputs import EXAMPLE_TEXT, PRESETS
from gru_lab.ui import cached, session

from . import apptools
from .apptools import assert_clean, errors, exceptions, open_page, warnings, widget, widget_keys
from .test_weights_upload import download, media  # noqa: F401 (a fixture)


# ---- item 2: an export PyTorch computes the same way ---------------------------------------------
def test_take_convention_exports_what_pytorch_computes(pages, media):  # noqa: F811
    """Regression: under "take" the raw weights were written, so nn.GRU computed another model."""
    at = open_page(pages, "step", weights="random", update="take", H=4)  # the sidebar's H sizes random weights
    assert_clean(at)
    _, data = download(at, media, "download_npz")
    back = load_state_bytes(data, "x.npz")
    x = np.random.default_rng(0).normal(size=(12, 8))
    shown = GRU.from_torch(GRU.init(8, 4, seed=0).to_torch(), update="take").forward(x).h
    as_pytorch = GRU.from_torch(back).forward(x).h  # PyTorch's conventions: reset after, z keeps
    np.testing.assert_allclose(as_pytorch, shown, rtol=1e-12, atol=1e-12)
    assert any("z rows are negated" in c.value for c in at.caption)


def test_reset_before_is_not_called_pytorchs(pages, media):  # noqa: F811
    at = open_page(pages, "step", weights="random", reset="before", H=4)
    assert_clean(at)
    assert at.download_button(key="download_npz").label == "GRU Lab weights as .npz"
    name, _ = download(at, media, "download_npz")
    assert "reset_before" in name
    assert any("no PyTorch file computes this" in c.value for c in at.caption)


def test_float32_files_come_back_float32():
    state = {k: v.astype(np.float32) for k, v in GRU.init(3, 4).to_torch().items()}
    for fmt in ("npz", "safetensors"):
        loaded = weights.parse_weights(dump_state_bytes(state, fmt), f"f32.{fmt}")
        assert loaded.dtype == "float32"
        data = dump_state_bytes(weights.export_state(weights.build(loaded), loaded.dtype), fmt)
        back = load_state_bytes(data, f"back.{fmt}", keep_dtype=True)
        assert {v.dtype for v in back.values()} == {np.dtype("float32")}


# ---- item 3: the share link says what it cannot carry ----------------------------------------------
def test_share_link_with_an_uploaded_file_says_it_cannot_carry_it(pages):
    at = apptools.open_page(pages, "step", weights="file")
    at.file_uploader(key="weights_file").upload("m.safetensors", _gru_bytes())
    at.run()
    assert exceptions(at) == []
    assert any("cannot carry the uploaded file" in c.value for c in at.caption)
    assert {"share_download_npz", "share_download_safetensors"} <= {b.key for b in at.download_button}


def _gru_bytes() -> bytes:
    return dump_state_bytes(GRU.init(8, 16).to_torch(), "safetensors")


# ---- item 11: the sidebar shows what applies --------------------------------------------------------
def test_train_page_sidebar_shows_no_unused_settings(pages):
    at = open_page(pages, "train")
    assert exceptions(at) == []
    assert not {"H", "preset", "seed", "scale"} & {w.key for w in at.sidebar.get("select_slider")}
    assert at.sidebar.get("selectbox") == [] or all(w.key != "preset" for w in at.sidebar.get("selectbox"))


def test_vanishing_page_sidebar_has_no_input_preset(pages):
    at = open_page(pages, "vanishing", T="30", seeds="2")
    assert "preset" not in widget_keys(at)
    assert {"H", "seed", "scale", "reset", "update"} <= widget_keys(at)


def test_loaded_weights_hide_random_settings_and_show_real_sizes(pages):
    at = open_page(pages, "step", preset=PRESETS["adding"].title, weights="trained-adding")
    assert exceptions(at) == []
    assert not {"H", "seed", "scale"} & widget_keys(at)
    (info,) = [i.value for i in at.sidebar.get("alert") if "Model shown" in i.value] or [
        i.value for i in at.info if "Model shown" in i.value]
    assert "H = " in info and "2 inputs per step" in info


def test_hidden_settings_are_remembered_across_pages(pages):
    at = open_page(pages, "step", weights="random", H="16", seed="5")  # shown with random weights only
    at.switch_page("app_pages/train.py").run()
    assert exceptions(at) == []
    at.switch_page("app_pages/step_through.py").run()
    assert apptools.values(at, ["H", "seed"]) == {"H": 16, "seed": 5}


# ---- item 12: "Your own" starts from an example ---------------------------------------------------
@pytest.mark.parametrize("kind", ["words", "numbers"])
def test_own_input_starts_from_an_example_without_an_error(pages, kind):
    at = open_page(pages, "step", preset=PRESETS["custom"].title, custom_kind=kind)
    assert errors(at) == [], "an error before the user typed anything"
    assert widget(at, "custom").value == EXAMPLE_TEXT[kind]
    assert "sidebar" in PRESETS["custom"].watch and "below" not in PRESETS["custom"].watch


def test_switching_kind_swaps_an_untouched_example(pages):
    at = open_page(pages, "step", preset=PRESETS["custom"].title)
    at.radio(key="custom_kind").set_value("numbers").run()
    assert widget(at, "custom").value == EXAMPLE_TEXT["numbers"]
    assert errors(at) == []


# ---- item 13: the Train page's run states --------------------------------------------------------------
def test_a_stopped_run_does_not_also_say_press_start(pages):
    at = open_page(pages, "train")
    at.session_state[session.TRAINING] = session.Training(
        "running", experiments.make_task("adding", 30), "MSE", 400, 0, {"GRU": [0.3, 0.2], "RNN": []})
    at.run()
    infos = [i.value for i in at.info]
    assert not any("Press **Start training** to train" in i for i in infos), infos
    (shown,) = [w for w in warnings(at) if "stopped" in w]
    assert "GRU 2 of 400 steps" in shown and "leaving the page" in shown


def test_ending_a_run_by_any_click_is_said_on_the_page(pages):
    at = open_page(pages, "train")
    assert any("any other control or leaving the page ends a run" in i.value for i in at.info)


def test_a_diverging_run_says_what_to_change(pages, monkeypatch):
    from gru_core.training import TrainingDiverged

    def diverge(*args, **kwargs):
        raise TrainingDiverged("training diverged at step 3: the loss is nan. Lower the learning rate", 3,
                               np.array([1.0, 5.0, 1e12, np.nan]))

    monkeypatch.setattr(experiments, "train_models", diverge)
    at = open_page(pages, "train", steps="50")
    widget(at, "train_start").click()
    at.run()
    assert exceptions(at) == []
    (shown,) = errors(at)
    assert "Training stopped" in shown and "Lower the learning rate" in shown
    assert at.session_state[session.TRAINING].state == "diverged"


# ---- item 18: the sweep ends within one training step ------------------------------------------------
def test_the_sweep_checks_for_stop_after_every_step():
    calls = []

    class Stopped(Exception):
        pass

    def each_step():
        calls.append(1)
        if len(calls) == 3:
            raise Stopped

    from gru_core.training import TrainConfig

    cfg = TrainConfig(steps=50)
    with pytest.raises(Stopped):
        experiments.sweep((5, 10), ("GRU", "RNN"), 4, cfg, each_step=each_step)
    assert len(calls) == 3, "work went on after the stop"


# ---- item 5 and 19: nothing from outside; records cached without copies -------------------------------
def test_the_favicon_is_a_local_file():
    import app_pages  # noqa: F401  (the repo root is importable)
    from gru_lab.ui.pages import FAVICON

    assert FAVICON.endswith(".png") and not FAVICON.startswith(":material")
    from pathlib import Path

    assert Path(FAVICON).is_file()


def test_records_are_cached_as_shared_values_not_pickled_copies(pages):
    """Regression: st.cache_data pickled whole records (weights included) and unpickled one per hit."""
    assert cached.step_record.__class__.__name__ != "CachedDataFunc"
    from gru_lab.settings import Settings

    first = cached.step_record(Settings(hidden_size=4))
    assert cached.step_record(Settings(hidden_size=4)) is first
