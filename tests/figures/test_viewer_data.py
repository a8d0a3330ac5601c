"""The step-through viewer's payload (gru_lab.viewer): what the browser gets must be the record,
to the precision the viewer prints, under the model's own conventions, and small."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from gru_core import GRU, LSTM, RNN
from gru_lab.inputs import embed
from gru_lab.text import unit_equations
from gru_lab.viewer import ASSETS, EXPORT_LINE, changed_most, fixed, offline_html, unpack, viewer_data

GRU_ARRAYS = {"x", "h0", "z", "r", "n", "h", "a", "ir", "hr", "iz", "hz", "in"}


def ints(data: dict, name: str) -> np.ndarray:
    return np.rint(unpack(data["arrays"][name]) * 10 ** data["digits"]).astype(np.int64)


def latex_numbers(line: str) -> list[int]:
    """The numbers an equation line prints, as 10^-3 integers ('- 0.231' and '(-0.5)' included)."""
    return [round(float(sign.replace(" ", "") + digits) * 1000)
            for sign, digits in re.findall(r"(-\s?)?(\d+\.\d{3})", line)]


def expected_numbers(data: dict, t: int, j: int) -> list[list[int]]:
    """What the viewer's four lines print for unit j at step t, read from the payload alone."""
    v = {name: ints(data, name)[t, j] for name in ("ir", "hr", "iz", "hz", "in", "a", "r", "z", "n", "h")}
    hp = ints(data, "h0")[j] if t == 0 else ints(data, "h")[t - 1, j]
    n = [v["in"], v["r"], v["a"], v["n"]] if data["reset_after"] else [v["in"], v["a"], v["n"]]
    kept, taken = (v["z"], 1000 - v["z"]) if data["update"] == "keep" else (1000 - v["z"], v["z"])
    return [[v["ir"], v["hr"], v["r"]], [v["iz"], v["hz"], v["z"]], n, [kept, hp, taken, v["n"], v["h"]]]


@pytest.fixture(scope="module")
def large():
    """H = 128 and a 500-word input: the step page's largest view."""
    labels = tuple(f"w{i % 37}" for i in range(500))
    x = np.stack([embed(w) for w in labels])
    rec = GRU.init(x.shape[1], 128, seed=0).forward(x)
    return rec, labels, viewer_data(rec, labels, key_steps=changed_most(rec))


def test_fixed_point_prints_like_python():
    v = np.concatenate([np.random.default_rng(0).normal(scale=3, size=20_000),
                        [0.0005, 0.0015, 0.0025, -0.0005, 1.2345, 2.5e-4, -0.0, 32.7674]])
    assert list(fixed(v)) == [round(float(f"{x:.3f}") * 1000) for x in v]


def test_shapes_sizes_and_labels(words):
    seq, rec = words
    data = viewer_data(rec, seq.labels)
    T, H = rec.h.shape
    assert (data["kind"], data["T"], data["H"], data["I"], data["format"]) == ("GRU", T, H, 8, 1)
    assert data["labels"] == list(seq.labels) and data["order"] == ["z", "r", "n", "h"]
    assert set(data["arrays"]) == GRU_ARRAYS
    assert all(data["arrays"][q]["shape"] == [T, H] for q in GRU_ARRAYS - {"x", "h0"})
    assert data["arrays"]["x"]["shape"] == [T, 8] and data["arrays"]["h0"]["shape"] == [H]
    assert json.loads(json.dumps(data)) == data  # JSON-able as it is


def test_values_are_the_record_to_the_printed_precision(words):
    seq, rec = words
    data = viewer_data(rec, seq.labels)
    for name, v in {"x": rec.x, "h0": rec.h0, "z": rec.z, "r": rec.r, "n": rec.n, "h": rec.h, "a": rec.a}.items():
        np.testing.assert_array_equal(ints(data, name), fixed(v))
        np.testing.assert_allclose(unpack(data["arrays"][name]), v, atol=5e-4 + 1e-12)


@pytest.mark.parametrize("update, reset_after", [("keep", True), ("take", False), ("take", True), ("keep", False)])
def test_every_number_of_the_equations_matches_unit_equations(words, update, reset_after):
    """Each (step, unit): the numbers text.unit_equations prints are the payload's integers."""
    seq, _ = words
    rec = GRU.init(8, 8, seed=0, reset_after=reset_after, update=update).forward(seq.x)
    data = viewer_data(rec, seq.labels)
    assert (data["update"], data["reset_after"]) == (update, reset_after)
    T, H = rec.h.shape
    for t in range(T):
        for j in range(H):
            shown = [latex_numbers(line) for line in unit_equations(rec, t, j)]
            assert shown == expected_numbers(data, t, j), (t, j)


def test_the_conventions_are_the_models_own(words):
    seq, rec = words
    assert viewer_data(rec, seq.labels, update="keep", reset_after=True)["update"] == "keep"
    with pytest.raises(ValueError, match="update='take' but the model computes with update='keep'"):
        viewer_data(rec, seq.labels, update="take")
    with pytest.raises(ValueError, match="reset_after"):
        viewer_data(rec, seq.labels, reset_after=False)


def test_pinned_gates_are_flagged(words):
    seq, _ = words
    rec = GRU.init(8, 8, seed=0).forward(seq.x, force_z=1.0)
    data = viewer_data(rec, seq.labels)
    assert data["pinned"] == {"z": True, "r": False}
    assert np.all(ints(data, "z") == 1000)


def test_key_steps(words):
    seq, rec = words
    assert viewer_data(rec, seq.labels, key_steps=(9, 3, 3))["key_steps"] == [3, 9]
    moved = np.linalg.norm(rec.h - rec.h_prev, axis=1)
    top = changed_most(rec, 3)
    assert len(top) == 3 and min(moved[list(top)]) >= np.sort(moved)[-3]
    for bad in ((-1,), (len(seq.labels),)):
        with pytest.raises(ValueError, match="key_steps"):
            viewer_data(rec, seq.labels, key_steps=bad)
    with pytest.raises(ValueError, match="one entry per step"):
        viewer_data(rec, seq.labels[:-1])


def test_other_kinds_get_heatmaps_and_table_data(words):
    seq, _ = words
    rnn = RNN.init(8, 4, seed=0).forward(seq.x)
    lstm = LSTM.init(8, 4, seed=0).forward(seq.x)
    d_rnn, d_lstm = viewer_data(rnn, seq.labels), viewer_data(lstm, seq.labels)
    assert (d_rnn["kind"], d_rnn["order"], set(d_rnn["arrays"])) == ("RNN", ["h"], {"x", "h0", "h"})
    assert d_lstm["kind"] == "LSTM" and d_lstm["order"] == ["i", "f", "o", "g", "c", "h"]
    assert "update" not in d_lstm and "a" not in d_lstm["arrays"]
    np.testing.assert_array_equal(ints(d_lstm, "c"), fixed(lstm.c))


def test_large_values_travel_as_int32(words):
    seq, _ = words
    x = np.full((5, 2), 100.0)  # 100 000 thousandths does not fit in int16
    x[2] = -345.678
    rec = GRU.init(2, 3, seed=0).forward(x)
    data = viewer_data(rec, seq.labels[:5])
    assert data["arrays"]["x"]["dtype"] == "i4" and data["arrays"]["z"]["dtype"] == "i2"
    np.testing.assert_array_equal(unpack(data["arrays"]["x"]), x)


def test_the_id_follows_the_content(words):
    seq, rec = words
    assert viewer_data(rec, seq.labels)["id"] == viewer_data(rec, seq.labels)["id"]
    other = GRU.init(8, 8, seed=1).forward(seq.x)
    assert viewer_data(other, seq.labels)["id"] != viewer_data(rec, seq.labels)["id"]
    assert viewer_data(rec, seq.labels, key_steps=(1,))["id"] != viewer_data(rec, seq.labels)["id"]


def test_payload_size(words, large):
    """Sent once; one step of the Plotly page sent about 8 MB at H = 128, T = 500 (issue 10)."""
    seq, rec = words
    small = len(json.dumps(viewer_data(rec, seq.labels)))
    big = len(json.dumps(large[2]))
    assert small < 15_000, small
    assert big < 2_000_000, big  # the target is at most half of 8 MB; base64 int16 gives about 1.7 MB


def test_large_values(large):
    rec, _, data = large
    assert data["arrays"]["h"]["shape"] == [500, 128]
    np.testing.assert_array_equal(ints(data, "n"), fixed(rec.n))
    assert len(data["key_steps"]) == 3


def test_offline_html_is_one_safe_file(words):
    seq, rec = words
    labels = list(seq.labels)
    labels[0] = "</script><script>alert(1)</script><!--"
    data = viewer_data(rec, labels)
    page = offline_html(data, title="<b>Bold</b> & co")
    assert page.count("<script") == 2 and page.count("</script>") == 2  # the data block and the viewer
    assert "<title>&lt;b&gt;Bold&lt;/b&gt; &amp; co</title>" in page
    block = re.search(r'<script type="application/json" id="gv-data">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block
    assert json.loads(block) == {**data, "start": [1, 0]}
    later = re.search(r'id="gv-data">(.*?)</script>', offline_html(data, t=7, unit=3), re.S).group(1)
    assert json.loads(later)["start"] == [7, 3]  # "download this view" opens where the viewer was
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page)  # nothing from the network
    assert "export default" not in page and "mountOffline(" in page
    for asset in ("viewer.css", "viewer.html"):
        assert (ASSETS / asset).read_text(encoding="utf-8").strip()[:40] in page


def test_the_module_ends_with_its_export():
    """The offline file swaps exactly this line for its own start; the component imports it."""
    js = (ASSETS / "viewer.js").read_text(encoding="utf-8")
    assert js.rstrip().endswith(EXPORT_LINE) and len(re.findall(r"^\s*export\b", js, re.M)) == 1


def test_the_viewer_draws_no_glyph_a_common_font_lacks():
    """Regression: the "Download this view as HTML" button began with ⭳ (U+2B73, Miscellaneous Symbols and
    Arrows), which the usual system fonts lack: a missing-glyph box. The viewer's own symbols stay in blocks
    every system font covers (general punctuation, arrows, maths operators, geometric shapes, dingbats)."""
    from pathlib import Path

    covered = ((0x2000, 0x206F), (0x2190, 0x21FF), (0x2200, 0x22FF), (0x25A0, 0x25FF), (0x2700, 0x27BF))
    folder = Path(__file__).resolve().parents[2] / "gru_lab" / "ui" / "viewer"
    for name in ("viewer.html", "viewer.js"):
        text = (folder / name).read_text(encoding="utf-8")
        odd = {c for c in text if ord(c) >= 0x2000 and not any(lo <= ord(c) <= hi for lo, hi in covered)}
        assert not odd, (name, sorted(odd))
    assert "↓</span> Download this view as HTML" in (folder / "viewer.html").read_text(encoding="utf-8")
