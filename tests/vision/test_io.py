"""numtorch.vision.io: decoding checked against the libraries torchvision calls.

torchvision is not installed here. Its PNG decoder is libpng driven in a particular way
(decode_png.cpp: expansions, rgb_to_gray with weights 0.2989/0.587, the alpha filler);
``_libpng_decode`` below drives Pillow's bundled libpng the same way through ctypes, so
numtorch's results are compared with libpng's own. JPEG gray output is libjpeg's luma
channel, compared with the Y plane libjpeg decodes.
"""

import ctypes
import glob
import io
import os

import numpy as np
import PIL
import PIL.features
import pytest
from PIL import Image

import numtorch
from numtorch.vision import io as vio
from numtorch.vision.io import ImageReadMode

RNG = np.random.default_rng(0)
MODES = ["UNCHANGED", "GRAY", "GRAY_ALPHA", "RGB", "RGB_ALPHA"]


def _bytes_tensor(raw: bytes):
    return numtorch.from_numpy(np.frombuffer(bytearray(raw), np.uint8))


def _png(img, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG", **kwargs)
    return buf.getvalue()


def _jpeg(img, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", **kwargs)
    return buf.getvalue()


# --- libpng, driven as torchvision's decode_png drives it ---------------------------------

def _load_libpng():
    here = os.path.dirname(PIL.__file__)
    found = glob.glob(os.path.join(here, "..", "pillow.libs", "libpng16*.so*"))
    if not found:
        return None
    lib = ctypes.CDLL(found[0])
    vp = ctypes.c_void_p
    lib.png_get_libpng_ver.restype = ctypes.c_char_p
    lib.png_create_read_struct.restype = vp
    lib.png_create_read_struct.argtypes = [ctypes.c_char_p, vp, vp, vp]
    lib.png_create_info_struct.restype = vp
    lib.png_create_info_struct.argtypes = [vp]
    lib.png_set_read_fn.argtypes = [vp, vp, _READ_FN]
    lib.png_set_sig_bytes.argtypes = [vp, ctypes.c_int]
    lib.png_read_info.argtypes = [vp, vp]
    lib.png_read_update_info.argtypes = [vp, vp]
    lib.png_get_IHDR.argtypes = [vp, vp] + [ctypes.POINTER(ctypes.c_uint32)] * 2 + \
        [ctypes.POINTER(ctypes.c_int)] * 5
    lib.png_get_channels.argtypes = [vp, vp]
    lib.png_get_channels.restype = ctypes.c_ubyte
    for name in ("png_set_expand_gray_1_2_4_to_8", "png_set_palette_to_rgb",
                 "png_set_strip_alpha", "png_set_gray_to_rgb"):
        getattr(lib, name).argtypes = [vp]
    lib.png_set_rgb_to_gray.argtypes = [vp, ctypes.c_int, ctypes.c_double, ctypes.c_double]
    lib.png_set_add_alpha.argtypes = [vp, ctypes.c_uint32, ctypes.c_int]
    lib.png_read_row.argtypes = [vp, vp, vp]
    lib.png_destroy_read_struct.argtypes = [ctypes.POINTER(vp), ctypes.POINTER(vp), vp]
    return lib


_READ_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.POINTER(ctypes.c_ubyte),
                            ctypes.c_size_t)
LIBPNG = _load_libpng()
needs_libpng = pytest.mark.skipif(LIBPNG is None, reason="Pillow's bundled libpng not found")


def _libpng_decode(raw: bytes, mode: int) -> np.ndarray:
    """torchvision's decode_png (8-bit files, no EXIF), step for step, on libpng."""
    lib = LIBPNG
    png = ctypes.c_void_p(lib.png_create_read_struct(lib.png_get_libpng_ver(None), None, None,
                                                     None))
    info = ctypes.c_void_p(lib.png_create_info_struct(png))
    pos = [8]

    def read(_, out, n):
        ctypes.memmove(out, raw[pos[0]:pos[0] + n], n)
        pos[0] += n

    callback = _READ_FN(read)
    lib.png_set_sig_bytes(png, 8)
    lib.png_set_read_fn(png, None, callback)
    lib.png_read_info(png, info)
    w, h = ctypes.c_uint32(), ctypes.c_uint32()
    depth, color_type, interlace = ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
    lib.png_get_IHDR(png, info, w, h, depth, color_type, interlace, None, None)
    channels, ct, bits = lib.png_get_channels(png, info), color_type.value, depth.value
    if ct == 0 and bits < 8:
        lib.png_set_expand_gray_1_2_4_to_8(png)
    if mode:
        palette, color, alpha = bool(ct & 1), bool(ct & 2), bool(ct & 4)
        target = {1: 0, 2: 4, 3: 2, 4: 6}[mode]  # the PNG colour type the mode asks for
        if ct != target:
            if palette:
                lib.png_set_palette_to_rgb(png)
                alpha = True
            elif not color and mode >= 3:
                lib.png_set_gray_to_rgb(png)
            if mode in (1, 3) and alpha:
                lib.png_set_strip_alpha(png)
            if mode in (2, 4) and not alpha:
                lib.png_set_add_alpha(png, (1 << bits) - 1, 1)
            if mode in (1, 2) and color:
                lib.png_set_rgb_to_gray(png, 1, 0.2989, 0.587)
            channels = {1: 1, 2: 2, 3: 3, 4: 4}[mode]
        lib.png_read_update_info(png, info)
    out = np.zeros((h.value, w.value, channels), np.uint8)
    for row in out:
        lib.png_read_row(png, row.ctypes.data, None)
    lib.png_destroy_read_struct(ctypes.byref(png), ctypes.byref(info), None)
    return out.transpose(2, 0, 1)


def _images():
    """Small PNG-able images of every colour type (and sub-byte gray depths)."""
    rgb = RNG.integers(0, 256, (6, 9, 3), dtype=np.uint8)
    palette_t = Image.fromarray(rgb).convert("P")
    palette_t.info["transparency"] = 3
    images = {
        "RGB": (Image.fromarray(rgb), {}),
        "RGBA": (Image.fromarray(RNG.integers(0, 256, (6, 9, 4), dtype=np.uint8)), {}),
        "L": (Image.fromarray(RNG.integers(0, 256, (6, 9), dtype=np.uint8)), {}),
        "LA": (Image.fromarray(RNG.integers(0, 256, (6, 9, 2), dtype=np.uint8), "LA"), {}),
        "P": (Image.fromarray(rgb).convert("P"), {}),
        "P+tRNS": (palette_t, {"transparency": 3}),
        "1-bit": (Image.fromarray(RNG.integers(0, 2, (6, 9), dtype=np.uint8) * 255).convert(
            "1"), {}),
    }
    for bits in (2, 4):
        levels = RNG.integers(0, 1 << bits, (6, 9)) * (255 // ((1 << bits) - 1))
        images[f"{bits}-bit gray"] = (Image.fromarray(levels.astype(np.uint8)), {"bits": bits})
    return images


@needs_libpng
@pytest.mark.parametrize("name", list(_images()))
@pytest.mark.parametrize("mode", range(5))
def test_decode_png_equals_libpng_as_torchvision_drives_it(name, mode):
    img, save_kwargs = _images()[name]
    raw = _png(img, **save_kwargs)
    if name == "P" and MODES[mode] in ("GRAY_ALPHA", "RGB_ALPHA"):
        # libpng expands an opaque palette to 3 bytes a pixel where torchvision declared 4
        # (or 2): its rows come out misaligned. numtorch gives the image with alpha 255.
        got = vio.decode_png(_bytes_tensor(raw), MODES[mode]).numpy()
        assert (got[-1] == 255).all()
        return
    want = _libpng_decode(raw, mode)
    got = vio.decode_png(_bytes_tensor(raw), mode=MODES[mode]).numpy()
    assert got.dtype == np.uint8 and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@needs_libpng
@pytest.mark.parametrize("chunk, data", [(b"gAMA", 45455), (b"sRGB", None), (b"gAMA", 100000),
                                         (b"gAMA", 220000)])
@pytest.mark.parametrize("channels", [3, 4])
def test_gray_of_a_png_with_a_gamma_is_taken_in_linear_light_as_libpng(chunk, data, channels):
    import struct

    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add(chunk, b"\x00" if data is None else struct.pack(">I", data))
    pixels = RNG.integers(0, 256, (16, 16, channels), dtype=np.uint8)
    pixels[0, :4, :3] = 77  # gray pixels pass unchanged
    raw = _png(Image.fromarray(pixels), pnginfo=info)
    for mode in (1, 2):
        np.testing.assert_array_equal(vio.decode_png(_bytes_tensor(raw), MODES[mode]).numpy(),
                                      _libpng_decode(raw, mode))


def test_decode_jpeg_gray_is_the_decoders_luma_channel():
    raw = _jpeg(Image.fromarray(RNG.integers(0, 256, (33, 47, 3), dtype=np.uint8)), quality=90)
    gray = vio.decode_jpeg(_bytes_tensor(raw), mode=ImageReadMode.GRAY)
    assert gray.shape == (1, 33, 47) and gray.dtype == numtorch.uint8
    ycbcr = Image.open(io.BytesIO(raw))
    ycbcr.draft("YCbCr", ycbcr.size)  # libjpeg's planes before colour conversion
    np.testing.assert_array_equal(gray.numpy()[0], np.asarray(ycbcr)[..., 0])
    rgb = vio.decode_jpeg(_bytes_tensor(raw))
    np.testing.assert_array_equal(rgb.numpy().transpose(1, 2, 0),
                                  np.asarray(Image.open(io.BytesIO(raw)).convert("RGB")))


def test_decode_jpeg_of_a_gray_file_and_lists():
    raw = _jpeg(Image.fromarray(RNG.integers(0, 256, (8, 8), dtype=np.uint8)))
    t = _bytes_tensor(raw)
    assert vio.decode_jpeg(t).shape == (1, 8, 8)  # UNCHANGED: the file's one channel
    rgb = vio.decode_jpeg(t, mode="rgb")
    assert rgb.shape == (3, 8, 8) and numtorch.equal(rgb[0], rgb[2])
    both = vio.decode_jpeg([t, t], mode="GRAY")
    assert isinstance(both, list) and len(both) == 2 and numtorch.equal(both[0], both[1])


def test_decode_jpeg_returns_the_image_on_the_requested_device():
    t = _bytes_tensor(_jpeg(Image.fromarray(RNG.integers(0, 256, (8, 8), dtype=np.uint8))))
    assert vio.decode_jpeg(t, device="cpu").device.type == "cpu"
    if numtorch.cuda.is_available():
        gpu = vio.decode_jpeg(t, device="cuda")
        assert gpu.device.type == "cuda" and numtorch.equal(gpu.cpu(), vio.decode_jpeg(t))
    else:
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            vio.decode_jpeg(t, device="cuda")


def test_read_image_and_decode_image_from_a_path(tmp_path):
    pixels = RNG.integers(0, 256, (5, 7, 3), dtype=np.uint8)
    path = tmp_path / "x.png"
    Image.fromarray(pixels).save(path)
    for image in (vio.read_image(str(path)), vio.decode_image(path),
                  vio.decode_image(vio.read_file(path), "RGB")):
        assert image.shape == (3, 5, 7) and image.dtype == numtorch.uint8
        np.testing.assert_array_equal(image.permute(1, 2, 0).numpy(), pixels)
    assert vio.read_image(path, ImageReadMode.RGBA).shape == (4, 5, 7)
    assert ImageReadMode.RGBA is ImageReadMode.RGB_ALPHA
    assert vio.read_image(path, "gray").shape == (1, 5, 7)


def test_exif_orientation_is_applied_on_request(tmp_path):
    pixels = RNG.integers(0, 256, (4, 6, 3), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    path = tmp_path / "o.png"
    Image.fromarray(pixels).save(path, exif=exif)
    plain = vio.read_image(path)
    turned = vio.read_image(path, apply_exif_orientation=True)
    assert plain.shape == (3, 4, 6) and turned.shape == (3, 6, 4)
    np.testing.assert_array_equal(turned.numpy(), np.rot90(plain.numpy(), k=-1, axes=(1, 2)))


def test_gif_frames():
    frames = [Image.fromarray(np.full((4, 5, 3), v, np.uint8)) for v in (10, 200)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    animated = vio.decode_gif(_bytes_tensor(buf.getvalue()))
    assert animated.shape == (2, 3, 4, 5) and animated.dtype == numtorch.uint8
    assert animated[0].eq(10).all() and animated[1].eq(200).all()
    assert animated.is_contiguous()  # torchvision writes (N, 3, H, W), not a permuted view
    paletted = Image.fromarray(RNG.integers(0, 256, (4, 5, 3), dtype=np.uint8)).quantize(256)
    buf = io.BytesIO()
    paletted.save(buf, "GIF")
    still = vio.decode_image(_bytes_tensor(buf.getvalue()))
    assert still.shape == (3, 4, 5) and still.is_contiguous()  # one frame: no frame dimension
    np.testing.assert_array_equal(still.permute(1, 2, 0).numpy(),
                                  np.asarray(paletted.convert("RGB")))


def _webp(frames, **kwargs) -> bytes:
    buf = io.BytesIO()
    frames[0].save(buf, "WEBP", save_all=len(frames) > 1, append_images=frames[1:], **kwargs)
    return buf.getvalue()


@pytest.mark.skipif(not PIL.features.check("webp"), reason="Pillow without WEBP support")
def test_decode_webp_modes_as_torchvision_and_animated_files_refused():
    rgba = RNG.integers(0, 256, (4, 5, 4), dtype=np.uint8)
    t = _bytes_tensor(_webp([Image.fromarray(rgba)], lossless=True))
    for mode in ("UNCHANGED", "GRAY", "GRAY_ALPHA", "RGB_ALPHA"):  # torchvision: any other
        got = vio.decode_image(t, mode)                             # mode is UNCHANGED
        np.testing.assert_array_equal(got.permute(1, 2, 0).numpy(), rgba, err_msg=mode)
    np.testing.assert_array_equal(vio.decode_webp(t, "RGB").permute(1, 2, 0).numpy(),
                                  rgba[..., :3])
    opaque = _bytes_tensor(_webp([Image.fromarray(rgba[..., :3])], lossless=True))
    assert vio.decode_webp(opaque, ImageReadMode.GRAY).shape == (3, 4, 5)
    assert vio.decode_webp(opaque, ImageReadMode.RGB_ALPHA)[3].eq(255).all()
    frames = [Image.fromarray(np.full((4, 5, 3), v, np.uint8)) for v in (10, 200)]
    with pytest.raises(RuntimeError, match="^Animated webp files are not supported.$"):
        vio.decode_image(_bytes_tensor(_webp(frames, lossless=True)))


def test_png_round_trip_and_jpeg_quality(tmp_path):
    image = numtorch.from_numpy(RNG.integers(0, 256, (3, 10, 12), dtype=np.uint8))
    vio.write_png(image, tmp_path / "a.png", compression_level=9)
    assert numtorch.equal(vio.read_image(tmp_path / "a.png"), image)
    gray = image[:1]
    assert numtorch.equal(vio.decode_png(vio.encode_png(gray, 0)), gray)
    smooth = numtorch.from_numpy(np.tile(np.arange(0, 240, 20, dtype=np.uint8), (3, 10, 1)))
    vio.write_jpeg(smooth, tmp_path / "b.jpg", quality=100)
    back = vio.read_image(tmp_path / "b.jpg")
    assert back.shape == smooth.shape
    assert (back.int() - smooth.int()).abs().max().item() <= 3
    small, large = vio.encode_jpeg(image, quality=5), vio.encode_jpeg(image, quality=95)
    assert small.dtype == numtorch.uint8 and small.dim() == 1 and small.numel() < large.numel()
    pair = vio.encode_jpeg([image, image], quality=95)
    assert isinstance(pair, list) and all(numtorch.equal(t, large) for t in pair)


def test_read_and_write_file(tmp_path):
    data = numtorch.tensor([1, 2, 250], dtype=numtorch.uint8)
    vio.write_file(tmp_path / "bytes.bin", data)
    assert (tmp_path / "bytes.bin").read_bytes() == bytes([1, 2, 250])
    assert vio.read_file(tmp_path / "bytes.bin").tolist() == [1, 2, 250]
    assert [p.name for p in tmp_path.iterdir()] == ["bytes.bin"]  # no temporary file left


@pytest.mark.parametrize("call, error, match", [
    (lambda p: vio.read_file(p / "missing.png"), RuntimeError,
     r"^\[Errno 2\] No such file or directory: '.*missing.png'$"),
    (lambda p: (p / "empty").write_bytes(b"") or vio.read_file(p / "empty"),
     RuntimeError, "^Expected a non empty file$"),
    (lambda p: vio.write_file(p / "x", numtorch.zeros(3)), RuntimeError,
     "^Input tensor dtype should be uint8$"),
    (lambda p: vio.write_file(p / "x", numtorch.zeros(2, 2, dtype=numtorch.uint8)),
     RuntimeError, "^Input data should be a 1-dimensional tensor$"),
    (lambda p: vio.decode_image(numtorch.zeros(4)), RuntimeError,
     "^Expected a torch.uint8 tensor$"),
    (lambda p: vio.decode_image(numtorch.zeros(0, dtype=numtorch.uint8)), RuntimeError,
     "^Expected a non empty 1-dimensional tensor$"),
    (lambda p: vio.decode_image(numtorch.zeros(20, dtype=numtorch.uint8)), RuntimeError,
     "^Unsupported image file. Only jpeg, png, webp and gif are currently supported.$"),
    (lambda p: vio.decode_png(numtorch.zeros(5, dtype=numtorch.uint8)), RuntimeError,
     "^Content is too small for png!$"),
    (lambda p: vio.decode_png(numtorch.zeros(9, dtype=numtorch.uint8)), RuntimeError,
     "^Content is not png!$"),
    (lambda p: vio.decode_jpeg(_bytes_tensor(_jpeg(Image.new("RGB", (2, 2)))), "RGBA"),
     RuntimeError, "^The provided mode is not supported for JPEG files$"),
    (lambda p: vio.decode_jpeg([]), ValueError, "^Input list must contain at least one element$"),
    (lambda p: vio.decode_jpeg([3]), ValueError,
     "^All elements of the input list must be tensors.$"),
    (lambda p: vio.encode_png(numtorch.zeros(3, 2, 2, dtype=numtorch.uint8), 10), RuntimeError,
     "^Compression level should be between 0 and 9$"),
    (lambda p: vio.encode_png(numtorch.zeros(3, 2, 2)), RuntimeError,
     "^Input tensor dtype should be uint8$"),
    (lambda p: vio.encode_png(numtorch.zeros(2, 2, dtype=numtorch.uint8)), RuntimeError,
     "^Input data should be a 3-dimensional tensor$"),
    (lambda p: vio.encode_jpeg(numtorch.zeros(2, 2, 2, dtype=numtorch.uint8)), RuntimeError,
     "^The number of channels should be 1 or 3, got: 2$"),
    (lambda p: vio.encode_jpeg(numtorch.zeros(3, 2, 2, dtype=numtorch.uint8), 0), ValueError,
     "^Image quality should be a positive number between 1 and 100$"),
    (lambda p: vio.encode_jpeg([], 50), ValueError,
     "^encode_jpeg requires at least one input tensor when a list is passed$"),
    (lambda p: vio.decode_png(_bytes_tensor(_png(Image.fromarray(
        np.full((2, 2), 1000, np.uint16))))), RuntimeError,
     "^numtorch has no uint16 dtype: a 16-bit PNG cannot be decoded"),
])
def test_errors(tmp_path, call, error, match):
    with pytest.raises(error, match=match):
        call(tmp_path)
