"""Weight files: `.safetensors` and `.npz` holding a 1-layer PyTorch state dict.

Both formats are read without executing anything. First the index's size and its number of tensors
are read from fixed places (the 8-byte safetensors header length; the zip end record) and capped, so
a file listing 600,000 tensors costs nothing to refuse; then the index is parsed and every entry
checked (names, dtypes, shapes, declared sizes against the real file size) before a single tensor
is materialised. A truncated, mislabelled, pickled or size-bombed file is refused with a message.

From PyTorch:
    from safetensors.torch import save_file
    save_file(model.state_dict(), "my_gru.safetensors")
"""
from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .limits import LIMITS
from .params import NAMES, as_tensor

FORMATS = ("safetensors", "npz")
_END, _END64, _END64_LOCATOR = b"PK\x05\x06", b"PK\x06\x06", b"PK\x06\x07"  # zip end records
_SAFETENSORS_DTYPES = {"F16": 2, "F32": 4, "F64": 8}
_PT_HINT = (
    "PyTorch .pt/.pth files are pickles, which can run code when opened, so they are refused; "
    "export with safetensors.torch.save_file(model.state_dict(), 'model.safetensors')"
)


def load_state(path: str | Path) -> dict[str, np.ndarray]:
    path = Path(path)
    size = path.stat().st_size
    if size > LIMITS.max_file_bytes:
        raise ValueError(_too_big(size))
    return load_state_bytes(path.read_bytes(), path.name)


def save_state(state: dict[str, Any], path: str | Path) -> None:
    path = Path(path)
    path.write_bytes(dump_state_bytes(state, _format_of(path.name)))


def load_state_bytes(data: bytes, filename: str, keep_dtype: bool = False) -> dict[str, np.ndarray]:
    """Parse an uploaded file; the format comes from the file name's ending.

    Tensors come back as float64, or as stored with `keep_dtype` (so an export can match the file).
    """
    fmt = _format_of(filename)
    if len(data) > LIMITS.max_file_bytes:
        raise ValueError(_too_big(len(data)))
    state = _load_safetensors(data) if fmt == "safetensors" else _load_npz(data)
    return state if keep_dtype else {k: v.astype(np.float64) for k, v in state.items()}


def dump_state_bytes(state: dict[str, Any], fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    if not isinstance(state, Mapping):
        raise ValueError(f"state must be a mapping of tensor names to arrays; got {type(state).__name__}")
    arrays = {}
    for k, v in state.items():
        if not isinstance(k, str):
            raise ValueError(f"tensor names must be text; got {k!r}")
        checked = as_tensor(v, k)  # validated (finite, sized) as float64
        stored = isinstance(v, np.ndarray) and v.dtype in (np.float16, np.float32)
        arrays[k] = np.ascontiguousarray(v if stored else checked)  # float16/32 stay as given
    if fmt == "safetensors":
        from safetensors.numpy import save

        return save(arrays)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def detect_module(state: dict[str, Any]) -> str:
    """'RNN', 'GRU' or 'LSTM' from the ratio of weight_hh_l0's rows to its columns (1, 3 or 4 blocks)."""
    W_hh = state.get("weight_hh_l0") if hasattr(state, "get") else None
    shape = getattr(W_hh, "shape", ())
    if len(shape) == 2 and shape[1] > 0 and shape[0] % shape[1] == 0:
        module = {1: "RNN", 3: "GRU", 4: "LSTM"}.get(shape[0] // shape[1])
        if module:
            return module
    raise ValueError(
        f"cannot tell the model type: weight_hh_l0 should have H, 3H or 4H rows for H columns "
        f"(RNN, GRU, LSTM); got shape {shape or 'none'}"
    )


# ---- safetensors -------------------------------------------------------------------------------
def _load_safetensors(data: bytes) -> dict[str, np.ndarray]:
    _refuse_pickles(data, "safetensors")
    if len(data) < 8:
        raise ValueError(f"not a safetensors file: {len(data)} bytes is shorter than its 8-byte header length")
    n = int.from_bytes(data[:8], "little")
    if n > len(data) - 8:
        raise ValueError(
            f"not a valid safetensors file: its header claims {n:,} bytes but only {len(data) - 8:,} follow "
            "(the file is truncated or not safetensors)"
        )
    _check_index_size("safetensors header", n)
    try:
        header = json.loads(data[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ValueError("not a valid safetensors file: its header is not JSON") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits: no size or offset is that long
        raise ValueError("not a valid safetensors file: its header holds a number thousands of digits long, "
                         "where sizes and offsets are") from None
    if not isinstance(header, dict):
        raise ValueError("not a valid safetensors file: its header is not a JSON object")
    _check_tensor_count(len(header) - ("__metadata__" in header))
    body = len(data) - 8 - n
    for name, entry in header.items():
        if name != "__metadata__":
            _check_safetensors_entry(name, entry, body)
    from safetensors import SafetensorError
    from safetensors.numpy import load

    try:
        return load(data)
    except (SafetensorError, ValueError, TypeError) as exc:
        raise ValueError(f"not a valid safetensors file: {exc}") from None


def _check_safetensors_entry(name: str, entry: Any, body: int) -> None:
    if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= entry.keys():
        raise ValueError(f"not a valid safetensors file: entry {name!r} lacks dtype, shape or data_offsets")
    dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
    if not isinstance(dtype, str) or dtype not in _SAFETENSORS_DTYPES:
        raise ValueError(
            f"tensor {name!r} has dtype {dtype}; allowed are float16, float32 and float64 (F16, F32, F64)"
            + ("; convert bfloat16 with model.float() before saving" if dtype == "BF16" else "")
        )
    _check_shape(name, shape)
    nbytes = int(np.prod(shape, dtype=object)) * _SAFETENSORS_DTYPES[dtype]
    if (not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_count(o) for o in offsets)
            or offsets[1] - offsets[0] != nbytes or offsets[1] > body):
        raise ValueError(
            f"tensor {name!r} declares shape {shape} ({nbytes:,} bytes) but its data range {offsets} does not fit "
            f"the {body:,} bytes in the file (truncated or corrupt)"
        )


# ---- npz ---------------------------------------------------------------------------------------
def _load_npz(data: bytes) -> dict[str, np.ndarray]:
    _refuse_pickles(data, "npz")
    if data[:6] == b"\x93NUMPY":
        raise ValueError("this is a single .npy array, not an .npz archive; save with numpy.savez(path, **state)")
    if data[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        raise ValueError("not a valid .npz file: it is not a zip archive (truncated, or another format renamed)")
    members, directory = _zip_directory(data)
    _check_tensor_count(members)
    _check_index_size("zip directory", directory)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _check_tensor_count(len(infos))  # the directory is parsed by its size, whatever the count claimed
            if sum(info.file_size for info in infos) > LIMITS.max_file_bytes:
                raise ValueError(_too_big(sum(info.file_size for info in infos)) + " once unpacked")
            return {_npz_name(info): _read_npy(archive, info) for info in infos}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, NotImplementedError, RuntimeError) as exc:
        raise ValueError(f"not a valid .npz file (truncated or corrupt): {exc}") from None


def _zip_directory(data: bytes) -> tuple[int, int]:
    """(members, directory bytes) from the zip's end record, found as zipfile finds it, before the directory
    itself is read: the last 22 bytes, or the last signature within a 64 KiB comment before them."""
    end = len(data) - 22
    if not (data[end:end + 4] == _END and data[-2:] == b"\0\0"):
        end = data.rfind(_END, max(0, len(data) - 2**16 - 22))
    if end < 0 or end + 22 > len(data):
        raise ValueError("not a valid .npz file: the zip end record is missing (truncated or corrupt)")
    members, size = struct.unpack_from("<HI", data, end + 10)
    if (members == 0xFFFF or size == 0xFFFFFFFF) and data[end - 20:end - 16] == _END64_LOCATOR:
        (at,) = struct.unpack_from("<Q", data, end - 12)  # zip64: the true counts are in another record
        if data[at:at + 4] != _END64 or at + 56 > len(data):
            raise ValueError("not a valid .npz file: its zip64 end record is missing (truncated or corrupt)")
        members, size = struct.unpack_from("<QQ", data, at + 32)
    return members, size


def _npz_name(info: zipfile.ZipInfo) -> str:
    if not info.filename.endswith(".npy"):
        raise ValueError(f"not a valid .npz file: member {info.filename!r} is not a .npy array")
    return info.filename[:-4]


def _read_npy(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    name = info.filename[:-4]
    with archive.open(info) as fp:
        try:
            version = np.lib.format.read_magic(fp)
            read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                           (2, 0): np.lib.format.read_array_header_2_0}.get(version)
            if read_header is None:
                raise ValueError(f"unsupported .npy version {version}")
            shape, fortran, dtype = read_header(fp)
        except ValueError as exc:
            raise ValueError(f"array {name!r} has a broken .npy header: {exc}") from None
        if dtype.hasobject:
            raise ValueError(f"array {name!r} holds Python objects (a pickle); only float arrays are allowed")
        if dtype.kind != "f" or dtype.itemsize not in (2, 4, 8):
            raise ValueError(f"array {name!r} has dtype {dtype}; allowed are float16, float32 and float64")
        _check_shape(name, list(shape))
        count = int(np.prod(shape, dtype=np.int64))
        raw = fp.read(count * dtype.itemsize + 1)
    if len(raw) != count * dtype.itemsize:
        raise ValueError(
            f"array {name!r} declares shape {shape} ({count * dtype.itemsize:,} bytes) but holds {len(raw):,} bytes"
        )
    arr = np.frombuffer(raw, dtype=dtype)
    return arr.reshape(shape, order="F" if fortran else "C")


# ---- shared checks -----------------------------------------------------------------------------
def _check_index_size(what: str, size: int) -> None:
    if size > LIMITS.max_header_bytes:
        raise ValueError(
            f"this weight file's {what} is {size:,} bytes; at most {LIMITS.max_header_bytes:,} are allowed "
            f"(a recurrent layer's file lists a handful of tensors)"
        )


def _check_tensor_count(count: int) -> None:
    if count > LIMITS.max_tensors:
        raise ValueError(
            f"this weight file holds {count:,} tensors; at most {LIMITS.max_tensors} are allowed "
            f"(a recurrent layer has 4: weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0)"
        )


def _check_shape(name: str, shape: Any) -> None:
    if not isinstance(shape, list) or not all(_is_count(d) for d in shape) or len(shape) > 2:
        raise ValueError(f"tensor {name!r} has shape {shape}; a recurrent layer's tensors are 1-D or 2-D")
    entries = int(np.prod(shape, dtype=object))
    if entries > LIMITS.max_tensor_entries:
        raise ValueError(
            f"tensor {name!r} declares shape {shape} ({entries:,} numbers), more than the "
            f"{LIMITS.max_tensor_entries:,} allowed (4·H·I for the largest H = {LIMITS.max_hidden}, "
            f"I = {LIMITS.max_input})"
        )


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _refuse_pickles(data: bytes, fmt: str) -> None:
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        raise ValueError(f"this file is a Python pickle, not {fmt}. {_PT_HINT}")
    if data[:4] == b"PK\x03\x04" and fmt == "safetensors":
        raise ValueError(f"this file is a zip archive (an .npz, or a PyTorch .pt), not safetensors. {_PT_HINT}")
    if data[:4] == b"PK\x03\x04" and b"data.pkl" in data[:4096]:
        raise ValueError(f"this file is a PyTorch .pt archive, not an .npz. {_PT_HINT}")


def _format_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"weight files must end in .safetensors or .npz; got {filename!r}")
    return suffix


def _too_big(size: int) -> str:
    return f"the file is {size / 2**20:.1f} MiB; at most {LIMITS.max_file_bytes / 2**20:.0f} MiB is allowed"


__all__ = ["FORMATS", "NAMES", "detect_module", "dump_state_bytes", "load_state", "load_state_bytes", "save_state"]
