"""Signed colour scales keep their sign under colour-vision deficiencies (issue 22): a cell at +v and
one at −v differ in lightness, not only in hue, after simulating protanopia, deuteranopia and
tritanopia (Machado, Oliveira & Fernandes 2009, severity 1, on linear RGB: the model Chromium's
emulation uses)."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab.figures.colors import NEGATIVE, NEUTRAL, QUANTITY, SIGNED, signed_scale

MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "none": np.eye(3).tolist(),
}
MIN_RATIO = {0.5: 1.25, 1.0: 1.8}  # luminance ratio between +v and −v: a half-strength cell and a full one


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]) / 255


def _at(scale: list[list], v: float) -> np.ndarray:
    """The scale's colour at v ∈ [−1, 1], interpolated in sRGB as Plotly does."""
    pos, cols = [p for p, _ in scale], [_rgb(c) for _, c in scale]
    u = (v + 1) / 2
    return np.array([np.interp(u, pos, [c[k] for c in cols]) for k in range(3)])


def _luminance(srgb: np.ndarray, deficiency: str) -> float:
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(np.array(MACHADO[deficiency]) @ linear, 0, 1)
    return float(seen @ [0.2126, 0.7152, 0.0722])


@pytest.mark.parametrize("deficiency", MACHADO)
@pytest.mark.parametrize("q", sorted(SIGNED))
def test_the_sign_reads_by_lightness_too(q, deficiency):
    scale = signed_scale(q)
    for v, least in MIN_RATIO.items():
        pos, neg = _luminance(_at(scale, v), deficiency), _luminance(_at(scale, -v), deficiency)
        ratio = (max(pos, neg) + 0.05) / (min(pos, neg) + 0.05)
        assert neg < pos and ratio >= least, f"{q} at ±{v} under {deficiency}: +{pos:.3f} vs −{neg:.3f}, {ratio:.2f}"


def test_the_check_sees_a_scale_that_loses_its_sign():
    """A scale whose negative end is as light as its positive one (grey against pink) fails the check above."""
    bad = [[0.0, "#A0A0A0"], [0.5, NEUTRAL], [1.0, QUANTITY["h"]]]
    pos, neg = _luminance(_at(bad, 1.0), "deuteranopia"), _luminance(_at(bad, -1.0), "deuteranopia")
    assert (max(pos, neg) + 0.05) / (min(pos, neg) + 0.05) < MIN_RATIO[1.0]
    assert NEGATIVE != "#A0A0A0"
