"""nn.utils.fusion: BatchNorm folded into a conv/linear layer gives the layer+bn output and
PyTorch's fused weights; errors as PyTorch's. Also nn.utils.stateless.functional_call."""

import numpy as np
import pytest
import torch

import numtorch
from numtorch import nn

RNG = np.random.default_rng(0)


def _pair(make_layer, bn_features, bn_cls="BatchNorm2d", affine=True):
    """The same layer + eval-mode BatchNorm (with non-trivial statistics) in both libraries."""
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        layer = make_layer(lib)
        bn = getattr(lib.nn, bn_cls)(bn_features, affine=affine)
        out.append((lib, layer, bn))
    stats = [RNG.standard_normal(bn_features).astype(np.float32),
             RNG.uniform(0.5, 2.0, bn_features).astype(np.float32)]
    affine_values = [RNG.standard_normal(bn_features).astype(np.float32) for _ in range(2)]
    for lib, _, bn in out:
        with lib.no_grad():
            bn.running_mean.copy_(lib.tensor(stats[0]))
            bn.running_var.copy_(lib.tensor(stats[1]))
            if affine:
                bn.weight.copy_(lib.tensor(affine_values[0]))
                bn.bias.copy_(lib.tensor(affine_values[1]))
    return out


@pytest.mark.parametrize("conv, bn_cls, shape, transpose", [
    (lambda lib: lib.nn.Conv2d(3, 4, 3), "BatchNorm2d", (2, 3, 6, 6), False),
    (lambda lib: lib.nn.Conv2d(3, 4, 3, bias=False), "BatchNorm2d", (2, 3, 6, 6), False),
    (lambda lib: lib.nn.Conv1d(3, 4, 2, groups=1), "BatchNorm1d", (2, 3, 7), False),
    (lambda lib: lib.nn.ConvTranspose2d(3, 4, 2, stride=2), "BatchNorm2d", (1, 3, 4, 4), True),
])
@pytest.mark.parametrize("affine", [True, False])
def test_fuse_conv_bn_eval_equals_conv_then_bn(conv, bn_cls, shape, transpose, affine):
    x = RNG.standard_normal(shape).astype(np.float32)
    results = []
    for lib, layer, bn in _pair(conv, 4, bn_cls, affine):
        layer.eval()
        bn.eval()
        fused = lib.nn.utils.fuse_conv_bn_eval(layer, bn, transpose=transpose)
        assert fused is not layer and type(fused) is type(layer)
        with lib.no_grad():
            np.testing.assert_allclose(fused(lib.tensor(x)).numpy(),
                                       bn(layer(lib.tensor(x))).numpy(), rtol=1e-4, atol=1e-5)
        results.append([t.detach().numpy() for t in (fused.weight, fused.bias)] +
                       [type(fused.weight).__name__, fused.bias.requires_grad])
    for a, b in zip(*results):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        else:
            assert a == b


def test_fuse_linear_bn_eval_equals_linear_then_bn():
    x = RNG.standard_normal((5, 3)).astype(np.float32)
    for make, features in ((lambda lib: lib.nn.Linear(3, 4), 4),
                           (lambda lib: lib.nn.Linear(3, 4, bias=False), 4)):
        results = []
        for lib, layer, bn in _pair(make, features, "BatchNorm1d"):
            layer.eval()
            bn.eval()
            fused = lib.nn.utils.fuse_linear_bn_eval(layer, bn)
            with lib.no_grad():
                np.testing.assert_allclose(fused(lib.tensor(x)).numpy(),
                                           bn(layer(lib.tensor(x))).numpy(), rtol=1e-5,
                                           atol=1e-6)
            results.append([t.detach().numpy() for t in (fused.weight, fused.bias)])
        for a, b in zip(*results):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_fuse_weights_keep_dtypes_and_requires_grad():
    for lib in (numtorch, torch):
        w = lib.ones(4, 2, 3, 3, dtype=lib.float64, requires_grad=True)
        stats = lib.ones(4), lib.full((4,), 3.0)
        fw, fb = lib.nn.utils.fuse_conv_bn_weights(w, None, *stats, 1.0, None, None)
        assert fw.dtype == lib.float64 and fb.dtype == lib.float64
        assert fw.requires_grad and not fb.requires_grad  # the zero bias needed no grad
        assert fb.tolist() == [-0.5] * 4 and fw[0, 0, 0, 0].item() == 0.5
        lw, lb = lib.nn.utils.fuse_linear_bn_weights(lib.ones(4, 2), lib.zeros(4), *stats,
                                                     1.0, lib.ones(4), lib.zeros(4))
        assert lb.tolist() == [-0.5] * 4 and type(lw) is lib.nn.Parameter


@pytest.mark.parametrize("call, match", [
    (lambda lib: lib.nn.utils.fuse_conv_bn_eval(lib.nn.Conv2d(1, 2, 1),
                                                lib.nn.BatchNorm2d(2).eval()),
     "^Fusion only for eval!$"),
    (lambda lib: lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(1, 2).eval(),
                                                  lib.nn.BatchNorm1d(2)),
     "^Fusion only for eval!$"),
    (lambda lib: lib.nn.utils.fuse_linear_bn_eval(lib.nn.Linear(1, 3).eval(),
                                                  lib.nn.BatchNorm1d(2).eval()),
     r"^To fuse, linear.out_features == bn.num_features or bn.num_features == 1, got "
     r"linear.out_features=3 and bn.num_features=2$"),
    (lambda lib: lib.nn.utils.fuse_conv_bn_eval(
        lib.nn.Conv2d(1, 2, 1).eval(), lib.nn.BatchNorm2d(2, track_running_stats=False).eval()),
     "^bn.running_mean and bn.running_var must not be None$"),
])
def test_fusion_errors_match_torch(call, match):
    for lib in (numtorch, torch):
        with pytest.raises(AssertionError, match=match):
            call(lib)


def test_stateless_functional_call_is_the_deprecated_func_functional_call():
    model = nn.Linear(2, 1)
    weights = {"weight": numtorch.ones(1, 2), "bias": numtorch.zeros(1)}
    with pytest.warns(FutureWarning, match="`numtorch.nn.utils.stateless.functional_call` is "
                                           "deprecated as of PyTorch 2.0"):
        out = nn.utils.stateless.functional_call(model, weights, (numtorch.tensor([[1.0, 2.0]]),))
    assert out.tolist() == [[3.0]]
    assert not numtorch.equal(model.weight, numtorch.ones(1, 2))  # restored after the call
