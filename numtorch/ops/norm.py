"""Normalisation kernels: layer_norm, rms_norm, normalize."""

__all__: list[str] = []
