"""What a tab's uploads may hold on the server (issue 19, items 3 and 5d).

A large model's weights, model and records belong to the tab that shows it, and only while it shows
it: a new file replaces them, and closing the tab lets them go. Large here is near the upload limit;
the tests lower the threshold so that small files count, and count the models still alive by their
(unusual) hidden sizes. And what the page said about a file goes once the uploader no longer holds it.
"""
from __future__ import annotations

import gc

import pytest
from streamlit.runtime import caching

from gru_core import GRU, dump_state_bytes
from gru_lab.ui import cached, session

from .apptools import assert_clean, errors, open_page

SIZES = (37, 38, 39, 41)  # hidden sizes no other test uses, one per file
APPTEST_SESSION = "test session id"  # every AppTest session has this id (testing/v1/local_script_runner.py)


def gru_file(H: int) -> bytes:
    return dump_state_bytes(GRU.init(3, H, seed=H).to_torch(), "safetensors")


def alive(sizes) -> list[int]:
    """Hidden sizes of the GRU models (built ones and records' ones) the process still holds."""
    gc.collect()
    return sorted(o.hidden_size for o in gc.get_objects() if isinstance(o, GRU) and o.hidden_size in sizes)


def close_tab() -> None:
    """What Streamlit does when a tab's websocket closes (WebsocketSessionManager.disconnect_session)."""
    caching.clear_session_data_cache(APPTEST_SESSION)
    caching.clear_session_resource_cache(APPTEST_SESSION)


@pytest.fixture
def every_file_is_large(monkeypatch):
    monkeypatch.setattr(cached, "LARGE_BYTES", 0, raising=False)


def test_a_tab_holds_only_its_current_large_model_and_nothing_once_closed(pages, every_file_is_large):
    at = open_page(pages, "step", weights="file")
    for H in SIZES:
        at.file_uploader(key="weights_file").upload(f"gru_{H}.safetensors", gru_file(H)).run()
        for preset in ("verdict_end", "clue"):
            at.selectbox(key="preset").select(preset).run()
        assert_clean(at, warn_ok=True)
        assert any(f"gru_{H}.safetensors (H = {H}" in c.value for c in at.caption), "the new file is shown"
        assert set(alive(SIZES)) == {H}, "the earlier files' models are gone, not cached until a TTL"
    assert at.session_state[session.UPLOAD][1].name == f"gru_{SIZES[-1]}.safetensors"

    close_tab()
    assert alive(SIZES) == [], "a closed tab's model and records go at once"
    assert at.session_state[session.UPLOAD] == [], "the session kept for a reconnect holds no weights"

    at.run()  # the tab reconnects: its file is still in the uploader, and read again
    assert_clean(at, warn_ok=True)
    assert any(f"gru_{SIZES[-1]}.safetensors (H = {SIZES[-1]}" in c.value for c in at.caption)


def test_a_refused_file_leaves_no_error_about_the_previous_one(pages):
    at = open_page(pages, "step", weights="file")
    at.file_uploader(key="weights_file").upload("broken.safetensors", b"not a safetensors file").run()
    assert [e.startswith("broken.safetensors cannot be used:") for e in errors(at)] == [True]

    # The uploader refuses model.pt (wrong type) or a 100 MB file in the browser: the app gets no file.
    at.file_uploader(key="weights_file").set_value(None).run()
    assert_clean(at)
    assert any("Upload a file" in i.value for i in at.info)
    assert session.UPLOAD not in at.session_state, "nothing is kept about the earlier file"

    at.file_uploader(key="weights_file").upload("other.npz", b"not an npz file either").run()
    assert [e.startswith("other.npz cannot be used:") for e in errors(at)] == [True], "only the file held now"

    at.file_uploader(key="weights_file").upload("good.safetensors", gru_file(8)).run()
    assert_clean(at, warn_ok=True)
    assert any("good.safetensors" in c.value for c in at.caption)
