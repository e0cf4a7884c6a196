"""numtorch.vision.utils: make_grid and save_image against torchvision's algorithm,
written here with torch primitives (torchvision itself is not installed)."""

import io
import math

import numpy as np
import pytest
import torch
from PIL import Image

import numtorch
from numtorch.vision.utils import make_grid, save_image


def ref_make_grid(t, nrow=8, padding=2, normalize=False, value_range=None, scale_each=False,
                  pad_value=0.0):
    """torchvision's make_grid, step by step, on torch tensors."""
    if isinstance(t, list):
        t = torch.stack(t, 0)
    if t.dim() == 2:
        t = t.unsqueeze(0)
    if t.dim() == 3:
        if t.size(0) == 1:
            t = torch.cat((t, t, t), 0)
        t = t.unsqueeze(0)
    if t.dim() == 4 and t.size(1) == 1:
        t = torch.cat((t, t, t), 1)
    if normalize:
        t = t.clone()

        def norm(img, lo, hi):
            img.clamp_(min=lo, max=hi)
            img.sub_(lo).div_(max(hi - lo, 1e-5))

        for img in (t if scale_each else [t]):
            if value_range is not None:
                norm(img, *value_range)
            else:
                norm(img, float(img.min()), float(img.max()))
    if t.size(0) == 1:
        return t.squeeze(0)
    n = t.size(0)
    xmaps = min(nrow, n)
    ymaps = int(math.ceil(n / xmaps))
    h, w = t.size(2) + padding, t.size(3) + padding
    grid = t.new_full((t.size(1), h * ymaps + padding, w * xmaps + padding), pad_value)
    for k in range(n):
        y, x = divmod(k, xmaps)
        grid[:, y * h + padding:(y + 1) * h, x * w + padding:(x + 1) * w] = t[k]
    return grid


def check(arr, **kwargs):
    got = make_grid(numtorch.from_numpy(arr.copy()), **kwargs)
    expected = ref_make_grid(torch.from_numpy(arr.copy()), **kwargs)
    assert got.dtype == numtorch.float32
    assert tuple(got.shape) == tuple(expected.shape)
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


RNG = np.random.default_rng(0)


@pytest.mark.parametrize("shape", [(5, 3, 4, 6), (9, 1, 3, 3), (1, 3, 4, 4), (3, 5, 5),
                                   (1, 4, 4), (6, 7), (17, 2, 2, 3)])
@pytest.mark.parametrize("kwargs", [{}, {"nrow": 2, "padding": 1, "pad_value": 0.5},
                                    {"nrow": 4, "padding": 0},
                                    {"normalize": True},
                                    {"normalize": True, "scale_each": True, "padding": 3},
                                    {"normalize": True, "value_range": (-0.5, 0.5)},
                                    {"normalize": True, "value_range": (-1, 1),
                                     "scale_each": True}])
def test_make_grid_equals_torchvisions(shape, kwargs):
    check((RNG.standard_normal(shape) * 3).astype(np.float32), **kwargs)


def test_make_grid_list_and_float64_and_constant_image():
    imgs = [RNG.random((3, 4, 5)) for _ in range(3)]
    got = make_grid([numtorch.from_numpy(a) for a in imgs], nrow=2)
    expected = ref_make_grid([torch.from_numpy(a) for a in imgs], nrow=2)
    assert got.dtype == numtorch.float64
    np.testing.assert_array_equal(got.numpy(), expected.numpy())
    check(np.full((2, 3, 4, 4), 0.25, np.float32), normalize=True)  # max - min == 0


def test_make_grid_does_not_modify_its_input():
    arr = RNG.standard_normal((4, 3, 2, 2)).astype(np.float32)
    t = numtorch.from_numpy(arr.copy())
    make_grid(t, normalize=True, scale_each=True)
    np.testing.assert_array_equal(t.numpy(), arr)


def test_make_grid_errors():
    with pytest.raises(TypeError, match="tensor or list of tensors expected, got <class 'int'>"):
        make_grid(3)
    with pytest.raises(TypeError, match="got a list containing <class 'numpy.ndarray'>"):
        make_grid([np.zeros((3, 2, 2))])
    with pytest.raises(TypeError, match="value_range has to be a tuple"):
        make_grid(numtorch.zeros(2, 3, 2, 2), normalize=True, value_range=[0, 1])


@pytest.mark.parametrize("shape,kwargs", [((4, 3, 5, 6), {"nrow": 3}), ((2, 1, 4, 4), {}),
                                          ((3, 7, 9), {"normalize": True})])
def test_save_image_writes_torchvisions_pixels(tmp_path, shape, kwargs):
    arr = (RNG.random(shape) * 1.4 - 0.2).astype(np.float32)
    path = tmp_path / "grid.png"
    save_image(numtorch.from_numpy(arr), str(path), **kwargs)
    grid = ref_make_grid(torch.from_numpy(arr), **kwargs)
    expected = grid.mul(255).add_(0.5).clamp_(0, 255).permute(1, 2, 0).to(torch.uint8).numpy()
    with Image.open(path) as img:
        assert img.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(img), expected)
    buf = io.BytesIO()
    save_image(numtorch.from_numpy(arr), buf, format="PNG", **kwargs)
    assert buf.getvalue()[:4] == b"\x89PNG"
