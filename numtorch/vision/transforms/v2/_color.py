"""v2 colour and erasing transforms: the parameters are v1's draws; masks and boxes pass
through (the colour functionals have no kernel for them)."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence

import numtorch

from .. import transforms as T1
from ..transforms import _exp_f32, _log_f32, _setup_size
from . import functional as F
from ._transform import Transform, _RandomApplyTransform, query_chw

__all__ = ["ColorJitter", "Grayscale", "RandomGrayscale", "GaussianBlur", "RandomErasing"]


class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue, applied in a random order."""

    _v1_transform_cls = T1.ColorJitter

    def __init__(self, brightness=None, contrast=None, saturation=None, hue=None) -> None:
        super().__init__()
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(hue, "hue", center=0, bound=(-0.5, 0.5),
                                     clip_first_on_zero=False)

    @staticmethod
    def _check_input(value, name, center=1.0, bound=(0, float("inf")),
                     clip_first_on_zero=True):
        if value is None:
            return None
        if isinstance(value, (int, float)):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - value, center + value]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, Sequence) and len(value) == 2:
            value = [float(v) for v in value]
        else:
            raise TypeError(f"{name}={value} should be a single number or a sequence with "
                            "length 2.")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {value}.")
        return None if value[0] == value[1] == center else (float(value[0]), float(value[1]))

    def make_params(self, flat_inputs):
        fn_idx, b, c, s, h = T1.ColorJitter.get_params(self.brightness, self.contrast,
                                                       self.saturation, self.hue)
        return dict(fn_idx=fn_idx, brightness_factor=b, contrast_factor=c,
                    saturation_factor=s, hue_factor=h)

    def transform(self, inpt, params):
        out = inpt
        for fn_id in params["fn_idx"].tolist():
            if fn_id == 0 and params["brightness_factor"] is not None:
                out = self._call_kernel(F.adjust_brightness, out,
                                        brightness_factor=params["brightness_factor"])
            elif fn_id == 1 and params["contrast_factor"] is not None:
                out = self._call_kernel(F.adjust_contrast, out,
                                        contrast_factor=params["contrast_factor"])
            elif fn_id == 2 and params["saturation_factor"] is not None:
                out = self._call_kernel(F.adjust_saturation, out,
                                        saturation_factor=params["saturation_factor"])
            elif fn_id == 3 and params["hue_factor"] is not None:
                out = self._call_kernel(F.adjust_hue, out, hue_factor=params["hue_factor"])
        return out


class Grayscale(Transform):
    _v1_transform_cls = T1.Grayscale

    def __init__(self, num_output_channels: int = 1) -> None:
        super().__init__()
        self.num_output_channels = num_output_channels

    def transform(self, inpt, params):
        return self._call_kernel(F.rgb_to_grayscale, inpt,
                                 num_output_channels=self.num_output_channels)


class RandomGrayscale(_RandomApplyTransform):
    _v1_transform_cls = T1.RandomGrayscale

    def __init__(self, p: float = 0.1) -> None:
        super().__init__(p=p)

    def make_params(self, flat_inputs):
        num_input_channels, *_ = query_chw(flat_inputs)
        return dict(num_input_channels=num_input_channels)

    def transform(self, inpt, params):
        return self._call_kernel(F.rgb_to_grayscale, inpt,
                                 num_output_channels=params["num_input_channels"])


class GaussianBlur(Transform):
    _v1_transform_cls = T1.GaussianBlur

    def __init__(self, kernel_size, sigma=(0.1, 2.0)) -> None:
        super().__init__()
        self.kernel_size = _setup_size(kernel_size,
                                       "Kernel size should be a tuple/list of two integers")
        for ks in self.kernel_size:
            if ks <= 0 or ks % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, (int, float)):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = float(sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
        else:
            raise TypeError("sigma should be a single int or float or a list/tuple with length 2 "
                            "floats.")
        self.sigma = [sigma, sigma] if isinstance(sigma, float) else [float(s) for s in sigma]

    def make_params(self, flat_inputs):
        sigma = numtorch.empty(1).uniform_(self.sigma[0], self.sigma[1]).item()
        return dict(sigma=[sigma, sigma])

    def transform(self, inpt, params):
        return self._call_kernel(F.gaussian_blur, inpt, self.kernel_size, **params)


class RandomErasing(_RandomApplyTransform):
    """Erase a random rectangle of images and videos (Zhong et al.)."""

    _v1_transform_cls = T1.RandomErasing

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0,
                 inplace=False) -> None:
        super().__init__(p=p)
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        self.scale = scale
        self.ratio = ratio
        if isinstance(value, (int, float)):
            self.value = [float(value)]
        elif isinstance(value, str):
            self.value = None
        else:
            self.value = [float(v) for v in value]
        self.inplace = inplace

    def make_params(self, flat_inputs):
        img_c, img_h, img_w = query_chw(flat_inputs)
        if self.value is not None and len(self.value) not in (1, img_c):
            raise ValueError(f"If value is a sequence, it should have either a single value or "
                             f"{img_c} (number of inpt channels)")
        area = img_h * img_w
        log_ratio = _log_f32(self.ratio)
        for _ in range(10):
            erase_area = area * numtorch.empty(1).uniform_(self.scale[0], self.scale[1]).item()
            aspect_ratio = _exp_f32(
                numtorch.empty(1).uniform_(float(log_ratio[0]), float(log_ratio[1])).item())
            h = int(round(math.sqrt(erase_area * aspect_ratio)))
            w = int(round(math.sqrt(erase_area / aspect_ratio)))
            if not (h < img_h and w < img_w):
                continue
            if self.value is None:
                v = numtorch.empty([img_c, h, w], dtype=numtorch.float32).normal_()
            else:
                v = numtorch.tensor(self.value)[:, None, None]
            i = int(numtorch.randint(0, img_h - h + 1, size=(1,)))
            j = int(numtorch.randint(0, img_w - w + 1, size=(1,)))
            return dict(i=i, j=j, h=h, w=w, v=v)
        return dict(i=0, j=0, h=img_h, w=img_w, v=None)

    def transform(self, inpt, params):
        if params["v"] is not None:
            inpt = self._call_kernel(F.erase, inpt, **params, inplace=self.inplace)
        return inpt
