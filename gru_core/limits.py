"""Every limit the public API enforces, in one place, each with its reason.

One small frozen config, nanoGPT style. The README's "Limits" section says the same; a test keeps
the two in step. Each refusal is a ValueError naming the limit.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    # ---- models ---------------------------------------------------------------------------------
    max_hidden: int = 1024  # far beyond anything a classroom plots; keeps an H×H heatmap drawable
    max_input: int = 4096  # room for one-hot vocabularies of a toy corpus
    # |every weight and bias|: σ and tanh are flat past ±40, so 1e6 is far into saturation, yet no
    # pre-activation, at most 1e6·(I·max|x| + H + 2), can overflow a float64 for inputs |x| < 1e290.
    max_weight: float = 1e6
    max_seed: int = 2**63 - 1  # the largest whole number a 64-bit integer holds; NumPy takes any of them
    # ---- sequences --------------------------------------------------------------------------------
    max_steps: int = 100_000  # a forward pass stays under a second; the app caps T much lower
    max_jacobian_entries: int = 50_000_000  # T·H² float64s = 400 MB: what a shared 24 GB box spares a user
    # ---- weight files -------------------------------------------------------------------------------
    max_file_bytes: int = 64 * 2**20  # the largest GRU (H = 1024, I = 4096) is 60 MiB in float32
    max_tensors: int = 64  # a recurrent layer has 4; a whole small model (embedding, layer, read-out) a dozen
    # A safetensors header or an .npz zip directory, whose size is read before anything is parsed: 64
    # tensors' names, shapes and offsets take ~10 kB, while 600,000 took 15 s and 1.8 GB to index.
    max_header_bytes: int = 64 * 2**10
    # ---- training (gru_core.training, gru_core.tasks) ------------------------------------------------------
    max_train_steps: int = 1_000_000  # hours of CPU even for the smallest model: only typos go further
    max_batch: int = 65_536  # sequences per training step: past this, one step's arrays outgrow a shared box
    max_sequences: int = 1_000_000  # sequences a task draws at once (the held-out set, a sample)
    max_task_length: int = 10_000  # steps in a task's sequence (or recall delay); BPTT keeps B·T·H per array
    max_symbols: int = 32  # delayed recall's alphabet: chance accuracy 1/32 is already hard to tell from 0
    max_fillers: int = 64  # toy sentiment's filler words: enough to hide the deciding word among

    @property
    def max_tensor_entries(self) -> int:
        """Numbers in one tensor: the largest allowed model's largest, an LSTM's weight_ih_l0 (4H, I)."""
        return 4 * self.max_hidden * self.max_input


LIMITS = Limits()
