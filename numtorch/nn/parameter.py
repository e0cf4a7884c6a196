"""Parameter: a Tensor that a Module registers as a learnable weight.

``Parameter`` is a marker subclass of ``Tensor``: assigning one to a Module
attribute (``self.weight = nn.Parameter(...)``) puts it in the module's
``_parameters``, so ``parameters()``, ``state_dict()`` and optimisers find it.
It shares memory (and the version counter) with the tensor it wraps, and
requires grad by default. Ops on a Parameter return plain Tensors, because
every op wraps its result with ``Tensor``.

``Buffer`` marks a tensor that becomes a module buffer when assigned; the
``Uninitialized*`` classes are the placeholders lazy modules (``LazyLinear``)
hold until their first call tells them the input size.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._input_check import type_name
from .._tensor import FACTORY_GRAD_ERROR, Tensor, _new

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


def _empty(dtype=None):
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    return np.empty((0,), dtype=dt.np)


class Parameter(Tensor):
    """A Tensor that is a module parameter.

    Args:
        data (Tensor): the values; the Parameter shares its memory. Default: an
            empty float tensor.
        requires_grad (bool): whether autograd records operations on it. Default: True.
    """

    def __new__(cls, data=None, requires_grad: bool = True):
        if data is None:
            arr, vc = _empty(), [0]
        elif isinstance(data, Tensor):
            arr, vc = data._data, data._vc
        else:
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        if type(requires_grad) is not bool:
            raise TypeError(f"_make_subclass(): argument 'require_grad' (position 3) must be "
                            f"bool, not {type_name(requires_grad)}")
        self = _new(cls)
        Tensor._init(self, arr)
        self._vc = vc  # a Parameter is an alias of ``data``: in-place edits show on both
        if requires_grad:
            self._set_requires_grad(True, FACTORY_GRAD_ERROR)
        return self

    def __init__(self, data=None, requires_grad: bool = True):
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(Tensor._make(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (type(self), self._data, self._requires_grad))


def _rebuild_parameter(cls, arr, requires_grad):
    return cls(Tensor._make(arr), requires_grad)


class _BufferMeta(type(Tensor)):
    """``isinstance(t, Buffer)`` is true for tensors made by ``Buffer(...)``."""

    def __instancecheck__(cls, instance) -> bool:
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """A tensor that becomes a buffer (not a parameter) when assigned to a Module attribute.

    Args:
        data (Tensor): the values (shared, not copied). Default: an empty float tensor.
        persistent (bool): whether the buffer goes into ``state_dict()``. Default: True.
    """

    def __new__(cls, data=None, *, persistent: bool = True):
        data = Tensor._make(_empty()) if data is None else data
        t = data.detach()
        t._requires_grad = data._requires_grad
        t.persistent = persistent
        t._is_buffer = True
        return t


_UNINIT_MSG = (
    "Attempted to use an uninitialized parameter in {}. This error happens when you are using "
    "a `LazyModule` or explicitly manipulating `numtorch.nn.parameter.{}` objects. When using "
    "LazyModules Call `forward` with a dummy batch to initialize the parameters before calling "
    "numtorch functions"
)


class _UninitializedMixin:
    """A placeholder of unknown shape; ``materialize(shape)`` turns it into ``cls_to_become``."""

    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Allocate the data with ``shape`` (uninitialised values) and become a real tensor."""
        dt = self.dtype if dtype is None else D.to_dtype(dtype)
        if isinstance(shape, int):
            shape = (shape,)
        self._data = np.empty(tuple(shape), dtype=dt.np)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes.")

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol):
        return (type(self), (self._requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(self._requires_grad, dtype=self.dtype)
        memo[id(self)] = new
        return new

    def _uninit(self, name):
        raise ValueError(_UNINIT_MSG.format(name, type(self).__name__))

    def size(self, dim=None):
        # PyTorch answers size() of a placeholder (its empty storage), though not .shape.
        return Tensor.size(self, dim)

    def numel(self):
        self._uninit("numel")

    def dim(self):
        self._uninit("dim")


class UninitializedParameter(_UninitializedMixin, Parameter):
    """A Parameter whose shape is not known yet (what lazy modules hold before their first call)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        return Parameter.__new__(cls, Tensor._make(_empty(dtype)), requires_grad)

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        pass


class UninitializedBuffer(_UninitializedMixin, Tensor):
    """A buffer whose shape is not known yet."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None, persistent=True):
        self = _new(cls)
        Tensor._init(self, _empty(dtype), requires_grad)
        self.persistent = persistent
        return self

    def __init__(self, requires_grad: bool = False, device=None, dtype=None, persistent=True):
        pass


def is_lazy(param) -> bool:
    """True for an uninitialized parameter or buffer."""
    return isinstance(param, _UninitializedMixin)
