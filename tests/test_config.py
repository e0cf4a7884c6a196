"""The process-wide switches scripts set (deterministic algorithms, float32 matmul
precision, inter-op threads), typename, is_complex and compile, against PyTorch."""

from __future__ import annotations

import warnings

import pytest

import numtorch
from tests.utils import torch


@pytest.fixture(autouse=True)
def _restore():
    saved = [(lib, lib.are_deterministic_algorithms_enabled(),
              lib.is_deterministic_algorithms_warn_only_enabled(),
              lib.get_float32_matmul_precision()) for lib in (numtorch, torch)]
    yield
    for lib, det, warn_only, precision in saved:
        lib.use_deterministic_algorithms(det, warn_only=warn_only)
        lib.set_float32_matmul_precision(precision)


def _outcome(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", fn())
        except Exception as e:  # noqa: BLE001 - the outcome is what we compare
            result = (type(e).__name__, str(e))
    # PyTorch's own noise (DeprecationWarnings from torch.jit; where in its C++ a warning
    # was raised) is not part of the behaviour compared.
    return result + tuple(str(w.message).split(" (Triggered internally")[0] for w in caught
                          if issubclass(w.category, UserWarning))


@pytest.mark.parametrize("call", [
    "lib.are_deterministic_algorithms_enabled()",
    "lib.use_deterministic_algorithms(True) or lib.are_deterministic_algorithms_enabled()",
    "lib.use_deterministic_algorithms(True, warn_only=True) or "
    "lib.is_deterministic_algorithms_warn_only_enabled()",
    "lib.use_deterministic_algorithms(1)", "lib.use_deterministic_algorithms(True, warn_only=1)",
    "lib.get_float32_matmul_precision()",
    "lib.set_float32_matmul_precision('high') or lib.get_float32_matmul_precision()",
    "lib.set_float32_matmul_precision('low') or lib.get_float32_matmul_precision()",
    "lib.set_float32_matmul_precision(3)", "lib.set_num_interop_threads(0)",
    "lib.typename(3)", "lib.typename([])", "lib.typename(int)", "lib.typename(len)", "lib.is_complex(lib.ones(1))", "lib.is_complex([1])",
    "lib.compile(lambda x: x + 1)(3)", "lib.compile(3)",
    "lib.compile(mode='max-autotune')(lambda x: x * 2)(4)",
])
def test_switches_as_torch(call):
    ours = _outcome(lambda: eval(call, {"lib": numtorch}))
    ref = _outcome(lambda: eval(call, {"lib": torch}))
    assert ours == ref


def test_typename_of_tensors_and_modules():
    assert numtorch.typename(numtorch.ones(2)) == "numtorch.FloatTensor"
    assert numtorch.typename(numtorch.ones(2, dtype=numtorch.int64)) == "numtorch.LongTensor"
    assert numtorch.typename(numtorch.nn.Linear(1, 1)) == "numtorch.nn.modules.linear.Linear"
    assert torch.typename(torch.nn.Linear(1, 1)) == "torch.nn.modules.linear.Linear"


def test_compiled_module_wraps_the_module_as_torch_does():
    numtorch.manual_seed(0)
    torch.manual_seed(0)
    ours, ref = numtorch.compile(numtorch.nn.Linear(3, 2)), torch.compile(torch.nn.Linear(3, 2))
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["_orig_mod.weight",
                                                                 "_orig_mod.bias"]
    assert ours.in_features == 3 and ours.weight is ours._orig_mod.weight
    x = numtorch.ones(4, 3)
    assert numtorch.equal(ours(x), ours._orig_mod(x))
    ours(x).sum().backward()
    assert ours._orig_mod.weight.grad is not None
    assert len(list(ours.parameters())) == 2
