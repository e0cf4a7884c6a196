"""The old-style spectral_norm hook (nn.utils.spectral_norm)."""

__all__: list[str] = []
