import streamlit as st

from gru_lab import chart_text as alt
from gru_lab import experiments, train_presets
from gru_lab.figures import training as figs
from gru_lab.ui import classroom, session, training
from gru_lab.ui.charts import chart
from gru_lab.ui.widgets import widget

st.title("Train it live")
st.caption("Train a GRU, a vanilla RNN and an LSTM on tasks that need a long memory, and watch which ones "
           "learn. Everything runs here in NumPy; a few hundred steps take seconds.")


def _apply_preset() -> None:  # a callback runs before the widgets are drawn, so it may set them by key
    st.session_state.update(train_presets.preset_widgets(st.session_state["train_preset"]))


preset = st.selectbox("Preset", train_presets.PRESET_OPTIONS, format_func=train_presets.preset_label,
                      key="train_preset", on_change=_apply_preset, disabled=classroom.locked("task"),
                      help="Settings measured to show the GRU learning where the RNN does not.")
preset_note = st.empty()
c1, c2, c3 = st.columns(3)
task = widget("task", container=c1)
task_note = c1.empty()
length = widget("length", container=c2,
                label="Delay (steps between symbol and query)" if task == "recall" else None)
modules = widget("models", container=c3)
with st.expander("Model size and training settings"):
    c1, c2, c3, c4 = st.columns(4)
    H = widget("train_H", container=c1)
    match = widget("match", container=c2)
    steps = widget("steps", container=c3)
    batch = widget("batch", container=c4)
    c1, c2, c3, c4 = st.columns(4)
    optimizer = widget("optimizer", container=c1, captions=["Adam", "plain gradient descent θ ← θ − α ∂E/∂θ"])
    lr = widget("lr", container=c2)
    clip = widget("clip", container=c3)
    seed = widget("train_seed", container=c4)
chosen = train_presets.TrainSettings(task, length, H, match, steps, batch, optimizer, lr, clip)
for note, text in ((preset_note, train_presets.preset_caption(preset, chosen)),
                   (task_note, train_presets.default_note(chosen))):
    if text:
        note.caption(text)
cfg = chosen.config(int(seed))
I = experiments.make_task(task, length).input_size
sizes = experiments.matched_sizes(modules, I, H, match)

train_tab, sweep_tab = st.tabs(["Train", "Sweep: success against length"])
with train_tab:
    if not modules:
        st.warning("Pick at least one model to train.", icon=":material/warning:")
    st.caption("Hidden sizes: " + ", ".join(f"{m} H = {h} ({experiments.param_count(m, I, h):,} parameters)"
                                            for m, h in sizes.items()))
    b1, b2 = st.columns([1, 4])
    start = b1.button("Start training", key="train_start", type="primary", disabled=not modules,
                      icon=":material/play_arrow:")
    b2.button("Stop", key="train_stop", icon=":material/stop:", help=training.ENDS_A_RUN)
    if start:
        training.run_training(task, length, sizes, cfg)
    training.show_state()
with sweep_tab:
    st.caption("Train GRU and RNN on the adding problem at growing lengths, each for the steps set above, "
               "and see where each stops beating the baseline.")
    lengths = tuple(widget("sweep_lengths"))
    if st.button("Run the sweep", key="sweep_start", icon=":material/query_stats:", disabled=not lengths):
        training.run_sweep(tuple(sorted(lengths)), ("GRU", "RNN"), H, cfg)
    if session.has(session.SWEEP):
        sw = session.get(session.SWEEP)
        chart(figs.sweep_chart(sw.lengths, sw.ratio, experiments.SUCCESS), "sweep_chart",
              alt.sweep(sw.lengths, sw.ratio, experiments.SUCCESS))
