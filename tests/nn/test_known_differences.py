"""Where numtorch deliberately differs from PyTorch 2.13: each difference pinned by a test,
so a change to it is a decision, not an accident."""

import warnings

import numpy as np
import pytest
import torch

import numtorch


def test_old_weight_norm_grad_fn_is_a_mul_where_torch_has_a_fused_node():
    # Values and gradients equal torch's (tests/nn/test_utils.py); numtorch composes
    # g * v / ||v|| from ordinary ops instead of torch's fused WeightNormInterface kernel.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ours = numtorch.nn.utils.weight_norm(numtorch.nn.Linear(3, 2))
        theirs = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2))
    assert type(ours.weight.grad_fn).__name__ == "MulBackward0"
    assert type(theirs.weight.grad_fn).__name__ == "WeightNormInterfaceBackward0"


def test_sparse_embedding_gets_a_dense_gradient():
    # numtorch has no sparse tensors: sparse=True is accepted and shown, the grad is dense.
    e = numtorch.nn.Embedding(5, 3, sparse=True)
    assert repr(e) == "Embedding(5, 3, sparse=True)"
    e(numtorch.tensor([1, 2, 2])).sum().backward()
    assert e.weight.grad.shape == (5, 3) and not e.weight.grad.is_sparse
    np.testing.assert_array_equal(e.weight.grad.numpy()[:, 0], [0, 1, 2, 0, 0])


def test_cross_entropy_refuses_a_weight_that_requires_grad_even_with_probabilities():
    # torch allows it for probability targets; numtorch's fused kernel never differentiates
    # the class weights and says so.
    x = numtorch.randn(2, 3)
    w = numtorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        numtorch.nn.functional.cross_entropy(x, numtorch.softmax(numtorch.randn(2, 3), 1), weight=w)


def test_soft_margin_loss_stays_finite_where_torch_overflows():
    a = np.array([[-200.0, 300.0]], np.float32)
    y = np.array([[1.0, -1.0]], np.float32)
    ours = numtorch.nn.functional.soft_margin_loss(numtorch.tensor(a), numtorch.tensor(y))
    theirs = torch.nn.functional.soft_margin_loss(torch.tensor(a), torch.tensor(y))
    assert float(ours) == pytest.approx(250.0) and float(theirs) == float("inf")
