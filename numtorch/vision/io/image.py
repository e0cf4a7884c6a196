"""Images as tensors: torchvision.io's image functions, decoding and encoding with Pillow.

``decode_image`` turns an encoded file (a 1-D uint8 tensor of its bytes, or a path) into
a ``(C, H, W)`` uint8 tensor, and ``encode_png`` / ``encode_jpeg`` go the other way.
torchvision calls libjpeg, libpng and giflib itself; numtorch asks Pillow, which calls
the same libjpeg and libpng, and converts colours where torchvision's decoders do:

* JPEG: ``GRAY`` is the decoder's own luma channel (Pillow's ``draft('L')``, as libjpeg's
  grayscale output), not an RGB-to-gray conversion; ``RGB`` of a gray JPEG repeats it.
* PNG: ``GRAY`` of a colour PNG uses libpng's integer weights (9794, 19234 and 3740 over
  2**15); when the file declares a gamma (a gAMA or sRGB chunk) libpng weighs the colours
  in linear light, through its 8-bit gamma tables, and so does numtorch. Alpha is dropped
  or added as asked (opaque is 255, or ``2**bits - 1`` for a gray PNG of 1, 2 or 4 bits,
  as libpng fills it); palettes are expanded except in ``UNCHANGED`` mode, which gives the
  palette indices. All checked against libpng itself (tests/vision/test_io.py).

Where they differ: a palette PNG of 1, 2 or 4 bits in ``UNCHANGED`` mode gives its
indices one per byte (libpng leaves them packed); a palette PNG without transparency in
an alpha mode gets alpha 255 (torchvision's rows come out misaligned there); animated
GIFs are composited by Pillow. 16-bit PNGs, which torchvision decodes to uint16, are
refused: numtorch has no uint16 dtype. An encoded PNG or JPEG holds the same pixels as
torchvision's, but its bytes may differ (another compressor).
"""

from __future__ import annotations

import enum
import io
import os
import tempfile

import numpy as np

import numtorch

__all__ = ["ImageReadMode", "read_file", "write_file", "decode_image", "read_image",
           "decode_png", "decode_jpeg", "decode_gif", "decode_webp", "encode_png",
           "encode_jpeg", "write_png", "write_jpeg"]


class ImageReadMode(enum.Enum):
    """The channels to decode to: as stored, gray, gray + alpha, RGB or RGB + alpha.
    A string (``"RGB"``, any case) works wherever a mode is expected."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4
    RGBA = RGB_ALPHA  # an alias


def _mode(mode) -> ImageReadMode:
    return ImageReadMode[mode.upper()] if isinstance(mode, str) else mode


# --- files ---------------------------------------------------------------------------------

def read_file(path) -> numtorch.Tensor:
    """A file's bytes as a 1-D uint8 tensor."""
    path = str(path)
    try:
        size = os.stat(path).st_size
    except OSError as e:
        raise RuntimeError(f"[Errno {e.errno}] {e.strerror}: '{path}'") from None
    if size == 0:
        raise RuntimeError("Expected a non empty file")
    with open(path, "rb") as f:
        return numtorch.from_numpy(np.frombuffer(bytearray(f.read()), np.uint8))


def write_file(filename, data) -> None:
    """Write a 1-D uint8 tensor's bytes to ``filename`` (atomically: a complete file or
    none)."""
    _check_uint8(data)
    if data.dim() != 1:
        raise RuntimeError("Input data should be a 1-dimensional tensor")
    path = str(filename)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(np.ascontiguousarray(data.numpy()).tobytes())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600: give the file normal permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _check_uint8(data) -> None:
    if not isinstance(data, numtorch.Tensor) or data.dtype != numtorch.uint8:
        raise RuntimeError("Input tensor dtype should be uint8")


# --- decoding ------------------------------------------------------------------------------

_JPEG, _PNG = b"\xff\xd8\xff", b"\x89PNG"
_GIFS = (b"GIF89a", b"GIF87a")


def _encoded_bytes(data) -> bytes:
    """The bytes of an encoded image given as a 1-D uint8 tensor, checked as torchvision
    checks them."""
    if not isinstance(data, numtorch.Tensor) or data.dtype != numtorch.uint8:
        raise RuntimeError("Expected a torch.uint8 tensor")
    if data.dim() != 1 or data.numel() == 0:
        raise RuntimeError("Expected a non empty 1-dimensional tensor")
    return np.ascontiguousarray(data.numpy()).tobytes()


def decode_image(input, mode=ImageReadMode.UNCHANGED,
                 apply_exif_orientation: bool = False) -> numtorch.Tensor:
    """Decode a JPEG, PNG, GIF or WEBP image (a 1-D uint8 tensor of the file's bytes, or a
    path) to a ``(C, H, W)`` uint8 tensor (``(N, C, H, W)`` for an animated GIF)."""
    if not isinstance(input, numtorch.Tensor):
        input = read_file(input)
    mode = _mode(mode)
    raw = _encoded_bytes(input)
    unsupported = "Unsupported image file. Only jpeg, png, webp and gif are currently supported."
    if raw[:3] == _JPEG:
        return _decode_jpeg_bytes(raw, mode, apply_exif_orientation)
    if raw[:4] == _PNG:
        return _decode_png_bytes(raw, mode, apply_exif_orientation)
    if raw[:6] in _GIFS:
        return _decode_gif_bytes(raw)
    if raw[:4] == b"RIFF" and raw[8:15] == b"WEBPVP8":
        return _decode_webp_bytes(raw, mode)
    raise RuntimeError(unsupported)


def read_image(path, mode=ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> numtorch.Tensor:
    """``decode_image(read_file(path), mode)``: the image file at ``path`` as a tensor."""
    return decode_image(read_file(path), mode, apply_exif_orientation=apply_exif_orientation)


def decode_png(input, mode=ImageReadMode.UNCHANGED,
               apply_exif_orientation: bool = False) -> numtorch.Tensor:
    """Decode PNG bytes (a 1-D uint8 tensor) to a ``(C, H, W)`` uint8 tensor."""
    raw = _encoded_bytes(input)
    if len(raw) < 8:
        raise RuntimeError("Content is too small for png!")
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise RuntimeError("Content is not png!")
    return _decode_png_bytes(raw, _mode(mode), apply_exif_orientation)


def decode_jpeg(input, mode=ImageReadMode.UNCHANGED, device="cpu",
                apply_exif_orientation: bool = False):
    """Decode JPEG bytes (a 1-D uint8 tensor, or a list of them) to ``(C, H, W)`` uint8
    tensor(s). Only ``UNCHANGED``, ``GRAY`` and ``RGB`` apply to JPEG."""
    device = numtorch.device(device)
    mode = _mode(mode)
    if isinstance(input, list):
        if len(input) == 0:
            raise ValueError("Input list must contain at least one element")
        if not all(isinstance(t, numtorch.Tensor) for t in input):
            raise ValueError("All elements of the input list must be tensors.")
        if not all(t.device.type == "cpu" for t in input):
            raise ValueError("Input list must contain tensors on CPU.")
        return [decode_jpeg(t, mode, device, apply_exif_orientation) for t in input]
    if input.device.type != "cpu":
        raise ValueError("Input tensor must be a CPU tensor")
    if device.type != "cpu":
        numtorch.empty(0).to(device)  # raises numtorch's error for a missing device
    # Decoded on the host; torchvision returns the image on the requested device.
    return _decode_jpeg_bytes(_encoded_bytes(input), mode, apply_exif_orientation).to(device)


def decode_gif(input) -> numtorch.Tensor:
    """Decode GIF bytes to RGB: ``(3, H, W)``, or ``(N, 3, H, W)`` for N frames."""
    return _decode_gif_bytes(_encoded_bytes(input))


def decode_webp(input, mode=ImageReadMode.UNCHANGED) -> numtorch.Tensor:
    """Decode WEBP bytes to a ``(C, H, W)`` uint8 tensor (RGB or RGBA)."""
    return _decode_webp_bytes(_encoded_bytes(input), _mode(mode))


def _open(raw: bytes):
    from PIL import Image

    return Image.open(io.BytesIO(raw))


def _exif_orient(img):
    """``img`` turned as its EXIF orientation tag says (1-8; no tag: unchanged)."""
    from PIL import Image

    moves = {2: [Image.Transpose.FLIP_LEFT_RIGHT], 3: [Image.Transpose.ROTATE_180],
             4: [Image.Transpose.FLIP_TOP_BOTTOM], 5: [Image.Transpose.TRANSPOSE],
             6: [Image.Transpose.ROTATE_270], 7: [Image.Transpose.TRANSVERSE],
             8: [Image.Transpose.ROTATE_90]}
    for move in moves.get(img.getexif().get(0x0112, 1), []):
        img = img.transpose(move)
    return img


def _chw(pixels: np.ndarray) -> numtorch.Tensor:
    """An ``(H, W)`` or ``(H, W, C)`` uint8 array as a ``(C, H, W)`` tensor (a view, as
    torchvision's permuted output)."""
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    return numtorch.from_numpy(np.ascontiguousarray(pixels)).permute(2, 0, 1)


def _decode_jpeg_bytes(raw: bytes, mode: ImageReadMode, exif: bool) -> numtorch.Tensor:
    img = _open(raw)
    if mode is ImageReadMode.GRAY:
        img.draft("L", img.size)  # the decoder's luma channel, as libjpeg's gray output
        img = img.convert("L")
    elif mode is ImageReadMode.RGB or (mode is ImageReadMode.UNCHANGED and img.mode != "L"):
        img = img.convert("RGB")
    elif mode is not ImageReadMode.UNCHANGED:
        raise RuntimeError("The provided mode is not supported for JPEG files")
    if exif:
        img = _exif_orient(img)
    return _chw(np.asarray(img))


# libpng's rgb_to_gray weights for torchvision's (0.2989, 0.587): fixed point over 2**15,
# truncated as libpng truncates them; blue takes what is left.
_PNG_GRAY = (9794, 19234, 32768 - 9794 - 19234)


def _gamma_table(exponent: float) -> np.ndarray:
    """libpng's 8-bit gamma table: ``255 * (i / 255) ** exponent``, rounded half up."""
    i = np.arange(256, dtype=np.float64)
    table = np.floor(255 * (i / 255) ** exponent + 0.5)
    table[0], table[255] = 0, 255
    return table.astype(np.uint32)


def _png_gray(rgb: np.ndarray, file_gamma: int | None) -> np.ndarray:
    """libpng's rgb_to_gray of 8-bit RGB: the weighted sum, truncated; or, for a file with
    a significant gamma (in 1/100000 units), the sum of linear-light values (its to-linear
    table), rounded, then encoded back (its from-linear table). Gray pixels pass as they
    are."""
    r, g, b = (rgb[..., i].astype(np.uint32) for i in range(3))
    red, green, blue = _PNG_GRAY
    if file_gamma is None or 95000 <= file_gamma <= 105000:
        gray = (red * r + green * g + blue * b) >> 15
    else:
        to_linear = _gamma_table(np.floor(1e10 / file_gamma + 0.5) * 1e-5)
        from_linear = _gamma_table(file_gamma * 1e-5)
        linear = (red * to_linear[r] + green * to_linear[g] + blue * to_linear[b] + 16384) >> 15
        gray = np.where((r == g) & (g == b), r, from_linear[linear])
    return gray.astype(np.uint8)


def _png_file_gamma(img) -> int | None:
    """The gamma a PNG declares, as libpng reads it: sRGB means 45455, else gAMA's value."""
    if "srgb" in img.info:
        return 45455
    if "gamma" in img.info:
        return round(img.info["gamma"] * 100000)
    return None


def _decode_png_bytes(raw: bytes, mode: ImageReadMode, exif: bool) -> numtorch.Tensor:
    if len(raw) > 24 and raw[24] == 16:  # the IHDR chunk's bit depth
        raise RuntimeError("numtorch has no uint16 dtype: a 16-bit PNG cannot be decoded "
                           "(torchvision gives a uint16 tensor)")
    img = _open(raw)
    if exif:
        img = _exif_orient(img)
    bits = raw[24] if len(raw) > 24 else 8
    # libpng fills a missing alpha with the file's largest sample value: 255, or
    # 2**bits - 1 for a gray file of fewer bits (it is not rescaled with the gray).
    opaque = (1 << bits) - 1 if img.mode in ("1", "L") and bits < 8 else 255
    if img.mode == "1":
        img = img.convert("L")  # 1-bit gray expanded to 0/255, as libpng expands it
    if mode is ImageReadMode.UNCHANGED:
        return _chw(np.asarray(img))
    if img.mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    pixels = np.asarray(img)
    color = img.mode in ("RGB", "RGBA")
    alpha = pixels[..., -1] if img.mode in ("LA", "RGBA") else None
    if mode in (ImageReadMode.GRAY, ImageReadMode.GRAY_ALPHA):
        if color:
            base = _png_gray(pixels, _png_file_gamma(img))
        else:
            base = pixels if pixels.ndim == 2 else pixels[..., 0]
        channels = [base]
    else:
        if color:
            channels = [pixels[..., i] for i in range(3)]
        else:
            gray = pixels if pixels.ndim == 2 else pixels[..., 0]
            channels = [gray, gray, gray]
    if mode in (ImageReadMode.GRAY_ALPHA, ImageReadMode.RGB_ALPHA):
        channels.append(alpha if alpha is not None else np.full(pixels.shape[:2], opaque,
                                                                np.uint8))
    return _chw(np.stack(channels, axis=-1))


def _decode_gif_bytes(raw: bytes) -> numtorch.Tensor:
    img = _open(raw)
    frames = []
    for i in range(getattr(img, "n_frames", 1)):
        img.seek(i)
        frames.append(np.asarray(img.convert("RGB")))
    # Contiguous (N, 3, H, W), one frame squeezed to (3, H, W), as torchvision's decoder
    # writes it (not a permuted view, as its JPEG and PNG decoders give).
    pixels = np.ascontiguousarray(np.stack(frames).transpose(0, 3, 1, 2))
    return numtorch.from_numpy(pixels[0] if len(frames) == 1 else pixels)


def _decode_webp_bytes(raw: bytes, mode: ImageReadMode) -> numtorch.Tensor:
    img = _open(raw)
    if getattr(img, "is_animated", False):
        raise RuntimeError("Animated webp files are not supported.")
    if mode is ImageReadMode.RGB:
        img = img.convert("RGB")
    elif mode is ImageReadMode.RGB_ALPHA:
        img = img.convert("RGBA")
    elif img.mode not in ("RGB", "RGBA"):
        # Any other mode (GRAY too) is UNCHANGED, as in torchvision's WEBP decoder: RGB, or
        # RGBA for a file with alpha.
        img = img.convert("RGB")
    return _chw(np.asarray(img))


# --- encoding ------------------------------------------------------------------------------

def _hwc_pixels(input) -> np.ndarray:
    """A ``(C, H, W)`` uint8 image tensor of 1 or 3 channels as Pillow's ``(H, W[, 3])``."""
    _check_uint8(input)
    if input.dim() != 3:
        raise RuntimeError("Input data should be a 3-dimensional tensor")
    channels = input.shape[0]
    if channels not in (1, 3):
        raise RuntimeError(f"The number of channels should be 1 or 3, got: {channels}")
    pixels = np.ascontiguousarray(input.detach().numpy().transpose(1, 2, 0))
    return pixels[:, :, 0] if channels == 1 else pixels


def _encoded(img, **save_kwargs) -> numtorch.Tensor:
    buf = io.BytesIO()
    img.save(buf, **save_kwargs)
    return numtorch.from_numpy(np.frombuffer(bytearray(buf.getvalue()), np.uint8))


def encode_png(input, compression_level: int = 6) -> numtorch.Tensor:
    """The PNG file of a ``(C, H, W)`` uint8 image (1 or 3 channels) as a 1-D uint8 tensor;
    ``compression_level`` 0 (none) to 9 (most)."""
    from PIL import Image

    if not 0 <= compression_level <= 9:
        raise RuntimeError("Compression level should be between 0 and 9")
    if isinstance(input, numtorch.Tensor) and input.device.type != "cpu":
        raise RuntimeError("Input tensor should be on CPU")
    return _encoded(Image.fromarray(_hwc_pixels(input)), format="PNG",
                    compress_level=compression_level)


def write_png(input, filename, compression_level: int = 6) -> None:
    """Save a ``(C, H, W)`` uint8 image as a PNG file."""
    write_file(filename, encode_png(input, compression_level))


def encode_jpeg(input, quality: int = 75):
    """The JPEG file of a ``(C, H, W)`` uint8 image (or of each of a list of them) as a
    1-D uint8 tensor; ``quality`` 1 to 100."""
    from PIL import Image

    if quality < 1 or quality > 100:
        raise ValueError("Image quality should be a positive number between 1 and 100")
    if isinstance(input, list):
        if not input:
            raise ValueError("encode_jpeg requires at least one input tensor when a list is "
                             "passed")
        return [encode_jpeg(image, quality) for image in input]
    return _encoded(Image.fromarray(_hwc_pixels(input)), format="JPEG", quality=quality)


def write_jpeg(input, filename, quality: int = 75) -> None:
    """Save a ``(C, H, W)`` uint8 image as a JPEG file."""
    write_file(filename, encode_jpeg(input, quality))
