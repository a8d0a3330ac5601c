import streamlit as st

from gru_lab.figures import sequence as figs
from gru_lab.inputs import PRESETS
from gru_lab.records import kind
from gru_lab.tables import record_table, to_csv
from gru_lab.text import convention_label, key_steps, key_steps_caption, model_label, unit_equations
from gru_lab.ui import cached, session, urlstate, widgets
from gru_lab.ui import weights as weights_ui
from gru_lab.ui.sidebar import current

PLAY_SECONDS = 0.8  # one step per this many seconds: a server round trip, so every view moves together

s = current()
st.title("Step through a sequence")
st.caption(f"{PRESETS[s.preset].title}: {PRESETS[s.preset].watch}  \nConvention: "
           f"{convention_label(s.reset_after, s.update)}")
picked = weights_ui.choice()
loaded = weights_ui.weights_picker(picked)
try:
    seq, rec = cached.step_record(s, loaded)
except ValueError as err:
    widgets.input_error(err)
T, H = rec.h.shape
st.caption(model_label(rec, loaded.name if loaded else None, s))
if loaded:
    st.sidebar.info(f"**Model shown:** the {loaded.module} from {loaded.name}, H = {H}, {rec.x.shape[1]} inputs per "
                    "step. Hidden size, seed and weight scale apply to random weights only."
                    + ("" if loaded.module == "GRU" else " The reset and update settings apply to GRUs only."),
                    icon=":material/memory:")
if loaded and loaded.module == "GRU" and (not s.reset_after or s.update != "keep"):
    st.warning("These weights come from PyTorch's GRU (reset after, z keeps the past); the sidebar reads them "
               "under another convention, so the numbers differ from what the trained model computes.",
               icon=":material/warning:")


def _play(on: bool) -> None:
    session.put(session.PLAYING, on)
    if on and st.session_state.get("t", 1) >= T:
        st.session_state["t"] = 1  # Play from the end starts again from the first step


def _offer_weights() -> None:
    weights_ui.download_buttons(rec.model, f"gru_lab_{kind(rec).lower()}", loaded.dtype, key="share_download")


widgets.clamp_state("t", 1, T)
widgets.clamp_state("unit", 0, H - 1)
playing = session.get(session.PLAYING, False) and T > 1
if T > 1:  # outside the fragment: Play and Pause rerun the page, which starts or stops the timer
    st.button("Pause" if playing else "Play", key="play", on_click=_play, args=(not playing,),
              icon=":material/pause:" if playing else ":material/play_arrow:",
              help="Steps through the sequence; every view below moves with it.")
CARRY = {"file": "the uploaded file: whoever opens it sees the upload box, so send them the file as well.",
         "session": "a model trained in this session: whoever opens it sees random weights, so send them "
                    "the weights file below (they pick 'your own PyTorch weights' and upload it)."}


@st.fragment(run_every=PLAY_SECONDS if playing else None)
def step_view() -> None:
    """Everything that shows the current step; Play reruns only this, one step at a time."""
    if session.get(session.PLAYING, False):
        if st.session_state.get("t", 1) >= T:
            session.put(session.PLAYING, False)
            st.rerun(scope="app")  # at the end: stop the timer
        st.session_state["t"] = st.session_state.get("t", 1) + 1
    c1, c2, c3 = st.columns([4, 3, 2], vertical_alignment="bottom")
    with c1:
        t = widgets.step_slider("t", T, T_default=1)
    with c2:
        widgets.step_buttons("t", 1, T)
    unit = widgets.widget("unit", high=H - 1, container=c3)
    # Inside the fragment, after the step widgets exist: the link follows every step.
    urlstate.share_link("step", ("t", "unit") + (("weights",) if picked != "session" else ()),
                        CARRY.get(picked, ""), _offer_weights if picked in CARRY and loaded else None)
    if kind(rec) == "GRU":
        left, right = st.columns(2)
        with left:
            st.subheader("The cell at this step")
            st.plotly_chart(figs.cell_diagram(rec, seq.labels, t - 1, unit), key="cell_diagram")
        with right:
            st.subheader(f"Unit {unit} at step {t}, in numbers")
            for line in unit_equations(rec, t - 1, unit):
                st.latex(r"\footnotesize " + line)  # small enough to fit a phone's width
    else:
        st.info(f"This is an {kind(rec)}: the cell diagram and equations are drawn for GRUs; its gates and "
                "states are in the heatmaps below.", icon=":material/info:")
    st.subheader("The whole sequence")
    st.plotly_chart(figs.heatmaps(rec, seq.labels, t - 1, key_steps=key_steps(s.preset, seq)), key="heatmaps")
    if cap := key_steps_caption(s.preset, seq):
        st.caption(cap)


step_view()
st.subheader("Recorded values")
table = record_table(rec, seq.labels)
st.dataframe(table, height=260, hide_index=True, key="table")
st.download_button("Download as CSV", lambda: to_csv(table), file_name="gru_lab_record.csv", mime="text/csv",
                   key="download_csv", icon=":material/download:")
with st.expander("Export the weights shown"):
    weights_ui.download_buttons(rec.model, f"gru_lab_{kind(rec).lower()}", loaded.dtype if loaded else "float64")
