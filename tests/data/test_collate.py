"""default_collate / default_convert against torch's on a zoo of nested samples."""

import collections

import numpy as np
import pytest

import numtorch
from numtorch.utils.data import default_collate, default_convert
from tests.utils import to_torch

torch = pytest.importorskip("torch")
tud = torch.utils.data

Point = collections.namedtuple("Point", "x y")


class FrozenMap(collections.abc.Mapping):
    """A read-only mapping whose constructor takes a dict."""

    def __init__(self, d):
        self._d = dict(d)

    def __getitem__(self, k):
        return self._d[k]

    def __iter__(self):
        return iter(self._d)

    def __len__(self):
        return len(self._d)


def in_library(value, lib):
    """The same sample with numtorch tensors (lib='nt') or torch tensors (lib='torch')."""
    if isinstance(value, numtorch.Tensor):
        return value if lib == "nt" else to_torch(value)
    if isinstance(value, dict):
        return {k: in_library(v, lib) for k, v in value.items()}
    if isinstance(value, Point):
        return Point(*(in_library(v, lib) for v in value))
    if isinstance(value, (list, tuple)):
        return type(value)(in_library(v, lib) for v in value)
    return value


def assert_same_structure(ours, theirs):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, numtorch.Tensor), type(ours)
        assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        return
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    if isinstance(theirs, np.ndarray):
        np.testing.assert_array_equal(ours, theirs)
    elif isinstance(theirs, collections.abc.Mapping):
        assert list(ours) == list(theirs)
        for k in theirs:
            assert_same_structure(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same_structure(a, b)
    else:
        assert ours == theirs


ZOO = {
    "tensors": [numtorch.arange(3.), numtorch.ones(3)],
    "int_tensors_0d": [numtorch.tensor(1), numtorch.tensor(2)],
    "floats": [1.5, 2.0, -3.25],
    "ints": [1, 2, 3],
    "bools": [True, False],
    "strings": ["a", "bc"],
    "bytes": [b"x", b"y"],
    "np_arrays": [np.arange(4, dtype=np.float32).reshape(2, 2), np.ones((2, 2), np.float32)],
    "np_int_arrays": [np.arange(3, dtype=np.int16), np.arange(3, dtype=np.int16)],
    "np_scalars": [np.float32(1.5), np.float32(2.5)],
    "np_int_scalars": [np.int32(4), np.int32(5)],
    "np_bool_scalars": [np.bool_(True), np.bool_(False)],
    "tuples": [(numtorch.zeros(2), 1, "a"), (numtorch.ones(2), 2, "b")],
    "lists": [[1.0, 2], [3.0, 4]],
    "dicts": [{"img": numtorch.zeros(2, 2), "label": 3, "name": "u"},
              {"img": numtorch.ones(2, 2), "label": 4, "name": "v"}],
    "namedtuples": [Point(numtorch.zeros(1), 1.0), Point(numtorch.ones(1), 2.0)],
    "nested": [{"a": [(1, {"b": np.float64(1.0)})], "c": Point([1, 2], "s")},
               {"a": [(2, {"b": np.float64(2.0)})], "c": Point([3, 4], "t")}],
}


@pytest.mark.parametrize("name", sorted(ZOO))
def test_default_collate_matches_torch(name):
    batch = ZOO[name]
    ours = default_collate(in_library(batch, "nt"))
    theirs = tud.default_collate(in_library(batch, "torch"))
    assert_same_structure(ours, theirs)


@pytest.mark.parametrize("name", sorted(ZOO))
def test_default_convert_matches_torch(name):
    sample = ZOO[name][0]
    ours = default_convert(in_library(sample, "nt"))
    theirs = tud.default_convert(in_library(sample, "torch"))
    assert_same_structure(ours, theirs)


def test_collate_keeps_mapping_types():
    od = [collections.OrderedDict(a=1), collections.OrderedDict(a=2)]
    assert type(default_collate(od)) is collections.OrderedDict
    frozen = default_collate([FrozenMap({"a": 1.0}), FrozenMap({"a": 2.0})])
    assert type(frozen) is FrozenMap and frozen["a"].tolist() == [1.0, 2.0]
    dd = collections.defaultdict(list, k=3)
    out = default_collate([dd, dd])
    assert type(out) is collections.defaultdict and out.default_factory is list


def test_convert_leaves_string_arrays_and_plain_values():
    s = np.array(["a", "b"])
    assert default_convert(s) is s
    assert default_convert(3) == 3 and default_convert("x") == "x"
    assert isinstance(default_convert(np.arange(2)), numtorch.Tensor)


def test_collate_errors_match_torch():
    with pytest.raises(RuntimeError, match=r"stack expects each tensor to be equal size, but got "
                                           r"\[3\] at entry 0 and \[4\] at entry 1"):
        default_collate([numtorch.zeros(3), numtorch.zeros(4)])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of "
                                           "equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors, numpy "
                                        "arrays, numbers, dicts or lists; found <class 'object'>"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="found <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="found <class 'NoneType'>"):
        default_collate([None, None])
