import numpy as np
import pytest

import numtorch


@pytest.fixture(autouse=True)
def _fresh_state():
    """Every test leaves the default dtype, grad mode and print options as it found them."""
    numtorch.set_default_dtype(numtorch.float32)
    yield
    numtorch.set_default_dtype(numtorch.float32)
    numtorch.autograd.grad_mode._set(True)
    numtorch.set_printoptions(profile="default")


@pytest.fixture
def rng():
    return np.random.default_rng(0)
