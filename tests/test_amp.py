"""numtorch.amp (autocast, GradScaler) against PyTorch's CPU build: the CUDA forms disabled
with PyTorch's warnings, the CPU GradScaler's scaling, skipped steps and scale updates."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from tests.utils import torch


def _model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 1))


def _train(lib, scaler, steps=7, bad=(2, 5)):
    """A few SGD steps through ``scaler``; at the steps in ``bad`` one gradient is made inf."""
    model = _model(lib)
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(1)
    history = []
    for step in range(steps):
        x = lib.tensor(rng.standard_normal((6, 4)).astype(np.float32))
        y = lib.tensor(rng.standard_normal((6, 1)).astype(np.float32))
        loss = ((model(x) - y) ** 2).mean()
        scaled = scaler.scale(loss)
        scaled.backward()
        if step in bad:
            with lib.no_grad():
                model[0].weight.grad[0, 0] = float("inf")
        if step % 2:
            scaler.unscale_(opt)  # explicit unscale (e.g. for clipping) on odd steps
        result = scaler.step(opt)
        scaler.update()
        opt.zero_grad()
        history.append((float(scaled.detach()), scaler.get_scale(), result is None,
                        scaler.state_dict().get("_growth_tracker")))
    return model, history


def test_cpu_grad_scaler_follows_torch():
    ours = numtorch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2)
    theirs = torch.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=2)
    m, h = _train(numtorch, ours)
    mt, ht = _train(torch, theirs)
    for (s, sc, skipped, tracker), (st, sct, skippedt, trackert) in zip(h, ht):
        np.testing.assert_allclose(s, st, rtol=1e-5)
        assert (sc, skipped, tracker) == (sct, skippedt, trackert)
    for p, pt in zip(m.parameters(), mt.parameters()):
        np.testing.assert_allclose(p.detach().numpy(), pt.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert ours.state_dict() == theirs.state_dict()


def test_cuda_forms_are_disabled_with_torchs_warnings():
    with pytest.warns(UserWarning, match="cuda.amp.GradScaler is enabled, but CUDA is not "
                                         "available.  Disabling."):
        scaler = numtorch.amp.GradScaler()
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}
    loss = numtorch.tensor(2.0, requires_grad=True)
    assert scaler.scale(loss) is loss
    model, history = _train(numtorch, scaler, bad=())
    plain, _ = _train(numtorch, numtorch.amp.GradScaler(enabled=False), bad=())
    for p, q in zip(model.parameters(), plain.parameters()):
        assert np.array_equal(p.detach().numpy(), q.detach().numpy())
    with pytest.warns(FutureWarning, match="numtorch.cuda.amp.GradScaler\\(args...\\)` is "
                                           "deprecated"), pytest.warns(UserWarning, match="Disabling"):
        assert not numtorch.cuda.amp.GradScaler().is_enabled()
    with pytest.warns(UserWarning, match="CUDA is not available or torch_xla is imported. "
                                         "Disabling autocast."):
        with numtorch.autocast("cuda"):
            assert not numtorch.is_autocast_enabled("cuda")
    with pytest.warns(FutureWarning, match="numtorch.cuda.amp.autocast"), \
            pytest.warns(UserWarning, match="Disabling autocast"):
        numtorch.cuda.amp.autocast()
    assert numtorch.amp.autocast is numtorch.autocast
    assert numtorch.GradScaler is numtorch.amp.GradScaler


def test_cpu_autocast_runs_the_block_in_full_precision():
    with pytest.warns(UserWarning, match="autocast leaves the block in full precision"):
        ctx = numtorch.autocast("cpu")
    with ctx:
        y = numtorch.ones(2, 3) @ numtorch.ones(3, 2)
    assert y.dtype is numtorch.float32

    @numtorch.autocast("cpu", enabled=False)
    def f(x):
        return x * 2
    assert f(numtorch.ones(1)).dtype is numtorch.float32
    with pytest.raises(RuntimeError, match="unsupported autocast device_type 'gpu'"):
        numtorch.autocast("gpu")


def test_grad_scaler_errors_match_torch():
    for lib in (numtorch, torch):
        model = _model(lib)
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        scaler.scale(model(lib.ones(2, 4)).sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called on this "
                                               "optimizer since the last update"):
            scaler.unscale_(opt)
        scaler.step(opt)
        with pytest.raises(RuntimeError, match="step\\(\\) has already been called since the "
                                               "last update"):
            scaler.step(opt)
        with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
            scaler.step(opt, closure=lambda: None)
        with pytest.raises(AssertionError, match="The growth factor must be > 1.0."):
            lib.amp.GradScaler("cpu", growth_factor=0.5)
        with pytest.raises(RuntimeError, match="The source state dict is empty"):
            scaler.load_state_dict({})


def _scaled_square(lib, **fwd_kwargs):
    """The amp docs' pattern: a custom Function whose forward and backward are decorated."""
    class Square(lib.autograd.Function):
        @staticmethod
        @lib.amp.custom_fwd(device_type="cpu", **fwd_kwargs)
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @lib.amp.custom_bwd(device_type="cpu")
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad
    return Square


@pytest.mark.parametrize("fwd_kwargs", [{}, {"cast_inputs": "float32"}])
def test_custom_fwd_and_bwd_decorate_a_function_as_in_torch(fwd_kwargs):
    results = []
    for lib in (numtorch, torch):
        kwargs = {k: getattr(lib, v) for k, v in fwd_kwargs.items()}
        square = _scaled_square(lib, **kwargs)
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = square.apply(x)
        y.sum().backward()
        results.append((y.detach().numpy().tolist(), x.grad.numpy().tolist(), y.dtype.itemsize))
    assert results[0] == results[1]
    assert square.forward.__name__ == "forward"  # functools.wraps kept the name


def test_custom_fwd_needs_a_device_type_string():
    for lib in (numtorch, torch):
        with pytest.raises(ValueError, match=r"Expected `device_type` of type `str`, got: "
                                             r"`<class 'int'>`"):
            lib.amp.custom_fwd(device_type=3)
        with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
            lib.amp.custom_bwd(device_type=None)
        with pytest.raises(TypeError, match="missing 1 required keyword-only argument: "
                                            "'device_type'"):
            lib.amp.custom_fwd(lambda ctx, x: x)


def test_cuda_amp_custom_fwd_is_a_deprecated_alias():
    with pytest.warns(FutureWarning, match=r"`numtorch.cuda.amp.custom_fwd\(args...\)` is "
                                           r"deprecated. Please use `numtorch.amp.custom_fwd"
                                           r"\(args..., device_type='cuda'\)` instead."):
        fwd = numtorch.cuda.amp.custom_fwd(lambda ctx, x: x + 1)
    with pytest.warns(FutureWarning, match=r"numtorch.cuda.amp.custom_bwd"):
        bwd = numtorch.cuda.amp.custom_bwd(lambda ctx, g: g)

    class Ctx:
        pass
    ctx = Ctx()
    assert fwd(ctx, 1) == 2 and ctx._fwd_used_autocast is False
    assert bwd(ctx, 5) == 5
