import streamlit as st

from gru_lab import chart_text as alt
from gru_lab.figures import sequence as seq_figs
from gru_lab.figures import training as figs
from gru_lab.pool import Busy
from gru_lab.tables import param_table
from gru_lab.text import key_steps
from gru_lab.ui import cached, classroom, widgets, work
from gru_lab.ui.charts import chart
from gru_lab.ui.sidebar import current

s = current()
st.title("GRU vs LSTM")
st.caption("The LSTM (Hochreiter & Schmidhuber 1997) keeps a separate cell state c guarded by three gates; "
           f"the GRU folds memory into h with two. Same hidden size and seed for both ({classroom.settings_where()}).")
st.subheader("Parameters")
for line in (r"\text{RNN: } H I + H^2 + 2H", r"\text{GRU: } 3\,(H I + H^2 + 2H)", r"\text{LSTM: } 4\,(H I + H^2 + 2H)"):
    st.latex(r"\small " + line)  # one model a line: the three together overflow a phone
try:
    seq, gru = cached.step_record(s)
    _, lstm = cached.lstm_record(s)
except ValueError as err:
    widgets.input_error(err)
I = seq.x.shape[1]
st.dataframe(param_table(I, s.hidden_size), hide_index=True, key="param_table")

st.subheader("Gates on the same input")
left, right = st.columns(2)
with left:
    st.markdown("**GRU**: update z, reset r, candidate n, state h")
    chart(seq_figs.heatmaps(gru, seq.labels, None, key_steps=key_steps(s.preset, seq)), "gru_gates",
          alt.heatmaps(gru, "GRU"))
with right:
    st.markdown("**LSTM**: input i, forget f, output o, candidate g, cell c, state h")
    chart(seq_figs.heatmaps(lstm, seq.labels, None, key_steps=key_steps(s.preset, seq)), "lstm_gates",
          alt.heatmaps(lstm, "LSTM"))

st.subheader("How far back gradients reach, untrained")
T = widgets.widget("lstm_T")
try:
    chains = cached.three_chains(4, s.hidden_size, T, tuple(range(s.seed, s.seed + 10)))
except Busy:
    work.busy_notice()
else:
    chart(figs.three_chains(chains.distance, chains.median, T), "three_chains",
          alt.model_chains(chains.distance, chains.median, T))
st.caption("Median of 10 random models each, on the same random input. The LSTM's state is the pair [h; c], "
           "so its chain is the (2H × 2H) Jacobian product; its forget gate f plays the part of the GRU's z.")
