"""DistributedSampler."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numtorch

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler[int]):
    """The share of a dataset's indices that one of ``num_replicas`` processes reads.

    The index list (a permutation seeded with ``seed + epoch`` when ``shuffle``) is
    padded by repeating its start to a multiple of ``num_replicas`` (or cut short with
    ``drop_last``), and replica ``rank`` takes every ``num_replicas``-th index from
    position ``rank``. Call :meth:`set_epoch` at the start of each epoch to reshuffle.

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: how many processes share the data. Needed until numtorch has
            process groups.
        rank: this process's index in ``[0, num_replicas)``.
        shuffle: permute the indices (default ``True``).
        seed: the shuffle seed; must be the same in every process.
        drop_last: drop the tail instead of padding.
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            missing = "num_replicas" if num_replicas is None else "rank"
            raise RuntimeError(
                f"DistributedSampler: {missing} was not given and numtorch has no default "
                "process group to read it from; pass num_replicas and rank explicitly")
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            g = numtorch.Generator().manual_seed(self.seed + self.epoch)
            indices = numtorch.randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[:self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / len(indices)))[:padding] if padding else []
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which reseeds the shuffle (``seed + epoch``)."""
        self.epoch = epoch
