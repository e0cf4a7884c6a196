"""The top-level names PyTorch programs reach for: present, and the same function as torch's."""

import importlib
import pickle
import warnings

import numpy as np
import pytest
import torch

import numtorch

X = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)

# name -> positional arguments after the input, as torch's top-level function takes them
SAME_SIGNATURE = {
    "celu": (), "selu": (), "hardshrink": (0.3,), "rrelu": (0.1, 0.3, False),
    "threshold": (0.1, 20.0), "dropout": (0.5, False), "alpha_dropout": (0.5, False),
    "feature_alpha_dropout": (0.5, False), "layer_norm": ((4,),), "rms_norm": ((4,),),
    "group_norm": (1,),
}


@pytest.mark.parametrize("name", sorted(SAME_SIGNATURE))
def test_top_level_function_matches_torch(name):
    args = SAME_SIGNATURE[name]
    got = getattr(numtorch, name)(numtorch.tensor(X), *args)
    want = getattr(torch, name)(torch.tensor(X), *args)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6, atol=1e-6)


def test_in_place_top_level_forms():
    for name in ("relu_", "selu_", "celu_"):
        a, b = numtorch.tensor(X), torch.tensor(X)
        getattr(numtorch, name)(a)
        getattr(torch, name)(b)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


def test_pairwise_helpers_and_bilinear():
    a, b = X, X[::-1].copy()
    np.testing.assert_allclose(
        numtorch.cosine_similarity(numtorch.tensor(a), numtorch.tensor(b)).numpy(),
        torch.cosine_similarity(torch.tensor(a), torch.tensor(b)).numpy(), rtol=1e-6)
    np.testing.assert_allclose(
        numtorch.pairwise_distance(numtorch.tensor(a), numtorch.tensor(b)).numpy(),
        torch.pairwise_distance(torch.tensor(a), torch.tensor(b)).numpy(), rtol=1e-6)
    w = np.ones((2, 4, 4), np.float32)
    np.testing.assert_allclose(
        numtorch.bilinear(numtorch.tensor(a), numtorch.tensor(b), numtorch.tensor(w)).numpy(),
        torch.bilinear(torch.tensor(a), torch.tensor(b), torch.tensor(w)).numpy(), rtol=1e-5)


def test_missing_pytorch_feature_is_named():
    with pytest.raises(AttributeError, match=r"torch\.export is not implemented in numtorch"):
        numtorch.export  # noqa: B018
    assert not hasattr(numtorch, "export")


def test_backends_report_no_accelerator_like_torch_on_a_cpu_build():
    assert numtorch.backends.mps.is_available() is False
    assert numtorch.backends.cudnn.is_available() is False
    assert numtorch.backends.cudnn.benchmark is False
    numtorch.backends.cudnn.benchmark = True  # programs set it; it is a plain flag here
    numtorch.backends.cudnn.benchmark = False


def test_set_num_threads_sets_ours_and_refuses_nonsense():
    before = numtorch.get_num_threads()
    try:
        numtorch.set_num_threads(1)
        assert numtorch.get_num_threads() == 1
    finally:
        numtorch.set_num_threads(before)
    with pytest.raises(RuntimeError, match="set_num_threads expects a positive integer, got 0"):
        numtorch.set_num_threads(0)


@pytest.mark.parametrize("name", ["e", "pi", "inf", "nan", "newaxis"])
def test_constants_are_torchs(name):
    ours, theirs = getattr(numtorch, name), getattr(torch, name)
    assert type(ours) is type(theirs)
    assert ours == theirs or (ours != ours and theirs != theirs)  # nan equals nothing


def test_constants_in_use():
    x = numtorch.tensor([1.0, 2.0, 3.0])
    assert x[:, numtorch.newaxis].shape == (3, 1)
    masked = x.masked_fill(x > 2, -numtorch.inf)
    assert masked.tolist() == [1.0, 2.0, float("-inf")]
    assert numtorch.sin(numtorch.tensor(numtorch.pi / 2)).item() == 1.0


def test_version_module_reports_a_cpu_build():
    assert numtorch.version.__all__ == torch.version.__all__
    assert numtorch.version.__version__ == numtorch.__version__
    for name in ("cuda", "hip", "rocm", "xpu"):
        assert getattr(numtorch.version, name) is None is getattr(torch.version, name)
    assert numtorch.version.debug is False
    assert isinstance(numtorch.version.git_version, str)


def test_cpu_module_answers_like_torch_cpu():
    for name in ("is_available", "is_initialized", "current_device", "device_count"):
        assert getattr(numtorch.cpu, name)() == getattr(torch.cpu, name)(), name
    numtorch.cpu.synchronize()
    numtorch.cpu.set_device("cpu")
    default = numtorch.cpu.current_stream()
    s = numtorch.cpu.Stream()
    with numtorch.cpu.stream(s):
        assert numtorch.cpu.current_stream() is s
        with numtorch.cpu.stream(None):  # None leaves the current stream as it is
            assert numtorch.cpu.current_stream() is s
    assert numtorch.cpu.current_stream() is default
    event = numtorch.cpu.Event()
    event.record()
    event.wait()
    event.synchronize()
    assert event.query() is True
    s.wait_stream(default)
    s.wait_event(event)


def test_cpu_amp_names_are_deprecated_aliases():
    with pytest.warns(FutureWarning, match=r"`numtorch.cpu.amp.autocast\(args...\)` is "
                                           r"deprecated. Please use `numtorch.amp.autocast"
                                           r"\('cpu', args...\)` instead."):
        ctx = numtorch.cpu.amp.autocast(enabled=False)
    assert isinstance(ctx, numtorch.amp.autocast)
    with pytest.warns(FutureWarning, match=r"numtorch.cpu.amp.GradScaler"):
        scaler = numtorch.cpu.amp.GradScaler(init_scale=8.0)
    assert scaler.get_scale() == torch.amp.GradScaler("cpu", init_scale=8.0).get_scale()


@pytest.fixture
def restore_default_dtype():
    yield
    numtorch.set_default_dtype(numtorch.float32)


@pytest.mark.parametrize("t", ["DoubleTensor", "torch.DoubleTensor", "HalfTensor",
                               "torch.FloatTensor"])
def test_set_default_tensor_type_sets_the_default_dtype(t, restore_default_dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        numtorch.set_default_tensor_type(getattr(numtorch, t) if "." not in t else t)
        torch.set_default_tensor_type(getattr(torch, t) if "." not in t else t)
    try:
        assert str(numtorch.get_default_dtype()).split(".")[1] == \
            str(torch.get_default_dtype()).split(".")[1]
        assert numtorch.tensor([1.0]).dtype == numtorch.get_default_dtype()
    finally:
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("t, error, match", [
    ("LongTensor", TypeError, "^only floating-point types are supported as the default type$"),
    ("torch.IntTensor", TypeError, "^only floating-point types are supported as the default"),
    (3, TypeError, "^invalid type object: only floating-point types are supported as the "),
    ("float64", TypeError, "^invalid type object: only floating-point types"),
    ("torch.cuda.FloatTensor", TypeError, r"^type torch.cuda.FloatTensor not available. Torch "
                                          r"not compiled with CUDA enabled.$"),
    ("no_such_module_xyz", ModuleNotFoundError, "No module named 'no_such_module_xyz'"),
])
def test_set_default_tensor_type_refuses_like_torch(t, error, match, restore_default_dtype):
    for lib in (numtorch, torch):
        arg = getattr(lib, t) if isinstance(t, str) and hasattr(lib, t) else t
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(error, match=match):
                lib.set_default_tensor_type(arg)
    assert numtorch.get_default_dtype() == numtorch.float32


def test_set_default_tensor_type_warns_once(restore_default_dtype):
    numtorch._tensor_types._default_type_warned = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        numtorch.set_default_tensor_type(numtorch.FloatTensor)
        numtorch.set_default_tensor_type(numtorch.FloatTensor)
    assert [str(w.message) for w in caught] == [
        "numtorch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "numtorch.set_default_dtype() and numtorch.set_default_device() as alternatives."]
    assert caught[0].filename == __file__


def _round_trips(fn) -> bool:
    try:
        return pickle.loads(pickle.dumps(fn)) is fn
    except (pickle.PicklingError, AttributeError, TypeError):
        return False


@pytest.mark.parametrize("namespace", ["", "nn.functional"])
def test_public_functions_pickle_as_themselves_like_torch(namespace):
    # A module saved whole pickles the functions it holds by name (TransformerEncoderLayer
    # keeps F.relu): each must be found again under the name it reports.
    ours, theirs = numtorch, torch
    for part in filter(None, namespace.split(".")):
        ours, theirs = getattr(ours, part), getattr(theirs, part)
    broken = [name for name in dir(ours)
              if not name.startswith("_") and callable(fn := getattr(ours, name))
              and not isinstance(fn, type) and callable(getattr(theirs, name, None))
              and _round_trips(getattr(theirs, name)) and not _round_trips(fn)]
    assert broken == []


def test_checked_functions_report_where_they_are_reached():
    assert torch.nn.functional.relu.__module__ == "torch.nn.functional"
    assert numtorch.nn.functional.relu.__module__ == "numtorch.nn.functional"
    assert numtorch.add.__module__ == "numtorch" and torch.add.__module__ == "torch"
    assert numtorch.nn.functional.relu_.__name__ == torch.nn.functional.relu_.__name__ == "relu_"
    assert numtorch.nn.functional.hardtanh_.__name__ == "hardtanh_"


# Every torch.nn class numtorch has: a pickle or a safe_globals list names it by PyTorch's
# module (torch.nn.modules.instancenorm.InstanceNorm2d), and that name must reach numtorch's
# class even where numtorch defines it in another file.
MOVED_CLASSES = sorted(
    name for name in dir(torch.nn)
    if isinstance(getattr(torch.nn, name), type) and hasattr(numtorch.nn, name)
    and getattr(torch.nn, name).__module__.startswith("torch.nn."))


@pytest.mark.parametrize("name", MOVED_CLASSES)
def test_nn_class_resolves_under_torchs_module_path(name):
    module = getattr(torch.nn, name).__module__  # e.g. torch.nn.modules.activation
    ours = importlib.import_module("numtorch" + module[len("torch"):])
    assert getattr(ours, name) is getattr(numtorch.nn, name)
    with pytest.raises(AttributeError, match="has no attribute 'NoSuchLayer'"):
        ours.NoSuchLayer  # noqa: B018


@pytest.mark.parametrize("name", ["cudnn", "mps", "cuda", "mkldnn", "mkl", "openmp"])
def test_backends_are_importable_submodules_like_torch(name):
    # DCGAN and the ImageNet example: ``import torch.backends.cudnn as cudnn``
    theirs = importlib.import_module(f"torch.backends.{name}")
    ours = importlib.import_module(f"numtorch.backends.{name}")
    assert ours is getattr(numtorch.backends, name)
    assert ours.__name__ == f"numtorch.backends.{name}"
    assert isinstance(ours, type(importlib)) and isinstance(theirs, type(importlib))
    if hasattr(theirs, "is_available"):
        assert ours.is_available() is False


def test_cudnn_flag_set_through_the_imported_module_is_seen_everywhere():
    import numtorch.backends.cudnn as cudnn

    cudnn.benchmark = True
    try:
        assert numtorch.backends.cudnn.benchmark is True
    finally:
        cudnn.benchmark = False
