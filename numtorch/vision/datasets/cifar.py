"""CIFAR-10 and CIFAR-100: 32x32 colour images, read from the "python version" pickles.

``root/cifar-10-batches-py/`` holds ``data_batch_1..5``, ``test_batch`` and
``batches.meta`` (``root/cifar-100-python/``: ``train``, ``test``, ``meta``).
Each batch is a pickled dict whose ``data`` is a uint8 array (N, 3072) of
channel planes (R, G, B, each 32x32 in row order) and whose ``labels``
(``fine_labels`` for CIFAR-100) is a list of ints. As in torchvision, ``.data``
is the whole split as a NumPy array (N, 32, 32, 3) and ``.targets`` a list.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable

import numpy as np
from PIL import Image

from .utils import calculate_md5, check_integrity, download_and_extract_archive
from .vision import VisionDataset, _batched_samples

__all__ = ["CIFAR10", "CIFAR100"]


class CIFAR10(VisionDataset):
    """CIFAR-10: 50,000 training and 10,000 test colour images in 10 classes.

    Args:
        root: folder holding ``cifar-10-batches-py/`` (or where to download it).
        train: the five training batches if True, else the test batch.
        transform: applied to the PIL image ('RGB' mode), e.g. ``transforms.ToTensor()``.
        target_transform: applied to the int label.
        download: fetch and unpack the archive into ``root`` if it is not there yet.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        problems = self._integrity_problems()
        if problems:
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to "
                               "download it\n" + "\n".join(problems))

        chunks, self.targets = [], []
        for file_name, _ in self.train_list if self.train else self.test_list:
            entry = self._unpickle(os.path.join(self.root, self.base_folder, file_name))
            data = np.asarray(entry["data"], dtype=np.uint8)
            labels = entry["labels"] if "labels" in entry else entry["fine_labels"]
            if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(labels) != len(data):
                raise RuntimeError(f"{file_name}: expected 'data' of shape (N, 3072) and N labels, "
                                   f"got {data.shape} and {len(labels)} labels")
            chunks.append(data)
            self.targets.extend(int(t) for t in labels)
        # planes (N, 3, 32, 32) -> pixels (N, 32, 32, 3), as PIL wants them
        self.data = np.vstack(chunks).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self._load_meta()

    @staticmethod
    def _unpickle(path: str) -> dict:
        try:
            with open(path, "rb") as f:
                entry = pickle.load(f, encoding="latin1")
        except (pickle.UnpicklingError, EOFError, ValueError) as error:
            raise RuntimeError(f"{path}: not a CIFAR batch ({error})") from error
        if not isinstance(entry, dict) or "data" not in entry:
            raise RuntimeError(f"{path}: not a CIFAR batch (no 'data' entry)")
        return entry

    def _load_meta(self) -> None:
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError("Dataset metadata file not found or corrupted. "
                               "You can use download=True to download it")
        with open(path, "rb") as infile:
            self.classes = pickle.load(infile, encoding="latin1")[self.meta["key"]]
        self.class_to_idx = {cls: i for i, cls in enumerate(self.classes)}

    def _target(self, index: int) -> int:
        return self.targets[index]

    def __getitem__(self, index: int):
        """``(image, target)``: a PIL 'RGB' image (through ``transform``) and an int class."""
        img, target = Image.fromarray(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices: list[int]) -> list:
        """``[self[i] for i in indices]``, the transform run once on the batch when it can be."""
        indices = list(indices)
        images = self.data[np.asarray(indices, dtype=np.int64)]
        samples = _batched_samples(self, images, [self._target(i) for i in indices])
        return samples if samples is not None else [self[i] for i in indices]

    def __len__(self) -> int:
        return len(self.data)

    def _integrity_problems(self) -> list[str]:
        """One line per batch file that is missing or whose MD5 checksum is wrong."""
        folder = os.path.join(self.root, self.base_folder)
        problems = []
        for name, md5 in self.train_list + self.test_list:
            path = os.path.join(folder, name)
            if not os.path.isfile(path):
                problems.append(f"{path}: missing")
            elif not check_integrity(path, md5):
                problems.append(f"{path}: MD5 checksum is {calculate_md5(path)}, expected {md5}")
        return problems

    def _check_integrity(self) -> bool:
        return not self._integrity_problems()

    def download(self) -> None:
        if self._check_integrity():
            print("Files already downloaded and verified")
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename,
                                     md5=self.tgz_md5)

    def extra_repr(self) -> str:
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class CIFAR100(CIFAR10):
    """CIFAR-100: like CIFAR-10 with 100 classes (``.targets`` are the fine labels)."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {"filename": "meta", "key": "fine_label_names",
            "md5": "7973b15100ade9c7d40fb424638fde48"}
