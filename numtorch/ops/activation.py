"""Activation kernels (nn.functional's relu6, gelu, silu, ...): forward beside backward."""

__all__: list[str] = []
