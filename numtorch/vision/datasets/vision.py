"""VisionDataset: the base every dataset here derives from (root, transforms, repr)."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

from numtorch.utils.data import Dataset


class StandardTransform:
    """Apply ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def _format_transform_repr(self, transform, head: str) -> list[str]:
        lines = repr(transform).splitlines()
        return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]

    def __repr__(self) -> str:
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)


class VisionDataset(Dataset):
    """Base class for the vision datasets.

    Args:
        root: where the dataset's files live (``~`` is expanded); may be None.
        transforms: a callable taking and returning ``(input, target)``.
        transform: a callable applied to the input (usually a PIL image).
        target_transform: a callable applied to the target.

    ``transforms`` and the ``transform``/``target_transform`` pair are exclusive.
    """

    _repr_indent = 4

    def __init__(self, root=None, transforms: Callable | None = None,
                 transform: Callable | None = None,
                 target_transform: Callable | None = None) -> None:
        if isinstance(root, str):
            root = os.path.expanduser(root)
        self.root = root

        has_transforms = transforms is not None
        has_separate_transform = transform is not None or target_transform is not None
        if has_transforms and has_separate_transform:
            raise ValueError("Only transforms or transform/target_transform can "
                             "be passed as argument")

        self.transform = transform
        self.target_transform = target_transform
        if has_separate_transform:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index: int):
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def __repr__(self) -> str:
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if getattr(self, "transforms", None) is not None:
            body += [repr(self.transforms)]
        lines = [head] + [" " * self._repr_indent + line for line in body]
        return "\n".join(lines)

    def _format_transform_repr(self, transform, head: str) -> list[str]:
        lines = repr(transform).splitlines()
        return [head + lines[0]] + [" " * len(head) + line for line in lines[1:]]

    def extra_repr(self) -> str:
        return ""


def _as_numpy(x) -> np.ndarray:
    """The NumPy array behind a Tensor (no copy), or ``x`` itself as an array."""
    return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def _batched_samples(dataset, images: np.ndarray, targets: list) -> list | None:
    """``[(image, target), ...]`` with the images transformed as one batch.

    ``images`` holds the uint8 pixels the PIL images would hold, (N, H, W) or
    (N, H, W, C); ``targets`` the N raw targets (``target_transform`` is applied
    here, one at a time). Returns None when the dataset's transform cannot take a
    whole batch (no transform, one without ``_apply_batch``, or one that returns
    None), so the caller falls back to ``[dataset[i] for i in indices]``.
    """
    apply_batch = getattr(dataset.transform, "_apply_batch", None)
    if apply_batch is None:
        return None
    batch = apply_batch(images)
    if batch is None:
        return None
    target_transform = dataset.target_transform
    if target_transform is not None:
        targets = [target_transform(t) for t in targets]
    return [(batch[k], target) for k, target in enumerate(targets)]
