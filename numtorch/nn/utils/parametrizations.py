"""parametrizations.weight_norm, spectral_norm, orthogonal."""

__all__: list[str] = []
