"""numtorch.accelerator answers as PyTorch's does on a machine without an accelerator."""

from __future__ import annotations

import pytest

import numtorch
from tests.utils import torch

NEEDS_A_DEVICE = [("current_device_index", ()), ("set_device_index", (0,)),
                  ("synchronize", ()), ("empty_cache", ()), ("empty_host_cache", ()),
                  ("memory_allocated", ()), ("max_memory_allocated", ()),
                  ("memory_reserved", ()), ("max_memory_reserved", ()), ("memory_stats", ()),
                  ("reset_peak_memory_stats", ()), ("reset_accumulated_memory_stats", ()),
                  ("get_memory_info", ()), ("current_stream", ()),
                  ("get_device_capability", ())]


def test_the_tutorial_device_line_gives_cpu():
    for lib in (numtorch, torch):
        a = lib.accelerator
        device = a.current_accelerator().type if a.is_available() else "cpu"
        assert device == "cpu"
        assert a.current_accelerator() is None and a.current_accelerator(True) is None
        assert a.device_count() == 0
        with a.device_index(None):
            pass


@pytest.mark.parametrize("name, args", NEEDS_A_DEVICE)
def test_what_needs_a_device_raises_as_torch(name, args):
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError, match="Cannot access accelerator device when none is "
                                               "available."):
            getattr(lib.accelerator, name)(*args)


def test_deprecated_names_and_device_index():
    for lib in (numtorch, torch):
        with pytest.warns(FutureWarning, match="Use `current_device_index` instead."):
            with pytest.raises(RuntimeError):
                lib.accelerator.current_device_idx()
        with pytest.raises(RuntimeError, match="Cannot access accelerator device"):
            with lib.accelerator.device_index(0):
                pass


def test_xpu_probes_answer_as_a_cpu_build():
    # mnist_forward_forward picks its device with `torch.xpu.is_available()`.
    for lib in (numtorch, torch):
        x = lib.xpu
        assert x.is_available() is False
        assert x.device_count() == 0
        assert x.is_initialized() is False
        assert x.is_bf16_supported() is False
        assert x.manual_seed(1) is None and x.manual_seed_all(1) is None
        assert x.seed() is None and x.seed_all() is None and x.empty_cache() is None


@pytest.mark.parametrize("name", ["current_device", "synchronize", "get_device_name", "init",
                                  "initial_seed"])
def test_xpu_needing_a_device_raises_as_torch(name):
    for lib in (numtorch, torch):
        with pytest.raises(AssertionError, match="^Torch not compiled with XPU enabled$"):
            getattr(lib.xpu, name)()


DEVICE_TYPES = ["cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone"]


@pytest.mark.parametrize("name", DEVICE_TYPES)
def test_every_device_type_of_torch_can_be_named(name):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = numtorch.device(name + ":1"), torch.device(name + ":1")
    assert (ours.type, ours.index, str(ours)) == (theirs.type, theirs.index, str(theirs))


def test_an_unknown_device_type_lists_torchs_types():
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError, match="^Expected one of cpu, cuda, ipu, xpu, mkldnn, "
                                               "opengl, opencl, ideep, hip, ve, fpga, maia, "
                                               "xla, lazy, vulkan, mps, meta, hpu, mtia, "
                                               "privateuseone device type at start of device "
                                               "string: npu$"):
            lib.device("npu")


@pytest.mark.parametrize("name, error, match", [
    ("xpu", AssertionError, "^Torch not compiled with XPU enabled$"),
    ("mps", RuntimeError, "^(numtorch|PyTorch) is not linked with support for mps devices$"),
    ("vulkan", RuntimeError, "^(numtorch|PyTorch) is not linked with support for vulkan "
                             "devices$"),
])
def test_a_tensor_cannot_move_to_a_device_without_support(name, error, match):
    for lib in (numtorch, torch):
        with pytest.raises(error, match=match):
            lib.ones(1).to(name)


def test_the_mkldnn_device_type_warns_once_as_deprecated():
    import warnings

    from numtorch import _device

    _device._mkldnn_warned = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        numtorch.device("mkldnn")
        numtorch.device("mkldnn")
    assert [str(w.message) for w in caught] == [
        "'mkldnn' is no longer used as device type. So numtorch.device('mkldnn') will be "
        "deprecated and removed in the future. Please use other valid device types instead."]


@pytest.mark.parametrize("name, args", [
    ("seed", ()), ("synchronize", ()), ("get_rng_state", ()), ("empty_cache", ()),
    ("current_allocated_memory", ()), ("driver_allocated_memory", ()),
    ("recommended_max_memory", ()), ("set_per_process_memory_fraction", (0.5,)),
])
def test_mps_needing_a_device_raises_as_torch(name, args):
    messages = []
    for lib in (numtorch, torch):
        with pytest.raises(RuntimeError, match="^Cannot execute .* without MPS backend.$") as e:
            getattr(lib.mps, name)(*args)
        messages.append(str(e.value))
    assert messages[0] == messages[1]


def test_mps_answers_as_torch_without_metal():
    assert numtorch.mps.is_available() is torch.mps.is_available() is False
    assert numtorch.mps.device_count() == torch.mps.device_count() == 0
    assert numtorch.mps.manual_seed(3) is None and torch.mps.manual_seed(3) is None
