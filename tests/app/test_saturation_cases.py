"""The saturation lab draws the exact step Jacobian the theory predicts for each pinned case:
identity for 'copy', zero for 'cut', diag(1 − n²) W_hn for 'rnn-like', under both z conventions."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab import compute
from gru_lab.settings import Settings, build_gru

from .apptools import assert_clean, decode, figures, jacobians, trace, widget

EXACT, FROZEN, DIFF = "exact ∂h_t/∂h_(t−1)", "frozen gates", "exact − frozen"
H = 8
T = len(compute.sequence_for(Settings()).labels)  # 34: the default preset
UPDATES = ["keep", "take"]


def matrices(at) -> dict[str, np.ndarray]:
    fig = jacobians(figures(at))
    assert figures(at)["sat_matrices"]["data"][0]["name"] == EXACT, "the exact Jacobian is the first panel"
    return {name: decode(trace(fig, name)["z"]).astype(float) for name in (EXACT, FROZEN, DIFF)}


def open_case(open_page, case, update, **params):
    at = open_page("saturation", case=case, update=update, **params)
    assert_clean(at)
    assert widget(at, "case").value == case and widget(at, "update").value == update
    return at


@pytest.mark.parametrize("update", UPDATES)
def test_copy_is_the_identity(open_page, update):
    at = open_case(open_page, "copy", update)
    m = matrices(at)
    np.testing.assert_allclose(m[EXACT], np.eye(H), atol=1e-12)
    np.testing.assert_allclose(m[FROZEN], np.eye(H), atol=1e-12)
    np.testing.assert_allclose(m[DIFF], 0.0, atol=1e-12)
    sv = decode(trace(figures(at)["sat_singular"], "exact")["y"]).astype(float)
    np.testing.assert_allclose(sv, np.ones(H), atol=1e-12)
    chain = decode(trace(figures(at)["sat_chain"], "‖∂h_t/∂h_k‖₂")["y"]).astype(float)
    np.testing.assert_allclose(chain, 1.0, rtol=1e-9)  # a product of identities keeps its norm


@pytest.mark.parametrize("update", UPDATES)
def test_cut_is_zero(open_page, update):
    at = open_case(open_page, "cut", update)
    m = matrices(at)
    assert np.all(m[EXACT] == 0.0) and np.all(m[FROZEN] == 0.0)
    sv = decode(trace(figures(at)["sat_singular"], "exact")["y"]).astype(float)
    assert np.all(sv == 0.0)
    chain_fig = figures(at)["sat_chain"]
    notes = [a["text"] for a in chain_fig["layout"].get("annotations", [])]
    assert any("exactly 0 from distance 1" in n for n in notes), notes


@pytest.mark.parametrize("reset", ["after", "before"])
@pytest.mark.parametrize("update", UPDATES)
def test_rnn_like_is_tanh_derivative_times_W_hn(open_page, update, reset):
    at = open_case(open_page, "rnn-like", update, reset=reset)
    s = Settings(update=update, reset_after=reset == "after")
    sat = compute.saturation(s, "rnn-like", 0.5, 0.5, 0.0, 0.0, T - 1)
    seq = compute.sequence_for(s)
    W_hn = build_gru(seq.x.shape[1], s).W_hn
    n_t = sat.rec.n[T - 1]
    expected = np.diag(1.0 - n_t**2) @ W_hn
    m = matrices(at)
    np.testing.assert_allclose(m[EXACT], expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m[FROZEN], expected, rtol=1e-10, atol=1e-12)  # pinned gates: nothing to freeze
    assert np.abs(expected).max() > 0.05, "a non-trivial matrix, so the comparison means something"
    info = at.info[0].value
    assert f"{np.linalg.svd(W_hn, compute_uv=False)[0]:.2f}" in info


@pytest.mark.parametrize("update", UPDATES)
def test_free_case_shows_the_jacobian_of_the_chosen_step(open_page, update):
    """Step t on the slider is record index t − 1: the drawn matrix is compute's J for that step."""
    at = open_case(open_page, "free", update, sat_t="5")
    sat = compute.saturation(Settings(update=update), "free", 0.5, 0.5, 0.0, 0.0, 4)
    m = matrices(at)
    np.testing.assert_allclose(m[EXACT], sat.J, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m[FROZEN], sat.J_frozen, rtol=1e-10, atol=1e-12)
    assert len(decode(trace(figures(at)["sat_chain"], "‖∂h_t/∂h_k‖₂")["x"])) == 5
    assert not np.allclose(m[EXACT], m[FROZEN]), "free gates: the exact Jacobian has gate terms"


def test_custom_pins_match_compute(open_page):
    at = open_page("saturation", case="custom", pz="0.25", pr="0.75", sat_t="10")
    assert_clean(at)
    sat = compute.saturation(Settings(), "custom", 0.25, 0.75, 0.0, 0.0, 9)
    np.testing.assert_allclose(matrices(at)[EXACT], sat.J, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(sat.rec.z, 0.25)  # the record really is pinned
    np.testing.assert_allclose(matrices(at)[DIFF], 0.0, atol=1e-12)  # pinned gates have no derivative


LABELS = {
    "keep": {"copy": "z = 1: copy the past", "cut": "z = 0, r = 0: cut the past",
             "rnn-like": "z = 0, r = 1: a plain RNN"},
    "take": {"copy": "z = 0: copy the past", "cut": "z = 1, r = 0: cut the past",
             "rnn-like": "z = 1, r = 1: a plain RNN"},
}


@pytest.mark.parametrize("update", UPDATES)
def test_case_labels_follow_the_update_convention(open_page, update):
    at = open_case(open_page, "copy", update)
    radio = widget(at, "case")
    captions = dict(zip(radio.options, radio.proto.captions, strict=True))
    for case, label in LABELS[update].items():
        assert captions[case] == label
    z_copy = "1" if update == "keep" else "0"
    assert f"z = {z_copy}" in at.latex[0].value  # the formula shown for 'copy'
    assert at.info[0].value.startswith(f"With z = {z_copy} the new state is an exact copy")
    convention = "z keeps the past" if update == "keep" else "z takes the new"
    assert any(convention in c.value for c in at.caption)
