"""ResNet (He et al., "Deep Residual Learning for Image Recognition", 2015): a stem, four
stages of residual blocks (``BasicBlock`` for 18/34 layers, ``Bottleneck`` for 50/101/152),
global average pooling and one Linear. ResNeXt (grouped 3x3 convolutions) and Wide ResNet
(twice as wide inside each Bottleneck) are the same network with other ``groups`` and
``width_per_group``.

torchvision's variant ("ResNet v1.5") strides the 3x3 convolution of a Bottleneck rather
than its first 1x1. Module names, initialisation and repr are torchvision's.
"""

from __future__ import annotations

from collections.abc import Callable
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

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "ResNet18_Weights", "ResNet34_Weights",
           "ResNet50_Weights", "ResNet101_Weights", "ResNet152_Weights",
           "ResNeXt50_32X4D_Weights", "ResNeXt101_32X8D_Weights", "ResNeXt101_64X4D_Weights",
           "Wide_ResNet50_2_Weights", "Wide_ResNet101_2_Weights",
           "resnet18", "resnet34", "resnet50", "resnet101", "resnet152",
           "resnext50_32x4d", "resnext101_32x8d", "resnext101_64x4d",
           "wide_resnet50_2", "wide_resnet101_2"]


def conv3x3(in_planes: int, out_planes: int, stride: int = 1, groups: int = 1,
            dilation: int = 1) -> nn.Conv2d:
    """3x3 convolution, padded to keep the size (at stride 1), without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation,
                     groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes: int, out_planes: int, stride: int = 1) -> nn.Conv2d:
    """1x1 convolution without bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions and a shortcut: ``relu(bn2(conv2(relu(bn1(conv1(x))))) + x)``,
    where ``x`` goes through ``downsample`` when the shapes differ."""

    expansion: int = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1, base_width: int = 64,
                 dilation: int = 1, norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        self.conv1 = conv3x3(inplanes, planes, stride)  # strides (with downsample) if asked
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 -> 1x1 (expand by 4) convolutions and a shortcut."""

    expansion: int = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1,
                 downsample: nn.Module | None = None, groups: int = 1, base_width: int = 64,
                 dilation: int = 1, norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)  # v1.5: stride here
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """A residual network.

    Args:
        block: ``BasicBlock`` or ``Bottleneck``.
        layers: blocks in each of the four stages (``[2, 2, 2, 2]`` for ResNet-18).
        num_classes: outputs of ``fc``. Default: 1000.
        zero_init_residual: start the last BatchNorm of each block at weight 0, so every
            block begins as the identity. Default: False.
        groups, width_per_group: grouped (ResNeXt) / wider Bottleneck convolutions.
        replace_stride_with_dilation: three bools, one per stage 2-4: dilate instead of
            striding.
        norm_layer: the normalisation layer class. Default: ``nn.BatchNorm2d``.

    Shape:
        input ``(N, 3, H, W)``; output ``(N, num_classes)``.
    """

    def __init__(self, block: type[BasicBlock | Bottleneck], layers: list[int],
                 num_classes: int = 1000, zero_init_residual: bool = False, groups: int = 1,
                 width_per_group: int = 64, replace_stride_with_dilation: list[bool] | None = None,
                 norm_layer: Callable[..., nn.Module] | None = None) -> None:
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element "
                             f"tuple, got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2,
                                       dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2,
                                       dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2,
                                       dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

        # in modules() order, so the generator is drawn as torchvision draws it; fc keeps
        # Linear's default initialisation
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d | nn.GroupNorm):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:  # Goyal et al. 2017: each block starts as the identity
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block: type[BasicBlock | Bottleneck], planes: int, blocks: int,
                    stride: int = 1, dilate: bool = False) -> nn.Sequential:
        """One stage of ``blocks`` blocks, ``planes * block.expansion`` channels out. Only
        its first block changes resolution (``stride``) and width; with ``dilate`` the
        stride becomes dilation for the blocks after it."""
        first_dilation = self.dilation
        if dilate:
            self.dilation, stride = self.dilation * stride, 1
        out_channels = planes * block.expansion
        shortcut = None  # built before the first block: construction order is draw order
        if stride != 1 or self.inplanes != out_channels:
            shortcut = nn.Sequential(conv1x1(self.inplanes, out_channels, stride),
                                     self._norm_layer(out_channels))
        shared = {"groups": self.groups, "base_width": self.base_width,
                  "norm_layer": self._norm_layer}
        stage = [block(self.inplanes, planes, stride, shortcut, dilation=first_dilation,
                       **shared)]
        stage += [block(out_channels, planes, dilation=self.dilation, **shared)
                  for _ in range(blocks - 1)]
        self.inplanes = out_channels
        return nn.Sequential(*stage)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = numtorch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def _resnet(block: type[BasicBlock | Bottleneck], layers: list[int],
            weights: WeightsEnum | None, progress: bool, **kwargs: Any) -> ResNet:
    if weights is not None:
        _require_model_arg(kwargs, "num_classes", len(weights.meta["categories"]))
    model = ResNet(block, layers, **kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model


_V1_DOCS = ("These weights reproduce closely the results of the paper using a simple training "
            "recipe.")
_V2_DOCS = ("These weights improve upon the results of the original paper by using TorchVision's "
            "new training recipe (https://pytorch.org/blog/how-to-train-state-of-the-art-models-"
            "using-torchvision-latest-primitives/).")


_SCRATCH_DOCS = ("These weights were trained from scratch by using TorchVision's new training "
                 "recipe (https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-"
                 "torchvision-latest-primitives/).")
_RECIPES = "https://github.com/pytorch/vision/tree/main/references/classification"


def _imagenet(file: str, num_params: int, acc1: float, acc5: float, ops: float,
              file_size: float, v2_recipe: str | None = None, *,
              v1_recipe: str = _RECIPES + "#resnet", docs: str | None = None) -> Weights:
    """A record for ImageNet-1K weights: V1 (the paper's recipe, ``v1_recipe``) or V2
    (TorchVision's newer recipe ``v2_recipe``, evaluated after a resize to 232)."""
    transforms = (partial(ImageClassification, crop_size=224) if v2_recipe is None
                  else partial(ImageClassification, crop_size=224, resize_size=232))
    if docs is None:
        docs = _V1_DOCS if v2_recipe is None else _V2_DOCS
    return Weights(url=_URL + file, transforms=transforms, meta={
        "min_size": (1, 1), "categories": _IMAGENET_CATEGORIES, "num_params": num_params,
        "recipe": v2_recipe or v1_recipe,
        "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}},
        "_ops": ops, "_file_size": file_size, "_docs": docs})


_NEW_RECIPE = "https://github.com/pytorch/vision/issues/3995#new-recipe"


class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("resnet18-f37072fd.pth", 11689512, 69.758, 89.078, 1.814, 44.661)
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("resnet34-b627a593.pth", 21797672, 73.314, 91.420, 3.664, 83.275)
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("resnet50-0676ba61.pth", 25557032, 76.130, 92.862, 4.089, 97.781)
    IMAGENET1K_V2 = _imagenet("resnet50-11ad3fa6.pth", 25557032, 80.858, 95.434, 4.089, 97.79,
                              "https://github.com/pytorch/vision/issues/3995"
                              "#issuecomment-1013906621")
    DEFAULT = IMAGENET1K_V2


class ResNet101_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("resnet101-63fe2227.pth", 44549160, 77.374, 93.546, 7.801,
                              170.511)
    IMAGENET1K_V2 = _imagenet("resnet101-cd907fc2.pth", 44549160, 81.886, 95.780, 7.801,
                              170.53, _NEW_RECIPE)
    DEFAULT = IMAGENET1K_V2


class ResNet152_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("resnet152-394f9c45.pth", 60192808, 78.312, 94.046, 11.514,
                              230.434)
    IMAGENET1K_V2 = _imagenet("resnet152-f82ba261.pth", 60192808, 82.284, 96.002, 11.514,
                              230.474, _NEW_RECIPE)
    DEFAULT = IMAGENET1K_V2


_FIXRES = "https://github.com/pytorch/vision/issues/3995#new-recipe-with-fixres"
_WIDE_V1 = "https://github.com/pytorch/vision/pull/912#issue-445437439"


class ResNeXt50_32X4D_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("resnext50_32x4d-7cdf4587.pth", 25028904, 77.618, 93.698, 4.23,
                              95.789, v1_recipe=_RECIPES + "#resnext")
    IMAGENET1K_V2 = _imagenet("resnext50_32x4d-1a0047aa.pth", 25028904, 81.198, 95.340, 4.23,
                              95.833, _NEW_RECIPE)
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_32X8D_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("resnext101_32x8d-8ba56ff5.pth", 88791336, 79.312, 94.526,
                              16.414, 339.586, v1_recipe=_RECIPES + "#resnext")
    IMAGENET1K_V2 = _imagenet("resnext101_32x8d-110c445d.pth", 88791336, 82.834, 96.228,
                              16.414, 339.673, _FIXRES)
    DEFAULT = IMAGENET1K_V2


class ResNeXt101_64X4D_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("resnext101_64x4d-173b62eb.pth", 83455272, 83.246, 96.454, 15.46,
                              319.318, "https://github.com/pytorch/vision/pull/5935",
                              docs=_SCRATCH_DOCS)
    DEFAULT = IMAGENET1K_V1


class Wide_ResNet50_2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("wide_resnet50_2-95faca4d.pth", 68883240, 78.468, 94.086, 11.398,
                              131.82, v1_recipe=_WIDE_V1)
    IMAGENET1K_V2 = _imagenet("wide_resnet50_2-9ba9bcbe.pth", 68883240, 81.602, 95.758, 11.398,
                              263.124, _FIXRES)
    DEFAULT = IMAGENET1K_V2


class Wide_ResNet101_2_Weights(WeightsEnum):
    IMAGENET1K_V1 = _imagenet("wide_resnet101_2-32ee1156.pth", 126886696, 78.848, 94.284,
                              22.753, 242.896, v1_recipe=_WIDE_V1)
    IMAGENET1K_V2 = _imagenet("wide_resnet101_2-d733dc28.pth", 126886696, 82.510, 96.020,
                              22.753, 484.747, _NEW_RECIPE)
    DEFAULT = IMAGENET1K_V2


# ``pretrained=True`` keeps meaning the original (V1) weights, as in torchvision.
_RESNET_ARGS = """

    Args:
        weights: a ``{enum}`` member or its name (``'IMAGENET1K_V1'``, ``'DEFAULT'``)
            for pretrained weights; None (default) draws a fresh model.
        progress: show a progress bar while downloading. Default: True.
        **kwargs: passed to ``ResNet`` (``num_classes``, ``zero_init_residual``, ...).
    """


def _builder_doc(summary: str, weights_enum: type[WeightsEnum]) -> str:
    """A builder's docstring: ``summary``, which weights ``'DEFAULT'`` means, and Args."""
    default = "" if weights_enum.DEFAULT is weights_enum.IMAGENET1K_V1 else (
        " ``'DEFAULT'`` is ``IMAGENET1K_V2``.")
    return f"{summary}.{default}" + _RESNET_ARGS.format(enum=weights_enum.__name__)


def _resnet_builder(depth: int, block: type[BasicBlock | Bottleneck], layers: list[int],
                    weights_enum: type[WeightsEnum]):
    doc = _builder_doc(f"ResNet-{depth} ({block.__name__}, {layers})", weights_enum)
    return _make_builder(f"resnet{depth}", weights_enum, partial(_resnet, block, layers),
                         ResNet, doc)


def _shaped(layers: list[int], groups: int | None, width_per_group: int,
            weights: WeightsEnum | None, progress: bool, /, **kwargs: Any) -> ResNet:
    """A Bottleneck ResNet whose 3x3 convolutions are grouped or wider (kwargs that
    disagree with the variant's ``groups`` / ``width_per_group`` are refused; ``groups``
    None leaves it to the caller, as torchvision's Wide ResNets do)."""
    if groups is not None:
        _require_model_arg(kwargs, "groups", groups)
    _require_model_arg(kwargs, "width_per_group", width_per_group)
    return _resnet(Bottleneck, layers, weights, progress, **kwargs)


def _variant_builder(name: str, title: str, layers: list[int], groups: int | None,
                     width_per_group: int, weights_enum: type[WeightsEnum]):
    shape = "" if groups is None else f"groups={groups}, "
    doc = _builder_doc(f"{title} (Bottleneck, {layers}, {shape}width_per_group="
                       f"{width_per_group})", weights_enum)
    return _make_builder(name, weights_enum, partial(_shaped, layers, groups, width_per_group),
                         ResNet, doc)


resnet18 = _resnet_builder(18, BasicBlock, [2, 2, 2, 2], ResNet18_Weights)
resnet34 = _resnet_builder(34, BasicBlock, [3, 4, 6, 3], ResNet34_Weights)
resnet50 = _resnet_builder(50, Bottleneck, [3, 4, 6, 3], ResNet50_Weights)
resnet101 = _resnet_builder(101, Bottleneck, [3, 4, 23, 3], ResNet101_Weights)
resnet152 = _resnet_builder(152, Bottleneck, [3, 8, 36, 3], ResNet152_Weights)
# ResNeXt (Xie et al. 2017): 32 or 64 groups in each Bottleneck's 3x3 convolution;
# Wide ResNet (Zagoruyko & Komodakis 2016): Bottlenecks twice as wide inside.
resnext50_32x4d = _variant_builder("resnext50_32x4d", "ResNeXt-50 32x4d", [3, 4, 6, 3], 32, 4,
                                   ResNeXt50_32X4D_Weights)
resnext101_32x8d = _variant_builder("resnext101_32x8d", "ResNeXt-101 32x8d", [3, 4, 23, 3], 32,
                                    8, ResNeXt101_32X8D_Weights)
resnext101_64x4d = _variant_builder("resnext101_64x4d", "ResNeXt-101 64x4d", [3, 4, 23, 3], 64,
                                    4, ResNeXt101_64X4D_Weights)
wide_resnet50_2 = _variant_builder("wide_resnet50_2", "Wide ResNet-50-2", [3, 4, 6, 3], None,
                                   128, Wide_ResNet50_2_Weights)
wide_resnet101_2 = _variant_builder("wide_resnet101_2", "Wide ResNet-101-2", [3, 4, 23, 3], None,
                                    128, Wide_ResNet101_2_Weights)
