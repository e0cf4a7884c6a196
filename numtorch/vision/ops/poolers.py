"""MultiScaleRoIAlign: RoI Align over an FPN, each box pooled from the level its size
picks (Eqn. 1 of the FPN paper: ``k = floor(k0 + log2(sqrt(area) / 224))``).

The level scales are inferred once, on the first forward, from the feature maps' sizes
relative to the largest image, assuming each is ``2 ** -k`` of it.
"""

from __future__ import annotations

import numtorch
from numtorch import Tensor, nn

from ._utils import convert_boxes_to_roi_format
from .boxes import box_area
from .roi_align import roi_align

__all__ = ["LevelMapper", "MultiScaleRoIAlign"]


class LevelMapper:
    """Maps boxes to FPN levels ``k_min..k_max`` by their size (returned as ``level - k_min``).

    Args:
        k_min, k_max (int): the finest and coarsest levels.
        canonical_scale (int): the box size that maps to ``canonical_level``. Default: 224.
        canonical_level (int): Default: 4.
        eps (float): keeps ``log2`` finite. Default: 1e-6.
    """

    def __init__(self, k_min: int, k_max: int, canonical_scale: int = 224,
                 canonical_level: int = 4, eps: float = 1e-6) -> None:
        self.k_min = k_min
        self.k_max = k_max
        self.s0 = canonical_scale
        self.lvl0 = canonical_level
        self.eps = eps

    def __call__(self, boxlists: list[Tensor]) -> Tensor:
        s = numtorch.sqrt(numtorch.cat([box_area(boxlist) for boxlist in boxlists]))
        target = numtorch.floor(self.lvl0 + numtorch.log2(s / self.s0)
                                + numtorch.tensor(self.eps, dtype=s.dtype))
        target = numtorch.clamp(target, min=self.k_min, max=self.k_max)
        return target.to(numtorch.int64) - self.k_min


def _infer_scale(feature: Tensor, original_size) -> float:
    """The power of two nearest ``feature size / image size`` (float32 log2, as torch)."""
    scales = []
    for s1, s2 in zip(feature.shape[-2:], original_size):
        scales.append(2 ** float(numtorch.tensor(float(s1) / float(s2)).log2().round()))
    return scales[0]


def _setup_scales(features, image_shapes, canonical_scale, canonical_level):
    if not image_shapes:
        raise ValueError("images list should not be empty")
    original = (max(s[0] for s in image_shapes), max(s[1] for s in image_shapes))
    scales = [_infer_scale(feat, original) for feat in features]
    lvl_min = -numtorch.log2(numtorch.tensor(scales[0], dtype=numtorch.float32)).item()
    lvl_max = -numtorch.log2(numtorch.tensor(scales[-1], dtype=numtorch.float32)).item()
    return scales, LevelMapper(int(lvl_min), int(lvl_max), canonical_scale=canonical_scale,
                               canonical_level=canonical_level)


class MultiScaleRoIAlign(nn.Module):
    """RoI Align from the feature level that suits each box's size.

    Args:
        featmap_names (List[str]): the names of the levels to pool from.
        output_size (int or Tuple[int, int]): the pooled size.
        sampling_ratio (int): as for :func:`roi_align`.
        canonical_scale, canonical_level (int): as for :class:`LevelMapper`.

    ``forward(x, boxes, image_shapes)``: ``x`` an ordered dict of ``[N, C, H_l, W_l]`` levels,
    ``boxes`` one ``Tensor[L, 4]`` per image in image coordinates, ``image_shapes`` the
    images' ``(height, width)``; returns ``Tensor[sum L, C, *output_size]``.
    """

    def __init__(self, featmap_names: list[str], output_size, sampling_ratio: int, *,
                 canonical_scale: int = 224, canonical_level: int = 4) -> None:
        super().__init__()
        if isinstance(output_size, int):
            output_size = (output_size, output_size)
        self.featmap_names = featmap_names
        self.sampling_ratio = sampling_ratio
        self.output_size = tuple(output_size)
        self.scales = None
        self.map_levels = None
        self.canonical_scale = canonical_scale
        self.canonical_level = canonical_level

    def forward(self, x: dict[str, Tensor], boxes: list[Tensor],
                image_shapes: list[tuple[int, int]]) -> Tensor:
        features = [v for k, v in x.items() if k in self.featmap_names]
        if self.scales is None or self.map_levels is None:
            self.scales, self.map_levels = _setup_scales(
                features, image_shapes, self.canonical_scale, self.canonical_level)
        rois = convert_boxes_to_roi_format(boxes)
        if len(features) == 1:
            return roi_align(features[0], rois, output_size=self.output_size,
                             spatial_scale=self.scales[0], sampling_ratio=self.sampling_ratio)
        levels = self.map_levels(boxes)
        result = numtorch.zeros((len(rois), features[0].shape[1]) + self.output_size,
                                dtype=features[0].dtype, device=features[0].device)
        for level, (feature, scale) in enumerate(zip(features, self.scales)):
            idx = numtorch.where(levels == level)[0]
            pooled = roi_align(feature, rois[idx], output_size=self.output_size,
                               spatial_scale=scale, sampling_ratio=self.sampling_ratio)
            result[idx] = pooled.to(result.dtype)
        return result

    def __repr__(self) -> str:
        return (f"{self.__class__.__name__}(featmap_names={self.featmap_names}, "
                f"output_size={self.output_size}, sampling_ratio={self.sampling_ratio})")
