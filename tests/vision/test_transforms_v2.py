"""vision.transforms.v2: same outputs as v1 after the same seed, boxes and masks checked by
hand, random draws as torch's primitives in torchvision's order, reprs and errors."""

import warnings

import numpy as np
import pytest
import torch
from PIL import Image as PILImage

import numtorch
import numtorch.vision.transforms as T1
from numtorch.vision import tv_tensors
from numtorch.vision.transforms import v2
from numtorch.vision.transforms.v2 import functional as F

RNG = np.random.default_rng(0)
U8 = numtorch.from_numpy(RNG.integers(0, 256, (3, 12, 16), dtype=np.uint8))
IMG = tv_tensors.Image(U8)


def boxes(data, fmt="XYXY", canvas=(12, 16)):
    return tv_tensors.BoundingBoxes(data, format=fmt, canvas_size=canvas)


def same_as_v1(v2_t, v1_t, inpt=U8, seed=0):
    numtorch.manual_seed(seed)
    a = v2_t(inpt)
    numtorch.manual_seed(seed)
    b = v1_t(inpt)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    return a


@pytest.mark.parametrize("v2_t, v1_t", [
    (v2.Resize(8), T1.Resize(8)),
    (v2.CenterCrop(7), T1.CenterCrop(7)),
    (v2.RandomResizedCrop(9), T1.RandomResizedCrop(9)),
    (v2.RandomCrop((5, 6)), T1.RandomCrop((5, 6))),
    (v2.RandomHorizontalFlip(), T1.RandomHorizontalFlip()),
    (v2.RandomVerticalFlip(), T1.RandomVerticalFlip()),
    (v2.Pad([1, 2]), T1.Pad([1, 2])),
    (v2.RandomRotation(30), T1.RandomRotation(30)),
    (v2.RandomAffine(20, (0.1, 0.2), (0.8, 1.2), 10), T1.RandomAffine(20, (0.1, 0.2), (0.8, 1.2), 10)),
    (v2.ColorJitter(0.4, 0.4, 0.4, 0.1), T1.ColorJitter(0.4, 0.4, 0.4, 0.1)),
    (v2.Grayscale(3), T1.Grayscale(3)),
    (v2.RandomGrayscale(0.5), T1.RandomGrayscale(0.5)),
    (v2.GaussianBlur(3), T1.GaussianBlur(3)),
])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_v1_after_the_same_seed(v2_t, v1_t, seed):
    same_as_v1(v2_t, v1_t, seed=seed)


def test_random_erasing_matches_v1_on_float_images():
    x = U8.float() / 255
    for seed in range(3):
        same_as_v1(v2.RandomErasing(p=0.9), T1.RandomErasing(p=0.9), x, seed)


def test_tv_tensor_in_tv_tensor_out_and_pil_in_pil_out():
    out = v2.RandomResizedCrop(9)(IMG)
    assert type(out) is tv_tensors.Image and out.shape == (3, 9, 9)
    pil = PILImage.fromarray(U8.permute(1, 2, 0).numpy())
    assert isinstance(v2.RandomHorizontalFlip(1.0)(pil), PILImage.Image)


def test_nested_sample_first_pure_tensor_is_the_image():
    label = numtorch.tensor([1, 2])
    sample = (U8, {"labels": label, "name": "x", "boxes": [U8]})
    out = v2.RandomHorizontalFlip(p=1.0)(sample)
    np.testing.assert_array_equal(out[0].numpy(), U8.numpy()[..., ::-1])
    assert out[1]["labels"] is label and out[1]["name"] == "x" and out[1]["boxes"][0] is U8
    # with an explicit Image, every pure tensor passes through
    out = v2.RandomHorizontalFlip(p=1.0)(U8, IMG)
    assert out[0] is U8
    np.testing.assert_array_equal(out[1].numpy(), U8.numpy()[..., ::-1])


def test_boxes_and_masks_move_with_the_image():
    b = boxes([[1, 2, 5, 6]])
    mask = tv_tensors.Mask(numtorch.zeros(12, 16, dtype=numtorch.uint8))
    mask[2:6, 1:5] = 1
    img, b2, m2 = v2.RandomHorizontalFlip(p=1.0)(IMG, b, mask)
    assert b2.tolist() == [[11, 2, 15, 6]] and type(m2) is tv_tensors.Mask
    assert m2[2:6, 11:15].all() and int(m2.sum()) == 16
    assert v2.Resize((24, 8))(b).tolist() == [[0, 4, 2, 12]]
    r = v2.Resize((24, 8))(b)
    assert r.canvas_size == (24, 8)
    c = F.crop(b, 3, 2, 6, 6)  # shifted by (left, top) and clamped to the new canvas
    assert c.tolist() == [[0, 0, 3, 3]] and c.canvas_size == (6, 6)
    p = F.pad(b, [1, 2, 3, 4])
    assert p.tolist() == [[2, 4, 6, 8]] and p.canvas_size == (18, 20)
    # a 90 degree turn with expand: (x, y) -> (y, W - x)
    rot = F.rotate(b, 90, expand=True)
    assert rot.tolist() == [[2, 11, 6, 15]] and rot.canvas_size == (16, 12)
    assert F.vertical_flip(boxes([[0.0, 1.0, 2.0, 3.0]], "XYWH")).tolist() == [[0, 8, 2, 3]]
    assert F.horizontal_flip(boxes([[4.0, 4.0, 2.0, 2.0]], "CXCYWH")).tolist() == [[12, 4, 2, 2]]


def test_box_format_conversion_and_clamping():
    b = boxes([[2, 2, 6, 8]])
    xywh = F.convert_bounding_box_format(b, new_format="XYWH")
    assert xywh.tolist() == [[2, 2, 4, 6]] and xywh.format is tv_tensors.BoundingBoxFormat.XYWH
    assert v2.ConvertBoundingBoxFormat("CXCYWH")(b).tolist() == [[4, 5, 4, 6]]
    back = F.convert_bounding_box_format(v2.ConvertBoundingBoxFormat("CXCYWH")(b), new_format="XYXY")
    assert back.tolist() == [[2, 2, 6, 8]]
    assert v2.ClampBoundingBoxes()(boxes([[-3, 2, 20, 14]])).tolist() == [[0, 2, 16, 12]]
    with pytest.raises(ValueError, match="`old_format` has to be passed"):
        F.convert_bounding_box_format(numtorch.zeros(1, 4), new_format="XYXY")


def test_sanitize_drops_degenerate_boxes_and_their_labels():
    b = boxes([[0, 0, 4, 4], [3, 3, 3, 9], [1, 1, 2, 2]])
    sample = {"image": IMG, "boxes": b, "labels": numtorch.tensor([7, 8, 9])}
    out = v2.SanitizeBoundingBoxes()(sample)
    assert out["boxes"].tolist() == [[0, 0, 4, 4], [1, 1, 2, 2]]
    assert out["labels"].tolist() == [7, 9] and out["image"] is IMG
    with pytest.raises(ValueError, match="Could not infer where the labels are"):
        v2.SanitizeBoundingBoxes()({"image": IMG, "boxes": b})


def test_colour_transforms_pass_masks_and_boxes_through():
    b, m = boxes([[1, 2, 5, 6]]), tv_tensors.Mask(numtorch.ones(12, 16))
    _, b2, m2 = v2.ColorJitter(0.5, 0.5)(IMG, b, m)
    assert b2 is b and m2 is m


def test_random_draws_follow_torchvision_order():
    # RandomRotation: one uniform_; RandomZoomOut: rand(1) then rand(2); RandomCrop: one
    # randint per dimension with room
    torch.manual_seed(3)
    angle = torch.empty(1).uniform_(-30.0, 30.0).item()
    numtorch.manual_seed(3)
    assert v2.RandomRotation(30).make_params([IMG])["angle"] == angle
    torch.manual_seed(4)
    torch.rand(1)  # the p draw that forward makes first
    r = 1.0 + torch.rand(1) * 3.0
    cw, ch = int(16 * r), int(12 * r)
    r2 = torch.rand(2)
    left, top = int((cw - 16) * r2[0]), int((ch - 12) * r2[1])
    numtorch.manual_seed(4)
    numtorch.rand(1)
    assert v2.RandomZoomOut().make_params([IMG])["padding"] == [left, top, cw - 16 - left,
                                                               ch - 12 - top]
    torch.manual_seed(5)
    left = int(torch.randint(0, 16 - 5 + 1, size=()))
    numtorch.manual_seed(5)
    p = v2.RandomCrop((12, 5)).make_params([IMG])
    assert (p["top"], p["left"]) == (0, left)
    torch.manual_seed(6)
    idx = int(torch.multinomial(torch.tensor([0.25, 0.75]), 1))
    perm = torch.randperm(3).tolist()
    numtorch.manual_seed(6)
    seen = []
    v2.RandomChoice([v2.Lambda(lambda x: seen.append(0)), v2.Lambda(lambda x: seen.append(1))],
                    p=[1, 3])(U8)
    assert seen == [idx]
    seen.clear()
    v2.RandomOrder([v2.Lambda(lambda x, i=i: seen.append(i) or x) for i in range(3)])(U8)
    assert seen == perm


def test_to_image_to_dtype_normalize():
    arr = RNG.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    img = v2.ToImage()(arr)
    assert type(img) is tv_tensors.Image and img.shape == (3, 5, 6)
    f = v2.ToDtype(numtorch.float32, scale=True)(img)
    ref = torch.from_numpy(arr).permute(2, 0, 1).to(torch.float32).mul_(1.0 / 255)
    np.testing.assert_array_equal(f.numpy(), ref.numpy())
    assert type(f) is tv_tensors.Image
    back = v2.ToDtype(numtorch.uint8, scale=True)(f)
    np.testing.assert_array_equal(back.numpy(), arr.transpose(2, 0, 1))
    m = tv_tensors.Mask(numtorch.zeros(5, 6, dtype=numtorch.uint8))
    out_img, out_m = v2.ToDtype({tv_tensors.Image: numtorch.float32,
                                 tv_tensors.Mask: numtorch.int64})(img, m)
    assert out_img.dtype == numtorch.float32 and out_m.dtype == numtorch.int64
    assert type(out_m) is tv_tensors.Mask
    with pytest.raises(ValueError, match="No dtype was specified for type"):
        v2.ToDtype({tv_tensors.Image: numtorch.float32})(img, m)
    n = v2.Normalize([0.5] * 3, [0.25] * 3)(f)
    np.testing.assert_allclose(n.numpy(), (ref.numpy() - 0.5) / 0.25, rtol=1e-6)
    with pytest.raises(TypeError, match="Normalize\\(\\) does not support PIL images."):
        v2.Normalize([0.5], [0.5])(PILImage.fromarray(arr))
    assert type(v2.ToPureTensor()(img)) is numtorch.Tensor


def test_to_tensor_is_deprecated_and_matches_v1():
    pil = PILImage.fromarray(U8.permute(1, 2, 0).numpy())
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        t = v2.ToTensor()
    assert "The transform `ToTensor()` is deprecated" in str(w[0].message)
    np.testing.assert_array_equal(t(pil).numpy(), T1.ToTensor()(pil).numpy())


def test_reprs_as_torchvision():
    assert repr(v2.Resize(32)) == ("Resize(size=[32], interpolation=InterpolationMode.BILINEAR, "
                                   "antialias=True)")
    assert repr(v2.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(v2.ColorJitter(brightness=0.5)) == "ColorJitter(brightness=(0.5, 1.5))"
    assert repr(v2.Compose([v2.CenterCrop(4), v2.ToDtype(numtorch.float32, scale=True)])) == (
        "Compose(\n      CenterCrop(size=(4, 4))\n"
        "      ToDtype(dtype=numtorch.float32, scale=True)\n)")
    assert repr(v2.Normalize([0.5], [0.5])) == "Normalize(mean=[0.5], std=[0.5], inplace=False)"


def test_errors_as_torchvision():
    with pytest.raises(ValueError, match="`p` should be a floating point value"):
        v2.RandomHorizontalFlip(p=2)
    with pytest.raises(ValueError, match="size can be an integer, a sequence of one or two"):
        v2.Resize([1, 2, 3])
    with pytest.raises(ValueError, match="Pass at least one transform"):
        v2.Compose([])
    with pytest.raises(ValueError, match="Found multiple HxW dimensions in the sample"):
        v2.RandomCrop(4)(IMG, tv_tensors.Mask(numtorch.zeros(5, 5)))
    with pytest.raises(ValueError, match="Required crop size \\(20, 20\\) is larger"):
        v2.RandomCrop(20)(IMG)
    with pytest.raises(TypeError, match="Functional F.adjust_brightness supports inputs"):
        F.adjust_brightness(tv_tensors.Mask(numtorch.zeros(2, 2)), 0.5)
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        v2.Lambda(3)


# --- v2's tensor colour arithmetic, against the same steps written with torch ---------------

def _ref_gray(img, preserve_dtype):
    r, g, b = img.unbind(dim=-3)
    luma = r.mul(0.2989).add_(g, alpha=0.587).add_(b, alpha=0.114).unsqueeze(dim=-3)
    return luma.to(img.dtype) if preserve_dtype else luma


def _ref_blend(a, b, ratio):
    bound = 1.0 if a.is_floating_point() else 255.0
    out = a.mul(ratio).add_(b, alpha=1.0 - ratio).clamp_(0, bound)
    return out if a.is_floating_point() else out.to(a.dtype)


def _ref_saturation(img, f):
    gray = _ref_gray(img, False)
    if not img.is_floating_point():
        gray = gray.floor_()
    return _ref_blend(img, gray, f)


def _ref_contrast(img, f):
    gray = _ref_gray(img, False)
    if not img.is_floating_point():
        gray = gray.floor_()
    return _ref_blend(img, gray.mean(dim=(-3, -2, -1), keepdim=True), f)


def _ref_sharpness(img, f):
    fp = img.is_floating_point()
    dtype = img.dtype if fp else torch.float32
    a, b = 1.0 / 13.0, 5.0 / 13.0
    kernel = torch.tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=dtype).expand(3, 1, 3, 3)
    out = img.to(dtype=dtype, copy=True)
    blurred = torch.nn.functional.conv2d(out, kernel, groups=3)
    if not fp:
        blurred = blurred.round_()
    view = out[..., 1:-1, 1:-1]
    view.add_(blurred.sub_(view), alpha=1.0 - f)
    out = out.clamp_(0, 1.0 if fp else 255.0)
    return out if fp else out.to(img.dtype)


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
@pytest.mark.parametrize("name, ref, factor", [
    ("adjust_saturation", _ref_saturation, 0.37), ("adjust_saturation", _ref_saturation, 1.8),
    ("adjust_contrast", _ref_contrast, 0.6), ("adjust_contrast", _ref_contrast, 1.7),
    ("adjust_sharpness", _ref_sharpness, 0.3), ("adjust_sharpness", _ref_sharpness, 2.5),
    ("adjust_brightness", lambda img, f: img.mul(f).clamp_(0, 1.0 if img.is_floating_point()
                                                          else 255.0).to(img.dtype), 1.3),
])
def test_v2_colour_ops_use_v2s_arithmetic_on_tensors(dtype, name, ref, factor):
    """torchvision v2 blends with a fused ``add(alpha=)`` (v1 adds two products): the same
    steps written with torch give numtorch's result exactly, uint8 rounding included."""
    rng = np.random.default_rng(3)
    if dtype == "uint8":
        img = rng.integers(0, 256, (2, 3, 17, 19), dtype=np.uint8)
    else:
        img = rng.random((2, 3, 17, 19), dtype=np.float32)
    ours = getattr(numtorch.vision.transforms.v2.functional, name)(numtorch.tensor(img), factor)
    theirs = ref(torch.tensor(img), factor)
    if name == "adjust_contrast" and dtype == "float32":
        # the image mean is a reduction: its summation order can move the last bit
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)
    else:
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("channels", [1, 3])
def test_v2_grayscale_uses_v2s_arithmetic_on_tensors(channels):
    img = np.random.default_rng(4).integers(0, 256, (3, 9, 8), dtype=np.uint8)
    gray3 = numtorch.vision.transforms.v2.functional.rgb_to_grayscale(numtorch.tensor(img),
                                                                      channels)
    want = _ref_gray(torch.tensor(img), True)
    if channels == 3:
        want = want.expand(3, 9, 8)
    np.testing.assert_array_equal(gray3.numpy(), want.numpy())


@pytest.mark.parametrize("make", [
    lambda i: v2.Resize(4, interpolation=i),
    lambda i: v2.RandomResizedCrop(4, interpolation=i),
    lambda i: v2.RandomRotation(10, interpolation=i),
    lambda i: v2.RandomAffine(10, interpolation=i),
    lambda i: v2.AutoAugment(interpolation=i),
])
def test_v2_transforms_check_interpolation_as_torchvision_v2(make):
    # torchvision v2's _check_interpolation: a Pillow int maps to its mode, anything else
    # that is not an InterpolationMode is a ValueError
    assert make(2).interpolation == v2.InterpolationMode.BILINEAR
    with pytest.raises(ValueError, match="InterpolationMode"):
        make("bilinear")


@pytest.mark.parametrize("src,dst", [("uint8", "int16"), ("int16", "uint8"), ("int8", "int32"),
                                     ("int64", "int8"), ("int32", "uint8")])
def test_to_dtype_scale_between_integers_shifts_bits_as_torchvision(src, dst):
    # torchvision v2: right shift then cast going down, cast then left shift going up
    bits = {"uint8": 8, "int8": 7, "int16": 15, "int32": 31, "int64": 63}
    x = torch.tensor([[[0, 1, 100, 127]]], dtype=getattr(torch, src))
    shift = bits[src] - bits[dst]
    want = (x.bitwise_right_shift(shift).to(getattr(torch, dst)) if shift > 0
            else x.to(getattr(torch, dst)).bitwise_left_shift(-shift))
    got = F.to_dtype(tv_tensors.Image(numtorch.from_numpy(x.numpy())),
                     getattr(numtorch, dst), scale=True)
    assert isinstance(got, tv_tensors.Image) and got.dtype == getattr(numtorch, dst)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_sanitize_takes_float_boxes_that_require_grad():
    # the validity mask is tensor arithmetic, not the NumPy array behind the boxes
    b = tv_tensors.BoundingBoxes([[0.0, 0.0, 4.0, 4.0], [3.0, 3.0, 3.0, 9.0]], format="XYXY",
                                 canvas_size=(12, 16), requires_grad=True)
    out = v2.SanitizeBoundingBoxes()({"boxes": b, "labels": numtorch.tensor([7, 8])})
    assert out["boxes"].tolist() == [[0.0, 0.0, 4.0, 4.0]] and out["labels"].tolist() == [7]


def test_rotated_box_formats_are_a_known_difference():
    # torchvision converts and moves rotated boxes (XYWHR, CXCYWHR, XYXYXYXY); numtorch
    # names the formats but its box kernels refuse them
    b = tv_tensors.BoundingBoxes([[2.0, 2.0, 4.0, 6.0, 30.0]], format="XYWHR",
                                 canvas_size=(12, 16))
    with pytest.raises(NotImplementedError, match="rotated box format"):
        F.convert_bounding_box_format(b, new_format="CXCYWHR")
    with pytest.raises(NotImplementedError, match="rotated box format"):
        F.horizontal_flip(b)


@pytest.mark.parametrize("fmt", ["XYXY", "XYWH", "CXCYWH"])
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_resize_scales_boxes_by_float32_ratios_in_any_format_as_torchvision(fmt, dtype):
    # torchvision: boxes.mul(tensor([w_ratio, h_ratio, w_ratio, h_ratio])).to(boxes.dtype),
    # on the raw numbers of any format (no trip through XYXY, no float64 ratios)
    a = RNG.random((500, 4), dtype=np.float32) * 50 + 1
    a = a.astype(dtype)
    b = boxes(numtorch.from_numpy(a.copy()), fmt, canvas=(123, 117))
    got = F.resize(b, [77, 301])
    ratios = torch.tensor([301 / 117, 77 / 123] * 2)
    want = torch.from_numpy(a).mul(ratios).to(getattr(torch, dtype))
    assert got.canvas_size == (77, 301) and got.format.value == fmt
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_sanitize_takes_labels_getter_returning_a_list_of_tensors_as_torchvision():
    b = boxes([[0, 0, 4, 4], [3, 3, 3, 9], [1, 1, 5, 6]])
    sample = {"boxes": b, "labels": numtorch.tensor([7, 8, 9]), "ids": numtorch.tensor([1, 2, 3])}
    t = v2.SanitizeBoundingBoxes(labels_getter=lambda s: [s["labels"], s["ids"]])
    out = t(sample)
    assert out["labels"].tolist() == [7, 9] and out["ids"].tolist() == [1, 3]
    assert out["boxes"].tolist() == [[0, 0, 4, 4], [1, 1, 5, 6]]
    with pytest.raises(ValueError, match="must be a tensor or None, got <class 'int'> instead"):
        v2.SanitizeBoundingBoxes(labels_getter=lambda s: [s["labels"], 3])(sample)
    with pytest.raises(ValueError, match="labels_getter should either be 'default', a callable"):
        v2.SanitizeBoundingBoxes(labels_getter="labels")


def test_fill_dict_without_the_type_or_others_falls_back_to_the_default_as_torchvision():
    # torchvision's _get_fill builds its "should never happen" RuntimeError without raising
    # it, so a type missing from the dict gets fill=None (zeros)
    mask = tv_tensors.Mask(numtorch.ones(12, 16, dtype=numtorch.uint8))
    img, m = v2.Pad(2, fill={tv_tensors.Image: 7})(IMG, mask)
    assert int(img[0, 0, 0]) == 7 and int(m[0, 0]) == 0 and int(m[2, 2]) == 1


def test_default_labels_getter_takes_the_second_item_of_a_list_or_longer_tuple():
    b = boxes([[0, 0, 4, 4], [3, 3, 3, 9]])
    out = v2.SanitizeBoundingBoxes()([IMG, {"boxes": b, "labels": numtorch.tensor([7, 8])}])
    assert out[1]["labels"].tolist() == [7]
    out = v2.SanitizeBoundingBoxes()((IMG, {"boxes": b, "labels": numtorch.tensor([7, 8])}, 3))
    assert out[1]["labels"].tolist() == [7] and out[2] == 3


def _torch_clamp(b, fmt, canvas):
    # torchvision's clamp_bounding_boxes: float, through XYXY, clamp, back, cast
    x = b.clone() if b.is_floating_point() else b.float()
    if fmt == "XYWH":
        x[:, 2:] += x[:, :2]
    elif fmt == "CXCYWH":
        x[:, :2] -= x[:, 2:] / 2
        x[:, 2:] += x[:, :2]
    x[:, 0::2].clamp_(0, canvas[1])
    x[:, 1::2].clamp_(0, canvas[0])
    if fmt != "XYXY":
        x[:, 2:] -= x[:, :2]
    if fmt == "CXCYWH":
        x[:, :2] = (x[:, :2] * 2 + x[:, 2:]) / 2
    return x.to(b.dtype)


@pytest.mark.parametrize("fmt", ["XYXY", "XYWH", "CXCYWH"])
@pytest.mark.parametrize("dtype", ["int64", "float32"])
def test_flip_crop_pad_move_boxes_in_their_own_format_as_torchvision(fmt, dtype):
    # torchvision shifts the corner (XYXY: both corners) or the centre, never a trip
    # through XYXY, which rounds integer CXCYWH boxes of odd size by one
    data = [[8, 6, 3, 3], [5, 4, 5, 7], [10, 9, 4, 2]]
    b = boxes(numtorch.tensor(data, dtype=getattr(numtorch, dtype)), fmt)
    t = torch.tensor(data, dtype=getattr(torch, dtype))
    flipped = t.clone()
    if fmt == "XYXY":
        flipped[:, [2, 0]] = t[:, [0, 2]].sub(16).neg()
    elif fmt == "XYWH":
        flipped[:, 0] = t[:, 0].add(t[:, 2]).sub(16).neg()
    else:
        flipped[:, 0] = t[:, 0].sub(16).neg()
    assert F.horizontal_flip(b).tolist() == flipped.tolist()
    shift = torch.tensor([2, 1, 2, 1] if fmt == "XYXY" else [2, 1, 0, 0], dtype=t.dtype)
    assert F.crop(b, 1, 2, 9, 11).tolist() == _torch_clamp(t - shift, fmt, (9, 11)).tolist()
    padded = F.pad(b, [2, 1, 0, 0])
    assert padded.tolist() == _torch_clamp(t + shift, fmt, (13, 18)).tolist()
    assert padded.canvas_size == (13, 18)


def test_v2_normalize_checks_and_arithmetic_as_torchvision_v2():
    # v2's messages (v1's say "after conversion to ..." and print tensor.size()); values as
    # x.sub(mean).div_(std) with mean and std in the image's dtype
    x = torch.rand(2, 3, 4, 5)
    got = F.normalize(tv_tensors.Image(numtorch.from_numpy(x.numpy().copy())), [0.4, 0.5, 0.6],
                      [0.2, 0.3, 0.7])
    want = x.sub(torch.tensor([0.4, 0.5, 0.6]).view(-1, 1, 1)).div_(
        torch.tensor([0.2, 0.3, 0.7]).view(-1, 1, 1))
    assert isinstance(got, tv_tensors.Image)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    with pytest.raises(ValueError, match=r"^std evaluated to zero, leading to division by zero"):
        F.normalize(numtorch.zeros(3, 4, 4), [0.5], [0.0])
    with pytest.raises(ValueError, match=r"of size \(\.\.\., C, H, W\)\. Got numtorch.Size\(\[4, "
                                         r"4\]\)\.$"):
        F.normalize(numtorch.zeros(4, 4), [0.5], [1.0])
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        F.normalize(numtorch.zeros(3, 4, 4, dtype=numtorch.uint8), [0.5], [0.5])
