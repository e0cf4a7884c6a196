"""The adamw optimiser."""

__all__: list[str] = []
