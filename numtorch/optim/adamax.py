"""The adamax optimiser."""

__all__: list[str] = []
