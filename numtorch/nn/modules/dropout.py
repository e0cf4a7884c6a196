"""Dropout and AlphaDropout."""

__all__: list[str] = []
