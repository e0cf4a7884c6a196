"""Samplers: Sequential, Random, SubsetRandom, WeightedRandom, Batch."""

__all__: list[str] = []
