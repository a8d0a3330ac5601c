"""gru_lab.stories: every narrative preset's trained model makes its "Watch for" come true on the
preset's own sequence, under both update conventions; random weights get the honest sentence; the
shipped story models retrain to the same numbers."""
from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from gru_core import GRU, RNN, load_state
from gru_lab import stories
from gru_lab import weights as W
from gru_lab.inputs import PRESETS, embed, preset_sequence
from gru_lab.settings import Settings, build_gru

STORIES = ("clue", "verdict_start", "verdict_end", "sales", "adding")
CONVENTIONS = ("keep", "take")
# The kept share of h each story's unit must show (under "keep": z above it for a hold or a track,
# z below it for the final verdict): near 1 (or 0) is what the story promises.
PROMISE = {"clue": 0.9, "verdict_start": 0.9, "sales": 0.9, "adding": 0.85, "verdict_end": 0.05}
ANSWER = {"clue": "'the umbrella was packed'", "verdict_start": "'positive'", "verdict_end": "'negative'",
          "sales": "'sales are going up'"}


def _negate_z(state: dict, H: int) -> dict:
    return {k: np.concatenate([v[:H], -v[H:2 * H], v[2 * H:]]) for k, v in state.items()}


def shipped_model(preset: str, update: str) -> GRU:
    """The preset's shipped file opened the way the app opens a file (gru_lab.weights), and read under
    `update` as the same model: under "take" the z rows are negated (the inverse of export_state)."""
    path = stories.trained_weights_for(preset)
    loaded = W.parse_weights(path.read_bytes(), path.name)
    if update == "keep":
        return W.build(loaded, True, "keep")
    return GRU.from_torch(_negate_z(loaded.state, loaded.state["weight_hh_l0"].shape[1]), True, "take")


@pytest.fixture(scope="module")
def runs():
    """(preset, update) → (seq, rec, claim, text)."""
    out = {}
    for p in STORIES:
        seq = preset_sequence(p)
        for u in CONVENTIONS:
            rec = shipped_model(p, u).forward(seq.x)
            out[p, u] = seq, rec, stories.claim(p, seq, rec), stories.watch_for(p, seq, rec)
    return out


def gate_holds(c: stories.Claim, rec) -> bool:
    """The claim's gate condition, read straight off the record (not through Claim.check)."""
    z = rec.z[c.start:c.end + 1, c.unit]
    return bool((z > c.threshold).all() if c.above else (z < c.threshold).all())


# ---- the shipped files -------------------------------------------------------------------------
@pytest.mark.parametrize("preset", STORIES)
def test_each_story_ships_a_small_pytorch_gru_for_its_preset(preset):
    path = stories.trained_weights_for(preset)
    assert path is not None and path.parent == W.WEIGHTS
    assert path.stat().st_size < 16_000  # a few KB
    state = load_state(path)
    assert {"readout.weight", "readout.bias"} <= set(state)
    model = shipped_model(preset, "keep")
    assert model.hidden_size <= 16 and model.reset_after and model.update == "keep"
    assert model.input_size == preset_sequence(preset).x.shape[1]  # the preset's own embedding size
    for u in CONVENTIONS:  # stories.trained_model is the same model the app-style loading gives
        mine, ref = stories.trained_model(preset, u).to_torch(), shipped_model(preset, u).to_torch()
        assert all(np.array_equal(mine[k], ref[k]) for k in ref)


def test_presets_without_a_story_have_no_trained_model():
    assert stories.trained_weights_for("noise") is None and stories.trained_weights_for("custom") is None
    assert stories.trained_model("noise") is None


@pytest.mark.parametrize("preset", [p for p in STORIES if p != "adding"])
def test_held_out_figures_are_recorded_and_far_above_chance(preset):
    entry = stories.manifest()[preset]
    assert entry["file"] == stories.RECIPES[preset].file
    assert entry["eval_accuracy"] >= 0.95 and entry["eval_loss"] < 0.1  # chance: 0.5 and log 2 ≈ 0.69
    assert entry["story"]["holds"]
    assert entry["file"] in W.WEIGHTS.joinpath("README.md").read_text()


# ---- the stories come true ---------------------------------------------------------------------
@pytest.mark.parametrize("update", CONVENTIONS)
@pytest.mark.parametrize("preset", STORIES)
def test_trained_story_names_a_unit_and_steps_and_holds_on_the_numbers(runs, preset, update):
    seq, rec, c, text = runs[preset, update]
    assert c is not None and c.holds and c.check(rec) and gate_holds(c, rec)
    assert stories.weights_source(preset, rec.model) == "trained"
    assert re.search(rf"\b[Uu]nit {c.unit}\b", text), text
    assert f"step {c.start + 1}" in text or f"from {c.start + 1} " in text, text
    assert str(c.end + 1) in text
    side = "above" if c.above else "below"
    assert f"{side} {c.threshold:g}" in text, text
    assert not text.startswith(("Random", "This model", "These are", "No unit"))
    promise = PROMISE[preset]
    if c.kind == "replace":  # the verdict replaces h: z below the promise under keep, above 1 − it under take
        assert (c.threshold <= promise) if update == "keep" else (c.threshold >= 1 - promise)
    else:  # z near "keep": above the promise under keep, below 1 − it under take
        assert (c.threshold >= promise) if update == "keep" else (c.threshold <= round(1 - promise, 4))
        assert c.above == (update == "keep")


@pytest.mark.parametrize("preset", STORIES)
def test_the_story_is_told_at_the_presets_own_steps(runs, preset):
    seq, rec, c, _ = runs[preset, "keep"]
    labels = seq.labels
    if preset == "clue":  # from the clue to the word it explains
        assert (labels[c.write], labels[c.end]) == ("umbrella", "dry") and c.start == c.write + 1
    elif preset == "verdict_start":  # the deciding word first, held to the end
        assert labels[c.write] == "brilliant" and c.write == 0 and c.end == len(labels) - 1
    elif preset == "verdict_end":  # the verdict last
        assert labels[c.write] == "terrible" and c.write == c.start == c.end == len(labels) - 1
    elif preset == "adding":  # from the first marker to the end
        assert seq.x[c.write, 1] == 1.0 and c.end == len(labels) - 1
    else:  # sales: every step from the second week on
        assert (c.start, c.end) == (7, len(labels) - 1)
    if c.kind in ("hold", "replace"):  # the unit really takes the story's input in
        assert abs(rec.h[c.write, c.unit] - rec.h_prev[c.write, c.unit]) >= stories.MIN_CHANGE
    if c.kind == "hold":  # and still carries it at the end
        assert abs(rec.h[c.end, c.unit] - rec.h_prev[c.write, c.unit]) >= stories.MIN_CHANGE
    if c.kind == "replace":  # the reset gate keeps the plot out of the candidate, as the preset says
        assert rec.r[c.write, c.unit] < 0.5 and "lets little of the past" in stories.watch_for(preset, seq, rec)
    if c.kind == "track":
        x = seq.x[:, 0]
        weekly = np.convolve(x, np.ones(7) / 7, "valid")[c.start - 6:c.end - 6 + 1]
        h = rec.h[c.start:c.end + 1, c.unit]
        assert abs(np.corrcoef(h, weekly)[0, 1]) >= stories.MIN_CORR
        assert np.abs(np.diff(rec.h[c.start - 1:c.end + 1, c.unit])).max() <= c.max_change
        assert c.max_change < 0.1 < 0.5 < c.swing  # h moves far less than the sales do


@pytest.mark.parametrize("preset", STORIES)
def test_keep_and_take_tell_the_same_story_with_z_read_the_other_way(runs, preset):
    (_, rk, ck, tk), (_, rt, ct, tt) = runs[preset, "keep"], runs[preset, "take"]
    np.testing.assert_allclose(rk.h, rt.h, atol=1e-12)  # the same model
    np.testing.assert_allclose(rk.z, 1 - rt.z, atol=1e-12)
    assert (ck.unit, ck.write, ck.start, ck.end) == (ct.unit, ct.write, ct.start, ct.end)
    assert ck.above != ct.above and ct.threshold == pytest.approx(1 - ck.threshold)
    if ck.kind == "replace":
        assert f"below {ck.threshold:g}" in tk and f"above {ct.threshold:g}" in tt
    else:  # under "take", "z stays high" becomes "z stays low"
        assert f"z stays above {ck.threshold:g}" in tk and f"z stays below {ct.threshold:g}" in tt
        assert "keeps the past" in tk and "a small z keeps the past" in tt


@pytest.mark.parametrize("preset", STORIES)
def test_the_read_out_answers_the_presets_question(runs, preset):
    seq, rec, _, _ = runs[preset, "take"]
    said = stories.prediction(preset, seq, rec)
    if preset == "adding":
        truth = 0.5 + seq.x[seq.x[:, 1] == 1.0, 0].sum() / 4
        assert f"is {truth:.2f}" in said
    else:
        assert ANSWER[preset] in said


# ---- honest about other models -----------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("preset", STORIES)
def test_random_weights_say_a_random_gru_is_not_expected_to_remember(preset, seed):
    seq = preset_sequence(preset)
    for u in CONVENTIONS:
        rec = build_gru(seq.x.shape[1], Settings(seed=seed, preset=preset, update=u)).forward(seq.x)
        c = stories.claim(preset, seq, rec)
        text = stories.watch_for(preset, seq, rec, random_weights=True)
        assert text.startswith("Random weights: a random GRU is not expected to"), text
        assert stories.weights_source(preset, rec.model) == "other"
        assert c.check(rec) == c.holds  # it says what the numbers show, no more
        assert f"nit {c.unit}" in text or "no h changes" in text or "no unit's h changes" in text
        if not c.holds:
            assert "Here: no unit" in text or "Here: at" in text
            assert rec.z[c.extreme_step, c.unit] == c.extreme  # the gate value it quotes is the record's
            if c.kind != "track" and abs(c.change) >= stories.MIN_CHANGE:  # and it is on the wrong side
                assert not (c.extreme > c.threshold if c.above else c.extreme < c.threshold)
        assert stories.prediction(preset, seq, rec) is None  # no read-out for a model nobody trained


def test_trained_weights_read_under_another_convention_are_called_so():
    seq = preset_sequence("clue")
    model = W.build(W.parse_weights(stories.trained_weights_for("clue").read_bytes(), "x.safetensors"), True, "take")
    rec = model.forward(seq.x)
    assert stories.weights_source("clue", model) == "misread"
    text = stories.watch_for("clue", seq, rec)
    assert text.startswith("These are the weights trained for this story, read with 'z takes the new'")
    assert stories.claim("clue", seq, rec).check(rec) == stories.claim("clue", seq, rec).holds
    reset_before = GRU.from_torch(W.parse_weights(stories.trained_weights_for("clue").read_bytes(),
                                                  "x.safetensors").state, False, "keep")
    assert "reset before the product" in stories.watch_for("clue", seq, reset_before.forward(seq.x))


def test_another_file_is_not_taken_for_the_trained_model():
    seq = preset_sequence("clue")
    rec = GRU.init(8, 8, seed=5).forward(seq.x)
    assert stories.watch_for("clue", seq, rec).startswith("This model was not trained for this story")


def test_a_claim_that_the_numbers_do_not_bear_out_fails_its_check(runs):
    _, rec, c, _ = runs["clue", "keep"]
    assert not dataclasses.replace(c, threshold=0.999).check(rec)
    assert not dataclasses.replace(c, above=False).check(rec)
    _, rec, c, _ = runs["sales", "keep"]
    assert not dataclasses.replace(c, max_change=c.max_change / 10).check(rec)


def test_presets_without_a_story_and_models_without_z_keep_the_preset_text():
    seq = preset_sequence("noise")
    rec = build_gru(1, Settings(preset="noise")).forward(seq.x)
    assert stories.claim("noise", seq, rec) is None
    assert stories.watch_for("noise", seq, rec) == PRESETS["noise"].watch
    seq = preset_sequence("clue")
    text = stories.watch_for("clue", seq, RNN.init(8, 8, seed=0).forward(seq.x))
    assert "RNN has no update gate z" in text


# ---- the tasks and the training are the project's own, and reproducible -------------------------
def test_story_tasks_build_the_presets_kind_of_sequence():
    rng = np.random.default_rng(0)
    X, y = stories.clue_task().sample(200, rng)
    table = {tuple(np.round(embed(w, 8), 12)): w for w in stories.clue_task().vocab}
    words = [[table[tuple(np.round(v, 12))] for v in seq] for seq in X]
    assert X.shape == (200, 34, 8) and set(y) == {0, 1}
    assert all(w[-1] == "dry" for w in words)
    assert all(("umbrella" in w[:stories.CLUE_WINDOW]) == bool(label) for w, label in zip(words, y, strict=True))
    X, y = stories.verdict_task("end").sample(100, rng)
    pos = {tuple(np.round(embed(w, 8), 12)) for w in stories.POSITIVE}
    assert all((tuple(np.round(v, 12)) in pos) == bool(label) for v, label in zip(X[:, -1], y, strict=True))
    X, y = stories.sales_task().sample(50, rng)
    assert X.shape == (50, 56, 1) and set(y) == {0, 1}
    with pytest.raises(ValueError, match="position"):
        stories.verdict_task("middle")


@pytest.mark.parametrize("preset", [p for p in STORIES if p != "adding"])
def test_retraining_with_the_recipe_gives_the_recorded_first_losses(preset):
    first = stories.manifest()[preset]["first_losses"]
    result = stories.train_story(preset, steps=len(first))
    np.testing.assert_allclose(result.losses, first, rtol=1e-9)


def test_the_cheapest_story_model_retrains_to_the_shipped_file():
    preset = min(stories.RECIPES, key=lambda p: stories.RECIPES[p].steps * stories.RECIPES[p].task.T)
    result = stories.train_story(preset)
    shipped = load_state(stories.trained_weights_for(preset))
    for k, v in stories.story_state(result).items():
        np.testing.assert_allclose(v, shipped[k], rtol=0, atol=1e-8)
    assert result.eval_accuracy == stories.manifest()[preset]["eval_accuracy"]
