"""Optimizer: the base class (param_groups, state, state_dict, zero_grad).

An optimiser holds ``param_groups`` — a list of dicts, each with its ``params``
(a list of leaf Tensors) and one value for every hyper-parameter in
``defaults`` — and ``state``, a dict keyed by the parameter Tensor holding
what the algorithm carries between steps (momentum buffers, moment estimates,
the step count). ``state_dict()`` is PyTorch's layout exactly: parameters are
replaced by their integer position across the groups, so a state dict written
by numtorch loads into ``torch.optim`` and the reverse.

Subclasses implement ``step(closure=None)``. The built-in ones update the raw
arrays in place (``p._data -= lr * g``) and bump each parameter's version
counter as an in-place op would: no graph is recorded and no Tensor is made
per step, which keeps a training step's optimiser cost at a few NumPy calls.
"""

from __future__ import annotations

import functools
import itertools
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

import numpy as np

from .. import _dtype as D
from .. import _warnings
from .._config import typename as _typename
from .._tensor import Tensor
from ..autograd import grad_mode
from ..backend import blas, get_array_module, parallel

__all__ = ["Optimizer"]


class _RequiredParameter:
    """Singleton marking a hyper-parameter a param group must give (SGD's ``lr`` in old PyTorch)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


class RemovableHandle:
    """Returned by ``register_*_hook``; ``handle.remove()`` takes the hook out again."""

    _next_id = itertools.count()

    def __init__(self, hooks: OrderedDict) -> None:
        self.hooks_dict = hooks
        self.id = next(RemovableHandle._next_id)

    def remove(self) -> None:
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


_global_pre_hooks: OrderedDict = OrderedDict()
_global_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimiser's ``step``."""
    handle = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimiser's ``step``."""
    handle = RemovableHandle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


def _with_step_hooks(step):
    """Wrap a subclass's ``step`` so the registered pre/post hooks run around it."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if _global_pre_hooks or self._optimizer_step_pre_hooks:
            for hook in itertools.chain(_global_pre_hooks.values(),
                                        self._optimizer_step_pre_hooks.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(f"{step} must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {result}.")
        out = step(self, *args, **kwargs)
        if self._optimizer_step_post_hooks or _global_post_hooks:
            for hook in itertools.chain(self._optimizer_step_post_hooks.values(),
                                        _global_post_hooks.values()):
                hook(self, args, kwargs)
        return out

    wrapper.hooked = True
    return wrapper


def _no_fused_or_capturable(fused, capturable=False) -> None:
    """numtorch has one NumPy kernel per optimiser: refuse requests for the CUDA-only variants."""
    if fused:
        raise RuntimeError("numtorch has no fused optimizer kernels: pass fused=None or "
                           "fused=False (the NumPy step is already one pass over each parameter)")
    if capturable:
        raise RuntimeError("numtorch has no capturable (CUDA graph) optimizer kernels: pass "
                           "capturable=False")


def _no_differentiable(differentiable) -> None:
    if differentiable:
        raise RuntimeError("numtorch optimizers have no differentiable mode: their step updates "
                           "the parameters' arrays in place without recording a graph; pass "
                           "differentiable=False")


def _scalar(x) -> float:
    """A hyper-parameter (float or 1-element Tensor) as a Python float (weak in NumPy maths)."""
    return float(x)


def _step_tensor(value: float = 0.0) -> Tensor:
    """The 0-d ``step`` count (and other scalars) PyTorch keeps in optimiser state: float32,
    or float64 while the default dtype is float64, as PyTorch's ``_get_scalar_dtype``."""
    dtype = np.float64 if D.get_default_dtype() is D.float64 else np.float32
    return Tensor._make(np.array(value, dtype=dtype))


class Optimizer:
    """Base class for all optimisers.

    Args:
        params (iterable): Tensors, ``(name, Tensor)`` pairs, or dicts (param groups)
            saying which Tensors to optimise.
        defaults (dict): default values of the hyper-parameters, used by every group
            that does not give its own.
    """

    def __init__(self, params, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._patch_step_function()

        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []

        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def _patch_step_function(self) -> None:
        cls = type(self)
        if not getattr(cls.step, "hooked", False):
            cls.step = _with_step_hooks(cls.step)

    # --- pickling and printing ---------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks",
                     "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):  # each group opens with a blank line
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group)
                            if key != "params")
        return text + ")"

    # --- param groups ------------------------------------------------------

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a param group (a dict with ``params`` and optional hyper-parameters)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            params = list(params)

        tensors, names = [], []
        for param in params:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        if len({id(p) for p in tensors}) != len(tensors):

            _warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                           "in future, this will cause an error; see "
                           "github.com/pytorch/pytorch/issues/40967 for more information")
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if any(id(p) in seen for p in tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # --- gradients and steps -----------------------------------------------

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every optimised Tensor (to None by default, else to zeros)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g._grad_fn is not None:
                        g.detach_()
                    else:
                        g._requires_grad = False
                    g._data.fill(0)
                    g._vc[0] += 1

    def step(self, closure: Callable[[], Any] | None = None):
        """Perform one optimisation step (implemented by each optimiser)."""
        raise NotImplementedError

    @staticmethod
    def _closure_loss(closure):
        """Re-evaluate the model with grad mode on, as ``step(closure)`` does."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    # --- hooks -------------------------------------------------------------

    def _register(self, hooks: OrderedDict, hook: Callable, prepend: bool = False):
        handle = RemovableHandle(hooks)
        hooks[handle.id] = hook
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        return handle

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None or (args, kwargs)`` runs before ``step``."""
        return self._register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(optimizer, args, kwargs) -> None`` runs after ``step``."""
        return self._register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer) -> None`` runs before ``state_dict()``."""
        return self._register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer, state_dict) -> state_dict or None`` runs after ``state_dict()``."""
        return self._register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer, state_dict) -> state_dict or None`` runs before loading."""
        return self._register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """``hook(optimizer) -> None`` runs after ``load_state_dict``."""
        return self._register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # --- state dict --------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """The optimiser's state as PyTorch lays it out.

        ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``:
        each parameter is replaced by its position across the groups; state
        Tensors are the live ones (not copies), as in PyTorch.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        index: dict[int, int] = {}
        start = 0
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        state_dict = {"state": state, "param_groups": groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state dict made by ``state_dict()`` (numtorch's or PyTorch's layout)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            # State follows its parameter's dtype, except the step count, kept as saved.
            if isinstance(value, Tensor):
                if key == "step" or not param.is_floating_point():
                    return value
                return value.to(dtype=param.dtype)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, str):
                return type(value)(cast(param, v) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


# --- helpers the built-in optimisers share ---------------------------------------------


def _zeros_state(p: Tensor) -> Tensor:
    """A zero-filled state Tensor shaped and typed like parameter ``p``."""
    return Tensor._make(get_array_module(p._data).zeros_like(p._data))


def _tensor_steps(optimizer: Optimizer) -> None:
    """Turn ``step`` counts saved as Python numbers (old checkpoints) into 0-d Tensors."""
    for group in optimizer.param_groups:
        for p in group["params"]:
            p_state = optimizer.state.get(p, {})
            if len(p_state) != 0 and "step" in p_state and not isinstance(p_state["step"],
                                                                            Tensor):
                p_state["step"] = _step_tensor(float(p_state["step"]))


def _bump_step(step_t: Tensor) -> float:
    """``step_t += 1`` on the 0-d count, returning the new count as a Python float."""
    step_t._data += 1
    step_t._vc[0] += 1
    return float(step_t._data)


def _lerp_(xp, avg, g, weight: float, tmp) -> None:
    """``avg.lerp_(g, weight)`` with ``tmp`` as scratch, rounded as PyTorch's kernel: the
    difference ``g - avg``, then one fused multiply-add from the nearer end (``avg + w d``
    for a weight under 0.5, else ``g + (w - 1) d``), the weight in the arrays' dtype. BLAS
    axpy is that fused step; arrays it cannot take go through ``_lerp_from_nearer_end``."""
    xp.subtract(g, avg, out=tmp)
    if not blas.axpy_ready(tmp, avg):
        _lerp_from_nearer_end(avg, g, weight, avg)
        return
    w = avg.dtype.type(weight)
    if abs(w) < 0.5:
        blas.axpy(float(w), tmp, avg)
    else:
        xp.copyto(avg, g)
        blas.axpy(float(w - 1), tmp, avg)


def _lerp_from_nearer_end(start, end, weight: float, out) -> None:
    """``torch.lerp(start, end, weight)`` into ``out`` (which may be ``start``): from
    ``start`` for a weight under 0.5, else back from ``end`` (so a weight of 1 gives
    ``end`` exactly), the weight rounded to the arrays' dtype first, as PyTorch does.

    PyTorch's CPU kernel multiplies and adds in one fused (FMA) rounding. For float32
    the product and sum are formed in float64 and rounded once to float32, which is
    the FMA's result (but for a double-rounding tie, some 2**-29 of the time); float64
    rounds twice, as NumPy has no FMA."""
    w = out.dtype.type(weight)
    diff = end - start
    wide = np.float64 if out.dtype == np.float32 else out.dtype.type
    if abs(w) < 0.5:
        out[...] = start.astype(wide) + diff.astype(wide) * wide(w)
    else:
        out[...] = end.astype(wide) - diff.astype(wide) * wide(1 - w)


def _addcmul_sq_(xp, avg, g, value: float, tmp) -> None:
    """``avg.addcmul_(g, g, value=value)``: avg += (value * g) * g, with ``tmp`` as scratch."""
    xp.multiply(g, value, out=tmp)
    tmp *= g
    avg += tmp


def _ema_sq_(xp, avg, g, beta: float, tmp) -> None:
    """``avg.mul_(beta).addcmul_(g, g, value=1 - beta)``: the running average of g**2."""
    avg *= beta
    _addcmul_sq_(xp, avg, g, 1 - beta, tmp)


def _moments_(xp, exp_avg, exp_avg_sq, g, beta1: float, beta2: float, tmp) -> None:
    """Adam's two running averages, in place: of the gradient (a lerp) and of its square."""
    _lerp_(xp, exp_avg, g, 1 - beta1, tmp)
    _ema_sq_(xp, exp_avg_sq, g, beta2, tmp)


def _effective_grad(param, g, weight_decay: float, maximize: bool, decoupled_lr=None):
    """The gradient an update uses: negated for ``maximize``, plus ``weight_decay * param``
    (L2 decay). With ``decoupled_lr`` (AdamW's decay) the parameter itself shrinks by
    ``1 - lr * weight_decay``, in place, and the gradient is left alone."""
    if maximize:
        g = -g
    if weight_decay != 0:
        if decoupled_lr is not None:
            param *= 1 - decoupled_lr * weight_decay
        else:
            g = g + weight_decay * param
    return g


# --- the elementwise update of one parameter, cache-sized ------------------------------
#
# An optimiser's step is a dozen elementwise NumPy passes over a parameter and its state
# (Adam: the moments, a denominator, the parameter). On whole arrays each pass streams
# megabytes through memory; on chunks of ``_CHUNK`` elements the arrays of the update
# stay in the core's caches from the first pass to the last, and chunks are shared out
# over the pool's threads (where that pays on the machine: ``parallel.run``'s ``key``).
# The arithmetic per element is unchanged, so the result is
# bit-identical to one call on the whole arrays. Measured on the tutorial MLP's
# parameters (2 cores): Adam's step 3.0 -> 1.7 ms (PyTorch 1.4 ms). Smaller chunks would
# fit L2 better but cost more Python calls, and on two threads they contend for the GIL
# (2**13 elements: 6.2 ms).

_CHUNK = 1 << 16  # elements (256 KiB of float32): measured best for Adam on 2 cores, 2**13..2**18


def _update(update, *arrays) -> None:
    """Run ``update(*arrays, tmp)`` — in-place elementwise arithmetic on same-shaped arrays,
    ``tmp`` a scratch array of that shape — chunk by chunk where that pays (CPU, contiguous,
    larger than a chunk), else once on the whole arrays."""
    first = arrays[0]
    n = first.size
    if type(first) is not np.ndarray or n <= _CHUNK or not all(
            type(a) is np.ndarray and a.flags.c_contiguous and a.shape == first.shape
            for a in arrays):
        update(*arrays, get_array_module(first).empty_like(first))
        return
    flat = [a.reshape(-1) for a in arrays]

    def part(start, stop):
        scratch = np.empty(_CHUNK, dtype=first.dtype)
        for lo in range(start, stop, _CHUNK):
            hi = min(lo + _CHUNK, stop)
            update(*[f[lo:hi] for f in flat], scratch[:hi - lo])

    chunks = -(-n // _CHUNK)
    threads = min(parallel.get_num_threads(), chunks) if n >= parallel.MIN_SIZE_KERNEL else 1
    per = -(-chunks // threads) * _CHUNK
    with blas.one_thread():  # the pool's threads are the parallelism (BLAS's axpy in lerps)
        parallel.run(part, [(lo, min(lo + per, n)) for lo in range(0, n, per)],
                     key=("optimizer", getattr(update, "func", update), n.bit_length()))


def _add_(y, x, alpha: float) -> None:
    """``y.add_(x, alpha=alpha)`` on arrays: ``y += alpha * x`` rounded once, as PyTorch
    rounds it, by BLAS's axpy (one pass, on BLAS's threads); NumPy where BLAS cannot."""
    if not blas.axpy(alpha, x, y):
        y += alpha * x


def _added(a, x, alpha: float):
    """``a.add(x, alpha=alpha)`` on arrays: a new array, rounded as ``_add_`` rounds."""
    out = get_array_module(a).array(a)  # a copy; an array even if ``a`` is a 0-d result
    _add_(out, x, alpha)
    return out
