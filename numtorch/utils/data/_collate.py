"""default_collate and default_convert.

``default_collate`` turns a list of samples into one batch, recursively and
by the type of the first sample:

    Tensor               -> stacked along a new dim 0
    NumPy array / scalar -> converted to tensors, then stacked
    float / int / bool   -> a float64 / int64 / bool tensor
    str / bytes          -> kept as the list
    Mapping              -> same mapping type, each key collated
    namedtuple           -> same namedtuple type, each field collated
    other sequence       -> transposed, each position collated (tuples become lists)

``default_convert`` does the same conversions on a single sample, without
batching (the DataLoader uses it when ``batch_size=None``).
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable

import numpy as np

import numtorch

from ..._tensor import Tensor

__all__ = ["default_collate", "default_convert"]

# NumPy dtypes of strings, bytes and objects: no tensor can hold them.
_np_str_obj_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}")


def _is_namedtuple(x) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def _rebuild(template, values: dict | list):
    """A container of ``template``'s type holding ``values``: a copy for mutable ones,
    the type's constructor for others, a plain dict/list if the type will not take them."""
    try:
        if isinstance(template, (collections.abc.MutableMapping, collections.abc.MutableSequence)):
            clone = copy.copy(template)
            if isinstance(template, collections.abc.MutableMapping):
                clone.update(values)
            else:
                for i, v in enumerate(values):
                    clone[i] = v
            return clone
        return type(template)(values)
    except TypeError:
        return values


def default_convert(data):
    """Convert NumPy arrays and scalars inside ``data`` to tensors, keeping its structure.

    Tuples become lists (as in PyTorch); namedtuples, mappings and other
    sequences keep their type. Arrays of strings or objects are left alone.
    """
    if isinstance(data, Tensor):
        return data
    cls = type(data)
    if cls.__module__ == "numpy" and cls.__name__ not in ("str_", "string_"):
        if isinstance(data, np.ndarray) and _np_str_obj_pattern.search(data.dtype.str):
            return data
        return numtorch.as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild(data, {k: default_convert(data[k]) for k in data})
    if _is_namedtuple(data):
        return cls(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild(data, [default_convert(d) for d in data])
    return data


# ----------------------------------------------------------------------------- collate

def collate(batch, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """Collate ``batch`` recursively; leaf types are looked up in ``collate_fn_map``
    (exact type first, then ``isinstance`` in the map's order)."""
    elem = batch[0]
    cls = type(elem)
    if collate_fn_map is not None:
        if cls in collate_fn_map:
            return collate_fn_map[cls](batch, collate_fn_map=collate_fn_map)
        for key, fn in collate_fn_map.items():
            if isinstance(elem, key):
                return fn(batch, collate_fn_map=collate_fn_map)

    def sub(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        return _rebuild(elem, {k: sub([d[k] for d in batch]) for k in elem})
    if _is_namedtuple(elem):
        return cls(*(sub(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [sub(s) for s in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        return _rebuild(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(cls))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    return numtorch.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    dt = batch[0].dtype
    if _np_str_obj_pattern.search(dt.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(dt))
    return collate([numtorch.as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return numtorch.as_tensor(np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    return numtorch.tensor(batch, dtype=numtorch.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return numtorch.tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch (see the module docstring for the rules).

    Example::

        >>> default_collate([(0, numtorch.zeros(2)), (1, numtorch.ones(2))])
        [tensor([0, 1]), tensor([[0., 0.], [1., 1.]])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
