"""A model's parameters: PyTorch-style state dicts of one-layer recurrent modules, in and out.

`nn.GRU`, `nn.RNN` and `nn.LSTM` all store four tensors whose rows stack `gates` blocks of H:
weight_ih_l0 (gates·H, I), weight_hh_l0 (gates·H, H), bias_ih_l0 and bias_hh_l0 (gates·H,).
(The hidden *state* h is not here: it lives in the records.)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from .checks import as_float_array, freeze
from .limits import LIMITS

NAMES = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")


class Params(NamedTuple):
    W_ih: np.ndarray  # (G·H, I)
    W_hh: np.ndarray  # (G·H, H)
    b_ih: np.ndarray  # (G·H,)
    b_hh: np.ndarray  # (G·H,)


def parse_state(state: Any, gates: int, module: str) -> Params:
    """Validate a state dict and return its four tensors as read-only float64 arrays."""
    if not isinstance(state, Mapping):
        raise ValueError(f"state must be a mapping of the names {', '.join(NAMES)}; got {type(state).__name__}")
    _check_names(state, module)
    arrays = {name: _bounded(as_tensor(state[name], name), name) for name in NAMES}
    W_hh = arrays["weight_hh_l0"]
    if W_hh.ndim != 2 or W_hh.shape[1] == 0 or W_hh.shape[0] != gates * W_hh.shape[1]:
        raise ValueError(
            f"weight_hh_l0 must have shape ({gates}·H, H) for a {module}; got {W_hh.shape}"
        )
    H = W_hh.shape[1]
    if H > LIMITS.max_hidden:
        raise ValueError(f"hidden size {H} is larger than the allowed {LIMITS.max_hidden}")
    W_ih = arrays["weight_ih_l0"]
    if W_ih.ndim != 2 or W_ih.shape[0] != gates * H or W_ih.shape[1] == 0:
        raise ValueError(
            f"weight_ih_l0 must have shape ({gates * H}, I) to match H = {H} from weight_hh_l0; got {W_ih.shape}"
        )
    if W_ih.shape[1] > LIMITS.max_input:
        raise ValueError(f"input size {W_ih.shape[1]} is larger than the allowed {LIMITS.max_input}")
    for name in ("bias_ih_l0", "bias_hh_l0"):
        if arrays[name].shape != (gates * H,):
            raise ValueError(f"{name} must have shape ({gates * H},) to match H = {H}; got {arrays[name].shape}")
    return Params(*(freeze(arrays[name]) for name in NAMES))


def recurrent_part(state: Mapping) -> tuple[dict[str, Any], list[str]]:
    """The four recurrent tensors of a larger state dict, and the names left aside.

    A whole model's `state_dict()` prefixes them with the layer's attribute name (`rnn.weight_ih_l0`)
    and adds other layers (`fc.weight`); exactly one prefix must carry all four.
    """
    if not isinstance(state, Mapping):
        raise ValueError(f"state must be a mapping of tensor names; got {type(state).__name__}")
    prefixes = {str(k)[: -len(NAMES[0])] for k in state if str(k).endswith(NAMES[0])}
    full = [p for p in prefixes if all(p + name in state for name in NAMES)]
    if len(full) != 1:
        found = ", ".join(sorted(str(k) for k in state)[:8]) or "nothing"
        raise ValueError(
            f"expected one recurrent layer with {', '.join(NAMES)}"
            f"{' (several found: ' + ', '.join(sorted(full)) + ')' if full else ''}; the file holds {found}"
        )
    prefix = full[0]
    picked = {name: state[prefix + name] for name in NAMES}
    rest = sorted(str(k) for k in state if str(k) not in {prefix + n for n in NAMES})
    deeper = [k for k in rest if k.startswith(prefix) and ("_l" in k[len(prefix):] or "reverse" in k)]
    if deeper:
        raise ValueError(f"only a 1-layer, one-directional recurrent layer is supported; the file also holds "
                         f"{', '.join(deeper[:4])}{' …' if len(deeper) > 4 else ''}")
    return picked, rest


def to_state(params: Params) -> dict[str, np.ndarray]:
    """Fresh writable copies, so a caller editing them cannot change the model."""
    return {name: np.array(arr) for name, arr in zip(NAMES, params, strict=True)}


def _check_names(state: Mapping, module: str) -> None:
    missing = [name for name in NAMES if name not in state]
    extra = sorted(str(k) for k in state if k not in NAMES)
    if not missing and not extra:
        return
    hints = []
    if any("_l1" in k for k in extra):
        hints.append(f"only a 1-layer {module} is supported (found layer 1 tensors)")
    if any("reverse" in k for k in extra):
        hints.append(f"a bidirectional {module} is not supported")
    if missing and all(k.startswith("bias") for k in missing):
        hints.append(f"a {module} built with bias=False has no biases; save zero biases instead")
    problem = "; ".join(
        part for part in (
            f"missing {', '.join(missing)}" if missing else "",
            f"unexpected {', '.join(extra[:6])}{' …' if len(extra) > 6 else ''}" if extra else "",
        ) if part
    )
    hint = f" ({'; '.join(hints)})" if hints else ""
    raise ValueError(f"state for a 1-layer {module} needs exactly {', '.join(NAMES)}: {problem}{hint}")


def as_tensor(value: Any, name: str) -> np.ndarray:
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor: take its values, not its graph
        value = value.detach().cpu()
        try:
            value = value.numpy()
        except TypeError:  # bfloat16, float8, …: dtypes NumPy has no counterpart for
            raise ValueError(f"{name} has dtype {value.dtype}, which NumPy cannot read; allowed are float16, "
                             "float32 and float64: convert with model.float() first") from None
    return as_float_array(value, name)


def _bounded(arr: np.ndarray, name: str) -> np.ndarray:
    """Refuse |w| > LIMITS.max_weight, so that no forward pass can overflow (see limits.py)."""
    if arr.size and np.abs(arr).max() > LIMITS.max_weight:
        bad = np.unravel_index(np.argmax(np.abs(arr)), arr.shape)
        raise ValueError(f"{name} holds {arr[bad]:g} at index {tuple(int(i) for i in bad)}; weights and biases "
                         f"must lie within ±{LIMITS.max_weight:g}")
    return arr


def uniform_init(rng: np.random.Generator, gates: int, I: int, H: int) -> Params:
    """PyTorch's default: every tensor U(−1/√H, 1/√H)."""
    k = 1.0 / np.sqrt(H)
    shapes = ((gates * H, I), (gates * H, H), (gates * H,), (gates * H,))
    return Params(*(freeze(rng.uniform(-k, k, size=s)) for s in shapes))
