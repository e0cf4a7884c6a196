"""Dropout kernels: dropout, alpha_dropout, feature dropout."""

__all__: list[str] = []
