import streamlit as st

from gru_lab.pool import Busy
from gru_lab.stories.chains import reading as story_reading
from gru_lab.text import below_text, vanishing_reading, vs_one
from gru_lab.ui import built, cached, classroom, urlstate, widgets, work
from gru_lab.ui.charts import draw
from gru_lab.ui.sidebar import current

s = current()
st.title("Vanishing gradients: GRU vs vanilla RNN")
st.caption(f"The same random input (4 features per step) through a GRU and a tanh RNN, both with H = {s.hidden_size} "
           f"({classroom.settings_where()}). Each model is re-drawn for several seeds so no single lucky draw "
           "misleads.")


@st.fragment
def chains(s) -> None:
    """The controls and the charts they drive: a slider reruns only this, not the sidebar and the title."""
    c1, c2, c3 = st.columns(3)
    T = widgets.widget("T", container=c1)
    rnn_scale = widgets.widget("rnn_scale", container=c2)
    n_seeds = widgets.widget("seeds", container=c3)
    urlstate.share_link("vanishing", ("T", "rnn_scale", "seeds", "z_bias"))  # z_bias: drawn further down

    bar = st.progress(0.0, text="Computing gradient chains…")
    try:
        v = cached.vanishing(s, T, rnn_scale, n_seeds,
                             progress=lambda f: bar.progress(f, text=f"Computing gradient chains… {f:.0%}"))
    except Busy:
        bar.empty()
        work.busy_notice()
        return
    bar.empty()

    m1, m2, m3 = st.columns(3)
    m1.metric("RNN λ₁(W_hh), median", vs_one(v.rnn_lambda1), help="Below 1/γ = 1 (tanh) vanishing is guaranteed.")
    m2.metric("GRU falls below 1e-6 at", below_text(v.gru_below, v.T))
    m3.metric("RNN falls below 1e-6 at", below_text(v.rnn_below, v.T))
    charts = built.vanishing(s, T, rnn_scale, n_seeds, classroom.active())
    draw(charts["chains"], "chains")
    st.markdown(vanishing_reading(v))
    draw(charts["deltas"], "deltas")

    st.subheader("What training changes: one story, three models")
    seed_where = classroom.settings_where("the sidebar’s seed", "the seed in this page’s link", "the default seed")
    st.caption("The far-apart clue's 34 words through the GRU trained for that story, a random GRU of the same "
               f"size ({seed_where}) and the RNN above (its seed and recurrent scale). Each curve is one model.")
    z_bias = widgets.widget("z_bias")
    sc = cached.story_chains(s, rnn_scale, z_bias)
    draw(built.story_chains(s, rnn_scale, z_bias, classroom.active()), "story_chains")
    st.markdown(story_reading(sc))


chains(s)
