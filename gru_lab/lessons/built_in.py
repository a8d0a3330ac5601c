"""The built-in lesson, BUILT_IN: "How a GRU remembers", a tour of the app in 14 stops, each asking a
question whose answer is computed from the live model (gru_lab.lessons.answers). Pure.
"""
from __future__ import annotations

from .answers import ANSWERS
from .values import Lesson, Question, Stop


# ---- the built-in lesson ---------------------------------------------------------------------------
def _q(prompt: str, name: str) -> Question:
    return Question(prompt, ANSWERS[name].options, f"computed:{name}")


CLUE = "Far-apart clue"
# Each stop's note says what its question needs and never its answer; `after` is said with the answer.
# The view holds back its decisive part until the reveal (gru_lab.ui.stop_view).
BUILT_IN = Lesson("How a GRU remembers", (
    Stop("", (), "Two gates and one blend",
         "The reset gate r decides how much of the old state shapes the proposal n, and the update gate z blends "
         "the old state with n. Read the last equation: which value of z hands the past on untouched?",
         _q("Under the convention now set, which z makes h_t equal h_(t−1)?", "copy_z"),
         "That value of z is the copy path: a unit whose gate is pinned there hands its state on unchanged, and "
         "the saturation stops below pin it."),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "4"), ("unit", "6")), "Writing the clue",
         "A small GRU trained for this story reads 'umbrella' at step 4. Step through the words before it and "
         "watch unit 6's gate z and its state h.",
         _q("Will h of unit 6 change at step 4?", "h_changes"),
         "After the first word, step 4 is where unit 6's z lets the most of the new candidate in: the clue is "
         "written into h."),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "12"), ("unit", "6")), "Holding across the gap",
         "Eight words later nothing in the sentence is about the umbrella. Step through the gap and watch unit 6's "
         "z, which decides whether the clue survives until 'dry'.",
         _q("Does unit 6 keep more of its past than it takes from the new at step 12?", "z_keeps"),
         "The shares kept multiply along the gap: the clue survives only if the gate stays near 'keep' at every "
         "step until 'dry'."),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "20"), ("unit", "6")), "Nothing moves",
         "Deep in the gap, eight words further on. Read unit 6's gate at the steps before and predict step 20.",
         _q("Will h of unit 6 change at step 20?", "h_changes"),
         "The gate has saturated: it keeps almost all of h_(t−1), so h is handed on from step to step and the "
         "clue waits for 'dry'."),
    Stop("saturation", (("case", "copy"),), "Copy: the gradient's highway",
         "Pin z to 'keep everything'. Then h_t = h_(t−1) whatever the input. What does a gradient meet on its way "
         "back through such a step?",
         _q("What is ∂h_t/∂h_(t−1) when z pins the copy case?", "case_jacobian"),
         "The exact step Jacobian (the first matrix) is the identity: a gradient passes back through a copying "
         "step unchanged, however many such steps there are."),
    Stop("saturation", (("case", "cut"),), "Cut: forget the past",
         "Now z takes all of the candidate and r = 0 hides h_(t−1) from it. What is left of the old state in the "
         "new one?",
         _q("What is ∂h_t/∂h_(t−1) in the cut case?", "case_jacobian"),
         "The new state no longer depends on the old one at all: no gradient passes back through this step."),
    Stop("saturation", (("case", "rnn-like"),), "RNN-like: the gates step aside",
         "Now z takes all of the candidate and r = 1 lets all of h_(t−1) into it. Write h_t out for these gates: "
         "which Jacobian do you get?",
         _q("What is ∂h_t/∂h_(t−1) in the RNN-like case?", "case_jacobian"),
         "With these gates the GRU step is a plain tanh RNN step with weights W_hn, and its Jacobian is a tanh "
         "RNN's."),
    Stop("saturation", (("case", "free"),), "Exact vs frozen gates",
         "With free gates, z and r themselves depend on h_(t−1). Many textbooks drop that dependence; the "
         "'frozen gates' matrix does the same, and 'exact − frozen' shows what it leaves out.",
         _q("Is the frozen-gate Jacobian equal to the exact one here?", "frozen_equal"),
         "'Exact − frozen' is not zero: the gates move with h, and the frozen-gate formula leaves those terms out."),
    Stop("saturation", (("case", "copy"),), "When freezing is exact",
         "Back to the copy case, where z is pinned. Compare the exact and the frozen-gate Jacobians again.",
         _q("Is the frozen-gate Jacobian equal to the exact one now?", "frozen_equal"),
         "A pinned gate does not move with h, so the frozen-gate formula leaves nothing out."),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "1.0"), ("seeds", "5")), "GRU vs RNN: how far back?",
         "Each curve is ‖∂h_T/∂h_k‖ against the distance T − k, the median over five random models. A chain "
         "below 1e-6 means that step no longer shapes the learning signal. These GRUs are random, not trained.",
         _q("Which chain falls below 1e-6 first, the GRU's or the RNN's?", "first_below"),
         "The random GRUs' update gates sit near ½ and halve the copy path at every step, so their chains vanish "
         "too, only later than the RNN's."),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "0.5"), ("seeds", "5")), "λ₁ against 1/γ",
         "tanh′ is at most γ = 1, so when the largest singular value λ₁ of W_hh is below 1/γ every step "
         "shrinks the gradient. Here the RNN's recurrent weights are scaled by 0.5.",
         _q("Is λ₁(W_hh) below 1/γ here, so the RNN's chain must vanish?", "lambda_below"),
         "So the RNN's chain falls below 1e-6 within T, as a λ₁ below 1/γ forces."),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "2.0"), ("seeds", "5")), "A large λ₁ is no rescue",
         "Now the RNN's recurrent weights are scaled by 2, four times the last stop's. Does λ₁ still force its "
         "chain to vanish?",
         _q("Is λ₁(W_hh) below 1/γ here?", "lambda_below"),
         "λ₁ is above 1, so nothing forces the chain to vanish, and it reaches further than at scale 1, here "
         "further than these random GRUs' chains. Yet it still falls below 1e-6 within T, because large weights "
         "saturate tanh and shrink its slope. A larger λ₁ stretches the chain; a gate held open (a trained GRU) "
         "is what keeps it."),
    Stop("train", (("task", "Adding problem (regression)"), ("length", "30"), ("models", "GRU"), ("models", "RNN"),
                   ("steps", "400")), "Training on the adding problem",
         "Both models must add two marked numbers seen up to 30 steps earlier. On the full page ('Explore this "
         "view', then 'Start training') the dashed line is the loss of always guessing the mean: only a model that "
         "remembers gets below it. First, what each model learns with.",
         _q("With the same H, how many times the RNN's parameters does the GRU have?", "train_params"),
         "Each gate and the candidate has its own weights: the GRU's three blocks against the RNN's one."),
    Stop("lstm", (("lstm_T", "50"),), "GRU vs LSTM",
         "The LSTM keeps a separate cell state behind three gates; its forget gate plays the part of the GRU's "
         "z. Compare the three gradient chains, then predict the parameter table.",
         _q("For the same hidden size, which model has more parameters?", "lstm_params"),
         "Four blocks against three: for the same hidden size the LSTM has a third more parameters than the GRU."),
))
