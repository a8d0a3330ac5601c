import streamlit as st

from gru_lab.pool import Busy
from gru_lab.ui import built, cached, classroom, widgets, work
from gru_lab.ui.charts import draw
from gru_lab.ui.sidebar import current

s = current()
st.title("GRU vs LSTM")
st.caption("The LSTM (Hochreiter & Schmidhuber 1997) keeps a separate cell state c guarded by three gates; "
           f"the GRU folds memory into h with two. Same hidden size and seed for both ({classroom.settings_where()}).")
st.subheader("Parameters")
for line in (r"\text{RNN: } H I + H^2 + 2H", r"\text{GRU: } 3\,(H I + H^2 + 2H)", r"\text{LSTM: } 4\,(H I + H^2 + 2H)"):
    st.latex(r"\small " + line)  # one model a line: the three together overflow a phone
try:
    seq, _ = cached.step_record(s)
    cached.lstm_record(s)
except ValueError as err:
    widgets.input_error(err)
I = seq.x.shape[1]
st.dataframe(cached.param_table(I, s.hidden_size), hide_index=True, key="param_table")

st.subheader("Gates on the same input")
gates = built.gates(s, classroom.active())
left, right = st.columns(2)
with left:
    st.markdown("**GRU**: update z, reset r, candidate n, state h")
    draw(gates["gru_gates"], "gru_gates")
with right:
    st.markdown("**LSTM**: input i, forget f, output o, candidate g, cell c, state h")
    draw(gates["lstm_gates"], "lstm_gates")

st.subheader("How far back gradients reach, untrained")
T = widgets.widget("lstm_T")
try:
    cached.three_chains(4, s.hidden_size, T, tuple(range(s.seed, s.seed + 10)))  # the pool: Busy when full
except Busy:
    work.busy_notice()
else:
    draw(built.three_chains(s.hidden_size, T, s.seed, classroom.active()), "three_chains")
st.caption("Median of 10 random models each, on the same random input. The LSTM's state is the pair [h; c], "
           "so its chain is the (2H × 2H) Jacobian product; its forget gate f plays the part of the GRU's z.")
