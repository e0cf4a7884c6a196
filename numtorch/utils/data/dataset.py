"""Datasets: Dataset, IterableDataset, TensorDataset, Subset, ConcatDataset, ... random_split."""

__all__: list[str] = []
