"""autograd.Variable, the pre-0.4 wrapper old code still imports: a leaf sharing memory."""

import numpy as np
import pytest
import torch

import numtorch
from numtorch.autograd import Variable


@pytest.mark.parametrize("requires_grad", [False, True])
def test_variable_is_a_leaf_over_the_same_memory(requires_grad):
    for lib in (numtorch, torch):
        data = lib.ones(3) * 2  # not a leaf of anything: no grad
        v = lib.autograd.Variable(data, requires_grad=requires_grad)
        assert v is not data and v.data_ptr() == data.data_ptr()
        assert v.is_leaf and v.requires_grad is requires_grad and v.grad_fn is None
        assert type(v) is lib.Tensor
    x = Variable(numtorch.tensor([1.0, 2.0]), True)  # positional, as old code writes it
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])


def test_variable_detaches_a_tensor_with_history():
    for lib in (numtorch, torch):
        y = lib.ones(2, requires_grad=True) * 3
        v = lib.autograd.Variable(y)
        assert v.grad_fn is None and not v.requires_grad and v.is_leaf


def test_every_tensor_is_a_variable():
    assert isinstance(numtorch.ones(1), Variable) and isinstance(torch.ones(1),
                                                                  torch.autograd.Variable)
    assert not isinstance(3.0, Variable) and not isinstance(np.ones(1), Variable)


def test_no_data_gives_an_empty_tensor():
    assert Variable().tolist() == torch.autograd.Variable().tolist() == []
    assert Variable().dtype == numtorch.float32


def test_volatile_warns_that_it_is_gone():
    with pytest.warns(UserWarning, match=r"volatile was removed and now has no effect. Use "
                                         r"`with numtorch.no_grad\(\):` instead."):
        v = Variable(numtorch.ones(1), volatile=True)
    assert not v.requires_grad


@pytest.mark.parametrize("make, error, match", [
    (lambda lib: lib.autograd.Variable(3), TypeError,
     "^Variable data has to be a tensor, but got int$"),
    (lambda lib: lib.autograd.Variable([1.0]), TypeError,
     "^Variable data has to be a tensor, but got list$"),
    (lambda lib: lib.autograd.Variable(lib.ones(2, dtype=lib.long), True), RuntimeError,
     "^Only Tensors of floating point and complex dtype can require gradients$"),
    (lambda lib: lib.autograd.Variable(lib.ones(2), requires_grad=None), TypeError,
     "^'NoneType' object cannot be interpreted as an integer$"),
])
def test_errors_match_torch(make, error, match):
    for lib in (numtorch, torch):
        with pytest.raises(error, match=match):
            make(lib)


def test_requires_grad_is_read_as_an_integer_and_name_is_accepted():
    for lib in (numtorch, torch):
        assert lib.autograd.Variable(lib.ones(2), 1).requires_grad
        assert not lib.autograd.Variable(lib.ones(2), 0).requires_grad
        assert not lib.autograd.Variable(lib.ones(2), name="x").requires_grad
