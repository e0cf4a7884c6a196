"""tv_tensors: which ops keep the subclass, metadata, reprs and wrap (torchvision's rules)."""

import copy

import numpy as np
import pytest

import numtorch
from numtorch.vision import tv_tensors


def test_image_adds_channel_dim_and_prints_like_torchvision():
    img = tv_tensors.Image(numtorch.zeros(2, 2, dtype=numtorch.uint8))
    assert img.shape == (1, 2, 2)
    assert repr(img).startswith("Image([[[0, 0],") and repr(img).endswith(", )")
    with pytest.raises(ValueError):
        tv_tensors.Image(numtorch.zeros(3))


def test_to_clone_detach_requires_grad_keep_the_type_arithmetic_does_not():
    img = tv_tensors.Image(numtorch.zeros(3, 2, 2))
    assert type(img.to(numtorch.float64)) is tv_tensors.Image
    assert type(img.clone()) is tv_tensors.Image
    assert type(img.detach()) is tv_tensors.Image
    assert type(img.requires_grad_(True)) is tv_tensors.Image
    for out in (img + 1, img * img, img[0], img.sum(), img.float().double()):
        assert type(out) is numtorch.Tensor


def test_bounding_boxes_metadata_survives_to_clone_deepcopy():
    b = tv_tensors.BoundingBoxes([1, 2, 3, 4], format="xywh", canvas_size=(10, 20))
    assert b.shape == (1, 4)
    assert b.format is tv_tensors.BoundingBoxFormat.XYWH
    for out in (b.to(numtorch.float32), b.clone(), copy.deepcopy(b)):
        assert type(out) is tv_tensors.BoundingBoxes
        assert out.format is b.format and out.canvas_size == (10, 20)
    assert repr(b) == ("BoundingBoxes([[1, 2, 3, 4]], format=BoundingBoxFormat.XYWH, "
                       "canvas_size=(10, 20), clamping_mode=soft)")
    with pytest.raises(ValueError, match="Expected a 1D or 2D tensor, got 3D"):
        tv_tensors.BoundingBoxes(numtorch.zeros(1, 1, 4), format="XYXY", canvas_size=(2, 2))


def test_wrap_copies_the_type_and_metadata_with_overrides():
    b = tv_tensors.BoundingBoxes([[0, 0, 2, 2]], format="XYXY", canvas_size=(4, 4))
    out = tv_tensors.wrap(b + 1, like=b, canvas_size=(8, 8))
    assert type(out) is tv_tensors.BoundingBoxes and out.canvas_size == (8, 8)
    assert out.tolist() == [[1, 1, 3, 3]]
    m = tv_tensors.Mask(numtorch.zeros(2, 2))
    assert type(tv_tensors.wrap(m * 2, like=m)) is tv_tensors.Mask
    with pytest.raises(TypeError, match="Expected `like` to have a `__wrap__` method"):
        tv_tensors.wrap(m, like=numtorch.zeros(1))


def test_video_needs_four_dims():
    assert tv_tensors.Video(numtorch.zeros(2, 3, 4, 4)).shape == (2, 3, 4, 4)
    with pytest.raises(ValueError):
        tv_tensors.Video(numtorch.zeros(3, 4, 4))


def test_wrapping_a_leaf_that_requires_grad_keeps_the_gradient_on_the_leaf():
    # PyTorch's as_subclass is an alias in the graph: backward reaches the wrapped leaf
    x = numtorch.rand(1, 2, 2, requires_grad=True)
    img = tv_tensors.Image(x)
    assert not img.is_leaf and img.requires_grad
    (img * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full((1, 2, 2), 2.0, np.float32))
