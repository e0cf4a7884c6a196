"""nn.init: in-place initialisers drawing from numtorch's generator in PyTorch's order.

Every function fills its tensor under ``no_grad`` (so it works on parameters that
require grad), returns the same tensor, and asks the generator for exactly the
draws PyTorch's function asks for, in the same order and through the same kernel
(``Tensor.uniform_`` / ``Tensor.normal_``, which replay PyTorch's CPU generator).
So after ``numtorch.manual_seed(s)`` each initialiser gives the numbers
``torch.nn.init`` gives after ``torch.manual_seed(s)``, bit for bit.

Fans: a weight of shape ``(out, in, *kernel)`` has ``fan_in = in * prod(kernel)``
and ``fan_out = out * prod(kernel)``.
"""

from __future__ import annotations

import contextlib
import functools
import math

import numtorch
from numtorch._tensor import Tensor
from numtorch.autograd.grad_mode import no_grad

from .. import _warnings

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
    "kaiming_normal_", "orthogonal_", "sparse_",
    # deprecated aliases, still exported by torch.nn.init
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
]

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
               "conv_transpose3d")


def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    """The recommended gain for a nonlinearity.

    ========================= ===================================
    linear / conv / sigmoid   1
    tanh                      5/3
    relu                      sqrt(2)
    leaky_relu                sqrt(2 / (1 + negative_slope**2))
    selu                      3/4
    ========================= ===================================

    Args:
        nonlinearity: the ``nn.functional`` name of the nonlinearity.
        param: leaky_relu's negative slope (default 0.01).
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, float) or (isinstance(param, int) and not isinstance(param, bool)):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than "
                         "2 dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


# ----------------------------------------------------------------------------- plain fills

def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with draws from U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with draws from N(mean, std**2)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    with no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the main diagonal)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    with no_grad():
        tensor.copy_(numtorch.eye(*tensor.shape, dtype=tensor.dtype))
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3/4/5-D conv weight with a Dirac delta: each group passes its channels through.

    Args:
        tensor: a weight of shape ``(out, in, *kernel)``.
        groups: the conv layer's groups; ``out`` must divide by it.
    """
    dims = tensor.dim()
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = tensor.shape[0] // groups
    n = min(out_per_group, tensor.shape[1])
    outs = [g * out_per_group + d for g in range(groups) for d in range(n)]
    ins = [d for _ in range(groups) for d in range(n)]
    centre = tuple(s // 2 for s in tensor.shape[2:])
    with no_grad():
        tensor.zero_()
        if outs:
            tensor[(numtorch.tensor(outs), numtorch.tensor(ins)) + centre] = 1
    return tensor


# ----------------------------------------------------------------------------- scaled draws

def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He uniform: U(-bound, bound) with ``bound = gain * sqrt(3 / fan_mode)``.

    Args:
        tensor: the tensor to fill, shape ``(out, in, *kernel)``.
        a: the negative slope of the rectifier after this layer (leaky_relu only).
        mode: ``'fan_in'`` keeps the forward variance, ``'fan_out'`` the backward one.
        nonlinearity: the ``nn.functional`` name, ``'relu'`` or ``'leaky_relu'`` (default).
        generator: the Generator to draw from (default: the global one).
    """
    if 0 in tensor.shape:
        _warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", generator=None) -> Tensor:
    """He normal: N(0, std**2) with ``std = gain / sqrt(fan_mode)`` (arguments as
    ``kaiming_uniform_``)."""
    if 0 in tensor.shape:
        _warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    return normal_(tensor, 0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator=None) -> Tensor:
    """Fill with N(mean, std**2) draws truncated to [a, b].

    PyTorch's two samplers, draw for draw: when [a, b] holds more than 30% of the mass,
    redraw a whole tensor of normals and keep the new values where the old ones fell
    outside; otherwise rejection-sample uniform candidates on [a, b], accepting each
    with probability ``pdf(x) / pdf(mode)`` (tested as ``log(u) <= log-density``),
    again redrawing whole tensors until every element is accepted.
    """
    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        _warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                       "The distribution of values may be incorrect.")
    with no_grad():
        p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
        if p > 0.3:
            # compare against the bounds as the tensor's dtype represents them
            lo = numtorch.tensor(a, dtype=tensor.dtype).item()
            hi = numtorch.tensor(b, dtype=tensor.dtype).item()
            result = tensor.normal_(mean, std, generator=generator)
            while True:
                outside = (result < lo) | (result > hi)
                if not outside.any():
                    break
                fresh = numtorch.empty_like(result).normal_(mean, std, generator=generator)
                result = numtorch.where(outside, fresh, result)
            if result is not tensor:
                tensor.copy_(result)
            return tensor

        log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2
        candidates = numtorch.empty_like(tensor)
        accept = numtorch.empty_like(tensor)

        def rejected(x: Tensor) -> Tensor:         # log(u) > log pdf(x) - log pdf(mode)
            x.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak)
            return accept.uniform_(generator=generator).log_().gt(x)

        result = tensor.uniform_(a, b, generator=generator)
        candidates.copy_(result)
        pending = rejected(candidates)
        if not pending.any():
            return tensor
        while True:
            candidates.uniform_(a, b, generator=generator)
            result = numtorch.where(pending, candidates, result)
            pending = numtorch.where(pending, rejected(candidates), pending)
            if not pending.any():
                break
        tensor.copy_(result)
        return tensor


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix (trailing dims flattened), times ``gain``.

    The QR factorisation of a standard normal matrix, with Q's columns multiplied by
    the signs of R's diagonal so the result is uniform over orthogonal matrices.
    """
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with no_grad():
        flat = numtorch.empty(rows, cols, dtype=tensor.dtype).normal_(0, 1, generator=generator)
        if rows < cols:
            flat.t_()
        q, r = numtorch.linalg.qr(flat)
        q *= numtorch.diag(r, 0).sign()
        if rows < cols:
            q.t_()
        tensor.view_as(q).copy_(q)
        tensor.mul_(gain)
    return tensor


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Fill a 2-D tensor with N(0, std**2) and zero ``ceil(sparsity * rows)`` entries per
    column (chosen with ``randperm`` from the global generator, as PyTorch does)."""
    if tensor.dim() != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with no_grad():
        tensor.normal_(0, std, generator=generator)
        for col in range(cols):
            tensor[numtorch.randperm(rows)[:num_zeros], col] = 0
    return tensor


# ----------------------------------------------------------------------------- skipping
# ``nn.utils.skip_init`` builds a module without initialising it: PyTorch builds it on the
# "meta" device, where these fills do nothing (and draw no random numbers). numtorch has
# no meta device; inside ``_skipped()`` the fills leave their tensor as it is instead.

_skipping = False


@contextlib.contextmanager
def _skipped():
    """Within the block, every fill function of this module returns its tensor untouched."""
    global _skipping
    previous, _skipping = _skipping, True
    try:
        yield
    finally:
        _skipping = previous


def _skippable(fill):
    @functools.wraps(fill)
    def maybe_fill(tensor, *args, **kwargs):
        return tensor if _skipping else fill(tensor, *args, **kwargs)
    return maybe_fill


uniform_ = _skippable(uniform_)
normal_ = _skippable(normal_)
trunc_normal_ = _skippable(trunc_normal_)
constant_ = _skippable(constant_)
ones_ = _skippable(ones_)
zeros_ = _skippable(zeros_)
eye_ = _skippable(eye_)
dirac_ = _skippable(dirac_)
xavier_uniform_ = _skippable(xavier_uniform_)
xavier_normal_ = _skippable(xavier_normal_)
kaiming_uniform_ = _skippable(kaiming_uniform_)
kaiming_normal_ = _skippable(kaiming_normal_)
orthogonal_ = _skippable(orthogonal_)
sparse_ = _skippable(sparse_)


# ----------------------------------------------------------------------------- deprecated

def _deprecated(fn):
    new_name = fn.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        _warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of "
                       f"`nn.init.{new_name}`.", FutureWarning)
        return fn(*args, **kwargs)

    deprecated_init.__name__ = old_name
    deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = f"Deprecated: use ``nn.init.{new_name}``."
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
