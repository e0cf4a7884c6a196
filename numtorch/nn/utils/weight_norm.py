"""The old-style weight_norm hook (nn.utils.weight_norm)."""

__all__: list[str] = []
