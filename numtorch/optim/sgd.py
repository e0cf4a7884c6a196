"""The sgd optimiser."""

__all__: list[str] = []
