"""``Tensor``: an array plus what autograd needs to know about it.

A Tensor holds

* ``_data`` — the array (``numpy.ndarray`` on the cpu, ``cupy.ndarray`` on cuda);
  views (slicing, ``view``, ``transpose`` ...) hold NumPy views of the same memory;
* ``_requires_grad``, ``_grad``, ``_grad_fn`` (the graph node that made it) and
  ``_output_nr`` (which output of that node it is);
* ``_vc`` — a one-element list, the version counter, shared with every view of
  the same memory and bumped by each in-place op, so backward can tell when a
  saved tensor was changed after it was saved;
* ``_base`` — for a view, the tensor whose memory it shares.

Operators and methods call the op library (``numtorch/ops/``); the bindings
at the end of this file say which function each method is.
"""

from __future__ import annotations

import builtins
import operator
import re

import numpy as np

from . import _dtype as D
from . import _warnings
from ._device import CPU, device, to_device
from .autograd import engine as _engine  # Tensor.backward calls it on every step
from .autograd import function as _function
from .autograd import grad_mode
from .backend import device_of, get_array_module
from .backend import parallel as _parallel
from .backend.cpu import fp_errors_off as _fp_errors_off
from .backend.cpu import fp_errors_restore as _fp_errors_restore
from .backend.parallel import MIN_SIZE as _PAR_MIN

_new = object.__new__


def _new_inference(cls):
    """``_new`` while inference mode is on: the tensor remembers it (``is_inference()``)."""
    self = object.__new__(cls)
    self._is_inference = True
    return self


def _set_inference(on: bool) -> None:
    """Called by ``inference_mode`` on entry and exit. Every tensor is created through
    ``_new``, so swapping it marks tensors made in inference mode at no cost outside it."""
    global _new
    _new = _new_inference if on else object.__new__


# requires_grad=True on an integer tensor, from a factory or nn.Parameter
FACTORY_GRAD_ERROR = "Only Tensors of floating point and complex dtype can require gradients"


class Size(tuple):
    """The shape of a tensor: a tuple that prints as ``numtorch.Size([3, 4])``."""

    __module__ = "numtorch"

    __slots__ = ()

    def __repr__(self) -> str:
        return f"numtorch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))


def _contiguous_strides(shape) -> tuple:
    """Row-major strides in elements, as PyTorch gives a contiguous tensor (a dim of size 0
    counts as 1)."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


class Tensor:
    """A multi-dimensional array that can record the operations applied to it."""

    __module__ = "numtorch"  # prints as <class 'numtorch.Tensor'>, as PyTorch's does

    # The attributes every op touches are slots; rarer ones live in __dict__ with
    # class-level defaults, so creating a tensor (once per op) sets only seven fields.
    __slots__ = ("_data", "_requires_grad", "_grad", "_grad_fn", "_output_nr", "_vc", "_base",
                 "__weakref__", "__dict__")
    _view_of = None  # (parent, view Function, its other args) for views
    _hooks = None  # leaf tensor hooks
    _accum = None  # this leaf's AccumulateGrad node
    _post_acc_hooks = None
    _retains_grad = False
    _is_inference = False  # made under inference_mode (see _set_inference)
    __array_priority__ = 1000  # NumPy defers ``ndarray * Tensor`` to Tensor.__rmul__

    def __new__(cls, *args, **kwargs):
        # ``numtorch.Tensor(2, 3)`` is uninitialised float data; ``Tensor([1, 2])`` copies data.
        self = _new(cls)
        Tensor._init(self, _legacy_data(args, kwargs))
        return self

    def __init__(self, *args, **kwargs):
        pass

    def _init(self, arr, requires_grad: bool = False) -> None:
        self._data = arr
        self._requires_grad = requires_grad
        self._grad = None
        self._grad_fn = None
        self._output_nr = 0
        self._vc = [0]
        self._base = None

    @classmethod
    def _make(cls, arr, requires_grad: bool = False):
        """Wrap an array without copying (the fast constructor every op uses)."""
        self = _new(cls)
        self._data = arr
        self._requires_grad = requires_grad
        self._grad = None
        self._grad_fn = None
        self._output_nr = 0
        self._vc = [0]
        self._base = None
        return self

    def _xp(self):
        return get_array_module(self._data)

    def _alias(self):
        """A new Tensor object over the same memory, sharing the version counter."""
        t = Tensor._make(self._data, self._requires_grad)
        t._grad_fn = self._grad_fn
        t._output_nr = self._output_nr
        t._vc = self._vc
        t._base = self._base if self._base is not None else self
        return t

    def _accumulator(self):
        """This leaf's AccumulateGrad node (created once, then reused)."""
        acc = self._accum
        if acc is None:
            acc = self._accum = _function.AccumulateGrad(self)
        return acc

    # --- metadata ----------------------------------------------------------

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        if dim is None:
            return Size(self._data.shape)
        if not isinstance(dim, builtins.int) or isinstance(dim, builtins.bool):
            from ._input_check import type_name

            raise TypeError(f"size(): argument 'dim' (position 1) must be int, not "
                            f"{type_name(dim)}")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self) -> D.dtype:
        return D._BY_NP[self._data.dtype]

    @property
    def device(self) -> device:
        data = self._data
        return CPU if type(data) is np.ndarray else device_of(data)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def is_cpu(self) -> bool:
        return self.device.type == "cpu"

    is_sparse = False
    is_quantized = False
    is_meta = False
    is_nested = False
    layout = "strided"

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim: int | None = None):
        arr = self._data
        if arr.size == 0:  # NumPy reports zero strides for empty arrays; PyTorch row-major ones
            strides = _contiguous_strides(arr.shape)
        else:
            strides = tuple(s // arr.itemsize for s in arr.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        owner = self._data
        while isinstance(owner.base, type(self._data)):
            owner = owner.base
        if owner is self._data:
            return 0
        start = self._data.__array_interface__["data"][0]
        return (start - owner.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self):
        """The memory this tensor views, as bytes (``numtorch.UntypedStorage``): the array at
        the end of ``_data``'s chain of NumPy bases. Tensors sharing memory give storages
        with the same ``data_ptr()``."""
        from .storage import UntypedStorage

        return UntypedStorage._of(self._data)

    def storage(self):
        """This tensor's memory as a ``TypedStorage`` of its dtype (deprecated, as in
        PyTorch: ``untyped_storage()`` is the one to use)."""
        from .storage import typed_storage_of

        return typed_storage_of(self)

    def set_(self, *args, **kwargs):
        """``set_(source=None, storage_offset=0, size=None, stride=None)``: view the memory of
        ``source`` (a storage or a tensor) instead of this tensor's own."""
        from .storage import set_

        return set_(self, args, kwargs)

    def is_contiguous(self, memory_format=None) -> bool:
        """Laid out in C order (the default), or in ``memory_format``: channels_last is the
        NHWC order of a 4-d tensor (NDHWC of a 5-d one for channels_last_3d)."""
        arr = self._data
        name = getattr(memory_format, "_name", None)
        if name in ("channels_last", "channels_last_3d"):
            if arr.ndim != (4 if name == "channels_last" else 5):
                return False
            arr = arr.transpose((0,) + tuple(builtins.range(2, arr.ndim)) + (1,))
        return builtins.bool(arr.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return False

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def get_device(self) -> int:
        d = self.device
        return -1 if d.type == "cpu" else (d.index or 0)

    @property
    def _version(self) -> int:
        return self._vc[0]

    # --- autograd state ----------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if type(flag) is not builtins.bool:
            raise RuntimeError("requires_grad must be a bool")
        self._set_requires_grad(flag, "only Tensors of floating point and complex dtype can "
                                      "require gradients")

    def requires_grad_(self, requires_grad: bool = True):
        """Set whether autograd records operations on this (leaf) tensor."""
        if type(requires_grad) is not builtins.bool:  # PyTorch takes a bool, nothing else
            from ._input_check import type_name

            raise TypeError(f"requires_grad_(): argument 'requires_grad' (position 1) must be "
                            f"bool, not {type_name(requires_grad)}")
        return self._set_requires_grad(requires_grad, "only Tensors of floating point dtype "
                                                      "can require gradients")

    def _set_requires_grad(self, requires_grad, message: str):
        # PyTorch words the integer-dtype error differently for requires_grad_(), the
        # attribute, and factories' requires_grad=True (FACTORY_GRAD_ERROR): ``message``.
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError(message)
        self._requires_grad = builtins.bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self) -> int:
        """Which output of its grad_fn's op this tensor is (0 for leaves)."""
        return self._output_nr

    # numtorch has no complex dtypes: a real tensor is its own real part and has no
    # imaginary part (PyTorch raises for ``imag`` of a real tensor too).
    @property
    def real(self):
        return self

    @real.setter
    def real(self, value) -> None:
        self.copy_(value)

    @property
    def imag(self):
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    @imag.setter
    def imag(self, value) -> None:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad(self):
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            _warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead.",
                UserWarning,
            )
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {type(value).__name__}")
            if value.dtype is not self.dtype:
                from .ops.linalg import _CTYPE  # C type names, as PyTorch's message uses

                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_CTYPE[value.dtype.name]}' "
                    f"to a tensor with grad_dtype '{self.dtype._legacy}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype). You can "
                    "set the tensor's grad_dtype attribute with a specific dtype, or None to "
                    "allow any dtype. Set grad_dtype with caution. Diverging the dtypes of a "
                    "tensor and its gradient may break downstream systems that assume they "
                    "match.")
            if value.shape != self.shape:
                got, want = (", ".join(map(str, t.shape)) for t in (value, self))
                raise RuntimeError(
                    f"attempting to assign a gradient of size '[{got}]' to a tensor of size "
                    f"'[{want}]'. Please ensure that the gradient and the tensor are the same "
                    "size")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    @property
    def data(self):
        """This tensor's values as a new leaf that autograd does not track."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    def detach(self):
        """A tensor sharing this one's memory (and version counter) but not its graph."""
        t = Tensor._make(self._data)
        t._vc = self._vc
        return t

    def detach_(self):
        """Cut this tensor off its graph, in place."""
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        self._grad_fn._add_pre_hook(self._output_nr, _RetainGrad(self))

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_pre_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _function._RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after the gradient is accumulated into this leaf's ``.grad``."""
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        self._post_acc_hooks.append(hook)
        return _function._RemovableHandle(self._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph leaves."""
        if inputs is None and (gradient is None or isinstance(gradient, Tensor)):
            # Straight to the engine: the common call, kept short.
            _engine.run_backward((self,), (gradient,), retain_graph, create_graph)
            return
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # --- conversion --------------------------------------------------------

    def numpy(self, *, force: bool = False):
        """The NumPy array behind this tensor (shares memory)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if type(self._data) is not np.ndarray:
            if not force:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                                "Tensor.cpu() to copy the tensor to host memory first.")
            return self._data.get()
        return self._data

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """The DLPack capsule of this tensor's memory (no copy), for ``torch.from_dlpack``,
        ``np.from_dlpack`` and the other array libraries that read DLPack."""
        if self._requires_grad:
            raise BufferError("Can't export tensors that require gradient, use "
                              "tensor.detach()")
        kwargs = {} if max_version is None else {"max_version": max_version}
        if copy is not None:
            kwargs["copy"] = copy
        if dl_device is not None:
            kwargs["dl_device"] = dl_device
        if type(self._data) is np.ndarray:
            return self._data.__dlpack__(**kwargs)
        return self._data.__dlpack__(stream=stream, **kwargs)

    def __dlpack_device__(self):
        """(device type, index): DLPack's CPU is 1 (CUDA, with CuPy, 2)."""
        return self._data.__dlpack_device__()

    def __array__(self, dtype=None, copy=None):
        arr = self.numpy()
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        n = self._data.size
        if n != 1:
            kind = "no values" if n == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {kind} is ambiguous")
        return builtins.bool(self._data.item())

    def _scalar(self):
        """The one value of ``float(t)``, ``int(t)``, ``complex(t)`` (PyTorch's ValueError
        for any other size, where ``item()`` raises a RuntimeError)."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __float__(self) -> float:
        self._warn_scalar_of_grad()
        return builtins.float(self._scalar())

    def __int__(self) -> int:
        return builtins.int(self._scalar())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return builtins.int(self._data.item())

    def __complex__(self) -> complex:
        self._warn_scalar_of_grad()
        return complex(self._scalar())

    def _warn_scalar_of_grad(self) -> None:
        """PyTorch's warning (once a process) for ``float(t)`` of a tensor in the graph."""
        if self._requires_grad and grad_mode.is_grad_enabled():
            _X.warn_once("Converting a tensor with requires_grad=True to a scalar may lead to "
                         "unexpected behavior.\nConsider using tensor.detach() first.")

    def __hash__(self) -> int:
        return id(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._tensor_str import _str

        return _str(self, tensor_contents=tensor_contents)

    def __reduce_ex__(self, protocol):
        # Pickled as its values and requires_grad (the graph and .grad are not kept, as in
        # PyTorch). numtorch.save writes PyTorch's checkpoint format instead of this.
        if self._hooks is not None or self._grad_fn is not None:
            from .utils.hooks import warn_if_has_hooks

            warn_if_has_hooks(self)
        return (_rebuild_tensor, (type(self), self._data, self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = _new(type(self))
        Tensor._init(new, self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        if hasattr(self, "__dict__"):
            import copy

            for k, v in self.__dict__.items():
                setattr(new, k, copy.deepcopy(v, memo))
        memo[id(self)] = new
        return new

    def to(self, *args, **kwargs):
        """Cast and/or move: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``."""
        dev, dt, copy = _parse_to(self, args, kwargs)
        if dev.type != "cpu" or self.device.type != "cpu":
            from .backend import xp_for

            xp_for(dev)  # a clear error where cuda is not available
        if dt is self.dtype and not copy:
            return self
        from .ops.pointwise import _to_dtype

        return _to_dtype(self, dt)

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """With no argument, the type name (``'numtorch.FloatTensor'``); else a cast."""
        if dtype is None:
            return f"numtorch.{self.dtype._legacy}Tensor"
        if isinstance(dtype, str):
            # A type name, as type() returns it ('torch.' too, for PyTorch scripts); not a
            # dtype name ('float').
            module, _, name = dtype.rpartition(".")
            match = [d for d in D.ALL if f"{d._legacy}Tensor" == name]
            if not match or module not in ("numtorch", "torch", "numtorch.cuda", "torch.cuda"):
                raise ValueError(f"invalid type: '{dtype}'")
            return self.to("cuda" if module.endswith("cuda") else self.device, match[0])
        return self.to(getattr(dtype, "dtype", None) if isinstance(dtype, type) else
                       D.to_dtype(dtype))

    def type_as(self, other):
        return self.to(other.dtype)

    def float(self):
        return self.to(D.float32)

    def double(self):
        return self.to(D.float64)

    def half(self):
        return self.to(D.float16)

    def long(self):
        return self.to(D.int64)

    def int(self):
        return self.to(D.int32)

    def short(self):
        return self.to(D.int16)

    def char(self):
        return self.to(D.int8)

    def byte(self):
        return self.to(D.uint8)

    def bool(self):
        return self.to(D.bool)

    def cpu(self):
        return self

    def cuda(self, device=None, non_blocking: bool = False):
        from .backend import xp_for

        xp_for(to_device("cuda" if device is None else device))
        raise RuntimeError("numtorch: moving tensors to cuda is not supported yet")

    def pin_memory(self):
        return self

    def is_pinned(self) -> bool:
        return False

    def share_memory_(self):
        """Move this tensor's memory into memory shared between processes, in place
        (numtorch/multiprocessing/_shared.py); a no-op if it is there already."""
        from .multiprocessing import _shared

        _shared.share(self)
        return self

    # --- in-place machinery -----------------------------------------------

    def _bump(self) -> None:
        self._vc[0] += 1

    def _check_inplace(self) -> None:
        if grad_mode.enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")


class _RetainGrad:
    """The hook ``retain_grad()`` adds: store the non-leaf's gradient in its ``.grad``."""

    _is_retain = True

    def __init__(self, tensor):
        import weakref

        self.ref = weakref.ref(tensor)

    def __call__(self, grad):
        t = self.ref()
        if t is None:
            return None
        if t._grad is None:
            t._grad = grad if grad_mode.enabled else grad.detach()
            if not grad_mode.enabled:
                t._grad = Tensor._make(grad._data.copy())
        else:
            t._grad = t._grad + grad
        return None


def _rebuild_tensor(cls, arr, requires_grad):
    t = _new(cls)
    Tensor._init(t, arr, requires_grad)
    return t


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n if ndim else 0


def _legacy_data(args, kwargs, dtype=None):
    """Arguments of the legacy constructors ``Tensor(*sizes)`` / ``Tensor(data)`` and
    ``LongTensor(...)`` (``dtype``) and the like (numtorch/_tensor_types.py)."""
    dev = kwargs.pop("device", None)
    if kwargs:
        raise TypeError(f"Tensor() got unexpected keyword arguments {list(kwargs)}")
    to_device(dev)
    dt = (dtype or D.get_default_dtype()).np
    if len(args) == 1 and not isinstance(args[0], (builtins.int, Size)):
        arg = args[0]
        if isinstance(arg, Tensor):
            if dtype is not None and arg.dtype is not dtype:
                from .ops.linalg import _CTYPE

                raise TypeError(f"expected TensorOptions({_options(_CTYPE[dtype.name])}) "
                                f"(got TensorOptions({_options(_CTYPE[arg.dtype.name])}))")
            return arg._data
        if isinstance(arg, str) or arg is None:
            raise TypeError(f"new(): invalid data type '{type(arg).__name__}'")
        return np.asarray(arg, dtype=dt)
    if len(args) == 1 and isinstance(args[0], Size):
        args = tuple(args[0])
    return np.empty(args or (0,), dtype=dt)  # no sizes: an empty 1-D tensor


def _options(ctype: str) -> str:
    return (f"dtype={ctype}, device=cpu, layout=Strided, requires_grad=false (default), "
            "pinned_memory=false (default), memory_format=(nullopt)")


def _parse_to(self, args, kwargs):
    dev = kwargs.pop("device", None)
    dt = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got unexpected keyword arguments {list(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):
            dev, dt = a.device, a.dtype
        elif isinstance(a, D.dtype):
            dt = a
        elif isinstance(a, (str, device, builtins.int)) and not isinstance(a, builtins.bool):
            dev = a
        elif a is None:
            continue
        elif isinstance(a, builtins.bool):
            continue  # non_blocking passed positionally
        else:
            raise TypeError(f"to() received an invalid combination of arguments: {a!r}")
    dev = self.device if dev is None else to_device(dev)
    dt = self.dtype if dt is None else D.to_dtype(dt)
    return dev, dt, copy


def _wrap(arr):
    """Wrap an op's result; NumPy hands back 0-d results as scalars, so re-array them.

    Every op output passes through here, so ``Tensor._make``'s body is repeated inline
    (one Python call less per op)."""
    if isinstance(arr, np.generic):
        arr = np.asarray(arr)
    self = _new(Tensor)
    self._data = arr
    self._requires_grad = False
    self._grad = None
    self._grad_fn = None
    self._output_nr = 0
    self._vc = [0]
    self._base = None
    return self


_function._init(Tensor, _wrap)


# --- in-place ops -----------------------------------------------------------
#
# An in-place method is its out-of-place op written back into ``self``:
#   untracked (no grad needed): compute, copy into self's array, bump the version;
#   tracked: run the op on an alias of the old ``self`` so the new graph node hangs off
#   the old history, then make that node ``self``'s grad_fn. If ``self`` is a view, its
#   base's history changes too: a CopySlices node records that part of the base was
#   overwritten (``_rebase_view``).


def _requires_grad_any(args) -> bool:
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def _write_into(self, result) -> None:
    """Copy ``result``'s values into ``self``'s memory (PyTorch's in-place casting rules)."""
    if not isinstance(result, Tensor):
        raise TypeError("in-place op expected a Tensor result")
    src = result._data
    if not D.can_cast(result.dtype, self.dtype):
        raise RuntimeError(f"result type {result.dtype._legacy} can't be cast to the desired "
                           f"output type {self.dtype._legacy}")
    if src.shape != self._data.shape:
        try:
            shape = np.broadcast_shapes(src.shape, self._data.shape)
        except ValueError:
            shape = src.shape
        if shape != self._data.shape:
            raise RuntimeError(
                f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match "
                f"the broadcast shape [{', '.join(map(str, shape))}]"
            )
    if src is not self._data:
        dst = self._data
        if not dst.flags.writeable and any(st == 0 and n > 1
                                           for n, st in zip(dst.shape, dst.strides)):
            raise RuntimeError(  # an expanded tensor: NumPy keeps it read-only
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation.")
        get_array_module(dst).copyto(dst, src, casting="unsafe")
    self._vc[0] += 1


def inplace(fn):
    """Make the in-place method ``x.fn_(...)`` from the out-of-place op ``fn(x, ...)``."""

    def method(self, *args, **kwargs):
        try:
            if grad_mode.enabled and (self._requires_grad or _requires_grad_any(args)
                                      or _requires_grad_any(kwargs.values())):
                return _inplace_tracked(self, fn, args, kwargs)
            _write_into(self, fn(self, *args, **kwargs))
        except NotImplementedError:
            # PyTorch checks that the promoted result can be written back before it looks
            # for a kernel: ``int_tensor.bitwise_and_(1.5)`` is the cast error.
            if args and isinstance(args[0], (Tensor, builtins.int, builtins.float)):
                result = D.result_type(self, args[0])
                if not D.can_cast(result, self.dtype):
                    raise RuntimeError(f"result type {result._legacy} can't be cast to the "
                                       f"desired output type {self.dtype._legacy}") from None
            raise
        except TypeError as e:
            raise _as_method_error(e, fn.__name__, method.__name__) from None
        return self

    method.__name__ = fn.__name__ + "_"
    method.__doc__ = f"In-place version of :func:`{fn.__name__}`."
    return method


_PARSER_ERROR = re.compile(r"^(\w+)\(\): argument '(\w+)' \(position (\d+)\)")


def _as_method_error(err: TypeError, fn_name: str, method_name: str) -> TypeError:
    """A function's argument error as its in-place method reports it: PyTorch names the
    method and counts positions after ``self`` (``atan2_(): argument 'other' (position 1)``).
    Other TypeErrors come back unchanged."""
    message = str(err)
    m = _PARSER_ERROR.match(message)
    if m is None or m.group(1) != fn_name or m.group(3) == "1":
        return err
    head = f"{method_name}(): argument '{m.group(2)}' (position {int(m.group(3)) - 1})"
    return TypeError(head + message[m.end():])


def _inplace_tracked(self, fn, args, kwargs):
    if self._grad_fn is None and self._requires_grad:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    base = self._base
    if base is not None and base._grad_fn is None and base._requires_grad:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    old = Tensor._make(self._data, self._requires_grad)
    old._grad_fn, old._output_nr, old._vc = self._grad_fn, self._output_nr, self._vc
    result = fn(old, *args, **kwargs)
    node = result._grad_fn
    if node is not None and node._saved is not None and any(s is old for s in node._saved):
        # The node needs the old values, which are about to be overwritten: keep a copy.
        snap = Tensor._make(self._data.copy(), old._requires_grad)
        snap._grad_fn, snap._output_nr = old._grad_fn, old._output_nr
        node._saved = tuple(snap if s is old else s for s in node._saved)
        node._saved_versions = tuple(s._vc[0] if s is not None else 0 for s in node._saved)
    if result.dtype is not self.dtype and node is not None:
        result = result.to(self.dtype)
        node = result._grad_fn
    _write_into(self, result)
    if base is not None and result._requires_grad:
        _rebase_view(self, result)
    elif result._requires_grad:
        self._grad_fn, self._output_nr, self._requires_grad = node, result._output_nr, True
    return self


def _replay_view(chain, root):
    """Re-make a view from (a stand-in for) its root base by re-applying its view ops.

    ``chain`` is the view's ``_view_of``: (parent, view Function, its other arguments).
    """
    parent, cls, rest = chain
    src = root if parent._view_of is None else _replay_view(parent._view_of, root)
    return cls.apply(src, *rest)


def _rebase_view(view, result) -> None:
    """After writing ``result`` into ``view``, give the base (and the view) the new history."""
    from .ops.index import CopySlices

    base = view._base
    if view._view_of is None:
        raise RuntimeError(
            f"Output {view._output_nr} of {type(view._grad_fn).__name__} is a view and is being "
            "modified inplace. This view is the output of a function that returns multiple "
            "views. Such functions do not allow the output views to be modified inplace. You "
            "should replace the inplace operation by an out-of-place one."
        )
    old_base = Tensor._make(base._data, base._requires_grad)
    old_base._grad_fn, old_base._output_nr, old_base._vc = base._grad_fn, base._output_nr, \
        base._vc
    new_base = CopySlices.apply(old_base, result, view._view_of)
    base._grad_fn, base._output_nr, base._requires_grad = new_base._grad_fn, 0, True
    fresh = _replay_view(view._view_of, base)
    view._grad_fn, view._output_nr, view._requires_grad = fresh._grad_fn, fresh._output_nr, True


# --- operators and methods ---------------------------------------------------
#
# Every op is a function in numtorch/ops/<family>.py. A method is that function
# with the tensor as first argument: each family lists its method names in
# ``TENSOR_METHODS`` (bound here as they are) and ``INPLACE_METHODS`` (bound as
# ``name_`` through ``inplace`` above). Python operators are spelled out below.


from .ops import copy as _copy  # noqa: E402
from .ops import creation as _C  # noqa: E402
from .ops import extras as _X  # noqa: E402
from .ops import index as _I  # noqa: E402
from .ops import linalg as _L  # noqa: E402
from .ops import pointwise as _P  # noqa: E402
from .ops import reduce as _R  # noqa: E402
from .ops import sampling as _rand  # noqa: E402
from .ops import shape as _S  # noqa: E402
from .ops import variants as _V  # noqa: E402

for _family in (_P, _R, _L, _S, _I, _C, _copy, _rand, _V, _X):
    for _name in getattr(_family, "TENSOR_METHODS", ()):
        setattr(Tensor, _name, getattr(_family, _name))
    for _name in getattr(_family, "INPLACE_METHODS", ()):
        setattr(Tensor, _name + "_", inplace(getattr(_family, _name)))


def _operand(other):
    """Python operators accept Tensors and numbers; anything else is NotImplemented."""
    return isinstance(other, (Tensor, builtins.int, builtins.float, builtins.bool, np.generic))


def _binary(fn, reflected=False, fast=None, record=None):
    """A Python operator calling ``fn``.

    Two shortcuts skip ``fn``'s argument checks where they cannot fail; both cover float
    operands of one dtype, or a float tensor and a Python number, where NumPy's result
    is already PyTorch's:

    - ``fast`` is the NumPy operator for when nothing needs recording (grad mode off or
      no input requiring grad): the op is a single array operation. This is what keeps
      backward formulas and inference cheap on tiny tensors.
    - ``record(self, other)`` calls the op's ``Function.apply`` directly when the result
      needs a graph node (the usual training step): ``fn`` would only have checked and
      passed the operands through to the same call.
    """

    def op(self, other):
        # NumPy warns on inf/nan results; PyTorch does not (backend.cpu.quiet).
        token = _fp_errors_off()
        try:
            a = self._data
            if a.dtype.kind == "f":
                to = type(other)
                if to is builtins.float or to is builtins.int:
                    if not (grad_mode.enabled and self._requires_grad):
                        if fast is not None:
                            f = _parallel.binary(fast) if a.size >= _PAR_MIN else fast
                            return _wrap(f(other, a) if reflected else f(a, other))
                    elif record is not None:
                        return record(self, other)
                elif isinstance(other, Tensor) and other._data.dtype == a.dtype:
                    if not (grad_mode.enabled and (self._requires_grad or other._requires_grad)):
                        if fast is not None and to is Tensor:
                            b = other._data
                            f = fast
                            if a.size >= _PAR_MIN or b.size >= _PAR_MIN:  # large: on threads
                                f = _parallel.binary(fast)
                            try:
                                return _wrap(f(b, a) if reflected else f(a, b))
                            except ValueError:  # no broadcast: fn raises PyTorch's error
                                pass
                    elif record is not None:
                        try:
                            return record(self, other)
                        except ValueError as e:  # shapes don't broadcast: PyTorch's error
                            _P._raise_broadcast(e, (other, self) if reflected else (self, other))
                            raise
            if not _operand(other):
                # A NumPy array is taken as a tensor, as PyTorch takes it; anything else (a
                # list: ``t + [1, 2]``) is NotImplemented, so Python raises its TypeError.
                if not isinstance(other, np.ndarray):
                    return NotImplemented
                other = _C.as_tensor(other)
            return fn(other, self) if reflected else fn(self, other)
        finally:
            _fp_errors_restore(token)
    return op


def _matmul_operator(reflected: bool):
    """``a @ b`` takes Tensors only: a number or a list is NotImplemented (Python's
    "unsupported operand type(s) for @"), as in PyTorch."""
    def op(self, other):
        if not isinstance(other, Tensor):
            if isinstance(other, np.ndarray) and not reflected:
                # PyTorch hands this to NumPy, which computes it (in NumPy's dtype) and
                # wraps the result back into a Tensor.
                return _wrap(np.matmul(self.__array__(), other))
            return NotImplemented
        return _L.matmul(other, self) if reflected else _L.matmul(self, other)
    return op


def _inplace_binary(fn):
    """``x op= y`` is the in-place method ``x.fn_(y)`` (some have a fast path)."""
    name = fn.__name__ + "_"

    def op(self, other):
        if not _operand(other):
            return NotImplemented
        return getattr(self, name)(other)
    return op


Tensor.__add__ = _binary(_P.add, fast=operator.add, record=_P._add_recorded)
Tensor.__radd__ = _binary(_P.add, reflected=True, fast=operator.add,
                          record=lambda s, o: _P._add_recorded(o if isinstance(o, Tensor) else s,
                                                               s if isinstance(o, Tensor) else o))
Tensor.__iadd__ = _inplace_binary(_P.add)
Tensor.__sub__ = _binary(_P.sub, fast=operator.sub, record=_P._sub_recorded)
Tensor.__rsub__ = _binary(  # 2 - x: RsubBackward1; x.__rsub__(y) for a Tensor y: RsubBackward0
    _P.rsub, fast=lambda a, b: b - a,
    record=lambda s, o: (_P.RsubTensor if isinstance(o, Tensor) else _P.Rsub).apply(s, o, 1))
Tensor.__isub__ = _inplace_binary(_P.sub)
Tensor.__mul__ = _binary(_P.mul, fast=operator.mul, record=_P._mul_recorded)
Tensor.__rmul__ = _binary(  # mul(number, x) puts the tensor first
    _P.mul, reflected=True, fast=operator.mul,
    record=lambda s, o: _P._mul_recorded(o, s) if isinstance(o, Tensor) else _P._mul_recorded(s, o))
Tensor.__imul__ = _inplace_binary(_P.mul)
Tensor.__truediv__ = _binary(_P.div, record=_P._div_recorded)  # no fast: x / 0 must not warn
Tensor.__rtruediv__ = _binary(_P._rdiv)  # 2 / x is x.reciprocal() * 2, as in PyTorch
Tensor.__itruediv__ = _inplace_binary(_P.div)
Tensor.__pow__ = _binary(_P.pow)
Tensor.__rpow__ = _binary(_P.pow, reflected=True)
Tensor.__ipow__ = _inplace_binary(_P.pow)
Tensor.__matmul__ = _matmul_operator(reflected=False)
Tensor.__rmatmul__ = _matmul_operator(reflected=True)
Tensor.__neg__ = _P.neg
Tensor.__pos__ = _P.positive
Tensor.__abs__ = _P.abs
Tensor.__invert__ = _P._invert
Tensor.__floordiv__ = _binary(_P.floor_divide)
Tensor.__rfloordiv__ = _binary(_P.floor_divide, reflected=True)
Tensor.__ifloordiv__ = _inplace_binary(_P.floor_divide)
Tensor.__mod__ = _binary(_P.remainder)
Tensor.__rmod__ = _binary(_P.remainder, reflected=True)
Tensor.__imod__ = _inplace_binary(_P.remainder)
Tensor.__and__ = _binary(_P.bitwise_and)
Tensor.__rand__ = _binary(_P.bitwise_and, reflected=True)
Tensor.__iand__ = _inplace_binary(_P.bitwise_and)
Tensor.__or__ = _binary(_P.bitwise_or)
Tensor.__ror__ = _binary(_P.bitwise_or, reflected=True)
Tensor.__ior__ = _inplace_binary(_P.bitwise_or)
Tensor.__xor__ = _binary(_P.bitwise_xor)
Tensor.__rxor__ = _binary(_P.bitwise_xor, reflected=True)
Tensor.__ixor__ = _inplace_binary(_P.bitwise_xor)
Tensor.__lshift__ = _binary(_P.bitwise_left_shift)
Tensor.__rlshift__ = _binary(_P.bitwise_left_shift, reflected=True)
Tensor.__ilshift__ = _inplace_binary(_P.bitwise_left_shift)
Tensor.__rshift__ = _binary(_P.bitwise_right_shift)
Tensor.__rrshift__ = _binary(_P.bitwise_right_shift, reflected=True)
Tensor.__irshift__ = _inplace_binary(_P.bitwise_right_shift)
Tensor.where = lambda self, condition, other: _P.where(condition, self, other)
Tensor.polygamma = lambda self, n: _P.polygamma(n, self)  # the tensor is the 2nd argument


def _apply_(self, callable):  # noqa: A002 - PyTorch's parameter name
    """``Tensor.apply_``: ``callable`` on every element, in place (one Python call per
    element, as in PyTorch: for small tensors and tests, not for speed)."""
    if self._requires_grad:
        raise RuntimeError("Can't call apply_() on Variable that requires grad. Use "
                           "var.detach().apply_() instead.")
    arr = self._data
    values = [callable(v) for v in arr.reshape(-1).tolist()]
    arr[...] = np.array(values).reshape(arr.shape).astype(arr.dtype)  # C casts: truncation
    self._vc[0] += 1
    return self


Tensor.apply_ = _apply_


def _activation_methods() -> None:
    from .ops import activation as _A

    Tensor.hardshrink = lambda self, lambd=0.5: _A.hardshrink(self, lambd)
    Tensor.prelu = lambda self, weight: _A.prelu(self, weight)


_activation_methods()
Tensor.__eq__ = _binary(_P.eq)
Tensor.__ne__ = _binary(_P.ne)
Tensor.__lt__ = _binary(_P.lt)
Tensor.__le__ = _binary(_P.le)
Tensor.__gt__ = _binary(_P.gt)
Tensor.__ge__ = _binary(_P.ge)
Tensor.__getitem__ = _I.getitem
Tensor.__setitem__ = _I.setitem
Tensor.__hash__ = lambda self: id(self)

# Properties that are ops.
Tensor.T = property(_S._T)
Tensor.mT = property(_S._mT)
Tensor.mH = property(_S._mH)
Tensor.H = property(_S._H)
