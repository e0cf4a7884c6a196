"""Python numbers written into tensors (fill_, full, masked_fill, index_fill, scatter, pad,
copy_), and the order of in-place checks: each expression runs in numtorch and in torch and
must give the same values and dtype, or the same exception type and first message line."""

import warnings

import pytest

import numtorch
from tests.utils import assert_same, torch

U8 = "m.zeros(2, dtype=m.uint8)"
I8 = "m.zeros(2, dtype=m.int8)"
MASK = "m.tensor([True, False])"
IDX = "m.tensor([0])"

FILLS = [
    # In range: an int, a float truncated toward zero, a negative int wrapped into uint8.
    f"{I8}.fill_(2.9)", f"{I8}.fill_(-2.9)", f"{U8}.fill_(-3)", f"{U8}.fill_(-255)",
    f"{U8}.fill_(255)", "m.zeros(2, dtype=m.int64).fill_(-2**63)",
    "m.zeros(2, dtype=m.bool).fill_(-3)", "m.zeros(2, dtype=m.int16).fill_(True)",
    "m.zeros(2).fill_(float('inf'))", "m.zeros(2, dtype=m.float16).fill_(float('nan'))",
    # Out of range: PyTorch's RuntimeError naming the C type.
    f"{U8}.fill_(256)", f"{U8}.fill_(-256)", f"{U8}.fill_(-1.5)", f"{U8}.fill_(255.9)",
    f"{I8}.fill_(-129)", f"{I8}.fill_(1e10)", f"{I8}.fill_(float('nan'))",
    f"{I8}.fill_(float('inf'))", "m.zeros(2, dtype=m.int16).fill_(10**5)",
    "m.zeros(2, dtype=m.int32).fill_(2**31)", "m.zeros(2, dtype=m.int64).fill_(2**64 - 1)",
    "m.zeros(2, dtype=m.float16).fill_(1e6)", "m.zeros(2, dtype=m.float16).fill_(70000)",
    "m.zeros(2).fill_(1e300)",
    # Beyond 64 bits: the argument parser's OverflowError.
    "m.zeros(2, dtype=m.int64).fill_(-2**63 - 1)", "m.zeros(2, dtype=m.bool).fill_(2**70)",
    "m.zeros(2, dtype=m.float16).fill_(2**70)",
    # Not a number: PyTorch's argument parser refuses it.
    "m.zeros(2).fill_('a')", "m.zeros(2).fill_(None)", "m.zeros(2).fill_([1])",
    "m.nn.init.constant_(m.empty(2), 'a')",
    # A 0-d tensor value is cast, not checked.
    f"{U8}.fill_(m.tensor(-3))", f"{U8}.fill_(m.tensor(300))",
    # The same check in every op that writes a number.
    "m.full((2,), -3, dtype=m.uint8)", "m.full((2,), 300, dtype=m.uint8)",
    "m.full((2,), -300, dtype=m.int8)", "m.full((2,), 2**63)",
    f"m.full_like({U8}, -3)", f"m.full_like({U8}, 256)",
    f"{U8}.new_full((2,), -3)", f"{U8}.new_full((2,), 256)",
    f"{U8}.masked_fill({MASK}, -3)", f"{U8}.masked_fill({MASK}, 256)",
    f"{U8}.masked_fill_({MASK}, -3)", f"{U8}.masked_fill_({MASK}, 256)",
    f"{U8}.index_fill(0, {IDX}, -3)", f"{U8}.index_fill_(0, {IDX}, 256)",
    f"{U8}.scatter(0, {IDX}, -3)", f"{U8}.scatter_(0, {IDX}, 256)",
    f"m.nn.functional.pad({U8}, (1, 1), value=-3)",
    f"m.nn.functional.pad({U8}, (1, 1), value=256)",
    # copy_ of a number: a C cast, never an error.
    f"{U8}.copy_(-3)", f"{U8}.copy_(300)", f"{I8}.copy_(2.9)", "m.zeros(2).copy_(True)",
    "m.zeros(2, dtype=m.float16).copy_(1e6)",
    "m.zeros(2).copy_('a')", "m.zeros(2).copy_(None)", "m.zeros(2).copy_([1, 2])",
]

INPLACE = [
    # The promoted result must fit self's dtype: checked before the kernel's dtype.
    "m.zeros(2, dtype=m.int64).bitwise_and_(m.ones(2))",
    "m.zeros(2, dtype=m.int64).bitwise_or_(1.5)",
    "m.zeros(2, dtype=m.int64).bitwise_left_shift_(1.5)",
    "m.zeros(2, dtype=m.int64).gcd_(m.ones(2))",
    "m.zeros(2, dtype=m.bool).hypot_(m.ones(2, dtype=m.int64))",
    "m.zeros(2, dtype=m.bool).nextafter_(m.ones(2, dtype=m.int64))",
    "m.zeros(2, dtype=m.float16).bitwise_xor_(m.ones(2))",  # fits: the kernel's error
    "m.zeros(2, dtype=m.int64).hypot_(m.ones(2, dtype=m.bool))",
    # A bad operand of an in-place method: named as the method, counted after self.
    "m.ones(2).atan2_(1.5)", "m.ones(2).hypot_(2)", "m.ones(2, dtype=m.int64).gcd_(True)",
    "m.ones(2).logical_and_(1.5)", "m.ones(2).ldexp_(2)", "m.ones(2).heaviside_(0.5)",
    "m.ones(2).nextafter_([1.0])",
]


def _run(expr, lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return eval(expr, {"m": lib}), None
        except Exception as e:  # noqa: BLE001 - compared with PyTorch's below
            return None, e


@pytest.mark.parametrize("expr", FILLS + INPLACE)
def test_numbers_written_into_tensors_as_torch(expr):
    ours, err = _run(expr, numtorch)
    ref, ref_err = _run(expr, torch)
    if ref_err is not None:
        assert err is not None, f"torch raised {ref_err!r}, numtorch returned {ours}"
        assert type(err) is type(ref_err)
        assert str(err).split("\n")[0] == str(ref_err).split("\n")[0].replace("torch.",
                                                                                "numtorch.")
        return
    assert err is None, f"numtorch raised {err!r}"
    assert_same(ours, ref)


def test_failed_fill_leaves_the_tensor_unchanged():
    x = numtorch.full((2,), 7, dtype=numtorch.uint8)
    version = x._version
    with pytest.raises(RuntimeError, match="value cannot be converted to type uint8_t"):
        x.fill_(256)
    assert x.tolist() == [7, 7] and x._version == version


def test_copy_of_a_number_records_copy_backwards():
    x = numtorch.zeros(2, requires_grad=True).clone()
    x.copy_(3)
    assert x.grad_fn.name() == "CopyBackwards"
    x.sum().backward()
