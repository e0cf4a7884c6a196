"""nn.init: every initialiser draws PyTorch's exact numbers after the same seed."""

import math
import warnings

import numpy as np
import pytest
import torch

import numtorch
from numtorch.nn import init

DTYPES = [(numtorch.float32, torch.float32), (numtorch.float64, torch.float64)]
SHAPES = [(64, 100), (3, 5), (10, 1), (4, 3, 2, 2), (16, 3, 5)]
SEEDS = [0, 1, 2024]

# (name, kwargs) of every initialiser that draws random numbers
DRAWING = [
    ("uniform_", {}),
    ("uniform_", {"a": -0.3, "b": 0.7}),
    ("normal_", {}),
    ("normal_", {"mean": 1.0, "std": 0.2}),
    ("xavier_uniform_", {}),
    ("xavier_uniform_", {"gain": init.calculate_gain("relu")}),
    ("xavier_normal_", {"gain": 0.5}),
    ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", {}),
    ("kaiming_normal_", {"mode": "FAN_OUT", "nonlinearity": "tanh"}),
    ("trunc_normal_", {}),
    ("trunc_normal_", {"mean": 0.5, "std": 0.02, "a": -0.1, "b": 0.9}),
    ("trunc_normal_", {"a": 1.5, "b": 3.0}),          # rejection-sampling branch (p <= 0.3)
    ("trunc_normal_", {"mean": 0.0, "std": 1.0, "a": 0.5, "b": 0.6}),
]


def _pair_init(name, shape, dt, tdt, seed, **kwargs):
    numtorch.manual_seed(seed)
    torch.manual_seed(seed)
    ours = getattr(init, name)(numtorch.empty(*shape, dtype=dt), **kwargs)
    theirs = getattr(torch.nn.init, name)(torch.empty(*shape, dtype=tdt), **kwargs)
    return ours, theirs


@pytest.mark.filterwarnings("ignore::RuntimeWarning")    # log(0) of a uniform draw
@pytest.mark.parametrize("name,kwargs", DRAWING)
@pytest.mark.parametrize("dt,tdt", DTYPES, ids=["float32", "float64"])
def test_drawing_initialisers_are_bit_exact_after_manual_seed(name, kwargs, dt, tdt):
    for seed in SEEDS:
        for shape in SHAPES:
            ours, theirs = _pair_init(name, shape, dt, tdt, seed, **kwargs)
            assert ours.dtype == dt
            assert np.array_equal(ours.numpy(), theirs.numpy()), (seed, shape)
        # the generator is left where PyTorch leaves it
        assert np.array_equal(numtorch.rand(5).numpy(), torch.rand(5).numpy())


@pytest.mark.parametrize("name,kwargs", [("kaiming_uniform_", {"a": math.sqrt(5)}),
                                         ("kaiming_normal_", {}), ("trunc_normal_", {})])
@pytest.mark.parametrize("dt,tdt", DTYPES, ids=["float32", "float64"])
def test_large_weight_is_bit_exact(name, kwargs, dt, tdt):
    ours, theirs = _pair_init(name, (512, 784), dt, tdt, 0, **kwargs)
    assert np.array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("name", ["uniform_", "normal_", "xavier_uniform_", "kaiming_normal_",
                                  "trunc_normal_", "orthogonal_"])
def test_generator_argument_draws_from_that_generator(name):
    g, tg = numtorch.Generator().manual_seed(7), torch.Generator().manual_seed(7)
    numtorch.manual_seed(0)
    ours = getattr(init, name)(numtorch.empty(6, 4), generator=g)
    theirs = getattr(torch.nn.init, name)(torch.empty(6, 4), generator=tg)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=0, atol=1e-6)
    # the global generator was not touched
    assert np.array_equal(numtorch.rand(3).numpy(), numtorch.manual_seed(0) and
                          numtorch.rand(3).numpy())


def test_sparse_matches_torch_including_its_global_randperm():
    for dt, tdt in DTYPES:
        for shape, sparsity in [((10, 6), 0.3), ((5, 40), 0.5), ((3, 3), 0.0)]:
            ours, theirs = _pair_init("sparse_", shape, dt, tdt, 5, sparsity=sparsity)
            assert np.array_equal(ours.numpy(), theirs.numpy())
            zeros_per_col = (ours.numpy() == 0).sum(axis=0)
            assert (zeros_per_col == math.ceil(sparsity * shape[0])).all()


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (6, 6), (4, 3, 2, 2), (2, 10, 3)])
@pytest.mark.parametrize("dt,tdt", DTYPES, ids=["float32", "float64"])
def test_orthogonal_matches_torch_to_rounding(shape, dt, tdt):
    # LAPACK builds round QR differently, so values agree to a few ulps, not bits
    ours, theirs = _pair_init("orthogonal_", shape, dt, tdt, 3, gain=2.0)
    tol = 1e-5 if dt == numtorch.float32 else 1e-12
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=0, atol=tol)
    flat = ours.numpy().reshape(shape[0], -1) / 2.0
    small = flat @ flat.T if shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(small, np.eye(small.shape[0]), atol=tol * 10)
    assert np.array_equal(numtorch.rand(4).numpy(), torch.rand(4).numpy())


def test_constant_ones_zeros_eye():
    t = numtorch.empty(3, 5)
    assert init.constant_(t, 0.3) is t
    assert np.array_equal(t.numpy(), torch.nn.init.constant_(torch.empty(3, 5), 0.3).numpy())
    assert (init.ones_(t).numpy() == 1).all()
    assert (init.zeros_(t).numpy() == 0).all()
    for shape in [(3, 5), (5, 3), (4, 4)]:
        assert np.array_equal(init.eye_(numtorch.empty(*shape)).numpy(), np.eye(*shape))
    e = init.eye_(numtorch.empty(2, 2, dtype=numtorch.float64))
    assert e.dtype == numtorch.float64


@pytest.mark.parametrize("shape,groups", [((6, 4, 3), 1), ((6, 4, 3), 2), ((4, 3, 3, 3), 1),
                                          ((4, 6, 3, 3, 3), 2), ((2, 5, 4, 4), 1),
                                          ((9, 2, 5, 5), 3)])
def test_dirac_matches_torch(shape, groups):
    ours = init.dirac_(numtorch.empty(*shape), groups)
    theirs = torch.nn.init.dirac_(torch.empty(*shape), groups)
    assert np.array_equal(ours.numpy(), theirs.numpy())


def test_initialisers_work_in_place_on_leaves_that_require_grad():
    w = numtorch.empty(4, 3, requires_grad=True)
    for fn in (init.kaiming_uniform_, init.xavier_normal_, init.ones_, init.zeros_, init.eye_,
               init.orthogonal_, init.trunc_normal_, lambda t: init.sparse_(t, 0.5),
               lambda t: init.constant_(t, 2.0)):
        out = fn(w)
        assert out is w
        assert w.requires_grad and w.grad_fn is None and w.is_leaf
    d = numtorch.empty(2, 2, 3, requires_grad=True)
    assert init.dirac_(d) is d and d.grad_fn is None


def test_calculate_gain_matches_torch():
    cases = [("linear", None), ("conv1d", None), ("conv_transpose3d", None), ("sigmoid", None),
             ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
             ("leaky_relu", 3), ("leaky_relu", math.sqrt(5)), ("selu", None)]
    for nonlinearity, param in cases:
        ours = init.calculate_gain(nonlinearity, param)
        theirs = torch.nn.init.calculate_gain(nonlinearity, param)
        assert ours == theirs and type(ours) is type(theirs)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="negative_slope 0.1 not a valid number"):
        init.calculate_gain("leaky_relu", "0.1")


def test_fans():
    for shape in [(3, 5), (7, 2, 3), (8, 4, 3, 3), (2, 3, 1, 2, 5)]:
        expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
        assert init._calculate_fan_in_and_fan_out(numtorch.empty(*shape)) == expected
        for mode in ("fan_in", "fan_out", "Fan_In"):
            assert (init._calculate_correct_fan(numtorch.empty(*shape), mode)
                    == torch.nn.init._calculate_correct_fan(torch.empty(*shape), mode))


def test_fan_errors():
    msg = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
    for fn in (init._calculate_fan_in_and_fan_out, init.xavier_uniform_, init.xavier_normal_,
               init.kaiming_uniform_, init.kaiming_normal_):
        with pytest.raises(ValueError, match=msg):
            fn(numtorch.empty(5))
        with pytest.raises(ValueError, match=msg):
            fn(numtorch.tensor(1.0))
    with pytest.raises(ValueError, match=r"Mode fan_avg not supported, please use one of "
                                         r"\['fan_in', 'fan_out'\]"):
        init.kaiming_uniform_(numtorch.empty(3, 4), mode="fan_avg")
    with pytest.raises(ValueError, match="Unsupported nonlinearity swish"):
        init.kaiming_normal_(numtorch.empty(3, 4), nonlinearity="swish")


def test_shape_errors():
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(numtorch.empty(2, 2, 2))
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.sparse_(numtorch.empty(4), 0.1)
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        init.dirac_(numtorch.empty(3, 3))
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        init.dirac_(numtorch.empty(5, 3, 3), groups=2)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        init.orthogonal_(numtorch.empty(4))


def test_zero_element_kaiming_warns_and_draws_nothing():
    numtorch.manual_seed(0)
    for fn in (init.kaiming_uniform_, init.kaiming_normal_):
        t = numtorch.empty(0, 3)
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            assert fn(t) is t
    assert np.array_equal(numtorch.rand(3).numpy(), numtorch.manual_seed(0) and
                          numtorch.rand(3).numpy())
    assert init.orthogonal_(numtorch.empty(0, 3)).shape == (0, 3)


def test_trunc_normal_warns_when_mean_is_far_from_the_interval():
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(numtorch.empty(4), mean=10.0, std=1.0, a=-1.0, b=1.0)


def test_trunc_normal_stays_in_bounds():
    numtorch.manual_seed(0)
    t = init.trunc_normal_(numtorch.empty(1000), mean=0.0, std=1.0, a=-0.5, b=0.25)
    assert t.numpy().min() >= -0.5 and t.numpy().max() <= 0.25


def test_deprecated_aliases_warn_and_delegate():
    for old in ("uniform", "normal", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                "kaiming_normal", "orthogonal"):
        assert hasattr(torch.nn.init, old)
        t = numtorch.empty(3, 4)
        with pytest.warns(FutureWarning, match=f"`nn.init.{old}` is now deprecated in favor of "
                                               f"`nn.init.{old}_`"):
            assert getattr(init, old)(t) is t
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert (init.constant(numtorch.empty(2), 3.0).numpy() == 3).all()
        assert init.eye(numtorch.empty(2, 2)).numpy()[0, 0] == 1
        assert init.dirac(numtorch.empty(2, 2, 3)).numpy()[0, 0, 1] == 1
        assert (init.sparse(numtorch.empty(4, 2), 0.5).numpy() == 0).sum() == 4
    assert set(init.__all__) == set(torch.nn.init.__all__)


# ----------------------------------------------------------------------------- issue 5

def _has(name):
    return hasattr(numtorch.nn, name)


@pytest.mark.skipif(not _has("Linear"), reason="nn.Linear has not landed yet")
def test_linear_default_init_is_bit_exact_with_torch():
    for seed in (0, 1):
        numtorch.manual_seed(seed)
        torch.manual_seed(seed)
        ours, theirs = numtorch.nn.Linear(784, 512), torch.nn.Linear(784, 512)
        assert np.array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
        assert np.array_equal(ours.bias.detach().numpy(), theirs.bias.detach().numpy())


@pytest.mark.skipif(not all(_has(n) for n in ("Linear", "Sequential", "Flatten", "ReLU")),
                    reason="nn.Linear / Sequential / Flatten / ReLU have not landed yet")
def test_tutorial_mlp_initial_state_dict_is_bit_exact_with_torch():
    def mlp(nn):
        return nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512),
                             nn.ReLU(), nn.Linear(512, 10))

    numtorch.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = mlp(numtorch.nn).state_dict(), mlp(torch.nn).state_dict()
    assert list(ours) == list(theirs)
    for key in theirs:
        assert np.array_equal(ours[key].numpy(), theirs[key].numpy()), key
