"""Shared memory for tensors, and how a tensor crosses a process boundary.

``share(tensor)`` moves a tensor's memory (the whole array it is a view of) into a block
of shared memory: an anonymous file mapped with ``MAP_SHARED``, so forked children and
processes that receive its descriptor see the same bytes. The tensor keeps its identity,
shape and strides; only its NumPy array is replaced by one over the block.

``init_reductions`` teaches ``multiprocessing``'s pickler (``ForkingPickler``, used for
queues, pipes and spawned processes' arguments; not ``pickle`` or ``numtorch.save``) to
send tensors as (descriptor, layout) instead of their bytes.
"""

from __future__ import annotations

import mmap
import os
import tempfile
import weakref
from multiprocessing.reduction import DupFd, ForkingPickler

import numpy as np

from .._tensor import Tensor


class _Block(mmap.mmap):
    """A shared mapping, with the descriptor that lets another process map it too."""

    fd: int


def _new_block(nbytes: int) -> _Block:
    size = max(nbytes, 1)  # an mmap cannot be empty
    if hasattr(os, "memfd_create"):
        fd = os.memfd_create("numtorch-shared", os.MFD_CLOEXEC)
    else:  # no memfd: an unlinked temporary file gives the same anonymous memory
        fd, path = tempfile.mkstemp(prefix="numtorch-shared-")
        os.unlink(path)
    os.ftruncate(fd, size)
    return _map(fd, size)


def _map(fd: int, size: int) -> _Block:
    """Map ``fd`` (taking ownership of it: closed when the block is freed)."""
    block = _Block(fd, size)
    block.fd = fd
    weakref.finalize(block, os.close, fd)
    return block


def _owner(arr: np.ndarray) -> np.ndarray:
    """The array that owns ``arr``'s memory (the end of its chain of array bases)."""
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _block_of(arr) -> _Block | None:
    """The shared block ``arr`` lives in, or None."""
    if not isinstance(arr, np.ndarray):
        return None
    base = _owner(arr).base
    obj = base.obj if isinstance(base, memoryview) else base
    return obj if isinstance(obj, _Block) else None


def _address(arr: np.ndarray) -> int:
    return arr.__array_interface__["data"][0]


def is_shared(tensor: Tensor) -> bool:
    return _block_of(tensor._data) is not None


def share(tensor: Tensor) -> None:
    """Move ``tensor``'s memory into a shared block (no-op if it is there already, or is
    not host memory). The whole array it views moves when that array is one contiguous
    block, so its shape, strides and offset are kept; other tensors viewing the old
    array keep the old memory."""
    arr = tensor._data
    if not isinstance(arr, np.ndarray) or _block_of(arr) is not None:
        return
    owner = _owner(arr)
    if owner.flags.c_contiguous and owner.dtype.hasobject is False:
        raw = np.frombuffer(_new_block(owner.nbytes), np.uint8, count=owner.nbytes)
        raw[:] = owner.reshape(-1).view(np.uint8)
        offset = _address(arr) - _address(owner)
    else:  # memory that is not one block: share this tensor's elements, contiguously
        raw = np.frombuffer(_new_block(arr.nbytes), np.uint8, count=arr.nbytes)
        raw.view(arr.dtype).reshape(arr.shape)[...] = arr
        arr, offset = np.ascontiguousarray(arr), 0
    tensor._data = np.ndarray(arr.shape, arr.dtype, buffer=raw, offset=offset,
                              strides=arr.strides)


def _reduce_tensor(tensor: Tensor):
    """What ``ForkingPickler`` sends for a tensor: its shared memory's descriptor and the
    tensor's layout in it (moving it to shared memory first, as PyTorch does)."""
    if tensor.requires_grad and not tensor.is_leaf:
        raise RuntimeError(
            "Cowardly refusing to serialize non-leaf tensor which requires_grad, since "
            "autograd does not support crossing process boundaries.  If you just want to "
            "transfer the data, call detach() on the tensor before serializing (e.g., putting "
            "it on the queue).")
    if not isinstance(tensor._data, np.ndarray):  # device memory: send it by value
        return tensor.__reduce_ex__(2)
    share(tensor)
    arr = tensor._data
    block = _block_of(arr)
    owner = _owner(arr)
    layout = (arr.dtype.str, arr.shape, arr.strides, _address(arr) - _address(owner),
              owner.nbytes)
    return _rebuild_tensor, (type(tensor), DupFd(block.fd), len(block), layout,
                             tensor.requires_grad)


def _rebuild_tensor(cls, dup_fd, size: int, layout, requires_grad: bool) -> Tensor:
    dtype, shape, strides, offset, nbytes = layout
    raw = np.frombuffer(_map(dup_fd.detach(), size), np.uint8, count=nbytes)
    arr = np.ndarray(shape, np.dtype(dtype), buffer=raw, offset=offset, strides=strides)
    from ..nn.parameter import Parameter

    if issubclass(cls, Parameter):
        return cls(Tensor._make(arr), requires_grad=requires_grad)
    t = Tensor._make(arr)
    t.requires_grad_(requires_grad)
    return t


def init_reductions() -> None:
    """Register the tensor reduction with ``multiprocessing``'s pickler."""
    from ..nn.parameter import Parameter

    for cls in (Tensor, Parameter):
        ForkingPickler.register(cls, _reduce_tensor)
