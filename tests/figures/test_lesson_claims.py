"""Every sentence of a built-in stop is true of the model the stop opens (issue 18): the notes' claims,
checked on that model's numbers under both update conventions and several sidebar seeds, the way the
answers are (tests/figures/test_lesson.py checks those)."""
from __future__ import annotations

import numpy as np
import pytest

from gru_lab import compute
from gru_lab import lessons as lesson
from gru_lab.lessons.answers import step_record, view
from gru_lab.lessons.values import EQUAL
from gru_lab.settings import Settings

L = lesson.BUILT_IN
CONVENTIONS = ("keep", "take")
SEEDS = (0, 1, 3, 17, 9999)  # the sidebar's seed: any 0–9999 travels with a lesson link


def _stop(title: str) -> lesson.Stop:
    (stop,) = [s for s in L.stops if s.title == title]
    return stop


def _vanishing(stop: lesson.Stop, update: str, seed: int) -> compute.Vanishing:
    v = view(stop, Settings(update=update, seed=seed))
    return compute.vanishing(compute.vanishing_settings(v.settings), int(v.values["T"]), float(v.values["rnn_scale"]),
                             int(v.values["seeds"]))


def _kept(rec, update: str) -> np.ndarray:
    """The share of h_(t−1) each step keeps, per step and unit, under the convention."""
    return rec.z if update == "keep" else 1 - rec.z


def _step_stop(title: str, update: str):
    """The stop, the record its step view shows, and its step (1-based) and unit."""
    stop = _stop(title)
    v = view(stop, Settings(update=update))
    _, rec = step_record(v)
    return stop, rec, int(v.values["t"]), int(v.values["unit"])


@pytest.mark.parametrize("update", CONVENTIONS)
def test_writing_the_clue_lets_the_candidate_in_exactly_there(update):
    stop, rec, t, j = _step_stop("Writing the clue", update)
    taken = 1 - _kept(rec, update)[:, j]
    assert int(np.argmax(taken[1:])) + 2 == t, "after the first word, the unit takes the most of its candidate here"
    assert "after the first word" in stop.after.lower()


@pytest.mark.parametrize("update", CONVENTIONS)
def test_deep_in_the_gap_the_gate_has_saturated_and_h_is_handed_on(update):
    _, rec, t, j = _step_stop("Nothing moves", update)
    assert _kept(rec, update)[t - 1, j] > 0.9
    assert abs(rec.h[t - 1, j] - rec.h_prev[t - 1, j]) < lesson.CHANGE


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("update", CONVENTIONS)
def test_gru_vs_rnn_both_random_chains_vanish_the_rnns_first(update, seed):
    van = _vanishing(_stop("GRU vs RNN: how far back?"), update, seed)
    assert van.rnn_below is not None and van.gru_below is not None, "the random GRU vanishes too"
    assert van.rnn_below < van.gru_below < van.T, "only later than the RNN's"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("update", CONVENTIONS)
def test_lambda_below_one_over_gamma_every_step_shrinks(update, seed):
    van = _vanishing(_stop("λ₁ against 1/γ"), update, seed)
    assert van.rnn_lambda1 < 1.0 and van.rnn_below is not None


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("update", CONVENTIONS)
def test_a_large_lambda_stretches_the_rnns_chain_but_it_still_vanishes(update, seed):
    big = _vanishing(_stop("A large λ₁ is no rescue"), update, seed)
    one = _vanishing(_stop("GRU vs RNN: how far back?"), update, seed)
    assert big.rnn_lambda1 > 1.0, "nothing forces the chain to vanish"
    assert big.rnn_below is not None and big.rnn_below < big.T, "it still falls below 1e-6 within T"
    assert big.rnn_below > one.rnn_below, "further than at scale 1"
    assert big.rnn_below > big.gru_below, "here further than these random GRUs' chains"


def test_the_stops_say_what_these_tests_check():
    assert "vanish too" in _stop("GRU vs RNN: how far back?").after
    after = _stop("A large λ₁ is no rescue").after
    assert "further than at scale 1" in after and "random GRUs" in after and "within T" in after
    assert "saturated" in _stop("Nothing moves").after and "within T" in _stop("λ₁ against 1/γ").after
    assert "not zero" in _stop("Exact vs frozen gates").after
    assert "a third more" in _stop("GRU vs LSTM").after


@pytest.mark.parametrize("update", CONVENTIONS)
@pytest.mark.parametrize(("rnn_scale", "caveat"), [(3.0, True), (1.0, False), (2.0, False)])
def test_the_story_paragraph_says_when_the_rnns_large_value_is_exploding(update, rnn_scale, caveat):
    from gru_lab.stories.chains import at, reading, story_chains

    sc = story_chains(Settings(update=update), rnn_scale, 0.0)
    text = reading(sc)
    assert ("can explode" in text) == caveat, text
    if caveat:  # the numbers behind it: λ₁ above 1 and a chain that rises above 1 on the way
        assert sc.rnn_lambda1 > 1 and np.max(sc.log10["RNN"]) > 0
        assert at(sc, "RNN", 30) > 0.01 * at(sc, "trained GRU", 30)
        assert f"{sc.rnn_lambda1:.2f}" in text


def _saturation(stop: lesson.Stop, update: str, seed: int = 0) -> compute.Saturation:
    v = view(stop, Settings(update=update, seed=seed))
    T = len(compute.sequence_for(v.settings).labels)
    x = v.values
    return compute.saturation(v.settings, x["case"], x["pz"], x["pr"], x["bz"], x["br"], T - 1)


def test_holding_across_the_gap_nothing_in_the_gap_is_about_the_umbrella():
    stop = _stop("Holding across the gap")
    v = view(stop, Settings())
    labels = compute.sequence_for(v.settings).labels
    t = int(v.values["t"])
    assert labels[3] == "umbrella" and t - 4 == 8, "eight words after the clue at step 4"
    assert all(w not in ("umbrella", "dry") for w in labels[4:t])


@pytest.mark.parametrize("seed", (0, 3))
@pytest.mark.parametrize("update", CONVENTIONS)
def test_the_saturated_cases_do_what_their_stops_say(update, seed):
    copy = _saturation(_stop("Copy: the gradient's highway"), update, seed)
    H = copy.J.shape[0]
    assert np.allclose(copy.J, np.eye(H), atol=1e-12), "copy: the step Jacobian is the identity"
    h = copy.rec.h
    assert np.allclose(h, h[0], atol=1e-12), "h_t = h_(t−1) whatever the input"
    cut = _saturation(_stop("Cut: forget the past"), update, seed)
    assert np.max(np.abs(cut.J)) < 1e-12, "the new state no longer depends on the old one"
    like = _saturation(_stop("RNN-like: the gates step aside"), update, seed)
    rnn = (1 - like.rec.n[like.t] ** 2)[:, None] * like.rec.model.W_hn
    assert np.allclose(like.J, rnn, atol=1e-12) and not np.allclose(like.J, np.eye(H)), "a tanh RNN's Jacobian"
    free = _saturation(_stop("Exact vs frozen gates"), update, seed)
    assert np.max(np.abs(free.J - free.J_frozen)) > EQUAL, "freezing the gates leaves something out"
    again = _saturation(_stop("When freezing is exact"), update, seed)
    assert np.max(np.abs(again.J - again.J_frozen)) < EQUAL, "pinned z: freezing is exact"


def test_no_stop_speaks_of_panels_by_their_place():
    """The lesson page lays a stop's matrices out by the screen's width: a note names them by their titles."""
    for stop in L.stops:
        assert not any(w in stop.note for w in ("on the left", "right panel", "middle panel")), stop.title


@pytest.mark.parametrize("update", CONVENTIONS)
@pytest.mark.parametrize("reset_after", [True, False])
def test_a_story_stop_names_the_model_it_shows(update, reset_after):
    """The step stops speak of "a small GRU trained for this story": true under 'reset after', the
    convention the weights were trained with (either update convention computes it); under 'reset before'
    the same weights are another model, and the stop's view says so (issue: teacher walk-through)."""
    from gru_lab.stories.shipped import misread_notice

    for stop in L.stops:
        if stop.page != "step":
            continue
        v = view(stop, Settings(update=update, reset_after=reset_after))
        _, rec = step_record(v)
        notice = misread_notice(v.settings.preset, rec.model)
        if reset_after:
            assert notice is None, stop.title
        else:
            assert notice is not None and "not the GRU trained for this story" in notice, stop.title


@pytest.mark.parametrize("seed", (0, 3))
@pytest.mark.parametrize("update", CONVENTIONS)
def test_freezing_leaves_terms_out_with_free_gates_and_nothing_with_a_pinned_one(update, seed):
    free = _saturation(_stop("Exact vs frozen gates"), update, seed)
    assert np.max(np.abs(free.J - free.J_frozen)) >= EQUAL, "'exact − frozen' is not zero"
    pinned = _saturation(_stop("When freezing is exact"), update, seed)
    assert np.max(np.abs(pinned.J - pinned.J_frozen)) < EQUAL, "the frozen-gate formula leaves nothing out"


@pytest.mark.parametrize("H", (4, 8, 16, 64))
def test_the_lstm_has_a_third_more_parameters_than_the_gru(H):
    from gru_lab import experiments
    for inputs in (1, 8, 16):
        assert 3 * experiments.param_count("LSTM", inputs, H) == 4 * experiments.param_count("GRU", inputs, H)


def test_no_note_says_its_answer():
    """Predict first: the note is shown before the vote, so it holds none of the words that decide it."""
    giveaways = {"Writing the clue": ("most of the new", "written"), "Nothing moves": ("saturated", "handed on"),
                 "Cut: forget the past": ("no longer depends",), "RNN-like: the gates step aside": ("plain tanh RNN",),
                 "When freezing is exact": ("no longer moves", "nothing out"),
                 "GRU vs RNN: how far back?": ("vanish too", "later than"),
                 "A large λ₁ is no rescue": ("above 1", "further than", "still falls")}
    for title, words in giveaways.items():
        note = _stop(title).note
        assert not [w for w in words if w in note], (title, note)
