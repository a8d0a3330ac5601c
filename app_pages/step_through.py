import streamlit as st

from gru_lab import cached, controls, urlstate, weights_ui
from gru_lab.figures import sequence as figs
from gru_lab.inputs import PRESETS
from gru_lab.records import kind
from gru_lab.sidebar import current, settings_key
from gru_lab.tables import record_table, to_csv
from gru_lab.text import convention_label, model_label, unit_equations

s = current()
st.title("Step through a sequence")
st.caption(f"{PRESETS[s.preset].title}: {PRESETS[s.preset].watch}  \nConvention: "
           f"{convention_label(s.reset_after, s.update)}")
loaded = weights_ui.weights_picker()
try:
    seq, rec = cached.step_record(settings_key(s), loaded.digest if loaded else "", loaded)
except ValueError as err:
    st.error(f"Your input cannot be used: {err}.", icon=":material/error:")
    st.stop()
T, H = rec.h.shape
st.caption(model_label(rec, loaded.name if loaded else None, s))
if loaded and loaded.module == "GRU" and (not s.reset_after or s.update != "keep"):
    st.warning("These weights come from PyTorch's GRU (reset after, z keeps the past); the sidebar reads them "
               "under another convention, so the numbers differ from what the trained model computes.",
               icon=":material/warning:")

controls.clamp_state("t", 1, T)
controls.clamp_state("unit", 0, H - 1)
c1, c2, c3 = st.columns([4, 3, 2], vertical_alignment="bottom")
with c1:
    t = controls.step_slider("Step", "t", T, T_default=1, help="Which time step to inspect.")
with c2:
    controls.step_buttons("t", 1, T)
unit = c3.number_input("Hidden unit shown in numbers", 0, H - 1, 0, key="unit", bind="query-params")
urlstate.share_link("step", ("weights", "t", "unit"))

if kind(rec) == "GRU":
    left, right = st.columns(2)
    with left:
        st.subheader("The cell at this step")
        st.plotly_chart(figs.cell_diagram(rec, seq.labels, t - 1, unit), key="cell_diagram")
        st.caption("Each box is a strip of squares, one per hidden unit, coloured by value. "
                   "Press Play to animate every step in your browser.")
    with right:
        st.subheader(f"Unit {unit} at step {t}, in numbers")
        for line in unit_equations(rec, t - 1, unit):
            st.latex(r"\footnotesize " + line)  # small enough to fit a phone's width
else:
    st.info(f"This is an {kind(rec)}: the cell diagram and equations are drawn for GRUs; its gates and states "
            "are in the heatmaps below.", icon=":material/info:")

st.subheader("The whole sequence")
st.plotly_chart(figs.heatmaps(rec, seq.labels, t - 1), key="heatmaps")

st.subheader("Recorded values")
table = record_table(rec, seq.labels)
st.dataframe(table, height=260, hide_index=True, key="table")
st.download_button("Download as CSV", lambda: to_csv(table), file_name="gru_lab_record.csv", mime="text/csv",
                   key="download_csv", icon=":material/download:")
with st.expander("Export the weights shown, for PyTorch"):
    weights_ui.download_buttons(rec.model, f"gru_lab_{kind(rec).lower()}")
