"""Dropout kernels: dropout, alpha_dropout and their channel-wise (feature) forms.

In training, a noise tensor is drawn from numtorch's generator with
``bernoulli_(1 - p)`` (the same stream PyTorch's CPU build draws, so after
``manual_seed`` the masks are PyTorch's bit for bit), scaled, and multiplied into
the input. The product is an ordinary ``mul`` (``MulBackward0``, as PyTorch
records it); alpha dropout adds a shift (``AddBackward0``). In eval mode, with
``p == 0`` or an empty input, the input itself is returned.
"""

from __future__ import annotations

import math

from .. import _dtype as D
from .. import _warnings
from .. import random as _random
from .._tensor import Tensor
from .creation import like_strides, with_strides

__all__ = [
    "dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
]

TENSOR_METHODS = ()
INPLACE_METHODS = ()

# The SELU negative saturation value, -scale * alpha (alpha dropout's "dropped" value).
_ALPHA = 1.7580993408473766


def _check_p(p, error=ValueError) -> None:
    """nn.functional raises ValueError; the top-level ``numtorch.dropout`` family (ATen's
    functions in PyTorch) raises RuntimeError with the same words."""
    if p < 0.0 or p > 1.0:
        raise error(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_impl(input, p, train, inplace, feature, alpha):
    """The shared body: draw the (feature) noise, scale it, apply it."""
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        zero = Tensor._make(input._xp().zeros((), dtype=input._data.dtype))
        return input.mul_(zero) if inplace else input * zero
    if not input.dtype.is_floating_point:  # the scaled noise is float: it can't be written back
        # (PyTorch's alpha dropout promotes a bool input to Long first, and names that.)
        target = "Long" if alpha and input.dtype is D.bool else input.dtype._legacy
        raise RuntimeError(f"result type Float can't be cast to the desired output type {target}")
    if feature:
        if input.ndim < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    else:
        shape = tuple(input.shape)
    dt = input._data.dtype
    if not alpha:
        # The kept elements' noise is 1 / (1 - p) (PyTorch: the 0/1 noise divided by
        # 1 - p), made in one pass from the draws' mask, in the mask's layout.
        keep = (_random.bernoulli_mask(shape, 1.0 - p) if feature
                else _noise_like(input, 1.0 - p, mask=True))
        noise = Tensor._make(input._xp().multiply(keep, dt.type(1) / dt.type(1.0 - p),
                                                  dtype=dt))
        return input.mul_(noise) if inplace else input * noise
    noise = (_random.bernoulli_scalar(shape, 1.0 - p, dt) if feature
             else _noise_like(input, 1.0 - p))
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = noise - dt.type(1)
    b *= dt.type(_ALPHA * a)
    b += dt.type(_ALPHA * a * p)
    noise *= dt.type(a)
    noise, b = Tensor._make(noise), Tensor._make(b)
    return input.mul_(noise).add_(b) if inplace else input * noise + b


def _noise_like(input, q, mask=False):
    """Bernoulli(q) noise laid out as ``empty_like(input)`` is (``like_strides``: a
    transposed input's layout), the draws filling memory in order as PyTorch's do; a bool
    array with ``mask``."""
    arr = input._data
    strides = like_strides(input)
    if mask:
        draw = _random.bernoulli_mask
    else:
        def draw(shape, q):
            return _random.bernoulli_scalar(shape, q, arr.dtype)
    if strides is None:
        return draw(arr.shape, q)
    flat = draw((arr.size,), q)
    return with_strides(flat, arr.shape, strides)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps zero mean and unit variance (for SELU networks)."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout of whole channels (dim 1)."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, True, True)


# The top-level ``numtorch.dropout(input, p, train)`` family: ATen's signatures (``train``
# is required and named so), with in-place ``_`` forms and the feature (channel) variants.

def _aten(input, p, train, inplace: bool, feature: bool, alpha: bool):
    _check_p(p, RuntimeError)
    return _dropout_impl(input, p, train, inplace, feature, alpha)


def _aten_dropout(input, p, train):
    """``numtorch.dropout``: ``F.dropout`` with ATen's argument names."""
    return _aten(input, p, train, False, False, False)


def _aten_alpha_dropout(input, p, train):
    """``numtorch.alpha_dropout``: ``F.alpha_dropout`` with ATen's argument names."""
    return _aten(input, p, train, False, False, True)


def _aten_feature_alpha_dropout(input, p, train):
    """``numtorch.feature_alpha_dropout``: ``F.feature_alpha_dropout`` with ATen's names."""
    return _aten(input, p, train, False, True, True)


def dropout_(input, p, train):
    """In-place ``numtorch.dropout``."""
    return _aten(input, p, train, True, False, False)


def alpha_dropout_(input, p, train):
    """In-place ``numtorch.alpha_dropout``."""
    return _aten(input, p, train, True, False, True)


def feature_dropout(input, p, train):
    """Dropout of whole channels (dim 1): every element of a dropped (sample, channel) is 0."""
    return _aten(input, p, train, False, True, False)


def feature_dropout_(input, p, train):
    """In-place ``numtorch.feature_dropout``."""
    return _aten(input, p, train, True, True, False)


def feature_alpha_dropout_(input, p, train):
    """In-place ``numtorch.feature_alpha_dropout``."""
    return _aten(input, p, train, True, True, True)


def _feature_dropout(input, p, training, inplace, batched):
    if not batched:
        input = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout_impl(input, p, training, inplace, True, False)
    if not batched:
        result = result.squeeze_(0) if inplace else result.squeeze(0)
    return result


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs with probability ``p``."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _feature_dropout(input, p, training, inplace, input.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) inputs with probability ``p``."""
    _check_p(p)
    ndim = input.ndim
    if ndim not in (3, 4):
        _warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 3D or 4D inputs).")
    if ndim == 3:
        _warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.")
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs with probability ``p``."""
    _check_p(p)
    ndim = input.ndim
    if ndim not in (4, 5):
        _warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).")
    return _feature_dropout(input, p, training, inplace, ndim == 5)
