"""numtorch.testing against torch.testing: same outcome, same exception, same message.

Each case is a function of the library (numtorch or torch) that builds the arguments; both
libraries run it, and the exception type and text must agree once PyTorch's module name
is replaced by numtorch's (``torch.float32`` -> ``numtorch.float32``).
"""

import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import numtorch

torch = pytest.importorskip("torch")

LIBS = (numtorch, torch)
nan, inf = math.nan, math.inf


def outcome(fn, *args, **kwargs):
    """('ok',) or (exception type name, message, type name of its __cause__) of fn(...)."""
    try:
        fn(*args, **kwargs)
    except Exception as error:
        cause = type(error.__cause__).__name__ if error.__cause__ is not None else None
        return type(error).__name__, str(error), cause
    return ("ok",)


def as_numtorch(result):
    return tuple(r.replace("torch.", "numtorch.") if isinstance(r, str) else r for r in result)


def check_assert_close(build):
    """Run ``assert_close(*args, **kwargs)`` with ``build(lib)``'s arguments in both libraries."""
    results = []
    for lib in LIBS:
        args, kwargs = build(lib)
        results.append(outcome(lib.testing.assert_close, *args, **kwargs))
    ours, theirs = results
    assert ours == as_numtorch(theirs)
    return ours


def T(lib, data, dtype=None, **kwargs):
    """``lib.tensor(data)``, with the dtype given by name."""
    return lib.tensor(data, dtype=getattr(lib, dtype) if dtype else None, **kwargs)


# Each case: (id, build). build(lib) -> (args, kwargs).
CASES = [
    # ---- tensors that pass
    ("equal-float32", lambda L: ((T(L, [1.0, 2.0]), T(L, [1.0, 2.0])), {})),
    ("within-float32-rtol", lambda L: ((T(L, [1.0, 1000.0]), T(L, [1.0, 1000.001])), {})),
    ("within-float16", lambda L: ((T(L, [1.0, 2.0], "float16"), T(L, [1.0, 2.001], "float16")), {})),
    ("empty", lambda L: ((T(L, []), T(L, [])), {})),
    ("empty-2d", lambda L: ((L.zeros(0, 3), L.ones(0, 3)), {})),
    ("nan-equal-nan", lambda L: ((T(L, [1.0, nan]), T(L, [1.0, nan])), {"equal_nan": True})),
    ("inf-equal", lambda L: ((T(L, [inf, -inf]), T(L, [inf, -inf])), {})),
    ("transposed-values-equal", lambda L: ((L.arange(6.0).reshape(2, 3).t(),
                                            L.arange(6.0).reshape(2, 3).t().contiguous()), {})),
    ("requires-grad", lambda L: ((T(L, [1.0, 2.0], requires_grad=True), T(L, [1.0, 2.0])), {})),
    ("custom-tolerances-pass", lambda L: ((T(L, [1.0, 2.0]), T(L, [1.1, 2.0])),
                                          {"rtol": 0.0, "atol": 0.2})),
    ("promoted-pass", lambda L: ((T(L, [1, 2]), T(L, [1.0, 2.0])), {"check_dtype": False})),
    ("float16-vs-float64-promoted", lambda L: ((T(L, [1.0], "float16"), T(L, [1.0004], "float64")),
                                               {"check_dtype": False})),
    ("parameter-subclass-allowed", lambda L: ((L.ones(2), L.nn.Parameter(L.ones(2))), {})),

    # ---- tensors that fail: values, for every dtype
    ("float32", lambda L: ((T(L, [1.0, 2.0, 3.0]), T(L, [1.0, 2.5, 3.0])), {})),
    ("float64", lambda L: ((T(L, [1.0, 2.0, 3.0], "float64"), T(L, [1.0, 2.0, 3.1], "float64")), {})),
    ("float16", lambda L: ((T(L, [1.0, 2.0], "float16"), T(L, [1.0, 2.1], "float16")), {})),
    ("int8", lambda L: ((T(L, [-128, 5, 7], "int8"), T(L, [127, 5, 6], "int8")), {})),
    ("int16", lambda L: ((T(L, [1, 2, 3], "int16"), T(L, [1, 5, 0], "int16")), {})),
    ("int32", lambda L: ((T(L, [1, 2, 3], "int32"), T(L, [3, 2, 1], "int32")), {})),
    ("int64", lambda L: ((T(L, [1, 2, 3]), T(L, [1, 5, 0])), {})),
    ("uint8-no-wraparound", lambda L: ((T(L, [1, 2, 255], "uint8"), T(L, [2, 1, 0], "uint8")), {})),
    ("bool", lambda L: ((T(L, [True, False, True]), T(L, [False, False, False])), {})),
    ("2d-index", lambda L: ((T(L, [[1.0, 2.0], [3.0, 4.0]]), T(L, [[1.0, 2.0], [3.0, 5.0]])), {})),
    ("3d-index", lambda L: ((L.zeros(2, 3, 4), L.zeros(2, 3, 4).index_fill(2, T(L, [3]), 1.0)), {})),
    ("zero-expected-relative-inf", lambda L: ((T(L, [0.0, 1.0]), T(L, [1.0, 0.0])), {})),
    ("ties-go-to-the-first", lambda L: ((T(L, [1.0, 2.0, 3.0]), T(L, [2.0, 3.0, 4.0])), {})),
    ("nan-vs-number", lambda L: ((T(L, [1.0, nan]), T(L, [1.0, 2.0])), {})),
    ("nan-vs-nan", lambda L: ((T(L, [nan, 1.0, nan]), T(L, [nan, 2.0, nan])), {})),
    ("nan-beats-numbers", lambda L: ((T(L, [5.0, nan, 9.0, nan]), T(L, [0.0, 0.0, 0.0, 0.0])), {})),
    ("inf-vs-minus-inf", lambda L: ((T(L, [1.0, inf]), T(L, [1.0, -inf])), {})),
    ("inf-vs-finite", lambda L: ((T(L, [inf, 1.0]), T(L, [1e38, 1.0])), {})),
    ("int-custom-tolerances", lambda L: ((T(L, [1, 2]), T(L, [1, 4])), {"rtol": 0.1, "atol": 0.5})),
    ("float-zero-tolerances", lambda L: ((T(L, [1.0, 2.0]), T(L, [1.0, 2.0000002])),
                                         {"rtol": 0, "atol": 0})),
    ("one-third-mismatched", lambda L: ((T(L, [1.0, 2.0, 3.0]), T(L, [1.0, 2.0, 4.0])), {})),
    ("one-in-a-thousand", lambda L: ((L.zeros(1000), L.zeros(1000).index_fill(0, T(L, [999]), 1.0)),
                                     {})),
    ("transposed-mismatch", lambda L: ((L.arange(6.0).reshape(2, 3).t(),
                                        L.arange(6.0).reshape(3, 2).contiguous()), {})),
    ("sliced-mismatch", lambda L: ((L.arange(10.0)[1::3], T(L, [1.0, 4.0, 8.0])), {})),
    ("promoted-mismatch", lambda L: ((T(L, [1, 2]), T(L, [1.0, 2.5])), {"check_dtype": False})),
    ("float32-vs-float64-loosest", lambda L: ((T(L, [1.0]), T(L, [1.1], "float64")),
                                              {"check_dtype": False})),
    ("bool-vs-int-promoted", lambda L: ((T(L, [True, False]), T(L, [1, 2])), {"check_dtype": False})),

    # ---- 0-d tensors
    ("0d-float", lambda L: ((T(L, 1.0), T(L, 2.0)), {})),
    ("0d-float16", lambda L: ((T(L, 1.0, "float16"), T(L, 1.01, "float16")), {})),
    ("0d-float64", lambda L: ((T(L, 0.1, "float64"), T(L, 0.3, "float64")), {})),
    ("0d-int", lambda L: ((T(L, 3), T(L, 0)), {})),
    ("0d-uint8", lambda L: ((T(L, 3, "uint8"), T(L, 200, "uint8")), {})),
    ("0d-bool", lambda L: ((T(L, True), T(L, False)), {})),
    ("0d-nan", lambda L: ((T(L, 1.0), T(L, nan)), {})),
    ("0d-nan-equal-nan", lambda L: ((T(L, nan), T(L, nan)), {"equal_nan": True})),

    # ---- tensor attributes
    ("shape", lambda L: ((L.ones(2), L.ones(3)), {})),
    ("shape-before-dtype", lambda L: ((L.ones(2, 1), L.ones(2, dtype=L.int64)), {})),
    ("dtype", lambda L: ((T(L, [1, 2]), T(L, [1.0, 2.0])), {})),
    ("dtype-int8-uint8", lambda L: ((T(L, [1], "int8"), T(L, [1], "uint8")), {})),
    ("stride", lambda L: ((L.ones(2, 3).t(), L.ones(3, 2)), {"check_stride": True})),
    ("stride-not-checked", lambda L: ((L.ones(2, 3).t(), L.ones(3, 2)), {})),
    ("stride-equal", lambda L: ((L.ones(2, 3), L.zeros(2, 3) + 1), {"check_stride": True})),
    ("layout-not-checked", lambda L: ((L.ones(2), L.ones(2)), {"check_layout": False})),
    ("device-not-checked", lambda L: ((L.ones(2), L.ones(2)), {"check_device": False})),
    ("parameter-subclass-refused", lambda L: ((L.ones(2), L.nn.Parameter(L.ones(2))),
                                              {"allow_subclasses": False})),

    # ---- msg
    ("msg-string", lambda L: ((T(L, [1.0]), T(L, [2.0])), {"msg": "custom message"})),
    ("msg-callable", lambda L: ((T(L, [1.0]), T(L, [2.0])), {"msg": lambda m: f"pre\n{m}\npost"})),
    ("msg-callable-nested", lambda L: (([T(L, [1.0]), {"a": T(L, [1.0])}],
                                        [T(L, [1.0]), {"a": T(L, [3.0])}]),
                                       {"msg": lambda m: m.upper()})),
    ("msg-string-on-attribute", lambda L: ((L.ones(2), L.ones(3)), {"msg": "shapes!"})),
    ("msg-ignored-for-structure", lambda L: (([1, 2], [1, 2, 3]), {"msg": "never shown"})),
    ("msg-ignored-for-type", lambda L: ((L.ones(1), [1.0]), {"msg": "never shown"})),

    # ---- containers
    ("list-tuple-pass", lambda L: (([L.ones(2), 1, 2.0], (L.ones(2), 1, 2.0)), {})),
    ("list-item-fails", lambda L: (([L.ones(2), T(L, [1.0, 2.0])], [L.ones(2), T(L, [1.0, 3.0])]), {})),
    ("sequence-length", lambda L: (([1, 2], [1, 2, 3]), {})),
    ("nested-length", lambda L: (([[1, 2]], [[1]]), {})),
    ("dict-pass", lambda L: (({"a": L.ones(1), "b": 2}, {"b": 2, "a": L.ones(1)}), {})),
    ("dict-keys", lambda L: (({"a": 1, "b": 2}, {"a": 1, "c": 2}), {})),
    ("dict-keys-missing-only", lambda L: (({"a": 1}, {"a": 1, "z": 2, "y": 3}), {})),
    ("dict-int-keys", lambda L: (({1: 1, 2: 2}, {1: 1, 3: 2}), {})),
    ("dict-sorted-first-failure", lambda L: (({"b": T(L, [1.0]), "a": T(L, [1.0])},
                                              {"b": T(L, [2.0]), "a": T(L, [3.0])}), {})),
    ("ordered-dict-vs-dict", lambda L: ((OrderedDict(x=L.ones(1)), {"x": L.zeros(1)}), {})),
    ("dict-in-list-in-dict", lambda L: (({"a": [1, {"b": T(L, [1.0, 2.0])}]},
                                         {"a": [1, {"b": T(L, [1.0, 3.0])}]}), {})),
    ("size-vs-tuple", lambda L: ((L.ones(2, 3).shape, (2, 4)), {})),
    ("first-failure-wins", lambda L: (([T(L, [1.0]), T(L, [5])], [T(L, [2.0]), T(L, [6])]), {})),
    ("structure-before-values", lambda L: (([T(L, [1.0]), [1]], [T(L, [2.0]), [1, 2]]), {})),
    ("type-before-values", lambda L: (([T(L, [1.0]), "a"], [T(L, [2.0]), "a"]), {})),

    # ---- Python numbers, NumPy scalars, None
    ("int-equal", lambda L: ((3, 3), {})),
    ("int", lambda L: ((1, 2), {})),
    ("float", lambda L: ((1.0, 1.1), {})),
    ("float-within", lambda L: ((1.0, 1.0 + 1e-8), {})),
    ("float-from-zero", lambda L: ((0.0, 1e-3), {})),
    ("complex", lambda L: ((1 + 1j, 1 + 2j), {})),
    ("complex-within", lambda L: ((1 + 1j, 1 + 1j + 1e-9), {})),
    ("int-vs-float", lambda L: ((1, 1.0), {})),
    ("int-vs-float-unchecked", lambda L: ((1, 1.0), {"check_dtype": False})),
    ("int-vs-float-unchecked-fails", lambda L: ((1, 1.5), {"check_dtype": False})),
    ("float-nan", lambda L: ((1.5, nan), {})),
    ("float-nan-nan", lambda L: ((nan, nan), {})),
    ("float-nan-equal-nan", lambda L: ((nan, nan), {"equal_nan": True})),
    ("float-inf", lambda L: ((inf, inf), {})),
    ("float-inf-vs-minus-inf", lambda L: ((inf, -inf), {})),
    ("number-custom-tolerances", lambda L: ((1, 2), {"rtol": 0.1, "atol": 0.5})),
    ("numpy-float32-scalar", lambda L: ((np.float32(1.0), 1.0), {})),
    ("numpy-int32-scalar", lambda L: ((np.int32(1), 2), {})),
    ("numpy-float64-vs-int", lambda L: ((np.float64(1.0), 1), {})),
    ("bools", lambda L: ((True, True), {})),
    ("bools-mismatch", lambda L: ((True, False), {})),
    ("numpy-bool", lambda L: ((np.bool_(True), False), {})),
    ("bool-vs-int", lambda L: ((True, 1), {})),
    ("int-vs-bool", lambda L: ((0, False), {})),
    ("numpy-bool-vs-int", lambda L: ((np.bool_(True), 1), {})),
    ("none-none", lambda L: ((None, None), {})),
    ("none-vs-number", lambda L: ((None, 1), {})),
    ("tensor-vs-none", lambda L: ((L.ones(1), None), {})),

    # ---- NumPy arrays
    ("ndarray-pass", lambda L: ((np.ones(3), np.ones(3)), {})),
    ("ndarray-fail", lambda L: ((np.ones(2), np.zeros(2)), {})),
    ("ndarray-float32", lambda L: ((np.array([1.0, 2.0], np.float32), np.array([1.0, 2.5], np.float32)),
                                   {})),
    ("ndarray-dtype", lambda L: ((np.ones(2), np.ones(2, np.float32)), {})),
    ("ndarray-int", lambda L: ((np.array([1, 2]), np.array([1, 3])), {})),
    ("ndarray-0d", lambda L: ((np.array(1.0), np.array(2.0)), {})),
    ("ndarray-noncontiguous", lambda L: ((np.arange(6.0).reshape(2, 3).T, np.arange(6.0).reshape(3, 2)),
                                         {})),

    # ---- inputs nothing compares
    ("tensor-vs-ndarray", lambda L: ((L.ones(2), np.ones(2)), {})),
    ("tensor-vs-list", lambda L: ((L.ones(2), [1.0, 1.0]), {})),
    ("tensor-vs-number", lambda L: ((L.tensor(1.0), 1.0), {})),
    ("strings", lambda L: (("a", "a"), {})),
    ("list-vs-string", lambda L: (([1, 2], "ab"), {})),
    ("sets", lambda L: (({1, 2}, {1, 2}), {})),
    ("objects", lambda L: ((object(), object()), {})),
    ("nested-type-error", lambda L: (({"k": [L.ones(1)]}, {"k": [np.ones(1)]}), {})),

    # ---- usage errors
    ("rtol-only", lambda L: ((L.ones(2), L.ones(2)), {"rtol": 1e-3})),
    ("atol-only", lambda L: ((L.ones(2), L.ones(2)), {"atol": 1e-3})),
    ("atol-only-numbers", lambda L: ((1.0, 1.0), {"atol": 1e-3})),
    ("atol-only-nested", lambda L: (([L.ones(2)], [L.ones(2)]), {"atol": 1e-3, "msg": "m"})),
    ("atol-only-bools-fine", lambda L: ((True, True), {"atol": 1e-3})),
    ("negative-rtol", lambda L: ((L.ones(2), L.ones(2)), {"rtol": -1, "atol": 0})),
    ("negative-atol-nested-2d", lambda L: (([L.ones(2, 2)], [L.zeros(2, 2)]),
                                           {"rtol": 0, "atol": -1, "equal_nan": True})),
    ("negative-atol-ndarray", lambda L: ((np.ones(2), np.ones(2)), {"rtol": 0, "atol": -1})),
    ("negative-tolerance-numbers", lambda L: ((1.0, 2.0), {"rtol": -1, "atol": 0})),
    ("unexpected-after-a-mismatch", lambda L: (([1.0, L.ones(1)], [2.0, L.ones(1)]),
                                               {"rtol": -1, "atol": 0})),
]


@pytest.mark.parametrize("build", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_assert_close_matches_torch(build):
    check_assert_close(build)


def test_cases_cover_passes_and_every_failure_kind():
    kinds = {check_assert_close(build)[0] for _, build in CASES}
    assert kinds == {"ok", "AssertionError", "TypeError", "ValueError", "RuntimeError"}


def test_failure_message_text():
    # One message spelled out, so a reader sees what the parity tests pin down.
    with pytest.raises(AssertionError) as info:
        numtorch.testing.assert_close(numtorch.tensor([1.0, 2.0, 3.0]),
                                      numtorch.tensor([1.0, 2.5, 3.0]))
    assert str(info.value) == (
        "Tensor-likes are not close!\n\n"
        "Mismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)")


def test_dtype_message_names_numtorch():
    with pytest.raises(AssertionError, match=r"numtorch\.float32 != numtorch\.float64\.$"):
        numtorch.testing.assert_close(numtorch.ones(1), numtorch.ones(1, dtype=numtorch.float64))


def test_available_as_torch_testing():
    import numtorch as torch_alias
    assert torch_alias.testing.assert_close is numtorch.testing._comparison.assert_close
    assert callable(torch_alias.testing.make_tensor)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16", "int32",
                                   "int64", "uint8", "bool"])
def test_every_dtype_passes_against_itself_and_fails_on_a_change(dtype):
    def build(L, change):
        x = L.arange(12).reshape(3, 4).to(getattr(L, dtype))
        y = x.clone()
        if change:
            y[2, 2] = 0 if dtype != "bool" else False
            y[0, 0] = 1 if dtype != "bool" else True
        return (x[:, ::2], y[:, ::2]), {}
    assert check_assert_close(lambda L: build(L, False)) == ("ok",)
    assert check_assert_close(lambda L: build(L, True))[0] == "AssertionError"


# ---- assert_allclose (deprecated, still in PyTorch 2.13)

ALLCLOSE_CASES = [
    ("numbers", lambda L: ((1.0, 1.0), {})),
    ("lists", lambda L: (([1.0, 2.0], [1.0, 2.0001]), {})),
    ("lists-fail", lambda L: (([1.0, 2.0], [1.0, 2.1]), {})),
    ("tensor-vs-list", lambda L: ((T(L, [1.0, 2.0]), [1.0, 2.0]), {})),
    ("float32-loose-default", lambda L: ((T(L, [1.0]), T(L, [1.00005])), {})),
    ("float64-default", lambda L: ((T(L, [1.0], "float64"), T(L, [1.0001], "float64")), {})),
    ("float16-default", lambda L: ((T(L, [1.0], "float16"), T(L, [1.0], "float32")), {})),
    ("dtypes-may-differ", lambda L: ((T(L, [1, 2]), T(L, [1.0, 3.0])), {})),
    ("nan-equal-by-default", lambda L: ((T(L, [nan]), T(L, [nan])), {})),
    ("nan-not-equal", lambda L: ((T(L, [nan]), T(L, [nan])), {"equal_nan": False})),
    ("msg", lambda L: ((T(L, [1.0]), T(L, [2.0])), {"msg": "boom"})),
    ("empty-msg-is-none", lambda L: ((T(L, [1.0]), T(L, [2.0])), {"msg": ""})),
    ("rtol-only", lambda L: ((T(L, [1.0]), T(L, [1.0])), {"rtol": 0.1})),
    ("shape", lambda L: ((T(L, [1.0]), T(L, [1.0, 2.0])), {})),
]


@pytest.mark.parametrize("build", [c[1] for c in ALLCLOSE_CASES], ids=[c[0] for c in ALLCLOSE_CASES])
def test_assert_allclose_matches_torch(build):
    results = []
    for lib in LIBS:
        args, kwargs = build(lib)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = outcome(lib.testing.assert_allclose, *args, **kwargs)
        assert [w.category for w in caught] == [FutureWarning]
        assert caught[0].filename == __file__  # attributed to the caller's line
        results.append(result + (str(caught[0].message),))
    assert results[0] == as_numtorch(results[1])


# ---- make_tensor

MAKE_DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]
MAKE_OPTIONS = [
    {},
    {"low": -3, "high": 5},
    {"low": 0.5, "high": 3.75},
    {"low": -1e300, "high": 1e300},     # clamped to the dtype's range (and halved for floats)
    {"low": None, "high": 3},
    {"noncontiguous": True},
    {"exclude_zero": True},
    {"exclude_zero": True, "low": 0, "high": 2},
    {"noncontiguous": True, "exclude_zero": True},
]


def make_both(seed, *shape, dtype, **kwargs):
    """make_tensor in both libraries after the same seed: (ours, theirs) or both outcomes."""
    made = []
    for lib in LIBS:
        lib.manual_seed(seed)
        made.append(lib.testing.make_tensor(*shape, dtype=getattr(lib, dtype), device="cpu", **kwargs))
    return made


def assert_same_tensor(ours, theirs):
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "numtorch.")
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.stride() == theirs.stride()
    assert ours.is_contiguous() == theirs.is_contiguous()
    assert ours.requires_grad == theirs.requires_grad
    assert np.array_equal(ours.detach().numpy(), theirs.detach().numpy(), equal_nan=True)


@pytest.mark.parametrize("options", MAKE_OPTIONS, ids=[str(o) for o in MAKE_OPTIONS])
@pytest.mark.parametrize("dtype", MAKE_DTYPES)
def test_make_tensor_draws_torchs_values(dtype, options):
    if dtype == "bool" and "low" in options:
        options = {k: v for k, v in options.items() if k not in ("low", "high")}
    assert_same_tensor(*make_both(7, 5, 6, dtype=dtype, **options))


@pytest.mark.parametrize("shape", [(), (4,), ((2, 3),), ([2, 3],), (2, 3), (0, 3), (1,), (1, 1),
                                   (2, 1, 3)])
def test_make_tensor_shapes(shape):
    for dtype in ("float32", "int64"):
        assert_same_tensor(*make_both(1, *shape, dtype=dtype, noncontiguous=True))


def test_make_tensor_accepts_a_size():
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    ours = numtorch.testing.make_tensor(numtorch.Size([2, 3]), dtype=numtorch.float32, device="cpu")
    theirs = torch.testing.make_tensor(torch.Size([2, 3]), dtype=torch.float32, device="cpu")
    assert_same_tensor(ours, theirs)


@pytest.mark.parametrize("dtype,low,high", [("float32", -9, 9), ("float16", -9, 9), ("int8", -9, 10),
                                            ("uint8", 0, 10), ("int64", -9, 10), ("bool", 0, 2)])
def test_make_tensor_default_ranges(dtype, low, high):
    numtorch.manual_seed(0)
    x = numtorch.testing.make_tensor(4000, dtype=getattr(numtorch, dtype), device="cpu")
    values = x.numpy().astype(np.float64)
    assert values.min() >= low and values.max() < high
    if dtype != "float32" and dtype != "float16":
        assert sorted(set(values.tolist())) == list(range(low, high))


def test_make_tensor_integers_round_bounds_up():
    numtorch.manual_seed(0)
    x = numtorch.testing.make_tensor(2000, dtype=numtorch.int32, device="cpu", low=-2.5, high=1.5)
    assert sorted(set(x.tolist())) == [-2, -1, 0, 1]


def test_make_tensor_noncontiguous_and_exclude_zero():
    numtorch.manual_seed(0)
    x = numtorch.testing.make_tensor(3, 4, dtype=numtorch.float32, device="cpu", noncontiguous=True)
    assert x.shape == (3, 4) and not x.is_contiguous()
    one = numtorch.testing.make_tensor(1, dtype=numtorch.float32, device="cpu", noncontiguous=True)
    assert one.is_contiguous()  # fewer than two elements: nothing to make non-contiguous
    zero_free = numtorch.testing.make_tensor(500, dtype=numtorch.float16, device="cpu", low=0, high=1e-4,
                                             exclude_zero=True)
    assert bool((zero_free != 0).all())


def test_make_tensor_memory_format():
    for lib in LIBS:
        lib.manual_seed(2)
    ours = numtorch.testing.make_tensor(2, 3, 4, 5, dtype=numtorch.float32, device="cpu",
                                        memory_format=numtorch.channels_last)
    theirs = torch.testing.make_tensor(2, 3, 4, 5, dtype=torch.float32, device="cpu",
                                       memory_format=torch.channels_last)
    assert_same_tensor(ours, theirs)


def test_make_tensor_requires_grad():
    x = numtorch.testing.make_tensor(3, dtype=numtorch.float64, device="cpu", requires_grad=True)
    assert x.requires_grad and x.is_leaf


MAKE_ERRORS = [
    ("nan-low", lambda L: dict(dtype=L.float32, low=nan)),
    ("nan-high", lambda L: dict(dtype=L.float32, high=nan)),
    ("low-above-high", lambda L: dict(dtype=L.float32, low=5, high=1)),
    ("int-low-equals-high", lambda L: dict(dtype=L.int32, low=3, high=3)),
    ("uint8-below-range", lambda L: dict(dtype=L.uint8, low=-5, high=-1)),
    ("int8-above-range", lambda L: dict(dtype=L.int8, low=1000, high=2000)),
    ("float16-outside-range", lambda L: dict(dtype=L.float16, low=-1e6, high=-1e5)),
    ("bool-range", lambda L: dict(dtype=L.bool, low=2, high=5)),
    ("noncontiguous-and-memory-format", lambda L: dict(dtype=L.float32, noncontiguous=True,
                                                       memory_format=L.channels_last)),
    ("requires-grad-int", lambda L: dict(dtype=L.int64, requires_grad=True)),
    ("requires-grad-bool", lambda L: dict(dtype=L.bool, requires_grad=True)),
    ("python-type-dtype", lambda L: dict(dtype=float)),
]


@pytest.mark.parametrize("build", [c[1] for c in MAKE_ERRORS], ids=[c[0] for c in MAKE_ERRORS])
def test_make_tensor_errors_match_torch(build):
    results = [outcome(lib.testing.make_tensor, 2, 2, device="cpu", **build(lib)) for lib in LIBS]
    assert results[0][0] != "ok"
    assert results[0] == as_numtorch(results[1])


def test_make_tensor_low_equal_high_warns_and_fills():
    made = []
    for lib in LIBS:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = lib.testing.make_tensor(3, dtype=lib.float32, device="cpu", low=2.0, high=2.0)
        assert [w.category for w in caught] == [FutureWarning]
        assert caught[0].filename == __file__
        made.append((x.tolist(), str(caught[0].message)))
    assert made[0] == as_numtorch(made[1])
