"""Automatic mixed precision: ``autocast`` and ``GradScaler``, as PyTorch's behave here.

numtorch runs on the CPU in float32/float64 (it has no bfloat16, and float16 only as a
storage type), so:

- ``autocast("cuda")`` is what PyTorch's is without CUDA: a warning, then nothing is cast.
  ``autocast("cpu")`` would make PyTorch compute matmuls and convolutions in bfloat16;
  numtorch warns that it keeps full precision and runs the block unchanged. Either way a
  mixed-precision training script runs, in float32.
- ``GradScaler("cuda")`` (the default device) is disabled with PyTorch's warning: ``scale``
  returns the loss unchanged, ``step`` calls ``optimizer.step()``, ``update`` does nothing.
- ``GradScaler("cpu")`` works as PyTorch's: the loss is multiplied by the scale, ``unscale_``
  divides the gradients by it and looks for inf/NaN, ``step`` skips the optimizer's step
  when it found some, and ``update`` halves the scale then (or doubles it after
  ``growth_interval`` clean steps).
"""

from __future__ import annotations

import functools
import math

from . import _warnings
from ._tensor import Tensor
from .autograd import grad_mode

__all__ = ["autocast", "GradScaler", "is_autocast_available", "is_autocast_enabled",
           "custom_fwd", "custom_bwd"]

_DEVICE_TYPES = ("cpu", "cuda", "xpu", "mps", "hpu", "xla", "ipu", "mtia", "maia")


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can run on ``device_type``: PyTorch's CPU build says so for the CPU;
    numtorch accepts the block there but computes in full precision."""
    return device_type == "cpu"


class autocast:  # noqa: N801 - PyTorch's name
    """Context manager (or decorator) for mixed precision; see the module's notes: in numtorch
    the block runs in the precision of its tensors."""

    def __init__(self, device_type: str, dtype=None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError("Expected `device_type` of type `str`, got: "
                             f"`{type(device_type)}`")
        if device_type not in _DEVICE_TYPES:
            raise RuntimeError(f"User specified an unsupported autocast device_type "
                               f"'{device_type}'")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = enabled
        if enabled and device_type != "cpu":
            _warnings.warn(f"{device_type.upper()} is not available or torch_xla is imported. "
                           "Disabling autocast.")
            self._enabled = False
        elif enabled:
            _warnings.warn("numtorch has no bfloat16 and no float16 arithmetic: autocast "
                           "leaves the block in full precision.")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapped


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Always False: numtorch never casts a block to lower precision."""
    return False


def _check_device_type(device_type) -> None:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")


def custom_fwd(fwd=None, *, device_type: str, cast_inputs=None):
    """Decorator for a custom ``Function.forward`` under autocast: it notes on ``ctx``
    whether autocast was on (for ``custom_bwd``) and, with ``cast_inputs``, would run the
    forward with autocast off on inputs cast to that dtype. numtorch's autocast never
    turns on (``is_autocast_enabled`` is False), so the forward runs as written."""
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(ctx, *args, **kwargs):
        ctx._dtype = None  # the device's autocast dtype
        ctx._fwd_used_autocast = is_autocast_enabled(device_type) and cast_inputs is None
        return fwd(ctx, *args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorator for a custom ``Function.backward``: it runs under the autocast state its
    forward ran under (see ``custom_fwd``)."""
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(ctx, *args, **kwargs):
        with autocast(device_type, enabled=ctx._fwd_used_autocast, dtype=ctx._dtype):
            return bwd(ctx, *args, **kwargs)

    return decorate_bwd


_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


class GradScaler:
    """Loss scaling for mixed-precision training (see the module's notes)."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0**16,
                 growth_factor: float = 2.0, backoff_factor: float = 0.5,
                 growth_interval: int = 2000, enabled: bool = True) -> None:
        self._device = device
        self._enabled = enabled
        if enabled and device != "cpu":
            _warnings.warn(f"numtorch.{device}.amp.GradScaler is enabled, but {device.upper()} "
                           "is not available.  Disabling.")
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._scale = float(init_scale)
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer: dict = {}  # id(optimizer) -> {"stage", "found_inf"}

    def is_enabled(self) -> bool:
        return self._enabled

    # --- scaling ------------------------------------------------------------------------

    def scale(self, outputs):
        """``outputs`` (a Tensor, or an iterable of them, nested) times the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, Tensor):
            return outputs * outputs.new_tensor(self._scale, dtype=_float32())
        if isinstance(outputs, (list, tuple)) or hasattr(outputs, "__iter__"):
            scaled = [self.scale(o) for o in outputs]
            return type(outputs)(scaled) if isinstance(outputs, (list, tuple)) else \
                iter(scaled)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _state(self, optimizer) -> dict:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _READY,
                                                              "found_inf": False})

    def unscale_(self, optimizer) -> None:
        """Divide ``optimizer``'s gradients by the scale, in place, noting any inf or NaN."""
        if not self._enabled:
            return
        state = self._state(optimizer)
        if state["stage"] is _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since "
                               "the last update().")
        if state["stage"] is _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = _float32_of(1.0 / self._scale)  # the reciprocal in float64, then float32
        found = False
        with grad_mode.no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    if p.grad.dtype.name == "float16":
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    g = p.grad
                    if not bool(g.isfinite().all()):
                        found = True
                    g.mul_(inv_scale)
        state["found_inf"] = found
        state["stage"] = _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """``optimizer.step(*args, **kwargs)`` unless the unscaled gradients held inf/NaN
        (then None); unscales first if ``unscale_`` was not called."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is "
                               "enabled.")
        state = self._state(optimizer)
        if state["stage"] is _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is _READY:
            self.unscale_(optimizer)
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale=None) -> None:
        """Set the scale for the next iteration: ``new_scale`` if given; else halve it
        (``backoff_factor``) if this iteration's gradients held inf/NaN, or double it
        (``growth_factor``) after ``growth_interval`` iterations without."""
        if not self._enabled:
            return
        if new_scale is not None:
            if isinstance(new_scale, Tensor):
                reason = "new_scale should be a float or a 1-element torch.cuda.FloatTensor " \
                         "or torch.FloatTensor with requires_grad=False."
                if new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(reason)
                new_scale = new_scale.item()
            self._scale = float(new_scale)
        else:
            if not self._per_optimizer:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(s["found_inf"] for s in self._per_optimizer.values()):
                self._scale = _float32_of(self._scale * self._backoff_factor)
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    grown = _float32_of(self._scale * self._growth_factor)
                    if math.isfinite(grown):
                        self._scale = grown
                    self._growth_tracker = 0
        self._per_optimizer = {}

    # --- settings and state -------------------------------------------------------------

    def get_scale(self) -> float:
        return self._scale if self._enabled else 1.0

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = new_factor

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = new_factor

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = new_interval

    def state_dict(self) -> dict:
        """PyTorch's keys (empty when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self._scale, "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._growth_tracker}

    def load_state_dict(self, state_dict: dict) -> None:
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._scale = float(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])


def _float32():
    from ._dtype import float32

    return float32


def _float32_of(value: float) -> float:
    """``value`` rounded to float32, as PyTorch keeps the scale in a float32 tensor."""
    import numpy as np

    return float(np.float32(value))
