import streamlit as st

from gru_lab.compute import CASES
from gru_lab.text import case_explanation, case_formula, case_labels, case_numbers, convention_label
from gru_lab.ui import built, cached, classroom, urlstate, widgets
from gru_lab.ui.charts import draw
from gru_lab.ui.sidebar import current

MATRIX_KEYS = ("sat_matrices", "sat_frozen", "sat_diff")  # exact, frozen gates, their difference

s = current()
st.title("Saturation lab")
st.caption(f"Pin the gates and watch the step Jacobian ∂h_t/∂h_(t−1). Convention: "
           f"{convention_label(s.reset_after, s.update)}. Under 'z takes the new', z = 1 and z = 0 swap roles.")
try:
    T = len(cached.sequence(s).labels)
except ValueError as err:
    widgets.input_error(err)

@st.fragment
def lab(s, T: int) -> None:
    """The controls and the charts they drive: moving the step, the case or a bias reruns only this, not
    the sidebar, the title and the app's own checks (a third of a rerun's server time)."""
    labels = case_labels(s.update)
    case = widgets.widget("case", captions=[labels[c] for c in CASES], horizontal=True)
    pz = pr = 0.5
    if case == "custom":
        c1, c2 = st.columns(2)
        pz = widgets.widget("pz", container=c1)
        pr = widgets.widget("pr", container=c2)
    with st.expander("Soft saturation: shift the gate biases", expanded=case == "free"):
        st.caption("Large shifts push σ towards 0 or 1 without pinning it: the gates still move a little with h.")
        c1, c2 = st.columns(2)
        bz = widgets.widget("bz", container=c1)
        br = widgets.widget("br", container=c2)
    widgets.clamp_state("sat_t", 1, T)
    c1, c2 = st.columns([4, 3], vertical_alignment="bottom")
    with c1:
        t = widgets.step_slider("sat_t", T, T_default=T)
    with c2:
        widgets.step_buttons("sat_t", 1, T)
    urlstate.share_link("saturation", ("case", "bz", "br", "sat_t") + (("pz", "pr") if case == "custom" else ()))

    sat = cached.saturation(s, case, pz, pr, bz, br, t - 1)
    charts = built.saturation(s, case, pz, pr, bz, br, t - 1, classroom.active())
    st.latex(r"\small " + case_formula(case, s.update, s.reset_after))  # small: fits a phone
    st.latex(r"\footnotesize " + case_numbers(sat))
    # One figure each, side by side on a screen and stacked on a phone; one shared colour scale.
    for col, k in zip(st.columns(3), MATRIX_KEYS, strict=True):
        with col:
            draw(charts[k], k)
    st.info(case_explanation(case, s.update, sat), icon=":material/lightbulb:")
    left, right = st.columns(2)
    with left:
        draw(charts["sat_singular"], "sat_singular")
    if case != "write-hold":
        with right:
            draw(charts["sat_chain"], "sat_chain")
    else:
        with right:
            # The RNN is a stand-in built from this GRU, so the two matrices differ only in the path they describe.
            st.caption(f"Step {t}: the GRU's copy term beside a tanh RNN step whose W_hh is this GRU's W_hn and "
                       "whose new state is this GRU's h_t: each unit copied on, or every unit mixed through W_hh and "
                       "squashed.")
            draw(charts["sat_copy_path"], "sat_copy_path")
        st.subheader(f"Write at step {sat.write + 1} (“{sat.seq.labels[sat.write]}”), then hold, beside copy at "
                     "every step")
        left, right = st.columns(2)
        with left:
            draw(charts["sat_chain"], "sat_chain")
        with right:
            draw(charts["sat_copy_chain"], "sat_copy_chain")


lab(s, T)
