"""nn.utils: gradient clipping, parameter vectors, weight/spectral norm, parametrize."""

import warnings

import numpy as np
import pytest
import torch

import numtorch
from numtorch import nn
from numtorch.nn.utils import parametrizations, parametrize


def _params_with_grads(seed=0, dtypes=(np.float32,)):
    """Matching (numtorch, torch) parameter lists whose grads are set."""
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (5,), (2, 3, 2), ()]
    ours, theirs = [], []
    for i, shape in enumerate(shapes):
        dt = dtypes[i % len(dtypes)]
        w = rng.standard_normal(shape).astype(dt)
        g = rng.standard_normal(shape).astype(dt)
        p, tp = nn.Parameter(numtorch.tensor(w)), torch.nn.Parameter(torch.tensor(w))
        p.grad, tp.grad = numtorch.tensor(g), torch.tensor(g)
        ours.append(p)
        theirs.append(tp)
    return ours, theirs


def _assert_grads_close(ours, theirs, atol=1e-6):
    for p, tp in zip(ours, theirs):
        assert p.grad.dtype.itemsize == tp.grad.dtype.itemsize
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=atol)


def _copy_params(module, tmodule):
    with torch.no_grad():
        for (name, p), (tname, tp) in zip(module.named_parameters(), tmodule.named_parameters()):
            assert name == tname
            tp.copy_(torch.from_numpy(p.detach().numpy().copy()))


# ----------------------------------------------------------------------------- clipping

@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), "inf", 3.5, 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    ours, theirs = _params_with_grads()
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, numtorch.Tensor) and total.shape == () and total.dtype == \
        numtorch.float32
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-6)
    _assert_grads_close(ours, theirs)


def test_clip_grad_norm_mixed_dtypes_single_tensor_and_generator():
    ours, theirs = _params_with_grads(1, dtypes=(np.float32, np.float64))
    total = nn.utils.clip_grad_norm_(iter(ours), 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(iter(theirs), 1.0)
    assert str(total.dtype).split(".")[-1] == str(ttotal.dtype).split(".")[-1]
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-6)
    _assert_grads_close(ours, theirs)
    total = nn.utils.clip_grad_norm_(ours[0], 0.1)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs[0], 0.1)
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-6)
    _assert_grads_close(ours, theirs)


def test_clip_grad_norm_skips_missing_grads_and_handles_empty():
    p, q = nn.Parameter(numtorch.ones(3)), nn.Parameter(numtorch.ones(2))
    p.grad = numtorch.tensor([3.0, 4.0, 0.0])
    total = nn.utils.clip_grad_norm_([p, q], 1.0)
    assert total.item() == pytest.approx(5.0) and q.grad is None
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8, 0.0], rtol=1e-5)
    empty = nn.utils.clip_grad_norm_([], 1.0)
    assert empty.item() == 0.0 and empty.dtype == numtorch.float32
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        nn.utils.clip_grad_norm_((x for x in []), 1.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")    # inf * 0 in the scaling
def test_clip_grad_norm_nonfinite():
    p = nn.Parameter(numtorch.ones(3))
    p.grad = numtorch.tensor([float("inf"), 1.0, 2.0])
    msg = (r"The total norm of order 2.0 for gradients from `parameters` is non-finite, so it "
           r"cannot be clipped. To disable this error and scale the gradients by the non-finite "
           r"norm anyway, set `error_if_nonfinite=False`")
    with pytest.raises(RuntimeError, match=msg):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)
    assert p.grad.numpy()[1] == 1.0                 # untouched
    p.grad = numtorch.tensor([float("nan"), 1.0, 0.0])
    with pytest.raises(RuntimeError, match="order inf for gradients"):
        nn.utils.clip_grad_norm_(p, 1.0, norm_type="inf", error_if_nonfinite=True)
    p.grad = numtorch.tensor([float("inf"), 1.0, 2.0])
    tp = torch.nn.Parameter(torch.ones(3))
    tp.grad = torch.tensor([float("inf"), 1.0, 2.0])
    total = nn.utils.clip_grad_norm_(p, 1.0)
    ttotal = torch.nn.utils.clip_grad_norm_(tp, 1.0)
    assert total.item() == ttotal.item() == float("inf")
    np.testing.assert_array_equal(p.grad.numpy(), tp.grad.numpy())


def test_get_total_norm_and_clip_grads_with_norm_match_torch():
    ours, theirs = _params_with_grads(2)
    for norm_type in (2.0, 1.0, float("inf"), 0):
        total = nn.utils.get_total_norm([p.grad for p in ours], norm_type)
        ttotal = torch.nn.utils.get_total_norm([p.grad for p in theirs], norm_type)
        np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-6)
    total = nn.utils.get_total_norm([p.grad for p in ours])
    ttotal = torch.nn.utils.get_total_norm([p.grad for p in theirs])
    assert nn.utils.clip_grads_with_norm_(ours, 0.3, total) is None
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.3, ttotal)
    _assert_grads_close(ours, theirs)
    assert nn.utils.get_total_norm(numtorch.tensor([3.0, 4.0])).item() == 5.0


def test_clip_grad_norm_deprecated_alias():
    ours, theirs = _params_with_grads(3)
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated in favor of"):
        total = nn.utils.clip_grad_norm(ours, 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        ttotal = torch.nn.utils.clip_grad_norm(theirs, 1.0)
    np.testing.assert_allclose(total.item(), ttotal.item(), rtol=1e-6)


@pytest.mark.parametrize("clip_value", [0.1, 1.0, 5])
def test_clip_grad_value_matches_torch(clip_value):
    ours, theirs = _params_with_grads(4, dtypes=(np.float32, np.float64))
    assert nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    _assert_grads_close(ours, theirs, atol=0)
    p = nn.Parameter(numtorch.ones(2))
    p.grad = numtorch.tensor([-3.0, 0.5])
    nn.utils.clip_grad_value_(p, 1)
    assert p.grad.numpy().tolist() == [-1.0, 0.5]


def test_clipping_does_not_record_graph():
    p = nn.Parameter(numtorch.ones(3))
    p.grad = numtorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    total = nn.utils.clip_grad_norm_(p, 1.0)
    assert total.grad_fn is None and not total.requires_grad


# ----------------------------------------------------------------------------- vectors

def test_parameters_to_vector_and_back():
    m, tm = nn.Linear(3, 2), torch.nn.Linear(3, 2)
    _copy_params(m, tm)
    vec = nn.utils.parameters_to_vector(m.parameters())
    tvec = torch.nn.utils.parameters_to_vector(tm.parameters())
    np.testing.assert_array_equal(vec.detach().numpy(), tvec.detach().numpy())
    assert vec.grad_fn is not None and type(vec.grad_fn).__name__ == "CatBackward0"
    vec.sum().backward()
    assert (m.weight.grad.numpy() == 1).all()

    new = numtorch.arange(8, dtype=numtorch.float32)
    nn.utils.vector_to_parameters(new, m.parameters())
    assert m.weight.detach().numpy().tolist() == [[0, 1, 2], [3, 4, 5]]
    assert m.bias.detach().numpy().tolist() == [6, 7]
    assert isinstance(m.weight, nn.Parameter)
    new[0] = 42.0                                   # the parameters view the vector
    assert m.weight.detach().numpy()[0, 0] == 42.0


def test_vector_to_parameters_rejects_non_tensor():
    with pytest.raises(TypeError, match="expected numtorch.Tensor, but got: list"):
        nn.utils.vector_to_parameters([1.0, 2.0], nn.Linear(1, 1).parameters())


# ----------------------------------------------------------------------------- old-style hooks

def _forward_backward(m, tm, x):
    y, ty = m(numtorch.tensor(x)), tm(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
    y.pow(2).sum().backward()
    ty.pow(2).sum().backward()
    for (name, p), (tname, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert name == tname
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.parametrize("dim", [0, 1, None, -2])
def test_old_weight_norm_matches_torch(dim):
    m, tm = nn.Linear(5, 4), torch.nn.Linear(5, 4)
    _copy_params(m, tm)
    assert nn.utils.weight_norm(m, dim=dim) is m
    torch.nn.utils.weight_norm(tm, dim=dim)
    assert list(m.state_dict()) == list(tm.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert m.weight_g.shape == tm.weight_g.shape
    np.testing.assert_allclose(m.weight_g.detach().numpy(), tm.weight_g.detach().numpy(),
                               rtol=1e-6)
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    _forward_backward(m, tm, x)
    nn.utils.remove_weight_norm(m)
    torch.nn.utils.remove_weight_norm(tm)
    assert list(m.state_dict()) == list(tm.state_dict())
    assert isinstance(m.weight, nn.Parameter) and not m._forward_pre_hooks
    np.testing.assert_allclose(m.weight.detach().numpy(), tm.weight.detach().numpy(), rtol=1e-5)


def test_old_weight_norm_warns_and_errors():
    m = nn.Linear(2, 2)
    with pytest.warns(FutureWarning, match="`numtorch.nn.utils.weight_norm` is deprecated in "
                                           "favor of `numtorch.nn.utils.parametrizations"):
        nn.utils.weight_norm(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the "
                                               "same parameter weight"):
            nn.utils.weight_norm(m)
    with pytest.raises(ValueError, match="weight_norm of 'bias' not found in Linear"):
        nn.utils.remove_weight_norm(m, "bias")


@pytest.mark.parametrize("seed", [0, 3])
def test_old_spectral_norm_matches_torch(seed):
    numtorch.manual_seed(seed)
    torch.manual_seed(seed)
    m, tm = nn.Linear(5, 20), torch.nn.Linear(5, 20)
    nn.utils.spectral_norm(m, n_power_iterations=2)
    torch.nn.utils.spectral_norm(tm, n_power_iterations=2)
    keys = ["bias", "weight_orig", "weight_u", "weight_v"]
    assert list(m.state_dict()) == list(tm.state_dict()) == keys
    np.testing.assert_array_equal(m.weight_orig.detach().numpy(), tm.weight_orig.detach().numpy())
    # the u, v draws are PyTorch's; normalising them may round a last bit differently
    np.testing.assert_allclose(m.weight_u.numpy(), tm.weight_u.numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(m.weight_v.numpy(), tm.weight_v.numpy(), rtol=1e-6, atol=1e-7)
    x = np.random.default_rng(seed).standard_normal((3, 5)).astype(np.float32)
    _forward_backward(m, tm, x)
    np.testing.assert_allclose(m.weight_u.numpy(), tm.weight_u.numpy(), rtol=1e-5, atol=1e-6)
    # eval: no power iteration, buffers stay
    m.eval()
    tm.eval()
    u = m.weight_u.numpy().copy()
    _forward_backward(m, tm, x)
    np.testing.assert_array_equal(m.weight_u.numpy(), u)
    assert numtorch.rand(3).numpy().tolist() == torch.rand(3).numpy().tolist()


def test_old_spectral_norm_state_dict_roundtrip_and_remove():
    numtorch.manual_seed(0)
    m = nn.utils.spectral_norm(nn.Linear(4, 3))
    sd = m.state_dict()
    assert sd._metadata[""]["spectral_norm"] == {"weight.version": 1}
    m2 = nn.utils.spectral_norm(nn.Linear(4, 3))
    m2.load_state_dict(sd)
    np.testing.assert_array_equal(m2.weight_u.numpy(), m.weight_u.numpy())
    np.testing.assert_array_equal(m2.weight_orig.detach().numpy(), m.weight_orig.detach().numpy())
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(m)
    m.eval()
    expected = m(numtorch.ones(1, 4)).detach().numpy()
    nn.utils.remove_spectral_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"] and isinstance(m.weight, nn.Parameter)
    assert not m._state_dict_hooks and not m._load_state_dict_pre_hooks
    np.testing.assert_allclose(m(numtorch.ones(1, 4)).detach().numpy(), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
        nn.utils.remove_spectral_norm(m)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive, but got "
                                         "n_power_iterations=0"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)


# ----------------------------------------------------------------------------- parametrize

class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(0, 1)


class TSymmetric(torch.nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(0, 1)


class Scale(nn.Module):
    def forward(self, x):
        return 2 * x

    def right_inverse(self, x):
        return x / 2


class SplitSum(nn.Module):
    def forward(self, a, b):
        return a + b

    def right_inverse(self, x):
        return x * 0.25, x * 0.75


def test_register_parametrization_matches_torch():
    m, tm = nn.Linear(3, 3), torch.nn.Linear(3, 3)
    _copy_params(m, tm)
    parametrize.register_parametrization(m, "weight", Symmetric())
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", TSymmetric())
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    assert type(nn.Linear(1, 1)) is nn.Linear           # other instances untouched
    assert list(m.state_dict()) == list(tm.state_dict()) == [
        "bias", "parametrizations.weight.original"]
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    w = m.weight.detach().numpy()
    np.testing.assert_array_equal(w, w.T)
    assert repr(m) == repr(tm).replace("TSymmetric", "Symmetric")
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    _forward_backward(m, tm, x)
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert not parametrize.is_parametrized(nn.Linear(1, 1))
    assert parametrize.type_before_parametrizations(m) is nn.Linear


def test_parametrization_right_inverse_chaining_and_assignment():
    m = nn.Linear(2, 2)
    w0 = m.weight.detach().numpy().copy()
    original = m.weight
    parametrize.register_parametrization(m, "weight", Scale())
    # the stored tensor is right_inverse(weight), in the same Parameter object
    assert m.parametrizations.weight.original is original
    np.testing.assert_allclose(m.parametrizations.weight.original.detach().numpy(), w0 / 2)
    np.testing.assert_allclose(m.weight.detach().numpy(), w0)
    parametrize.register_parametrization(m, "weight", Scale())   # chained: 2 * 2 * original
    np.testing.assert_allclose(m.weight.detach().numpy(), w0 * 2)
    m.weight = numtorch.ones(2, 2)                   # goes through both right_inverses
    np.testing.assert_allclose(m.parametrizations.weight.original.detach().numpy(), 0.25)
    np.testing.assert_allclose(m.weight.detach().numpy(), 1.0)
    parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    assert type(m) is nn.Linear and "parametrizations" not in m._modules
    np.testing.assert_allclose(m.weight.detach().numpy(), 0.25)
    assert m.weight is original


def test_parametrization_with_several_originals():
    m, w = nn.Linear(2, 3), None
    w = m.weight.detach().numpy().copy()
    parametrize.register_parametrization(m, "weight", SplitSum())
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original0",
                                    "parametrizations.weight.original1"]
    assert all(isinstance(p, nn.Parameter) for p in m.parameters())
    np.testing.assert_allclose(m.weight.detach().numpy(), w, rtol=1e-6)
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    parametrize.remove_parametrizations(m, "weight")
    assert list(m.state_dict()) == ["weight", "bias"] or list(m.state_dict()) == ["bias",
                                                                                   "weight"]
    np.testing.assert_allclose(m.weight.detach().numpy(), w, rtol=1e-6)


def test_cached_computes_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 1

    m = nn.Linear(2, 2)
    parametrize.register_parametrization(m, "weight", Counting())
    calls.clear()
    with parametrize.cached():
        a, b = m.weight, m.weight
        assert a is b
    assert len(calls) == 1
    assert m.weight is not m.weight               # outside: recomputed at every access
    assert len(calls) == 3


def test_parametrize_errors():
    m = nn.Linear(2, 3)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a "
                                         "parametrized element with name 'nope'"):
        parametrize.register_parametrization(m, "nope", Symmetric())

    class Shrink(nn.Module):
        def forward(self, x):
            return x[:1]

    with pytest.raises(ValueError, match="may not change the shape of the tensor"):
        parametrize.register_parametrization(m, "weight", Shrink())
    assert type(m) is nn.Linear and isinstance(m.weight, nn.Parameter)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(m, "weight")
    parametrize.register_parametrization(m, "weight", Shrink(), unsafe=True)
    assert m.weight.shape == (1, 2)
    with pytest.raises(RuntimeError, match="parametrization Shrink does not implement "
                                           "right_inverse"):
        m.weight = numtorch.ones(2, 3)
    import pickle
    with pytest.raises(RuntimeError, match="Serialization of parametrized modules is only"):
        pickle.dumps(m)


# ----------------------------------------------------------------------------- parametrizations

@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrizations_weight_norm_matches_torch(dim):
    m, tm = nn.Linear(5, 4), torch.nn.Linear(5, 4)
    _copy_params(m, tm)
    parametrizations.weight_norm(m, dim=dim)
    torch.nn.utils.parametrizations.weight_norm(tm, dim=dim)
    assert list(m.state_dict()) == list(tm.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    assert repr(m) == repr(tm)
    for key, value in tm.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[key].numpy(), value.numpy(), rtol=1e-6)
    x = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    _forward_backward(m, tm, x)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_parametrizations_weight_norm_loads_old_checkpoints():
    old = nn.utils.weight_norm(nn.Linear(3, 2))
    new = parametrizations.weight_norm(nn.Linear(3, 2))
    new.load_state_dict(old.state_dict())
    np.testing.assert_allclose(new.weight.detach().numpy(), old.weight.detach().numpy(),
                               rtol=1e-6)


@pytest.mark.parametrize("seed", [0, 5])
def test_parametrizations_spectral_norm_matches_torch(seed):
    numtorch.manual_seed(seed)
    torch.manual_seed(seed)
    m, tm = nn.Linear(6, 20), torch.nn.Linear(6, 20)
    parametrizations.spectral_norm(m)
    torch.nn.utils.parametrizations.spectral_norm(tm)
    assert list(m.state_dict()) == list(tm.state_dict()) == [
        "bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
        "parametrizations.weight.0._v"]
    for key, value in tm.state_dict().items():
        np.testing.assert_allclose(m.state_dict()[key].numpy(), value.numpy(), rtol=1e-5,
                                   atol=1e-6)
    x = np.random.default_rng(seed).standard_normal((3, 6)).astype(np.float32)
    _forward_backward(m, tm, x)
    m.eval()
    tm.eval()
    _forward_backward(m, tm, x)
    assert numtorch.rand(3).numpy().tolist() == torch.rand(3).numpy().tolist()


def test_parametrizations_spectral_norm_normalises_and_errors():
    numtorch.manual_seed(0)
    m = parametrizations.spectral_norm(nn.Linear(8, 8))
    sigma = np.linalg.svd(m.weight.detach().numpy().astype(np.float64), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, abs=1e-2)
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'w'"):
        parametrizations.spectral_norm(nn.Linear(2, 2), name="w")
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\] but got 2\)"):
        parametrizations.spectral_norm(nn.Linear(2, 2), dim=2)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_weight_norm_gradcheck(dim):
    from numtorch.nn.utils.weight_norm import _weight_norm

    rng = np.random.default_rng(0)
    v = numtorch.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    g_shape = {0: (3, 1), 1: (1, 4), -1: ()}[dim]
    g = numtorch.tensor(rng.standard_normal(g_shape), requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda v, g: _weight_norm(v, g, dim), (v, g))


@pytest.mark.parametrize("cls, args, kwargs", [
    ("Linear", (5, 3), {}), ("Conv2d", (3, 4, 3), {"bias": False}),
    ("Embedding", (10, 3), {"padding_idx": 0}), ("BatchNorm1d", (4,), {}),
    ("MultiheadAttention", (8, 2), {}),
])
def test_skip_init_builds_the_module_without_drawing_random_numbers(cls, args, kwargs):
    """As in PyTorch: the same parameters (names, shapes, types) left uninitialised, and
    the generator untouched by the construction."""
    built = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        module = lib.nn.utils.skip_init(getattr(lib.nn, cls), *args, **kwargs)
        built.append(([(n, tuple(p.shape), type(p).__name__, p.requires_grad)
                       for n, p in module.named_parameters()],
                      [(n, tuple(b.shape)) for n, b in module.named_buffers()],
                      lib.rand(3).tolist()))
    assert built[0] == built[1]


def test_skip_init_refuses_like_torch():
    class NoDevice(nn.Module):
        def __init__(self, n):
            super().__init__()

    for lib, module_cls in ((numtorch, NoDevice), (torch, torch.nn.LSTM)):
        with pytest.raises(RuntimeError, match="^Expected a Module; got <class 'int'>$"):
            lib.nn.utils.skip_init(int)
        with pytest.raises(RuntimeError, match="^Module must support a 'device' arg to skip "
                                               "initialization$"):
            lib.nn.utils.skip_init(module_cls, 3)


def test_nn_init_fills_work_again_after_skip_init():
    numtorch.nn.utils.skip_init(nn.Linear, 2, 2)
    w = numtorch.empty(3, 3)
    nn.init.ones_(w)
    assert w.tolist() == [[1.0] * 3] * 3
