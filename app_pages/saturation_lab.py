import streamlit as st

from gru_lab import chart_text as alt
from gru_lab.compute import CASES
from gru_lab.figures import saturation as figs
from gru_lab.text import case_explanation, case_formula, case_labels, case_numbers, convention_label
from gru_lab.ui import cached, urlstate, widgets
from gru_lab.ui.charts import chart
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
st.latex(r"\small " + case_formula(case, s.update, s.reset_after))  # small: fits a phone
st.latex(r"\footnotesize " + case_numbers(sat))
# One figure each, side by side on a screen and stacked on a phone; one shared colour scale.
panel_alts = (alt.jacobian(sat.J, "exact step Jacobian ∂h_t/∂h_(t−1)", sat.t),
              alt.jacobian(sat.J_frozen, "frozen-gate approximation (z and r held constant)", sat.t),
              alt.difference(sat.J, sat.J_frozen))
for col, fig, k, a in zip(st.columns(3), figs.jacobian_panels(sat.J, sat.J_frozen), MATRIX_KEYS, panel_alts,
                          strict=True):
    with col:
        chart(fig, k, a)
st.info(case_explanation(case, s.update, sat), icon=":material/lightbulb:")
left, right = st.columns(2)
with left:
    chart(figs.singular_values(sat.sv, sat.sv_frozen), "sat_singular", alt.singular_values(sat))
if case != "write-hold":
    with right:
        chart(figs.chain(sat.chain_log10, f"Chain from step {t} back to the start"), "sat_chain",
              alt.saturation_chain(sat))
else:
    z_t, h_t, W_hn = sat.rec.z[sat.t], sat.rec.h[sat.t], sat.rec.model.W_hn
    with right:
        # The RNN is a stand-in built from this GRU, so the two matrices differ only in the path they describe.
        st.caption(f"Step {t}: the GRU's copy term beside a tanh RNN step whose W_hh is this GRU's W_hn and whose "
                   f"new state is this GRU's h_t: each unit copied on, or every unit mixed through W_hh and squashed.")
        chart(figs.copy_path(z_t, h_t, W_hn, s.update), "sat_copy_path", alt.copy_path(z_t, h_t, W_hn, s.update, sat.t))
    w = sat.write + 1
    crossing = (sat.t - sat.write + 1, f"across the write (step {w})") if sat.t >= sat.write else None
    st.subheader(f"Write at step {w} (“{sat.seq.labels[sat.write]}”), then hold, beside copy at every step")
    left, right = st.columns(2)
    with left:
        chart(figs.chain(sat.chain_log10, f"Write, then hold: from step {t}", crossing, sat.copy_chain_log10),
              "sat_chain", alt.write_hold_chain(sat))
    with right:
        chart(figs.chain(sat.copy_chain_log10, f"Copy at every step: from step {t}", None, sat.chain_log10),
              "sat_copy_chain", alt.copy_chain(sat))
