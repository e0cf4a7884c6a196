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
