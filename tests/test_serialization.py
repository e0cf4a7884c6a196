"""numtorch.save / numtorch.load: PyTorch's checkpoint format, both directions, safely."""

from __future__ import annotations

import collections
import fractions
import io
import os
import pathlib
import pickle
import zipfile

import numpy as np
import pytest

import numtorch
from numtorch import serialization

torch = pytest.importorskip("torch")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def _array(dtype: str, shape=(3, 4), seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) > 0.5
    if dtype.startswith("float"):
        return (rng.standard_normal(shape) * 100).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


def _nt(arr, requires_grad=False):
    """A numtorch tensor over ``arr`` itself (no copy), so views of it stay views."""
    t = numtorch.from_numpy(arr)
    return t.requires_grad_(True) if requires_grad else t


def _same_bits(nt, tt):
    a = nt.detach().numpy()
    b = tt.detach().numpy()
    assert a.dtype == b.dtype and a.shape == b.shape
    assert a.tobytes() == b.tobytes()


def _nt_to_torch(obj, tmp_path, **kw):
    path = tmp_path / "nt.pt"
    numtorch.save(obj, path)
    return torch.load(path, weights_only=True, **kw)


def _torch_to_nt(obj, tmp_path, **kw):
    path = tmp_path / "torch.pt"
    torch.save(obj, path)
    return numtorch.load(path, **kw)


# --- every dtype, both directions ----------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
def test_state_dict_numtorch_to_torch_is_bit_identical(dtype, tmp_path):
    sd = collections.OrderedDict(a=_nt(_array(dtype)), b=_nt(_array(dtype, (5,), seed=1)))
    out = _nt_to_torch(sd, tmp_path)
    assert type(out) is collections.OrderedDict and list(out) == ["a", "b"]
    for k in sd:
        assert out[k].dtype == getattr(torch, dtype)
        _same_bits(sd[k], out[k])


@pytest.mark.parametrize("dtype", DTYPES)
def test_state_dict_torch_to_numtorch_is_bit_identical(dtype, tmp_path):
    sd = collections.OrderedDict(a=torch.from_numpy(_array(dtype)),
                                 b=torch.from_numpy(_array(dtype, (2, 1, 3), seed=2)))
    out = _torch_to_nt(sd, tmp_path)
    assert type(out) is collections.OrderedDict and list(out) == ["a", "b"]
    for k in sd:
        assert out[k].dtype == getattr(numtorch, dtype)
        assert isinstance(out[k], numtorch.Tensor)
        _same_bits(out[k], sd[k])


def test_nan_inf_and_negative_zero_survive_both_ways(tmp_path):
    arr = np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45], dtype=np.float32)
    _same_bits(_nt(arr), _nt_to_torch(_nt(arr), tmp_path))
    _same_bits(_torch_to_nt(torch.from_numpy(arr), tmp_path), torch.from_numpy(arr))


def test_bfloat16_from_torch_loads_as_exact_float32_with_a_warning(tmp_path):
    t = torch.randn(3, 5).to(torch.bfloat16)
    with pytest.warns(UserWarning, match="no bfloat16"):
        out = _torch_to_nt({"w": t, "d": torch.bfloat16}, tmp_path)
    assert out["w"].dtype == numtorch.float32 and out["d"] is numtorch.float32
    np.testing.assert_array_equal(out["w"].numpy(), t.float().numpy())


# --- shapes and layouts ------------------------------------------------------------


@pytest.mark.parametrize("make", [
    lambda a: a[0, 0, ...],  # 0-d view
    lambda a: a[:, 1:3],
    lambda a: a.T,
    lambda a: a[::2, ::-1][:, ::-1],  # stepped (double reversal: positive strides again)
    lambda a: a[1:, 0],
], ids=["0d-view", "slice", "transpose", "stepped", "column"])
def test_non_contiguous_views_numtorch_to_torch(make, tmp_path):
    base = _array("float32", (4, 6))
    view = make(base)
    out = _nt_to_torch({"v": _nt(view)}, tmp_path)["v"]
    np.testing.assert_array_equal(out.numpy(), view)
    assert out.stride() == tuple(s // 4 for s in view.strides)


def test_negative_strides_are_saved_as_a_copy(tmp_path):
    base = _array("float32", (4, 6))
    out = _nt_to_torch({"v": _nt(base[::-1])}, tmp_path)["v"]
    np.testing.assert_array_equal(out.numpy(), base[::-1])


def test_non_contiguous_torch_to_numtorch(tmp_path):
    base = torch.randn(5, 6)
    sd = {"t": base.t(), "s": base[1:, ::3], "e": base.expand(2, 5, 6)}
    out = _torch_to_nt(sd, tmp_path)
    for k, v in sd.items():
        assert out[k].stride() == v.stride(), k
        assert out[k].storage_offset() == v.storage_offset(), k
        np.testing.assert_array_equal(out[k].numpy(), v.numpy())


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_zero_dim_and_empty_tensors_both_ways(dtype, tmp_path):
    np_dtype = np.dtype(dtype)
    objs = {"s": np.array(7, dtype=np_dtype), "e": np.zeros((0, 3), np_dtype),
            "e1": np.zeros((0,), np_dtype)}
    out = _nt_to_torch({k: _nt(v) for k, v in objs.items()}, tmp_path)
    back = _torch_to_nt(out, tmp_path)
    for k, v in objs.items():
        assert tuple(out[k].shape) == v.shape and tuple(back[k].shape) == v.shape
        assert out[k].dtype == getattr(torch, dtype) and back[k].dtype == getattr(numtorch, dtype)
        np.testing.assert_array_equal(back[k].numpy(), v)


def test_views_of_one_base_are_written_once_and_share_memory_in_torch(tmp_path):
    base = _nt(_array("float32", (4, 5)))
    sd = {"full": base, "row": base[1], "col": base[:, 2], "t": base.t()}
    path = tmp_path / "views.pt"
    numtorch.save(sd, path)
    storages = [n for n in zipfile.ZipFile(path).namelist() if "/data/" in n]
    assert len(storages) == 1
    out = torch.load(path, weights_only=True)
    out["row"][0] = 1234.0
    assert out["full"][1, 0].item() == 1234.0
    assert out["t"][0, 1].item() == 1234.0
    assert out["col"].storage_offset() == 2 and out["col"].stride() == (5,)


def test_views_sharing_storage_from_torch_share_memory_in_numtorch(tmp_path):
    base = torch.arange(20.0).reshape(4, 5)
    out = _torch_to_nt({"full": base, "row": base[2], "col": base[:, 1]}, tmp_path)
    assert np.shares_memory(out["full"].numpy(), out["row"].numpy())
    out["row"][1] = -1.0
    assert out["full"][2, 1].item() == -1.0
    assert out["col"][2].item() == -1.0
    assert out["row"].storage_offset() == 10 and out["col"].stride() == (5,)


def test_shared_storage_round_trips_numtorch_to_numtorch(tmp_path):
    base = _nt(_array("float64", (3, 3)))
    out = numtorch.load(_save_bytes({"a": base, "b": base[1:, 1:], "c": [base.t()]}))
    assert np.shares_memory(out["a"].numpy(), out["b"].numpy())
    assert np.shares_memory(out["a"].numpy(), out["c"][0].numpy())
    out["b"][0, 0] = 99.0
    assert out["a"][1, 1].item() == 99.0 and out["c"][0][1, 1].item() == 99.0


def test_views_with_different_dtypes_of_one_buffer_are_saved_separately(tmp_path):
    arr = np.arange(4, dtype=np.float32)
    sd = {"f": _nt(arr), "i": _nt(arr.view(np.int32))}
    out = _nt_to_torch(sd, tmp_path)
    _same_bits(sd["f"], out["f"])
    _same_bits(sd["i"], out["i"])


def test_same_tensor_twice_is_one_object_after_load(tmp_path):
    t = _nt(_array("float32"))
    out = numtorch.load(_save_bytes([t, t]))
    assert out[0] is out[1]


# --- autograd flags, Parameters -----------------------------------------------------


def test_requires_grad_round_trips_both_ways(tmp_path):
    sd = {"g": _nt(_array("float32"), requires_grad=True), "n": _nt(_array("float32"))}
    out = _nt_to_torch(sd, tmp_path)
    assert out["g"].requires_grad and not out["n"].requires_grad
    back = _torch_to_nt(out, tmp_path)
    assert back["g"].requires_grad and back["g"].is_leaf and not back["n"].requires_grad


def test_non_leaf_tensor_is_saved_as_a_leaf_that_requires_grad(tmp_path):
    x = numtorch.ones(3, requires_grad=True)
    out = numtorch.load(_save_bytes(x * 2))
    assert out.requires_grad and out.is_leaf and out.tolist() == [2.0, 2.0, 2.0]


def test_parameters_round_trip_both_ways(tmp_path):
    p = numtorch.nn.Parameter(numtorch.randn(3, 2))
    frozen = numtorch.nn.Parameter(numtorch.randn(2), requires_grad=False)
    out = _nt_to_torch({"p": p, "f": frozen}, tmp_path)
    assert type(out["p"]) is torch.nn.Parameter and out["p"].requires_grad
    assert type(out["f"]) is torch.nn.Parameter and not out["f"].requires_grad
    _same_bits(p, out["p"])
    back = _torch_to_nt(out, tmp_path)
    assert type(back["p"]) is numtorch.nn.Parameter and back["p"].requires_grad
    assert type(back["f"]) is numtorch.nn.Parameter and not back["f"].requires_grad
    _same_bits(back["p"], out["p"])


def test_tensor_with_python_attributes_from_torch(tmp_path):
    t = torch.ones(2)
    t.foo = 3
    out = _torch_to_nt({"t": t}, tmp_path)
    assert type(out["t"]) is numtorch.Tensor and out["t"].foo == 3


def test_parameter_with_python_attributes_from_torch(tmp_path):
    p = torch.nn.Parameter(torch.randn(2))
    p.tag = "hello"
    out = _torch_to_nt({"p": p}, tmp_path)
    assert type(out["p"]) is numtorch.nn.Parameter and out["p"].tag == "hello"


# --- containers, module and optimizer state dicts ----------------------------------


def test_nested_containers_and_plain_values_both_ways(tmp_path):
    def build(lib, tensor):
        return {"list": [1, 2.5, "s", None, True, tensor([1, 2])],
                "tuple": (tensor([[1.0]]), (3, 4)),
                "nested": {0: {"x": tensor(1.5)}, 1: [], "bytes": b"\x00\xff"},
                "dtype": lib.float16, "size": lib.Size([2, 3]), "dev": lib.device("cpu"),
                "set": {1, 2}, "big": 2**70, "neg": -5, "float": 1e300,
                "od": collections.OrderedDict(b=1, a=2)}

    nt_obj = build(numtorch, numtorch.tensor)
    t_obj = build(torch, torch.tensor)
    out = _nt_to_torch(nt_obj, tmp_path)
    back = _torch_to_nt(t_obj, tmp_path)
    for got, lib in ((out, torch), (back, numtorch)):
        assert got["list"][:5] == [1, 2.5, "s", None, True]
        assert got["list"][5].tolist() == [1, 2]
        assert isinstance(got["tuple"], tuple) and got["tuple"][1] == (3, 4)
        assert got["nested"][0]["x"].item() == 1.5 and got["nested"][1] == []
        assert got["nested"]["bytes"] == b"\x00\xff"
        assert got["dtype"] is lib.float16
        assert type(got["size"]) is lib.Size and tuple(got["size"]) == (2, 3)
        assert got["dev"] == lib.device("cpu")
        assert got["set"] == {1, 2} and got["big"] == 2**70 and got["float"] == 1e300
        assert type(got["od"]) is collections.OrderedDict and list(got["od"]) == ["b", "a"]


def _torch_modules():
    torch.manual_seed(0)
    return {"linear": torch.nn.Linear(4, 3), "conv": torch.nn.Conv2d(2, 4, 3),
            "lstm": torch.nn.LSTM(3, 5, num_layers=2), "bn": torch.nn.BatchNorm1d(4)}


@pytest.mark.parametrize("kind", ["linear", "conv", "lstm", "bn"])
def test_torch_module_state_dict_loads_in_numtorch(kind, tmp_path):
    sd = _torch_modules()[kind].state_dict()
    out = _torch_to_nt(sd, tmp_path)
    assert type(out) is collections.OrderedDict and list(out) == list(sd)
    assert out._metadata == sd._metadata  # the version info load_state_dict reads
    for k, v in sd.items():
        _same_bits(out[k], v)


def test_torch_linear_state_dict_loads_into_numtorch_linear(tmp_path):
    t = torch.nn.Linear(4, 3)
    m = numtorch.nn.Linear(4, 3)
    m.load_state_dict(_torch_to_nt(t.state_dict(), tmp_path))
    x = np.random.default_rng(0).standard_normal((2, 4)).astype(np.float32)
    np.testing.assert_allclose(m(numtorch.tensor(x)).detach().numpy(),
                               t(torch.tensor(x)).detach().numpy(), rtol=1e-6)


def test_numtorch_linear_state_dict_loads_into_torch_linear(tmp_path):
    m = numtorch.nn.Linear(4, 3)
    t = torch.nn.Linear(4, 3)
    t.load_state_dict(_nt_to_torch(m.state_dict(), tmp_path))
    _same_bits(m.weight, t.weight)
    _same_bits(m.bias, t.bias)


def test_torch_optimizer_state_dict_round_trips(tmp_path):
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(4, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    out = _torch_to_nt(sd, tmp_path)
    assert out["param_groups"] == sd["param_groups"]
    assert set(out["state"]) == {0, 1}
    step = out["state"][0]["step"]
    assert step.dim() == 0 and step.dtype == numtorch.float32 and step.item() == 1.0
    _same_bits(out["state"][1]["exp_avg_sq"], sd["state"][1]["exp_avg_sq"])
    # and back: torch's optimizer accepts what numtorch writes
    opt2 = torch.optim.Adam(model.parameters(), lr=0.5)
    opt2.load_state_dict(_nt_to_torch(out, tmp_path))
    assert opt2.param_groups[0]["lr"] == 0.01
    assert torch.equal(opt2.state[model.weight]["exp_avg"], sd["state"][0]["exp_avg"])


def test_numtorch_optimizer_state_dict_loads_in_torch(tmp_path):
    model = numtorch.nn.Linear(3, 2)
    opt = numtorch.optim.Adam(model.parameters(), lr=0.01)
    model(numtorch.randn(4, 3)).sum().backward()
    opt.step()
    sd = opt.state_dict()
    out = _nt_to_torch(sd, tmp_path)
    assert out["param_groups"][0]["lr"] == 0.01 and set(out["state"]) == {0, 1}
    _same_bits(sd["state"][0]["exp_avg"], out["state"][0]["exp_avg"])
    back = numtorch.load(_save_bytes(sd))
    assert back["param_groups"] == sd["param_groups"]


# --- weights_only=False: whole objects ----------------------------------------------


def test_module_saved_whole_loads_with_weights_only_false(tmp_path):
    m = numtorch.nn.Linear(3, 2)
    numtorch.save(m, tmp_path / "model.pth")
    out = numtorch.load(tmp_path / "model.pth", weights_only=False)
    assert type(out) is numtorch.nn.Linear and type(out.weight) is numtorch.nn.Parameter
    _same_bits(out.weight, m.weight)
    x = numtorch.randn(5, 3)
    np.testing.assert_array_equal(out(x).detach().numpy(), m(x).detach().numpy())
    with pytest.raises(pickle.UnpicklingError, match="weights_only"):
        numtorch.load(tmp_path / "model.pth")


def test_torch_state_dict_loads_with_weights_only_false(tmp_path):
    sd = torch.nn.Linear(2, 2).state_dict()
    out = _torch_to_nt(sd, tmp_path, weights_only=False)
    for k in sd:
        _same_bits(out[k], sd[k])


def test_whole_torch_module_loads_as_the_numtorch_module(tmp_path):
    m = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU())
    out = _torch_to_nt(m, tmp_path, weights_only=False)
    assert type(out) is numtorch.nn.Sequential and type(out[0]) is numtorch.nn.Linear
    x = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_allclose(out(numtorch.tensor(x)).detach().numpy(),
                               m(torch.tensor(x)).detach().numpy(), rtol=1e-6)


def test_torch_object_without_numtorch_equivalent_is_a_clear_error():
    buf = _zip_with_pickle(_proto2(_global("torch.no_such_module", "Thing")))
    with pytest.raises(pickle.UnpicklingError, match="Thing has no numtorch equivalent"):
        numtorch.load(buf, weights_only=False)


def test_explicit_pickle_module_needs_weights_only_false():
    with pytest.raises(RuntimeError, match="pickle_module"):
        numtorch.load(io.BytesIO(b""), pickle_module=pickle)
    assert numtorch.load(_save_bytes([1]), pickle_module=pickle, weights_only=False) == [1]


# --- weights_only=True refuses code ---------------------------------------------------


class _Evil:
    def __init__(self, target):
        self.target = str(target)

    def __reduce__(self):
        return (os.system, (f"echo pwned > {self.target}",))


def _zip_with_pickle(pkl: bytes, archive="archive") -> io.BytesIO:
    """A file in torch's layout whose data.pkl is ``pkl``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(f"{archive}/data.pkl", pkl)
        zf.writestr(f"{archive}/byteorder", "little")
        zf.writestr(f"{archive}/version", "3\n")
        zf.writestr(f"{archive}/data/0", b"")
    buf.seek(0)
    return buf


def test_malicious_pickle_in_torch_layout_is_refused(tmp_path):
    target = tmp_path / "pwned"
    buf = _zip_with_pickle(pickle.dumps({"x": _Evil(target)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match=r"system was not an allowed global") as e:
        numtorch.load(buf)
    assert "weights_only" in str(e.value) and "<BytesIO>" in str(e.value)
    assert not target.exists()


def test_malicious_object_saved_by_torch_is_refused_then_runs_when_opted_out(tmp_path):
    target = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    torch.save([torch.ones(2), _Evil(target)], path)
    with pytest.raises(pickle.UnpicklingError, match=str(path)):
        numtorch.load(path)
    assert not target.exists()
    numtorch.load(path, weights_only=False)  # the documented opt-out really unpickles
    assert target.exists()


def test_malicious_object_saved_by_numtorch_is_refused(tmp_path):
    target = tmp_path / "pwned"
    numtorch.save({"w": numtorch.ones(2), "e": _Evil(target)}, tmp_path / "e.pt")
    with pytest.raises(pickle.UnpicklingError, match="allowed global"):
        numtorch.load(tmp_path / "e.pt")
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / "e.pt", weights_only=True)
    assert not target.exists()


def _proto2(*ops: bytes) -> bytes:
    return b"\x80\x02" + b"".join(ops) + b"."


def _global(module, name):
    return b"c" + f"{module}\n{name}\n".encode()


@pytest.mark.parametrize("pkl, match", [
    (_proto2(_global("builtins", "eval"), b"X\x01\x00\x00\x001\x85R"), "eval was not an allowed"),
    (_proto2(_global("builtins", "getattr")), "getattr was not an allowed"),
    (_proto2(_global("numtorch.serialization", "_write_zip")), "_write_zip was not an allowed"),
    # BUILD on something that is not an OrderedDict
    (_proto2(_global("torch", "Size"), b")\x85R}b"), "Can only build"),
    # OrderedDict BUILD that would set a non-string attribute
    (_proto2(_global("collections", "OrderedDict"), b")R}K\x01K\x02sb"), "Can only build"),
    # REDUCE of a non-callable allowed object (a dtype)
    (_proto2(_global("torch", "float32"), b")R"), "unrecognized function"),
    # APPEND into something that is not a list
    (_proto2(_global("builtins", "set"), b")RK\x01a"), "Can only append"),
    # NEWOBJ of a disallowed class (device)
    (_proto2(_global("torch", "device"), b"X\x03\x00\x00\x00cpu\x85\x81"), "create new object"),
    # _rebuild_from_type_v2 calling something that is not a tensor rebuild function
    (_proto2(_global("torch._tensor", "_rebuild_from_type_v2"), b"(",
             _global("builtins", "set"), _global("torch", "Tensor"), b")}tR"),
     "only calls tensor rebuild"),
    # a state that would overwrite a Tensor attribute (its hooks)
    (_proto2(_global("torch._utils", "_rebuild_parameter_with_state"), b"(",
             _global("torch._utils", "_rebuild_tensor_v2"),
             b"((X\x07\x00\x00\x00storage", _global("torch", "FloatStorage"),
             b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x00tQK\x00K\x00\x85K\x01\x85\x89tR"
             b"\x88N}X\x06\x00\x00\x00_hooksK\x01stR"), "refusing to set attribute"),
    # persistent ids other than storages
    (_proto2(b"X\x06\x00\x00\x00module\x85Q"), "Only persistent_load of storage"),
    (_proto2(b"(X\x07\x00\x00\x00storageK\x01X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQ"),
     "invalid storage id"),
])
def test_weights_only_refuses_disallowed_opcodes(pkl, match):
    with pytest.raises(pickle.UnpicklingError, match=match):
        numtorch.load(_zip_with_pickle(pkl))


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def test_add_safe_globals_allowlists_a_class():
    buf = _save_bytes({"p": Point(1, numtorch.ones(2))})
    with pytest.raises(pickle.UnpicklingError, match=r"add_safe_globals\(\[.*Point\]\)"):
        numtorch.load(buf)
    with serialization.safe_globals([Point]):
        assert Point in serialization.get_safe_globals()
        buf.seek(0)
        p = numtorch.load(buf)["p"]
    assert type(p) is Point and p.x == 1 and p.y.tolist() == [1.0, 1.0]
    assert Point not in serialization.get_safe_globals()
    serialization.add_safe_globals([(Point, f"{__name__}.Point")])
    try:
        buf.seek(0)
        assert numtorch.load(buf)["p"].x == 1
    finally:
        serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []


def test_weights_only_none_follows_pickle_module():
    buf = _save_bytes({"p": Point(1, 2)})
    with pytest.raises(pickle.UnpicklingError, match="Point"):
        numtorch.load(buf, weights_only=None)
    buf.seek(0)
    assert numtorch.load(buf, pickle_module=pickle, weights_only=None)["p"].y == 2


def test_weights_only_refuses_inst_and_ext_opcodes():
    inst = b"(ibuiltins\nobject\n."  # protocol 0 INST
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        numtorch.load(_zip_with_pickle(inst))


# --- corrupt files --------------------------------------------------------------------


def _good_file(tmp_path):
    path = tmp_path / "good.pt"
    numtorch.save({"w": numtorch.randn(64, 64), "b": numtorch.zeros(8)}, path)
    return path


def test_truncated_file_is_a_clear_error_naming_it(tmp_path):
    raw = _good_file(tmp_path).read_bytes()
    bad = tmp_path / "half.pt"
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(RuntimeError, match="half.pt.*not a valid checkpoint"):
        numtorch.load(bad)


def test_garbage_and_empty_files_are_clear_errors(tmp_path):
    (tmp_path / "junk.pt").write_bytes(b"this is not a checkpoint at all")
    with pytest.raises(RuntimeError, match="junk.pt.*neither a zip archive"):
        numtorch.load(tmp_path / "junk.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(RuntimeError, match="empty.pt.*empty"):
        numtorch.load(tmp_path / "empty.pt")
    (tmp_path / "pickle.pt").write_bytes(b"\x80\x02garbage")
    with pytest.raises(RuntimeError, match="pickle.pt"):
        numtorch.load(tmp_path / "pickle.pt")


def test_corrupted_storage_bytes_fail_the_crc_check(tmp_path):
    path = _good_file(tmp_path)
    raw = bytearray(path.read_bytes())
    info = zipfile.ZipFile(path).getinfo("good/data/0")
    raw[info.header_offset + 200] ^= 0xFF  # inside the first storage's data
    path.write_bytes(bytes(raw))
    with pytest.raises(RuntimeError, match="good.pt.*CRC"):
        numtorch.load(path)


def test_storage_record_of_the_wrong_size_is_an_error(tmp_path):
    good = zipfile.ZipFile(_good_file(tmp_path))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in good.namelist():
            data = good.read(name)
            zf.writestr(name, data[:-4] if name == "good/data/1" else data)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="holds 28 bytes, expected 32"):
        numtorch.load(buf)


def test_zip_without_data_pkl_is_an_error():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a/other", b"x")
    buf.seek(0)
    with pytest.raises(RuntimeError, match="no '<archive>/data.pkl'"):
        numtorch.load(buf)


# --- files, paths, buffers -------------------------------------------------------------


def _save_bytes(obj) -> io.BytesIO:
    buf = io.BytesIO()
    numtorch.save(obj, buf)
    buf.seek(0)
    return buf


def test_str_path_pathlib_bytesio_and_open_files(tmp_path):
    t = numtorch.randn(3)
    numtorch.save(t, str(tmp_path / "a.pt"))
    numtorch.save(t, pathlib.Path(tmp_path / "b.pt"))
    with open(tmp_path / "c.pt", "wb") as fh:
        numtorch.save(t, fh)
    for name in ("a.pt", "b.pt", "c.pt"):
        _same_bits(numtorch.load(str(tmp_path / name)), torch.load(tmp_path / name))
        with open(tmp_path / name, "rb") as fh:
            _same_bits(numtorch.load(fh), torch.load(tmp_path / name))
    _same_bits(numtorch.load(_save_bytes(t)), torch.load(_save_bytes(t)))


def test_torch_saved_buffer_and_non_seekable_stream(tmp_path):
    buf = io.BytesIO()
    torch.save({"x": torch.arange(5)}, buf)

    class Stream:  # read() only: no seek, no tell
        def __init__(self, data):
            self._b = io.BytesIO(data)

        def read(self, n=-1):
            return self._b.read(n)

    assert numtorch.load(Stream(buf.getvalue()))["x"].tolist() == [0, 1, 2, 3, 4]


def test_records_are_aligned_to_64_bytes(tmp_path):
    path = tmp_path / "aligned.pt"
    numtorch.save({"a": numtorch.randn(3), "b": numtorch.zeros(5, dtype=numtorch.int8)}, path)
    raw = path.read_bytes()
    for info in zipfile.ZipFile(path).infolist():
        start = info.header_offset + 30 + int.from_bytes(raw[info.header_offset + 26:
                                                            info.header_offset + 28], "little")
        start += int.from_bytes(raw[info.header_offset + 28: info.header_offset + 30], "little")
        assert start % 64 == 0, info.filename


def test_torch_memory_maps_numtorch_files(tmp_path):
    sd = {"w": numtorch.randn(16, 16), "v": numtorch.arange(10.0)[2:]}
    numtorch.save(sd, tmp_path / "m.pt")
    out = torch.load(tmp_path / "m.pt", mmap=True, weights_only=True)
    _same_bits(sd["w"], out["w"])
    assert out["v"].storage_offset() == 2 and out["v"].tolist() == list(range(2, 10))


def test_save_into_a_stream_after_other_data(tmp_path):
    buf = io.BytesIO(b"header")
    buf.seek(0, io.SEEK_END)
    numtorch.save({"v": numtorch.arange(3.0)}, buf)
    buf.write(b"trailer")
    for load in (torch.load, numtorch.load):
        buf.seek(6)
        assert load(buf)["v"].tolist() == [0.0, 1.0, 2.0]


def test_pickle_protocol_4_round_trips_in_numtorch():
    buf = io.BytesIO()
    numtorch.save({"v": numtorch.arange(3.0), "s": {1, 2}, "b": b"x"}, buf, pickle_protocol=4)
    buf.seek(0)
    out = numtorch.load(buf)
    assert out["v"].tolist() == [0.0, 1.0, 2.0] and out["s"] == {1, 2} and out["b"] == b"x"


def test_mmap_load_shares_the_file_pages_and_needs_a_path(tmp_path):
    path = _good_file(tmp_path)
    out = numtorch.load(path, mmap=True)
    ref = numtorch.load(path)
    np.testing.assert_array_equal(out["w"].numpy(), ref["w"].numpy())
    out["w"][0, 0] = 5.0  # copy-on-write: the file is not changed
    assert numtorch.load(path)["w"][0, 0].item() == ref["w"][0, 0].item()
    with pytest.raises(ValueError, match="mmap"):
        numtorch.load(io.BytesIO(path.read_bytes()), mmap=True)


def test_save_to_a_missing_folder_or_a_non_file_is_an_error(tmp_path):
    with pytest.raises(RuntimeError, match="Parent directory .* does not exist"):
        numtorch.save(numtorch.ones(1), tmp_path / "nope" / "x.pt")
    with pytest.raises(AttributeError, match="file-like object"):
        numtorch.save(numtorch.ones(1), 42)
    with pytest.raises(AttributeError, match="file-like object"):
        numtorch.load(42)


# --- atomic writes ------------------------------------------------------------------------


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_unpicklable_object_leaves_the_old_file_intact(tmp_path):
    path = tmp_path / "ckpt.pt"
    numtorch.save({"w": numtorch.ones(3)}, path)
    before = path.read_bytes()
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        numtorch.save({"w": numtorch.zeros(3), "f": lambda x: x}, path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []


def test_failure_while_writing_leaves_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.pt"
    numtorch.save({"w": numtorch.ones(3)}, path)
    before = path.read_bytes()

    def broken(fh, *args):
        fh.write(b"PK\x03\x04partial")
        raise OSError("disk full")

    monkeypatch.setattr(serialization, "_write_zip", broken)
    with pytest.raises(OSError, match="disk full"):
        numtorch.save({"w": numtorch.zeros(3)}, path)
    assert path.read_bytes() == before
    assert _leftovers(tmp_path) == []
    assert numtorch.load(path)["w"].tolist() == [1.0, 1.0, 1.0]


def test_save_keeps_file_permissions_of_a_new_file(tmp_path):
    path = tmp_path / "perm.pt"
    numtorch.save(numtorch.ones(1), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# --- map_location -------------------------------------------------------------------------


def _file_on(location: str) -> io.BytesIO:
    """A numtorch checkpoint whose storages claim to live on ``location``."""
    good = zipfile.ZipFile(_save_bytes({"w": numtorch.arange(3.0)}))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in good.namelist():
            data = good.read(name)
            if name.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu",
                                    b"X" + len(location).to_bytes(4, "little") + location.encode())
            zf.writestr(name, data)
    buf.seek(0)
    return buf


@pytest.mark.parametrize("map_location", [
    None, "cpu", numtorch.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage,
    lambda storage, loc: None, lambda storage, loc: storage.cpu()])
def test_map_location_variants_on_a_cpu_file(map_location):
    out = numtorch.load(_save_bytes({"w": numtorch.arange(3.0)}), map_location=map_location)
    assert out["w"].device == numtorch.device("cpu") and out["w"].tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("map_location", [
    "cpu", numtorch.device("cpu"), {"cuda:0": "cpu"}, {"cuda:0": numtorch.device("cpu")},
    lambda storage, loc: storage.cpu()])
def test_map_location_moves_cuda_storages_to_cpu(map_location):
    out = numtorch.load(_file_on("cuda:0"), map_location=map_location)
    assert out["w"].device == numtorch.device("cpu") and out["w"].tolist() == [0.0, 1.0, 2.0]


def test_callable_map_location_sees_the_saved_location():
    seen = []
    numtorch.load(_file_on("cuda:0"), map_location=lambda s, loc: seen.append(loc) or s.cpu())
    assert seen == ["cuda:0"]


@pytest.mark.skipif(numtorch.cuda.is_available(), reason="needs a machine without a GPU")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(RuntimeError, match="CUDA device but numtorch.cuda.is_available"):
        numtorch.load(_file_on("cuda:0"))
    with pytest.raises(RuntimeError, match="map_location=numtorch.device\\('cpu'\\)"):
        numtorch.load(_save_bytes(numtorch.ones(1)), map_location="cuda")


def test_bad_map_location_is_an_error():
    with pytest.raises(ValueError, match="map_location"):
        numtorch.load(_save_bytes(numtorch.ones(1)), map_location=3.5)
    with pytest.raises(TypeError, match="map_location should return a storage"):
        numtorch.load(_save_bytes(numtorch.ones(1)), map_location=lambda s, loc: 1)


# --- the legacy (pre-1.6) format ------------------------------------------------------


def test_legacy_format_from_torch_loads(tmp_path):
    base = torch.arange(12.0).reshape(3, 4)
    path = tmp_path / "legacy.pt"
    torch.save({"a": base, "v": base[1:, 1:], "i": torch.tensor([1, 2], dtype=torch.int16)},
               path, _use_new_zipfile_serialization=False)
    out = numtorch.load(path)
    np.testing.assert_array_equal(out["v"].numpy(), base[1:, 1:].numpy())
    assert out["i"].dtype == numtorch.int16
    out["v"][0, 0] = -1.0
    assert out["a"][1, 1].item() == -1.0


def test_legacy_format_written_by_numtorch_loads_in_torch(tmp_path):
    base = numtorch.arange(6.0).reshape(2, 3)
    path = tmp_path / "legacy.pt"
    numtorch.save({"a": base, "t": base.t()}, path, _use_new_zipfile_serialization=False)
    out = torch.load(path, weights_only=True)
    np.testing.assert_array_equal(out["t"].numpy(), base.t().numpy())
    back = numtorch.load(path)
    np.testing.assert_array_equal(back["t"].numpy(), base.t().numpy())


def test_module_holding_functional_relu_saves_whole(tmp_path):
    # TransformerEncoderLayer keeps F.relu itself as its activation (word_language_model
    # saves its whole Transformer): pickle must find that function again by name.
    numtorch.manual_seed(0)
    layer = numtorch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
    numtorch.save(layer, tmp_path / "layer.pt")
    out = numtorch.load(tmp_path / "layer.pt", weights_only=False)
    assert out.activation is numtorch.nn.functional.relu
    x = numtorch.randn(5, 3, 8)
    np.testing.assert_array_equal(out(x).detach().numpy(), layer(x).detach().numpy())


def test_whole_torch_transformer_layer_loads_and_safe_globals_use_torchs_paths(tmp_path):
    torch.manual_seed(0)
    m = torch.nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
    out = _torch_to_nt(m, tmp_path, weights_only=False)
    assert type(out.self_attn) is numtorch.nn.MultiheadAttention
    x = np.random.default_rng(0).standard_normal((5, 3, 8)).astype(np.float32)
    np.testing.assert_allclose(out(numtorch.tensor(x)).detach().numpy(),
                               m(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    # the allow-list a PyTorch program writes, spelled with numtorch's (= torch's) paths
    nn = numtorch.nn
    allowed = [nn.functional.relu, nn.modules.activation.MultiheadAttention,
               nn.modules.container.ModuleList, nn.modules.dropout.Dropout,
               nn.modules.linear.Linear, nn.modules.linear.NonDynamicallyQuantizableLinear,
               nn.modules.normalization.LayerNorm,
               nn.modules.transformer.TransformerEncoderLayer]
    numtorch.save(out, tmp_path / "ours.pt")
    with serialization.safe_globals(allowed):
        back = numtorch.load(tmp_path / "ours.pt")
    assert type(back) is nn.TransformerEncoderLayer and back.activation is nn.functional.relu


def test_get_unsafe_globals_in_checkpoint_lists_what_weights_only_would_refuse(tmp_path):
    import numtorch.serialization as ns

    ours, theirs = tmp_path / "ours.pt", tmp_path / "theirs.pt"
    numtorch.save(numtorch.nn.Sequential(numtorch.nn.Linear(2, 2)), ours)
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)), theirs)
    assert sorted(ns.get_unsafe_globals_in_checkpoint(ours)) == [
        "numtorch.nn.modules.container.Sequential", "numtorch.nn.modules.linear.Linear"]
    # a PyTorch file lists what torch's own function lists for it
    assert sorted(ns.get_unsafe_globals_in_checkpoint(theirs)) == \
        sorted(torch.serialization.get_unsafe_globals_in_checkpoint(theirs))
    with ns.safe_globals([numtorch.nn.Sequential]):
        assert ns.get_unsafe_globals_in_checkpoint(ours) == ["numtorch.nn.modules.linear.Linear"]
    numtorch.save(numtorch.nn.Linear(2, 2).state_dict(), ours)
    assert ns.get_unsafe_globals_in_checkpoint(ours) == []
    # protocol 4 memoizes every object by count (MEMOIZE): objects memoized before a string
    # must not shift which string a later BINGET names (Counter read 'OrderedDict.Counter')
    numtorch.save({"a": numtorch.ones(2), "b": fractions.Fraction(1, 3),
                   "c": collections.Counter("ab")}, ours, pickle_protocol=4)
    assert ns.get_unsafe_globals_in_checkpoint(ours) == ["fractions.Fraction"]
    (tmp_path / "junk").write_bytes(b"not a zip")
    for lib in (ns, torch.serialization):
        with pytest.raises(ValueError, match="Expected input to be a checkpoint returned by "
                                             "torch.save"):
            lib.get_unsafe_globals_in_checkpoint(tmp_path / "junk")


def test_saving_a_tensor_with_gradient_hooks_warns_as_torch(tmp_path):
    import warnings

    from numtorch.utils.hooks import unserializable_hook

    def saved_warnings(lib, make):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.save(make(lib), tmp_path / "t.pt")
        return [str(w.message).split(" on tensor")[1].replace("torch.", "numtorch.")
                .replace("numnumtorch", "numtorch") for w in caught
                if "backward hook" in str(w.message)], [w.filename for w in caught]

    def leaf_with_hook(lib):
        t = lib.ones(2, requires_grad=True)
        t.register_hook(lambda g: g)
        return t

    def marked(lib):
        t = lib.ones(2, requires_grad=True)
        t.register_hook((unserializable_hook if lib is numtorch
                         else torch.utils.hooks.unserializable_hook)(lambda g: g))
        return t

    ours, where = saved_warnings(numtorch, leaf_with_hook)
    theirs, _ = saved_warnings(torch, leaf_with_hook)
    assert ours == theirs and len(ours) == 1
    assert where == [__file__]  # the line that saved, not numtorch's or pickle's
    assert saved_warnings(numtorch, marked)[0] == saved_warnings(torch, marked)[0] == []
