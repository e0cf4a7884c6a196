"""The adagrad optimiser."""

__all__: list[str] = []
