"""numtorch.vision.datasets: torchvision's datasets on small files made here (and real
FashionMNIST when the Debian package's copy is installed)."""

import gzip
import hashlib
import os
import pickle
import socket
import time
import urllib.error

import numpy as np
import pytest
import torch
from PIL import Image

import numtorch
from numtorch.utils.data import DataLoader
from numtorch.vision import datasets
from numtorch.vision.datasets import utils as dutils

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"
UNREACHABLE = ["http://127.0.0.1:9/"]  # the discard port: refused at once


# -- helpers -------------------------------------------------------------------------------

def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype(np.uint8): 8, np.dtype(np.int8): 9, np.dtype(">i4"): 12}
    array = array.astype(array.dtype.newbyteorder(">")) if array.itemsize > 1 else array
    head = bytes([0, 0, codes[array.dtype], array.ndim])
    head += b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return head + array.tobytes()


def write_idx(path, array, gz=False):
    data = idx_bytes(array)
    if gz:
        data = gzip.compress(data)
        path = str(path) + ".gz"
    with open(path, "wb") as f:
        f.write(data)
    return str(path)


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def mnist_arrays(n, seed):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n, dtype=np.uint8))


def make_mnist(root, name="MNIST", gz=False, n_train=12, n_test=5, prefix=""):
    raw = os.path.join(root, name, "raw")
    os.makedirs(raw, exist_ok=True)
    out = {}
    for split, n, seed in (("train", n_train, 0), ("t10k", n_test, 1)):
        images, labels = mnist_arrays(n, seed)
        write_idx(os.path.join(raw, f"{prefix}{split}-images-idx3-ubyte"), images, gz)
        write_idx(os.path.join(raw, f"{prefix}{split}-labels-idx1-ubyte"), labels, gz)
        out[split] = images, labels
    return out


class BatchToTensor:
    """A ToTensor stand-in with the batch hook the transforms engineer adds."""

    def __call__(self, img):
        arr = np.asarray(img, dtype=np.uint8)
        arr = arr[:, :, None] if arr.ndim == 2 else arr
        return numtorch.from_numpy(arr.transpose(2, 0, 1).astype(np.float32) / np.float32(255))

    def _apply_batch(self, images):
        arr = images[..., None] if images.ndim == 3 else images
        return numtorch.from_numpy(arr.transpose(0, 3, 1, 2).astype(np.float32)
                                   / np.float32(255))

    def __repr__(self):
        return "ToTensor()"


class NoBatch(BatchToTensor):
    def _apply_batch(self, images):
        return None


def assert_same_samples(got, expected):
    assert len(got) == len(expected)
    for (gi, gt), (ei, et) in zip(got, expected, strict=True):
        assert type(gt) is type(et) and gt == et
        if isinstance(ei, Image.Image):
            assert np.array_equal(np.asarray(gi), np.asarray(ei))
        else:
            assert gi.dtype == ei.dtype and gi.shape == ei.shape
            assert np.array_equal(gi.numpy(), ei.numpy())


# -- MNIST family --------------------------------------------------------------------------

@pytest.mark.parametrize("gz", [False, True])
def test_mnist_reads_plain_and_gzipped_idx(tmp_path, gz):
    made = make_mnist(tmp_path, gz=gz)
    for train, key in ((True, "train"), (False, "t10k")):
        ds = datasets.MNIST(str(tmp_path), train=train)
        images, labels = made[key]
        assert len(ds) == len(images)
        assert ds.data.dtype == numtorch.uint8 and tuple(ds.data.shape) == images.shape
        assert ds.targets.dtype == numtorch.int64
        assert np.array_equal(ds.data.numpy(), images)
        assert np.array_equal(ds.targets.numpy(), labels)
        img, target = ds[3]
        assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
        assert np.array_equal(np.asarray(img), images[3])
        assert type(target) is int and target == labels[3]
    assert ds.class_to_idx["3 - three"] == 3 and len(ds.classes) == 10


def test_fashion_and_kmnist_use_their_own_folders_and_classes(tmp_path):
    make_mnist(tmp_path, "FashionMNIST")
    make_mnist(tmp_path, "KMNIST")
    f = datasets.FashionMNIST(tmp_path)
    k = datasets.KMNIST(tmp_path, train=False)
    assert f.classes[0] == "T-shirt/top" and f.class_to_idx["Ankle boot"] == 9
    assert k.classes[:3] == ["o", "ki", "su"] and len(k) == 5
    with pytest.raises(RuntimeError, match="Dataset not found. You can use download=True"):
        datasets.MNIST(tmp_path)


def test_repr_is_torchvisions(tmp_path):
    make_mnist(tmp_path, "FashionMNIST")
    ds = datasets.FashionMNIST(root=str(tmp_path), train=True, transform=BatchToTensor())
    assert repr(ds) == (f"Dataset FashionMNIST\n    Number of datapoints: 12\n"
                        f"    Root location: {tmp_path}\n    Split: Train\n"
                        f"    StandardTransform\nTransform: ToTensor()")
    test = datasets.FashionMNIST(root=str(tmp_path), train=False, target_transform=str)
    assert repr(test).splitlines()[3:] == ["    Split: Test", "    StandardTransform",
                                           f"Target transform: {str!r}"]
    assert repr(datasets.FashionMNIST(str(tmp_path))).endswith("Split: Train")
    with pytest.raises(ValueError, match="Only transforms or transform/target_transform"):
        datasets.VisionDataset("x", transforms=lambda a, b: (a, b), transform=str)


def test_real_torchvision_totensor_repr_when_transforms_land(tmp_path):
    transforms = pytest.importorskip("numtorch.vision.transforms")
    if not hasattr(transforms, "ToTensor"):
        pytest.skip("numtorch.vision.transforms.ToTensor has not landed yet")
    make_mnist(tmp_path, "FashionMNIST")
    ds = datasets.FashionMNIST(root=str(tmp_path), transform=transforms.ToTensor())
    assert repr(ds).endswith("    StandardTransform\nTransform: ToTensor()")
    x, y = ds[0]
    assert tuple(x.shape) == (1, 28, 28) and x.dtype == numtorch.float32
    assert_same_samples(ds.__getitems__([0, 5, 2]), [ds[0], ds[5], ds[2]])


def corrupt_cases():
    good = idx_bytes(mnist_arrays(4, 0)[0])
    return {
        "truncated IDX file": good[:-3],
        "too long IDX file": good + b"\0",
        "bad magic number": b"\x01\x02" + good[2:],
        "truncated IDX header": good[:10],
        "too short for the 4-byte magic": good[:2],
        "expected uint8 values": bytes([0, 0, 9]) + good[3:],
        "expected 3 dimension": idx_bytes(np.zeros((4, 784), np.uint8)),
    }


@pytest.mark.parametrize("what", list(corrupt_cases()))
def test_corrupt_idx_file_is_named_in_the_error(tmp_path, what):
    make_mnist(tmp_path)
    bad = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    bad.write_bytes(corrupt_cases()[what])
    with pytest.raises(RuntimeError, match=what) as info:
        datasets.MNIST(tmp_path)
    assert str(bad) in str(info.value)


def test_truncated_gzip_and_count_mismatch_are_named(tmp_path):
    make_mnist(tmp_path, gz=True)
    raw = tmp_path / "MNIST" / "raw"
    gzfile = raw / "train-images-idx3-ubyte.gz"
    gzfile.write_bytes(gzfile.read_bytes()[:-20])
    with pytest.raises(RuntimeError, match="corrupt or truncated .gz file") as info:
        datasets.MNIST(tmp_path)
    assert str(gzfile) in str(info.value)
    write_idx(raw / "train-images-idx3-ubyte", mnist_arrays(7, 0)[0], gz=True)
    with pytest.raises(RuntimeError, match="holds 7 images but .*holds 12 labels"):
        datasets.MNIST(tmp_path)


def test_emnist_splits_and_qmnist_targets(tmp_path):
    raw = tmp_path / "EMNIST" / "raw"
    raw.mkdir(parents=True)
    images, labels = mnist_arrays(6, 3)
    write_idx(raw / "emnist-letters-train-images-idx3-ubyte", images)
    write_idx(raw / "emnist-letters-train-labels-idx1-ubyte", labels, gz=True)
    em = datasets.EMNIST(tmp_path, split="letters")
    assert em.classes[:2] == ["N/A", "a"] and len(em) == 6 and em[2][1] == labels[2]
    assert len(datasets.EMNIST.classes_split_dict["byclass"]) == 62
    assert len(datasets.EMNIST.classes_split_dict["balanced"]) == 47
    with pytest.raises(ValueError, match="Unknown value 'bogus' for argument split"):
        datasets.EMNIST(tmp_path, split="bogus")

    raw = tmp_path / "QMNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    qimages = rng.integers(0, 256, (10003, 2, 2), dtype=np.uint8)
    qtargets = rng.integers(0, 1000, (10003, 8)).astype(">i4")
    write_idx(raw / "qmnist-test-images-idx3-ubyte", qimages, gz=True)
    write_idx(raw / "qmnist-test-labels-idx2-int", qtargets)
    q = datasets.QMNIST(tmp_path, what="test50k")
    assert len(q) == 3 and q[1][1] == qtargets[10001, 0]
    assert repr(q).endswith("Split: test50k")
    full = datasets.QMNIST(tmp_path, train=False, compat=False)
    assert len(full) == 10003 and full.targets.dtype == numtorch.int64
    assert np.array_equal(full[5][1].numpy(), qtargets[5])
    assert len(datasets.QMNIST(tmp_path, what="test10k")) == 10000


# -- __getitems__ ---------------------------------------------------------------------------

def test_getitems_batches_the_transform_and_matches_per_sample(tmp_path):
    make_mnist(tmp_path, n_train=40)
    calls = []
    t = BatchToTensor()
    orig = t._apply_batch
    t._apply_batch = lambda imgs: calls.append(imgs.shape) or orig(imgs)
    ds = datasets.MNIST(tmp_path, transform=t, target_transform=lambda y: y * 10)
    idx = [5, 0, 39, 5, -1]
    assert_same_samples(ds.__getitems__(idx), [ds[i] for i in idx])
    assert calls == [(5, 28, 28)]
    assert ds.__getitems__([]) == []

    for transform in (None, NoBatch(), str):
        ds = datasets.MNIST(tmp_path, transform=transform)
        got = ds.__getitems__([1, 2])
        assert len(got) == 2 and got[0][1] == ds[1][1]
        if transform is not str:
            assert_same_samples(got, [ds[1], ds[2]])


def test_dataloader_batches_equal_per_sample_batches(tmp_path):
    make_mnist(tmp_path, n_train=10)
    ds = datasets.MNIST(tmp_path, transform=BatchToTensor())
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(x.shape) == (4, 1, 28, 28) and y.dtype == numtorch.int64
    expected = np.stack([ds[i][0].numpy() for i in range(4)])
    assert np.array_equal(x.numpy(), expected)
    assert y.tolist() == [ds[i][1] for i in range(4)]


# -- downloading and the Debian copy -------------------------------------------------------

@pytest.fixture
def fake_debian(tmp_path, monkeypatch):
    """A folder of FashionMNIST-like .gz files, with the checksum tables pointing at them."""
    folder = tmp_path / "debian"
    folder.mkdir()
    made = {}
    resources, raw_md5 = [], {}
    for split, n, seed in (("train", 9, 0), ("t10k", 4, 1)):
        images, labels = mnist_arrays(n, seed)
        made[split] = images, labels
        for kind, arr in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{split}-{kind}-ubyte"
            path = write_idx(folder / name, arr, gz=True)
            resources.append((name + ".gz", md5(path)))
            raw_md5[name] = hashlib.md5(idx_bytes(arr)).hexdigest()
    monkeypatch.setattr(datasets.FashionMNIST, "resources", resources)
    monkeypatch.setattr(datasets.FashionMNIST, "raw_md5", raw_md5)
    monkeypatch.setattr(datasets.FashionMNIST, "mirrors", UNREACHABLE)
    monkeypatch.setenv("NUMTORCH_FASHION_MNIST_DIR", str(folder))
    return folder, made


def test_download_copies_the_debian_files_offline(tmp_path, fake_debian, capsys):
    folder, made = fake_debian
    root = tmp_path / "data"
    ds = datasets.FashionMNIST(root=str(root), train=True, download=True)
    out = capsys.readouterr().out
    assert f"Copying {folder}/train-images-idx3-ubyte.gz to " in out
    assert "Extracting " in out
    raw = root / "FashionMNIST" / "raw"
    assert sorted(os.listdir(raw)) == sorted(
        f"{s}-{k}-ubyte{e}" for s in ("train", "t10k") for k in ("images-idx3", "labels-idx1")
        for e in ("", ".gz"))
    assert not (raw / "train-images-idx3-ubyte").is_symlink()
    assert np.array_equal(ds.data.numpy(), made["train"][0])
    assert len(datasets.FashionMNIST(root=str(root), train=False, download=True)) == 4
    assert capsys.readouterr().out == ""  # already there: nothing to do


def test_debian_copy_recompressed_is_accepted_by_its_uncompressed_checksum(
        tmp_path, fake_debian, monkeypatch):
    folder, made = fake_debian
    resources = [(name, "0" * 32) for name, _ in datasets.FashionMNIST.resources]
    monkeypatch.setattr(datasets.FashionMNIST, "resources", resources)
    ds = datasets.FashionMNIST(root=str(tmp_path / "d"), train=False, download=True)
    assert np.array_equal(ds.targets.numpy(), made["t10k"][1])


def test_debian_copy_with_wrong_checksum_is_refused_with_both_remedies(
        tmp_path, fake_debian, monkeypatch):
    folder, _ = fake_debian
    monkeypatch.setattr(datasets.FashionMNIST, "raw_md5",
                        {k: "f" * 32 for k in datasets.FashionMNIST.raw_md5})
    (folder / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"tampered"))
    start = time.monotonic()
    with pytest.raises(RuntimeError) as info:
        datasets.FashionMNIST(root=str(tmp_path / "d"), download=True)
    assert time.monotonic() - start < 5
    msg = str(info.value)
    assert "Error downloading train-images-idx3-ubyte.gz" in msg
    assert f"{folder}/train-images-idx3-ubyte.gz was not used: its MD5 checksum is" in msg
    assert "apt-get install dataset-fashion-mnist" in msg
    assert "download=True" in msg and os.path.join("d", "FashionMNIST", "raw") in msg
    assert not os.path.exists(tmp_path / "d" / "FashionMNIST" / "raw" / "train-images-idx3-ubyte")


def test_mnist_download_without_network_says_how_to_get_the_files(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.MNIST, "mirrors", UNREACHABLE)
    with pytest.raises(RuntimeError, match="no mirror could be reached") as info:
        datasets.MNIST(tmp_path, download=True)
    assert "copy train-images-idx3-ubyte.gz" in str(info.value)
    assert "apt-get" not in str(info.value)


def test_download_url_is_atomic_and_checks_md5(tmp_path, capsys):
    src = tmp_path / "src.bin"
    src.write_bytes(b"payload" * 100)
    dest = tmp_path / "dl"
    with pytest.raises(RuntimeError, match="MD5 checksum of the download"):
        dutils.download_url(src.as_uri(), str(dest), "f.bin", md5="0" * 32)
    assert os.listdir(dest) == []  # no partial file left behind
    dutils.download_url(src.as_uri(), str(dest), "f.bin", md5=md5(src))
    assert (dest / "f.bin").read_bytes() == src.read_bytes()
    dutils.download_url(src.as_uri(), str(dest), "f.bin", md5=md5(src))
    assert "Using downloaded and verified file: " in capsys.readouterr().out
    with pytest.raises(ValueError, match="Expected type str for argument what"):
        dutils.verify_str_arg(3, "what", ("a",))


def test_only_transient_network_errors_are_retried():
    url_error = urllib.error.URLError
    assert not dutils._is_transient(url_error(socket.gaierror(-2, "Name or service not known")))
    assert not dutils._is_transient(url_error(ConnectionRefusedError(111, "refused")))
    assert not dutils._is_transient(url_error(TimeoutError("timed out")))  # no connection
    assert dutils._is_transient(TimeoutError("read timed out"))  # a stalled transfer
    assert dutils._is_transient(ConnectionResetError())
    assert dutils._is_transient(urllib.error.HTTPError("u", 503, "busy", {}, None))
    assert not dutils._is_transient(urllib.error.HTTPError("u", 404, "gone", {}, None))


# -- CIFAR ----------------------------------------------------------------------------------

def make_cifar(root, monkeypatch, cls=datasets.CIFAR10, n=3):
    folder = os.path.join(root, cls.base_folder)
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    label_key = "labels" if cls is datasets.CIFAR10 else "fine_labels"
    names_key = cls.meta["key"]
    listing = {}
    for attr in ("train_list", "test_list"):
        entries = []
        for name, _ in getattr(cls, attr):
            entry = {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
                     label_key: [int(v) for v in rng.integers(0, 10, n)]}
            path = os.path.join(folder, name)
            with open(path, "wb") as f:
                pickle.dump(entry, f)
            entries.append([name, md5(path)])
            listing.setdefault(attr, []).append(entry)
        monkeypatch.setattr(cls, attr, entries)
    meta_path = os.path.join(folder, cls.meta["filename"])
    with open(meta_path, "wb") as f:
        pickle.dump({names_key: [f"class{i}" for i in range(10)]}, f)
    monkeypatch.setattr(cls, "meta", dict(cls.meta, md5=md5(meta_path)))
    return listing


@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
def test_cifar_loads_batches_meta_and_images(tmp_path, monkeypatch, cls):
    listing = make_cifar(tmp_path, monkeypatch, cls)
    ds = cls(str(tmp_path), train=True, transform=BatchToTensor())
    first = listing["train_list"][0]
    n_train = sum(len(e["data"]) for e in listing["train_list"])
    assert isinstance(ds.data, np.ndarray) and ds.data.shape == (n_train, 32, 32, 3)
    assert ds.data.dtype == np.uint8 and isinstance(ds.targets, list)
    assert ds.classes[1] == "class1" and ds.class_to_idx["class2"] == 2
    expected0 = first["data"][0].reshape(3, 32, 32).transpose(1, 2, 0)
    raw = cls(str(tmp_path), train=True)
    img, target = raw[0]
    assert img.mode == "RGB" and np.array_equal(np.asarray(img), expected0)
    label_key = "labels" if cls is datasets.CIFAR10 else "fine_labels"
    assert target == first[label_key][0]
    idx = [2, 0, 1, 2]
    assert_same_samples(ds.__getitems__(idx), [ds[i] for i in idx])
    assert_same_samples(raw.__getitems__(idx), [raw[i] for i in idx])
    test = cls(str(tmp_path), train=False)
    assert len(test) == 3 and repr(test).splitlines()[-1] == "    Split: Test"


def test_cifar_corrupt_batch_is_named(tmp_path, monkeypatch):
    make_cifar(tmp_path, monkeypatch)
    bad = tmp_path / "cifar-10-batches-py" / "data_batch_2"
    bad.write_bytes(b"garbage")
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted") as info:
        datasets.CIFAR10(str(tmp_path))
    assert f"{bad}: MD5 checksum is" in str(info.value)
    with pytest.raises(RuntimeError, match="data_batch_1: missing"):
        datasets.CIFAR10(str(tmp_path / "nowhere"))


# -- ImageFolder ----------------------------------------------------------------------------

def make_folder(root):
    rng = np.random.default_rng(0)
    files = {"cat": ["b.png", "a.jpg", "sub/c.png"], "dog": ["z.bmp", "notes.txt"]}
    for cls, names in files.items():
        for name in names:
            path = os.path.join(root, cls, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if name.endswith(".txt"):
                with open(path, "w") as f:
                    f.write("x")
            else:
                Image.fromarray(rng.integers(0, 256, (5, 4, 3), dtype=np.uint8)).save(path)


def test_image_folder_finds_sorted_samples(tmp_path):
    make_folder(tmp_path)
    ds = datasets.ImageFolder(str(tmp_path))
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    names = [os.path.relpath(p, tmp_path) for p, _ in ds.samples]
    assert names == ["cat/a.jpg", "cat/b.png", "cat/sub/c.png", "dog/z.bmp"]
    assert ds.targets == [0, 0, 0, 1] and ds.imgs is ds.samples
    img, target = ds[3]
    assert img.mode == "RGB" and img.size == (4, 5) and target == 1
    only_png = datasets.ImageFolder(str(tmp_path), is_valid_file=lambda p: p.endswith(".png"),
                                    allow_empty=True)
    assert len(only_png) == 2
    txt = datasets.DatasetFolder(str(tmp_path), loader=open, extensions=".txt",
                                 allow_empty=True)
    assert len(txt) == 1 and txt.targets == [1]
    assert repr(ds) == f"Dataset ImageFolder\n    Number of datapoints: 4\n    Root location: {tmp_path}"


def test_image_folder_errors(tmp_path):
    make_folder(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty. "
                                                "Supported extensions are: .jpg, .jpeg"):
        datasets.ImageFolder(str(tmp_path))
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in"):
        datasets.ImageFolder(str(tmp_path / "empty"))
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None"):
        datasets.DatasetFolder(str(tmp_path), loader=open, extensions=".png",
                               is_valid_file=bool)
    with pytest.raises(ValueError, match="The class_to_idx parameter cannot be None"):
        datasets.DatasetFolder.make_dataset(str(tmp_path), None, extensions=".png")


# -- FakeData -------------------------------------------------------------------------------

@pytest.mark.parametrize("image_size", [(3, 6, 5), (1, 4, 4), (4, 3, 2), (5, 7)])
def test_fakedata_draws_torchvisions_images(image_size):
    ds = datasets.FakeData(size=5, image_size=image_size, num_classes=7, random_offset=3)
    numtorch.manual_seed(11)
    before = numtorch.rand(1)
    numtorch.manual_seed(11)
    for index in (0, 4):
        img, target = ds[index]
        torch.manual_seed(index + 3)
        values = torch.randn(*image_size)
        expected_target = int(torch.randint(0, 7, size=(1,), dtype=torch.long)[0])
        pixels = values.mul(255).byte()
        if pixels.dim() == 2:
            pixels = pixels.unsqueeze(0)
        pixels = pixels.permute(1, 2, 0).numpy()
        if pixels.shape[2] == 1:
            pixels = pixels[:, :, 0]
        assert np.array_equal(np.asarray(img), pixels)
        assert type(target) is int and target == expected_target
    assert numtorch.rand(1).item() == before.item()  # the global stream is untouched
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[5]


def test_fakedata_getitems_and_repr():
    ds = datasets.FakeData(size=6, image_size=(3, 8, 8), transform=BatchToTensor(),
                           target_transform=lambda t: -t)
    assert_same_samples(ds.__getitems__([5, 1, 1]), [ds[5], ds[1], ds[1]])
    plain = datasets.FakeData(size=3, image_size=(1, 2, 2))
    assert_same_samples(plain.__getitems__([0, 2]), [plain[0], plain[2]])
    assert repr(plain) == "Dataset FakeData\n    Number of datapoints: 3"


# -- real FashionMNIST ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def real_fashion(tmp_path_factory):
    if not all(os.path.isfile(os.path.join(DEBIAN_FASHION, f"{s}-{k}-ubyte.gz"))
               for s in ("train", "t10k") for k in ("images-idx3", "labels-idx1")):
        pytest.skip(f"the Debian package dataset-fashion-mnist is not installed "
                    f"({DEBIAN_FASHION} missing)")
    root = tmp_path_factory.mktemp("real") / "data"
    saved = os.environ.pop("NUMTORCH_FASHION_MNIST_DIR", None)
    try:
        train = datasets.FashionMNIST(root=str(root), train=True, download=True)
        test = datasets.FashionMNIST(root=str(root), train=False, download=True)
    finally:
        if saved is not None:
            os.environ["NUMTORCH_FASHION_MNIST_DIR"] = saved
    return train, test


def gz_array(name, offset):
    with gzip.open(os.path.join(DEBIAN_FASHION, name)) as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def test_real_fashion_mnist_matches_the_files(real_fashion):
    train, test = real_fashion
    assert len(train) == 60000 and len(test) == 10000
    for ds, split in ((train, "train"), (test, "t10k")):
        labels = gz_array(f"{split}-labels-idx1-ubyte.gz", 8)
        pixels = gz_array(f"{split}-images-idx3-ubyte.gz", 16)
        assert ds.targets[:20].tolist() == labels[:20].tolist()
        assert int(ds.targets.numpy().sum()) == int(labels.sum(dtype=np.int64))
        assert int(ds.data.numpy().sum(dtype=np.int64)) == int(pixels.sum(dtype=np.int64))
        img, target = ds[len(ds) - 1]
        assert np.array_equal(np.asarray(img), pixels[-784:].reshape(28, 28))
        assert target == labels[-1]
    assert train.targets[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert repr(train) == ("Dataset FashionMNIST\n    Number of datapoints: 60000\n"
                           f"    Root location: {train.root}\n    Split: Train")
