"""gru_core: an exact NumPy GRU / vanilla-RNN / LSTM engine that records every gate, state, step
Jacobian and BPTT gradient, in PyTorch's weight layout. It never imports Streamlit."""
from .base import parameter_count
from .chains import (
    ChainBatch,
    ChainNorms,
    chain_norms,
    chain_norms_batch,
    chain_product,
    log_spaced_distances,
    record_chain_norms,
    spectral_norm,
    spectral_radius,
)
from .gru import GRU, GRURecord
from .limits import LIMITS, Limits
from .lstm import LSTM, LSTMRecord
from .params import recurrent_part
from .rnn import RNN, RNNRecord
from .weights_io import detect_module, dump_state_bytes, load_state, load_state_bytes, save_state

MODELS = {"GRU": GRU, "RNN": RNN, "LSTM": LSTM}  # every model class, by the name PyTorch gives its module

__all__ = [
    "GRU", "GRURecord", "RNN", "RNNRecord", "LSTM", "LSTMRecord", "MODELS", "parameter_count",
    "ChainBatch", "ChainNorms", "chain_norms", "chain_norms_batch", "record_chain_norms", "chain_product",
    "log_spaced_distances", "spectral_norm", "spectral_radius",
    "LIMITS", "Limits", "recurrent_part", "detect_module", "dump_state_bytes", "load_state", "load_state_bytes",
    "save_state",
]
