"""vision.transforms vs torchvision's semantics, reproduced with torch primitives and the
Pillow calls torchvision makes (torchvision itself is not installed)."""

import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from PIL import Image, ImageEnhance, ImageOps

import numtorch
import numtorch.vision.transforms as T
import numtorch.vision.transforms.functional as F
from numtorch.vision.transforms import InterpolationMode

RNG = np.random.default_rng(0)
RGB_ARR = RNG.integers(0, 256, (13, 17, 3), dtype=np.uint8)
L_ARR = RNG.integers(0, 256, (13, 17), dtype=np.uint8)
RGB = Image.fromarray(RGB_ARR)
GRAY = Image.fromarray(L_ARR)
U8 = numtorch.from_numpy(np.ascontiguousarray(RGB_ARR.transpose(2, 0, 1)))
F32 = numtorch.from_numpy(RNG.random((2, 3, 13, 17), dtype=np.float32))


def tt(t):
    return torch.from_numpy(t.numpy().copy())


def same(nt_img, ref, atol=0):
    """Equal images: PIL vs PIL or tensor vs torch tensor / array."""
    if isinstance(nt_img, Image.Image):
        assert nt_img.mode == ref.mode and nt_img.size == ref.size
        np.testing.assert_array_equal(np.array(nt_img), np.array(ref))
        return
    ref = ref.numpy() if isinstance(ref, torch.Tensor) else np.asarray(ref)
    got = nt_img.numpy()
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_allclose(got.astype(np.float64), ref.astype(np.float64), atol=atol, rtol=0)


# ------------------------------------------------------------------ conversion

def test_to_tensor_pil_and_ndarray():
    ref = torch.from_numpy(np.array(RGB)).permute(2, 0, 1).float().div(255)
    out = T.ToTensor()(RGB)
    assert out.dtype == numtorch.float32
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    ref_l = torch.from_numpy(np.array(GRAY))[None].float().div(255)
    np.testing.assert_array_equal(T.ToTensor()(GRAY).numpy(), ref_l.numpy())
    np.testing.assert_array_equal(F.to_tensor(RGB_ARR).numpy(), ref.numpy())
    f = RNG.random((4, 5, 2)).astype(np.float32)
    np.testing.assert_array_equal(F.to_tensor(f).numpy(), f.transpose(2, 0, 1))
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class 'int'>"):
        T.ToTensor()(3)
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        F.to_tensor(np.zeros((1, 2, 3, 4)))


def test_pil_to_tensor_and_back():
    out = T.PILToTensor()(RGB)
    assert out.dtype == numtorch.uint8 and tuple(out.shape) == (3, 13, 17)
    np.testing.assert_array_equal(out.numpy(), RGB_ARR.transpose(2, 0, 1))
    np.testing.assert_array_equal(F.pil_to_tensor(GRAY).numpy(), L_ARR[None])
    same(T.ToPILImage()(out), RGB)
    same(F.to_pil_image(F.to_tensor(GRAY)), GRAY)
    back = F.to_pil_image(F32[0])
    np.testing.assert_array_equal(np.array(back), (F32[0].numpy().transpose(1, 2, 0) * 255)
                                  .astype(np.uint8))
    assert F.to_pil_image(F32[0, :1], mode="F").mode == "F"
    with pytest.raises(TypeError, match="pic should be PIL Image. Got"):
        F.pil_to_tensor(RGB_ARR)
    with pytest.raises(TypeError, match="pic should be Tensor or ndarray"):
        F.to_pil_image(RGB)
    with pytest.raises(ValueError, match="pic should not have > 4 channels"):
        F.to_pil_image(np.zeros((2, 2, 5), np.uint8))
    with pytest.raises(ValueError, match="Only modes"):
        F.to_pil_image(U8, mode="L")


@pytest.mark.parametrize("src,dst", [("uint8", "float32"), ("float32", "uint8"),
                                     ("uint8", "int32"), ("int32", "uint8"),
                                     ("float32", "float64"), ("int16", "float32")])
def test_convert_image_dtype(src, dst):
    if src.startswith("float"):
        x = RNG.random((3, 4, 5)).astype(src)
    else:
        x = RNG.integers(0, np.iinfo(src).max, (3, 4, 5)).astype(src)
    t = torch.from_numpy(x)
    tdst = getattr(torch, dst)
    if t.is_floating_point():
        ref = t.to(tdst) if tdst.is_floating_point else t.mul(
            float(torch.iinfo(tdst).max) + 1.0 - 1e-3).to(tdst)
    else:
        imax = float(torch.iinfo(t.dtype).max)
        if tdst.is_floating_point:
            ref = t.to(tdst) / imax
        else:
            omax = float(torch.iinfo(tdst).max)
            if imax > omax:
                ref = torch.div(t, int((imax + 1) // (omax + 1)), rounding_mode="floor").to(tdst)
            else:
                ref = t.to(tdst) * int((omax + 1) // (imax + 1))
    out = T.ConvertImageDtype(getattr(numtorch, dst))(numtorch.from_numpy(x))
    same(out, ref)


def test_convert_image_dtype_errors():
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.convert_image_dtype(F32, numtorch.int32)
    with pytest.raises(TypeError, match="Input img should be Tensor Image"):
        F.convert_image_dtype(RGB_ARR)


def test_normalize():
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    ref = (tt(F32) - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    same(T.Normalize(mean, std)(F32), ref)
    x = F32.clone()
    out = F.normalize(x, mean, std, inplace=True)
    assert out is x
    same(x, ref)
    leaf = F32[0].clone().requires_grad_(True)
    F.normalize(leaf, mean, std).sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), np.broadcast_to(
        (1 / np.array(std, np.float32)).reshape(3, 1, 1), (3, 13, 17)), rtol=1e-6)
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to "
                       "numtorch.float32, leading to division by zero."):
        F.normalize(F32, (0.5,), (0.0,))
    with pytest.raises(TypeError, match="Input tensor should be a float tensor"):
        F.normalize(U8, (0.5,), (0.5,))
    with pytest.raises(ValueError, match="Expected tensor to be a tensor image of size"):
        F.normalize(F32[0, 0], (0.5,), (0.5,))


# ------------------------------------------------------------------ batch fast path

@pytest.mark.parametrize("gray", [True, False])
def test_apply_batch_matches_stacking(gray):
    imgs = RNG.integers(0, 256, (4, 6, 5) if gray else (4, 6, 5, 3), dtype=np.uint8)
    pils = [Image.fromarray(a) for a in imgs]
    mean, std = ((0.1307,), (0.3081,)) if gray else ((0.5, 0.4, 0.3), (0.2, 0.25, 0.3))
    pipelines = [T.Compose([T.ToTensor(), T.Normalize(mean, std)]), T.Compose([T.ToTensor()]),
                 T.Compose([T.PILToTensor(), T.ConvertImageDtype(numtorch.float32),
                            T.Normalize(mean, std)]),
                 T.Compose([T.PILToTensor()])]
    for pipe in pipelines:
        got = pipe._apply_batch(imgs)
        ref = np.stack([pipe(p).numpy() for p in pils])
        assert got.dtype == pipe(pils[0]).dtype
        np.testing.assert_array_equal(got.numpy(), ref)
    assert T.Compose([T.Resize(3), T.ToTensor()])._apply_batch(imgs) is None
    assert T.Compose([T.Normalize(mean, std)])._apply_batch(imgs) is None
    assert T.ToTensor()._apply_batch(imgs.astype(np.float32)) is None


# ------------------------------------------------------------------ resize

def torch_resize(x, size, mode, antialias):
    """torchvision's tensor resize: float32 for integers, round back."""
    t = tt(x)
    dt = t.dtype
    t4 = t if t.ndim == 4 else t[None]
    if not t4.is_floating_point():
        t4 = t4.float()
    kw = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    aa = antialias and mode in ("bilinear", "bicubic")
    out = TF.interpolate(t4, size=size, mode=mode, antialias=aa, **kw)
    if mode == "bicubic" and dt == torch.uint8:
        out = out.clamp(0, 255)
    if dt != out.dtype:
        out = out.round().to(dt)
    return out if t.ndim == 4 else out[0]


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("size", [(7, 9), (20, 31), (13, 5)])
def test_resize_tensor(mode, antialias, size):
    im = InterpolationMode(mode)
    got = F.resize(F32, list(size), im, antialias=antialias)
    same(got, torch_resize(F32, size, mode, antialias), atol=1e-5)
    got = F.resize(U8, list(size), im, antialias=antialias)
    same(got, torch_resize(U8, size, mode, antialias), atol=1)


@pytest.mark.parametrize("interp", [InterpolationMode.NEAREST, InterpolationMode.BILINEAR,
                                    InterpolationMode.BICUBIC, InterpolationMode.LANCZOS])
def test_resize_pil(interp):
    filt = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC,
            "lanczos": Image.LANCZOS}[interp.value]
    same(T.Resize(8, interp)(RGB), RGB.resize((10, 8), filt))   # 13x17 -> short edge 8
    same(T.Resize((5, 30), interp)(GRAY), GRAY.resize((30, 5), filt))


def test_resize_size_rules_and_errors():
    assert tuple(F.resize(U8, 8).shape) == (3, 8, 10)
    assert tuple(F.resize(U8, 8, max_size=9).shape) == (3, 7, 9)
    assert F.resize(U8, [13, 17]) is U8
    assert F.resize(RGB, 8, interpolation=2).size == (10, 8)
    with pytest.raises(ValueError, match="max_size = 8 must be strictly greater"):
        F.resize(U8, 8, max_size=8)
    with pytest.raises(ValueError, match="Size must be an int or a 1 or 2 element"):
        F.resize(U8, [1, 2, 3])
    with pytest.raises(TypeError, match="Argument interpolation should be a InterpolationMode"):
        F.resize(U8, 8, interpolation="bilinear")
    with pytest.raises(TypeError, match="Size should be int or sequence"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize([1, 2, 3])


# ------------------------------------------------------------------ crop / pad / flip

def test_crop_center_crop_pad_flip_tensor_and_pil():
    same(F.crop(RGB, 2, 3, 5, 6), RGB.crop((3, 2, 9, 7)))
    same(F.crop(U8, 2, 3, 5, 6), tt(U8)[..., 2:7, 3:9])
    ref = TF.pad(tt(U8)[..., 0:4, 0:5], [2, 0, 1, 0])   # box left/top outside the image
    same(F.crop(U8, -1, -2, 5, 7), ref)
    same(T.CenterCrop(5)(RGB), RGB.crop((6, 4, 11, 9)))
    same(T.CenterCrop((5, 7))(U8), tt(U8)[..., 4:9, 5:12])
    big = T.CenterCrop(20)(U8)
    same(big, TF.pad(tt(U8), [1, 2, 3, 4]))
    same(T.CenterCrop(20)(RGB), ImageOps.expand(RGB, (1, 3, 2, 4)))
    same(F.hflip(RGB), RGB.transpose(Image.FLIP_LEFT_RIGHT))
    same(F.vflip(GRAY), GRAY.transpose(Image.FLIP_TOP_BOTTOM))
    same(F.hflip(F32), tt(F32).flip(-1))
    same(F.vflip(U8), tt(U8).flip(-2))


@pytest.mark.parametrize("mode,tmode", [("constant", "constant"), ("edge", "replicate"),
                                        ("reflect", "reflect")])
def test_pad_modes(mode, tmode):
    x = tt(F32)
    ref = TF.pad(x, [1, 2, 3, 4], mode=tmode, **({"value": 0.5} if mode == "constant" else {}))
    same(F.pad(F32, [1, 3, 2, 4], fill=0.5, padding_mode=mode), ref)
    assert T.Pad(2, padding_mode=mode)(RGB).size == (21, 17)
    if mode == "constant":
        same(T.Pad((1, 2), fill=(9, 8, 7))(RGB),
             ImageOps.expand(RGB, border=(1, 2), fill=(9, 8, 7)))
    else:
        ref = np.pad(RGB_ARR, ((2, 4), (1, 3), (0, 0)), mode=mode)
        same(F.pad(RGB, [1, 2, 3, 4], padding_mode=mode), Image.fromarray(ref))


def test_pad_symmetric_negative_and_errors():
    a = F32.numpy()
    same(F.pad(F32, 2, padding_mode="symmetric"),
         np.pad(a, ((0, 0), (0, 0), (2, 2), (2, 2)), mode="symmetric"))
    same(F.pad(U8, [-1, 2]), TF.pad(tt(U8), [-1, -1, 2, 2]))
    with pytest.raises(ValueError, match="Padding mode should be either constant, edge"):
        F.pad(U8, 1, padding_mode="wrap")
    with pytest.raises(ValueError, match="Padding must be an int or a 1, 2, or 4 element"):
        F.pad(RGB, [1, 2, 3])
    with pytest.raises(ValueError, match="The number of elements in 'fill' does not match"):
        F.pad(RGB, 1, fill=(1, 2))
    with pytest.raises(TypeError, match="Got inappropriate padding arg"):
        T.Pad("1")


# ------------------------------------------------------------------ rotate / affine

def torch_grid_transform(x, matrix, mode, fill, ow=None, oh=None):
    """torchvision's _gen_affine_grid + _apply_grid_transform with torch ops."""
    t = tt(x)
    dt = t.dtype
    t4 = (t if t.ndim == 4 else t[None]).float() if not t.is_floating_point() else (
        t if t.ndim == 4 else t[None])
    n, c, h, w = t4.shape
    ow, oh = ow or w, oh or h
    theta = torch.tensor(matrix, dtype=t4.dtype).reshape(1, 2, 3)
    base = torch.empty(1, oh, ow, 3, dtype=theta.dtype)
    base[..., 0].copy_(torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, steps=ow))
    base[..., 1].copy_(torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, steps=oh).unsqueeze_(-1))
    base[..., 2].fill_(1)
    resc = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype)
    grid = base.view(1, oh * ow, 3).bmm(resc).view(1, oh, ow, 2).expand(n, oh, ow, 2)
    t4 = torch.cat((t4, torch.ones(n, 1, h, w, dtype=t4.dtype)), 1)
    out = TF.grid_sample(t4, grid, mode=mode, padding_mode="zeros", align_corners=False)
    mask, out = out[:, -1:], out[:, :-1]
    mask = mask.expand_as(out)
    fimg = torch.tensor(fill, dtype=out.dtype).view(1, -1, 1, 1).expand_as(out)
    if mode == "nearest":
        out = torch.where(mask < 0.5, fimg, out)
    else:
        out = out * mask + (1.0 - mask) * fimg
    if out.dtype != dt:
        out = out.round().to(dt)
    return out if t.ndim == 4 else out[0]


@pytest.mark.parametrize("mode", ["nearest", "bilinear"])
def test_rotate_affine_tensor(mode):
    im = InterpolationMode(mode)
    fill = [0.2, 0.4, 0.6]
    m = F._get_inverse_affine_matrix([0.0, 0.0], -33.0, [0.0, 0.0], 1.0, [0.0, 0.0])
    same(F.rotate(F32, 33.0, im, fill=fill), torch_grid_transform(F32, m, mode, fill), atol=1e-5)
    same(F.rotate(U8, 33.0, im, fill=[0.0] * 3), torch_grid_transform(U8, m, mode, [0.0] * 3),
         atol=1)
    ow, oh = F._compute_affine_output_size(m, 17, 13)
    same(F.rotate(F32, 33.0, im, expand=True, fill=fill),
         torch_grid_transform(F32, m, mode, fill, ow, oh), atol=1e-5)
    m = F._get_inverse_affine_matrix([1.5, -2.5], 20.0, [2.0, -1.0], 1.2, [10.0, 5.0])
    got = F.affine(F32, 20.0, [2, -1], 1.2, [10.0, 5.0], im, fill=fill, center=[10, 4])
    same(got, torch_grid_transform(F32, m, mode, fill), atol=1e-5)


def test_rotate_affine_pil():
    same(F.rotate(RGB, 30, fill=(1, 2, 3)), RGB.rotate(30, Image.NEAREST, False, None,
                                                       fillcolor=(1, 2, 3)))
    same(F.rotate(GRAY, 30, InterpolationMode.BILINEAR, expand=True),
         GRAY.rotate(30, Image.BILINEAR, True, None, fillcolor=0))
    m = F._get_inverse_affine_matrix([8.5, 6.5], 15.0, [1, 2], 0.9, [5.0, 0.0])
    same(F.affine(RGB, 15.0, [1, 2], 0.9, 5.0),
         RGB.transform(RGB.size, Image.AFFINE, m, Image.NEAREST, fillcolor=(0, 0, 0)))
    with pytest.raises(TypeError, match="Argument fill should be either int, float, tuple"):
        F.rotate(RGB, 3, fill={})
    with pytest.raises(ValueError, match="Argument scale should be positive"):
        F.affine(RGB, 0, [0, 0], 0.0, 0)


# ------------------------------------------------------------------ colour

def torch_blend(a, b, r):
    bound = 1.0 if a.is_floating_point() else 255
    return (r * a + (1.0 - r) * b).clamp(0, bound).to(a.dtype)


def torch_gray(x):
    r, g, b = x.unbind(-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(x.dtype).unsqueeze(-3)


@pytest.mark.parametrize("x", [U8, F32], ids=["uint8", "float32"])
def test_colour_tensor(x):
    t = tt(x)
    atol = 1 if t.dtype == torch.uint8 else 1e-6
    same(F.rgb_to_grayscale(x), torch_gray(t))
    same(F.rgb_to_grayscale(x, 3), torch_gray(t).expand(t.shape))
    same(F.adjust_brightness(x, 1.3), torch_blend(t, torch.zeros_like(t), 1.3))
    fdt = t.dtype if t.is_floating_point() else torch.float32
    mean = torch.mean(torch_gray(t).to(fdt), dim=(-3, -2, -1), keepdim=True)
    same(F.adjust_contrast(x, 0.6), torch_blend(t, mean, 0.6), atol=atol)
    same(F.adjust_saturation(x, 1.7), torch_blend(t, torch_gray(t), 1.7))
    same(F.invert(x), (1.0 if t.is_floating_point() else 255) - t)
    hi = 0.5 if t.is_floating_point() else 128
    same(F.solarize(x, hi), torch.where(t >= hi, (1.0 if t.is_floating_point() else 255) - t, t))


def test_adjust_hue_tensor_against_hsv_roundtrip():
    # a hue shift of 0 returns the image (through HSV and back)
    np.testing.assert_allclose(F.adjust_hue(F32, 0.0).numpy(), F32.numpy(), atol=1e-6)
    out = F.adjust_hue(F32, 0.25).numpy()
    import colorsys
    px = F32.numpy()[0, :, 3, 4]
    h, s, v = colorsys.rgb_to_hsv(*px)
    np.testing.assert_allclose(out[0, :, 3, 4], colorsys.hsv_to_rgb((h + 0.25) % 1, s, v),
                               atol=1e-5)
    assert F.adjust_hue(U8, -0.1).dtype == numtorch.uint8
    with pytest.raises(ValueError, match=r"hue_factor \(0.7\) is not in \[-0.5, 0.5\]."):
        F.adjust_hue(U8, 0.7)


def test_colour_pil():
    same(F.adjust_brightness(RGB, 1.4), ImageEnhance.Brightness(RGB).enhance(1.4))
    same(F.adjust_contrast(RGB, 0.5), ImageEnhance.Contrast(RGB).enhance(0.5))
    same(F.adjust_saturation(RGB, 0.5), ImageEnhance.Color(RGB).enhance(0.5))
    same(F.adjust_sharpness(RGB, 2.0), ImageEnhance.Sharpness(RGB).enhance(2.0))
    same(F.rgb_to_grayscale(RGB), RGB.convert("L"))
    assert T.Grayscale(3)(RGB).mode == "RGB"
    same(F.posterize(RGB, 3), ImageOps.posterize(RGB, 3))
    same(F.solarize(RGB, 100), ImageOps.solarize(RGB, 100))
    same(F.equalize(RGB), ImageOps.equalize(RGB))
    same(F.autocontrast(GRAY), ImageOps.autocontrast(GRAY))
    same(F.invert(RGB), ImageOps.invert(RGB))
    h, s, v = RGB.convert("HSV").split()
    nh = (np.array(h, np.int64) + np.int64(np.uint8(np.int32(-0.1 * 255).astype(np.uint8))))
    ref = Image.merge("HSV", (Image.fromarray((nh % 256).astype(np.uint8)), s, v)).convert("RGB")
    same(F.adjust_hue(RGB, -0.1), ref)
    same(F.adjust_hue(GRAY, 0.2), GRAY)
    with pytest.raises(ValueError, match=r"brightness_factor \(-1\) is not non-negative."):
        F.adjust_brightness(U8, -1)
    with pytest.raises(TypeError, match="Input image tensor permitted channel values are"):
        F.adjust_brightness(numtorch.zeros(2, 4, 4), 1.0)


def test_sharpness_posterize_autocontrast_equalize_tensor():
    t = tt(U8).float()
    k = torch.ones(3, 3)
    k[1, 1] = 5.0
    k = (k / k.sum()).expand(3, 1, 3, 3)
    blur = TF.conv2d(t[None], k, groups=3)[0].round().to(torch.uint8)
    deg = tt(U8).clone()
    deg[..., 1:-1, 1:-1] = blur
    same(F.adjust_sharpness(U8, 1.8), torch_blend(tt(U8), deg, 1.8), atol=1)
    same(F.posterize(U8, 3), tt(U8) & (-(2 ** 5)))
    lo = tt(F32).amin(dim=(-2, -1), keepdim=True)
    hi = tt(F32).amax(dim=(-2, -1), keepdim=True)
    same(F.autocontrast(F32), ((tt(F32) - lo) * (1.0 / (hi - lo))).clamp(0, 1), atol=1e-6)

    def scale_channel(c):
        hist = torch.bincount(c.reshape(-1), minlength=256)
        nz = hist[hist != 0]
        step = torch.div(nz[:-1].sum(), 255, rounding_mode="floor")
        if step == 0:
            return c
        lut = torch.div(torch.cumsum(hist, 0) + torch.div(step, 2, rounding_mode="floor"), step,
                        rounding_mode="floor")
        lut = TF.pad(lut, [1, 0])[:-1].clamp(0, 255)
        return lut[c.to(torch.int64)].to(torch.uint8)
    same(F.equalize(U8), torch.stack([scale_channel(c) for c in tt(U8)]))
    with pytest.raises(TypeError, match="Only torch.uint8 image tensors are supported"):
        F.posterize(F32, 3)


def test_gaussian_blur():
    def ref(x, ks, sigma):
        t = tt(x)
        dt = t.dtype
        t = t.float()
        kern = []
        for k, s in zip(ks, sigma):
            xs = torch.linspace(-(k - 1) * 0.5, (k - 1) * 0.5, steps=k)
            pdf = torch.exp(-0.5 * (xs / s).pow(2))
            kern.append(pdf / pdf.sum())
        k2 = torch.mm(kern[1][:, None], kern[0][None, :]).expand(t.shape[-3], 1, ks[1], ks[0])
        p = [ks[0] // 2, ks[0] // 2, ks[1] // 2, ks[1] // 2]
        out = TF.conv2d(TF.pad(t[None], p, mode="reflect"), k2, groups=t.shape[-3])[0]
        return out if dt == torch.float32 else out.round().to(dt)
    same(F.gaussian_blur(F32[0], [3, 5], [0.8, 1.3]), ref(F32[0], [3, 5], [0.8, 1.3]), atol=1e-5)
    same(F.gaussian_blur(U8, 5), ref(U8, [5, 5], [1.1, 1.1]), atol=1)
    blurred = F.gaussian_blur(RGB, 3, 1.0)
    assert isinstance(blurred, Image.Image) and blurred.mode == "RGB"
    np.testing.assert_allclose(np.array(blurred).transpose(2, 0, 1), ref(U8, [3, 3], [1.0, 1.0]),
                               atol=1)
    with pytest.raises(ValueError, match="kernel_size should have odd and positive integers"):
        F.gaussian_blur(U8, 4)
    with pytest.raises(ValueError, match="Kernel size value should be an odd and positive"):
        T.GaussianBlur(4)
    with pytest.raises(ValueError, match="If sigma is a single number, it must be positive."):
        T.GaussianBlur(3, sigma=0)


def test_erase():
    out = F.erase(F32, 1, 2, 3, 4, 0.5)
    ref = tt(F32).clone()
    ref[..., 1:4, 2:6] = 0.5
    same(out, ref)
    assert not np.array_equal(F32.numpy(), out.numpy())
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        F.erase(RGB, 0, 0, 1, 1, 0)


# ------------------------------------------------------------------ reprs

def test_reprs():
    cases = [
        (T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))]),
         "Compose(\n    ToTensor()\n    Normalize(mean=(0.5,), std=(0.5,))\n)"),
        (T.ToTensor(), "ToTensor()"), (T.PILToTensor(), "PILToTensor()"),
        (T.ToPILImage(), "ToPILImage()"), (T.ToPILImage("L"), "ToPILImage(mode=L)"),
        (T.ConvertImageDtype(numtorch.float32), "ConvertImageDtype()"),
        (T.Lambda(lambda x: x), "Lambda()"),
        (T.Resize(32), "Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)"),
        (T.Resize((3, 4), InterpolationMode.NEAREST, antialias=False),
         "Resize(size=(3, 4), interpolation=nearest, max_size=None, antialias=False)"),
        (T.CenterCrop(10), "CenterCrop(size=(10, 10))"),
        (T.RandomCrop(32, padding=4), "RandomCrop(size=(32, 32), padding=4)"),
        (T.RandomResizedCrop(224), "RandomResizedCrop(size=(224, 224), scale=(0.08, 1.0), "
         "ratio=(0.75, 1.3333), interpolation=bilinear, antialias=True)"),
        (T.RandomHorizontalFlip(), "RandomHorizontalFlip(p=0.5)"),
        (T.RandomVerticalFlip(0.3), "RandomVerticalFlip(p=0.3)"),
        (T.RandomRotation(30), "RandomRotation(degrees=[-30.0, 30.0], interpolation=nearest, "
         "expand=False, fill=0)"),
        (T.RandomAffine(10), "RandomAffine(degrees=[-10.0, 10.0])"),
        (T.RandomAffine(10, (0.1, 0.2), (0.9, 1.1), 5, InterpolationMode.BILINEAR, fill=1),
         "RandomAffine(degrees=[-10.0, 10.0], translate=(0.1, 0.2), scale=(0.9, 1.1), "
         "shear=[-5.0, 5.0], interpolation=bilinear, fill=1)"),
        (T.ColorJitter(), "ColorJitter(brightness=None, contrast=None, saturation=None, hue=None)"),
        (T.ColorJitter(0.4, 0.4, 0.4, 0.1),
         "ColorJitter(brightness=(0.6, 1.4), contrast=(0.6, 1.4), saturation=(0.6, 1.4), "
         "hue=(-0.1, 0.1))"),
        (T.Grayscale(), "Grayscale(num_output_channels=1)"),
        (T.RandomGrayscale(), "RandomGrayscale(p=0.1)"),
        (T.Pad(2), "Pad(padding=2, fill=0, padding_mode=constant)"),
        (T.GaussianBlur(3), "GaussianBlur(kernel_size=(3, 3), sigma=(0.1, 2.0))"),
        (T.RandomErasing(), "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), "
         "value=0, inplace=False)"),
        (T.RandomApply([T.RandomHorizontalFlip()], p=0.3),
         "RandomApply(\n    p=0.3\n    RandomHorizontalFlip(p=0.5)\n)"),
        (T.RandomChoice([T.ToTensor()]), "RandomChoice(\n    ToTensor()\n)(p=None)"),
        (T.RandomOrder([T.ToTensor()]), "RandomOrder(\n    ToTensor()\n)"),
        (T.AutoAugment(), "AutoAugment(policy=AutoAugmentPolicy.IMAGENET, fill=None)"),
        (T.TrivialAugmentWide(), "TrivialAugmentWide(num_magnitude_bins=31, "
         "interpolation=InterpolationMode.NEAREST, fill=None)"),
    ]
    for t, want in cases:
        assert repr(t) == want


def test_constructor_errors():
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)
    with pytest.raises(ValueError, match="If degrees is a single number, it must be positive."):
        T.RandomRotation(-3)
    with pytest.raises(ValueError, match="degrees should be a sequence of length 2."):
        T.RandomAffine([1, 2, 3])
    with pytest.raises(ValueError, match="translation values should be between 0 and 1"):
        T.RandomAffine(0, translate=(2, 0))
    with pytest.raises(ValueError, match=r"brightness values should be between \(0, inf\)"):
        T.ColorJitter(brightness=(-1, 2))
    with pytest.raises(ValueError, match="Random erasing probability should be between 0 and 1"):
        T.RandomErasing(p=2)
    with pytest.raises(ValueError, match="If value is str, it should be 'random'"):
        T.RandomErasing(value="x")
    with pytest.raises(TypeError, match="Argument transforms should be a sequence"):
        T.RandomChoice(T.ToTensor())
    with pytest.raises(ValueError, match="Please provide only two dimensions"):
        T.CenterCrop((1, 2, 3))
    with pytest.raises(ValueError, match=r"Required crop size \(20, 20\) is larger"):
        T.RandomCrop(20)(U8)
    with pytest.raises(ValueError, match="The provided policy"):
        T.AutoAugment("imagenet")


# ------------------------------------------------------------------ seeded randomness

def seeded(seed, fn_nt, fn_torch):
    numtorch.manual_seed(seed)
    a = fn_nt()
    torch.manual_seed(seed)
    b = fn_torch()
    return a, b


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 42])
def test_random_crop_and_flip_params(seed):
    def ref():
        i = torch.randint(0, 13 - 8 + 1, size=(1,)).item()
        j = torch.randint(0, 17 - 9 + 1, size=(1,)).item()
        flip = torch.rand(1) < 0.5
        return i, j, flip
    got, want = seeded(seed, lambda: T.RandomCrop((8, 9)).get_params(U8, (8, 9)), ref)
    assert got == (want[0], want[1], 8, 9)
    numtorch.manual_seed(seed)
    out = T.Compose([T.RandomCrop((8, 9)), T.RandomHorizontalFlip()])(U8)
    r = tt(U8)[..., want[0]:want[0] + 8, want[1]:want[1] + 9]
    same(out, r.flip(-1) if want[2] else r)
    numtorch.manual_seed(seed)
    out = T.RandomCrop((8, 9))(RGB)
    same(out, RGB.crop((want[1], want[0], want[1] + 9, want[0] + 8)))


@pytest.mark.parametrize("seed", range(6))
def test_random_resized_crop_params(seed):
    scale, ratio = (0.08, 1.0), (3 / 4, 4 / 3)

    def ref():
        height, width = 13, 17
        area = height * width
        log_ratio = torch.log(torch.tensor(ratio))
        for _ in range(10):
            target_area = area * torch.empty(1).uniform_(scale[0], scale[1]).item()
            ar = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
            w = int(round(math.sqrt(target_area * ar)))
            h = int(round(math.sqrt(target_area / ar)))
            if 0 < w <= width and 0 < h <= height:
                i = torch.randint(0, height - h + 1, size=(1,)).item()
                j = torch.randint(0, width - w + 1, size=(1,)).item()
                return i, j, h, w
        return None
    got, want = seeded(seed, lambda: T.RandomResizedCrop.get_params(U8, scale, ratio), ref)
    assert got == want
    numtorch.manual_seed(seed)
    out = T.RandomResizedCrop(6)(RGB)
    i, j, h, w = want
    same(out, RGB.crop((j, i, j + w, i + h)).resize((6, 6), Image.BILINEAR))


@pytest.mark.parametrize("seed", range(4))
def test_rotation_affine_jitter_blur_params(seed):
    got, want = seeded(seed, lambda: T.RandomRotation.get_params([-30.0, 30.0]),
                       lambda: float(torch.empty(1).uniform_(-30.0, 30.0).item()))
    assert got == want

    def ref_affine():
        angle = float(torch.empty(1).uniform_(-10.0, 10.0).item())
        tx = int(round(torch.empty(1).uniform_(-1.7, 1.7).item()))
        ty = int(round(torch.empty(1).uniform_(-2.6, 2.6).item()))
        sc = float(torch.empty(1).uniform_(0.9, 1.1).item())
        sx = float(torch.empty(1).uniform_(-5.0, 5.0).item())
        sy = float(torch.empty(1).uniform_(-2.0, 2.0).item())
        return angle, (tx, ty), sc, (sx, sy)
    got, want = seeded(seed, lambda: T.RandomAffine.get_params(
        [-10.0, 10.0], (0.1, 0.2), (0.9, 1.1), [-5.0, 5.0, -2.0, 2.0], [17, 13]), ref_affine)
    assert got == want

    def ref_jitter():
        idx = torch.randperm(4)
        return (idx.tolist(), *[float(torch.empty(1).uniform_(a, b)) for a, b in
                                [(0.6, 1.4), (0.6, 1.4), (0.6, 1.4), (-0.1, 0.1)]])
    got, want = seeded(seed, lambda: T.ColorJitter.get_params(
        (0.6, 1.4), (0.6, 1.4), (0.6, 1.4), (-0.1, 0.1)), ref_jitter)
    assert (got[0].tolist(), *got[1:]) == want
    got, want = seeded(seed, lambda: T.GaussianBlur.get_params(0.1, 2.0),
                       lambda: torch.empty(1).uniform_(0.1, 2.0).item())
    assert got == want


def test_color_jitter_applies_in_drawn_order():
    numtorch.manual_seed(5)
    out = T.ColorJitter(0.4, 0.4, 0.4)(RGB)
    torch.manual_seed(5)
    idx = torch.randperm(4).tolist()
    b, c, s = (float(torch.empty(1).uniform_(0.6, 1.4)) for _ in range(3))
    ref = RGB
    for k in idx:
        ref = {0: lambda im: ImageEnhance.Brightness(im).enhance(b),
               1: lambda im: ImageEnhance.Contrast(im).enhance(c),
               2: lambda im: ImageEnhance.Color(im).enhance(s), 3: lambda im: im}[k](ref)
    same(out, ref)


@pytest.mark.parametrize("seed", range(8))
def test_random_erasing_params(seed):
    img = F32[0]

    def ref():
        if not torch.rand(1) < 0.5:
            return None
        area = 13 * 17
        log_ratio = torch.log(torch.tensor((0.3, 3.3)))
        for _ in range(10):
            ea = area * torch.empty(1).uniform_(0.02, 0.33).item()
            ar = torch.exp(torch.empty(1).uniform_(log_ratio[0], log_ratio[1])).item()
            h = int(round(math.sqrt(ea * ar)))
            w = int(round(math.sqrt(ea / ar)))
            if not (h < 13 and w < 17):
                continue
            v = torch.empty([3, h, w], dtype=torch.float32).normal_()
            i = torch.randint(0, 13 - h + 1, size=(1,)).item()
            j = torch.randint(0, 17 - w + 1, size=(1,)).item()
            out = tt(img).clone()
            out[..., i:i + h, j:j + w] = v
            return out
        return tt(img)
    got, want = seeded(seed, lambda: T.RandomErasing(value="random")(img), ref)
    same(got, tt(img) if want is None else want)


@pytest.mark.parametrize("seed", range(3))
def test_random_apply_grayscale_vflip(seed):
    def ref():
        return [torch.rand(1).item() for _ in range(3)]
    numtorch.manual_seed(seed)
    out = T.Compose([T.RandomApply([T.RandomVerticalFlip(1.0)], p=0.5), T.RandomGrayscale(0.5)])(
        U8)
    torch.manual_seed(seed)
    r = ref()
    x = tt(U8)
    if not 0.5 < r[0]:
        x = x.flip(-2)          # the flip with p=1 draws r[1]
        gray_draw = r[2]
    else:
        gray_draw = r[1]
    if gray_draw < 0.5:
        x = torch_gray(x).expand(x.shape)
    same(out, x)


def test_random_choice_and_order_use_python_random():
    ts = [T.Lambda(lambda x: x + [1]), T.Lambda(lambda x: x + [2]), T.Lambda(lambda x: x + [3])]
    random.seed(3)
    got = T.RandomOrder(ts)([])
    random.seed(3)
    order = list(range(3))
    random.shuffle(order)
    assert got == [o + 1 for o in order]
    random.seed(4)
    got = T.RandomChoice(ts, p=[0.2, 0.3, 0.5])([])
    random.seed(4)
    assert got == [random.choices([1, 2, 3], weights=[0.2, 0.3, 0.5])[0]]


@pytest.mark.parametrize("seed", range(6))
def test_autoaugment_and_trivialaugment_draws(seed):
    numtorch.manual_seed(seed)
    pid, probs, signs = T.AutoAugment.get_params(25)
    torch.manual_seed(seed)
    assert pid == int(torch.randint(25, (1,)).item())
    np.testing.assert_array_equal(probs.numpy(), torch.rand((2,)).numpy())
    np.testing.assert_array_equal(signs.numpy(), torch.randint(2, (2,)).numpy())
    for policy in T.AutoAugmentPolicy:
        numtorch.manual_seed(seed)
        out = T.AutoAugment(policy)(RGB)
        assert isinstance(out, Image.Image) and out.size == RGB.size
        numtorch.manual_seed(seed)
        out = T.AutoAugment(policy, fill=0)(U8)
        assert out.dtype == numtorch.uint8 and out.shape == U8.shape
    numtorch.manual_seed(seed)
    out = T.TrivialAugmentWide()(RGB)
    torch.manual_seed(seed)
    op = int(torch.randint(14, (1,)).item())
    ops = ["Identity", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness",
           "Color", "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize"]
    if ops[op] == "Equalize":
        same(out, ImageOps.equalize(RGB))
    elif ops[op] == "AutoContrast":
        same(out, ImageOps.autocontrast(RGB))
    elif ops[op] == "Identity":
        same(out, RGB)
    numtorch.manual_seed(seed)
    assert T.TrivialAugmentWide()(U8).shape == U8.shape
