"""The adadelta optimiser."""

__all__: list[str] = []
