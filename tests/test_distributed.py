"""numtorch.distributed: importable, and says it is not available, as a PyTorch build
without distributed support does (the ImageNet example imports it unconditionally)."""

import pytest

import numtorch
import numtorch.distributed as dist


def test_distributed_is_importable_and_not_available():
    assert numtorch.distributed is dist
    assert dist.is_available() is False


def test_process_group_functions_are_absent():
    with pytest.raises(AttributeError, match="init_process_group"):
        dist.init_process_group("gloo")
