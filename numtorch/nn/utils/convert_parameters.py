"""parameters_to_vector and vector_to_parameters."""

from __future__ import annotations

from collections.abc import Iterable

import numtorch
from numtorch._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Flatten parameters into one vector (differentiable: a ``cat`` of their views)."""
    device = None
    flat = []
    for param in parameters:
        device = _check_param_device(param, device)
        flat.append(param.view(-1))
    return numtorch.cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Point each parameter's ``.data`` at its slice of ``vec`` (the inverse of
    ``parameters_to_vector``; the parameters then share memory with ``vec``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected numtorch.Tensor, but got: {_typename(vec)}")
    device = None
    start = 0
    for param in parameters:
        device = _check_param_device(param, device)
        n = param.numel()
        param.data = vec[start:start + n].view_as(param).data
        start += n


def _typename(obj) -> str:
    cls = type(obj)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


def _check_param_device(param: Tensor, old: int | None) -> int:
    """The device index of the first parameter (-1 for the CPU); raise if another differs."""
    here = param.get_device() if param.device.type == "cuda" else -1
    if old is not None and here != old:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return here if old is None else old
