"""parametrizations.weight_norm and spectral_norm, built on nn.utils.parametrize.

Unlike the old hook-based versions (``nn.utils.weight_norm``), these keep the stored
tensors under ``parametrizations.<name>``:

    weight_norm    parametrizations.weight.original0 (g), .original1 (v)
    spectral_norm  parametrizations.weight.original, .0._u, .0._v
"""

from __future__ import annotations

import numtorch
from numtorch._tensor import Tensor
from numtorch.autograd.grad_mode import no_grad
from numtorch.nn.modules.module import Module
from numtorch.nn.utils import parametrize
from numtorch.nn.utils.weight_norm import _norm_except_dim, _weight_norm

__all__ = ["spectral_norm", "weight_norm"]


def _normalize(x: Tensor, eps: float, out: Tensor | None = None) -> Tensor:
    from numtorch.nn.functional import normalize

    return normalize(x, dim=0, eps=eps, out=out)


class _WeightNorm(Module):
    """``(g, v) -> g * v / ||v||``, the norm over every dim but ``dim`` (None: all dims)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrise ``module.<name>`` as a magnitude times a direction, ``g * v / ||v||``.

    ``g`` is stored as ``parametrizations.<name>.original0`` and ``v`` as ``original1``.
    Checkpoints of the old ``nn.utils.weight_norm`` (``<name>_g``, ``<name>_v``) load too.

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        dim: the dim the norm keeps (0: one magnitude per output row; None: one for all).

    Example::

        >>> m = weight_norm(nn.Linear(20, 40))
        >>> m.parametrizations.weight.original0.size()
        numtorch.Size([40, 1])
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def load_old_checkpoint(state_dict, prefix, local_metadata, strict, missing_keys,
                            unexpected_keys, error_msgs) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(load_old_checkpoint)
    return module


class _SpectralNorm(Module):
    """``W -> W / sigma(W)``, sigma estimated by power iteration on buffers ``_u``, ``_v``."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, "
                             f"{ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            mat = self._reshape_weight_to_matrix(weight)
            h, w = mat.shape
            with no_grad():    # u then v, as PyTorch draws them
                u = numtorch.empty(h, dtype=weight.dtype).normal_(0, 1)
                v = numtorch.empty(w, dtype=weight.dtype).normal_(0, 1)
                self.register_buffer("_u", _normalize(u, self.eps))
                self.register_buffer("_v", _normalize(v, self.eps))
            # start from a good estimate: 15 steps now, n_power_iterations per forward
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, mat: Tensor, n_power_iterations: int) -> None:
        with no_grad():
            for _ in range(n_power_iterations):
                self._u = _normalize(numtorch.mv(mat, self._v), self.eps, out=self._u)
                self._v = _normalize(numtorch.mv(mat.H, self._u), self.eps, out=self._v)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return _normalize(weight, self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        # clones: the buffers change in place at the next forward, autograd saved these
        u, v = self._u.clone(), self._v.clone()
        sigma = numtorch.vdot(u, numtorch.mv(mat, v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its spectral norm (largest singular value), estimated
    by power iteration.

    Args:
        module: the module holding the parameter.
        name: the parameter's name.
        n_power_iterations: power-iteration steps per training forward.
        eps: added to norms to avoid dividing by zero.
        dim: the output-channel dim (default 0, or 1 for ConvTranspose modules).

    Example::

        >>> m = spectral_norm(nn.Linear(20, 40))
        >>> list(m.state_dict())
        ['bias', 'parametrizations.weight.original', 'parametrizations.weight.0._u',
         'parametrizations.weight.0._v']
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__ in ("ConvTranspose1d", "ConvTranspose2d",
                                             "ConvTranspose3d") else 0
    parametrize.register_parametrization(module, name,
                                         _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
