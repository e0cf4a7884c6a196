"""The top-level names PyTorch programs reach for: present, and the same function as torch's."""

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
