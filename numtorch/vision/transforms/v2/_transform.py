"""The v2 Transform base: flatten the sample, pick what to transform, draw the random
parameters once, apply the same parameters to every picked input, rebuild the sample.

A sample can be anything: an image, ``(image, target)``, ``{"image": ..., "boxes": ...}``.
Containers (tuples, lists, dicts) are walked depth-first; the leaves are the inputs. An
input is transformed when its type is in ``_transformed_types`` (by default Tensors and
Pillow images), with torchvision's rule for plain Tensors: if the sample holds no
explicit image (``tv_tensors.Image``, ``Video`` or a Pillow image), the *first* plain
Tensor is the image and later ones (labels, ids...) pass through; otherwise all plain
Tensors pass through.
"""

from __future__ import annotations

import enum

from PIL import Image as PILImage

import numtorch
from numtorch._tensor import Tensor
from numtorch.nn.modules.module import Module

from ... import tv_tensors
from .functional import get_dimensions, get_size, is_pure_tensor
from .functional._utils import _NoKernel

# --------------------------------------------------------------------------- sample trees

def _tree_flatten(tree):
    """Leaves of nested tuples/lists/dicts, depth-first, and a spec to rebuild them."""
    if isinstance(tree, (list, tuple)):
        leaves, specs = [], []
        for item in tree:
            sub_leaves, spec = _tree_flatten(item)
            leaves += sub_leaves
            specs.append(spec)
        return leaves, (type(tree), specs, None)
    if isinstance(tree, dict):
        leaves, specs = [], []
        for item in tree.values():
            sub_leaves, spec = _tree_flatten(item)
            leaves += sub_leaves
            specs.append(spec)
        return leaves, (type(tree), specs, list(tree.keys()))
    return [tree], None


def _tree_unflatten(leaves, spec):
    it = iter(leaves)

    def build(spec):
        if spec is None:
            return next(it)
        kind, children, keys = spec
        values = [build(s) for s in children]
        if keys is not None:
            return kind(zip(keys, values))
        if kind is tuple or kind is list:
            return kind(values)
        if hasattr(kind, "_fields"):  # a namedtuple
            return kind(*values)
        return kind(values)
    return build(spec)


# --------------------------------------------------------------------------- sample queries

def check_type(obj, types_or_checks) -> bool:
    for t in types_or_checks:
        if isinstance(obj, t) if isinstance(t, type) else t(obj):
            return True
    return False


def has_any(flat_inputs, *types_or_checks) -> bool:
    return any(check_type(inpt, types_or_checks) for inpt in flat_inputs)


def has_all(flat_inputs, *types_or_checks) -> bool:
    return all(has_any(flat_inputs, t) for t in types_or_checks)


def _sizes_str(sizes) -> str:
    return ", ".join(str(s) for s in sorted(sizes))


def query_chw(flat_inputs) -> tuple[int, int, int]:
    """The one ``(C, H, W)`` of the sample's images and videos."""
    chws = {tuple(get_dimensions(inpt)) for inpt in flat_inputs
            if check_type(inpt, (is_pure_tensor, tv_tensors.Image, PILImage.Image,
                                 tv_tensors.Video))}
    if not chws:
        raise TypeError("No image or video was found in the sample")
    if len(chws) > 1:
        raise ValueError(f"Found multiple CxHxW dimensions in the sample: {_sizes_str(chws)}")
    return chws.pop()


def query_size(flat_inputs) -> tuple[int, int]:
    """The one ``(H, W)`` of the sample's images, videos, masks and boxes."""
    sizes = {tuple(get_size(inpt)) for inpt in flat_inputs
             if check_type(inpt, (is_pure_tensor, tv_tensors.Image, PILImage.Image,
                                  tv_tensors.Video, tv_tensors.Mask,
                                  tv_tensors.BoundingBoxes))}
    if not sizes:
        raise TypeError("No image, video, mask or bounding box was found in the sample")
    if len(sizes) > 1:
        raise ValueError(f"Found multiple HxW dimensions in the sample: {_sizes_str(sizes)}")
    return sizes.pop()


# --------------------------------------------------------------------------- the base class

class Transform(Module):
    """Base class of the v2 transforms: override ``make_params`` and ``transform``."""

    _transformed_types: tuple = (Tensor, PILImage.Image)
    _v1_transform_cls = None

    def __init_subclass__(cls, **kwargs) -> None:
        # A v2 transform with a v1 twin offers the twin's static ``get_params``.
        super().__init_subclass__(**kwargs)
        v1 = cls._v1_transform_cls
        if v1 is not None and hasattr(v1, "get_params"):
            cls.get_params = staticmethod(v1.get_params)

    def check_inputs(self, flat_inputs: list) -> None:
        pass

    def make_params(self, flat_inputs: list) -> dict:
        """The random parameters, drawn once per call (override in random transforms)."""
        return dict()

    def transform(self, inpt, params: dict):
        """Transform one input with ``params`` (override)."""
        raise NotImplementedError

    def _call_kernel(self, functional, inpt, *args, **kwargs):
        try:
            return functional(inpt, *args, **kwargs)
        except _NoKernel:
            return inpt  # no kernel for this type: pass it through

    def forward(self, *inputs):
        flat_inputs, spec = _tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        self.check_inputs(flat_inputs)
        return self._run(flat_inputs, spec)

    def _run(self, flat_inputs, spec):
        needs = self._needs_transform_list(flat_inputs)
        params = self.make_params([x for x, n in zip(flat_inputs, needs) if n])
        flat_outputs = [self.transform(x, params) if n else x for x, n in zip(flat_inputs, needs)]
        return _tree_unflatten(flat_outputs, spec)

    def _needs_transform_list(self, flat_inputs: list) -> list[bool]:
        transform_pure_tensor = not has_any(flat_inputs, tv_tensors.Image, tv_tensors.Video,
                                            PILImage.Image)
        needs = []
        for inpt in flat_inputs:
            need = check_type(inpt, self._transformed_types)
            if need and is_pure_tensor(inpt):
                need, transform_pure_tensor = transform_pure_tensor, False
            needs.append(need)
        return needs

    def extra_repr(self) -> str:
        extra = []
        for name, value in self.__dict__.items():
            if name.startswith("_") or name == "training":
                continue
            if isinstance(value, (bool, int, float, str, tuple, list, enum.Enum)):
                extra.append(f"{name}={value}")
        return ", ".join(extra)


class _RandomApplyTransform(Transform):
    """A transform applied with probability ``p`` (one ``rand(1)`` draw per call)."""

    def __init__(self, p: float = 0.5) -> None:
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        super().__init__()
        self.p = p

    def forward(self, *inputs):
        inputs = inputs if len(inputs) > 1 else inputs[0]
        flat_inputs, spec = _tree_flatten(inputs)
        self.check_inputs(flat_inputs)
        if numtorch.rand(1).item() >= self.p:
            return inputs
        return self._run(flat_inputs, spec)
