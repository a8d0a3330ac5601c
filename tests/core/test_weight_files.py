"""Weight files: round trips through .safetensors and .npz, and hostile files refused with a message."""
import io
import json
import pickle
import struct
import zipfile

import numpy as np
import pytest

from gru_core import GRU, LIMITS, RNN, detect_module, dump_state_bytes, load_state, load_state_bytes, save_state

from .fd import NAMES, random_state

FORMATS = ["safetensors", "npz"]
STATE = GRU.init(3, 4, seed=12).to_torch()
X = np.random.default_rng(51).normal(size=(5, 3))


def safetensors_bytes(header, body=b""):
    raw = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return len(raw).to_bytes(8, "little") + raw + body


def npy_bytes(descr, shape, payload=b"", fortran=False):
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return buf.getvalue() + payload


def zip_bytes(members, compression=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def case_id(value):
    return value if isinstance(value, str) else "data"


def refused(data, filename, match):
    with pytest.raises(ValueError, match=match):
        load_state_bytes(data, filename)


# ---- round trips ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
def test_save_and_load_round_trip(tmp_path, fmt):
    path = tmp_path / f"model.{fmt}"
    save_state(STATE, path)
    loaded = load_state(path)
    assert sorted(loaded) == sorted(NAMES)
    for name in NAMES:
        assert loaded[name].dtype == np.float64
        np.testing.assert_array_equal(loaded[name], STATE[name])
    np.testing.assert_array_equal(GRU.from_torch(loaded).forward(X).h, GRU.from_torch(STATE).forward(X).h)


@pytest.mark.parametrize("fmt", FORMATS)
def test_bytes_round_trip(fmt):
    loaded = load_state_bytes(dump_state_bytes(STATE, fmt), f"upload.{fmt.upper()}")
    for name in NAMES:
        np.testing.assert_array_equal(loaded[name], STATE[name])


@pytest.mark.parametrize("gates, cls", [(1, RNN), (3, GRU)])
@pytest.mark.parametrize("fmt", FORMATS)
def test_models_rebuilt_from_files_compute_the_same(fmt, gates, cls):
    state = random_state(gates, 3, 4, seed=5)
    loaded = load_state_bytes(dump_state_bytes(state, fmt), f"m.{fmt}")
    np.testing.assert_array_equal(cls.from_torch(loaded).forward(X).h, cls.from_torch(state).forward(X).h)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("fmt", FORMATS)
def test_narrow_floats_load_as_float64(fmt, dtype):
    narrow = {name: value.astype(dtype) for name, value in STATE.items()}
    if fmt == "safetensors":
        from safetensors.numpy import save

        data = save(narrow)
    else:
        buf = io.BytesIO()
        np.savez(buf, **narrow)
        data = buf.getvalue()
    loaded = load_state_bytes(data, f"m.{fmt}")
    for name in NAMES:
        assert loaded[name].dtype == np.float64
        np.testing.assert_array_equal(loaded[name], narrow[name].astype(np.float64))
    GRU.from_torch(loaded)  # and they make a model


def test_npz_byte_order_and_fortran_layout_are_respected():
    buf = io.BytesIO()
    np.savez(buf, big=STATE["weight_hh_l0"].astype(">f8"), fortran=np.asfortranarray(STATE["weight_ih_l0"]))
    loaded = load_state_bytes(buf.getvalue(), "m.npz")
    np.testing.assert_array_equal(loaded["big"], STATE["weight_hh_l0"])
    np.testing.assert_array_equal(loaded["fortran"], STATE["weight_ih_l0"])


@pytest.mark.torch
@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
def test_torch_gru_saved_with_safetensors_loads_and_matches(torch, tmp_path, dtype_name):
    from safetensors.torch import save_file

    torch.manual_seed(3)
    module = torch.nn.GRU(3, 4).to(getattr(torch, dtype_name))
    path = tmp_path / "torch_gru.safetensors"
    save_file(module.state_dict(), str(path))
    loaded = load_state(path)
    assert detect_module(loaded) == "GRU"
    gru = GRU.from_torch(loaded)
    for name, tensor in module.state_dict().items():
        np.testing.assert_array_equal(loaded[name], tensor.double().numpy())
    module = module.double()
    out, _ = module(torch.tensor(X))
    np.testing.assert_allclose(gru.forward(X).h, out.detach().numpy(), rtol=1e-9, atol=1e-12)


# ---- hostile safetensors -----------------------------------------------------------------------------------
GOOD_ST = dump_state_bytes(STATE, "safetensors")
ONE_F64 = {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}


@pytest.mark.parametrize("data, match", [
    (GOOD_ST[:5], "8-byte header"),
    (GOOD_ST[:40], "truncated"),  # cut inside the header
    (GOOD_ST[:-8], "truncated"),  # cut inside the data
    (safetensors_bytes({"w": {"dtype": "F64", "shape": [100000, 100000], "data_offsets": [0, 8]}}, bytes(8)),
     "declares shape"),
    (safetensors_bytes({"w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 7]}}, bytes(8)), "data range"),
    (safetensors_bytes({"w": {"dtype": "F64", "shape": [1], "data_offsets": [8, 16]}}, bytes(8)), "data range"),
    (safetensors_bytes({"w": {"dtype": "F64", "shape": [1], "data_offsets": [-8, 0]}}, bytes(8)), "data range"),
    (safetensors_bytes({"w": {"dtype": "F64", "shape": [1], "data_offsets": "0-8"}}, bytes(8)), "data range"),
    (safetensors_bytes({"w": ONE_F64, "v": ONE_F64}, bytes(8)), "not a valid safetensors"),  # overlapping
    (safetensors_bytes({"w": ONE_F64}, bytes(16)), "not a valid safetensors"),  # bytes nobody owns
    (safetensors_bytes({"w": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}, bytes(8)), "bfloat16"),
    (safetensors_bytes({"w": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}}, bytes(8)), "dtype I64"),
    (safetensors_bytes({"w": {"dtype": "F64", "shape": [1, 1, 1], "data_offsets": [0, 8]}}, bytes(8)), "1-D or 2-D"),
    (safetensors_bytes({"w": {"dtype": "F64", "shape": [-1], "data_offsets": [0, 8]}}, bytes(8)), "1-D or 2-D"),
    (safetensors_bytes({"w": {"dtype": "F64", "shape": 1, "data_offsets": [0, 8]}}, bytes(8)), "1-D or 2-D"),
    (safetensors_bytes({"w": {"dtype": "F64", "shape": [1]}}, bytes(8)), "lacks"),
    (safetensors_bytes({"w": [1, 2]}, bytes(8)), "lacks"),
    (safetensors_bytes([1, 2]), "not a JSON object"),
    (safetensors_bytes("header"), "not a JSON object"),
    (safetensors_bytes(b"{not json"), "not JSON"),
    (safetensors_bytes(b"\xff\xfe{}"), "not JSON"),
    # Python's own "Exceeds the limit (4300 digits)" message named nothing a user knows
    (safetensors_bytes(b'{"w": {"dtype": "F64", "shape": [' + b"9" * 5000 + b'], "data_offsets": [0, 8]}}'),
     "number thousands of digits long"),
    (np.random.default_rng(0).bytes(4096), "not a valid safetensors"),
    (pickle.dumps(STATE), "pickle"),
    (dump_state_bytes(STATE, "npz"), "zip archive"),
], ids=case_id)
def test_hostile_safetensors_are_refused(data, match):
    refused(data, "model.safetensors", match)


@pytest.mark.parametrize("data", [
    safetensors_bytes({"w": {"dtype": ["F64"], "shape": [1], "data_offsets": [0, 8]}}, bytes(8)),
    safetensors_bytes({"w": {"dtype": {"F": 64}, "shape": [1], "data_offsets": [0, 8]}}, bytes(8)),
], ids=["dtype-list", "dtype-object"])
def test_safetensors_with_a_non_string_dtype_is_refused(data):
    # regression: `dtype not in _SAFETENSORS_DTYPES` hashed the JSON value: a list or object raised TypeError
    refused(data, "model.safetensors", "dtype")


def test_safetensors_with_a_deeply_nested_header_is_refused():
    # regression: json.loads raised RecursionError (not a ValueError) on ~100k nested brackets; now the 200 kB
    # header is refused by its size before it is parsed, and a smaller deep one still gives a ValueError
    refused(safetensors_bytes(b"[" * 100_000 + b"]" * 100_000), "model.safetensors", "safetensors")
    deep = LIMITS.max_header_bytes // 2 - 1
    refused(safetensors_bytes(b"[" * deep + b"]" * deep), "model.safetensors", "not JSON")


# ---- hostile npz ----------------------------------------------------------------------------------------------
UNPICKLED = []


def _record_unpickling(tag):
    UNPICKLED.append(tag)
    return tag


class Booby:
    """Pickles to a call of _record_unpickling: loading it runs code, which we can see afterwards."""

    def __reduce__(self):
        return _record_unpickling, ("unpickled",)


def test_npz_with_an_object_array_is_refused_without_unpickling():
    buf = io.BytesIO()
    np.savez(buf, allow_pickle=True, **{**STATE, "weight_ih_l0": np.array([Booby()], dtype=object)})
    data = buf.getvalue()
    UNPICKLED.clear()
    refused(data, "model.npz", "Python objects")
    assert UNPICKLED == []
    np.load(io.BytesIO(data), allow_pickle=True)["weight_ih_l0"]  # the file really would run code
    assert UNPICKLED == ["unpickled"]
    UNPICKLED.clear()


def test_plain_pickle_is_refused_without_unpickling():
    data = pickle.dumps({"weight_ih_l0": Booby()})
    UNPICKLED.clear()
    for filename in ("model.npz", "model.safetensors"):
        refused(data, filename, "pickle")
    assert UNPICKLED == []


GOOD_NPZ = dump_state_bytes(STATE, "npz")
GOOD_NPY = npy_bytes("<f8", (2,), bytes(16))


@pytest.mark.parametrize("data, match", [
    (zip_bytes({"w.npy": npy_bytes("<f8", (100000, 100000), bytes(64))}), "declares shape"),
    (zip_bytes({"w.npy": npy_bytes("<f8", (10,), bytes(40))}), "holds 40 bytes"),
    (zip_bytes({"w.npy": npy_bytes("<f8", (1,), bytes(16))}), "but holds"),
    (zip_bytes({"w.npy": npy_bytes("<f8", (1, 1, 1), bytes(8))}), "1-D or 2-D"),
    (zip_bytes({"w.npy": npy_bytes("<i8", (1,), bytes(8))}), "dtype int64"),
    (zip_bytes({"w.npy": npy_bytes("<c16", (1,), bytes(16))}), "dtype complex128"),
    (zip_bytes({"w.npy": b"\x93NUMPY\x09\x00"}), "broken .npy header"),
    (zip_bytes({"w.npy": b"not an npy file"}), "broken .npy header"),
    (zip_bytes({"w.npy": GOOD_NPY, "notes.txt": b"hello"}), "not a .npy array"),
    (GOOD_NPZ[: len(GOOD_NPZ) // 2], "truncated"),
    (GOOD_NPZ[:-10], "truncated"),
    (GOOD_NPZ[:3], "not a zip archive"),
    (GOOD_NPY, "single .npy"),
    (GOOD_ST, "not a zip archive"),
    (np.random.default_rng(1).bytes(4096), "not a zip archive"),
    (pickle.dumps(STATE), "pickle"),
], ids=case_id)
def test_hostile_npz_are_refused(data, match):
    refused(data, "model.npz", match)


def test_npz_that_unpacks_beyond_the_limit_is_refused():
    data = bytearray(zip_bytes({"w.npy": GOOD_NPY}))
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = (LIMITS.max_file_bytes + 1).to_bytes(4, "little")  # declared unpacked size
    refused(bytes(data), "model.npz", "once unpacked")


def _corrupt_deflate():
    data = bytearray(zip_bytes({"w.npy": npy_bytes("<f8", (64,), bytes(512))}, zipfile.ZIP_DEFLATED))
    start = data.index(b"w.npy") + len("w.npy")
    data[start:start + 8] = b"\xff" * 8  # the first bytes of the compressed stream
    return bytes(data)


def _patched(offsets_and_values):
    data = bytearray(zip_bytes({"w.npy": GOOD_NPY}))
    central = data.index(b"PK\x01\x02")
    for where, offset, value in offsets_and_values:
        base = 0 if where == "local" else central
        data[base + offset:base + offset + len(value)] = value
    return bytes(data)


@pytest.mark.parametrize("data", [
    pytest.param(_corrupt_deflate(), id="corrupt-deflate"),  # zlib.error
    pytest.param(_patched([("local", 8, b"\x63\x00"), ("central", 10, b"\x63\x00")]), id="compression-99"),
    pytest.param(_patched([("local", 6, b"\x01"), ("central", 8, b"\x01")]), id="encrypted"),  # RuntimeError
])
def test_npz_with_a_broken_zip_member_is_refused(data):
    # regression: _load_npz only turned BadZipFile/EOFError/OSError/KeyError into ValueError; zlib.error,
    # NotImplementedError (unknown compression method) and RuntimeError (encrypted member) escaped
    refused(data, "model.npz", "npz")


@pytest.mark.torch
@pytest.mark.parametrize("filename, match", [("model.npz", "PyTorch"), ("model.safetensors", "zip archive")])
def test_torch_save_output_is_refused(torch, filename, match):
    buf = io.BytesIO()
    torch.save(torch.nn.GRU(3, 4).state_dict(), buf)
    refused(buf.getvalue(), filename, match)
    legacy = io.BytesIO()
    torch.save(torch.nn.GRU(3, 4).state_dict(), legacy, _use_new_zipfile_serialization=False)
    refused(legacy.getvalue(), filename, "pickle")


# ---- names and sizes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("filename", ["model.pt", "model.pth", "model.npy", "model.json", "model", "npz", "m.npz.bak"])
def test_wrong_extensions_are_refused(tmp_path, filename):
    with pytest.raises(ValueError, match=r"\.safetensors or \.npz"):
        load_state_bytes(GOOD_NPZ, filename)
    with pytest.raises(ValueError, match=r"\.safetensors or \.npz"):
        save_state(STATE, tmp_path / filename)
    path = tmp_path / filename
    path.write_bytes(GOOD_NPZ)
    with pytest.raises(ValueError, match=r"\.safetensors or \.npz"):
        load_state(path)


def test_dump_refuses_unknown_formats():
    with pytest.raises(ValueError, match="format must be one of"):
        dump_state_bytes(STATE, "pt")


@pytest.mark.parametrize("state", [None, [("weight_ih_l0", np.zeros(2))], "weights"], ids=["none", "list", "text"])
def test_dump_refuses_a_state_that_is_not_a_mapping(state):
    # regression: dump_state_bytes validated nothing, and state.items() raised AttributeError
    with pytest.raises(ValueError, match="mapping"):
        dump_state_bytes(state, "npz")


def test_dump_refuses_a_missing_tensor_value():
    # regression: np.ascontiguousarray(None, dtype=float64) is array(nan): a None tensor was saved as NaN, silently
    with pytest.raises(ValueError, match="weight_ih_l0"):
        dump_state_bytes({**STATE, "weight_ih_l0": None}, "safetensors")


@pytest.mark.torch
def test_live_torch_parameters_are_saved_or_refused_with_a_value_error(torch, tmp_path):
    # from_torch accepts tensors that require grad; save_state must not crash on them with a RuntimeError
    module = torch.nn.GRU(3, 4)
    params = dict(module.named_parameters())
    try:
        save_state(params, tmp_path / "live.npz")
    except ValueError:
        return
    loaded = load_state(tmp_path / "live.npz")
    for name, tensor in params.items():
        np.testing.assert_array_equal(loaded[name], tensor.detach().numpy())


@pytest.mark.parametrize("fmt", FORMATS)
def test_files_over_the_size_limit_are_refused(tmp_path, fmt):
    refused(b"\0" * (LIMITS.max_file_bytes + 1), f"big.{fmt}", "MiB")
    path = tmp_path / f"big.{fmt}"
    with open(path, "wb") as f:
        f.truncate(LIMITS.max_file_bytes + 1)  # sparse: the size is checked before anything is read
    with pytest.raises(ValueError, match="MiB"):
        load_state(path)


# ---- detect_module ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("gates, module", [(1, "RNN"), (3, "GRU"), (4, "LSTM")])
def test_detect_module(gates, module):
    assert detect_module(random_state(gates, 3, 5, seed=0)) == module
    loaded = load_state_bytes(dump_state_bytes(random_state(gates, 2, 1, seed=0), "npz"), "m.npz")
    assert detect_module(loaded) == module  # H = 1: every shape ratio is still read from the rows


@pytest.mark.parametrize("state", [
    random_state(2, 3, 5, seed=0),
    {"weight_hh_l0": np.zeros((15, 0))},
    {"weight_hh_l0": np.zeros(15)},
    {"weight_ih_l0": np.zeros((15, 3))},
    {},
    [("weight_hh_l0", np.zeros((15, 5)))],
    None,
])
def test_detect_module_refuses_other_shapes(state):
    with pytest.raises(ValueError, match="cannot tell the model type"):
        detect_module(state)


# ---- the index is capped before it is parsed (600,000 one-element tensors took 15 s and 1.8 GB) ------------
def many_tensors_safetensors(count):
    header = {f"t{k}": {"dtype": "F64", "shape": [1], "data_offsets": [8 * k, 8 * k + 8]} for k in range(count)}
    return safetensors_bytes(header, bytes(8 * count))


def many_members_npz(count):
    return zip_bytes({f"t{k}.npy": GOOD_NPY for k in range(count)})


@pytest.mark.parametrize("fmt, make", [("safetensors", many_tensors_safetensors), ("npz", many_members_npz)])
def test_a_file_with_more_tensors_than_allowed_is_refused(fmt, make):
    assert len(load_state_bytes(make(LIMITS.max_tensors), f"m.{fmt}")) == LIMITS.max_tensors  # the cap itself is fine
    refused(make(LIMITS.max_tensors + 1), f"m.{fmt}", f"holds {LIMITS.max_tensors + 1} tensors; at most "
                                                      f"{LIMITS.max_tensors} are allowed")


def test_a_safetensors_header_over_the_cap_is_refused_before_it_is_parsed():
    # not even valid JSON: were it parsed, the message would say so
    header = b"{" + b" " * LIMITS.max_header_bytes + b"}"
    refused(safetensors_bytes(header), "m.safetensors", f"header is {len(header):,} bytes; at most")


def test_an_npz_whose_end_record_understates_its_directory_is_refused():
    data = bytearray(many_members_npz(LIMITS.max_header_bytes // 50))  # ~50 directory bytes a member
    end = data.rindex(b"PK\x05\x06")
    data[end + 8:end + 12] = (1).to_bytes(2, "little") * 2  # "1 member" on this disk and in all
    refused(bytes(data), "m.npz", "zip directory is .* bytes; at most")


def zip64_npz(members, claimed):
    """An .npz whose counts sit in a zip64 end record, as zip writers put them past 65,535 members."""
    data = zip_bytes(members)
    end = data.rindex(b"PK\x05\x06")
    size, offset = struct.unpack_from("<II", data, end + 12)
    record = struct.pack("<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, claimed, claimed, size, offset)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, end, 1)
    tail = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:end] + record + locator + tail


def test_zip64_end_records_are_read_too():
    members = {"a.npy": GOOD_NPY, "b.npy": GOOD_NPY}
    loaded = load_state_bytes(zip64_npz(members, 2), "m.npz")  # zipfile reads it: so must we
    np.testing.assert_array_equal(loaded["a"], np.zeros(2))
    refused(zip64_npz(members, 10**6), "m.npz", "holds 1,000,000 tensors")


# ---- one documented set of limits -----------------------------------------------------------------------------
def test_the_largest_documented_gru_loads_in_float16():
    # regression: a per-tensor cap of 8,388,608 numbers (max_file_bytes / 8), mentioned nowhere, refused
    # weight_ih_l0 of H = 1024, I = 4096 (12.6 M numbers, 25 MB in float16) in a 31 MB file
    from safetensors.numpy import save

    H, I = LIMITS.max_hidden, LIMITS.max_input
    rng = np.random.default_rng(0)
    state = {"weight_ih_l0": rng.uniform(-0.03, 0.03, (3 * H, I)).astype(np.float16),
             "weight_hh_l0": rng.uniform(-0.03, 0.03, (3 * H, H)).astype(np.float16),
             "bias_ih_l0": np.zeros(3 * H, np.float16), "bias_hh_l0": np.zeros(3 * H, np.float16)}
    data = save(state)
    assert 30 * 2**20 < len(data) < LIMITS.max_file_bytes
    del state
    gru = GRU.from_torch(load_state_bytes(data, "big.safetensors"))
    assert (gru.hidden_size, gru.input_size) == (H, I)


def test_a_tensor_beyond_the_largest_model_is_refused_by_its_declared_shape():
    rows = LIMITS.max_tensor_entries // LIMITS.max_input + 1
    header = {"w": {"dtype": "F16", "shape": [rows, LIMITS.max_input], "data_offsets": [0, 2]}}
    refused(safetensors_bytes(header, bytes(2)), "m.safetensors", f"more than the {LIMITS.max_tensor_entries:,}")
