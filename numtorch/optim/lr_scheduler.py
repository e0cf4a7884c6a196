"""Learning-rate schedulers."""

__all__: list[str] = []
