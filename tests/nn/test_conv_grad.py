"""nn.grad (F.grad): convolution input and weight gradients as functions, against PyTorch's
and against autograd through the convolution itself."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, torch

CASES = [  # nd, input shape, weight shape, keyword arguments
    (1, (2, 4, 11), (6, 2, 3), dict(stride=2, padding=1, groups=2)),
    (1, (1, 3, 8), (2, 3, 1), {}),
    (2, (2, 3, 9, 8), (4, 3, 3, 3), dict(stride=2)),
    (2, (2, 4, 7, 7), (4, 1, 3, 3), dict(padding=1, groups=4)),
    (2, (1, 2, 10, 9), (3, 2, 3, 2), dict(stride=(2, 1), padding=(1, 0), dilation=(2, 1))),
    (3, (1, 2, 5, 6, 5), (3, 2, 2, 3, 2), dict(stride=2, padding=1)),
]


def _arrays(x_shape, w_shape, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(x_shape).astype(np.float32),
            rng.standard_normal(w_shape).astype(np.float32))


@pytest.mark.parametrize("nd, x_shape, w_shape, kw", CASES)
def test_input_and_weight_gradients_match_torch(nd, x_shape, w_shape, kw):
    x, w = _arrays(x_shape, w_shape)
    conv = getattr(torch.nn.functional, f"conv{nd}d")
    g = np.random.default_rng(1).standard_normal(
        tuple(conv(torch.tensor(x), torch.tensor(w), **kw).shape)).astype(np.float32)
    ours, theirs = numtorch.nn.grad, torch.nn.grad
    gi = getattr(ours, f"conv{nd}d_input")(x_shape, numtorch.tensor(w), numtorch.tensor(g), **kw)
    gi_t = getattr(theirs, f"conv{nd}d_input")(x_shape, torch.tensor(w), torch.tensor(g), **kw)
    assert_same(gi, gi_t, rtol=1e-4, atol=1e-5)
    gw = getattr(ours, f"conv{nd}d_weight")(numtorch.tensor(x), w_shape, numtorch.tensor(g), **kw)
    gw_t = getattr(theirs, f"conv{nd}d_weight")(torch.tensor(x), w_shape, torch.tensor(g), **kw)
    assert_same(gw, gw_t, rtol=1e-4, atol=1e-4)
    # The same as autograd through numtorch's own convolution.
    xn, wn = numtorch.tensor(x, requires_grad=True), numtorch.tensor(w, requires_grad=True)
    getattr(numtorch.nn.functional, f"conv{nd}d")(xn, wn, **kw).backward(numtorch.tensor(g))
    np.testing.assert_allclose(gi.numpy(), xn.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(gw.numpy(), wn.grad.numpy(), rtol=1e-5, atol=1e-5)


def test_results_are_differentiable_and_named_as_torch():
    x, w = _arrays((1, 2, 6, 6), (3, 2, 3, 3))
    g = np.random.default_rng(2).standard_normal((1, 3, 4, 4))
    for lib in (numtorch, torch):
        wt = lib.tensor(w, requires_grad=True)
        gt = lib.tensor(g, dtype=lib.float32, requires_grad=True)
        gi = lib.nn.grad.conv2d_input((1, 2, 6, 6), wt, gt)
        assert type(gi.grad_fn).__name__ == "ConvolutionBackwardBackward0"
        gi.pow(2).sum().backward()
        if lib is numtorch:
            ours = (wt.grad, gt.grad)
    assert_same(ours[0], wt.grad, rtol=1e-4, atol=1e-4)
    assert_same(ours[1], gt.grad, rtol=1e-4, atol=1e-4)
    assert numtorch.nn.functional.grad is numtorch.nn.grad


def test_gradcheck_in_float64():
    x, w = _arrays((1, 2, 5, 5), (2, 2, 2, 2))
    g = numtorch.tensor(np.random.default_rng(3).standard_normal((1, 2, 2, 2)),
                        requires_grad=True)
    wt = numtorch.tensor(w.astype(np.float64), requires_grad=True)
    xt = numtorch.tensor(x.astype(np.float64), requires_grad=True)
    assert numtorch.autograd.gradcheck(
        lambda a, b: numtorch.nn.grad.conv2d_input((1, 2, 5, 5), a, b, stride=2), (wt, g))
    assert numtorch.autograd.gradcheck(
        lambda a, b: numtorch.nn.grad.conv2d_weight(a, (2, 2, 2, 2), b, stride=2), (xt, g))
