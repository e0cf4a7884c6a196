"""FakeData: random images that are the same for the same index, for smoke tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

import numtorch

from .vision import VisionDataset, _batched_samples

__all__ = ["FakeData"]

_MODES = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


class FakeData(VisionDataset):
    """A dataset of random PIL images and random int targets.

    Image ``i`` is drawn as torchvision draws it: ``randn(*image_size)`` and then
    ``randint(0, num_classes, (1,))`` from a generator seeded with
    ``i + random_offset``, so numtorch and torchvision give the same pictures.
    The global random state is left untouched.

    Args:
        size: number of samples.
        image_size: (C, H, W) with C in 1..4 (or (H, W) for grey images).
        num_classes: targets are in ``[0, num_classes)``.
        transform: applied to the PIL image.
        target_transform: applied to the int target.
        random_offset: added to the index to make the seed.
    """

    def __init__(self, size: int = 1000, image_size: tuple[int, ...] = (3, 224, 224),
                 num_classes: int = 10, transform: Callable | None = None,
                 target_transform: Callable | None = None, random_offset: int = 0) -> None:
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def _draw(self, index: int) -> tuple[np.ndarray, int]:
        """The uint8 pixels (H, W) or (H, W, C) and the target of sample ``index``."""
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        g = numtorch.Generator()
        g.manual_seed(index + self.random_offset)
        values = numtorch.randn(*self.image_size, generator=g).numpy()
        target = int(numtorch.randint(0, self.num_classes, size=(1,), generator=g)[0])
        # ToPILImage's float path: x * 255 cast to uint8 (truncate, wrap around as C does)
        pixels = (values * np.float32(255)).astype(np.int32).astype(np.uint8)
        if pixels.ndim == 3:
            if pixels.shape[0] not in _MODES:
                raise ValueError(f"image_size must have 1 to 4 channels, got {self.image_size}")
            pixels = pixels[0] if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0)
        return np.ascontiguousarray(pixels), target

    def __getitem__(self, index: int):
        """``(image, target)``: a PIL image (through ``transform``) and an int class."""
        pixels, target = self._draw(index)
        img = Image.fromarray(pixels, mode=_MODES[1 if pixels.ndim == 2 else pixels.shape[2]])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices: list[int]) -> list:
        """``[self[i] for i in indices]``, the transform run once on the batch when it can be."""
        indices = list(indices)
        if getattr(self.transform, "_apply_batch", None) is None:
            return [self[i] for i in indices]
        draws = [self._draw(i) for i in indices]
        if not draws:
            return []
        images = np.stack([pixels for pixels, _ in draws])
        samples = _batched_samples(self, images, [target for _, target in draws])
        return samples if samples is not None else [self[i] for i in indices]

    def __len__(self) -> int:
        return self.size
