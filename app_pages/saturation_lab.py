import streamlit as st

from gru_lab import cached, controls, urlstate
from gru_lab.compute import CASES
from gru_lab.figures import saturation as figs
from gru_lab.sidebar import current, settings_key
from gru_lab.text import case_explanation, case_formula, case_labels, case_numbers, convention_label

s = current()
st.title("Saturation lab")
st.caption(f"Pin the gates and watch the step Jacobian ∂h_t/∂h_(t−1). Convention: "
           f"{convention_label(s.reset_after, s.update)}. Under 'z takes the new', z = 1 and z = 0 swap roles.")
key = settings_key(s)
try:
    seq, _ = cached.step_record(key)
except ValueError as err:
    st.error(f"Your input cannot be used: {err}.", icon=":material/error:")
    st.stop()
T = len(seq.labels)

labels = case_labels(s.update)
case = st.radio("Gate case", CASES, captions=[labels[c] for c in CASES], key="case", horizontal=True,
                bind="query-params")
pz = pr = 0.5
if case == "custom":
    c1, c2 = st.columns(2)
    pz = c1.slider("Pinned update gate z", 0.0, 1.0, 0.5, 0.05, key="pz", bind="query-params")
    pr = c2.slider("Pinned reset gate r", 0.0, 1.0, 0.5, 0.05, key="pr", bind="query-params")
with st.expander("Soft saturation: shift the gate biases", expanded=case == "free"):
    st.caption("Large shifts push σ towards 0 or 1 without pinning it: the gates still move a little with h.")
    c1, c2 = st.columns(2)
    bz = c1.slider("Update gate bias shift", -10.0, 10.0, 0.0, 0.5, key="bz", bind="query-params")
    br = c2.slider("Reset gate bias shift", -10.0, 10.0, 0.0, 0.5, key="br", bind="query-params")
controls.clamp_state("sat_t", 1, T)
c1, c2 = st.columns([4, 3], vertical_alignment="bottom")
with c1:
    t = controls.step_slider("Step t", "sat_t", T, T_default=T)
with c2:
    controls.step_buttons("sat_t", 1, T)
urlstate.share_link("saturation", ("case", "bz", "br", "sat_t") + (("pz", "pr") if case == "custom" else ()))

sat = cached.saturation(key, case, pz, pr, bz, br, t - 1)
st.latex(r"\small " + case_formula(case, s.update, s.reset_after))  # small: fits a phone
st.latex(r"\footnotesize " + case_numbers(sat))
st.plotly_chart(figs.jacobian_matrices(sat.J, sat.J_frozen), key="sat_matrices")
st.info(case_explanation(case, s.update, sat), icon=":material/lightbulb:")
left, right = st.columns(2)
with left:
    st.plotly_chart(figs.singular_values(sat.sv, sat.sv_frozen), key="sat_singular")
with right:
    st.plotly_chart(figs.chain(sat.chain_log10, f"Chain from step {t} back to the start"), key="sat_chain")
