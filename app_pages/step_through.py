import streamlit as st

from gru_lab.inputs import PRESETS
from gru_lab.records import kind
from gru_lab.tables import record_table, to_csv
from gru_lab.text import convention_label, key_steps_caption, model_label
from gru_lab.ui import cached, urlstate, widgets
from gru_lab.ui import viewer as viewer_ui
from gru_lab.ui import weights as weights_ui
from gru_lab.ui.sidebar import current

CARRY = {"file": "the uploaded file: whoever opens it sees the upload box, so send them the file as well.",
         "session": "a model trained in this session: whoever opens it sees random weights, so send them "
                    "the weights file below (they pick 'your own PyTorch weights' and upload it)."}

s = current()
st.title("Step through a sequence")
st.caption(f"{PRESETS[s.preset].title}. Convention: {convention_label(s.reset_after, s.update)}")
picked = weights_ui.choice()
loaded = weights_ui.weights_picker(picked, s.preset)
try:
    seq, rec = cached.step_record(s, loaded)
    data = viewer_ui.payload(s, loaded)
except ValueError as err:
    widgets.input_error(err)
T, H = rec.h.shape
st.caption(model_label(rec, loaded.name if loaded else None, s))
# Written from this model's own numbers, so it is true of what is on screen, under either convention.
watch, answer, story_unit = cached.watch_for(s, loaded)
st.markdown(f"**Watch for:** {watch}" + (f"  \n{answer}" if answer else ""))
if loaded:
    st.sidebar.info(f"**Model shown:** the {loaded.module} from {loaded.name}, H = {H}, {rec.x.shape[1]} inputs per "
                    "step. Hidden size, seed and weight scale apply to random weights only."
                    + ("" if loaded.module == "GRU" else " The reset and update settings apply to GRUs only."),
                    icon=":material/memory:")
if loaded and loaded.module == "GRU" and (not s.reset_after or (s.update != "keep" and not loaded.story)):
    st.warning("These weights come from PyTorch's GRU (reset after, z keeps the past); the sidebar reads them "
               "under another convention, so the numbers differ from what the trained model computes.",
               icon=":material/warning:")


def _offer_weights() -> None:
    weights_ui.download_buttons(rec.model, f"gru_lab_{kind(rec).lower()}", loaded.dtype, key="share_download")


# The browser steps, plays and picks units by itself, and keeps the position in the address without
# telling the server (see gru_lab/ui/viewer): this run opens where the address says, as a link does.
viewer_ui.page_viewer(data, T, H, story_unit, f"GRU Lab: {PRESETS[s.preset].title}",
                      fragment=not cached.is_large(loaded))
if cap := key_steps_caption(s.preset, seq):
    st.caption(cap)
urlstate.share_link("step", ("t", "unit") + (("weights",) if picked != "session" else ()),
                    CARRY.get(picked, ""), _offer_weights if picked in CARRY and loaded else None, live=("t", "unit"))
with st.expander("Every recorded value, as a table"):
    st.download_button("Download as CSV", lambda: to_csv(record_table(rec, seq.labels)), file_name="gru_lab_record.csv",
                       mime="text/csv", key="download_csv", icon=":material/download:")
    # Drawn on request only: at H = 128, T = 500 the table is 64,000 rows, more than the viewer's data.
    if st.toggle("Show the table here", key="show_table", help=f"{T * H:,} rows: one per step and unit."):
        st.dataframe(record_table(rec, seq.labels), height=260, hide_index=True, key="table")
with st.expander("Export the weights shown"):
    weights_ui.download_buttons(rec.model, f"gru_lab_{kind(rec).lower()}", loaded.dtype if loaded else "float64")
