"""Every bad input is a ValueError whose message names the problem; nothing is left half-built."""
import re
import tracemalloc

import numpy as np
import pytest

from gru_core import GRU, LIMITS, LSTM, RNN

from .fd import random_state

T, I, H = 4, 3, 2
X = np.random.default_rng(41).normal(size=(T, I))
GRU_STATE = random_state(3, I, H, seed=1)
RNN_STATE = random_state(1, I, H, seed=1)
MODELS = [pytest.param(GRU.from_torch(GRU_STATE), id="gru"), pytest.param(RNN.from_torch(RNN_STATE), id="rnn")]


# ---- forward -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("x, match", [
    (np.ones(I), "2-D"),
    (np.ones((1, T, I)), "2-D"),
    (np.ones((T, I + 1)), "must have 3 input features"),
    (np.ones((T, 1)), "must have 3 input features"),
    (np.ones((0, I)), "at least one time step"),
    (np.ones((LIMITS.max_steps + 1, I)), "at most"),
    ("abc", "numeric"),
    ([["a", "b", "c"]], "numeric"),
    ([[1.0, 2.0], [3.0]], "numeric"),
    ({"x": 1}, "numeric"),
    (np.ones((T, I)) * 1j, "real"),
    (np.array([[0.0, np.nan, 0.0]]), "finite"),
    (np.array([[0.0, 0.0, -np.inf]]), "finite"),
])
def test_forward_refuses_bad_x(model, x, match):
    with pytest.raises(ValueError, match=match):
        model.forward(x)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("h0, match", [
    (np.zeros(H + 1), r"h0 must have shape \(2,\)"),
    (np.zeros((1, H)), r"h0 must have shape \(2,\)"),
    (0.0, r"h0 must have shape \(2,\)"),
    ([0.0, np.nan], "h0 must be finite"),
    ([np.inf, 0.0], "h0 must be finite"),
    ("00", "h0 must be numeric"),
])
def test_forward_refuses_bad_h0(model, h0, match):
    with pytest.raises(ValueError, match=match):
        model.forward(X, h0)


@pytest.mark.parametrize("gate", ["force_z", "force_r"])
@pytest.mark.parametrize("value, match", [
    (-0.1, r"\[0, 1\]"),
    (1.5, r"\[0, 1\]"),
    (np.array([[0.5, 1.0 + 1e-12]]), r"\[0, 1\]"),
    (np.nan, "finite"),
    (np.inf, "finite"),
    (np.full((T + 1, H), 0.5), "broadcastable"),
    (np.full(H + 1, 0.5), "broadcastable"),
    (np.full((T, H, 1), 0.5), "broadcastable"),
    ("0.5", "numeric"),
])
def test_forward_refuses_bad_forced_gates(gate, value, match):
    gru = GRU.from_torch(GRU_STATE)
    with pytest.raises(ValueError, match=f"{gate}.*{match}"):
        gru.forward(X, **{gate: value})


@pytest.mark.parametrize("value", [0.0, 1.0, [0.0, 1.0], np.zeros((T, 1)), np.ones((T, H))])
def test_forced_gates_accept_the_closed_interval_and_broadcasting(value):
    rec = GRU.from_torch(GRU_STATE).forward(X, force_z=value, force_r=value)
    np.testing.assert_array_equal(rec.z, np.broadcast_to(value, (T, H)))
    np.testing.assert_array_equal(rec.r, np.broadcast_to(value, (T, H)))


def test_forward_refuses_digit_strings():
    # regression: an array of digit strings used to be parsed as numbers, though text is refused
    with pytest.raises(ValueError, match="numeric"):
        GRU.from_torch(GRU_STATE).forward(np.array([["1", "2", "3"]]))


@pytest.mark.parametrize("x", [None, np.array([["2020-01-01"] * 3], dtype="datetime64[D]")], ids=["none", "dates"])
def test_forward_refuses_values_that_are_not_numbers(x):
    # regression: None used to become NaN ("x must be finite; found nan") and dates day counts, silently
    with pytest.raises(ValueError, match="x must be numeric"):
        GRU.from_torch(GRU_STATE).forward(x)


def test_forward_refuses_integers_too_big_for_a_float():
    # regression: as_float_array turned TypeError/ValueError into ValueError but let OverflowError escape
    with pytest.raises(ValueError, match="x"):
        GRU.from_torch(GRU_STATE).forward([[10**400, 0, 0]])


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("steps", [T, -T - 1, 1.0, True, [0, T], [[0]], "0"])
def test_jacobians_refuse_bad_steps(model, steps):
    with pytest.raises(ValueError, match="steps"):
        model.forward(X).jacobians(steps=steps)


# ---- state dicts -------------------------------------------------------------------------------------
def edited(state, drop=(), **changes):
    out = {k: v for k, v in state.items() if k not in drop}
    out.update(changes)
    return out


def grown(H_new, gates=3):
    return random_state(gates, I, H_new, seed=2)


@pytest.mark.parametrize("state, match", [
    (edited(GRU_STATE, drop=["bias_hh_l0"]), "missing bias_hh_l0"),
    (edited(GRU_STATE, drop=["bias_ih_l0", "bias_hh_l0"]), "bias=False"),
    (edited(GRU_STATE, weight_ih_l1=GRU_STATE["weight_ih_l0"]), "layer 1"),
    (edited(GRU_STATE, weight_ih_l0_reverse=GRU_STATE["weight_ih_l0"]), "bidirectional"),
    (edited(GRU_STATE, extra=np.zeros(3)), "unexpected extra"),
    (edited(GRU_STATE, weight_hh_l0=np.zeros((3 * H, H + 1))), "weight_hh_l0 must have shape"),
    (edited(GRU_STATE, weight_hh_l0=np.zeros((3 * H, H, 1))), "weight_hh_l0 must have shape"),
    (edited(GRU_STATE, weight_hh_l0=np.zeros((3 * H, 0))), "weight_hh_l0 must have shape"),
    (edited(GRU_STATE, weight_ih_l0=np.zeros((3 * H + 1, I))), "weight_ih_l0 must have shape"),
    (edited(GRU_STATE, weight_ih_l0=np.zeros(3 * H)), "weight_ih_l0 must have shape"),
    (edited(GRU_STATE, bias_ih_l0=np.zeros(3 * H + 3)), "bias_ih_l0 must have shape"),
    (edited(GRU_STATE, bias_hh_l0=np.zeros((3 * H, 1))), "bias_hh_l0 must have shape"),
    (edited(grown(H + 1), weight_hh_l0=GRU_STATE["weight_hh_l0"]), "to match H = 2"),
    (edited(GRU_STATE, bias_hh_l0=grown(H + 1)["bias_hh_l0"]), "to match H = 2"),
    (RNN_STATE, r"3·H, H\) for a GRU"),
    (random_state(4, I, H, seed=0), r"3·H, H\) for a GRU"),
    (edited(GRU_STATE, weight_hh_l0=np.full((3 * H, H), np.nan)), "weight_hh_l0 must be finite"),
    (edited(GRU_STATE, bias_ih_l0=np.full(3 * H, np.inf)), "bias_ih_l0 must be finite"),
    (edited(GRU_STATE, bias_ih_l0="zeros"), "bias_ih_l0 must be numeric"),
    (edited(GRU_STATE, weight_ih_l0=np.zeros((3 * H, LIMITS.max_input + 1))), "input size"),
    ([("weight_ih_l0", 0)], "mapping"),
    (None, "mapping"),
    ("weight_ih_l0", "mapping"),
])
def test_gru_from_torch_refuses_bad_states(state, match):
    with pytest.raises(ValueError, match=match):
        GRU.from_torch(state)


@pytest.mark.parametrize("state, match", [
    (GRU_STATE, r"1·H, H\) for a RNN"),
    (edited(RNN_STATE, drop=["weight_ih_l0"]), "missing weight_ih_l0"),
    (edited(RNN_STATE, weight_hh_l1=RNN_STATE["weight_hh_l0"]), "layer 1"),
    (random_state(1, 1, LIMITS.max_hidden + 1, seed=0), "hidden size 1025"),
    ({}, "missing"),
])
def test_rnn_from_torch_refuses_bad_states(state, match):
    with pytest.raises(ValueError, match=match):
        RNN.from_torch(state)


@pytest.mark.parametrize("kwargs, match", [
    ({"reset_after": "yes"}, "reset_after"),
    ({"reset_after": None}, "reset_after"),
    ({"update": "new"}, "update must be 'keep'"),
    ({"update": None}, "update must be 'keep'"),
])
def test_convention_switches_are_checked(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GRU.from_torch(GRU_STATE, **kwargs)
    with pytest.raises(ValueError, match=match):
        GRU.init(I, H, **kwargs)


@pytest.mark.parametrize("cls", [GRU, RNN])
@pytest.mark.parametrize("args, match", [
    ((I, 0), "hidden_size"),
    ((I, -1), "hidden_size"),
    ((I, LIMITS.max_hidden + 1), "hidden_size"),
    ((I, 2.0), "hidden_size must be a whole number"),
    ((I, "4"), "hidden_size must be a whole number"),
    ((I, True), "hidden_size must be a whole number"),
    ((I, None), "hidden_size must be a whole number"),
    ((0, H), "input_size"),
    ((LIMITS.max_input + 1, H), "input_size"),
    ((I, H, -1), "seed"),
    ((I, H, 0.5), "seed"),
])
def test_init_refuses_bad_sizes(cls, args, match):
    with pytest.raises(ValueError, match=match):
        cls.init(*args)


# ---- the Jacobian memory cap --------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [GRU, RNN])
def test_jacobians_beyond_the_cap_raise_instead_of_allocating(cls):
    H_big = 64
    T_big = LIMITS.max_jacobian_entries // H_big**2 + 1  # one step more than the cap allows
    rec = cls.init(1, H_big).forward(np.zeros((T_big, 1)))
    methods = [rec.jacobians] + ([rec.frozen_gate_jacobians] if cls is GRU else [])
    for method in methods:
        tracemalloc.start()
        try:
            with pytest.raises(ValueError, match="cap"):
                method()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < 50 * 2**20  # the 400 MB stack was never allocated
    assert rec.jacobians(steps=slice(-3, None)).shape == (3, H_big, H_big)  # a selection within the cap is fine


# ---- backward ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", MODELS)
def test_backward_refuses_a_record_from_another_model(model):
    twin = type(model).from_torch(model.to_torch())  # same weights, different model
    other = RNN.from_torch(RNN_STATE) if isinstance(model, GRU) else GRU.from_torch(GRU_STATE)
    dh = np.ones((T, H))
    for rec in (twin.forward(X), other.forward(X), {"h": np.zeros((T, H))}, None):
        with pytest.raises(ValueError, match="rec must be"):
            model.backward(rec, dh)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("dh, match", [
    (np.ones((T + 1, H)), r"dh must have shape \(T, H\)"),
    (np.ones((T - 1, H)), r"dh must have shape \(T, H\)"),
    (np.ones((T, H + 1)), "dh must have 2 hidden units"),
    (np.ones(H), "dh must be 2-D"),
    (np.full((T, H), np.nan), "dh must be finite"),
    ("dh", "dh must be numeric"),
])
def test_backward_refuses_bad_dh(model, dh, match):
    with pytest.raises(ValueError, match=match):
        model.backward(model.forward(X), dh)


# ---- nothing half-built ---------------------------------------------------------------------------------
def test_a_failed_call_leaves_the_previous_model_working():
    gru = GRU.from_torch(GRU_STATE)
    before = gru.forward(X).h
    good = {k: np.array(v) for k, v in GRU_STATE.items()}
    with pytest.raises(ValueError):
        GRU.from_torch(edited(good, bias_hh_l0=np.full(3 * H, np.nan)))
    with pytest.raises(ValueError):
        gru.forward(np.full((T, I), np.nan))
    with pytest.raises(ValueError):
        gru.backward(gru.forward(X), np.ones((T + 1, H)))
    np.testing.assert_array_equal(gru.forward(X).h, before)
    for name, value in GRU_STATE.items():
        np.testing.assert_array_equal(good[name], value)  # the caller's state was not touched
        np.testing.assert_array_equal(gru.to_torch()[name], value)


# ---- weight magnitude and foreign dtypes ----------------------------------------------------------------
@pytest.mark.parametrize("cls, gates", [(GRU, 3), (RNN, 1), (LSTM, 4)])
@pytest.mark.parametrize("value", [1e308, -1e308, 2 * LIMITS.max_weight])
def test_weights_beyond_the_bound_are_refused(cls, gates, value):
    # regression: 1e308 passed validation and forward warned "overflow encountered in matmul"
    state = random_state(gates, I, H, seed=3)
    state["weight_hh_l0"][1, 0] = value
    with pytest.raises(ValueError, match=re.escape(f"weight_hh_l0 holds {value:g} at index (1, 0); weights and biases "
                                                   f"must lie within ±{LIMITS.max_weight:g}")):
        cls.from_torch(state)


@pytest.mark.parametrize("cls, gates", [(GRU, 3), (RNN, 1), (LSTM, 4)])
def test_weights_at_the_bound_run_without_overflow(cls, gates):
    state = {k: np.sign(v) * LIMITS.max_weight for k, v in random_state(gates, I, H, seed=4).items()}
    rec = cls.from_torch(state).forward(np.random.default_rng(5).normal(size=(T, I)) * 1e3)  # warnings are errors
    assert np.all(np.abs(rec.h) <= 1.0)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["bfloat16", "float8_e4m3fn"])
def test_torch_tensors_numpy_cannot_read_are_a_value_error_naming_the_dtype(torch, dtype):
    # regression: bfloat16 raised TypeError "Got unsupported ScalarType BFloat16" from tensor.numpy()
    state = {k: torch.tensor(v).to(getattr(torch, dtype)) for k, v in GRU_STATE.items()}
    with pytest.raises(ValueError, match=f"weight_ih_l0 has dtype torch.{dtype}.*model.float"):
        GRU.from_torch(state)


# ---- one documented set of limits -----------------------------------------------------------------------
def test_the_readme_lists_every_limit_with_its_value():
    """README's "Limits" table and gru_core/limits.py are one set: same names, same values."""
    import dataclasses
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Limits\n", 1)[1].split("\n## ", 1)[0]
    rows = {cells[0].strip("` "): cells[1].strip() for line in section.splitlines() if line.startswith("| `")
            for cells in [line.strip("|").split("|")]}
    names = [f.name for f in dataclasses.fields(LIMITS)] + ["max_tensor_entries"]
    assert sorted(rows) == sorted(names)
    for name in names:
        value = getattr(LIMITS, name)
        assert rows[name].split(" (")[0] == (f"{value:,}" if isinstance(value, int) else f"{value:g}"), name
