import streamlit as st

from gru_lab import cached, urlstate
from gru_lab.compute import vanishing_settings
from gru_lab.figures import vanishing as figs
from gru_lab.sidebar import current, settings_key
from gru_lab.text import vanishing_reading

s = current()
st.title("Vanishing gradients: GRU vs vanilla RNN")
st.caption(f"The same random input (4 features per step) through a GRU and a tanh RNN, both with H = {s.hidden_size} "
           "(set in the sidebar). Each model is re-drawn for several seeds so no single lucky draw misleads.")
c1, c2, c3 = st.columns(3)
T = c1.slider("Sequence length T", 10, 500, 100, 10, key="T", bind="query-params")
rnn_scale = c2.slider("RNN recurrent scale", 0.25, 3.0, 1.0, 0.05, key="rnn_scale", bind="query-params",
                      help="Multiplies the RNN's W_hh, moving its largest singular value λ₁ across 1.")
n_seeds = c3.slider("Random models (seeds)", 1, 30, 20, key="seeds", bind="query-params")
urlstate.share_link("vanishing", ("T", "rnn_scale", "seeds"))

bar = st.progress(0.0, text="Computing gradient chains…")
v = cached.vanishing(settings_key(vanishing_settings(s)), T, rnn_scale, n_seeds,
                     progress=lambda f: bar.progress(f, text=f"Computing gradient chains… {f:.0%}"))
bar.empty()

m1, m2, m3 = st.columns(3)
m1.metric("RNN λ₁(W_hh), median", f"{v.rnn_lambda1:.3f}", help="Below 1/γ = 1 (tanh) vanishing is guaranteed.")
m2.metric("GRU falls below 1e-6 at", f"{v.gru_below} steps" if v.gru_below else "never")
m3.metric("RNN falls below 1e-6 at", f"{v.rnn_below} steps" if v.rnn_below else "never")
st.plotly_chart(figs.chains(v), key="chains")
st.markdown(vanishing_reading(v))
st.plotly_chart(figs.deltas(v), key="deltas")
st.caption("δ_k = ∂L/∂h_k for a loss L on the last state only: how much of the learning signal reaches step k.")
