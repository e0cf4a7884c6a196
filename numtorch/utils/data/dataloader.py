"""DataLoader: batching, sampling and worker processes."""

__all__: list[str] = []
