"""numtorch.distributions' namespace: what its docstring promises, checked against torch."""

import numtorch
from tests.utils import torch


def test_every_distribution_and_transform_torch_exports_is_here():
    assert sorted(numtorch.distributions.__all__) == sorted(torch.distributions.__all__)
    for name in torch.distributions.__all__:
        assert hasattr(numtorch.distributions, name), name


def test_every_kl_pair_torch_registers_is_registered():
    def pairs(kl):
        return {(p.__name__, q.__name__) for p, q in kl._KL_REGISTRY}

    assert pairs(numtorch.distributions.kl) == pairs(torch.distributions.kl)
