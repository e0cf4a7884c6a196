"""The rmsprop optimiser."""

__all__: list[str] = []
