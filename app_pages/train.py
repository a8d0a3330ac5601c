import streamlit as st

from gru_core.training import TrainConfig
from gru_lab import train_ui, trainer
from gru_lab.figures import training as figs

st.title("Train it live")
st.caption("Train a GRU, a vanilla RNN and an LSTM on tasks that need a long memory, and watch which ones "
           "learn. Everything runs here in NumPy; a few hundred steps take seconds.")
c1, c2, c3 = st.columns(3)
task = c1.selectbox("Task", list(trainer.TASKS), format_func=trainer.TASKS.get, key="task", bind="query-params")
length = c2.slider("Delay (steps between symbol and query)" if task == "recall" else "Sequence length T",
                   2, 200, 30, key="length", bind="query-params")
modules = c3.multiselect("Models", list(trainer.CLASSES), ["GRU", "RNN"], key="models", bind="query-params")
with st.expander("Model size and training settings"):
    c1, c2, c3, c4 = st.columns(4)
    H = c1.select_slider("GRU hidden size", [4, 8, 16, 32, 64], 16, key="train_H", bind="query-params")
    match = c2.radio("Match the other models by", ["hidden size", "parameter count"], key="match",
                     bind="query-params", help="Same H for all, or each H chosen so its parameter count is "
                                               "closest to the GRU's (3 weight blocks; RNN 1, LSTM 4).")
    steps = c3.slider("Training steps", 50, 2000, 400, 50, key="steps", bind="query-params")
    batch = c4.select_slider("Batch size", [8, 16, 32, 64, 128], 32, key="batch", bind="query-params")
    c1, c2, c3, c4 = st.columns(4)
    optimizer = c1.radio("Optimiser", ["adam", "sgd"], key="optimizer", bind="query-params",
                         captions=["Adam", "plain gradient descent θ ← θ − α ∂E/∂θ"])
    lr = c2.select_slider("Learning rate α", [0.001, 0.003, 0.01, 0.03, 0.1, 0.3], 0.01, key="lr",
                          bind="query-params")
    clip = c3.select_slider("Clip gradient norm at", [0.1, 0.5, 1.0, 5.0, trainer.NO_CLIP], 1.0, key="clip",
                            format_func=trainer.CLIP_LABEL, bind="query-params")
    seed = c4.number_input("Seed", 0, 9999, 0, key="train_seed", bind="query-params")
cfg = TrainConfig(steps=steps, batch=batch, lr=lr, optimizer=optimizer,
                  clip=None if clip >= trainer.NO_CLIP else clip, seed=int(seed))
I = trainer.make_task(task, length).input_size
sizes = trainer.matched_sizes(modules, I, H, match)

train_tab, sweep_tab = st.tabs(["Train", "Sweep: success against length"])
with train_tab:
    if not modules:
        st.warning("Pick at least one model to train.", icon=":material/warning:")
    st.caption("Hidden sizes: " + ", ".join(f"{m} H = {h} ({trainer.param_count(m, I, h):,} parameters)"
                                            for m, h in sizes.items()))
    b1, b2 = st.columns([1, 4])
    start = b1.button("Start training", key="train_start", type="primary", disabled=not modules,
                      icon=":material/play_arrow:")
    b2.button("Stop", key="train_stop", icon=":material/stop:",
              help="Stops a run in progress (any click on the page does).")
    if start:
        train_ui.run_training(task, length, sizes, cfg)
    else:
        train_ui.show_stopped()
    train_ui.show_results()
with sweep_tab:
    st.caption("Train GRU and RNN on the adding problem at growing lengths, each for the steps set above, "
               "and see where each stops beating the baseline.")
    lengths = tuple(st.multiselect("Lengths", [5, 10, 20, 40, 60, 80, 120], [10, 20, 40, 80], key="sweep_lengths",
                                   bind="query-params"))
    if st.button("Run the sweep", key="sweep_start", icon=":material/query_stats:", disabled=not lengths):
        train_ui.run_sweep(tuple(sorted(lengths)), ("GRU", "RNN"), H, cfg)
    if "sweep" in st.session_state:
        sw = st.session_state["sweep"]
        st.plotly_chart(figs.sweep_chart(sw.lengths, sw.ratio, trainer.SUCCESS), key="sweep_chart")
