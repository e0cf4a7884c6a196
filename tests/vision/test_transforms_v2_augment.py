"""vision.transforms.v2 auto-augment and batch mixing: the draws replayed with torch's
primitives in torchvision's order after the same seed, the outputs rebuilt from v1's op
kernels with those draws, reprs and errors as torchvision's."""


import math

import numpy as np
import pytest
import torch
from PIL import Image as PILImage

import numtorch
from numtorch.vision import tv_tensors
from numtorch.vision.transforms import v2
from numtorch.vision.transforms.autoaugment import _POLICIES, _apply_op
from numtorch.vision.transforms.functional import InterpolationMode

RNG = np.random.default_rng(0)
U8 = numtorch.from_numpy(RNG.integers(0, 256, (3, 10, 12), dtype=np.uint8))
BATCH = numtorch.from_numpy(RNG.integers(0, 256, (2, 3, 10, 12), dtype=np.uint8))
NEAREST, BILINEAR = InterpolationMode.NEAREST, InterpolationMode.BILINEAR

# torchvision's magnitude tables, as specs: (start, end) of a linspace ("w"/"h" scale the
# end by the width/height), ("posterize", top, divisor), or None for no magnitude
AA_SPACE = {
    "ShearX": (0.0, 0.3), "ShearY": (0.0, 0.3), "TranslateX": ("w", 150.0 / 331.0),
    "TranslateY": ("h", 150.0 / 331.0), "Rotate": (0.0, 30.0), "Brightness": (0.0, 0.9),
    "Color": (0.0, 0.9), "Contrast": (0.0, 0.9), "Sharpness": (0.0, 0.9),
    "Posterize": ("posterize", 8, 4), "Solarize": (1.0, 0.0), "AutoContrast": None,
    "Equalize": None, "Invert": None,
}
RA_SPACE = {"Identity": None, **{k: v for k, v in AA_SPACE.items() if k != "Invert"}}
TA_SPACE = {
    "Identity": None, "ShearX": (0.0, 0.99), "ShearY": (0.0, 0.99), "TranslateX": (0.0, 32.0),
    "TranslateY": (0.0, 32.0), "Rotate": (0.0, 135.0), "Brightness": (0.0, 0.99),
    "Color": (0.0, 0.99), "Contrast": (0.0, 0.99), "Sharpness": (0.0, 0.99),
    "Posterize": ("posterize", 8, 6), "Solarize": (1.0, 0.0), "AutoContrast": None,
    "Equalize": None,
}
AUGMIX_SPACE = {
    "ShearX": (0.0, 0.3), "ShearY": (0.0, 0.3), "TranslateX": ("w", 1 / 3.0),
    "TranslateY": ("h", 1 / 3.0), "Rotate": (0.0, 30.0), "Posterize": ("posterize", 4, 4),
    "Solarize": (1.0, 0.0), "AutoContrast": None, "Equalize": None, "Brightness": (0.0, 0.9),
    "Color": (0.0, 0.9), "Contrast": (0.0, 0.9), "Sharpness": (0.0, 0.9),
}


def torch_magnitudes(spec, num_bins, height, width):
    if spec is None:
        return None
    if spec[0] == "posterize":
        return (spec[1] - torch.arange(num_bins) / ((num_bins - 1) / spec[2])).round().int()
    if spec[0] in ("w", "h"):
        return torch.linspace(0.0, spec[1] * (width if spec[0] == "w" else height), num_bins)
    return torch.linspace(spec[0], spec[1], num_bins)


def signed(name, spec):
    return spec is not None and spec[0] != "posterize" and name != "Solarize"


def torch_random_item(space):
    names = list(space)
    name = names[int(torch.randint(len(names), ()))]
    return name, space[name]


def magnitude_from(space, name, num_bins, pick):
    """The magnitude torchvision's draws pick: ``pick()`` indexes the table (ours: equal to
    torchvision's bit for bit, see the table test), then the sign draw."""
    fn, is_signed = space[name]
    mags = fn(num_bins, 10, 12)
    if mags is None:
        return 0.0
    magnitude = float(mags[pick()])
    if is_signed and torch.rand(()) <= 0.5:
        return -magnitude
    return magnitude


def apply_v1(img, name, magnitude, interpolation=NEAREST):
    """v1's op with v2's solarize threshold (a fraction of uint8's 255), through v2's
    functionals (v1's kernels but for autocontrast, which v2 computes its own way: tested
    below against torchvision's arithmetic)."""
    if name == "Solarize":
        magnitude *= 255
    return _apply_op(img, name, magnitude, interpolation, None, functional=v2.functional)


def test_augment_space_tables_are_torchvisions():
    for space, spec in [(v2.AutoAugment._AUGMENTATION_SPACE, AA_SPACE),
                        (v2.RandAugment._AUGMENTATION_SPACE, RA_SPACE),
                        (v2.TrivialAugmentWide._AUGMENTATION_SPACE, TA_SPACE),
                        (v2.AugMix._AUGMENTATION_SPACE, AUGMIX_SPACE)]:
        assert list(space) == list(spec)
        for name, (fn, is_signed) in space.items():
            assert is_signed == signed(name, spec[name])
            ours, ref = fn(31, 10, 12), torch_magnitudes(spec[name], 31, 10, 12)
            assert (ours is None) == (ref is None)
            if ref is not None:
                np.testing.assert_array_equal(ours.numpy(), ref.numpy())


@pytest.mark.parametrize("policy", list(v2.AutoAugmentPolicy))
def test_auto_augment_draws_and_output(policy):
    for seed in range(6):
        torch.manual_seed(seed)
        expected = U8
        sub_policy = _POLICIES[policy][int(torch.randint(len(_POLICIES[policy]), ()))]
        for name, p, magnitude_idx in sub_policy:
            if not torch.rand(()) <= p:
                continue
            magnitude = magnitude_from(v2.AutoAugment._AUGMENTATION_SPACE, name, 10,
                                       lambda i=magnitude_idx: i)
            expected = apply_v1(expected, name, magnitude)
        numtorch.manual_seed(seed)
        out = v2.AutoAugment(policy)(U8)
        np.testing.assert_array_equal(out.numpy(), expected.numpy())
        assert float(numtorch.rand(())) == float(torch.rand(()))  # same number of draws


def test_rand_augment_draws_and_output():
    for seed in range(8):
        torch.manual_seed(seed)
        expected = U8
        for _ in range(2):
            name, _ = torch_random_item(RA_SPACE)
            magnitude = magnitude_from(v2.RandAugment._AUGMENTATION_SPACE, name, 31, lambda: 9)
            expected = apply_v1(expected, name, magnitude)
        numtorch.manual_seed(seed)
        out = v2.RandAugment()(U8)
        np.testing.assert_array_equal(out.numpy(), expected.numpy())
        assert float(numtorch.rand(())) == float(torch.rand(()))


def test_trivial_augment_wide_draws_and_output():
    for seed in range(10):
        torch.manual_seed(seed)
        name, _ = torch_random_item(TA_SPACE)
        magnitude = magnitude_from(v2.TrivialAugmentWide._AUGMENTATION_SPACE, name, 31,
                                   lambda: int(torch.randint(31, ())))
        expected = apply_v1(U8, name, magnitude)
        numtorch.manual_seed(seed)
        out = v2.TrivialAugmentWide()(tv_tensors.Image(U8))
        assert type(out) is tv_tensors.Image
        np.testing.assert_array_equal(out.numpy(), expected.numpy())
        assert float(numtorch.rand(())) == float(torch.rand(()))


@pytest.mark.parametrize("chain_depth", [-1, 2])
def test_augmix_draws_and_output_on_a_batch(chain_depth):
    for seed in range(3):
        torch.manual_seed(seed)
        batch = torch.from_numpy(BATCH.numpy())
        m = torch._sample_dirichlet(torch.tensor([1.0, 1.0]).expand(2, -1))
        weights = torch._sample_dirichlet(torch.tensor([1.0] * 3).expand(2, -1))
        weights = weights * m[:, 1].reshape(2, -1)
        mix = m[:, 0].reshape(2, 1, 1, 1) * batch
        for i in range(3):
            aug = BATCH
            depth = chain_depth if chain_depth > 0 else int(torch.randint(low=1, high=4,
                                                                          size=(1,)).item())
            for _ in range(depth):
                name, _ = torch_random_item(AUGMIX_SPACE)
                magnitude = magnitude_from(v2.AugMix._AUGMENTATION_SPACE, name, 10,
                                           lambda: int(torch.randint(3, ())))
                aug = apply_v1(aug, name, magnitude, BILINEAR)
            mix.add_(weights[:, i].reshape(2, 1, 1, 1) * torch.from_numpy(aug.numpy()))
        expected = mix.to(torch.uint8)
        numtorch.manual_seed(seed)
        out = v2.AugMix(chain_depth=chain_depth)(BATCH)
        np.testing.assert_array_equal(out.numpy(), expected.numpy())


def test_auto_augments_keep_the_input_kind():
    pil = PILImage.fromarray(U8.permute(1, 2, 0).numpy())
    video = tv_tensors.Video(BATCH)
    for t in [v2.AutoAugment(), v2.RandAugment(), v2.TrivialAugmentWide(), v2.AugMix()]:
        numtorch.manual_seed(0)
        for _ in range(12):  # every op on a Pillow image
            assert isinstance(t(pil), PILImage.Image)
        out = t(video)
        assert type(out) is tv_tensors.Video and out.shape == video.shape
        label = numtorch.tensor(3)
        img, lab = t(tv_tensors.Image(U8), label)
        assert type(img) is tv_tensors.Image and lab is label


def test_auto_augment_reprs_as_torchvision():
    assert repr(v2.AutoAugment()) == ("AutoAugment(interpolation=InterpolationMode.NEAREST, "
                                      "policy=AutoAugmentPolicy.IMAGENET)")
    assert repr(v2.RandAugment()) == ("RandAugment(interpolation=InterpolationMode.NEAREST, "
                                      "num_ops=2, magnitude=9, num_magnitude_bins=31)")
    assert repr(v2.TrivialAugmentWide(fill=[1, 2, 3])) == (
        "TrivialAugmentWide(interpolation=InterpolationMode.NEAREST, fill=[1, 2, 3], "
        "num_magnitude_bins=31)")
    assert repr(v2.AugMix()) == ("AugMix(interpolation=InterpolationMode.BILINEAR, severity=3, "
                                 "mixture_width=3, chain_depth=-1, alpha=1.0, all_ops=True)")
    assert v2.AutoAugment.get_params is numtorch.vision.transforms.AutoAugment.get_params


def test_auto_augment_errors_as_torchvision():
    b = tv_tensors.BoundingBoxes([[0, 0, 2, 2]], format="XYXY", canvas_size=(10, 12))
    with pytest.raises(TypeError, match=r"Inputs of type BoundingBoxes are not supported by "
                                        r"RandAugment\(\)"):
        v2.RandAugment()(tv_tensors.Image(U8), b)
    with pytest.raises(TypeError, match=r"Inputs of type Mask are not supported by AugMix\(\)"):
        v2.AugMix()(U8, tv_tensors.Mask(numtorch.zeros(10, 12)))
    with pytest.raises(TypeError, match="only properly defined for a single image or video, "
                                        "but found 2"):
        v2.AutoAugment()(tv_tensors.Image(U8), tv_tensors.Image(U8))
    with pytest.raises(TypeError, match="Found no image in the sample."):
        v2.TrivialAugmentWide()("not an image")
    with pytest.raises(ValueError, match="num_ops should be a non-negative integer, but got -1"):
        v2.RandAugment(num_ops=-1)
    with pytest.raises(ValueError, match=r"The severity must be between \[1, 10\]. Got 11"):
        v2.AugMix(severity=11)
    with pytest.raises(ValueError, match="The provided policy"):
        v2.AutoAugment("imagenet")
    with pytest.raises(ValueError, match="Argument interpolation should be an "
                                         "`InterpolationMode` or a corresponding Pillow "
                                         "integer constant, but got bilinear."):
        v2.AutoAugment(interpolation="bilinear")
    assert v2.RandAugment(interpolation=2).interpolation is BILINEAR


# --------------------------------------------------------------------------- MixUp, CutMix

FLOATS = numtorch.from_numpy(RNG.random((4, 3, 10, 12), dtype=np.float32))
LABELS = numtorch.tensor([0, 3, 1, 3])


def torch_lam(alpha):
    beta = torch.distributions.Beta(torch.tensor([alpha]), torch.tensor([alpha]))
    return float(beta.sample(()))


def torch_mixed_labels(lam, labels=LABELS, num_classes=5):
    t = torch.from_numpy(labels.numpy())
    if t.ndim == 1:
        t = torch.nn.functional.one_hot(t, num_classes=num_classes).float()
    return t.roll(1, 0).mul_(1.0 - lam).add_(t.mul(lam))


@pytest.mark.parametrize("alpha", [1.0, 0.3])
def test_mixup_draws_lam_as_torchvision_and_mixes_images_and_labels(alpha):
    for seed in range(4):
        torch.manual_seed(seed)
        lam = torch_lam(alpha)
        x = torch.from_numpy(FLOATS.numpy())
        expected = x.roll(1, 0).mul_(1.0 - lam).add_(x.mul(lam))
        numtorch.manual_seed(seed)
        images, labels = v2.MixUp(alpha=alpha, num_classes=5)(tv_tensors.Image(FLOATS), LABELS)
        assert type(images) is tv_tensors.Image
        np.testing.assert_array_equal(images.numpy(), expected.numpy())
        np.testing.assert_array_equal(labels.numpy(), torch_mixed_labels(lam).numpy())


def test_cutmix_draws_box_as_torchvision_and_pastes_the_neighbour():
    for seed in range(6):
        torch.manual_seed(seed)
        lam = torch_lam(1.0)
        r_x, r_y = torch.randint(12, size=(1,)), torch.randint(10, size=(1,))
        r = 0.5 * math.sqrt(1.0 - lam)
        x1 = int(torch.clamp(r_x - int(r * 12), min=0))
        y1 = int(torch.clamp(r_y - int(r * 10), min=0))
        x2 = int(torch.clamp(r_x + int(r * 12), max=12))
        y2 = int(torch.clamp(r_y + int(r * 10), max=10))
        expected = BATCH.numpy().copy()
        expected[..., y1:y2, x1:x2] = np.roll(BATCH.numpy(), 1, 0)[..., y1:y2, x1:x2]
        lam_adjusted = float(1.0 - (x2 - x1) * (y2 - y1) / (12 * 10))
        numtorch.manual_seed(seed)
        sample = {"images": BATCH, "labels": LABELS[:2], "name": "batch"}
        out = v2.CutMix(num_classes=5)(sample)
        assert out["name"] == "batch" and out["images"].dtype == numtorch.uint8
        np.testing.assert_array_equal(out["images"].numpy(), expected)
        np.testing.assert_array_equal(out["labels"].numpy(),
                                      torch_mixed_labels(lam_adjusted, LABELS[:2]).numpy())
        assert float(numtorch.rand(())) == float(torch.rand(()))


def test_mixup_cutmix_take_probability_labels_and_a_labels_getter():
    probs = numtorch.softmax(numtorch.from_numpy(RNG.random((4, 5), dtype=np.float32)), -1)
    torch.manual_seed(7)
    lam = torch_lam(1.0)
    numtorch.manual_seed(7)
    _, labels = v2.MixUp()(FLOATS, probs)
    np.testing.assert_array_equal(labels.numpy(), torch_mixed_labels(lam, probs).numpy())
    out = v2.CutMix(num_classes=5, labels_getter=lambda s: s[1]["y"])((FLOATS, {"y": LABELS}))
    assert out[1]["y"].shape == (4, 5)


def test_mixup_cutmix_reprs_as_torchvision():
    assert repr(v2.MixUp(num_classes=10)) == "MixUp(alpha=1.0, num_classes=10)"
    assert repr(v2.CutMix(alpha=2)) == "CutMix(alpha=2.0)"


def test_mixup_cutmix_errors_as_torchvision():
    pil = PILImage.fromarray(U8.permute(1, 2, 0).numpy())
    with pytest.raises(ValueError, match=r"MixUp\(\) does not support PIL images, bounding "
                                         r"boxes and masks."):
        v2.MixUp(num_classes=5)(pil, LABELS)
    with pytest.raises(ValueError, match="The labels must be a tensor, but got <class "
                                         "'NoneType'>"):
        v2.CutMix(num_classes=5, labels_getter=None)(FLOATS, LABELS)
    with pytest.raises(ValueError, match="labels should be index based with shape"):
        v2.CutMix(num_classes=5)(FLOATS, numtorch.zeros(4, 5, 1))
    with pytest.raises(ValueError, match="num_classes must be passed if the labels are "
                                         r"index-based \(1D\)"):
        v2.MixUp()(FLOATS, LABELS)
    with pytest.raises(ValueError, match="must match num_classes: 5 != 6. You can Leave"):
        v2.MixUp(num_classes=6)(FLOATS, numtorch.zeros(4, 5))
    with pytest.raises(ValueError, match="Expected a batched input with 4 dims, but got 3"):
        v2.MixUp(num_classes=5)(FLOATS[0], LABELS)
    with pytest.raises(ValueError, match="does not match the batch size of the labels: 4 != 2"):
        v2.CutMix(num_classes=5)(FLOATS, LABELS[:2])
    with pytest.raises(ValueError, match="labels_getter should either be 'default', a callable"):
        v2.MixUp(labels_getter="labels")
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired "
                                           "output type Byte"):
        v2.MixUp(num_classes=5)(BATCH, LABELS[:2])  # MixUp mixes in place: floats only


# --------------------------------------------------------------------------- RandomIoUCrop

def torch_iou_crop_params(boxes, h, w, options=(0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0),
                          trials=40, min_scale=0.3, max_scale=1.0):
    """torchvision's rejection loop on torch's generator (boxes XYXY)."""
    b = torch.from_numpy(boxes.numpy())
    while True:
        option = options[int(torch.randint(low=0, high=len(options), size=(1,)))]
        if option >= 1.0:
            return {}
        for _ in range(trials):
            r = min_scale + (max_scale - min_scale) * torch.rand(2)
            new_w, new_h = int(w * r[0]), int(h * r[1])
            if not 0.5 <= new_w / new_h <= 2.0:
                continue
            r = torch.rand(2)
            left, top = int((w - new_w) * r[0]), int((h - new_h) * r[1])
            right, bottom = left + new_w, top + new_h
            if left == right or top == bottom:
                continue
            cx, cy = 0.5 * (b[:, 0] + b[:, 2]), 0.5 * (b[:, 1] + b[:, 3])
            inside = (left < cx) & (cx < right) & (top < cy) & (cy < bottom)
            if not inside.any():
                continue
            kept = b[inside]
            crop = torch.tensor([[left, top, right, bottom]], dtype=b.dtype)
            if not b.is_floating_point() and b.dtype not in (torch.int32, torch.int64):
                kept, crop = kept.int(), crop.int()  # torchvision.ops.box_iou's _upcast
            lt = torch.max(kept[:, None, :2], crop[:, :2])
            rb = torch.min(kept[:, None, 2:], crop[:, 2:])
            wh = (rb - lt).clamp(min=0)
            inter = wh[:, :, 0] * wh[:, :, 1]
            area1 = (kept[:, 2] - kept[:, 0]) * (kept[:, 3] - kept[:, 1])
            area2 = (crop[:, 2] - crop[:, 0]) * (crop[:, 3] - crop[:, 1])
            if (inter / (area1[:, None] + area2 - inter)).max() < option:
                continue
            return dict(top=top, left=left, height=new_h, width=new_w,
                        is_within_crop_area=inside.tolist())


IOU_IMG = tv_tensors.Image(numtorch.from_numpy(RNG.integers(0, 256, (3, 40, 50), dtype=np.uint8)))


@pytest.mark.parametrize("dtype", [numtorch.float32, numtorch.int64])
@pytest.mark.parametrize("options", [None, [0.7, 0.9]])
def test_random_iou_crop_rejection_loop_draws_as_torchvision(dtype, options):
    data = numtorch.tensor([[2, 3, 20, 25], [30, 10, 48, 38], [10, 20, 30, 39]], dtype=dtype)
    b = tv_tensors.BoundingBoxes(data, format="XYXY", canvas_size=(40, 50))
    t = v2.RandomIoUCrop(sampler_options=options, trials=5)
    for seed in range(8 if options is None else 2):  # high IoUs take many rejections
        torch.manual_seed(seed)
        kwargs = {} if options is None else dict(options=options)
        expected = torch_iou_crop_params(data, 40, 50, trials=5, **kwargs)
        numtorch.manual_seed(seed)
        params = t.make_params([IOU_IMG, b])
        if "is_within_crop_area" in params:
            params["is_within_crop_area"] = params["is_within_crop_area"].tolist()
        assert params == expected
        assert float(numtorch.rand(())) == float(torch.rand(()))


def test_random_iou_crop_measures_iou_as_torchvision_ops_box_iou_without_overflow():
    # int16 areas past 32767 are computed in int32 (box_iou upcasts), as torchvision does
    data = numtorch.tensor([[20, 30, 200, 250], [300, 100, 480, 380]], dtype=numtorch.int16)
    b = tv_tensors.BoundingBoxes(data, format="XYXY", canvas_size=(400, 500))
    img = tv_tensors.Image(numtorch.zeros(1, 400, 500))
    t = v2.RandomIoUCrop(sampler_options=[0.5, 0.7], trials=5)
    for seed in range(4):
        torch.manual_seed(seed)
        expected = torch_iou_crop_params(data, 400, 500, trials=5, options=[0.5, 0.7])
        numtorch.manual_seed(seed)
        params = t.make_params([img, b])
        params["is_within_crop_area"] = params["is_within_crop_area"].tolist()
        assert params == expected


def test_random_iou_crop_crops_everything_and_zeroes_boxes_outside():
    b = tv_tensors.BoundingBoxes([[2, 3, 20, 25], [30, 10, 48, 38]], format="XYWH",
                                 canvas_size=(40, 50))
    for seed in range(6):
        numtorch.manual_seed(seed)
        params = v2.RandomIoUCrop().make_params([IOU_IMG, b])
        numtorch.manual_seed(seed)
        img, boxes, labels = v2.RandomIoUCrop()(IOU_IMG, b, numtorch.tensor([1, 2]))
        assert labels.tolist() == [1, 2]
        if not params:
            assert img is IOU_IMG and boxes is b
            continue
        crop = (params["top"], params["left"], params["height"], params["width"])
        np.testing.assert_array_equal(img.numpy(), v2.functional.crop(IOU_IMG, *crop).numpy())
        ref = v2.functional.crop(b, *crop)
        ref[~params["is_within_crop_area"]] = 0
        assert boxes.tolist() == ref.tolist() and boxes.canvas_size == (crop[2], crop[3])


def test_random_iou_crop_repr_and_errors_as_torchvision():
    assert repr(v2.RandomIoUCrop()) == (
        "RandomIoUCrop(min_scale=0.3, max_scale=1.0, min_aspect_ratio=0.5, max_aspect_ratio=2.0, "
        "options=[0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0], trials=40)")
    with pytest.raises(TypeError, match=r"RandomIoUCrop\(\) requires input sample to contain "
                                        "tensor or PIL images and bounding boxes"):
        v2.RandomIoUCrop()(IOU_IMG)


# --------------------------------------------------------------------------- v2 kernels

def test_v2_posterize_and_equalize_take_float_images_and_videos():
    f = FLOATS[:2]
    t = torch.from_numpy(f.numpy())
    ref = t.mul(8).floor_().clamp_(0, 7).mul_(1.0 / 8)  # torchvision's float posterize
    np.testing.assert_array_equal(v2.functional.posterize(f, 3).numpy(), ref.numpy())
    # equalize goes through uint8 with v2's dtype conversions, for any leading dimensions
    as_u8 = t.mul(255 + 1.0 - 1e-3).to(torch.uint8)
    eq_u8 = v2.functional.equalize(numtorch.from_numpy(as_u8.numpy()))
    ref = torch.from_numpy(eq_u8.numpy()).to(torch.float32).mul(1.0 / 255)
    np.testing.assert_array_equal(v2.functional.equalize(f).numpy(), ref.numpy())
    video = tv_tensors.Video(BATCH[None].expand(2, -1, -1, -1, -1))
    out = v2.functional.equalize(video)
    assert type(out) is tv_tensors.Video
    np.testing.assert_array_equal(out[1, 0].numpy(), v2.functional.equalize(BATCH[0]).numpy())


@pytest.mark.parametrize("make", [v2.AutoAugment, v2.RandAugment, v2.TrivialAugmentWide,
                                  v2.AugMix])
def test_auto_augments_run_on_float_images(make):
    t = make()
    for seed in range(8):
        numtorch.manual_seed(seed)
        out = t(FLOATS[0])
        assert out.dtype == numtorch.float32 and out.shape == (3, 10, 12)
        assert 0.0 <= float(out.min()) and float(out.max()) <= 1.0


def torch_v2_autocontrast(image):
    """torchvision v2's autocontrast arithmetic, in torch."""
    bound = 255 if image.dtype == torch.uint8 else 1.0
    x = image.to(torch.float32)
    lo, hi = x.amin(dim=(-2, -1), keepdim=True), x.amax(dim=(-2, -1), keepdim=True)
    flat = hi == lo
    inv_scale = hi.sub(lo).mul_(1.0 / bound)
    lo[flat], inv_scale[flat] = 0.0, 1.0
    return x.sub(lo).div_(inv_scale).clamp_(0, bound).to(image.dtype)


def test_v2_autocontrast_uses_v2s_arithmetic():
    gen = torch.Generator().manual_seed(0)
    for i in range(30):
        lo = int(torch.randint(0, 100, (1,), generator=gen))
        x = torch.randint(lo, lo + 100, (2, 3, 10, 12), dtype=torch.uint8, generator=gen)
        if i % 3 == 1:
            x = x.float() / 300
        if i % 3 == 2:
            x[0, 1] = 7  # a flat channel is left alone
        out = v2.functional.autocontrast(numtorch.from_numpy(x.numpy()))
        np.testing.assert_array_equal(out.numpy(), torch_v2_autocontrast(x).numpy())
    # v1 maps a channel's maximum to 255; v2's division can land just under it
    assert int(v2.functional.autocontrast(U8).max()) == 254


def test_v2_autocontrast_and_solarize_take_a_tensor_that_requires_grad():
    # tensor arithmetic, not the NumPy array behind the tensor (which .numpy() refuses to
    # hand out while the tensor requires grad)
    x = numtorch.rand(3, 5, 5, requires_grad=True)
    ref = torch_v2_autocontrast(torch.from_numpy(x.detach().numpy()))
    np.testing.assert_array_equal(v2.functional.autocontrast(x).detach().numpy(), ref.numpy())
    numtorch.manual_seed(0)
    t = v2.RandAugment(num_ops=1)
    t._apply_image_or_video_transform(x, "Solarize", 0.5)


@pytest.mark.parametrize("dtype,bits", [("uint8", 3), ("uint8", 8), ("int16", 5),
                                        ("int32", 31), ("int8", 2)])
def test_v2_posterize_masks_any_integer_dtype_as_torchvision(dtype, bits):
    # torchvision v2: ``image & (((1 << bits) - 1) << (value_bits - bits))``, or the image
    # itself when bits covers every value bit (v1 takes uint8 only)
    value_bits = {"uint8": 8, "int8": 7, "int16": 15, "int32": 31}[dtype]
    x = torch.tensor([[[0, 1, 77, 100, 127]]], dtype=getattr(torch, dtype))
    want = x if bits >= value_bits else x & (((1 << bits) - 1) << (value_bits - bits))
    got = v2.functional.posterize(numtorch.from_numpy(x.numpy()), bits)
    assert got.dtype == getattr(numtorch, dtype)
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int16, torch.float32])
def test_v2_invert_and_solarize_take_any_channel_count_with_v2s_arithmetic(dtype):
    # torchvision v2: invert is 1 - x / bitwise_not / xor with the value bits, and neither
    # op checks the channel count (v1's kernels take 1 or 3 channels only)
    x = torch.randint(0, 100, (2, 5, 6), dtype=dtype) if not dtype.is_floating_point \
        else torch.rand(2, 5, 6)
    if dtype.is_floating_point:
        inv = 1.0 - x
    elif dtype == torch.uint8:
        inv = x.bitwise_not()
    else:
        inv = x.bitwise_xor((1 << 15) - 1)
    threshold = 0.5 if dtype.is_floating_point else 50
    img = tv_tensors.Image(numtorch.from_numpy(x.numpy().copy()))
    got_inv, got_sol = v2.functional.invert(img), v2.functional.solarize(img, threshold)
    assert isinstance(got_inv, tv_tensors.Image) and isinstance(got_sol, tv_tensors.Image)
    np.testing.assert_array_equal(got_inv.numpy(), inv.numpy())
    np.testing.assert_array_equal(got_sol.numpy(), torch.where(x >= threshold, inv, x).numpy())
    too_high = {torch.uint8: 256, torch.int16: 40000, torch.float32: 1.5}[dtype]
    with pytest.raises(TypeError, match="Threshold should be less or equal the maximum value of "
                                        f"the dtype, but got {too_high}"):
        v2.functional.solarize(img, too_high)
