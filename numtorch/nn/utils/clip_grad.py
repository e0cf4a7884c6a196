"""clip_grad_norm_ and clip_grad_value_, and the two halves of clip_grad_norm_
(get_total_norm, clip_grads_with_norm_).

The total norm of a set of gradients is the p-norm of their concatenation, computed
as PyTorch does: the p-norm of each gradient, then the p-norm of those norms.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterable

import numtorch
from numtorch._tensor import Tensor
from numtorch.autograd.grad_mode import no_grad

from ... import _warnings

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]

_tensor_or_tensors = Tensor | Iterable[Tensor]


def _no_grad(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with no_grad():
            return fn(*args, **kwargs)
    return wrapper


def _check_foreach(foreach: bool | None, tensors: list[Tensor]) -> None:
    """numtorch has no separate foreach kernels: ``foreach`` picks nothing, but asking
    for it on a device PyTorch has none for is the same error."""
    if foreach:
        for t in tensors:
            if t.device.type not in ("cpu", "cuda"):
                raise RuntimeError(f"foreach=True was passed, but can't use the foreach API "
                                   f"on {t.device.type} tensors")


@_no_grad
def get_total_norm(tensors: _tensor_or_tensors, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The p-norm of ``tensors`` viewed as one vector (``'inf'`` for the max-abs norm).

    Args:
        tensors: a Tensor or an iterable of Tensors.
        norm_type: the p of the p-norm.
        error_if_nonfinite: raise if the total norm is nan or +-inf.
        foreach: accepted for PyTorch compatibility.
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return numtorch.tensor(0.0)
    _check_foreach(foreach, tensors)
    device = tensors[0].device
    norms = [numtorch.linalg.vector_norm(t, norm_type).to(device) for t in tensors]
    total = numtorch.linalg.vector_norm(numtorch.stack(norms), norm_type)
    if error_if_nonfinite and bool(total.isnan() | total.isinf()):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return total


@_no_grad
def clip_grads_with_norm_(parameters: _tensor_or_tensors, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scale the gradients by ``min(max_norm / (total_norm + 1e-6), 1)``, in place.

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` to scale.
        max_norm: the largest total norm allowed.
        total_norm: the gradients' total norm (from ``get_total_norm``).
        foreach: accepted for PyTorch compatibility.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    _check_foreach(foreach, grads)
    coef = numtorch.clamp(max_norm / (total_norm + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef.to(g.device))


@_no_grad
def clip_grad_norm_(parameters: _tensor_or_tensors, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale the gradients so their total p-norm is at most ``max_norm``; in place.

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` to clip.
        max_norm: the largest total norm allowed.
        norm_type: the p of the p-norm (``'inf'`` for the max-abs norm). Default: 2.
        error_if_nonfinite: raise if the total norm is nan or +-inf. Default: False.
        foreach: accepted for PyTorch compatibility.

    Returns:
        The gradients' total norm before clipping (a 0-d Tensor).

    Example::

        >>> loss.backward()
        >>> numtorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        was_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if was_generator and not parameters:
            _warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.")
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: _tensor_or_tensors, max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Deprecated: use ``clip_grad_norm_``."""
    _warnings.warn("`numtorch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                   "`numtorch.nn.utils.clip_grad_norm_`.", FutureWarning)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters: _tensor_or_tensors, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient to ``[-clip_value, clip_value]``, in place.

    Args:
        parameters: a Tensor or an iterable of Tensors whose ``.grad`` to clip.
        clip_value: the largest absolute value allowed.
        foreach: accepted for PyTorch compatibility.
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    grads = [p.grad for p in parameters if p.grad is not None]
    _check_foreach(foreach, grads)
    for g in grads:
        g.clamp_(min=-clip_value, max=clip_value)
