"""The radam optimiser."""

__all__: list[str] = []
