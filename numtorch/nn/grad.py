"""``nn.grad`` (also ``nn.functional.grad``): a convolution's input and weight gradients
as functions, given the upstream gradient -- what a convolution's backward computes.

``conv2d_input(input_size, weight, grad_output)`` is the gradient of
``sum(conv2d(x, weight) * grad_output)`` with respect to an ``x`` of ``input_size``;
``conv2d_weight(input, weight_size, grad_output)`` the one with respect to a weight of
``weight_size``. They run numtorch's own convolution backward kernels (ops/conv.py), as
differentiable ops, so their results can be differentiated again.
"""

from __future__ import annotations

from ..ops.conv import _ConvInputGrad, _ConvWeightGrad

__all__ = ["conv1d_input", "conv1d_weight", "conv2d_input", "conv2d_weight", "conv3d_input",
           "conv3d_weight"]


def _geometry(nd: int, stride, padding, dilation, groups) -> tuple:
    """The kernels' ``(stride, padding, dilation, groups)``, each int widened to ``nd`` dims
    (as PyTorch's ``_pair`` / ``_triple`` do)."""
    def widen(v):
        return tuple(int(i) for i in v) if isinstance(v, (tuple, list)) else (int(v),) * nd
    return widen(stride), widen(padding), widen(dilation), int(groups)


def _input(nd, input_size, weight, grad_output, stride, padding, dilation, groups):
    return _ConvInputGrad.apply(grad_output, weight,
                                _geometry(nd, stride, padding, dilation, groups),
                                tuple(int(s) for s in input_size))


def _weight(nd, input, weight_size, grad_output, stride, padding, dilation, groups):
    return _ConvWeightGrad.apply(input, grad_output,
                                 _geometry(nd, stride, padding, dilation, groups),
                                 tuple(int(s) for s in weight_size))


def conv1d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv1d with respect to its input, of shape ``input_size``."""
    return _input(1, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv1d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv1d with respect to its weight, of shape ``weight_size``."""
    return _weight(1, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv2d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d with respect to its input, of shape ``input_size``."""
    return _input(2, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv2d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv2d with respect to its weight, of shape ``weight_size``."""
    return _weight(2, input, weight_size, grad_output, stride, padding, dilation, groups)


def conv3d_input(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv3d with respect to its input, of shape ``input_size``."""
    return _input(3, input_size, weight, grad_output, stride, padding, dilation, groups)


def conv3d_weight(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
    """The gradient of conv3d with respect to its weight, of shape ``weight_size``."""
    return _weight(3, input, weight_size, grad_output, stride, padding, dilation, groups)
