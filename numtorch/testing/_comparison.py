"""assert_close: are two tensors, numbers or nested containers of them close?

PyTorch's rules and failure messages, character for character. The comparison runs in
two passes, as PyTorch's does, because the order decides which error a user sees:

1. the inputs are walked: containers are recursed into (their lengths and keys must
   agree), each leaf is classified (None, bool, number, tensor-like) and its tolerances
   chosen. A problem here (mismatched structure, an input nothing can compare, only one
   of ``rtol``/``atol``) is raised at once, and ``msg`` does not replace it;
2. the leaves are compared in order and the first mismatch is raised, its message
   replaced by ``msg`` when one is given.
"""

from __future__ import annotations

import cmath
import collections.abc
import functools
from collections.abc import Callable
from typing import Any

import numpy as np

import numtorch

from .. import _warnings
from .._tensor import Tensor

# {dtype name: (rtol, atol)}. Dtypes not listed (integers, bool) compare exactly.
_TOLERANCES = {
    "float16": (0.001, 1e-5),
    "bfloat16": (0.016, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
# A Python number is toleranced as the dtype a tensor of it would have in double precision.
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}

_BOOLS = (bool, np.bool_)
_NUMBERS = (int, float, complex, np.number)


class _Failure(Exception):
    """A problem found at item ``id`` of the inputs; ``to_error`` makes what the user sees."""

    def __init__(self, error_type: type[Exception], message: str, id: tuple = ()) -> None:
        super().__init__(message)
        self.error_type, self.message, self.id = error_type, message, id

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        # A string replaces the message outright; a callable gets the full generated one.
        if isinstance(msg, str):
            return self.error_type(msg)
        message = self.message
        if self.id:
            path = "".join(str([item]) for item in self.id)
            message += f"\n\nThe failure occurred for item {path}"
        return self.error_type(msg(message) if callable(msg) else message)


def _tolerances(*dtype_names: str, rtol, atol, id: tuple) -> tuple[float, float]:
    """The user's ``rtol``/``atol`` if both are given, else the loosest defaults of the dtypes."""
    if (rtol is None) != (atol is None):
        # One tolerance alone would be a trap: atol=0 still passes anything within rtol.
        missing = "rtol" if rtol is None else "atol"
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                   f"but got no {missing}.", id)
    if rtol is not None:
        return rtol, atol
    rtols, atols = zip(*(_TOLERANCES.get(name, (0.0, 0.0)) for name in dtype_names))
    return max(rtols), max(atols)


# ---- pass 1: walk the inputs -------------------------------------------------------------


def _is_sequence(value) -> bool:
    # A str is a sequence of strs of length one, each again a sequence: never recurse into it.
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _checks(actual, expected, id: tuple, options: dict) -> list[Callable[[], None]]:
    """One zero-argument comparison per leaf pair, in order; raises ``_Failure`` on structure."""
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, "The length of the sequences mismatch: "
                                           f"{len(actual)} != {len(expected)}", id)
        checks = []
        for index in range(len(actual)):
            checks += _checks(actual[index], expected[index], (*id, index), options)
        return checks

    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            missing, additional = expected_keys - actual_keys, actual_keys - expected_keys
            raise _Failure(AssertionError,
                           "The keys of the mappings do not match:\n"
                           f"Missing keys in the actual mapping: {sorted(missing)}\n"
                           f"Additional keys in the actual mapping: {sorted(additional)}", id)
        # Sorted keys make "the first failure" the same on every run, where keys can be sorted.
        try:
            keys = sorted(actual_keys)
        except TypeError:
            keys = list(actual_keys)
        checks = []
        for key in keys:
            checks += _checks(actual[key], expected[key], (*id, key), options)
        return checks

    return [_leaf_check(actual, expected, id, options)]


def _leaf_check(actual, expected, id: tuple, options: dict) -> Callable[[], None]:
    """The comparison for two non-container values, tried as PyTorch tries its pair types."""
    if actual is None or expected is None:
        return functools.partial(_compare_none, actual, expected, id=id)
    if isinstance(actual, _BOOLS) and isinstance(expected, _BOOLS):
        return functools.partial(_compare_bools, bool(actual), bool(expected), id=id)
    if isinstance(actual, _NUMBERS) and isinstance(expected, _NUMBERS):
        return _originate("NumberPair", _number_check, actual, expected, id, options)
    check = _originate("TensorLikePair", _tensor_check, actual, expected, id, options)
    if check is not None:
        return check
    raise _Failure(TypeError, "No comparison pair was able to handle inputs of type "
                              f"{type(actual)} and {type(expected)}.", id)


_UNEXPECTED = (
    "resulted in the unexpected exception above. If you are a user and see this message during "
    "normal operation please file an issue at https://github.com/pytorch/pytorch/issues. If you "
    "are a developer and working on the comparison functions, please except the previous error "
    "and raise an expressive `ErrorMeta` instead.")


def _originate(pair_name: str, make_check, actual, expected, id: tuple, options: dict):
    """``make_check(...)``, with any unforeseen error reported as PyTorch reports it.

    A bool against an int reaches the number comparison (bool is an int) and has no dtype
    there; PyTorch answers that with this RuntimeError, chained to the original error.
    """
    try:
        return make_check(actual, expected, id, **options)
    except _Failure:
        raise
    except Exception as error:
        path = "".join(str([item]) for item in id)
        raise RuntimeError(
            f"Originating a {pair_name}() at item {path} with\n\n"
            f"{type(actual).__name__}(): {actual}\n\nand\n\n"
            f"{type(expected).__name__}(): {expected}\n\n" + _UNEXPECTED) from error


def _number_check(actual, expected, id, *, rtol, atol, equal_nan, check_dtype, **_):
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances(*(_NUMBER_DTYPES[type(x)] for x in (actual, expected)),
                             rtol=rtol, atol=atol, id=id)
    return functools.partial(_compare_numbers, actual, expected, id=id, rtol=rtol, atol=atol,
                             equal_nan=equal_nan, check_dtype=check_dtype)


def _tensor_check(actual, expected, id, *, allow_subclasses, rtol, atol, **flags):
    """A tensor comparison, or None when the two inputs are not a pair of tensor-likes."""
    # Only inputs of related types pair up: a tensor never compares with an ndarray or a list.
    if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
        return None
    if not allow_subclasses and type(actual) is not type(expected):
        return None
    try:
        actual, expected = (x if isinstance(x, Tensor) else numtorch.as_tensor(x)
                            for x in (actual, expected))
    except Exception:
        return None
    rtol, atol = _tolerances(actual.dtype.name, expected.dtype.name, rtol=rtol, atol=atol, id=id)
    return functools.partial(_compare_tensors, actual, expected, id=id, rtol=rtol, atol=atol,
                             **flags)


# ---- pass 2: compare the leaves ----------------------------------------------------------


def _compare_none(actual, expected, *, id) -> None:
    if not (actual is None and expected is None):
        raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", id)


def _compare_bools(actual: bool, expected: bool, *, id) -> None:
    if actual is not expected:
        raise _Failure(AssertionError, f"Booleans mismatch: {actual} is not {expected}", id)


def _compare_numbers(actual, expected, *, id, rtol, atol, equal_nan, check_dtype) -> None:
    if check_dtype and type(actual) is not type(expected):
        raise _Failure(AssertionError,
                       f"The (d)types do not match: {type(actual)} != {type(expected)}.", id)
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_mismatch(actual, expected, rtol=rtol, atol=atol), id)


def _compare_tensors(actual: Tensor, expected: Tensor, *, id, rtol, atol, equal_nan,
                     check_device, check_dtype, check_layout, check_stride) -> None:
    def mismatch(attribute, actual_value, expected_value):
        raise _Failure(AssertionError, f"The values for attribute '{attribute}' do not match: "
                                       f"{actual_value} != {expected_value}.", id)

    if actual.shape != expected.shape:
        mismatch("shape", actual.shape, expected.shape)
    # Every numtorch tensor is strided, so check_layout never has a layout mismatch to report.
    if check_stride and actual.stride() != expected.stride():
        mismatch("stride()", actual.stride(), expected.stride())
    if check_device and actual.device != expected.device:
        mismatch("device", actual.device, expected.device)
    if check_dtype and actual.dtype != expected.dtype:
        mismatch("dtype", actual.dtype, expected.dtype)

    # Differences the caller chose to ignore: meet on the host, in the promoted dtype.
    if actual.device != expected.device:
        actual, expected = actual.cpu(), expected.cpu()
    if actual.dtype != expected.dtype:
        dtype = numtorch.promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(dtype), expected.to(dtype)
    actual, expected = actual.detach(), expected.detach()

    matches = numtorch.isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if bool(matches.all()):
        return
    if actual.dim() == 0:
        message = _scalar_mismatch(actual.item(), expected.item(), rtol=rtol, atol=atol)
    else:
        message = _tensor_mismatch(actual, expected, matches, rtol=rtol, atol=atol)
    raise _Failure(AssertionError, message, id)


def _unexpected_comparison(check: functools.partial) -> RuntimeError:
    """The RuntimeError for a comparison that raised something other than a mismatch
    (``rtol=-1`` makes ``isclose`` refuse), listing the comparison as PyTorch lists its pair."""
    pair_name = {_compare_none: "NonePair", _compare_bools: "BooleanPair",
                 _compare_numbers: "NumberPair", _compare_tensors: "TensorLikePair"}[check.func]
    options = dict(check.keywords)
    fields = [("id", options.pop("id")), ("actual", check.args[0]), ("expected", check.args[1]),
              *options.items()]
    lines = [f"{pair_name}(", *(f"    {name}={value!s}," for name, value in fields), ")"]
    return RuntimeError("Comparing\n\n" + "\n".join(lines) + "\n\n" + _UNEXPECTED)


# ---- failure messages --------------------------------------------------------------------


def _mismatch_message(identifier: str, extra: str, *, abs_diff, rel_diff, rtol, atol,
                      abs_index=None, rel_index=None) -> str:
    """The header, ``extra``, and the absolute and relative difference lines."""
    exact = rtol == 0 and atol == 0
    lines = [f"{identifier} are not {'equal' if exact else 'close'}!", "", extra]
    for kind, diff, index, tol in (("absolute", abs_diff, abs_index, atol),
                                   ("relative", rel_diff, rel_index, rtol)):
        if index is None:
            line = f"{kind.title()} difference: {diff}"
        else:
            line = f"Greatest {kind} difference: {diff} at index {index}"
        if not exact:
            line += f" (up to {tol} allowed)"
        lines.append(line)
    return "\n".join(lines)


def _scalar_mismatch(actual, expected, *, rtol, atol) -> str:
    """The message for two Python numbers (or the items of two 0-d tensors)."""
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_message("Scalars", f"Expected {expected} but got {actual}.",
                             abs_diff=abs_diff, rel_diff=rel_diff, rtol=rtol, atol=atol)


def _tensor_mismatch(actual: Tensor, expected: Tensor, matches: Tensor, *, rtol, atol) -> str:
    """How many elements mismatch, and the greatest absolute and relative differences.

    Only mismatching elements count towards the greatest differences; a tie goes to the
    first such element and a NaN difference beats every number (PyTorch's ``max``).
    Integers and bools are differenced in int64 so that uint8 ``1 - 2`` cannot wrap, and
    their relative difference is a true division in the default float dtype.
    """
    total = matches.numel()
    mismatched = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"

    a, e = actual.cpu().numpy().reshape(-1), expected.cpu().numpy().reshape(-1)
    matched = matches.cpu().numpy().reshape(-1)
    floating = actual.dtype.is_floating_point
    if not floating:
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):  # inf - inf and x / 0 are expected here
        abs_diff = np.abs(a - e)
        abs_diff[matched] = 0
        if floating:
            rel_diff = abs_diff / np.abs(e)
        else:
            float_dtype = numtorch.get_default_dtype().np
            rel_diff = abs_diff.astype(float_dtype) / np.abs(e).astype(float_dtype)
        rel_diff[matched] = 0

    def unravel(flat_index):
        return tuple(int(i) for i in np.unravel_index(flat_index, tuple(actual.shape)))

    abs_at, rel_at = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _mismatch_message("Tensor-likes", extra, rtol=rtol, atol=atol,
                             abs_diff=abs_diff[abs_at].item(), abs_index=unravel(abs_at),
                             rel_diff=rel_diff[rel_at].item(), rel_index=unravel(rel_at))


# ---- the public functions ----------------------------------------------------------------


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    r"""Assert that ``actual`` and ``expected`` are close; raise an ``AssertionError`` if not.

    Two numbers or tensors are close where ``|actual - expected| <= atol + rtol * |expected|``
    elementwise (infinities only when equal, NaNs only with ``equal_nan``), and tensors must
    also share shape, and device, dtype and stride where those checks are on. Sequences and
    mappings are compared item by item. Without ``rtol`` and ``atol`` the dtype decides:

    ========================  ==========  ==========
    dtype                     rtol        atol
    ========================  ==========  ==========
    float16                   1e-3        1e-5
    float32                   1.3e-6      1e-5
    float64                   1e-7        1e-7
    other (integers, bool)    0           0
    ========================  ==========  ==========

    Args:
        actual, expected: tensors, NumPy arrays, Python numbers, or (nested) sequences and
            mappings of them. A tensor never pairs with a NumPy array, list or number.
        allow_subclasses: whether a tensor compares with an instance of a subclass of its type.
        rtol, atol: relative and absolute tolerance; give both or neither.
        equal_nan: whether two NaNs are equal.
        check_device, check_dtype, check_stride: whether these must match; when a check is
            off, the values are compared on the host, in the promoted dtype.
        check_layout: accepted for PyTorch's signature; numtorch tensors are all strided.
        msg: a message to raise instead of the generated one, or a callable that receives the
            generated message and returns the one to raise.

    Example::

        >>> numtorch.testing.assert_close(numtorch.tensor([1.0, 2.0]), numtorch.tensor([1.0, 2.5]))
        Traceback (most recent call last):
        ...
        AssertionError: Tensor-likes are not close!
        <BLANKLINE>
        Mismatched elements: 1 / 2 (50.0%)
        Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
        Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this function's
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
                   check_device=check_device, check_dtype=check_dtype,
                   check_layout=check_layout, check_stride=check_stride)
    try:
        checks = _checks(actual, expected, (), options)
    except _Failure as failure:
        error = failure.to_error()
    else:
        # Every leaf is compared, as in PyTorch: the first mismatch is reported, unless a
        # later comparison fails unexpectedly, which is reported instead.
        error = None
        for check in checks:
            try:
                check()
            except _Failure as failure:
                if error is None:
                    error = failure.to_error(msg)
            except Exception as unexpected:
                raise _unexpected_comparison(check) from unexpected
    if error is not None:
        raise error


def assert_allclose(actual: Any, expected: Any, rtol: float | None = None,
                    atol: float | None = None, equal_nan: bool = True, msg: str = "") -> None:
    """Deprecated since PyTorch 1.12: :func:`assert_close` with looser defaults.

    Non-tensor inputs become tensors (``expected`` in ``actual``'s dtype), dtypes may differ,
    NaNs are equal by default, and the default tolerances are (rtol, atol) = (1e-3, 1e-3) for
    float16, (1e-4, 1e-5) for float32 and (1e-5, 1e-8) for float64.
    """
    _warnings.warn(
        "`numtorch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `numtorch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning)
    __tracebackhide__ = True
    if not isinstance(actual, Tensor):
        actual = numtorch.tensor(actual)
    if not isinstance(expected, Tensor):
        expected = numtorch.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        looser = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-5, 1e-8)}
        rtols, atols = zip(*(looser.get(t.dtype.name, (0.0, 0.0)) for t in (actual, expected)))
        rtol, atol = max(rtols), max(atols)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)
