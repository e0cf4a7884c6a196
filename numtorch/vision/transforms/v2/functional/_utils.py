"""How a v2 functional picks the code for its input: one ``isinstance`` ladder per call.

Images (``tv_tensors.Image``, a plain Tensor, a Pillow image) and videos go to the v1
kernels of ``transforms.functional``; masks to the same kernels with nearest
interpolation; boxes to the box kernels. The output gets the input's tv_tensor type back
(``wrap``). An input a functional has no kernel for raises ``_NoKernel``, which a v2
transform catches to pass that input through unchanged (a colour jitter leaves a mask
alone), as torchvision's ``_get_kernel(..., allow_passthrough=True)`` does.
"""

from __future__ import annotations

from PIL import Image as PILImage

from numtorch._tensor import Tensor

from .... import tv_tensors
from ... import functional as F1  # noqa: F401  (re-exported for the kernels)


class _NoKernel(TypeError):
    pass


def is_pure_tensor(inpt) -> bool:
    return isinstance(inpt, Tensor) and not isinstance(inpt, tv_tensors.TVTensor)


def _plain(t: Tensor) -> Tensor:
    return t if type(t) is Tensor else tv_tensors._as_subclass(t, Tensor)


def _unsupported(name: str, inpt, supported) -> _NoKernel:
    names = ", ".join(str(t) for t in supported)
    return _NoKernel(f"Functional F.{name} supports inputs of type dict_keys([{names}]), but "
                     f"got {type(inpt)} instead.")


_IMAGE_TYPES = (Tensor, PILImage.Image, tv_tensors.Image, tv_tensors.Video)


def _on_pixels(name: str, inpt, kernel, *args, mask_kernel=None, **kwargs):
    """Run ``kernel`` on an image or video (Tensor, tv_tensor or Pillow) and ``mask_kernel``
    on a Mask, giving back the input's type; anything else is ``_NoKernel``."""
    if isinstance(inpt, PILImage.Image) or is_pure_tensor(inpt):
        return kernel(inpt, *args, **kwargs)
    if isinstance(inpt, (tv_tensors.Image, tv_tensors.Video)):
        return tv_tensors.wrap(kernel(_plain(inpt), *args, **kwargs), like=inpt)
    if isinstance(inpt, tv_tensors.Mask) and mask_kernel is not None:
        return tv_tensors.wrap(mask_kernel(_plain(inpt), *args, **kwargs), like=inpt)
    supported = [*_IMAGE_TYPES, tv_tensors.Mask] if mask_kernel is not None else _IMAGE_TYPES
    raise _unsupported(name, inpt, supported)


def _as_mask_image(kernel):
    """A kernel for masks from an image kernel: a ``(H, W)`` mask gets a channel dim for
    the call and loses it after."""
    def mask_kernel(mask: Tensor, *args, **kwargs):
        if mask.ndim == 2:
            return kernel(mask.unsqueeze(0), *args, **kwargs).squeeze(0)
        return kernel(mask, *args, **kwargs)
    return mask_kernel
