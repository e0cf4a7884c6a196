"""vision.tv_tensors: Tensor subclasses that say what a tensor holds (torchvision.tv_tensors).

An ``Image``, ``Video``, ``Mask`` or ``BoundingBoxes`` is a numtorch Tensor with a type
(and, for boxes, a ``format`` and ``canvas_size``) that the v2 transforms dispatch on: a
flip moves the boxes with the pixels, a colour jitter leaves masks alone.

As in torchvision, the type is kept only where it cannot go stale: ``.to``, ``.clone``,
``.detach`` and ``.requires_grad_`` return the same subclass (boxes keep their metadata);
every other op (arithmetic, indexing, reductions) returns a plain Tensor, because numtorch's
ops build their outputs as plain tensors. Re-attach the type with ``wrap(out, like=x)``.
"""

from __future__ import annotations

from enum import Enum

import numtorch
from numtorch._tensor import Tensor

__all__ = ["TVTensor", "Image", "Video", "Mask", "BoundingBoxes", "BoundingBoxFormat",
           "is_rotated_bounding_format", "wrap"]


def _as_subclass(t: Tensor, cls):
    """A ``cls`` object over ``t``'s memory and graph (PyTorch's ``Tensor.as_subclass``)."""
    if t._requires_grad and t._grad_fn is None:
        # as PyTorch's alias: the gradient flows back to the leaf, not into a new one
        t = t.view_as(t)
        out = object.__new__(cls)
        out.__dict__.update(t.__dict__)
    else:
        out = object.__new__(cls)
    out._data = t._data
    out._requires_grad = t._requires_grad
    out._grad = None
    out._grad_fn = t._grad_fn
    out._output_nr = t._output_nr
    out._vc = t._vc
    out._base = t._base
    return out


class TVTensor(Tensor):
    """Base class of the tv_tensors; subclass it to define your own."""

    @staticmethod
    def _to_tensor(data, dtype=None, device=None, requires_grad=None) -> Tensor:
        if requires_grad is None:
            requires_grad = data.requires_grad if isinstance(data, Tensor) else False
        return numtorch.as_tensor(data, dtype=dtype, device=device).requires_grad_(requires_grad)

    def __wrap__(self, tensor: Tensor):
        return _as_subclass(tensor, type(self))

    # The ops that keep the subclass (torchvision's _FORCE_TORCHFUNCTION_SUBCLASS).
    def to(self, *args, **kwargs):
        out = Tensor.to(self, *args, **kwargs)
        return out if out is self else self.__wrap__(out)

    def _plain_cast(self, dtype) -> Tensor:
        # ``.float()``, ``.long()``... are not among the ops that keep the subclass.
        return _as_subclass(Tensor.to(self, dtype), Tensor)

    def float(self):
        return self._plain_cast(numtorch.float32)

    def double(self):
        return self._plain_cast(numtorch.float64)

    def half(self):
        return self._plain_cast(numtorch.float16)

    def long(self):
        return self._plain_cast(numtorch.int64)

    def int(self):
        return self._plain_cast(numtorch.int32)

    def byte(self):
        return self._plain_cast(numtorch.uint8)

    def bool(self):
        return self._plain_cast(numtorch.bool)

    def clone(self, *args, **kwargs):
        return self.__wrap__(Tensor.clone(self, *args, **kwargs))

    def detach(self):
        return self.__wrap__(Tensor.detach(self))

    def __deepcopy__(self, memo):
        # Detached first so the copy is not part of the graph, as deepcopy(Tensor).
        return self.detach().clone().requires_grad_(self.requires_grad)

    def _make_repr(self, **kwargs) -> str:
        extra = ", ".join(f"{key}={value}" for key, value in kwargs.items())
        return f"{Tensor.__repr__(self)[:-1]}, {extra})"


class Image(TVTensor):
    """An image tensor shaped ``[..., C, H, W]`` (a 2D tensor gets a channel dim)."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        from PIL import Image as PILImage

        if isinstance(data, PILImage.Image):
            from ..transforms import functional as F1

            data = F1.pil_to_tensor(data)
        tensor = cls._to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        if tensor.ndim < 2:
            raise ValueError
        if tensor.ndim == 2:
            tensor = tensor.unsqueeze(0)
        return _as_subclass(tensor, cls)

    def __repr__(self, *, tensor_contents=None) -> str:
        return self._make_repr()


class Video(TVTensor):
    """A video tensor shaped ``[..., T, C, H, W]``."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        tensor = cls._to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        if tensor.ndim < 4:
            raise ValueError
        return _as_subclass(tensor, cls)

    def __repr__(self, *, tensor_contents=None) -> str:
        return self._make_repr()


class Mask(TVTensor):
    """A segmentation or detection mask shaped ``[..., H, W]``."""

    def __new__(cls, data, *, dtype=None, device=None, requires_grad=None):
        from PIL import Image as PILImage

        if isinstance(data, PILImage.Image):
            from ..transforms import functional as F1

            data = F1.pil_to_tensor(data)
        tensor = cls._to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        return _as_subclass(tensor, cls)


class BoundingBoxFormat(Enum):
    """How a box's four numbers are laid out.

    ``XYXY``: top-left and bottom-right corners; ``XYWH``: top-left corner, width, height;
    ``CXCYWH``: centre, width, height. The rotated formats (``XYWHR``, ``CXCYWHR``,
    ``XYXYXYXY``) are named, but numtorch's transforms do not handle them yet.
    """

    XYXY = "XYXY"
    XYWH = "XYWH"
    CXCYWH = "CXCYWH"
    XYWHR = "XYWHR"
    CXCYWHR = "CXCYWHR"
    XYXYXYXY = "XYXYXYXY"


def is_rotated_bounding_format(format) -> bool:
    if isinstance(format, BoundingBoxFormat):
        return format in (BoundingBoxFormat.XYWHR, BoundingBoxFormat.CXCYWHR,
                          BoundingBoxFormat.XYXYXYXY)
    if isinstance(format, str):
        return format in ("XYWHR", "CXCYWHR", "XYXYXYXY")
    raise ValueError(f"format should be str or BoundingBoxFormat, got {type(format)}")


class BoundingBoxes(TVTensor):
    """``N`` boxes shaped ``[N, 4]``, with their ``format`` and the ``canvas_size``
    ``(height, width)`` of the image they belong to."""

    @classmethod
    def _wrap(cls, tensor, *, format, canvas_size, clamping_mode="soft", check_dims=True):
        if check_dims:
            if tensor.ndim == 1:
                tensor = tensor.unsqueeze(0)
            elif tensor.ndim != 2:
                raise ValueError(f"Expected a 1D or 2D tensor, got {tensor.ndim}D")
        if isinstance(format, str):
            format = BoundingBoxFormat[format.upper()]
        boxes = _as_subclass(tensor, cls)
        boxes.format = format
        boxes.canvas_size = canvas_size
        boxes.clamping_mode = clamping_mode
        return boxes

    def __new__(cls, data, *, format, canvas_size, clamping_mode="soft", dtype=None,
                device=None, requires_grad=None):
        tensor = cls._to_tensor(data, dtype=dtype, device=device, requires_grad=requires_grad)
        if not tensor.is_floating_point() and is_rotated_bounding_format(format):
            raise ValueError(f"Rotated bounding boxes should be floating point tensors, got "
                             f"{tensor.dtype}.")
        return cls._wrap(tensor, format=format, canvas_size=canvas_size,
                         clamping_mode=clamping_mode)

    def __wrap__(self, tensor, *, format=None, canvas_size=None, clamping_mode=None):
        return BoundingBoxes._wrap(
            tensor, format=self.format if format is None else format,
            canvas_size=self.canvas_size if canvas_size is None else canvas_size,
            clamping_mode=self.clamping_mode if clamping_mode is None else clamping_mode,
            check_dims=False)

    def __repr__(self, *, tensor_contents=None) -> str:
        return self._make_repr(format=self.format, canvas_size=self.canvas_size,
                               clamping_mode=self.clamping_mode)


def wrap(wrappee: Tensor, *, like: TVTensor, **kwargs):
    """``wrappee`` as the same tv_tensor type as ``like``, with ``like``'s metadata
    (``kwargs`` override it: ``format=``, ``canvas_size=`` for boxes)."""
    if not hasattr(like, "__wrap__"):
        raise TypeError(f"Expected `like` to have a `__wrap__` method, but got {type(like)}")
    return like.__wrap__(wrappee, **kwargs)
