"""gru_lab.inputs: the number parser, the tokenizer and the deterministic word embedding."""
from __future__ import annotations

import ast
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gru_lab.inputs import (
    EMBED_DIM,
    EXAMPLE_TEXT,
    MAX_FEATURES,
    MAX_STEPS,
    PRESETS,
    custom_sequence,
    embed,
    parse_numbers,
    preset_sequence,
    tokenize,
    tokens_sequence,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---- parse_numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "x", "labels"), [
    ("0.5, 1, -2", [[0.5], [1.0], [-2.0]], ("0.5", "1", "-2")),
    ("  3 ,4  ", [[3.0], [4.0]], ("3", "4")),
    ("1,2;3,4", [[1, 2], [3, 4]], ("1", "3")),
    ("1, 2\n3, 4\n", [[1, 2], [3, 4]], ("1", "3")),
    ("1;2;3", [[1], [2], [3]], ("1", "2", "3")),
    ("1e-3, -1e6, 1e6", [[1e-3], [-1e6], [1e6]], ("0.001", "-1e+06", "1e+06")),
    ("7", [[7.0]], ("7",)),
])
def test_parse_numbers_shapes(text, x, labels):
    seq = parse_numbers(text)
    np.testing.assert_array_equal(seq.x, np.asarray(x, dtype=float))
    assert seq.x.dtype == np.float64
    assert seq.labels == labels
    assert seq.kind == "numbers"


@pytest.mark.parametrize(("text", "message"), [
    ("", "no numbers found"),
    (" ; \n ", "no numbers found"),
    ("1, 2, x", "'x' is not a number"),
    ("1,,2", "empty value in row 1"),
    ("1,2;3,", "empty value in row 2"),
    ("nan", "not a finite number"),
    ("1, -inf", "not a finite number"),
    ("1e400", "not a finite number"),
    ("1000001", "too large"),
    ("-1e7", "too large"),
    ("1,2;3", "found rows with [1, 2]"),
    (",".join(["1"] * (MAX_STEPS + 1)), f"{MAX_STEPS + 1} steps; at most {MAX_STEPS}"),
    (",".join(["1"] * (MAX_FEATURES + 1)) + ";" + ",".join(["1"] * (MAX_FEATURES + 1)),
     f"{MAX_FEATURES + 1} numbers per step"),
])
def test_parse_numbers_errors_name_the_problem(text, message):
    with pytest.raises(ValueError) as err:
        parse_numbers(text)
    assert message in str(err.value)


def test_parse_numbers_limits_are_inclusive():
    assert parse_numbers(",".join(["1"] * MAX_STEPS)).x.shape == (MAX_STEPS, 1)
    assert parse_numbers(";".join([",".join(["2"] * MAX_FEATURES)] * 2)).x.shape == (2, MAX_FEATURES)
    assert parse_numbers("1000000, -1000000").x[:, 0].tolist() == [1e6, -1e6]


def test_long_bad_cell_is_cut_in_the_message():
    with pytest.raises(ValueError) as err:
        parse_numbers("x" * 500)
    assert len(str(err.value)) < 120


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 4).flatmap(
    lambda w: st.lists(st.lists(finite, min_size=w, max_size=w), min_size=2, max_size=20)))
def test_parse_numbers_round_trips_rows(rows):
    text = ";".join(",".join(repr(v) for v in row) for row in rows)
    np.testing.assert_array_equal(parse_numbers(text).x, np.asarray(rows))


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=50))
def test_parse_numbers_round_trips_one_row(values):
    seq = parse_numbers(", ".join(repr(v) for v in values))
    np.testing.assert_array_equal(seq.x[:, 0], values)
    assert seq.labels == tuple(f"{v:g}" for v in values)


# ---- words ----------------------------------------------------------------------------------------
def test_tokenize():
    assert tokenize("The cat, that the DOG chased -- ran away!") == \
        ["the", "cat", "that", "the", "dog", "chased", "ran", "away"]
    assert tokenize("don't stop 2day") == ["don't", "stop", "2day"]
    assert tokenize("!!! ... ???") == []


def test_tokens_sequence():
    seq = tokens_sequence("Hello, hello world")
    assert seq.labels == ("hello", "hello", "world")
    assert seq.x.shape == (3, EMBED_DIM) and seq.kind == "text"
    np.testing.assert_array_equal(seq.x[0], seq.x[1])  # the same word is the same input
    with pytest.raises(ValueError, match="no words"):
        tokens_sequence("?!")
    with pytest.raises(ValueError, match=f"{MAX_STEPS + 1} words"):
        tokens_sequence(" ".join(["a"] * (MAX_STEPS + 1)))
    assert len(tokens_sequence(" ".join(["a"] * MAX_STEPS)).labels) == MAX_STEPS


def test_embed_is_deterministic_and_distinct():
    a, b = embed("umbrella"), embed("umbrella")
    np.testing.assert_array_equal(a, b)
    assert a.shape == (EMBED_DIM,)
    assert not np.allclose(embed("umbrella"), embed("dry"))
    norms = [np.linalg.norm(embed(w)) for w in tokenize(PRESETS["clue"].text)]
    assert 1.0 < float(np.mean(norms)) < 3.0  # ‖e‖ ≈ 2 on average


def test_embed_is_the_same_in_another_process():
    """sha256, not Python's salted hash(): a new interpreter with another hash seed agrees."""
    code = "from gru_lab.inputs import embed; print(repr(embed('umbrella').tolist()))"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    assert ast.literal_eval(out) == embed("umbrella").tolist()


# ---- presets and the custom dispatcher ----------------------------------------------------------
@pytest.mark.parametrize("key", [k for k in PRESETS if k != "custom"])
def test_presets_build_sequences(key):
    seq = preset_sequence(key)
    assert len(seq.labels) == seq.x.shape[0] > 10
    assert np.isfinite(seq.x).all()
    assert seq.kind == ("text" if PRESETS[key].text else "numbers")


def test_preset_titles_are_unique():
    titles = [p.title for p in PRESETS.values()]
    assert len(set(titles)) == len(titles)


def test_custom_sequence():
    assert custom_sequence("a b", "words").labels == ("a", "b")
    assert custom_sequence("1, 2", "numbers").labels == ("1", "2")
    with pytest.raises(ValueError, match="4,000"):
        custom_sequence("a " * 2_001, "words")
    assert len(custom_sequence("ab " * 166, "words").labels) == 166


@pytest.mark.parametrize(("text", "words"), [
    ("İstanbul is big", ["istanbul", "is", "big"]),  # one word, lower-cased as Turkish does, no stray dot
    ("Straße und Café", ["straße", "und", "café"]),
    ("שָׁלוֹם עולם", ["שָׁלוֹם", "עולם"]),  # Hebrew, with and without vowel marks
    ("مرحبا بالعالم", ["مرحبا", "بالعالم"]),
    ("the cat's hat, don't", ["the", "cat's", "hat", "don't"]),
])
def test_words_of_every_script_are_words(text, words):
    # Regression: only a-z and 0-9 counted as letters, so "İstanbul" split in two and Hebrew or
    # Arabic text had "no words".
    assert tokenize(text) == words
    assert custom_sequence(text, "words").labels == tuple(words)


@pytest.mark.parametrize("kind", ["words", "numbers"])
def test_the_own_input_box_starts_from_an_example_that_parses(kind):
    seq = custom_sequence(EXAMPLE_TEXT[kind], kind)
    assert len(seq.labels) >= 8
