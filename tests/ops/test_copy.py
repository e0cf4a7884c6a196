"""zero_, fill_, copy_: values, dtype casting, broadcasting, autograd, errors — against torch."""

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, torch


def both(fn):
    """Run ``fn(lib)`` for numtorch and torch and compare the results."""
    assert_same(fn(numtorch), fn(torch))


def test_zero_fill_copy_values_and_dtypes():
    both(lambda m: m.ones(2, 3).zero_())
    both(lambda m: m.ones(2, 3).fill_(2.5))
    both(lambda m: m.zeros(3, dtype=m.int64).fill_(2.7))
    both(lambda m: m.zeros(3, dtype=m.int64).copy_(m.tensor([1.7, 2.2, -1.5])))
    both(lambda m: m.zeros(2, 3).copy_(m.tensor([1.0, 2.0, 3.0])))
    both(lambda m: m.zeros(2, 3, dtype=m.float64).copy_(m.ones(1, 3, dtype=m.float16)))
    both(lambda m: m.zeros(0).fill_(1))


def test_copy_into_a_view_writes_the_base():
    x = numtorch.zeros(3, 3)
    x[1].copy_(numtorch.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [[0, 0, 0], [1, 2, 3], [0, 0, 0]]


def test_in_place_bumps_version_and_returns_self():
    x = numtorch.ones(3)
    v = x._version
    assert x.zero_() is x and x.fill_(1) is x and x.copy_(numtorch.zeros(3)) is x
    assert x._version == v + 3


@pytest.mark.parametrize("op", ["zero", "fill", "copy"])
def test_autograd_through_overwrites(op):
    def run(m):
        a = m.tensor(np.arange(3.0), requires_grad=True)
        src = m.tensor([5.0, 6.0, 7.0], requires_grad=True)
        v = m.tensor(4.0, requires_grad=True)
        b = a * 2
        if op == "zero":
            b.zero_()
        elif op == "fill":
            b.fill_(v)
        else:
            b.copy_(src)
        (b * m.tensor([1.0, 2.0, 3.0])).sum().backward()
        name = type(b.grad_fn).__name__
        return name, a.grad, src.grad, v.grad

    got, want = run(numtorch), run(torch)
    assert got[0] == want[0]
    for g, w in zip(got[1:], want[1:]):
        if w is None:
            assert g is None
        else:
            assert_same(g, w)


def test_leaf_requiring_grad_cannot_be_overwritten_in_place():
    a = numtorch.ones(2, requires_grad=True)
    for call in (lambda: a.zero_(), lambda: a.fill_(1), lambda: a.copy_(numtorch.ones(2))):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used "
                                               "in an in-place operation."):
            call()
    with numtorch.no_grad():
        a.zero_()
    assert a.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("dst,src", [((1, 2), (3, 2)), ((3,), (2,)), ((2, 3), (4, 2, 3)),
                                     ((2, 1), (2, 3)), ((3,), (2, 1))])
def test_copy_shape_errors_match_torch(dst, src):
    with pytest.raises(RuntimeError) as want:
        torch.zeros(*dst).copy_(torch.ones(*src))
    with pytest.raises(RuntimeError) as got:
        numtorch.zeros(*dst).copy_(numtorch.ones(*src))
    assert str(got.value) == str(want.value)


def test_errors():
    with pytest.raises(RuntimeError, match="The size of tensor a \\(3\\) must match the size of "
                                           "tensor b \\(2\\) at non-singleton dimension 0"):
        numtorch.zeros(3).copy_(numtorch.ones(2))
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor but got "
                                           "tensor with 1 dimensions."):
        numtorch.zeros(3).fill_(numtorch.ones(2))
