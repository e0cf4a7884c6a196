"""The old-style weight_norm hook (nn.utils.weight_norm).

``weight_norm(module)`` replaces ``module.weight`` by two parameters, a direction
``weight_v`` and a magnitude ``weight_g``, and a forward pre-hook that recomputes
``weight = weight_g * weight_v / ||weight_v||`` before every call. The norm is taken
over every dimension but ``dim`` (``dim=None``: over the whole tensor).
"""

from __future__ import annotations

from numtorch._tensor import Tensor
from numtorch.autograd.grad_mode import no_grad
from numtorch.nn.parameter import Parameter, UninitializedParameter

from ... import _warnings

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dim but ``dim``, keeping dims (``dim=-1``: the
    whole tensor's norm, a 0-d tensor: PyTorch's ``norm_except_dim`` convention)."""
    if dim == -1:
        return v.norm()
    dim = dim % v.dim()
    others = tuple(d for d in range(v.dim()) if d != dim)
    return v.norm(2, dim=others, keepdim=True) if others else v.abs()


def _weight_norm(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """``g * v / ||v||`` with the norm taken over all dims but ``dim``."""
    return v * (g / _norm_except_dim(v, dim))


class WeightNorm:
    """The forward pre-hook that recomputes ``name`` from ``name_g`` and ``name_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module) -> Tensor:
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name: str, dim: int) -> WeightNorm:
        _warnings.warn("`numtorch.nn.utils.weight_norm` is deprecated in favor of "
                       "`numtorch.nn.utils.parametrizations.weight_norm`.", FutureWarning)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized "
                             "parameters. Make sure to run the dummy forward before applying "
                             "weight normalization")
        del module._parameters[name]
        with no_grad():
            g = _norm_except_dim(weight, fn.dim)
        module.register_parameter(name + "_g", Parameter(g.data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Reparametrise ``module.<name>`` as ``<name>_g * <name>_v / ||<name>_v||`` (deprecated:
    see ``nn.utils.parametrizations.weight_norm``).

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        dim: the dim kept by the norm (0: one magnitude per output row); None: one
            magnitude for the whole tensor.

    Example::

        >>> m = weight_norm(nn.Linear(20, 40), name="weight")
        >>> m.weight_g.size(), m.weight_v.size()
        (numtorch.Size([40, 1]), numtorch.Size([40, 20]))
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Fold ``weight_g`` and ``weight_v`` back into one ``weight`` parameter."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
