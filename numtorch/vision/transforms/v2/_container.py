"""v2 containers: Compose, RandomApply, RandomChoice, RandomOrder.

Unlike v1, RandomChoice and RandomOrder draw from numtorch's generator
(``multinomial``, ``randperm``), as torchvision's v2 does, and every container passes
several inputs (``t(img, target)``) through unchanged in shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import numtorch
from numtorch.nn.modules.container import ModuleList

from ._transform import Transform


def _check_transforms(transforms):
    if not isinstance(transforms, (Sequence, ModuleList)):
        raise TypeError("Argument transforms should be a sequence of callables or a "
                        "`nn.ModuleList`")


def _apply_all(transforms, inputs):
    needs_unpacking = len(inputs) > 1
    outputs = inputs if needs_unpacking else inputs[0]
    for t in transforms:
        outputs = t(*inputs)
        inputs = outputs if needs_unpacking else (outputs,)
    return outputs


class Compose(Transform):
    """Apply transforms one after the other."""

    def __init__(self, transforms) -> None:
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if not transforms:
            raise ValueError("Pass at least one transform")
        self.transforms = transforms

    def forward(self, *inputs):
        return _apply_all(self.transforms, inputs)

    def extra_repr(self) -> str:
        return "\n".join(f"    {t}" for t in self.transforms)


class RandomApply(Transform):
    """Apply all the transforms, with probability ``p``."""

    def __init__(self, transforms, p: float = 0.5) -> None:
        super().__init__()
        _check_transforms(transforms)
        self.transforms = transforms
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def forward(self, *inputs):
        if numtorch.rand(1).item() >= self.p:
            return inputs if len(inputs) > 1 else inputs[0]
        return _apply_all(self.transforms, inputs)

    def extra_repr(self) -> str:
        return "\n".join([f"    p={self.p}", *(f"    {t}" for t in self.transforms)])


class RandomChoice(Transform):
    """Apply one transform, picked with probabilities ``p`` (uniform by default)."""

    def __init__(self, transforms, p=None) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} "
                             f"!= {len(transforms)}")
        super().__init__()
        self.transforms = transforms
        total = sum(p)
        self.p = [prob / total for prob in p]

    def forward(self, *inputs):
        idx = int(numtorch.multinomial(numtorch.tensor(self.p), 1))
        return self.transforms[idx](*inputs)


class RandomOrder(Transform):
    """Apply all the transforms, in a random order (``randperm``)."""

    def __init__(self, transforms) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        super().__init__()
        self.transforms = transforms

    def forward(self, *inputs):
        needs_unpacking = len(inputs) > 1
        for idx in numtorch.randperm(len(self.transforms)).tolist():
            outputs = self.transforms[idx](*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs if self.transforms else (inputs if needs_unpacking else inputs[0])
