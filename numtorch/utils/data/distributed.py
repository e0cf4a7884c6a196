"""DistributedSampler."""

__all__: list[str] = []
