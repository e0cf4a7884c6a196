"""Storages: the memory behind tensors (PyTorch's ``torch.storage``).

A tensor is a strided view of a storage. In numtorch the memory is a NumPy array: the one
at the end of the tensor's chain of NumPy ``.base`` arrays (every view of it, ``view``,
slicing, ``t()``, ``from_numpy``, ``numpy()``, reaches the same array). So

* ``UntypedStorage`` is that array's memory seen as bytes (a 1-d ``uint8`` view of it).
  ``a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()`` tells whether two
  tensors share memory, as in PyTorch; ``t.storage_offset()`` counts elements from its start.
* ``TypedStorage`` (``Tensor.storage()``, deprecated in PyTorch and warning once) is the same
  bytes read as elements of a dtype; ``FloatStorage`` & co. are its legacy names.
* ``Tensor.set_`` makes a tensor view a storage (or another tensor's memory).

NumPy memory cannot grow in place, so no storage here is resizable (PyTorch's are, unless
they wrap foreign memory): where PyTorch would grow one, numtorch raises its error for a
non-resizable storage.
"""

from __future__ import annotations

import builtins
import collections.abc
import weakref

import numpy as np

from . import _dtype as D
from . import _warnings
from ._device import CPU, device
from ._tensor import Tensor, _contiguous_strides
from .backend import device_of, get_array_module, xp_for
from .ops.index import _C_NAMES

__all__ = ["UntypedStorage", "TypedStorage", "FloatStorage", "DoubleStorage", "HalfStorage",
           "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage",
           "BoolStorage"]

# id(owning array) -> the UntypedStorage over it, while that storage object lives: as in
# PyTorch, asking twice for the storage of the same memory gives the same object.
_STORAGES: weakref.WeakValueDictionary = weakref.WeakValueDictionary()


def _type_name(obj) -> str:
    """A value's type as PyTorch's storage messages print it."""
    if isinstance(obj, (UntypedStorage, TypedStorage)):
        return f"{type(obj).__module__}.{type(obj).__qualname__}"
    from ._input_check import type_name

    return type_name(obj)


def _is_int(v) -> bool:
    return isinstance(v, (builtins.int, np.integer)) and not isinstance(v, (builtins.bool,
                                                                           np.bool_))


def _owner(arr):
    """The array owning ``arr``'s memory: the end of its chain of same-type ``.base``s."""
    while isinstance(arr.base, type(arr)):
        arr = arr.base
    return arr


def _address(arr) -> int:
    if isinstance(arr, np.ndarray):
        return arr.__array_interface__["data"][0]
    return arr.data.ptr  # CuPy


def _as_bytes(owner):
    """A 1-d ``uint8`` view of all of ``owner``'s memory, whose ``.base`` chain leads back to
    ``owner`` (so tensors made from it find the same storage)."""
    if owner.flags.c_contiguous:
        return owner.reshape(-1).view(np.uint8)
    if owner.flags.f_contiguous:
        return owner.T.reshape(-1).view(np.uint8)
    # Strided memory that is not one block in either order (an array over a foreign buffer):
    # its byte span, read from its lowest element on.
    lo = hi = 0
    first = []
    for n, s in zip(owner.shape, owner.strides):
        if s < 0:
            lo += (n - 1) * s
            first.append(slice(n - 1, n))
        else:
            hi += (n - 1) * s
            first.append(slice(0, 1))
    start = owner[tuple(first)].reshape(1).view(np.uint8)
    return get_array_module(owner).lib.stride_tricks.as_strided(
        start, (hi - lo + owner.itemsize,), (1,))


# --- UntypedStorage ---------------------------------------------------------------------


class UntypedStorage:
    """A tensor's memory as a flat sequence of bytes.

    ``UntypedStorage(n)`` is ``n`` new bytes (zeros), ``UntypedStorage(sequence)`` the given
    byte values; ``t.untyped_storage()`` is the memory ``t`` views (shared, not copied).
    Indexing gives byte values (ints); a slice is a storage over part of the same memory.
    """

    __slots__ = ("_bytes", "_owner", "_is_slice", "__weakref__")
    is_sparse = False
    is_sparse_csr = False

    def __init__(self, *args, device=None, allocator=None, **kwargs):
        if "size" in kwargs and not args:
            args = (kwargs.pop("size"),)
        if len(args) > 1 or kwargs:
            got = [_type_name(a) for a in args] + [f"{k}={_type_name(v)}"
                                                  for k, v in kwargs.items()]
            raise TypeError(
                "numtorch.UntypedStorage() received an invalid combination of arguments - got "
                f"({', '.join(got)}), but expected one of:\n"
                " * (*, int allocator = None, numtorch.device device = None)\n"
                " * (int size, *, int allocator = None, numtorch.device device = None)\n"
                " * (object sequence, *, int allocator = None, numtorch.device device = None)\n")
        xp = xp_for(CPU if device is None else _to_device(device))
        if not args:
            data = xp.zeros(0, np.uint8)
        elif _is_int(args[0]):
            if args[0] < 0:
                raise RuntimeError(f"numtorch.UntypedStorage(): alloc_cpu() seems to have been "
                                   f"called with negative number: {int(args[0])}")
            data = xp.zeros(int(args[0]), np.uint8)
        else:
            seq = args[0]
            if isinstance(seq, Tensor) or not isinstance(seq, (collections.abc.Sequence,
                                                               np.ndarray)):
                raise RuntimeError(f"numtorch.UntypedStorage(): Expected a sequence type, but "
                                   f"got {_type_name(seq)}")
            for v in seq:
                if not isinstance(v, builtins.int):
                    raise RuntimeError(
                        f"numtorch.UntypedStorage(): tried to construct a storage from a "
                        f"sequence ({_type_name(seq)}), but one of the items was of type "
                        f"{_type_name(v)} instead of int")
            data = xp.asarray(np.array([v & 0xFF for v in seq], np.uint8))
        self._bytes = self._owner = data
        self._is_slice = False
        _STORAGES[id(data)] = self

    @classmethod
    def _wrap(cls, owner, data, is_slice: bool = False) -> UntypedStorage:
        """The storage over ``data`` (the bytes of ``owner``), registered as ``owner``'s."""
        self = object.__new__(cls)
        self._bytes, self._owner, self._is_slice = data, owner, is_slice
        _STORAGES[id(owner)] = self
        return self

    @classmethod
    def _of(cls, arr) -> UntypedStorage:
        """The storage of the memory ``arr`` views (the same object while one exists)."""
        owner = _owner(arr)
        found = _STORAGES.get(id(owner))
        if found is not None and found._owner is owner:
            return found
        return cls._wrap(owner, _as_bytes(owner))

    # --- size and place ---

    def nbytes(self) -> int:
        return self._bytes.size

    def size(self) -> int:
        return self._bytes.size

    def __len__(self) -> int:
        return self._bytes.size

    def element_size(self) -> int:
        return 1

    @property
    def device(self) -> device:
        return CPU if isinstance(self._bytes, np.ndarray) else device_of(self._bytes)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def get_device(self):
        return self.device.index

    def data_ptr(self) -> int:
        """The address of the first byte (0 for an empty storage, as in PyTorch)."""
        if self._bytes.size == 0 and not self._is_slice:
            return 0
        return _address(self._bytes)

    def type(self, dtype=None, non_blocking: bool = False) -> str:  # noqa: ARG002
        if dtype is not None:
            raise NotImplementedError("numtorch: UntypedStorage.type(dtype) is not supported")
        return f"{type(self).__module__}.{type(self).__qualname__}"

    def untyped(self) -> UntypedStorage:
        return self

    def is_shared(self) -> bool:
        from .multiprocessing import _shared

        return _shared._block_of(self._owner) is not None

    def is_pinned(self, device=None) -> bool:  # noqa: ARG002
        return False

    def share_memory_(self) -> UntypedStorage:
        """Already shared: nothing to do. Otherwise numtorch cannot move a storage: its
        tensors each hold their own array over it. ``Tensor.share_memory_`` moves a
        tensor's memory."""
        if not self.is_shared():
            raise RuntimeError("numtorch: a storage cannot be moved into shared memory; call "
                               "share_memory_() on the tensor (or module.share_memory())")
        return self

    def resizable(self) -> bool:
        return False  # NumPy memory cannot grow in place

    def resize_(self, size: int):
        raise RuntimeError("Trying to resize storage that is not resizable")

    # --- bytes ---

    def _name(self) -> str:
        return f"{type(self).__module__}.{type(self).__qualname__}"

    def _slice(self, idx: slice) -> tuple[int, int]:
        if idx.step is not None and idx.step != 1:
            raise RuntimeError(f"Trying to slice with a step of {idx.step}, but only a step "
                               f"of 1 is supported")
        start, stop, _ = idx.indices(self._bytes.size)
        return start, max(start, stop)

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            start, stop = self._slice(idx)
            part = self._bytes[start:stop]
            if isinstance(part, np.ndarray):
                # Its own owner (a buffer over the parent's memory, not a NumPy view), so a
                # tensor set_ to it reports this storage, as a tensor over a PyTorch slice does.
                part = np.frombuffer(memoryview(part), np.uint8) if part.size else \
                    np.zeros(0, np.uint8)
            return UntypedStorage._wrap(part, part, is_slice=True)
        if not _is_int(idx):
            raise TypeError(f"can't index a numtorch.UntypedStorage with {_type_name(idx)}")
        n = self._bytes.size
        i = int(idx) + n if idx < 0 else int(idx)
        if not 0 <= i < n:
            raise IndexError(f"index {i} out of range for storage of size {n}")
        return int(self._bytes[i])

    def __setitem__(self, idx, value) -> None:
        if isinstance(idx, slice):
            where = slice(*self._slice(idx))
        elif _is_int(idx):
            if not 0 <= idx < self._bytes.size:  # PyTorch refuses negative indices here
                raise RuntimeError("out of bounds")
            where = int(idx)
        else:
            raise RuntimeError(f"can't index a numtorch.UntypedStorage with {_type_name(idx)}")
        if not isinstance(value, builtins.int):
            raise RuntimeError(f"can only set storage content with a int types, but got "
                               f"{_type_name(value)} instead")
        self._bytes[where] = value & 0xFF

    def __iter__(self):
        return iter(self.tolist())

    def tolist(self) -> list:
        return [int(v) for v in self._bytes.tolist()]

    def fill_(self, value) -> UntypedStorage:
        if not isinstance(value, builtins.int):
            raise RuntimeError(f"fill_ expects int, but got {_type_name(value)}")
        self._bytes[...] = value & 0xFF
        return self

    def copy_(self, src, non_blocking=None) -> UntypedStorage:  # noqa: ARG002
        """Copy ``src``'s bytes (a storage of the same number of bytes) into this one."""
        if isinstance(src, TypedStorage):
            src = src._untyped_storage
        if not isinstance(src, UntypedStorage):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be numtorch.Storage, "
                            f"not {_type_name(src)}")
        if src.nbytes() != self.nbytes():
            raise RuntimeError(f"size does not match, self was {self.nbytes()} bytes but src "
                               f"was {src.nbytes()} bytes")
        self._bytes[...] = src._bytes  # NumPy copies through a buffer where the two overlap
        return self

    def clone(self) -> UntypedStorage:
        """A copy of these bytes in new memory."""
        data = self._bytes.copy()
        return UntypedStorage._wrap(data, data)

    def cpu(self) -> UntypedStorage:
        if isinstance(self._bytes, np.ndarray):
            return self
        data = self._bytes.get()
        return UntypedStorage._wrap(data, data)

    def __copy__(self) -> UntypedStorage:
        return self.clone()

    def __deepcopy__(self, memo) -> UntypedStorage:
        if id(self) not in memo:
            memo[id(self)] = self.clone()
        return memo[id(self)]

    def __reduce__(self):
        return (_rebuild_untyped, (self.cpu()._bytes.tobytes(),))

    def __sizeof__(self) -> int:
        return object.__sizeof__(self) + self.nbytes()

    def _to(self, dtype) -> TypedStorage:
        """These bytes cast, one byte an element, to ``dtype``, in new memory."""
        dt = D.to_dtype(dtype)
        data = self._bytes.astype(dt.np)
        return TypedStorage(wrap_storage=UntypedStorage._of(data), dtype=dt, _internal=True)

    def double(self):
        return self._to(D.float64)

    def float(self):
        return self._to(D.float32)

    def half(self):
        return self._to(D.float16)

    def long(self):
        return self._to(D.int64)

    def int(self):
        return self._to(D.int32)

    def short(self):
        return self._to(D.int16)

    def char(self):
        return self._to(D.int8)

    def byte(self):
        return self._to(D.uint8)

    def bool(self):
        return self._to(D.bool)

    def __repr__(self) -> str:
        info = f"[{self._name()}(device={self.device}) of size {len(self)}]"
        return " " + "\n ".join(str(v) for v in self.tolist()) + "\n" + info

    __str__ = __repr__


def _to_device(dev) -> device:
    return dev if isinstance(dev, device) else device(dev)


def _rebuild_untyped(data: bytes) -> UntypedStorage:
    arr = np.frombuffer(data, np.uint8).copy()
    return UntypedStorage._wrap(arr, arr)


# --- TypedStorage -----------------------------------------------------------------------

_WARNING = ("TypedStorage is deprecated. It will be removed in the future and UntypedStorage "
            "will be the only storage class. This should only matter to you if you are using "
            "storages directly.  To access UntypedStorage directly, use "
            "tensor.untyped_storage() instead of tensor.storage()")
_warned = False
_always_warn = False


def _warn_typed_storage_removal() -> None:
    """PyTorch's deprecation warning for TypedStorage: once per process, unless
    ``_set_always_warn_typed_storage_removal(True)``."""
    global _warned
    if _always_warn or not _warned:
        _warnings.warn(_WARNING, UserWarning)
        _warned = True


def _set_always_warn_typed_storage_removal(always_warn: bool) -> None:
    global _always_warn
    if not isinstance(always_warn, builtins.bool):
        raise AssertionError(f"always_warn must be bool, got {type(always_warn).__name__}")
    _always_warn = always_warn


def _reset_warn_typed_storage_removal() -> None:
    global _warned
    _warned = False




class TypedStorage:
    """A storage read as elements of one dtype (``Tensor.storage()``): PyTorch's deprecated
    view of an ``UntypedStorage``, kept for older code. It wraps ``_untyped_storage``."""

    is_sparse = False

    def __init__(self, *args, device=None, dtype=None, wrap_storage=None,
                 _internal: bool = False):
        if not _internal:
            _warn_typed_storage_removal()
        message = ("TypedStorage.__init__ received an invalid combination of arguments. "
                   "Expected one of:\n"
                   " * (*, numtorch.device device, numtorch.dtype dtype)\n"
                   " * (int size, *, numtorch.device device, numtorch.dtype dtype)\n"
                   " * (Sequence data, *, numtorch.device device, numtorch.dtype dtype)\n"
                   " * (*, UntypedStorage wrap_storage, numtorch.dtype dtype)")
        if wrap_storage is not None:
            if args:
                raise RuntimeError(message + "\nNo positional arguments should be given when "
                                   "using 'wrap_storage'")
            if dtype is None:
                raise RuntimeError(message + "\nArgument 'dtype' must be specified")
            if not isinstance(dtype, D.dtype):
                raise TypeError(message + f"\nArgument 'dtype' must be numtorch.dtype, not "
                                f"{type(dtype)}")
            if device is not None:
                raise RuntimeError(message + "\nArgument 'device' should not be specified when "
                                   "'wrap_storage' is given")
            if not isinstance(wrap_storage, UntypedStorage):
                raise TypeError(message + f"\nArgument 'wrap_storage' must be UntypedStorage, "
                                f"but got {type(wrap_storage)}")
            self.dtype = dtype
            self._untyped_storage = wrap_storage
            return
        self.dtype = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
        dev = CPU if device is None else _to_device(device)
        if len(args) > 1:
            raise RuntimeError(message + "\nToo many positional arguments")
        if not args:
            self._untyped_storage = UntypedStorage(device=dev)
        elif _is_int(args[0]):
            self._untyped_storage = UntypedStorage(int(args[0]) * self.dtype.itemsize,
                                                   device=dev)
        elif isinstance(args[0], collections.abc.Sequence):
            from .ops.creation import tensor

            data = tensor(args[0], dtype=self.dtype, device=dev)._data
            self._untyped_storage = UntypedStorage._of(data)
        else:
            raise TypeError(message + f"\nArgument type not recognized: {type(args[0])}")

    def _elements(self):
        """The storage's bytes as a 1-d array of ``dtype`` (a view)."""
        data = self._untyped_storage._bytes
        item = self.dtype.itemsize
        return data[:data.size // item * item].view(self.dtype.np)

    # --- size and place ---

    def _size(self) -> int:
        return self._untyped_storage.nbytes() // self.dtype.itemsize

    def size(self) -> int:
        _warn_typed_storage_removal()
        return self._size()

    def __len__(self) -> int:
        _warn_typed_storage_removal()
        return self._size()

    def nbytes(self) -> int:
        _warn_typed_storage_removal()
        return self._untyped_storage.nbytes()

    def element_size(self) -> int:
        _warn_typed_storage_removal()
        return self.dtype.itemsize

    @property
    def device(self) -> device:
        _warn_typed_storage_removal()
        return self._untyped_storage.device

    @property
    def is_cuda(self) -> bool:
        _warn_typed_storage_removal()
        return self._untyped_storage.device.type == "cuda"

    def get_device(self):
        _warn_typed_storage_removal()
        return self._untyped_storage.get_device()

    def data_ptr(self) -> int:
        _warn_typed_storage_removal()
        return self._untyped_storage.data_ptr()

    def untyped(self) -> UntypedStorage:
        """The ``UntypedStorage`` this one reads."""
        _warn_typed_storage_removal()
        return self._untyped_storage

    def is_shared(self) -> bool:
        _warn_typed_storage_removal()
        return self._untyped_storage.is_shared()

    def is_pinned(self, device=None) -> bool:  # noqa: ARG002
        _warn_typed_storage_removal()
        return False

    def share_memory_(self) -> TypedStorage:
        _warn_typed_storage_removal()
        self._untyped_storage.share_memory_()
        return self

    def resizable(self) -> bool:
        _warn_typed_storage_removal()
        return False

    def resize_(self, size: int):
        _warn_typed_storage_removal()
        self._untyped_storage.resize_(size * self.dtype.itemsize)

    def _legacy_name(self) -> str:
        return f"{self.dtype._legacy}Storage"

    def type(self, dtype=None, non_blocking: bool = False) -> str:  # noqa: ARG002
        _warn_typed_storage_removal()
        if dtype is not None:
            raise NotImplementedError("numtorch: TypedStorage.type(dtype) is not supported")
        return f"numtorch.{self._legacy_name()}"

    def pickle_storage_type(self) -> str:
        _warn_typed_storage_removal()
        return self._legacy_name()

    # --- elements ---

    def __getitem__(self, idx):
        _warn_typed_storage_removal()
        if isinstance(idx, slice):
            raise RuntimeError("slices are only supported in UntypedStorage.__getitem__")
        if not isinstance(idx, builtins.int):
            raise RuntimeError(f"can't index a {type(self)} with {type(idx)}")
        if type(idx) is not builtins.int:
            raise TypeError(f"can't index a {type(self)} with {type(idx)}")
        n = self._size()
        if idx >= n or idx < -n:
            raise IndexError(f"index {idx} out of range for storage of size {n}")
        return self._elements()[idx].item()

    def __setitem__(self, idx, value) -> None:
        _warn_typed_storage_removal()
        if not isinstance(idx, (builtins.int, slice)):
            raise RuntimeError(f"can't index a {type(self)} with {type(idx)}")
        if isinstance(value, (UntypedStorage, TypedStorage)):
            raise RuntimeError(f"cannot set item with value type {type(value)}")
        Tensor._make(self._elements())[idx] = value

    def __iter__(self):
        _warn_typed_storage_removal()
        return iter(self._elements().tolist())

    def tolist(self) -> list:
        _warn_typed_storage_removal()
        return self._elements().tolist()

    def fill_(self, value) -> TypedStorage:
        _warn_typed_storage_removal()
        Tensor._make(self._elements())[:] = value
        return self

    def copy_(self, source, non_blocking=None) -> TypedStorage:
        _warn_typed_storage_removal()
        if isinstance(source, TypedStorage):
            source = source._untyped_storage
        self._untyped_storage.copy_(source, non_blocking)
        return self

    def _new_wrapped_storage(self, untyped: UntypedStorage) -> TypedStorage:
        return TypedStorage(wrap_storage=untyped, dtype=self.dtype, _internal=True)

    def clone(self) -> TypedStorage:
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.clone())

    def cpu(self) -> TypedStorage:
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.cpu())

    def __copy__(self) -> TypedStorage:
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.clone())

    def __deepcopy__(self, memo) -> TypedStorage:
        _warn_typed_storage_removal()
        return self._new_wrapped_storage(self._untyped_storage.__deepcopy__(memo))

    def __reduce__(self):
        return (_rebuild_typed, (self._untyped_storage, self.dtype.name))

    def __sizeof__(self) -> int:
        _warn_typed_storage_removal()
        return object.__sizeof__(self) + self._untyped_storage.nbytes()

    def _to(self, dtype) -> TypedStorage:
        dt = D.to_dtype(dtype)
        data = self._elements().astype(dt.np)  # always new memory
        return TypedStorage(wrap_storage=UntypedStorage._of(data), dtype=dt, _internal=True)

    def double(self):
        _warn_typed_storage_removal()
        return self._to(D.float64)

    def float(self):
        _warn_typed_storage_removal()
        return self._to(D.float32)

    def half(self):
        _warn_typed_storage_removal()
        return self._to(D.float16)

    def long(self):
        _warn_typed_storage_removal()
        return self._to(D.int64)

    def int(self):
        _warn_typed_storage_removal()
        return self._to(D.int32)

    def short(self):
        _warn_typed_storage_removal()
        return self._to(D.int16)

    def char(self):
        _warn_typed_storage_removal()
        return self._to(D.int8)

    def byte(self):
        _warn_typed_storage_removal()
        return self._to(D.uint8)

    def bool(self):
        _warn_typed_storage_removal()
        return self._to(D.bool)

    def __str__(self) -> str:
        _warn_typed_storage_removal()
        info = (f"[{type(self).__module__}.{type(self).__qualname__}(dtype={self.dtype}, "
                f"device={self._untyped_storage.device}) of size {self._size()}]")
        return " " + "\n ".join(str(v) for v in self._elements().tolist()) + "\n" + info

    def __repr__(self) -> str:
        _warn_typed_storage_removal()
        return str(self)


def _rebuild_typed(untyped: UntypedStorage, dtype_name: str) -> TypedStorage:
    return TypedStorage(wrap_storage=untyped, dtype=D._BY_NAME[dtype_name], _internal=True)


# --- the legacy names: FloatStorage, LongStorage ... ------------------------------------


class _LegacyStorageMeta(type):
    """``isinstance(t.storage(), numtorch.FloatStorage)`` is true for a float32 storage."""

    def __instancecheck__(cls, obj) -> bool:
        return type(obj) is TypedStorage and obj.dtype is cls.dtype


class _LegacyStorage(TypedStorage, metaclass=_LegacyStorageMeta):
    """``FloatStorage(3)``, ``LongStorage([1, 2])``: a TypedStorage of the class's dtype."""

    dtype = None

    def __new__(cls, *args, wrap_storage=None, dtype=None, device=None, _internal=False):
        if not _internal:
            _warn_typed_storage_removal()
        if cls is _LegacyStorage:
            raise RuntimeError("Only child classes of _LegacyStorage can be instantiated")
        message = (f"{cls}.__new__ received an invalid combination of arguments. Expected one "
                   "of:\n * no arguments\n * (int size)\n * (Sequence data)\n"
                   " * (*, UntypedStorage wrap_storage)")
        if device is not None:
            raise RuntimeError(message + "\nKeyword argument 'device' cannot be specified")
        if dtype is not None:
            raise RuntimeError(message + "\nKeyword argument 'dtype' cannot be specified")
        if wrap_storage is None:
            if len(args) > 1:
                raise RuntimeError(message + "\nToo many positional arguments")
            if args and not _is_int(args[0]) and not isinstance(args[0],
                                                                collections.abc.Sequence):
                raise TypeError(message + f"\nArgument type not recognized: {type(args[0])}")
            return TypedStorage(*args, dtype=cls.dtype, _internal=True)
        if args:
            raise RuntimeError(message + "\nNo positional arguments should be given when using "
                               "'wrap_storage'")
        if not isinstance(wrap_storage, UntypedStorage):
            raise TypeError(message + f"\nArgument 'wrap_storage' must be UntypedStorage, but "
                            f"got {type(wrap_storage)}")
        return TypedStorage(wrap_storage=wrap_storage, dtype=cls.dtype, _internal=True)


def _legacy(dt):
    return _LegacyStorageMeta(f"{dt._legacy}Storage", (_LegacyStorage,),
                              {"dtype": dt, "__module__": "numtorch", "__slots__": ()})


FloatStorage = _legacy(D.float32)
DoubleStorage = _legacy(D.float64)
HalfStorage = _legacy(D.float16)
LongStorage = _legacy(D.int64)
IntStorage = _legacy(D.int32)
ShortStorage = _legacy(D.int16)
CharStorage = _legacy(D.int8)
ByteStorage = _legacy(D.uint8)
BoolStorage = _legacy(D.bool)


# --- Tensor.storage, Tensor.set_ --------------------------------------------------------


def typed_storage_of(tensor) -> TypedStorage:
    """``tensor.storage()``: its memory as a TypedStorage of its dtype."""
    _warn_typed_storage_removal()
    return TypedStorage(wrap_storage=UntypedStorage._of(tensor._data), dtype=tensor.dtype,
                        _internal=True)


_SET_SIGNATURES = (
    " * ()\n"
    " * (numtorch.Storage source)\n"
    " * (numtorch.Storage source, int storage_offset, tuple of ints size, tuple of ints "
    "stride = None)\n"
    " * (Tensor source)\n"
    " * (Tensor source, int storage_offset, tuple of ints size, tuple of ints stride = None)\n")


def _ints(v) -> bool:
    return isinstance(v, (tuple, list)) and all(_is_int(n) for n in v)


def set_(self, args, kwargs):
    """``Tensor.set_``: make ``self`` view ``source`` (a storage, or another tensor's memory)
    with the given offset, sizes and strides (in elements)."""
    names = ("source", "storage_offset", "size", "stride")
    given = dict(zip(names, args))
    unknown = [k for k in kwargs if k not in names or k in given]
    given.update((k, v) for k, v in kwargs.items() if k in names)
    source = given.get("source")
    offset, size = given.get("storage_offset"), given.get("size")
    stride = given.get("stride")
    layout = offset is not None or size is not None or stride is not None
    ok = (not unknown and len(args) <= 4
          and (source is None and not layout
               or isinstance(source, (Tensor, UntypedStorage, TypedStorage))
               and (not layout or (_is_int(offset) and _ints(size)
                                   and (stride is None or _ints(stride))))))
    if not ok:
        got = [_type_name(a) for a in args] + [f"{k}={_type_name(v)}" for k, v in kwargs.items()]
        tail = ", " if kwargs and not args else ""  # PyTorch's spelling of keyword-only calls
        raise TypeError(f"set_() received an invalid combination of arguments - got "
                        f"({', '.join(got)}{tail}), but expected one of:\n" + _SET_SIGNATURES)
    arr = self._data
    if source is None:  # set_(): an empty tensor over new, empty memory
        return _become(self, get_array_module(arr).empty(0, arr.dtype))
    if isinstance(source, Tensor):
        if source.dtype is not self.dtype:
            raise RuntimeError(f"Could not set tensor of type {_C_NAMES[source.dtype.name]} to a "
                               f"tensor of type {_C_NAMES[self.dtype.name]}")
        if not layout:
            return _become(self, source._data)
        storage = UntypedStorage._of(source._data)
    elif isinstance(source, TypedStorage):
        if source.dtype is not self.dtype:
            raise RuntimeError(f"Expected a Storage of type {_C_NAMES[self.dtype.name]} or an "
                               f"UntypedStorage, but got type {source.dtype._legacy} for "
                               f"argument 1 'storage'")
        storage = source._untyped_storage
    else:
        storage = source
    item = arr.itemsize
    data = storage._bytes
    if not layout:
        offset, size, stride = 0, (data.size // item,), (1,)
    offset, size = int(offset), tuple(int(n) for n in size)
    stride = _contiguous_strides(size) if stride is None else tuple(int(s) for s in stride)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        raise RuntimeError("numel: integer multiplication overflow")
    if len(size) != len(stride):
        raise RuntimeError(f"unequal size length ({len(size)}) and stride length "
                           f"({len(stride)})")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"Storage size calculation overflowed with sizes="
                           f"[{', '.join(map(str, size))}] and strides="
                           f"[{', '.join(map(str, stride))}]")
    empty = 0 in size
    need = 0 if empty else (offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))) * item
    if need > data.size:
        raise RuntimeError("Trying to resize storage that is not resizable")
    strides = tuple(s * item for s in stride)
    if isinstance(data, np.ndarray):
        # np.ndarray(buffer=the storage's bytes): its .base chain ends where the storage's
        # does, so the tensor reports the same storage (and numtorch.save keeps them shared).
        view = np.ndarray(size, arr.dtype, buffer=data, offset=0 if empty else offset * item,
                          strides=strides)
    else:  # CuPy
        view = type(data)(size, arr.dtype, memptr=data.data + (0 if empty else offset * item),
                          strides=strides)
    return _become(self, view)


def _become(self, arr):
    """``self`` now reads ``arr``: no longer a view of its old base, one version newer.

    Its old history does not describe the new values: a non-leaf is cut off its graph
    (PyTorch leaves it with an unusable ``grad_fn``)."""
    from .autograd import grad_mode

    if grad_mode.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    if self._grad_fn is not None:
        self._grad_fn, self._requires_grad = None, False
    self._data = arr
    self._base = None
    self.__dict__.pop("_view_of", None)
    self._vc[0] += 1
    return self
