"""AlexNet, in the single-tower form of Krizhevsky's "One weird trick for parallelizing
convolutional neural networks" (2014) that torchvision ships: five convolutions, three
max-pools, then three fully-connected layers.

The layers keep their default (PyTorch) initialisation, as torchvision's do.
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
    _accept_pretrained_flag,
    _require_model_arg,
    register_model,
)
from ._meta import _IMAGENET_CATEGORIES

__all__ = ["AlexNet", "AlexNet_Weights", "alexnet"]


class AlexNet(nn.Module):
    """AlexNet: ``features`` (convolutions), ``avgpool`` (to 6x6), ``classifier``.

    Args:
        num_classes: outputs of the last Linear. Default: 1000.
        dropout: drop probability before the first two Linear layers. Default: 0.5.

    Shape:
        input ``(N, 3, H, W)`` with H, W >= 63; output ``(N, num_classes)``.
    """

    def __init__(self, num_classes: int = 1000, dropout: float = 0.5) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(64, 192, kernel_size=5, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
            nn.Conv2d(192, 384, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(256, 256, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(p=dropout),
            nn.Linear(256 * 6 * 6, 4096),
            nn.ReLU(inplace=True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(inplace=True),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = numtorch.flatten(x, 1)
        return self.classifier(x)


class AlexNet_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(
        url=_URL + "alexnet-owt-7be5be79.pth",
        transforms=partial(ImageClassification, crop_size=224),
        meta={
            "num_params": 61100840,
            "min_size": (63, 63),
            "categories": _IMAGENET_CATEGORIES,
            "recipe": "https://github.com/pytorch/vision/tree/main/references/classification"
                      "#alexnet-and-vgg",
            "_metrics": {"ImageNet-1K": {"acc@1": 56.522, "acc@5": 79.066}},
            "_ops": 0.714,
            "_file_size": 233.087,
            "_docs": "These weights reproduce closely the results of the paper using a "
                     "simplified training recipe.",
        },
    )
    DEFAULT = IMAGENET1K_V1


@register_model()
@_accept_pretrained_flag(weights=("pretrained", AlexNet_Weights.IMAGENET1K_V1))
def alexnet(*, weights: AlexNet_Weights | None = None, progress: bool = True,
            **kwargs: Any) -> AlexNet:
    """AlexNet from "One weird trick for parallelizing convolutional neural networks".

    Args:
        weights: an ``AlexNet_Weights`` member or its name (``'IMAGENET1K_V1'``,
            ``'DEFAULT'``) for pretrained weights; None (default) for a fresh model.
        progress: show a progress bar while downloading. Default: True.
        **kwargs: passed to ``AlexNet`` (``num_classes``, ``dropout``).
    """
    weights = AlexNet_Weights.verify(weights)
    if weights is not None:
        _require_model_arg(kwargs, "num_classes", len(weights.meta["categories"]))
    model = AlexNet(**kwargs)
    if weights is not None:
        model.load_state_dict(weights.get_state_dict(progress=progress, check_hash=True))
    return model
