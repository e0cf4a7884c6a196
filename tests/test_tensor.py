"""The Tensor object itself: creation, metadata, interop with NumPy and Python, conversion."""

import array
import collections
import copy
import math
import operator
import pickle
import re
import warnings

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, torch

# --- creation ----------------------------------------------------------------


@pytest.mark.parametrize("data", [
    [[1, 2], [3, 4]], [1.5, 2.0], [True, False], 3, 2.5, True, [], [[1, 2.5]], [[True, 2]],
    np.float64(1.5), np.array([1, 2], dtype=np.int32), np.array(3.0, dtype=np.float16),
])
def test_tensor_infers_dtype_and_values_like_torch(data):
    assert_same(numtorch.tensor(data), torch.tensor(data))


class _Pair:
    """A sequence by protocol only (``__len__`` and ``__getitem__``)."""

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return (1.5, 2)[i]


# REINFORCE builds its returns in a deque and calls torch.tensor(returns) on it
@pytest.mark.parametrize("make", [
    lambda: collections.deque([1.0, 2.5]), lambda: collections.deque([1, 2]),
    lambda: collections.deque([True]), lambda: collections.deque(), lambda: range(3),
    lambda: collections.deque([collections.deque([1, 2]), (3, 4)]),
    lambda: [range(2), range(2)], lambda: collections.UserList([1, 2]),
    lambda: array.array("d", [1.0, 2.0]), lambda: bytearray(b"ab"), lambda: _Pair(),
], ids=["deque-float", "deque-int", "deque-bool", "deque-empty", "range", "nested-deque",
        "list-of-ranges", "UserList", "array", "bytearray", "protocol"])
def test_tensor_reads_any_python_sequence_like_torch(make):
    assert_same(numtorch.tensor(make()), torch.tensor(make()))
    assert_same(numtorch.as_tensor(make()), torch.as_tensor(make()))


@pytest.mark.parametrize("make", [lambda: {1, 2}, lambda: (x for x in [1]), lambda: {1: 2},
                                  lambda: object(), lambda: [1, {1}], lambda: b"ab", lambda: "ab"],
                         ids=["set", "generator", "dict", "object", "nested-set", "bytes", "str"])
def test_tensor_refuses_what_is_not_a_sequence_like_torch(make):
    with pytest.raises(Exception) as theirs:
        torch.tensor(make())
    with pytest.raises(type(theirs.value), match=re.escape(str(theirs.value))):
        numtorch.tensor(make())


def test_tensor_from_tensors_and_dtype_argument():
    assert_same(numtorch.tensor([numtorch.tensor(1.5), numtorch.tensor(2.0)]),
                torch.tensor([torch.tensor(1.5), torch.tensor(2.0)]))
    assert_same(numtorch.tensor([1, 2], dtype=numtorch.float64),
                torch.tensor([1, 2], dtype=torch.float64))


def test_tensor_copies_but_from_numpy_and_as_tensor_share_memory():
    n = np.ones(3)
    t = numtorch.tensor(n)
    s = numtorch.from_numpy(n)
    a = numtorch.as_tensor(n)
    n[0] = 5
    assert t[0].item() == 1 and s[0].item() == 5 and a[0].item() == 5


def test_from_numpy_rejects_unsupported_dtypes():
    with pytest.raises(TypeError, match="can't convert np.ndarray of type numpy.object_"):
        numtorch.from_numpy(np.array([object()]))
    with pytest.raises(TypeError, match="expected np.ndarray"):
        numtorch.from_numpy([1, 2])


@pytest.mark.parametrize("name", ["zeros", "ones", "empty"])
def test_filled_constructors(name):
    nt_fn, t_fn = getattr(numtorch, name), getattr(torch, name)
    with pytest.raises(TypeError, match='missing 1 required positional arguments: "size"'):
        nt_fn()
    for args, kw in [((2, 3), {}), (((2, 3),), {}), (([4],), {}), (((),), {}),
                     ((2,), {"dtype": numtorch.int32})]:
        tkw = {"dtype": torch.int32} if kw else {}
        a, b = nt_fn(*args, **kw), t_fn(*args, **tkw)
        assert tuple(a.shape) == tuple(b.shape)
        assert str(a.dtype)[len("numtorch."):] == str(b.dtype)[len("torch."):]
        if name != "empty":
            assert_same(a, b)


@pytest.mark.parametrize("make", ["zeros(2, -1)", "zeros((-1,))", "ones(2, -1)", "empty(-3)",
                                  "full((2, -1), 1.0)", "rand(-1)", "randn(2, -2)",
                                  "zeros()", "ones()", "empty()"])
def test_negative_or_missing_size_errors_match_torch(make):
    # zeros words a negative size its own way in PyTorch; the others name the dimension.
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises((RuntimeError, TypeError)) as e:
            eval(f"lib.{make}", {"lib": lib})
        errors.append((type(e.value), str(e.value).split("\n")[0]))
    assert errors[0] == errors[1]


def test_full_and_like_family():
    assert_same(numtorch.full((2, 2), 7), torch.full((2, 2), 7))
    assert_same(numtorch.full((2,), 1.5), torch.full((2,), 1.5))
    assert_same(numtorch.full((2,), True), torch.full((2,), True))
    x = numtorch.tensor([[1, 2], [3, 4]])
    tx = torch.tensor([[1, 2], [3, 4]])
    for name in ["zeros_like", "ones_like"]:
        assert_same(getattr(numtorch, name)(x), getattr(torch, name)(tx))
    assert_same(numtorch.full_like(x, 9), torch.full_like(tx, 9))
    assert numtorch.empty_like(x).shape == x.shape
    assert numtorch.zeros_like(x, dtype=numtorch.float64).dtype is numtorch.float64


@pytest.mark.parametrize("args", [(5,), (1, 4), (0, 1, 0.1), (1.0, 2.5, 0.5), (10, 0, -3),
                                  (0, 0.3, 0.1), (-1, 1, 0.25)])
def test_arange_matches_torch(args):
    assert_same(numtorch.arange(*args), torch.arange(*args), rtol=0, atol=0)


@pytest.mark.parametrize("args", [(1, 2.5, 0.5), (-1.5, 1.5, 0.3), (1.7, 5), (1.7, 5.2, 1.5), (-3, 3, 2)])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_arange_with_an_integer_dtype_truncates_start_and_step_as_torch(args, dtype):
    """int64 truncates start, end and step; other integer dtypes take the length from the
    float bounds and the values from ``int(start) + i * int(step)``."""
    try:
        want = torch.arange(*args, dtype=getattr(torch, dtype))
    except ValueError:  # int64 truncates the step too: 0.5 -> 0
        with pytest.raises(ValueError, match="step must be nonzero"):
            numtorch.arange(*args, dtype=getattr(numtorch, dtype))
        return
    assert_same(numtorch.arange(*args, dtype=getattr(numtorch, dtype)), want)


def test_arange_errors():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        numtorch.arange(0, 1, 0)
    with pytest.raises(RuntimeError) as want:
        torch.arange(0, 10, -1)
    with pytest.raises(RuntimeError) as got:
        numtorch.arange(0, 10, -1)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("args", [(0, 1, 5), (-3, 7, 11), (1, 1, 1), (0, 1, 0), (2, -2, 100)])
def test_linspace_logspace_eye(args):
    np.testing.assert_array_equal(numtorch.linspace(*args).numpy(), torch.linspace(*args).numpy())
    assert_same(numtorch.logspace(*args), torch.logspace(*args), rtol=1e-6)
    assert_same(numtorch.linspace(*args, dtype=numtorch.int64),
                torch.linspace(*args, dtype=torch.int64))
    assert_same(numtorch.eye(3), torch.eye(3))
    assert_same(numtorch.eye(2, 4, dtype=numtorch.int32), torch.eye(2, 4, dtype=torch.int32))


def test_float32_linspace_is_torchs_bit_for_bit():
    # PyTorch's kernel: step in float32, each value one FMA from the nearer end
    rng = np.random.default_rng(0)
    cases = [(0.0, 0.3, 31), (0.0, 0.99, 31), (1.0, 0.0, 10), (0.1, 7.3, 70000)]
    cases += [(float(a), float(b), int(n)) for a, b, n in zip(
        rng.normal(size=60) * 10.0 ** rng.integers(-5, 6, 60),
        rng.normal(size=60) * 10.0 ** rng.integers(-5, 6, 60), rng.integers(2, 500, 60))]
    for start, end, steps in cases:
        np.testing.assert_array_equal(numtorch.linspace(start, end, steps).numpy(),
                                      torch.linspace(start, end, steps).numpy())


def _set_requires_grad(t):
    t.requires_grad = True


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.arange(3, requires_grad=True),
    lambda lib: lib.full((2,), 1, requires_grad=True),
    lambda lib: lib.nn.Parameter(lib.tensor([1, 2])),
    lambda lib: lib.tensor([1, 2]).requires_grad_(),
    lambda lib: _set_requires_grad(lib.tensor([1, 2])),
])
def test_requires_grad_only_for_floats(make):
    # Three wordings in PyTorch: factories and Parameter, requires_grad_(), the attribute.
    assert numtorch.zeros(2, requires_grad=True).requires_grad
    with pytest.raises(RuntimeError) as ours:
        make(numtorch)
    with pytest.raises(RuntimeError) as ref:
        make(torch)
    assert str(ours.value) == str(ref.value)


def _set_requires_grad_to(t, value):
    t.requires_grad = value


@pytest.mark.parametrize("make,exc", [
    (lambda lib: lib.ones(2).requires_grad_(1), TypeError),
    (lambda lib: lib.ones(2).requires_grad_(np.bool_(True)), TypeError),
    (lambda lib: lib.ones(2).requires_grad_(lib.tensor(True)), TypeError),
    (lambda lib: lib.nn.Linear(2, 3).requires_grad_(0), TypeError),
    (lambda lib: lib.nn.Parameter(lib.ones(2), requires_grad=1), TypeError),
    (lambda lib: _set_requires_grad_to(lib.ones(2), 1), RuntimeError),
])
def test_requires_grad_takes_a_bool_only(make, exc):
    with pytest.raises(exc) as ref:
        make(torch)
    with pytest.raises(exc) as ours:
        make(numtorch)
    assert str(ours.value) == str(ref.value)


def test_legacy_constructor():
    assert numtorch.Tensor(2, 3).shape == (2, 3)
    assert numtorch.Tensor(2, 3).dtype is numtorch.float32
    assert_same(numtorch.Tensor([1, 2]), torch.Tensor([1, 2]))


# --- dtypes ----------------------------------------------------------------------


def test_default_dtype_round_trip():
    assert numtorch.get_default_dtype() is numtorch.float32
    numtorch.set_default_dtype(numtorch.float64)
    assert numtorch.tensor([1.5]).dtype is numtorch.float64
    assert numtorch.zeros(1).dtype is numtorch.float64
    numtorch.set_default_dtype(numtorch.float32)
    with pytest.raises(TypeError, match="only floating-point types"):
        numtorch.set_default_dtype(numtorch.int64)


NAMES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


@pytest.mark.parametrize("a", NAMES)
@pytest.mark.parametrize("b", NAMES)
def test_promote_types_table_matches_torch(a, b):
    got = numtorch.promote_types(getattr(numtorch, a), getattr(numtorch, b))
    want = torch.promote_types(getattr(torch, a), getattr(torch, b))
    assert got.name == str(want)[len("torch."):]


@pytest.mark.parametrize("dt", NAMES)
@pytest.mark.parametrize("other", [1, 2.5, True, "t0f64", "t0i8", "t1f16", "t1u8"])
def test_result_type_with_scalars_and_zero_dim_tensors(dt, other):
    x = numtorch.ones(2, dtype=getattr(numtorch, dt))
    tx = torch.ones(2, dtype=getattr(torch, dt))
    if isinstance(other, str):
        kind = {"f64": "float64", "i8": "int8", "f16": "float16", "u8": "uint8"}[other[2:]]
        shape = () if other[1] == "0" else (2,)
        o, to = numtorch.ones(shape, dtype=getattr(numtorch, kind)), \
            torch.ones(shape, dtype=getattr(torch, kind))
    else:
        o = to = other
    assert numtorch.result_type(x, o).name == str(torch.result_type(tx, to))[len("torch."):]


def test_dtype_attributes_and_repr():
    assert repr(numtorch.float32) == "numtorch.float32"
    assert numtorch.float32.is_floating_point and not numtorch.int64.is_floating_point
    assert numtorch.float is numtorch.float32 and numtorch.long is numtorch.int64
    assert numtorch.float16.itemsize == 2
    assert pickle.loads(pickle.dumps(numtorch.float64)) is numtorch.float64


@pytest.mark.parametrize("method,dt", [("float", "float32"), ("double", "float64"),
                                       ("half", "float16"), ("long", "int64"), ("int", "int32"),
                                       ("short", "int16"), ("char", "int8"), ("byte", "uint8"),
                                       ("bool", "bool")])
def test_cast_methods(method, dt):
    x = numtorch.tensor([1.7, -2.2, 0.0])
    tx = torch.tensor([1.7, -2.2, 0.0])
    assert_same(getattr(x, method)(), getattr(tx, method)())
    assert getattr(x, method)().dtype.name == dt


def test_to_and_type():
    x = numtorch.tensor([1.5, 2.5], requires_grad=True)
    assert x.to(numtorch.float32) is x
    y = x.to(numtorch.float64)
    assert y.dtype is numtorch.float64 and type(y.grad_fn).__name__ == "ToCopyBackward0"
    y.sum().backward()
    assert x.grad.dtype is numtorch.float32
    assert x.to("cpu") is x and x.to(numtorch.device("cpu"), numtorch.float32) is x
    assert x.to(numtorch.zeros(1, dtype=numtorch.int64)).dtype is numtorch.int64
    assert x.type() == "numtorch.FloatTensor"
    assert numtorch.zeros(1, dtype=numtorch.int64).type() == "numtorch.LongTensor"
    assert x.type(numtorch.float64).dtype is numtorch.float64
    assert x.type("numtorch.IntTensor").dtype is numtorch.int32
    assert x.detach().type(numtorch.int64).tolist() == [1, 2]


# --- metadata ---------------------------------------------------------------------


def test_metadata_matches_torch():
    n = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x, t = numtorch.from_numpy(n), torch.from_numpy(n)
    assert x.shape == t.shape and x.size() == tuple(t.size()) and x.size(1) == t.size(1)
    assert x.size(-1) == 4 and x.dim() == x.ndim == 3 and x.numel() == 24
    assert x.stride() == t.stride() and x.element_size() == 4 and x.is_contiguous()
    v, tv = x.transpose(0, 2), t.transpose(0, 2)
    assert v.stride() == tv.stride() and not v.is_contiguous()
    s, ts = x[1, 1:, 2:], t[1, 1:, 2:]
    assert s.storage_offset() == ts.storage_offset() == 18
    assert s.stride() == ts.stride()
    assert repr(x.shape) == "numtorch.Size([2, 3, 4])"
    assert x.shape[1:] == numtorch.Size([3, 4]) and isinstance(x.shape[1:], numtorch.Size)
    assert x.shape.numel() == 24
    assert str(x.device) == "cpu" and x.device == numtorch.device("cpu") and not x.is_cuda


def test_size_dim_out_of_range():
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        numtorch.zeros(2, 3).size(2)


def test_leaf_grad_fn_and_data():
    a = numtorch.ones(3, requires_grad=True)
    b = a * 2
    assert a.is_leaf and not b.is_leaf and a.grad_fn is None
    assert type(b.grad_fn).__name__ == "MulBackward0"
    assert repr(b.grad_fn).startswith("<MulBackward0 object at 0x")
    d = b.data
    assert d.is_leaf and not d.requires_grad
    d[0] = 10  # shares memory, untracked
    assert b[0].item() == 10
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert b.grad is None
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf"):
        b.requires_grad_(False)
    b.detach_()
    assert b.is_leaf and not b.requires_grad


def test_T_and_mT():
    n = np.arange(6.0).reshape(2, 3)
    assert_same(numtorch.tensor(n).T, torch.tensor(n).T)
    m = np.arange(24.0).reshape(2, 3, 4)
    assert_same(numtorch.tensor(m).mT, torch.tensor(m).mT)


# --- interop ----------------------------------------------------------------------


def test_numpy_shares_memory_both_ways():
    t = numtorch.ones(5)
    n = t.numpy()
    t.add_(1)
    assert n.tolist() == [2.0] * 5
    n[0] = 7
    assert t[0].item() == 7


def test_numpy_refuses_tensor_that_requires_grad():
    x = numtorch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. "
                                           r"Use tensor.detach\(\).numpy\(\) instead."):
        x.numpy()
    assert x.numpy(force=True).tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="requires grad"):
        np.asarray(x)


def test_python_number_conversions():
    x = numtorch.tensor(3.5)
    assert x.item() == 3.5 and float(x) == 3.5 and int(x) == 3 and isinstance(x.item(), float)
    assert numtorch.tensor(7).item() == 7 and isinstance(numtorch.tensor(7).item(), int)
    assert numtorch.tensor(True).item() is True
    assert operator.index(numtorch.tensor(4)) == 4
    assert [10, 20, 30][numtorch.tensor(1)] == 20
    with pytest.raises(TypeError, match="only integer tensors of a single element"):
        operator.index(numtorch.tensor(1.0))
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to "
                                           "Scalar"):
        numtorch.ones(2).item()
    assert numtorch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert numtorch.tensor(2.5).tolist() == 2.5


def test_bool_len_iter_hash_format():
    assert bool(numtorch.tensor([1])) and not bool(numtorch.tensor(0.0))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is "
                                           "ambiguous"):
        bool(numtorch.ones(2))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(numtorch.ones(0))
    x = numtorch.tensor([[1, 2], [3, 4]])
    assert len(x) == 2 and [r.tolist() for r in x] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(numtorch.tensor(1))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(numtorch.tensor(1))
    a, b = numtorch.ones(1), numtorch.ones(1)
    assert len({a, b}) == 2 and hash(a) == id(a)
    assert f"{numtorch.tensor(0.123456):.3f}" == "0.123" and f"{numtorch.tensor(5):>3d}" == "  5"
    assert f"{numtorch.tensor(2.0)}" == f"{torch.tensor(2.0)}" == "2.0"
    assert f"{numtorch.ones(2)}" == str(numtorch.ones(2))
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{numtorch.ones(2):.2f}"


def test_numpy_operands_and_array_protocol():
    x = numtorch.tensor([1.0, 2.0])
    assert np.asarray(x).tolist() == [1.0, 2.0]
    assert np.asarray(x, dtype=np.float64).dtype == np.float64
    r = np.ones(2, dtype=np.float32) * x
    assert isinstance(r, numtorch.Tensor) and r.tolist() == [1.0, 2.0]


def test_deepcopy_and_pickle_keep_values():
    x = numtorch.tensor([1.0, 2.0], requires_grad=True)
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.tolist() == [1.0, 2.0]
    y.detach()[0] = 5
    assert x[0].item() == 1.0
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(x * 2)


# --- devices ----------------------------------------------------------------------


def test_device_objects():
    d = numtorch.device("cuda:1")
    assert d.type == "cuda" and d.index == 1 and str(d) == "cuda:1"
    assert repr(numtorch.device("cpu")) == "device(type='cpu')"
    assert numtorch.device("cpu") == "cpu"
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        numtorch.device("tpu")


def test_cuda_is_unavailable_with_a_clear_error():
    assert numtorch.cuda.is_available() is False
    with pytest.raises(RuntimeError, match="CUDA is not available.*CuPy"):
        numtorch.ones(2).to("cuda")
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        numtorch.ones(2).cuda()
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        numtorch.zeros(2, device="cuda")


def test_pickle_round_trip_keeps_values_dtype_and_requires_grad():
    x = numtorch.tensor([[1.5, 2.0]], dtype=numtorch.float64, requires_grad=True)
    y = pickle.loads(pickle.dumps(x))
    assert y.tolist() == [[1.5, 2.0]] and y.dtype is numtorch.float64 and y.requires_grad
    assert y.is_leaf and y.grad is None
    z = pickle.loads(pickle.dumps(numtorch.arange(6)[::2]))
    assert z.tolist() == [0, 2, 4]


@pytest.mark.parametrize("data", [
    [[1, 2], [3]], [[1, 2], [3, 4, 5]], [[[1, 2], [3, 4]], [[1, 2], [3]]], [(1, 2), [3]],
    [[1.0, 2.0], []], [[1], 2], [[1, 2], 3], [1, [2]], [1.0, [2.0]], [True, [1]], [1, (2,)],
    [[1, 2], np.array([1.0, 2.0, 3.0])],
])
def test_ragged_nested_lists_raise_torchs_error(data):
    # The shape is read along the first elements; the first sequence that disagrees is
    # named with its depth. (PyTorch takes [[], [1]] as a 2 x 0 tensor; numtorch refuses it.)
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises((ValueError, TypeError)) as e:
            lib.tensor(data)
        errors.append((type(e.value), str(e.value)))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("call", [
    "x.new_zeros(2, 3)", "x.new_zeros((2,))", "x.new_zeros([])", "x.new_ones([2, 2])",
    "x.new_ones(3, dtype=lib.int32)", "x.new_full((2,), 3)", "x.new_full((2,), 2.5)",
    "i.new_full((2,), 2.5)", "x.new_full([1, 2], lib.tensor(4.0))", "x.new_tensor([1, 2])",
    "x.new_tensor([1.5, 2.0], dtype=lib.int32)", "i.new_tensor([1.5, 2.7])",
    "x.new_zeros(2, requires_grad=True)", "x.new_empty(3).shape", "x.new_empty((2, 0)).shape",
])
def test_new_factories_match_torch(call):
    results = []
    for lib in (numtorch, torch):
        env = {"lib": lib, "x": lib.ones(2, 3, dtype=lib.float64), "i": lib.ones(2, dtype=lib.int64)}
        results.append(eval(call, env))
    ours, ref = results
    if isinstance(ref, torch.Size):
        assert tuple(ours) == tuple(ref)
    else:
        assert_same(ours, ref)
        assert ours.requires_grad == ref.requires_grad


@pytest.mark.parametrize("call", ["x.new_full(2, 3)", "x.new_zeros()", "x.new_ones(-1)",
                                  "i.new_zeros(2, requires_grad=True)"])
def test_new_factories_errors_match_torch(call):
    errors = []
    for lib in (numtorch, torch):
        env = {"lib": lib, "x": lib.ones(2, 3), "i": lib.ones(2, dtype=lib.int64)}
        with pytest.raises((TypeError, RuntimeError)) as e:
            eval(call, env)
        errors.append((type(e.value), str(e.value).split("\n")[0]))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("call", [
    "x.new(2, 3).shape", "x.new(lib.Size([2])).shape", "x.new().shape", "x.new().dtype",
    "x.new([1, 2])", "x.new((2, 3))", "i32.new([1.5, 2.7])", "x.new(3, device='cpu').shape",
    "x.new(2, 3).dtype", "x.new(lib.tensor([1.0, 2.0], dtype=lib.float64))",
])
def test_legacy_new_matches_torch(call):
    results = []
    for lib in (numtorch, torch):
        env = {"lib": lib, "x": lib.ones(2, 3, dtype=lib.float64),
               "i32": lib.ones(2, dtype=lib.int32)}
        results.append(eval(call, env))
    ours, ref = results
    if isinstance(ref, (torch.Size, torch.dtype)):
        assert str(ours).replace("numtorch", "torch") == str(ref)
    else:
        assert_same(ours, ref)


def test_legacy_new_of_a_tensor_shares_its_memory():
    x = numtorch.ones(2, dtype=numtorch.float64)
    other = numtorch.zeros(2, dtype=numtorch.float64)
    x.new(other)[0] = 5
    assert other.tolist() == [5.0, 0.0]


@pytest.mark.parametrize("call", ["x.new([1, 2], dtype=lib.int64)",
                                  "x.new(lib.ones(2, dtype=lib.int64))", "x.new('a')"])
def test_legacy_new_errors_match_torch(call):
    errors = []
    for lib in (numtorch, torch):
        env = {"lib": lib, "x": lib.ones(2, dtype=lib.float64)}
        with pytest.raises(TypeError) as e:
            eval(call, env)
        errors.append(str(e.value).replace("torch.", "numtorch.").replace("numnumtorch", "numtorch"))
    assert errors[0] == errors[1]


def test_copy_constructing_from_a_tensor_warns_as_torch_does():
    for lib, name in ((numtorch, "numtorch"), (torch, "torch")):
        t = lib.ones(2, requires_grad=True)
        with pytest.warns(UserWarning, match=r"rather than " + name + r"\.tensor\(sourceTensor\)"):
            copy = lib.tensor(t)
        assert not copy.requires_grad and copy.tolist() == [1.0, 1.0]
        with pytest.warns(UserWarning, match=r"rather than tensor\.new_tensor\(sourceTensor\)"):
            copy = t.new_tensor(t)
        assert not copy.requires_grad and copy.grad_fn is None


@pytest.mark.parametrize("expr", [
    "t + [1.0, 2.0]", "[1.0, 2.0] + t", "t * (1.0, 2.0)", "t ** [1.0, 2.0]", "t < [1.0, 2.0]",
    "t == [1.0, 2.0]", "t @ 2", "2 @ t", "t @ [1.0, 2.0]", "t @ t", "t + np.ones(2)",
    "t @ np.ones(2)", "t - 1", "2 * t",
])
def test_python_operators_with_lists_numbers_and_arrays_as_torch(expr):
    # Lists are not operands (Python's TypeError), matmul takes no numbers, and a NumPy
    # array on the right is taken as a tensor (for @, NumPy computes it).
    outcomes = []
    for lib in (numtorch, torch):
        try:
            r = eval(expr, {"t": lib.ones(2), "np": np})
            outcomes.append(("ok", r.tolist() if hasattr(r, "tolist") else r,
                             str(getattr(r, "dtype", "")).split(".")[-1]))
        except TypeError as e:
            outcomes.append(("TypeError", str(e)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("make", [
    "lib.FloatTensor(2, 3).shape", "lib.FloatTensor()", "lib.Tensor()", "lib.LongTensor([1, 2])",
    "lib.IntTensor([1.7, 2])", "lib.DoubleTensor((1, 2))", "lib.BoolTensor([1, 0])",
    "lib.ByteTensor([3])", "lib.HalfTensor([0.5])", "lib.ShortTensor([1])", "lib.CharTensor([-1])",
    "isinstance(lib.ones(2), lib.FloatTensor)", "isinstance(lib.ones(2), lib.LongTensor)",
    "isinstance(lib.arange(3), lib.LongTensor)", "isinstance([1.0], lib.FloatTensor)",
    "lib.ones(2).type(lib.LongTensor)", "lib.ones(2).type('torch.DoubleTensor')",
    "lib.ones(2).type(lib.float64)", "lib.ones(2, dtype=lib.int64).type()",
    "repr(lib.LongTensor)", "lib.LongTensor.dtype",
])
def test_legacy_tensor_types_as_torch(make):
    ours = eval(make, {"lib": numtorch})
    ref = eval(make, {"lib": torch})
    if isinstance(ref, torch.Tensor):
        assert_same(ours, ref)
    else:
        assert str(ours) == str(ref).replace("torch.", "numtorch.")


@pytest.mark.parametrize("make", ["lib.ones(2).type('float')", "lib.ones(2).type('FloatTensor')",
                                  "lib.ones(2).type('torch.float32')",
                                  "lib.LongTensor(lib.ones(2))", "lib.FloatTensor('a')"])
def test_legacy_tensor_types_errors_as_torch(make):
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises((TypeError, ValueError)) as e:
            eval(make, {"lib": lib})
        errors.append((type(e.value), str(e.value)))
    assert errors[0] == errors[1]


@pytest.mark.parametrize("expr", [
    "float(lib.ones(2))", "int(lib.ones(2))", "complex(lib.ones(2))", "float(lib.ones(0))",
    "lib.ones(2).item()", "lib.ones(0).item()", "lib.ones(2).__index__()",
    "lib.tensor(1.5).__index__()", "lib.tensor([3]).__index__()", "[1, 2, 3][lib.tensor(1)]",
    "float(lib.ones(1, 1))", "int(lib.tensor(2.7))", "int(lib.tensor(float('nan')))",
    "int(lib.tensor(float('inf')))", "bool(lib.ones(2))", "bool(lib.ones(0))",
])
def test_python_scalar_conversions_as_torch(expr):
    outcomes = []
    for lib in (numtorch, torch):
        try:
            outcomes.append(("ok", eval(expr, {"lib": lib})))
        except (ValueError, TypeError, RuntimeError, OverflowError) as e:
            outcomes.append((type(e), str(e)))
    assert outcomes[0] == outcomes[1]


SCALAR_OF_GRAD = "Converting a tensor with requires_grad=True to a scalar may lead to"


@pytest.mark.parametrize("expr, warns", [
    ("float(y)", True), ("complex(y)", True), ("math.sqrt(y)", True), ("float(x)", True),
    ("int(y)", False), ("y.item()", False), ("bool(y)", False), ("'{:.2f}'.format(y)", False),
    ("y.tolist()", False), ("float(y.detach())", False),
])
def test_float_of_a_tensor_requiring_grad_warns_as_torch(expr, warns, monkeypatch):
    # A training loop's float(loss): PyTorch warns (once a process, every time with
    # set_warn_always), only for float/complex and only while grad mode is on.
    monkeypatch.setattr(numtorch.ops.extras, "_warned_once", set())
    for lib in (numtorch, torch):
        lib.set_warn_always(True)  # torch's once-flag may be spent by an earlier test
        try:
            x = lib.tensor(1.5, requires_grad=True)
            scope = {"lib": lib, "math": math, "x": x, "y": x * 2}
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                eval(expr, scope)
                with lib.no_grad():
                    eval(expr, scope)
        finally:
            lib.set_warn_always(False)
        got = [str(w.message) for w in caught if SCALAR_OF_GRAD in str(w.message)]
        assert len(got) == warns, lib
        assert all(m.startswith(SCALAR_OF_GRAD + " unexpected behavior.\nConsider using "
                                "tensor.detach() first.") for m in got)


def test_float_of_a_tensor_requiring_grad_warns_once(monkeypatch):
    monkeypatch.setattr(numtorch.ops.extras, "_warned_once", set())
    y = numtorch.tensor(1.5, requires_grad=True) * 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            float(y * 3)
    assert sum(SCALAR_OF_GRAD in str(w.message) for w in caught) == 1


@pytest.mark.parametrize("make", [
    "empty((3, 2.5))", "empty(3, 2.5)", "zeros(2.5)", "ones((2, 'a'))", "zeros([2, None])",
    "empty(2.0)", "rand(2.5)", "randn(2, 2.5)", "full((2.5,), 1.0)", "nn.Linear(2.5, 3)",
])
def test_non_integer_sizes_raise_torchs_error(make):
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises(TypeError) as e:
            eval(f"lib.{make}", {"lib": lib})
        errors.append(str(e.value).split("\n")[0])
    assert errors[0] == errors[1]


@pytest.mark.parametrize("expr", [
    "lib.tensor([1.0, 2.0]).apply_(lambda x: x * 2)", "lib.tensor([1, 2]).apply_(lambda v: v * 2.7)",
    "lib.zeros(4, 4)[:, ::2].apply_(lambda v: v + 1)", "lib.ones(2, requires_grad=True).apply_(abs)",
    "(lib.ones(2, requires_grad=True) * 1).apply_(abs)", "lib.tensor([-1.0, 0.2, 2.0]).hardshrink()",
    "lib.tensor([-1.0, 0.2, 2.0]).hardshrink(0.1)", "lib.tensor([-1.0, 2.0]).prelu(lib.tensor([0.25]))",
])
def test_apply_hardshrink_prelu_methods_as_torch(expr):
    outcomes = []
    for lib in (numtorch, torch):
        try:
            outcomes.append(eval(expr, {"lib": lib}).tolist())
        except RuntimeError as e:
            outcomes.append(str(e))
    assert outcomes[0] == outcomes[1]


def test_apply_writes_through_a_view_and_bumps_the_version():
    base = numtorch.zeros(2, 4)
    view = base[:, ::2]
    version = base._version
    view.apply_(lambda v: v + 5)
    assert base.tolist() == [[5.0, 0.0, 5.0, 0.0], [5.0, 0.0, 5.0, 0.0]]
    assert base._version == version + 1


@pytest.mark.parametrize("make", ["tensor([2**63])", "tensor(2**63)", "tensor([-2**63 - 1])",
                                  "tensor([300], dtype=lib.uint8)",
                                  "tensor([2**40], dtype=lib.int32)",
                                  "tensor([2**63], dtype=lib.int32)"])
def test_python_ints_out_of_range_raise_torchs_error(make):
    errors = []
    for lib in (numtorch, torch):
        with pytest.raises((ValueError, RuntimeError)) as e:
            eval(f"lib.{make}", {"lib": lib})
        errors.append((type(e.value), str(e.value)))
    assert errors[0] == errors[1]
    assert numtorch.tensor([2**64], dtype=numtorch.float32).item() == 2.0**64


def test_known_differences_from_torch_are_deliberate():
    # PyTorch reads [[], [1]] as a 2 x 0 tensor, dropping the 1; numtorch refuses it.
    assert tuple(torch.tensor([[], [1]]).shape) == (2, 0)
    with pytest.raises(ValueError, match=r"expected sequence of length 0 at dim 1 \(got 1\)"):
        numtorch.tensor([[], [1]])
    # A method and its function are one function in numtorch, so a bad second operand is
    # "position 2" for both; PyTorch's method form says "position 1".
    with pytest.raises(TypeError, match=r"add\(\): argument 'other' \(position 2\)"):
        numtorch.ones(2).add(np.zeros(2))
    with pytest.raises(TypeError, match=r"add\(\): argument 'other' \(position 1\)"):
        torch.ones(2).add(np.zeros(2))


# --------------------------------------------------------------------------- finfo / iinfo


@pytest.mark.parametrize("name", ["float32", "float64", "float16"])
def test_finfo_matches_torch(name):
    ours, theirs = numtorch.finfo(getattr(numtorch, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs)
    assert ours == numtorch.finfo(getattr(numtorch, name))


@pytest.mark.parametrize("name", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo_matches_torch(name):
    ours, theirs = numtorch.iinfo(getattr(numtorch, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "min", "max", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs)


def test_finfo_default_and_errors():
    assert numtorch.finfo().dtype == "float32"
    numtorch.set_default_dtype(numtorch.float64)
    try:
        assert numtorch.finfo().dtype == "float64"
    finally:
        numtorch.set_default_dtype(numtorch.float32)
    assert str(type(numtorch.finfo())) == "<class 'numtorch.finfo'>"
    with pytest.raises(TypeError, match="numtorch.finfo\\(\\) requires a floating point input"):
        numtorch.finfo(numtorch.int32)
    with pytest.raises(TypeError, match="numtorch.iinfo\\(\\) requires an integer input type"):
        numtorch.iinfo(numtorch.float32)
    with pytest.raises(TypeError, match="numtorch.bool is not supported by numtorch.iinfo"):
        numtorch.iinfo(numtorch.bool)
    with pytest.raises(TypeError, match="must be numtorch.dtype, not str"):
        numtorch.finfo("float32")
    with pytest.raises(TypeError, match="unhashable"):
        hash(numtorch.finfo())


def test_top_level_get_device_is_signed_and_anomaly_flags_as_torch():
    for lib in (numtorch, torch):
        x = lib.ones(2)
        assert lib.get_device(x) == -1
        assert lib.is_signed(x) and not lib.is_signed(lib.ones(2, dtype=lib.uint8))
        assert not lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        lib.set_anomaly_enabled(True, False)
        try:
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
        finally:
            lib.set_anomaly_enabled(False)
        assert not lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
