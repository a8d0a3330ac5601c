import streamlit as st

from gru_lab.inputs import PRESETS
from gru_lab.text import convention_label, gru_equations
from gru_lab.ui import classroom
from gru_lab.ui.sidebar import current

s = current()
st.title("GRU Lab")
st.markdown(
    "A **Gated Recurrent Unit** reads a sequence one step at a time and keeps a running summary, the hidden "
    "state *h*. Two gates decide how that summary changes: the **reset gate r** chooses how much of the old "
    "summary may shape the new proposal *n*, and the **update gate z** blends the old summary with that "
    "proposal. Where the update gate stays on the side that keeps the past, part of *h* is passed on almost "
    "untouched, and a gradient can travel back through many such steps with little shrinking: exactly where a "
    "plain (vanilla) RNN struggles. The gate has to be held open, though. In a random GRU z sits near 0.5, "
    "which halves the copy path at every step; keeping it open is what training teaches, as the trained "
    "models behind the stories below show."
)
st.subheader("The equations, as currently set")
st.caption(convention_label(s.reset_after, s.update) + " · " + classroom.settings_where("change them in the sidebar"))
for line in gru_equations(s.reset_after, s.update):
    st.latex(r"\small " + line)  # small: fits a phone
with st.expander("Why articles disagree: two conventions"):
    st.markdown(
        "- **Where the reset acts.** PyTorch and Keras (default) multiply *r* with the already transformed "
        "state, r ⊙ (W_hn h + b_hn). Cho et al. (2014) and Keras with `reset_after=False` reset first, "
        "W_hn (r ⊙ h). The two give different numbers for the same weights.\n"
        "- **What z = 1 means.** In PyTorch, Keras and Cho et al., z is the share of the *old* state kept, so "
        "z = 1 copies the past. Chung et al. (2014) write it the other way round, so there z = 1 takes the new "
        "candidate. Every label in GRU Lab says which one is on.\n"
        "- σ(−a) = 1 − σ(a), so the two update conventions are the same model with the z weights negated."
    )
st.subheader("Try this")
st.page_link("app_pages/step_through.py", icon=":material/play_circle:",
             query_params={"preset": PRESETS["verdict_start"].title, "t": "30"},
             label="Verdict first: does z hold it to the end?")
st.page_link("app_pages/saturation_lab.py", icon=":material/tune:", query_params={"case": "copy"},
             label="Pin z: the step Jacobian becomes I")
st.page_link("app_pages/vanishing.py", icon=":material/trending_down:", query_params={"T": "300", "rnn_scale": "0.8"},
             label="300 steps: the RNN's gradient vanishes first")
st.page_link("app_pages/train.py", icon=":material/model_training:",
             label="Train GRU and RNN: only one learns")
st.page_link("app_pages/step_through.py", icon=":material/play_circle:",
             query_params={"preset": PRESETS["adding"].title, "weights": "trained"},
             label="A trained GRU holding two numbers")
