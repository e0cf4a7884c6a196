"""F.affine_grid and F.grid_sample against torch: values, both gradients, warnings, errors."""

import itertools
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import numtorch
import numtorch.nn.functional as F
from tests.utils import check_op

MODES = ["bilinear", "nearest", "bicubic"]
PADDINGS = ["zeros", "border", "reflection"]


def _arrays(in_shape, grid_shape, dtype=np.float64, seed=0, spread=1.4):
    """An input and a grid whose points reach past the image (|coord| up to ~4)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(in_shape).astype(dtype)
    grid = (rng.standard_normal(grid_shape) * spread).astype(dtype)
    return x, grid


@pytest.mark.parametrize("mode,padding_mode,align_corners",
                         list(itertools.product(MODES, PADDINGS, [True, False])))
def test_grid_sample_4d_matches_torch_values_and_both_grads(mode, padding_mode, align_corners):
    x, grid = _arrays((2, 3, 4, 5), (2, 3, 6, 2))
    check_op(F.grid_sample, TF.grid_sample, x, grid, mode=mode, padding_mode=padding_mode,
             align_corners=align_corners, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("mode,padding_mode,align_corners",
                         list(itertools.product(["bilinear", "nearest"], PADDINGS, [True, False])))
def test_grid_sample_5d_matches_torch_values_and_both_grads(mode, padding_mode, align_corners):
    x, grid = _arrays((2, 2, 3, 4, 5), (2, 2, 3, 4, 3), seed=1)
    check_op(F.grid_sample, TF.grid_sample, x, grid, mode=mode, padding_mode=padding_mode,
             align_corners=align_corners, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("mode,padding_mode", list(itertools.product(MODES, PADDINGS)))
def test_grid_sample_float32_stays_float32_and_matches(mode, padding_mode):
    x, grid = _arrays((1, 2, 5, 4), (1, 4, 3, 2), np.float32, seed=2)
    out = check_op(F.grid_sample, TF.grid_sample, x, grid, mode=mode,
                   padding_mode=padding_mode, align_corners=False, rtol=1e-4, atol=1e-5)
    assert out.dtype == numtorch.float32


def test_grid_sample_5d_float32_matches():
    x, grid = _arrays((1, 2, 3, 4, 5), (1, 2, 2, 3, 3), np.float32, seed=3)
    check_op(F.grid_sample, TF.grid_sample, x, grid, padding_mode="reflection",
             align_corners=True, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_grid_sample_reads_pixel_centres_edges_and_ties_as_torch(mode, align_corners):
    # Points on pixel centres, on the image edges and halfway between pixels (rounding ties).
    x, _ = _arrays((1, 1, 4, 4), (1, 1, 1, 2), seed=4)
    ticks = np.linspace(-1.25, 1.25, 11)
    grid = np.stack(np.meshgrid(ticks, ticks[::-1], indexing="xy"), axis=-1)[None]
    for padding_mode in PADDINGS:
        check_op(F.grid_sample, TF.grid_sample, x, grid, mode=mode,
                 padding_mode=padding_mode, align_corners=align_corners, grad=False)


def test_grid_sample_unit_size_axes_match_torch():
    x, grid = _arrays((1, 2, 1, 3), (1, 2, 2, 2), seed=5)
    for mode, pad, ac in itertools.product(MODES, PADDINGS, [True, False]):
        check_op(F.grid_sample, TF.grid_sample, x, grid, mode=mode, padding_mode=pad,
                 align_corners=ac, rtol=1e-10, atol=1e-10)


def test_grid_sample_far_away_grid_points_read_as_torch():
    # Non-finite points are left out: torch's 2-D and 3-D kernels disagree on them.
    x, grid = _arrays((1, 1, 3, 3), (1, 1, 4, 2), seed=6)
    grid[0, 0, :, 0] = [1e12, -1e12, 50.0, -37.3]
    for mode, pad in itertools.product(MODES, PADDINGS):
        check_op(F.grid_sample, TF.grid_sample, x, grid, mode=mode, padding_mode=pad,
                 align_corners=False)


def test_grid_sample_non_contiguous_inputs():
    x, grid = _arrays((2, 5, 4, 3), (2, 2, 6, 3), seed=7)
    nx = numtorch.from_numpy(x).transpose(2, 3)
    ng = numtorch.from_numpy(grid)[..., 1:]
    ref = TF.grid_sample(torch.from_numpy(x).transpose(2, 3), torch.from_numpy(grid)[..., 1:],
                         align_corners=False)
    out = F.grid_sample(nx, ng, align_corners=False)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("in_shape,grid_shape", [
    ((2, 0, 3, 3), (2, 4, 4, 2)),   # no channels
    ((2, 1, 3, 3), (2, 0, 4, 2)),   # no output points
    ((0, 1, 3, 3), (0, 4, 4, 2)),   # empty batch
])
def test_grid_sample_empty_shapes(in_shape, grid_shape):
    x, grid = _arrays(in_shape, grid_shape)
    check_op(F.grid_sample, TF.grid_sample, x, grid, align_corners=True)


def test_grid_sample_grad_fn_names():
    x, grid = _arrays((1, 1, 3, 3), (1, 2, 2, 2))
    out = F.grid_sample(numtorch.tensor(x, requires_grad=True), numtorch.tensor(grid),
                        align_corners=False)
    assert type(out.grad_fn).__name__ == "GridSampler2DBackward0"
    x, grid = _arrays((1, 1, 2, 3, 3), (1, 2, 2, 2, 3))
    out = F.grid_sample(numtorch.tensor(x), numtorch.tensor(grid, requires_grad=True),
                        align_corners=False)
    assert type(out.grad_fn).__name__ == "GridSampler3DBackward0"


def test_grid_sample_nearest_grid_gradient_is_zero():
    x, grid = _arrays((1, 2, 3, 3), (1, 2, 2, 2))
    g = numtorch.tensor(grid, requires_grad=True)
    F.grid_sample(numtorch.tensor(x), g, mode="nearest", align_corners=False).sum().backward()
    assert g.grad is not None and not g.grad.numpy().any()


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding_mode", PADDINGS)
def test_grid_sample_gradcheck_4d(mode, padding_mode):
    x, grid = _arrays((1, 2, 3, 4), (1, 2, 3, 2), seed=8, spread=0.8)
    inputs = (numtorch.tensor(x, requires_grad=True), numtorch.tensor(grid, requires_grad=True))
    assert numtorch.autograd.gradcheck(
        lambda a, g: F.grid_sample(a, g, mode=mode, padding_mode=padding_mode,
                                   align_corners=False), inputs)


def test_grid_sample_gradcheck_5d():
    x, grid = _arrays((1, 1, 2, 3, 3), (1, 1, 2, 2, 3), seed=9, spread=0.8)
    inputs = (numtorch.tensor(x, requires_grad=True), numtorch.tensor(grid, requires_grad=True))
    assert numtorch.autograd.gradcheck(
        lambda a, g: F.grid_sample(a, g, padding_mode="reflection", align_corners=True), inputs)


@pytest.mark.xfail(strict=True, reason="torch differentiates grid_sampler's backward "
                   "(GridSampler2DBackwardBackward0); numtorch's backward is once-differentiable")
def test_grid_sample_double_backward_as_torch():
    x, grid = _arrays((1, 1, 3, 3), (1, 2, 2, 2))
    a = numtorch.tensor(x, requires_grad=True)
    g = numtorch.tensor(grid, requires_grad=True)
    out = F.grid_sample(a, g, align_corners=False)
    (gg,) = numtorch.autograd.grad(out.sum(), g, create_graph=True)
    gg.sum().backward()
    assert a.grad is not None


def test_grid_sample_align_corners_none_warns_and_means_false():
    x, grid = _arrays((1, 1, 3, 3), (1, 2, 2, 2))
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
        out = F.grid_sample(numtorch.tensor(x), numtorch.tensor(grid))
    ref = F.grid_sample(numtorch.tensor(x), numtorch.tensor(grid), align_corners=False)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.grid_sample(numtorch.tensor(x), numtorch.tensor(grid), align_corners=True)


def _nt(shape, dtype=numtorch.float32):
    return numtorch.zeros(shape, dtype=dtype)


@pytest.mark.parametrize("call,err,match", [
    (lambda: F.grid_sample(_nt((2, 1, 4, 5)), _nt((2, 3, 3, 2)), mode="foo"),
     ValueError, "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'foo'"),
    (lambda: F.grid_sample(_nt((2, 1, 4, 5)), _nt((2, 3, 3, 2)), padding_mode="foo"),
     ValueError, "expected padding_mode to be 'zeros', 'border', or 'reflection'"),
    (lambda: F.grid_sample(_nt((2, 1, 4, 5)), _nt((3, 3, 3, 2)), align_corners=False),
     RuntimeError, r"expected grid and input to have same batch size, but got input with "
                   r"sizes \[2, 1, 4, 5\] and grid with sizes \[3, 3, 3, 2\]"),
    (lambda: F.grid_sample(_nt((2, 1, 4, 5)), _nt((2, 3, 3, 3)), align_corners=False),
     RuntimeError, "expected grid to have size 2 in last dimension"),
    (lambda: F.grid_sample(_nt((2, 1, 4, 5)), _nt((2, 3, 3, 3, 2)), align_corners=False),
     RuntimeError, "expected 4D input and grid with same number of dimensions"),
    (lambda: F.grid_sample(_nt((2, 4, 5)), _nt((2, 3, 3)), align_corners=False),
     RuntimeError, "expected grid to have size 1 in last dimension"),
    (lambda: F.grid_sample(_nt((2, 4, 5)), _nt((2, 3, 1)), align_corners=False),
     RuntimeError, "expected 5D input and grid with same number of dimensions"),
    (lambda: F.grid_sample(_nt((2, 1, 2, 4, 5)), _nt((2, 3, 3, 3, 3)), mode="bicubic",
                           align_corners=False),
     RuntimeError, "bicubic interpolation only supports 4D input"),
    (lambda: F.grid_sample(_nt((2, 1, 0, 5)), _nt((2, 3, 3, 2)), align_corners=False),
     RuntimeError, "expected input to have non-empty spatial dimensions, but input has sizes "
                   r"\[2, 1, 0, 5\] with dimension 2 being empty"),
    (lambda: F.grid_sample(_nt((2, 1, 4, 5)), _nt((2, 3, 3, 2), numtorch.float64),
                           align_corners=False),
     RuntimeError, "expected scalar type Float but found Double"),
    (lambda: F.grid_sample(_nt((2, 1, 4, 5), numtorch.int32), _nt((2, 3, 3, 2), numtorch.int32),
                           align_corners=False),
     NotImplementedError, "\"grid_sampler_2d_cpu_kernel_impl\" not implemented for 'Int'"),
    (lambda: F.grid_sample(_nt((1, 1, 2, 2, 2), numtorch.int64),
                           _nt((1, 1, 1, 1, 3), numtorch.int64), align_corners=False),
     NotImplementedError, "\"grid_sampler3d_cpu\" not implemented for 'Long'"),
    (lambda: F.grid_sample([1], _nt((2, 3, 3, 2)), align_corners=False),
     TypeError, r"argument 'input' \(position 1\) must be Tensor, not list"),
    (lambda: F.grid_sample(_nt((2, 1, 4, 5)), [1], align_corners=False),
     TypeError, r"argument 'grid' \(position 2\) must be Tensor, not list"),
])
def test_grid_sample_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()


# ------------------------------------------------------------------------ affine_grid

@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 5), (2, 1, 3, 1), (2, 2, 3, 4, 5),
                                  (2, 1, 1, 4, 1)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_affine_grid_matches_torch_values_and_theta_grad(size, align_corners, dtype):
    d = len(size) - 2
    theta = np.random.default_rng(10).standard_normal((size[0], d, d + 1)).astype(dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unit-size warning, pinned down below
        out = check_op(lambda t: F.affine_grid(t, size, align_corners),
                       lambda t: TF.affine_grid(t, size, align_corners), theta,
                       rtol=tol, atol=tol)
    assert type(out.grad_fn).__name__ == "AffineGridGeneratorBackward0"


def test_affine_grid_gradcheck():
    theta = numtorch.tensor(np.random.default_rng(11).standard_normal((2, 2, 3)),
                            requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: F.affine_grid(t, (2, 1, 3, 4), False), (theta,))
    theta = numtorch.tensor(np.random.default_rng(12).standard_normal((1, 3, 4)),
                            requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: F.affine_grid(t, (1, 1, 2, 3, 2), True),
                                       (theta,))


def test_affine_grid_warnings():
    theta = numtorch.zeros(1, 2, 3)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior"):
        F.affine_grid(theta, (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="behavior has changed for unit-size grids"):
        F.affine_grid(theta, (1, 1, 1, 2), align_corners=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.affine_grid(theta, (1, 1, 1, 2), align_corners=False)


@pytest.mark.parametrize("theta_shape,size,err,match", [
    ((2, 2, 3), (2, 1, 4), NotImplementedError,
     r"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
     r"respectively. Got size \(2, 1, 4\)."),
    ((2, 3, 3), (2, 1, 4, 5), ValueError,
     r"Expected a batch of 2D affine matrices of shape Nx2x3 for size \(2, 1, 4, 5\). "
     r"Got numtorch.Size\(\[2, 3, 3\]\)."),
    ((2, 2, 3), (2, 1, 4, 5, 6), ValueError,
     r"Expected a batch of 3D affine matrices of shape Nx3x4 for size \(2, 1, 4, 5, 6\)"),
    ((2, 2, 3), (2, 1, 0, 5), ValueError, r"Expected non-zero, positive output size. "
                                          r"Got \(2, 1, 0, 5\)"),
    ((3, 2, 3), (2, 1, 4, 5), RuntimeError,
     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: "
     r"\[3, 3\]."),
])
def test_affine_grid_errors(theta_shape, size, err, match):
    with pytest.raises(err, match=match):
        F.affine_grid(numtorch.zeros(theta_shape), size, align_corners=False)


def test_affine_grid_integer_theta_raises():
    with pytest.raises(ValueError, match="Expected theta to have floating point type, but got "
                                         "numtorch.int32"):
        F.affine_grid(numtorch.zeros((1, 2, 3), dtype=numtorch.int32), (1, 1, 2, 2),
                      align_corners=False)


@pytest.mark.parametrize("padding_mode", PADDINGS)
def test_spatial_transformer_trains_theta_through_both_ops_as_torch(padding_mode):
    # The STN tutorial's path: theta -> affine_grid -> grid_sample -> loss -> theta.grad.
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 3, 6, 7))
    theta = np.tile(np.array([[1.1, 0.2, 0.1], [-0.15, 0.9, -0.2]]), (2, 1, 1))
    theta = theta + 0.05 * rng.standard_normal(theta.shape)

    def stn(F_, x, t):
        grid = F_.affine_grid(t, x.size(), align_corners=False)
        return F_.grid_sample(x, grid, padding_mode=padding_mode, align_corners=False)

    check_op(lambda a, t: stn(F, a, t), lambda a, t: stn(TF, a, t), x, theta,
             rtol=1e-10, atol=1e-10)
