"""save and load in PyTorch's checkpoint zip format.

``numtorch.save`` writes the file ``torch.save`` writes (PyTorch >= 1.6): a zip
archive, every record stored uncompressed and aligned to 64 bytes, holding

* ``<archive>/data.pkl`` — the object, pickled with protocol 2. A tensor is
  ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad,
  backward_hooks)`` where ``storage`` is a *persistent id*
  ``('storage', torch.FloatStorage, key, 'cpu', numel)``;
* ``<archive>/data/<key>`` — the raw bytes of each storage, written once however
  many tensors view it;
* ``<archive>/byteorder``, ``<archive>/version``, ``<archive>/.data/serialization_id``.

numtorch never imports torch: the pickle names torch's globals (``torch.FloatStorage``,
``torch._utils._rebuild_tensor_v2``) as plain strings, and ``load`` maps those
names back to numtorch constructors.

A numtorch tensor is a NumPy array, and its views are NumPy views of one base
array, so a storage is "the memory of the base array": each tensor is written
as (base, element offset, element strides) and two views of one base share one
storage record; on load they are NumPy views of one storage array again.

``load`` is safe by default (``weights_only=True``): its unpickler runs opcode
by opcode and only ever calls the tensor rebuild functions, containers, dtypes,
``Size`` and ``device``; any other global, and any call or state update on an
object that is not on that list, is refused with ``pickle.UnpicklingError``.
"""

from __future__ import annotations

import _compat_pickle
import collections
import ctypes
import io
import math
import os
import pickle
import struct
import sys
import tempfile
import zipfile

import numpy as np

from . import _dtype as D
from . import _warnings
from ._device import device
from ._tensor import Size, Tensor, _contiguous_strides

__all__ = ["save", "load"]  # add_safe_globals & co. live in numtorch.serialization, as in torch

_ALIGN = 64  # bytes; PyTorch aligns every record so storages can be memory-mapped
_VERSION = b"3\n"  # the zip format version torch >= 1.6 writes
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001
_UNSAFE = ("Re-running `numtorch.load` with `weights_only` set to `False` will likely succeed, "
           "but it can result in arbitrary code execution. Do it only if you got the file from "
           "a trusted source.")


def _parameter_class():
    """numtorch.nn.Parameter, or None while it is not there (imported lazily: nn imports us)."""
    from .nn import parameter

    return getattr(parameter, "Parameter", None)


# --- the names torch's pickles use -------------------------------------------


class _StorageType:
    """What ``torch.FloatStorage`` & co. unpickle to: the storage class name and its dtype."""

    __slots__ = ("name", "np")

    def __init__(self, name: str, np_dtype):
        self.name = name
        self.np = np.dtype(np_dtype)

    def __repr__(self) -> str:
        return f"torch.{self.name}"


_BF16 = "BFloat16Storage"  # numtorch has no bfloat16: such storages load as float32
_STORAGE_TYPES = {f"{d._legacy}Storage": _StorageType(f"{d._legacy}Storage", d.np)
                  for d in D.ALL}
_STORAGE_TYPES[_BF16] = _StorageType(_BF16, np.uint16)
_STORAGE_NAME = {d.np: f"{d._legacy}Storage" for d in D.ALL}

_TORCH_DTYPES = {
    "float32": D.float32, "float": D.float32, "float64": D.float64, "double": D.float64,
    "float16": D.float16, "half": D.float16, "int64": D.int64, "long": D.int64,
    "int32": D.int32, "int": D.int32, "int16": D.int16, "short": D.int16, "int8": D.int8,
    "uint8": D.uint8, "bool": D.bool, "bfloat16": D.float32,
}


class _TorchName:
    """A global written into the pickle by name (``torch._utils._rebuild_tensor_v2``)."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):  # the pickler only accepts callables in a reduce tuple
        raise TypeError(f"{self.module}.{self.name} is only a name written into a pickle")


_T_REBUILD_TENSOR = _TorchName("torch._utils", "_rebuild_tensor_v2")
_T_REBUILD_PARAMETER = _TorchName("torch._utils", "_rebuild_parameter")
_T_SIZE = _TorchName("torch", "Size")
_T_DEVICE = _TorchName("torch", "device")


# --- rebuilding tensors on load ------------------------------------------------


class _Storage:
    """A loaded storage: a flat array of the storage's dtype and where it was saved.

    A ``map_location`` callable receives one of these and the saved location string;
    it may return it (``lambda storage, loc: storage``), ``storage.cpu()``, or None.
    """

    __slots__ = ("array", "location")

    def __init__(self, array, location: str):
        self.array, self.location = array, location

    @property
    def device(self) -> device:
        return device(self.location)

    @property
    def dtype(self) -> D.dtype:
        return D._BY_NP[self.array.dtype]

    def size(self) -> int:
        return self.array.size

    def nbytes(self) -> int:
        return self.array.nbytes

    def cpu(self) -> _Storage:
        return _Storage(self.array, "cpu")

    def cuda(self, device=None) -> _Storage:  # noqa: ARG002 - PyTorch's signature
        return _to_location(self, "cuda" if device is None else str(device))

    def __repr__(self) -> str:
        return f"<numtorch storage of {self.array.size} {self.array.dtype} on {self.location}>"


def _to_location(storage: _Storage, location) -> _Storage:
    """Move a loaded storage to ``location`` (a string or device)."""
    dev = device(location)
    if dev.type == "cpu":
        return storage if storage.location == "cpu" else _Storage(storage.array, "cpu")
    if dev.type == "cuda":
        from .backend import cuda

        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but "
                "numtorch.cuda.is_available() is False. If you are running on a CPU-only "
                "machine, please use numtorch.load with map_location=numtorch.device('cpu') "
                "to map your storages to the CPU.")
        return _Storage(cuda.xp().asarray(storage.array), str(dev))
    raise RuntimeError(f"numtorch.load: cannot map storages to device '{dev}'")


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    """A tensor viewing ``storage`` (PyTorch's ``torch._utils._rebuild_tensor_v2``)."""
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError(f"expected a storage to rebuild a tensor, got "
                                     f"{type(storage).__name__}")
    arr = storage.array
    size, stride = tuple(size), tuple(stride)
    if (len(size) != len(stride) or not all(isinstance(v, int) for v in (*size, *stride))
            or not isinstance(storage_offset, int) or storage_offset < 0
            or min((*size, *stride, 0)) < 0):
        raise pickle.UnpicklingError(f"invalid tensor layout: offset {storage_offset!r}, size "
                                     f"{size!r}, stride {stride!r}")
    numel = math.prod(size)
    last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) if numel else -1
    if last >= arr.size:
        raise pickle.UnpicklingError(
            f"tensor of size {list(size)}, stride {list(stride)} at offset {storage_offset} "
            f"does not fit in a storage of {arr.size} elements")
    item = arr.itemsize
    if isinstance(arr, np.ndarray):
        # np.ndarray(buffer=storage): a view whose .base is the storage, so tensors built
        # from one storage share memory (and save back as one storage).
        view = np.ndarray(size, arr.dtype, buffer=arr, offset=storage_offset * item if numel
                          else 0, strides=tuple(s * item for s in stride))
    else:  # a CuPy storage
        view = type(arr)(size, arr.dtype, memptr=arr.data + storage_offset * item,
                         strides=tuple(s * item for s in stride))
    requires_grad = bool(requires_grad)
    if requires_grad and not D._BY_NP[view.dtype].is_floating_point:
        raise pickle.UnpicklingError("only Tensors of floating point dtype can require gradients")
    return Tensor._make(view, requires_grad)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    """An ``nn.Parameter`` over the memory of ``data``."""
    if not isinstance(data, Tensor):
        raise pickle.UnpicklingError(f"expected a Tensor to rebuild a Parameter, got "
                                     f"{type(data).__name__}")
    cls = _parameter_class()
    if cls is None:  # nn.Parameter not available: a leaf tensor that requires grad
        return Tensor._make(data._data, bool(requires_grad))
    return cls(data, bool(requires_grad))


def _set_state(obj, state):
    """Set the Python attributes saved with a tensor (``_rebuild_*_with_state``)."""
    if not state:
        return obj
    if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
        state = {**(state[0] or {}), **(state[1] or {})}
    if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
        raise pickle.UnpicklingError(f"invalid tensor state {type(state).__name__}")
    for k, v in state.items():
        if hasattr(type(obj), k):  # never overwrite a slot, property, method or hook list
            raise _Refused(f"refusing to set attribute {k!r} of a loaded tensor")
        setattr(obj, k, v)
    return obj


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    """``func(*args)`` as a ``new_type`` (a Tensor subclass) with attributes ``state``."""
    if not any(func is f for f in _REBUILD.values()):
        raise _Refused(f"_rebuild_from_type_v2 only calls tensor rebuild functions, got "
                       f"{func!r}")
    ret = func(*args)
    if not (isinstance(new_type, type) and issubclass(new_type, Tensor)
            and isinstance(ret, Tensor)):
        raise pickle.UnpicklingError(f"cannot rebuild a {new_type!r} from {type(ret).__name__}")
    if type(ret) is not new_type:
        t = object.__new__(new_type)
        Tensor._init(t, ret._data, ret._requires_grad)
        ret = t
    return _set_state(ret, state)


_REBUILD = {
    "_rebuild_tensor_v2": _rebuild_tensor_v2,
    "_rebuild_tensor": _rebuild_tensor,
    "_rebuild_parameter": _rebuild_parameter,
    "_rebuild_parameter_with_state": _rebuild_parameter_with_state,
}


def _parameter_or_tensor(*args, **kwargs):
    cls = _parameter_class()
    if cls is None:
        return _rebuild_parameter(*args, **kwargs)
    return cls(*args, **kwargs)


def _torch_global(module: str, name: str):
    """The numtorch object that stands for one of torch's pickled globals, or None."""
    if module == "torch._utils":
        return _REBUILD.get(name)
    if module == "torch._tensor" and name == "_rebuild_from_type_v2":
        return _rebuild_from_type_v2
    if module == "torch":
        if name in _STORAGE_TYPES:
            return _STORAGE_TYPES[name]
        if name in _TORCH_DTYPES:
            if name == "bfloat16":
                _warn_bfloat16()
            return _TORCH_DTYPES[name]
        return {"Size": Size, "device": device, "Tensor": Tensor}.get(name)
    if (module, name) in (("torch.nn.parameter", "Parameter"), ("torch.nn", "Parameter")):
        return _parameter_class() or _parameter_or_tensor
    if (module, name) == ("collections", "OrderedDict"):
        return collections.OrderedDict
    # numtorch's own names (a numtorch object pickled with plain pickle)
    if module == "numtorch._dtype" and name in D._BY_NAME:
        return D._BY_NAME[name]
    if (module, name) in (("numtorch._device", "device"), ("numtorch", "device")):
        return device
    if (module, name) in (("numtorch._tensor", "Size"), ("numtorch", "Size")):
        return Size
    return None


def _warn_bfloat16():
    _warnings.warn("numtorch has no bfloat16 dtype: bfloat16 tensors are loaded as float32 "
                   "(the values are exact)", UserWarning)


# --- save -----------------------------------------------------------------------


def _root(arr):
    """The array that owns the memory ``arr`` views (the end of its chain of NumPy bases)."""
    while True:
        base = arr.base
        if isinstance(base, np.ndarray):
            arr = base
        elif base is not None and isinstance(getattr(base, "base", None), np.ndarray):
            arr = base.base  # np.lib.stride_tricks.as_strided wraps its input in a DummyArray
        else:
            return arr


def _byte_bounds(arr):
    """[lo, hi): the bytes ``arr`` touches."""
    lo = hi = arr.__array_interface__["data"][0]
    if arr.size == 0:
        return lo, lo
    for n, s in zip(arr.shape, arr.strides):
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + arr.itemsize


class _Writer:
    """Collects the storages of the tensors met while pickling; hands out their keys."""

    def __init__(self, legacy: bool):
        self.legacy = legacy  # the pre-1.6 format's ids end with a (here unused) view field
        self.records = []  # (key, memoryview of the storage's bytes, itemsize, owner kept alive)
        self.pids = {}  # (id(root), dtype) -> (pid, lo, hi, root)

    def storage_of(self, arr, location: str):
        """(persistent id, offset, strides) of a NumPy array, in elements."""
        item = arr.itemsize
        root = _root(arr)
        lo, hi = _byte_bounds(arr)
        group = self.pids.get((id(root), arr.dtype))
        if group is None:
            rlo, rhi = _byte_bounds(root)
            group = self._add(arr, root, min(rlo, lo), max(rhi, hi), location)
        pid, glo, ghi, _ = group
        offset, rem = divmod(lo - glo, item) if arr.size else (0, 0)
        strides = [s // item for s in arr.strides]
        if (rem or lo < glo or hi > ghi or any(s % item or s < 0 for s in arr.strides)
                or pid[3] != location):
            # a layout PyTorch cannot express (negative or unaligned strides): a private copy
            copy = np.ascontiguousarray(arr)
            lo, hi = _byte_bounds(copy)
            pid = self._add(copy, copy, lo, hi, location)[0]
            if copy.size:
                return pid, 0, [s // item for s in copy.strides]
            return pid, 0, list(_contiguous_strides(arr.shape))
        return pid, offset, strides if arr.size else list(_contiguous_strides(arr.shape))

    def _add(self, arr, root, lo, hi, location):
        item = arr.itemsize
        numel = (hi - lo) // item
        key = str(len(self.records))
        pid = ("storage", _TorchName("torch", _STORAGE_NAME[arr.dtype]), key, location, numel)
        if self.legacy:
            pid += (None,)
        nbytes = numel * item
        data = (ctypes.c_char * nbytes).from_address(lo) if nbytes else b""
        self.records.append((key, memoryview(data).cast("B"), item, root))
        group = (pid, lo, lo + nbytes, root)
        self.pids[(id(root), arr.dtype)] = group
        return group


class _TorchPicklerMixin:
    """Pickles numtorch objects under torch's global names, tensors by storage reference."""

    def _init_torch(self, legacy: bool):
        self.writer = _Writer(legacy)
        self.parameter_class = _parameter_class()

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return obj.pid
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            if obj._hooks is not None or obj._grad_fn is not None:  # hooks are not saved
                from .utils.hooks import warn_if_has_hooks

                warn_if_has_hooks(obj)
            if self.parameter_class is not None and isinstance(obj, self.parameter_class):
                return (_T_REBUILD_PARAMETER, (Tensor._make(obj._data), obj._requires_grad,
                                               collections.OrderedDict()))
            return self._reduce_tensor(obj)
        if isinstance(obj, (D.dtype, _TorchName)):
            return "global"  # -> save_global below
        if type(obj) is Size:
            return (_T_SIZE, (tuple(obj),))
        if type(obj) is device:
            return (_T_DEVICE, (obj.type,) if obj.index is None else (obj.type, obj.index))
        return NotImplemented

    def _reduce_tensor(self, t):
        arr = t._data
        location = "cpu"
        if not isinstance(arr, np.ndarray):  # CuPy: saved from a host copy
            location = str(t.device)
            arr = arr.get()
        pid, offset, strides = self.writer.storage_of(arr, location)
        return (_T_REBUILD_TENSOR, (_StorageRef(pid), offset, tuple(arr.shape), tuple(strides),
                                    t._requires_grad, collections.OrderedDict()))

    def save_global(self, obj, name=None):
        if isinstance(obj, D.dtype):
            module, name = "torch", obj.name
        elif isinstance(obj, _TorchName):
            module, name = obj.module, obj.name
        else:
            return super().save_global(obj, name)
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())
        self.memoize(obj)


class _StorageRef:
    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid


def _make_pickler(pickle_module, file, protocol, legacy: bool):
    base = getattr(pickle_module, "_Pickler", None) or pickle_module.Pickler
    cls = _PICKLERS.get(base)
    if cls is None:
        cls = _PICKLERS[base] = type("_TorchPickler", (_TorchPicklerMixin, base), {})
    p = cls(file, protocol)
    p._init_torch(legacy)
    return p


_PICKLERS: dict = {}


class _Relative:
    """A file seen from its current position: zip offsets count from where the zip starts."""

    def __init__(self, f):
        self.f, self.start = f, f.tell()

    def write(self, data):
        return self.f.write(data)

    def tell(self) -> int:
        return self.f.tell() - self.start

    def seek(self, pos: int, whence: int = 0) -> int:
        return self.f.seek(pos + self.start if whence == 0 else pos, whence) - self.start

    def seekable(self) -> bool:
        return True

    def flush(self):
        return self.f.flush()


def _write_zip(f, archive: str, pkl: bytes, records):
    """The zip container, each record's data starting on a 64-byte boundary."""
    try:
        if f.seekable() and f.tell() != 0:
            f = _Relative(f)
    except (AttributeError, OSError):
        pass
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
        def record(name, data):
            info = zipfile.ZipInfo(f"{archive}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.file_size = len(data)
            zip64 = info.file_size * 1.05 > zipfile.ZIP64_LIMIT
            header = 30 + len(info.filename.encode("utf-8")) + 4 + (20 if zip64 else 0)
            pad = -(zf.start_dir + header) % _ALIGN
            info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
            with zf.open(info, "w", force_zip64=zip64) as out:
                out.write(data)

        record("data.pkl", pkl)
        record("byteorder", sys.byteorder.encode())
        for key, data, _item, _owner in records:
            record(f"data/{key}", data)
        record("version", _VERSION)
        record(".data/serialization_id", str(int.from_bytes(os.urandom(16), "little"))
               .zfill(40).encode())


def _write_legacy(f, pickle_module, protocol, pkl: bytes, records):
    """PyTorch's pre-1.6 format: magic, protocol, sys info, the pickle, keys, raw storages."""
    for header in (_LEGACY_MAGIC, _LEGACY_PROTOCOL,
                   {"protocol_version": _LEGACY_PROTOCOL, "little_endian": sys.byteorder ==
                    "little", "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle_module.dump(header, f, protocol=protocol)
    f.write(pkl)
    keys = sorted(key for key, *_ in records)
    pickle_module.dump(keys, f, protocol=protocol)
    by_key = {key: (data, item) for key, data, item, _ in records}
    for key in keys:  # each storage: its element count, then its bytes
        data, item = by_key[key]
        f.write(struct.pack("<q", len(data) // item))
        f.write(data)


def _is_path(f) -> bool:
    return isinstance(f, (str, os.PathLike))


def save(obj, f, pickle_module=pickle, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` to ``f`` in PyTorch's checkpoint format (``torch.load`` reads it).

    Args:
        obj: what to save: a tensor, a ``state_dict``, nested containers, or (for
            ``load(weights_only=False)`` only) any picklable object such as a Module.
        f: a path (``str`` / ``os.PathLike``) or a binary file object open for writing.
            A path is written atomically: to a temporary file in the same folder, then
            renamed over ``f``, so a failed save leaves any old file intact.
        pickle_module: the module used to pickle ``obj``.
        pickle_protocol: the pickle protocol (PyTorch's loader expects 2).

    Example::

        >>> numtorch.save(model.state_dict(), "model.pt")
    """
    # Pickle first: an object that cannot be pickled fails before any file is touched.
    buf = io.BytesIO()
    pickler = _make_pickler(pickle_module, buf, pickle_protocol,
                            not _use_new_zipfile_serialization)
    pickler.dump(obj)
    pkl, records = buf.getvalue(), pickler.writer.records

    def write(fh, archive):
        if _use_new_zipfile_serialization:
            _write_zip(fh, archive, pkl, records)
        else:
            _write_legacy(fh, pickle_module, pickle_protocol, pkl, records)

    if not _is_path(f):
        if not hasattr(f, "write"):
            raise AttributeError(f"expected 'f' to be string, path, or a file-like object with "
                                 f"a 'write' attribute, got {type(f).__name__}")
        write(f, "archive")
        return
    path = os.path.realpath(os.fspath(f))
    folder = os.path.dirname(path)
    if not os.path.isdir(folder):
        raise RuntimeError(f"Parent directory {folder} does not exist.")
    archive = os.path.splitext(os.path.basename(path))[0] or "archive"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh, archive)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _file_mode(path: str) -> int:
    """The permissions a plain ``open(path, 'wb')`` would give (or the existing file's)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# --- load -----------------------------------------------------------------------


class _Refused(pickle.UnpicklingError):
    """weights_only=True met something it will not run."""


class _Corrupt(Exception):
    """The file is not a well-formed checkpoint."""


class _NoEquivalent(pickle.UnpicklingError):
    """weights_only=False met a torch global that numtorch does not have."""


def _latin1_encode(obj, encoding="latin1", errors="strict"):
    """``_codecs.encode`` as protocol-2 pickles use it for bytes, and nothing more."""
    if not isinstance(obj, str) or encoding not in ("latin1", "latin-1", "latin_1") \
            or errors != "strict":
        raise _Refused("_codecs.encode is only allowed as encode(str, 'latin1') for bytes")
    return obj.encode("latin1")


_SAFE_EXTRA = {
    ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
    ("builtins", "bytearray"): bytearray, ("builtins", "bytes"): bytes,
    ("builtins", "complex"): complex, ("_codecs", "encode"): _latin1_encode,
    ("collections", "Counter"): collections.Counter,
}
_SAFE_CALLS = (_rebuild_tensor_v2, _rebuild_tensor, _rebuild_parameter,
               _rebuild_parameter_with_state, _rebuild_from_type_v2, _parameter_or_tensor, Size,
               device, collections.OrderedDict, *_SAFE_EXTRA.values())
_DICTS = (dict, collections.OrderedDict, collections.Counter)


_USER_GLOBALS: dict[str, object] = {}  # what add_safe_globals allowed, by "module.name"


def _global_name(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals: list) -> None:
    """Let ``load(weights_only=True)`` use these classes and functions too.

    Each entry is the object, or ``(object, "module.name")`` to allow it under the
    name it was pickled with. Only allow what you trust: a class allowed here may be
    called, created and have its state set by any file you load.
    """
    for entry in safe_globals:
        obj, name = entry if isinstance(entry, tuple) else (entry, _global_name(entry))
        _USER_GLOBALS[name] = obj


def get_safe_globals() -> list:
    """What ``add_safe_globals`` has allowed."""
    return [obj if _global_name(obj) == name else (obj, name)
            for name, obj in _USER_GLOBALS.items()]


def clear_safe_globals() -> None:
    """Forget everything ``add_safe_globals`` allowed."""
    _USER_GLOBALS.clear()


class safe_globals:
    """Context manager: ``add_safe_globals(globals)`` inside the ``with`` block only."""

    def __init__(self, safe_globals: list):
        self.safe_globals = safe_globals

    def __enter__(self):
        self.saved = dict(_USER_GLOBALS)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _USER_GLOBALS.clear()
        _USER_GLOBALS.update(self.saved)


def _is_user_global(obj) -> bool:
    return any(obj is v for v in _USER_GLOBALS.values())


def _safe_global(module: str, name: str):
    obj = _torch_global(module, name)
    if obj is None:
        obj = _SAFE_EXTRA.get((module, name))
    if obj is None:
        obj = _USER_GLOBALS.get(f"{module}.{name}")
    if obj is None:
        full = name if module == "builtins" else f"{module}.{name}"
        raise _Refused(f"Unsupported global: GLOBAL {full} was not an allowed global by default. "
                       f"Please use `numtorch.serialization.add_safe_globals([{full}])` or the "
                       f"`numtorch.serialization.safe_globals([{full}])` context manager to "
                       "allowlist this global if you trust this class/function.")
    return obj


def _is_safe_call(func) -> bool:
    return (any(func is f for f in _SAFE_CALLS) or _is_user_global(func)
            or (func is not None and func is _parameter_class()))


class _WeightsUnpickler(pickle._Unpickler):
    """An unpickler that builds tensors, containers and plain values, and nothing else.

    It runs the pure-Python unpickler opcode by opcode with the risky opcodes replaced:
    globals come only from an allow-list, REDUCE/NEWOBJ call only allowed callables,
    BUILD only updates OrderedDict attributes, and container opcodes only touch
    real lists, dicts and sets.
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._persistent_load = persistent_load

    def persistent_load(self, pid):
        return self._persistent_load(pid)

    def find_class(self, module, name):
        if not isinstance(module, str) or not isinstance(name, str):
            raise _Refused("STACK_GLOBAL needs two strings")
        if self.proto < 3 and self.fix_imports:  # Python 2 names, as pickle itself maps them
            if (module, name) in _compat_pickle.NAME_MAPPING:
                module, name = _compat_pickle.NAME_MAPPING[(module, name)]
            elif module in _compat_pickle.IMPORT_MAPPING:
                module = _compat_pickle.IMPORT_MAPPING[module]
        return _safe_global(module, name)

    def load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if not _is_safe_call(func) or not isinstance(args, tuple):
            raise _Refused(f"Trying to call reduce for unrecognized function {func!r}")
        self.stack[-1] = func(*args)

    def _new(self, cls, args, kwargs):
        if not isinstance(args, tuple) or not isinstance(kwargs, dict):
            raise _Refused("NEWOBJ needs a tuple of arguments")
        if cls is not None and cls is _parameter_class():
            return cls(*args, **kwargs)
        if any(cls is c for c in (collections.OrderedDict, collections.Counter, Size, set,
                                  frozenset)) or _is_user_global(cls):
            return cls.__new__(cls, *args, **kwargs)
        raise _Refused(f"Can only create new object for nn.Parameter, containers or classes "
                       f"allowlisted via `add_safe_globals` but got {cls!r}")

    def load_newobj(self):
        args = self.stack.pop()
        self.stack[-1] = self._new(self.stack[-1], args, {})

    def load_newobj_ex(self):
        kwargs = self.stack.pop()
        args = self.stack.pop()
        self.stack[-1] = self._new(self.stack[-1], args, kwargs)

    def load_build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if type(inst) in (collections.OrderedDict, collections.Counter) \
                and isinstance(state, dict) and all(isinstance(k, str) for k in state):
            inst.__dict__.update(state)  # e.g. a state_dict's _metadata
            return
        if _is_user_global(type(inst)):
            self.stack.append(state)
            pickle._Unpickler.load_build(self)  # __setstate__, or the instance dict and slots
            return
        raise _Refused(f"Can only build OrderedDict attributes or types allowlisted via "
                       f"`add_safe_globals`, but got {type(inst)}")

    def load_append(self):
        value = self.stack.pop()
        self._check(self.stack[-1], list, "append to").append(value)

    def load_appends(self):
        items = self.pop_mark()
        self._check(self.stack[-1], list, "extend").extend(items)

    def load_setitem(self):
        value = self.stack.pop()
        key = self.stack.pop()
        self._check(self.stack[-1], _DICTS, "set items of")[key] = value

    def load_setitems(self):
        items = self.pop_mark()
        d = self._check(self.stack[-1], _DICTS, "set items of")
        for i in range(0, len(items), 2):
            d[items[i]] = items[i + 1]

    def load_additems(self):
        items = self.pop_mark()
        self._check(self.stack[-1], set, "add items to").update(items)

    @staticmethod
    def _check(obj, types, what):
        if type(obj) not in (types if isinstance(types, tuple) else (types,)):
            raise _Refused(f"Can only {what} plain containers, but got {type(obj)}")
        return obj

    def _refuse(self):
        raise _Refused("this pickle opcode (INST, OBJ or EXT) is not allowed")

    dispatch[pickle.REDUCE[0]] = load_reduce
    dispatch[pickle.NEWOBJ[0]] = load_newobj
    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex
    dispatch[pickle.BUILD[0]] = load_build
    dispatch[pickle.APPEND[0]] = load_append
    dispatch[pickle.APPENDS[0]] = load_appends
    dispatch[pickle.SETITEM[0]] = load_setitem
    dispatch[pickle.SETITEMS[0]] = load_setitems
    dispatch[pickle.ADDITEMS[0]] = load_additems
    for _op in (pickle.INST, pickle.OBJ, pickle.EXT1, pickle.EXT2, pickle.EXT4):
        dispatch[_op[0]] = _refuse
    del _op


def _numtorch_equivalent(module: str, name: str):
    """``numtorch.X.name`` for a pickled ``torch.X.name`` (a Module class, say)."""
    import importlib

    try:
        obj = importlib.import_module("numtorch" + module[len("torch"):])
        for part in name.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        raise _NoEquivalent(f"{module}.{name} has no numtorch equivalent") from None
    return obj


def _full_unpickler(pickle_module, file, persistent_load, **kwargs):
    """``pickle_module.Unpickler`` with torch's names mapped to numtorch's (weights_only=False)."""

    class Unpickler(pickle_module.Unpickler):
        def find_class(self, module, name):
            obj = _torch_global(module, name)
            if obj is not None:
                return obj
            if module == "torch" or module.startswith("torch."):
                return _numtorch_equivalent(module, name)
            return super().find_class(module, name)

    u = Unpickler(file, **kwargs)
    u.persistent_load = persistent_load
    return u


def _ascii(s):
    return s.decode("ascii") if isinstance(s, bytes) else s


def _restorer(map_location):
    """``restore(storage, saved_location) -> storage`` as ``map_location`` asks."""
    if map_location is None:
        return lambda s, loc: _to_location(s, loc)
    if isinstance(map_location, (str, device)):
        target = str(map_location)
        device(target)  # a bad string fails here, before anything is read
        return lambda s, loc: _to_location(s, target)
    if isinstance(map_location, dict):
        return lambda s, loc: _to_location(s, str(map_location.get(loc, loc)))
    if callable(map_location):
        def restore(s, loc):
            out = map_location(s, loc)
            if out is None:
                return _to_location(s, loc)
            if not isinstance(out, _Storage):
                raise TypeError(f"map_location should return a storage (the one it was given, "
                                f"or storage.cpu()) or None, got {type(out).__name__}")
            return out
        return restore
    raise ValueError(f"map_location should be a string, a device, a dict, a callable or None, "
                     f"got {type(map_location).__name__}")


def _storage_loader(read, restore, swap: bool):
    """The ``persistent_load`` that turns a pickled storage id into a loaded ``_Storage``."""
    loaded = {}

    def persistent_load(pid):
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and _ascii(pid[0]) == "storage"):
            raise _Refused(f"Only persistent_load of storage is allowed, but got {pid!r}")
        stype, key, location, numel = pid[1:5]
        key, location = _ascii(key), _ascii(location)
        if not isinstance(stype, _StorageType) or not isinstance(numel, int) \
                or not isinstance(key, str) or not isinstance(location, str) or numel < 0:
            raise _Refused(f"invalid storage id {pid!r}")
        storage = loaded.get(key)
        if storage is None:
            arr = read(key, stype.np, numel)
            if swap:
                arr.byteswap(inplace=True)
            if stype.name == _BF16:  # bfloat16 is the top half of a float32
                _warn_bfloat16()
                arr = (arr.astype(np.uint32) << 16).view(np.float32)
            storage = loaded[key] = restore(_Storage(arr, location), location)
        if len(pid) == 6 and pid[5] is not None:  # a legacy view of part of a storage
            _view_key, offset, size = pid[5]
            return _Storage(storage.array[offset:offset + size], storage.location)
        return storage

    return persistent_load


def _unpickle(file, persistent_load, weights_only, pickle_module, pickle_load_args):
    if weights_only:
        return _WeightsUnpickler(file, persistent_load, **pickle_load_args).load()
    return _full_unpickler(pickle_module, file, persistent_load, **pickle_load_args).load()


def _load_zip(fh, path_for_mmap, restore, weights_only, pickle_module, pickle_load_args):
    zf = zipfile.ZipFile(fh)
    names = zf.namelist()
    pkls = sorted((n for n in names if n.endswith("/data.pkl") and n.count("/") == 1), key=len)
    if not pkls:
        raise _Corrupt("the zip archive has no '<archive>/data.pkl' record (is this a "
                       "PyTorch checkpoint?)")
    prefix = pkls[0][: -len("data.pkl")]
    byteorder = zf.read(prefix + "byteorder").decode() if prefix + "byteorder" in names \
        else "little"
    if byteorder not in ("little", "big"):
        raise _Corrupt(f"unknown byteorder record {byteorder!r}")
    mm = None
    if path_for_mmap is not None:
        import mmap as _mmap

        with open(path_for_mmap, "rb") as raw:
            mm = _mmap.mmap(raw.fileno(), 0, access=_mmap.ACCESS_COPY)

    def read(key, dtype, numel):
        name = f"{prefix}data/{key}"
        try:
            info = zf.getinfo(name)
        except KeyError:
            raise _Corrupt(f"the storage record '{name}' is missing") from None
        nbytes = numel * dtype.itemsize
        if info.file_size != nbytes:
            raise _Corrupt(f"the storage record '{name}' holds {info.file_size} bytes, "
                           f"expected {nbytes}")
        if mm is not None and info.compress_type == zipfile.ZIP_STORED:
            head = mm[info.header_offset: info.header_offset + 30]
            if len(head) < 30 or head[:4] != b"PK\x03\x04":
                raise _Corrupt(f"bad local header for '{name}'")
            start = info.header_offset + 30 + sum(struct.unpack("<HH", head[26:30]))
            return np.frombuffer(mm, dtype, numel, start)
        arr = np.empty(numel, dtype)
        with zf.open(info) as src:
            got = src.readinto(memoryview(arr.view(np.uint8)).cast("B")) if nbytes else 0
            if got != nbytes or src.read(1):
                raise _Corrupt(f"the storage record '{name}' is truncated")
        return arr

    swap = byteorder != sys.byteorder
    with zf.open(prefix + "data.pkl") as pkl:
        return _unpickle(io.BytesIO(pkl.read()), _storage_loader(read, restore, swap),
                         weights_only, pickle_module, pickle_load_args)


def _load_legacy(fh, restore, weights_only, pickle_module, pickle_load_args):
    """PyTorch's pre-1.6 format (``_use_new_zipfile_serialization=False``)."""
    def header():
        if weights_only:
            return _WeightsUnpickler(fh, None, **pickle_load_args).load()
        return pickle_module.load(fh, **pickle_load_args)

    if header() != _LEGACY_MAGIC:
        raise _Corrupt("invalid magic number")
    if header() != _LEGACY_PROTOCOL:
        raise _Corrupt("invalid protocol version")
    info = header()
    little = info.get("little_endian", True) if isinstance(info, dict) else True
    storages = {}  # the data follows the pickle: allocate now, fill in after

    def read(key, dtype, numel):
        storages[key] = arr = np.empty(numel, dtype)
        return arr

    def restore_cpu(s, loc):
        s = restore(s, loc)
        if s.location != "cpu":
            raise RuntimeError("numtorch.load reads the legacy format onto the cpu only; "
                               "pass map_location='cpu'")
        return s

    result = _unpickle(fh, _storage_loader(read, restore_cpu, False), weights_only,
                       pickle_module, pickle_load_args)
    keys = header()
    for key in keys:
        arr = storages.get(_ascii(key))
        if arr is None:
            raise _Corrupt(f"storage {key!r} is listed but never used")
        raw = fh.read(8)
        if len(raw) != 8 or struct.unpack("<q", raw)[0] != arr.size:
            raise _Corrupt(f"storage {key!r} has a bad size record")
        data = fh.read(arr.nbytes)
        if len(data) != arr.nbytes:
            raise _Corrupt(f"storage {key!r} is truncated")
        arr.view(np.uint8)[:] = np.frombuffer(data, np.uint8)
        if little != (sys.byteorder == "little"):
            arr.byteswap(inplace=True)
        if arr.dtype == np.uint16:
            raise _Corrupt("bfloat16 storages in the legacy format are not supported")
    return result


def load(f, map_location=None, pickle_module=None, *, weights_only: bool | None = True, mmap=None,
         **pickle_load_args):
    """Load an object saved by ``numtorch.save`` or ``torch.save``.

    Args:
        f: a path (``str`` / ``os.PathLike``) or a binary file object open for reading.
        map_location: where storages go: None (where they were saved), ``'cpu'``, a
            ``device``, a dict ``{saved_location: new_location}``, or a callable
            ``(storage, location) -> storage or None``.
        pickle_module: the module used to unpickle (only with ``weights_only=False``).
        weights_only: only rebuild tensors, containers, numbers, strings, dtypes, ``Size``
            and ``device`` — never run code from the file. ``False`` unpickles anything
            (a whole Module, say): only do it for files you trust.
        mmap: memory-map the file's storages instead of reading them (``f`` must be a path).
        pickle_load_args: passed to the unpickler (``encoding='latin1'`` for Python 2 files).

    Example::

        >>> model.load_state_dict(numtorch.load("model.pt"))
    """
    if weights_only is None:  # PyTorch's rule: an explicit pickle_module means a full unpickle
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    pickle_module = pickle_module or pickle
    restore = _restorer(map_location)
    if mmap and not _is_path(f):
        raise ValueError("f must be a file path in order to use the mmap argument")
    if _is_path(f):
        name = os.fspath(f)
        fh = open(name, "rb")  # noqa: SIM115 - closed below
    else:
        if not hasattr(f, "read"):
            raise AttributeError(f"expected 'f' to be string, path, or a file-like object with "
                                 f"a 'read' attribute, got {type(f).__name__}")
        name = getattr(f, "name", None) or f"<{type(f).__name__}>"
        fh = f if getattr(f, "seekable", lambda: False)() else io.BytesIO(f.read())
    try:
        start = fh.tell()
        magic = fh.read(4)
        fh.seek(start)
        if magic == b"PK\x03\x04":
            return _load_zip(fh, name if mmap else None, restore, weights_only,
                             pickle_module, pickle_load_args)
        if magic[:1] == b"\x80":
            return _load_legacy(fh, restore, weights_only, pickle_module, pickle_load_args)
        raise _Corrupt("it is neither a zip archive nor a legacy pickle file" if magic
                       else "the file is empty")
    except _Refused as e:
        raise pickle.UnpicklingError(
            f"Weights only load failed for '{name}'. {_UNSAFE}\n\nWeightsUnpickler error: {e}"
        ) from None
    except _NoEquivalent as e:
        raise pickle.UnpicklingError(f"numtorch.load('{name}'): {e}") from None
    except (_Corrupt, zipfile.BadZipFile, EOFError, struct.error, pickle.UnpicklingError,
            ValueError, KeyError, IndexError) as e:  # what garbled pickles make unpicklers raise
        raise RuntimeError(f"numtorch.load: '{name}' is not a valid checkpoint (truncated or "
                           f"corrupted?): {e}") from e
    finally:
        if fh is not f:
            fh.close()


def get_unsafe_globals_in_checkpoint(f) -> list:
    """The ``module.name`` of every class or function a checkpoint's pickle names that
    ``load(weights_only=True)`` would refuse: what to pass to ``add_safe_globals`` (if you
    trust the file) to load it. The file is only read, never unpickled."""
    fh = open(os.fspath(f), "rb") if _is_path(f) else f  # noqa: SIM115 - closed below
    try:
        if fh.read(4) != b"PK\x03\x04":
            raise ValueError("Expected input to be a checkpoint returned by torch.save")
        fh.seek(0)
        with zipfile.ZipFile(fh) as zf:
            names = zf.namelist()
            pkls = sorted((n for n in names if n.endswith("/data.pkl") and n.count("/") == 1),
                          key=len)
            if not pkls:
                raise ValueError("Expected input to be a checkpoint returned by torch.save")
            pickled = zf.read(pkls[0])
    finally:
        if fh is not f:
            fh.close()
    unsafe = set()
    for module, name in _globals_in_pickle(pickled):
        if (module, name) in _compat_pickle.NAME_MAPPING:  # Python 2 names, as load maps them
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        try:
            _safe_global(module, name)
        except _Refused:
            unsafe.add(f"{module}.{name}")
    return list(unsafe)


def _globals_in_pickle(data: bytes):
    """The (module, name) pairs of a pickle's GLOBAL and STACK_GLOBAL opcodes, read without
    executing anything (the strings STACK_GLOBAL takes are followed through the memo)."""
    import pickletools

    strings, memo = [], {}
    top = None  # the string the last op pushed, or None (what PUT and MEMOIZE store)
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE",
                       "SHORT_BINSTRING", "BINSTRING", "STRING"):
            strings.append(arg)
            top = arg
        elif op.name in ("BINPUT", "LONG_BINPUT", "PUT"):
            memo[arg] = top
        elif op.name == "MEMOIZE":  # every memoized object counts, strings or not
            memo[len(memo)] = top
        elif op.name in ("FRAME", "PROTO"):
            pass
        elif op.name in ("BINGET", "LONG_BINGET", "GET"):
            top = memo.get(arg)
            if top is not None:
                strings.append(top)
        else:
            if op.name == "GLOBAL":
                module, _, name = arg.partition(" ")
                yield module, name
            elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
                yield strings[-2], strings[-1]
            top = None
