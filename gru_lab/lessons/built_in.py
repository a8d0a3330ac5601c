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
BUILT_IN = Lesson("How a GRU remembers", (
    Stop("", (), "Two gates and one blend",
         "The reset gate r decides how much of the old state shapes the proposal n, and the update gate z blends "
         "the old state with n. Read the last equation: which value of z hands the past on untouched?",
         _q("Under the convention now set, which z makes h_t equal h_(t−1)?", "copy_z")),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "4"), ("unit", "6")), "Writing the clue",
         "A small GRU trained for this story reads 'umbrella' at step 4. Watch unit 6 in the cell diagram: "
         "after the first word, this is the step where its z lets the most of the new candidate in.",
         _q("Will h of unit 6 change at step 4?", "h_changes")),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "12"), ("unit", "6")), "Holding across the gap",
         "Eight words later nothing in the sentence is about the umbrella. Step through the gap and watch unit "
         "6's z: it decides whether the clue survives until 'dry'.",
         _q("Does unit 6 keep more of its past than it takes from the new at step 12?", "z_keeps")),
    Stop("step", (("preset", CLUE), ("weights", "trained"), ("t", "20"), ("unit", "6")), "Nothing moves",
         "Deep in the gap the gate has saturated, so h is handed on from step to step. Predict before you look "
         "at the numbers below the diagram.",
         _q("Will h of unit 6 change at step 20?", "h_changes")),
    Stop("saturation", (("case", "copy"),), "Copy: the gradient's highway",
         "Pin z to 'keep everything'. Then h_t = h_(t−1) whatever the input, and the exact step Jacobian (the "
         "first matrix) shows what a gradient meets on its way back.",
         _q("What is ∂h_t/∂h_(t−1) when z pins the copy case?", "case_jacobian")),
    Stop("saturation", (("case", "cut"),), "Cut: forget the past",
         "Now z takes all of the candidate and r = 0 hides h_(t−1) from it. The new state no longer depends on "
         "the old one at all.",
         _q("What is ∂h_t/∂h_(t−1) in the cut case?", "case_jacobian")),
    Stop("saturation", (("case", "rnn-like"),), "RNN-like: the gates step aside",
         "z takes all of the candidate and r = 1 lets all of h_(t−1) in: the GRU step becomes a plain tanh RNN "
         "step with weights W_hn. Is its Jacobian still the identity, or a tanh RNN's?",
         _q("What is ∂h_t/∂h_(t−1) in the RNN-like case?", "case_jacobian")),
    Stop("saturation", (("case", "free"),), "Exact vs frozen gates",
         "With free gates, z and r themselves depend on h_(t−1). Many textbooks drop that dependence; the "
         "'frozen gates' matrix does the same, and 'exact − frozen' shows what it leaves out.",
         _q("Is the frozen-gate Jacobian equal to the exact one here?", "frozen_equal")),
    Stop("saturation", (("case", "copy"),), "When freezing is exact",
         "Back to the copy case: z is pinned, so it no longer moves with h. Look at 'exact − frozen' again.",
         _q("Is the frozen-gate Jacobian equal to the exact one now?", "frozen_equal")),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "1.0"), ("seeds", "5")), "GRU vs RNN: how far back?",
         "Each curve is ‖∂h_T/∂h_k‖ against the distance T − k, the median over five random models. A chain "
         "below 1e-6 means that step no longer shapes the learning signal. These GRUs are random, not trained: "
         "their update gates sit near ½ and halve the copy path at every step, so their chains vanish too, "
         "only later than the RNN's.",
         _q("Which chain falls below 1e-6 first, the GRU's or the RNN's?", "first_below")),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "0.5"), ("seeds", "5")), "λ₁ against 1/γ",
         "tanh′ is at most γ = 1, so when the largest singular value λ₁ of W_hh is below 1/γ every step "
         "shrinks the gradient. The first metric shows λ₁ for this RNN scale.",
         _q("Is λ₁(W_hh) below 1/γ here, so the RNN's chain must vanish?", "lambda_below")),
    Stop("vanishing", (("T", "100"), ("rnn_scale", "2.0"), ("seeds", "5")), "A large λ₁ is no rescue",
         "Double the RNN's recurrent weights: λ₁ is now above 1, nothing forces the chain to vanish, and it reaches "
         "further than at scale 1, here further than these random GRUs' chains. Yet it still falls below 1e-6 "
         "within T, because large weights saturate tanh and shrink its slope. A larger λ₁ stretches the chain; a "
         "gate held open (a trained GRU) is what keeps it.",
         _q("Is λ₁(W_hh) below 1/γ here?", "lambda_below")),
    Stop("train", (("task", "Adding problem (regression)"), ("length", "30"), ("models", "GRU"), ("models", "RNN"),
                   ("steps", "400")), "Training on the adding problem",
         "Both models must add two marked numbers seen up to 30 steps earlier. On the full page ('Explore this "
         "view', then 'Start training') the dashed line is the loss of always guessing the mean: only a model that "
         "remembers gets below it. Here, what each model learns with.",
         _q("With the same H, how many times the RNN's parameters does the GRU have?", "train_params")),
    Stop("lstm", (("lstm_T", "50"),), "GRU vs LSTM",
         "The LSTM keeps a separate cell state behind three gates; its forget gate plays the part of the GRU's "
         "z. Compare the parameter table and the three gradient chains.",
         _q("For the same hidden size, which model has more parameters?", "lstm_params")),
))
