"""Embedding lookup: forward beside backward."""

__all__: list[str] = []
