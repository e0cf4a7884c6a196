"""The lbfgs optimiser."""

__all__: list[str] = []
