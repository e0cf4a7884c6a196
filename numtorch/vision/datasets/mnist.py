"""MNIST and its relatives (FashionMNIST, KMNIST, EMNIST, QMNIST), read from IDX files.

The on-disk layout is torchvision's: ``root/<ClassName>/raw/`` holds the
files as downloaded (``train-images-idx3-ubyte.gz`` ...) and their uncompressed
copies; either form is read. The whole split is held in memory: ``.data`` is a
uint8 tensor (N, H, W), ``.targets`` an int64 tensor (N,).

The IDX format (Yann LeCun's, "SN3 Pascal Vincent" in Lush): a 4-byte magic
number ``0x00 0x00 <type> <ndim>``, ``ndim`` big-endian uint32 sizes, then the
values in C order, big-endian. One ``np.frombuffer`` reads the payload.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import shutil
import string
import urllib.error
import zlib
from collections.abc import Callable

import numpy as np
from PIL import Image

import numtorch

from .utils import (
    calculate_md5,
    check_integrity,
    download_and_extract_archive,
    extract_archive,
    verify_str_arg,
)
from .vision import VisionDataset, _as_numpy, _batched_samples

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "QMNIST"]

# IDX type code -> NumPy dtype (big-endian where it matters)
_IDX_DTYPES = {8: np.dtype(np.uint8), 9: np.dtype(np.int8), 11: np.dtype(">i2"),
               12: np.dtype(">i4"), 13: np.dtype(">f4"), 14: np.dtype(">f8")}
_DECOMPRESSORS = {".gz": gzip.decompress, ".xz": lzma.decompress, ".bz2": bz2.decompress}


def _existing(path: str) -> str | None:
    """``path`` if it exists, else its first compressed sibling (.gz/.xz/.bz2) that does."""
    for candidate in (path, *(path + ext for ext in _DECOMPRESSORS)):
        if os.path.isfile(candidate):
            return candidate
    return None


def _read_bytes(path: str) -> bytes:
    ext = os.path.splitext(path)[1]
    with open(path, "rb") as f:
        raw = f.read()
    if ext not in _DECOMPRESSORS:
        return raw
    try:
        return _DECOMPRESSORS[ext](raw)
    except (OSError, EOFError, zlib.error, lzma.LZMAError) as error:
        raise RuntimeError(f"{path}: corrupt or truncated {ext} file ({error})") from error


def read_sn3_pascalvincent_array(path: str) -> np.ndarray:
    """Read an IDX file (plain, or compressed as .gz/.xz/.bz2) into a native-order array.

    Raises RuntimeError naming ``path`` when the magic number, the dimensions or
    the payload length are not what an IDX file holds.
    """
    data = _read_bytes(path)
    if len(data) < 4:
        raise RuntimeError(f"{path}: not an IDX file: only {len(data)} bytes, "
                           "too short for the 4-byte magic number")
    zero, type_code, ndim = int.from_bytes(data[0:2], "big"), data[2], data[3]
    if zero != 0 or type_code not in _IDX_DTYPES or not 1 <= ndim <= 4:
        raise RuntimeError(f"{path}: not an IDX file: bad magic number 0x{data[:4].hex()} "
                           "(expected 0x0000 then a type code in {08,09,0b,0c,0d,0e} and 1 to 4 "
                           "dimensions)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise RuntimeError(f"{path}: truncated IDX header: {ndim} dimensions need {header} bytes, "
                           f"the file has {len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        what = "truncated" if found < expected else "too long"
        raise RuntimeError(f"{path}: {what} IDX file: shape {shape} of {dtype.name} needs "
                           f"{expected} bytes of data, the file has {found}")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="))  # a writable, native-order copy


def _read_idx(path: str, ndim: int) -> np.ndarray:
    array = read_sn3_pascalvincent_array(path)
    if array.dtype != np.uint8:
        raise RuntimeError(f"{path}: expected uint8 values, the file holds {array.dtype}")
    if array.ndim != ndim:
        raise RuntimeError(f"{path}: expected {ndim} dimension(s), the file has shape "
                           f"{array.shape}")
    return array


def read_image_file(path: str) -> numtorch.Tensor:
    """An IDX file of uint8 images as a uint8 tensor (N, H, W)."""
    return numtorch.from_numpy(_read_idx(path, 3))


def read_label_file(path: str) -> numtorch.Tensor:
    """An IDX file of uint8 labels as an int64 tensor (N,)."""
    return numtorch.from_numpy(_read_idx(path, 1).astype(np.int64))


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images, 28x28 grey.

    Args:
        root: folder holding ``MNIST/raw/`` (``FashionMNIST/raw/`` ... for the subclasses).
        train: the training split (``train-*``) if True, else the test split (``t10k-*``).
        transform: applied to the PIL image ('L' mode), e.g. ``transforms.ToTensor()``.
        target_transform: applied to the int label.
        download: fetch the files into ``root`` if they are not there yet.
    """

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
               "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"]
    # Where a system package keeps a copy of the files (used when downloading);
    # the environment variable, when set, overrides the folder.
    local_copy_env: str | None = None
    local_copy_dir: str | None = None
    local_copy_hint = ""
    raw_md5: dict[str, str] = {}  # MD5 of the uncompressed files, where published

    def __init__(self, root, train: bool = True, transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    # -- files ---------------------------------------------------------------

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def _split_files(self) -> tuple[str, str]:
        prefix = "train" if self.train else "t10k"
        return (os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"),
                os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))

    def _check_exists(self) -> bool:
        names = [os.path.splitext(name)[0] for name, _ in self.resources]
        return all(_existing(os.path.join(self.raw_folder, name)) for name in names)

    def _load_data(self) -> tuple[numtorch.Tensor, numtorch.Tensor]:
        images_file, labels_file = (_existing(f) for f in self._split_files)
        data, targets = read_image_file(images_file), read_label_file(labels_file)
        if len(data) != len(targets):
            raise RuntimeError(f"{images_file} holds {len(data)} images but {labels_file} holds "
                               f"{len(targets)} labels")
        return data, targets

    # -- samples -------------------------------------------------------------

    def _target(self, index: int):
        return int(_as_numpy(self.targets)[index])

    def __getitem__(self, index: int):
        """``(image, target)``: a PIL 'L' image (through ``transform``) and an int class."""
        img = Image.fromarray(_as_numpy(self.data)[index], mode="L")
        target = self._target(index)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __getitems__(self, indices: list[int]) -> list:
        """``[self[i] for i in indices]``, with the transform run once on the whole batch
        when it can be (``ToTensor``, ``Normalize``, ``Compose`` of those ...)."""
        indices = list(indices)
        images = _as_numpy(self.data)[np.asarray(indices, dtype=np.int64)]
        samples = _batched_samples(self, images, [self._target(i) for i in indices])
        return samples if samples is not None else [self[i] for i in indices]

    def __len__(self) -> int:
        return len(self.data)

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {cls: i for i, cls in enumerate(self.classes)}

    def extra_repr(self) -> str:
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"

    # -- download ------------------------------------------------------------

    def _local_copy_folder(self) -> str | None:
        if self.local_copy_env and os.environ.get(self.local_copy_env):
            return os.environ[self.local_copy_env]
        return self.local_copy_dir

    def _copy_local(self, filename: str, md5: str, problems: list[str]) -> bool:
        """Copy ``filename`` from the system package's folder if it is there and verifies.

        The archive verifies when its MD5 is torchvision's, or when the data it
        uncompresses to has the published MD5 of the uncompressed file
        (``raw_md5``): Debian re-compresses the archives, which changes their
        checksums but not their contents.
        """
        folder = self._local_copy_folder()
        source = os.path.join(folder, filename) if folder else None
        if source is None or not os.path.isfile(source):
            return False
        dest = os.path.join(self.raw_folder, filename)
        raw_name = os.path.splitext(filename)[0]
        found = calculate_md5(source)
        if found != md5:
            expected_raw = self.raw_md5.get(raw_name)
            try:
                found_raw = (hashlib.md5(_read_bytes(source), usedforsecurity=False).hexdigest()
                             if expected_raw else None)
            except RuntimeError as error:
                found_raw = f"unreadable ({error})"
            if expected_raw is None or found_raw != expected_raw:
                detail = (f"; uncompressed, {found_raw}, expected {expected_raw}"
                          if expected_raw else "")
                problems.append(f"{source} was not used: its MD5 checksum is {found}, "
                                f"expected {md5}{detail}")
                return False
        print(f"Copying {source} to {dest}")
        tmp = f"{dest}.part-{os.getpid()}"
        try:
            shutil.copyfile(source, tmp)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        extract_archive(dest, self.raw_folder)
        return True

    def _download_failed(self, filename: str, problems: list[str]) -> RuntimeError:
        names = ", ".join(name for name, _ in self.resources)
        lines = [f"Error downloading {filename}: no mirror could be reached "
                 f"({', '.join(self.mirrors)})."]
        lines += problems
        lines.append("To get the files another way:")
        lines.append("  - download them where a network is reachable (download=True), or")
        if self.local_copy_hint:
            lines.append(f"  - {self.local_copy_hint}, or")
        lines.append(f"  - copy {names} into {self.raw_folder}")
        return RuntimeError("\n".join(lines))

    def download(self) -> None:
        """Fetch the files into ``raw_folder`` (from a system package's copy when one verifies,
        else from the mirrors) and uncompress them. Nothing happens if they are there."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            path = os.path.join(self.raw_folder, filename)
            if os.path.isfile(os.path.splitext(path)[0]):
                continue
            if check_integrity(path, md5):
                extract_archive(path, self.raw_folder)
                continue
            problems: list[str] = []
            if self._copy_local(filename, md5, problems):
                continue
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    print(f"Downloading {url}")
                    download_and_extract_archive(url, download_root=self.raw_folder,
                                                 filename=filename, md5=md5)
                except urllib.error.URLError as error:
                    print(f"Failed to download (trying next):\n{error}")
                    problems.append(f"{url}: {error}")
                    continue
                finally:
                    print()
                break
            else:
                raise self._download_failed(filename, problems)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grey images of 10 kinds of clothing, MNIST's layout.

    ``download=True`` without a network copies the files from the Debian package
    ``dataset-fashion-mnist`` (``/usr/share/datasets/fashion-mnist/``, or the folder
    named by ``NUMTORCH_FASHION_MNIST_DIR``) after checking their MD5 checksums.
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
    raw_md5 = {
        "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
        "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
        "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
        "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    }
    local_copy_env = "NUMTORCH_FASHION_MNIST_DIR"
    local_copy_dir = "/usr/share/datasets/fashion-mnist"
    local_copy_hint = ("`apt-get install dataset-fashion-mnist` (numtorch copies the files "
                       "from /usr/share/datasets/fashion-mnist/, or from the folder named by "
                       "NUMTORCH_FASHION_MNIST_DIR)")


class KMNIST(MNIST):
    """Kuzushiji-MNIST: 28x28 grey images of 10 cursive Japanese characters."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


class EMNIST(MNIST):
    """EMNIST: handwritten digits and letters in MNIST's format.

    Args:
        split: one of ``byclass``, ``bymerge``, ``balanced``, ``letters``, ``digits``, ``mnist``.
        **kwargs: MNIST's arguments (``train``, ``transform``, ``target_transform``, ``download``).

    As in torchvision, the images are stored as NIST ships them (transposed
    relative to MNIST).
    """

    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    # letters whose upper and lower case are merged into one class
    _merged_classes = {"c", "i", "j", "k", "l", "m", "o", "p", "s", "u", "v", "w", "x", "y", "z"}
    _all_classes = set(string.digits + string.ascii_letters)
    classes_split_dict = {
        "byclass": sorted(_all_classes),
        "bymerge": sorted(_all_classes - _merged_classes),
        "balanced": sorted(_all_classes - _merged_classes),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(self, root, split: str, **kwargs) -> None:
        self.split = verify_str_arg(split, "split", self.splits)
        self.classes = self.classes_split_dict[self.split]
        super().__init__(root, **kwargs)

    @property
    def _file_prefix(self) -> str:
        return f"emnist-{self.split}-{'train' if self.train else 'test'}"

    @property
    def images_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-images-idx3-ubyte")

    @property
    def labels_file(self) -> str:
        return os.path.join(self.raw_folder, f"{self._file_prefix}-labels-idx1-ubyte")

    @property
    def _split_files(self) -> tuple[str, str]:
        return self.images_file, self.labels_file

    def _check_exists(self) -> bool:
        return all(_existing(f) for f in self._split_files)

    def download(self) -> None:
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        download_and_extract_archive(self.url, download_root=self.raw_folder, md5=self.md5)
        gzip_folder = os.path.join(self.raw_folder, "gzip")
        for name in os.listdir(gzip_folder):
            if name.endswith(".gz"):
                extract_archive(os.path.join(gzip_folder, name), self.raw_folder)
        shutil.rmtree(gzip_folder)


class QMNIST(MNIST):
    """QMNIST: MNIST's digits traced back to NIST, with 8 columns of metadata per target.

    Args:
        what: ``train``, ``test`` (60k), ``test10k`` (MNIST's test set), ``test50k``
            (the rest) or ``nist`` (everything); defaults to ``train``/``test`` per ``train``.
        compat: targets are int classes if True, else int64 tensors of the 8 columns.
        train: picks ``what`` when it is None.
    """

    subsets = {"train": "train", "test": "test", "test10k": "test", "test50k": "test",
               "nist": "nist"}
    _base = "https://raw.githubusercontent.com/facebookresearch/qmnist/master/"
    resources = {  # type: ignore[assignment]
        "train": [(_base + "qmnist-train-images-idx3-ubyte.gz", "ed72d4157d28c017586c42bc6afe6370"),
                  (_base + "qmnist-train-labels-idx2-int.gz", "0058f8dd561b90ffdd0f734c6a30e5e4")],
        "test": [(_base + "qmnist-test-images-idx3-ubyte.gz", "1394631089c404de565df7b7aeaf9412"),
                 (_base + "qmnist-test-labels-idx2-int.gz", "5b5b05890a5e13444e108efe57b788aa")],
        "nist": [(_base + "xnist-images-idx3-ubyte.xz", "7f124b3b8ab81486c9d8c2749c17f834"),
                 (_base + "xnist-labels-idx2-int.xz", "5ed0e788978e45d4a8bd4b7caec3d79d")],
    }
    classes = MNIST.classes

    def __init__(self, root, what: str | None = None, compat: bool = True, train: bool = True,
                 **kwargs) -> None:
        if what is None:
            what = "train" if train else "test"
        self.what = verify_str_arg(what, "what", tuple(self.subsets.keys()))
        self.compat = compat
        super().__init__(root, train, **kwargs)

    def _raw_file(self, k: int) -> str:
        url = self.resources[self.subsets[self.what]][k][0]
        return os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0])

    @property
    def images_file(self) -> str:
        return self._raw_file(0)

    @property
    def labels_file(self) -> str:
        return self._raw_file(1)

    def _check_exists(self) -> bool:
        return all(_existing(f) for f in (self.images_file, self.labels_file))

    def _load_data(self):
        images_file, labels_file = _existing(self.images_file), _existing(self.labels_file)
        data = _read_idx(images_file, 3)
        targets = read_sn3_pascalvincent_array(labels_file)
        if targets.ndim != 2:
            raise RuntimeError(f"{labels_file}: expected 2 dimensions, the file has shape "
                               f"{targets.shape}")
        if len(data) != len(targets):
            raise RuntimeError(f"{images_file} holds {len(data)} images but {labels_file} holds "
                               f"{len(targets)} targets")
        if self.what == "test10k":
            data, targets = data[:10000], targets[:10000]
        elif self.what == "test50k":
            data, targets = data[10000:], targets[10000:]
        return (numtorch.from_numpy(np.ascontiguousarray(data)),
                numtorch.from_numpy(targets.astype(np.int64)))

    def _target(self, index: int):
        if self.compat:
            return int(_as_numpy(self.targets)[index, 0])
        return self.targets[index]

    def download(self) -> None:
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for url, md5 in self.resources[self.subsets[self.what]]:
            download_and_extract_archive(url, self.raw_folder, md5=md5)

    def extra_repr(self) -> str:
        return f"Split: {self.what}"
