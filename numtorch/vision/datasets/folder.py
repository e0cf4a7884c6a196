"""DatasetFolder and ImageFolder: one sub-folder per class, one file per sample.

::

    root/dog/xxx.png
    root/dog/nested/xxy.png
    root/cat/123.png

Classes are the sub-folders of ``root``, sorted; their files (walked
recursively, following links) are collected in sorted order.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PIL import Image

from .vision import VisionDataset

__all__ = ["DatasetFolder", "ImageFolder", "IMG_EXTENSIONS", "default_loader", "pil_loader",
           "has_file_allowed_extension", "is_image_file", "find_classes", "make_dataset"]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: str | tuple[str, ...]) -> bool:
    """True if ``filename`` ends (case-insensitively) with one of ``extensions``."""
    return filename.lower().endswith(extensions if isinstance(extensions, str)
                                     else tuple(extensions))


def is_image_file(filename: str) -> bool:
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory) -> tuple[list[str], dict[str, int]]:
    """The sorted sub-folder names of ``directory`` and their indices."""
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(directory, class_to_idx: dict[str, int] | None = None,
                 extensions: str | tuple[str, ...] | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> list[tuple[str, int]]:
    """``[(path, class_index), ...]`` for every valid file under each class folder.

    Exactly one of ``extensions`` and ``is_valid_file`` decides which files count.
    A class without any file raises FileNotFoundError unless ``allow_empty``.
    """
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")

    if (extensions is None) == (is_valid_file is None):
        raise ValueError("Both extensions and is_valid_file cannot be None or not None at the "
                         "same time")
    if extensions is not None:
        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, extensions)

    instances = []
    available_classes = set()
    for target_class in sorted(class_to_idx):
        class_index = class_to_idx[target_class]
        target_dir = os.path.join(directory, target_class)
        if not os.path.isdir(target_dir):
            continue
        for root, _, fnames in sorted(os.walk(target_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_index))
                    available_classes.add(target_class)

    empty_classes = set(class_to_idx) - available_classes
    if empty_classes and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty_classes))}. "
        if extensions is not None:
            shown = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {shown}"
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(VisionDataset):
    """A dataset of files arranged as ``root/<class>/<file>``.

    Args:
        root: the folder holding one sub-folder per class.
        loader: reads a sample given its path.
        extensions: allowed file endings (exclusive with ``is_valid_file``).
        transform: applied to each loaded sample.
        target_transform: applied to each class index.
        is_valid_file: decides from a path whether a file is a sample.
        allow_empty: allow classes without any file instead of raising.

    Attributes: ``classes``, ``class_to_idx``, ``samples`` ([(path, class_index)]),
    ``targets`` (the class indices).
    """

    def __init__(self, root, loader: Callable, extensions: tuple[str, ...] | None = None,
                 transform: Callable | None = None, target_transform: Callable | None = None,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(self.root, class_to_idx=class_to_idx, extensions=extensions,
                                    is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [s[1] for s in samples]

    @staticmethod
    def make_dataset(directory, class_to_idx: dict[str, int],
                     extensions: tuple[str, ...] | None = None,
                     is_valid_file: Callable[[str], bool] | None = None,
                     allow_empty: bool = False) -> list[tuple[str, int]]:
        """The samples under ``directory`` (override to change how files are collected)."""
        if class_to_idx is None:
            # a subclass may override find_classes, so the default must not be guessed here
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions=extensions,
                            is_valid_file=is_valid_file, allow_empty=allow_empty)

    def find_classes(self, directory) -> tuple[list[str], dict[str, int]]:
        """The class folders (override to change how classes are found)."""
        return find_classes(directory)

    def __getitem__(self, index: int):
        """``(sample, target)`` where target is the index of the sample's class."""
        path, target = self.samples[index]
        sample = self.loader(path)
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def __len__(self) -> int:
        return len(self.samples)


def pil_loader(path: str) -> Image.Image:
    """Open an image file with Pillow and convert it to RGB."""
    with open(path, "rb") as f:  # a file object closes the handle at once
        img = Image.open(f)
        return img.convert("RGB")


def default_loader(path: str) -> Image.Image:
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """A :class:`DatasetFolder` of images (``IMG_EXTENSIONS``), loaded as RGB PIL images.

    Args:
        root, transform, target_transform, is_valid_file, allow_empty: as DatasetFolder.
        loader: reads an image given its path (default: Pillow, converted to RGB).

    ``imgs`` is ``samples`` under its older name.
    """

    def __init__(self, root, transform: Callable | None = None,
                 target_transform: Callable | None = None, loader: Callable = default_loader,
                 is_valid_file: Callable[[str], bool] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__(root, loader, IMG_EXTENSIONS if is_valid_file is None else None,
                         transform=transform, target_transform=target_transform,
                         is_valid_file=is_valid_file, allow_empty=allow_empty)
        self.imgs = self.samples
