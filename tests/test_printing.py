"""Printing: ``repr(numtorch_tensor)`` is PyTorch's text with ``torch.`` -> ``numtorch.``.

Every case builds the same NumPy array in both libraries and compares the reprs
character for character.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import numtorch
from numtorch import _tensor_str

torch = pytest.importorskip("torch")

FLOATS = ["float16", "float32", "float64"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]
SHAPES = [(), (5,), (0,), (0, 3), (3, 0, 2), (200,), (3, 4), (2, 3, 4), (1001,), (40, 40),
          (3, 1000), (2, 2, 2, 2), (1, 1)]
SCALES = [1e-6, 1e-3, 1.0, 1e3, 1e9]


@pytest.fixture(autouse=True)
def _restore_print_state():
    """Both libraries start and end each test with default print options and dtype."""
    numtorch.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    yield
    numtorch.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    numtorch.set_default_dtype(numtorch.float32)


def expected(t) -> str:
    return repr(t).replace("torch.", "numtorch.")


def check(array, requires_grad=False, op=None):
    """Assert both libraries print ``op(tensor(array))`` the same way; return numtorch's text."""
    array = np.asarray(array)
    a = numtorch.from_numpy(array.copy())
    t = torch.from_numpy(array.copy())
    if requires_grad:
        a.requires_grad_(True)
        t.requires_grad_(True)
    if op is not None:
        a, t = op(a), op(t)
    got = repr(a)
    assert got == expected(t)
    return got


def normal(shape, scale, dtype, seed=0):
    rng = np.random.default_rng(seed)
    with np.errstate(over="ignore"):  # 1e9 overflows float16 to inf, as it would in torch
        return np.asarray(rng.standard_normal(shape) * scale).astype(dtype)


def sprinkle(array, seed=1):
    """Replace some entries with nan, inf, -inf and -0.0."""
    array = array.copy()
    flat = array.reshape(-1)
    if flat.size:
        rng = np.random.default_rng(seed)
        idx = rng.choice(flat.size, size=min(flat.size, 4), replace=False)
        for i, v in zip(idx, [np.nan, np.inf, -np.inf, -0.0]):
            flat[i] = v
    return array


# --- values and shapes ----------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_float_values_print_as_torch(shape, scale, dtype):
    check(normal(shape, scale, dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4), (1001,), (40, 40)], ids=str)
def test_float_values_with_nan_inf_and_negative_zero(shape, scale, dtype):
    check(sprinkle(normal(shape, scale, dtype)))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("values", [
    [1.0, 2.0, 3.0],
    [1.0, -2.0, 300.0],
    [0.0, 0.0],
    [-0.0, 0.0, -0.0],
    [np.nan],
    [np.nan, np.inf, -np.inf],
    [np.nan, 1.0],
    [-np.inf, 1.0, 2.0],
    [np.inf, -0.0, 1.5],
    [1e-5, 1.0],
    [1e-4, 1.0],
    [0.1, 100.0],
    [0.1, 100.1],
    [1e8, 1.0],
    [123456789.0],
    [1e10, 3.0],
    [-1e-8, 5e-9],
    [0.5, 0.25, 0.125],
    [1e20, -1e20, np.nan],
    [65504.0, -65504.0],
    [0.00012, 0.1],
    [2.5, 1000.0, 1000.5],
    [5e-324, 1.0],
    [1.7e308, 1.0],
], ids=str)
def test_special_float_values(values, dtype):
    with np.errstate(over="ignore", under="ignore"):
        array = np.array(values).astype(dtype)
    check(array)
    check(array[0])


@pytest.mark.parametrize("dtype", INTS)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_integer_values_print_as_torch(shape, dtype):
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype)
    low, high = max(info.min, -10**6), min(info.max, 10**6)
    check(rng.integers(low, high, size=shape, endpoint=True).astype(dtype))


@pytest.mark.parametrize("values", [[0], [-1, 10, -100], [2**62, -2**63, 7],
                                    [0, 0, 0], [9, 10, 11]], ids=str)
def test_large_and_negative_integers(values):
    check(np.array(values, dtype=np.int64))
    check(np.array(values[-1], dtype=np.int64))


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_bool_values_print_as_torch(shape):
    check(np.random.default_rng(0).random(shape) > 0.5)


@pytest.mark.parametrize("values", [[True], [False], [True, True], [False, False, True]], ids=str)
def test_bool_widths(values):
    check(np.array(values))


@pytest.mark.parametrize("dtype", FLOATS + INTS + ["bool"])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0), (0, 0, 0)], ids=str)
def test_empty_tensors_name_their_size_and_dtype(shape, dtype):
    check(np.zeros(shape, dtype=dtype))


def test_empty_forms_match_pytorch_literally():
    assert repr(numtorch.from_numpy(np.zeros(0, np.float32))) == "tensor([])"
    assert repr(numtorch.from_numpy(np.zeros((0, 3), np.float32))) == "tensor([], size=(0, 3))"
    assert repr(numtorch.from_numpy(np.zeros(0, np.int64))) == "tensor([], dtype=numtorch.int64)"


def test_non_contiguous_tensors_print_their_logical_layout():
    a = normal((4, 6), 1.0, "float32")
    check(a.T)
    check(a[:, ::2])
    check(a[1:3])


def test_examples_from_the_seed_tutorial():
    assert repr(numtorch.tensor([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"
    assert repr(numtorch.ones(5)) == "tensor([1., 1., 1., 1., 1.])"
    assert (repr(numtorch.ones(5, dtype=numtorch.float64))
            == "tensor([1., 1., 1., 1., 1.], dtype=numtorch.float64)")
    assert repr(numtorch.tensor([[5, 14], [14, 50]])) == "tensor([[ 5, 14],\n        [14, 50]])"
    assert repr(numtorch.tensor(15)) == "tensor(15)"


# --- autograd suffixes ------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (200,), (40, 40), (3, 30)], ids=str)
def test_requires_grad_leaf_says_so(shape):
    check(normal(shape, 1.0, "float32"), requires_grad=True)
    check(normal(shape, 1.0, "float64"), requires_grad=True)


@pytest.mark.parametrize("op", [
    lambda x: x * 2,
    lambda x: x + 1,
    lambda x: x - x,
    lambda x: x / 3,
    lambda x: -x,
    lambda x: x[:2],
], ids=["mul", "add", "sub", "div", "neg", "slice"])
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (1001,), (3, 27)], ids=str)
def test_grad_fn_is_named(shape, op):
    check(normal(shape, 1.0, "float32"), requires_grad=True, op=op)
    check(normal(shape, 1.0, "float16"), requires_grad=True, op=op)


def test_printing_records_nothing_and_warns_nothing():
    a = numtorch.from_numpy(sprinkle(normal((50, 50), 1e30, "float32"))).requires_grad_()
    b = a * 2
    before = (b.grad_fn, a._version, b._version)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            repr(a)
            repr(b)
            repr(numtorch.from_numpy(np.array([5e-324, 1.7e308])))
            repr(numtorch.from_numpy(np.array([np.nan, np.inf, 0.0], np.float16)))
    assert (b.grad_fn, a._version, b._version) == before
    assert a.grad is None and a.is_leaf


# --- line wrapping and the suffix line ------------------------------------------------


@pytest.mark.parametrize("n", [10, 11, 12, 13, 14, 15, 16, 20, 27])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "bool"])
def test_suffixes_wrap_where_pytorch_wraps_them(n, dtype):
    array = normal((n,), 1.0, "float64").astype(dtype)
    check(array)
    check(array.reshape(1, n))
    if dtype.startswith("float"):
        check(array, requires_grad=True)
        check(array.reshape(1, n), requires_grad=True, op=lambda x: x * 2)


def test_seed_layer_values_on_cuda_print_like_the_tutorial(monkeypatch):
    row0 = [0.0146, 0.0305, -0.0067, -0.0118, 0.0252, -0.0148]
    row1 = [0.0162, 0.0353, -0.0315, -0.0200, -0.0331, -0.0067]
    weight = np.full((512, 784), 0.01, np.float32)
    weight[0, [0, 1, 2, -3, -2, -1]] = row0
    weight[1, [0, 1, 2, -3, -2, -1]] = row1
    bias = np.zeros(512, np.float32)
    bias[:2] = [-0.0233, 0.0199]
    w = numtorch.from_numpy(weight).requires_grad_()
    b = numtorch.from_numpy(bias).requires_grad_()
    monkeypatch.setattr(numtorch.Tensor, "device", property(lambda self: numtorch.device("cuda", 0)))
    assert repr(w[:2]) == (
        "tensor([[ 0.0146,  0.0305, -0.0067,  ..., -0.0118,  0.0252, -0.0148],\n"
        "        [ 0.0162,  0.0353, -0.0315,  ..., -0.0200, -0.0331, -0.0067]],\n"
        "       device='cuda:0', grad_fn=<SliceBackward0>)")
    assert repr(b[:2]) == "tensor([-0.0233,  0.0199], device='cuda:0', grad_fn=<SliceBackward0>)"
    assert repr(numtorch.tensor([1])) == "tensor([1], device='cuda:0')"


# --- print options ------------------------------------------------------------------------

OPTIONS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"sci_mode": True},
    {"sci_mode": False},
    {"sci_mode": True, "precision": 1},
    {"threshold": 5},
    {"threshold": 0},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 5, "edgeitems": 0},
    {"edgeitems": 0},
    {"edgeitems": 5},
    {"linewidth": 40},
    {"linewidth": 120},
    {"linewidth": 5},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "full", "precision": 6},
]
OPTION_ARRAYS = [
    ("normal_1d", lambda: normal((30,), 1.0, "float32")),
    ("normal_2d", lambda: normal((12, 15), 1e3, "float64")),
    ("tiny_3d", lambda: normal((4, 3, 8), 1e-6, "float32")),
    ("huge", lambda: normal((7,), 1e9, "float32")),
    ("special", lambda: sprinkle(normal((9,), 1.0, "float32"))),
    ("whole", lambda: np.arange(-12.0, 12.0, dtype=np.float32).reshape(4, 6)),
    ("half", lambda: normal((3, 9), 1.0, "float16")),
    ("ints", lambda: np.arange(-50, 50).reshape(10, 10)),
    ("bools", lambda: np.arange(40).reshape(5, 8) % 3 == 0),
    ("scalar", lambda: np.array(3.14159265)),
    ("empty", lambda: np.zeros((0, 4), np.float32)),
    ("big", lambda: normal((1001,), 1.0, "float32")),
]


@pytest.mark.parametrize("name,make", OPTION_ARRAYS, ids=[n for n, _ in OPTION_ARRAYS])
@pytest.mark.parametrize("options", OPTIONS, ids=str)
def test_print_options_match_pytorch(options, name, make):
    numtorch.set_printoptions(**options)
    torch.set_printoptions(**options)
    array = make()
    check(array)
    if array.dtype.kind == "f":
        check(array, requires_grad=True, op=lambda x: x * 2)


def test_get_printoptions_matches_pytorch():
    assert numtorch.get_printoptions() == torch._tensor_str.get_printoptions()
    for options in OPTIONS:
        numtorch.set_printoptions(**options)
        torch.set_printoptions(**options)
        assert numtorch.get_printoptions() == torch._tensor_str.get_printoptions()


def test_profiles_and_sci_mode_reset():
    numtorch.set_printoptions(profile="full")
    assert numtorch.get_printoptions()["threshold"] == math.inf
    numtorch.set_printoptions(profile="short", precision=3)
    assert numtorch.get_printoptions() == {"precision": 3, "threshold": 1000, "edgeitems": 2,
                                           "linewidth": 80, "sci_mode": None}
    numtorch.set_printoptions(sci_mode=True)
    numtorch.set_printoptions(precision=4)  # each call without sci_mode resets it, as in torch
    assert numtorch.get_printoptions()["sci_mode"] is None
    numtorch.set_printoptions(profile="no-such-profile")  # ignored, as in torch
    assert numtorch.get_printoptions()["precision"] == 4


def test_printoptions_context_manager_restores_on_exit_and_error():
    x = numtorch.tensor([1.12345])
    with numtorch.printoptions(precision=2):
        assert repr(x) == "tensor([1.12])"
    assert repr(x) == "tensor([1.1235])"
    with pytest.raises(ValueError, match="boom"), numtorch.printoptions(threshold=1, edgeitems=1):
        raise ValueError("boom")
    assert numtorch.get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                           "linewidth": 80, "sci_mode": None}


def test_profile_full_prints_every_element():
    numtorch.set_printoptions(profile="full")
    torch.set_printoptions(profile="full")
    text = check(np.arange(2000, dtype=np.float32))
    assert "..." not in text


@settings(max_examples=40, deadline=None)
@given(
    shape=st.lists(st.integers(0, 9), min_size=0, max_size=3),
    dtype=st.sampled_from(FLOATS + ["int64", "int8", "bool"]),
    scale=st.sampled_from(SCALES),
    precision=st.integers(0, 6),
    threshold=st.integers(0, 100),
    edgeitems=st.integers(0, 4),
    linewidth=st.integers(10, 120),
    sci_mode=st.sampled_from([None, True, False]),
    seed=st.integers(0, 2**16),
)
def test_random_tensors_and_options(shape, dtype, scale, precision, threshold, edgeitems,
                                    linewidth, sci_mode, seed):
    options = dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                   linewidth=linewidth, sci_mode=sci_mode)
    numtorch.set_printoptions(**options)
    torch.set_printoptions(**options)
    try:
        array = normal(tuple(shape), scale, "float64", seed)
        if seed % 3 == 0:
            array = sprinkle(array, seed)
        if dtype == "bool":
            array = array > 0
        elif dtype.startswith("int"):
            array = np.nan_to_num(array, posinf=0, neginf=0).clip(-100, 100).astype(dtype)
        else:
            with np.errstate(over="ignore"):
                array = array.astype(dtype)
        check(array)
    finally:
        numtorch.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


# --- default dtype --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", FLOATS + ["int64", "int32", "bool"])
@pytest.mark.parametrize("shape", [(), (0,), (0, 2), (5,), (3, 4), (1001,)], ids=str)
def test_default_dtype_float64_moves_the_dtype_suffix(shape, dtype):
    numtorch.set_default_dtype(numtorch.float64)
    torch.set_default_dtype(torch.float64)
    array = normal(shape, 1.0, "float64").astype(dtype)
    check(array)
    if dtype.startswith("float"):
        check(array, requires_grad=True, op=lambda x: x * 2)


def test_default_dtype_float64_literal_forms():
    numtorch.set_default_dtype(numtorch.float64)
    assert repr(numtorch.ones(2)) == "tensor([1., 1.])"
    assert repr(numtorch.ones(2, dtype=numtorch.float32)) == "tensor([1., 1.], dtype=numtorch.float32)"


# --- str, format, print, subclasses, custom contents ---------------------------------------------


@pytest.mark.parametrize("array", [np.array(1.5, np.float32), np.arange(6.0).reshape(2, 3),
                                   np.array([1, 2, 3]), np.zeros((0, 3))], ids=str)
def test_str_print_and_format_agree_with_torch(array, capsys):
    a, t = numtorch.from_numpy(array.copy()), torch.from_numpy(array.copy())
    assert str(a) == repr(a) == expected(t)
    assert f"{a}" == f"{t}".replace("torch.", "numtorch.")
    print(a)
    assert capsys.readouterr().out == str(a) + "\n"


def test_zero_dim_format_spec_uses_the_python_value():
    a, t = numtorch.tensor(2.5), torch.tensor(2.5)
    assert f"{a:.3f}" == f"{t:.3f}" == "2.500"
    assert f"{numtorch.tensor(7):>4}" == "   7"


def test_size_prints_with_the_module_name():
    assert str(numtorch.Size([3, 4])) == repr(numtorch.Size([3, 4])) == "numtorch.Size([3, 4])"
    assert str(numtorch.Size([3, 4])) == str(torch.Size([3, 4])).replace("torch.", "numtorch.")
    assert str(numtorch.Size([])) == "numtorch.Size([])"


def test_subclass_prints_its_class_name():
    class MyTensor(numtorch.Tensor):
        pass

    class MyTorchTensor(torch.Tensor):
        pass

    array = np.array([1.0, 2.5], np.float32)
    a = MyTensor._make(array.copy())
    t = torch.from_numpy(array.copy()).as_subclass(MyTorchTensor)
    assert repr(a) == expected(t).replace("MyTorchTensor", "MyTensor") == "MyTensor([1.0000, 2.5000])"


def test_custom_tensor_contents():
    a = numtorch.from_numpy(np.arange(3, dtype=np.int32))
    t = torch.from_numpy(np.arange(3, dtype=np.int32))
    assert a.__repr__(tensor_contents="[...]") == t.__repr__(tensor_contents="[...]").replace(
        "torch.", "numtorch.")
    assert a.__repr__(tensor_contents="[...]") == "tensor([...], dtype=numtorch.int32)"


# --- speed: a big tensor formats only what it shows ----------------------------------------------


def test_summarised_print_formats_only_the_shown_elements(monkeypatch):
    seen = []
    real = _tensor_str._format_cells

    def spy(values, floating):
        seen.append(values.size)
        return real(values, floating)

    monkeypatch.setattr(_tensor_str, "_format_cells", spy)
    big = numtorch.from_numpy(normal((1000, 1000), 1.0, "float32"))
    text = repr(big)
    assert seen == [36]
    assert text == expected(torch.from_numpy(big.numpy()))


# --- a real GPU, when there is one -----------------------------------------------------------------


@pytest.mark.skipif(not (numtorch.cuda.is_available() and torch.cuda.is_available()),
                    reason="needs CuPy, a GPU and CUDA PyTorch")
@pytest.mark.parametrize("shape", [(), (3,), (2, 30), (1000, 1000), (0, 2)], ids=str)
def test_cuda_tensors_name_their_device(shape):
    import cupy

    array = normal(shape, 1.0, "float32")
    a = numtorch.Tensor._make(cupy.asarray(array)).requires_grad_()
    t = torch.from_numpy(array.copy()).cuda().requires_grad_()
    assert repr(a) == expected(t)
    assert repr(a * 2) == expected(t * 2)
    one = numtorch.Tensor._make(cupy.asarray(np.array([1])))
    assert repr(one) == "tensor([1], device='cuda:0')"
