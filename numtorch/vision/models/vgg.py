"""VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", 2014): stacks of 3x3 convolutions and 2x2 max-pools, then three
fully-connected layers.

The module tree, parameter names, initialisation and repr are torchvision's, so a
torchvision checkpoint loads with ``load_state_dict`` and, after ``manual_seed(s)``, a
fresh model has the weights torchvision would draw.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numtorch
from numtorch import nn

from ._api import (
    _URL,
    ImageClassification,
    Weights,
    WeightsEnum,
    _make_builder,
    _require_model_arg,
)
from ._meta import _IMAGENET_CATEGORIES

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG13_Weights", "VGG13_BN_Weights",
           "VGG16_Weights", "VGG16_BN_Weights", "VGG19_Weights", "VGG19_BN_Weights",
           "vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"]


class VGG(nn.Module):
    """A VGG network: ``features`` (convolutions), ``avgpool`` (to 7x7), ``classifier``.

    Args:
        features: the convolutional trunk, ending in 512 channels (``make_layers``).
        num_classes: outputs of the last Linear. Default: 1000.
        init_weights: draw torchvision's initialisation (He-normal convolutions, N(0, 0.01)
            Linear weights, zero biases). Default: True.
        dropout: drop probability of the two Dropout layers. Default: 0.5.

    Shape:
        input ``(N, 3, H, W)`` with H, W >= 32; output ``(N, num_classes)``.
    """

    def __init__(self, features: nn.Module, num_classes: int = 1000, init_weights: bool = True,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            # in modules() order, so the generator is drawn as torchvision draws it
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = numtorch.flatten(x, 1)
        return self.classifier(x)


def make_layers(cfg: list[str | int], batch_norm: bool = False) -> nn.Sequential:
    """The trunk for a configuration: an int is a 3x3 conv (+ BatchNorm) + ReLU with that
    many output channels, ``'M'`` a 2x2 max-pool."""
    layers: list[nn.Module] = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers.append(nn.Conv2d(in_channels, v, kernel_size=3, padding=1))
        if batch_norm:
            layers.append(nn.BatchNorm2d(v))
        layers.append(nn.ReLU(inplace=True))
        in_channels = v
    return nn.Sequential(*layers)


# The paper's configurations A (11 weight layers), B (13), D (16) and E (19).
cfgs: dict[str, list[str | int]] = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
          512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M",
          512, 512, 512, 512, "M"],
}


def _vgg(cfg: str, batch_norm: bool, weights: WeightsEnum | None, progress: bool,
         **kwargs: Any) -> VGG:
    if weights is not None:
        kwargs["init_weights"] = False  # the checkpoint overwrites every parameter
        if weights.meta["categories"] is not None:
            _require_model_arg(kwargs, "num_classes", len(weights.meta["categories"]))
    model = VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_COMMON_META = {
    "min_size": (32, 32),
    "categories": _IMAGENET_CATEGORIES,
    "recipe": "https://github.com/pytorch/vision/tree/main/references/classification"
              "#alexnet-and-vgg",
    "_docs": "These weights were trained from scratch by using a simplified training recipe.",
}


def _imagenet(url: str, num_params: int, acc1: float, acc5: float, ops: float,
              file_size: float) -> Weights:
    return Weights(url=url, transforms=partial(ImageClassification, crop_size=224), meta={
        **_COMMON_META, "num_params": num_params,
        "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}},
        "_ops": ops, "_file_size": file_size})


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet(_URL + "vgg11-8a719046.pth", 132863336, 69.020, 88.628,
                              7.609, 506.84)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet(_URL + "vgg11_bn-6002323d.pth", 132868840, 70.370, 89.810,
                              7.609, 506.881)
    DEFAULT = IMAGENET1K_V1


class VGG13_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet(_URL + "vgg13-19584684.pth", 133047848, 69.928, 89.246,
                              11.308, 507.545)
    DEFAULT = IMAGENET1K_V1


class VGG13_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet(_URL + "vgg13_bn-abd245e5.pth", 133053736, 71.586, 90.374,
                              11.308, 507.59)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet(_URL + "vgg16-397923af.pth", 138357544, 71.592, 90.382,
                              15.47, 527.796)
    # The features of amdegroot's SSD port: the classifier holds no trained values.
    IMAGENET1K_FEATURES = Weights(
        url=_URL + "vgg16_features-amdegroot-88682ab5.pth",
        transforms=partial(ImageClassification, crop_size=224, mean=(0.48235, 0.45882, 0.40784),
                           std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)),
        meta={**_COMMON_META, "num_params": 138357544, "categories": None,
              "recipe": "https://github.com/amdegroot/ssd.pytorch#training-ssd",
              "_metrics": {"ImageNet-1K": {"acc@1": float("nan"), "acc@5": float("nan")}},
              "_ops": 15.47, "_file_size": 527.802,
              "_docs": "Only the `features` module has valid values (for feature extraction); "
                       "the `classifier` does not. Trained with the paper's original input "
                       "standardisation."})
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet(_URL + "vgg16_bn-6c64b313.pth", 138365992, 73.360, 91.516,
                              15.47, 527.866)
    DEFAULT = IMAGENET1K_V1


class VGG19_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet(_URL + "vgg19-dcbb9e9d.pth", 143667240, 72.376, 90.876,
                              19.632, 548.051)
    DEFAULT = IMAGENET1K_V1


class VGG19_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet(_URL + "vgg19_bn-c79401a0.pth", 143678248, 74.218, 91.842,
                              19.632, 548.143)
    DEFAULT = IMAGENET1K_V1


_VGG_ARGS = """

    Args:
        weights: a ``{enum}`` member or its name (``'IMAGENET1K_V1'``, ``'DEFAULT'``)
            for pretrained weights; None (default) draws a fresh initialisation.
        progress: show a progress bar while downloading. Default: True.
        **kwargs: passed to ``VGG`` (``num_classes``, ``init_weights``, ``dropout``).
    """


def _vgg_builder(name: str, cfg: str, batch_norm: bool, weights_enum: type[WeightsEnum]):
    depth = name[3:5]
    title = (f'VGG-{depth}-BN: configuration "{cfg}" with batch normalisation.' if batch_norm
             else f'VGG-{depth}: configuration "{cfg}".')
    return _make_builder(name, weights_enum, partial(_vgg, cfg, batch_norm), VGG,
                         title + _VGG_ARGS.format(enum=weights_enum.__name__))


vgg11 = _vgg_builder("vgg11", "A", False, VGG11_Weights)
vgg11_bn = _vgg_builder("vgg11_bn", "A", True, VGG11_BN_Weights)
vgg13 = _vgg_builder("vgg13", "B", False, VGG13_Weights)
vgg13_bn = _vgg_builder("vgg13_bn", "B", True, VGG13_BN_Weights)
vgg16 = _vgg_builder("vgg16", "D", False, VGG16_Weights)
vgg16_bn = _vgg_builder("vgg16_bn", "D", True, VGG16_BN_Weights)
vgg19 = _vgg_builder("vgg19", "E", False, VGG19_Weights)
vgg19_bn = _vgg_builder("vgg19_bn", "E", True, VGG19_BN_Weights)
