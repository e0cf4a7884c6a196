"""The nadam optimiser."""

__all__: list[str] = []
