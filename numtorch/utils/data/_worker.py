"""The worker-process loop of a DataLoader and get_worker_info.

Each worker process runs :func:`_worker_loop`: it seeds its random number
generators from the loader's base seed (as PyTorch does), then takes
``(task_id, indices)`` from its own index queue, fetches and collates that
batch, and puts ``(task_id, pickled batch)`` on the result queue shared by all
workers. An exception becomes an :class:`ExceptionWrapper` that the main
process re-raises. ``None`` on the index queue means "exit".

The fetchers (:class:`_MapFetcher`, :class:`_IterableFetcher`) turn one
sampler output into one batch; the single-process loader uses them too.
"""

from __future__ import annotations

import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

import numtorch

from ...backend import parallel

__all__ = ["get_worker_info"]

# How often a waiting worker checks that its parent is alive, and a waiting main
# process checks that its workers are (seconds).
STATUS_CHECK_INTERVAL = 0.5


@dataclass(frozen=True)
class WorkerInfo:
    """What :func:`get_worker_info` tells code running in a worker.

    Attributes:
        id: this worker's index, ``0 <= id < num_workers``.
        num_workers: how many workers the DataLoader started.
        seed: the seed this worker's generators got (``base_seed + id``).
        dataset: this worker's copy of the dataset.
    """

    id: int
    num_workers: int
    seed: int
    dataset: object


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """In a DataLoader worker process: its :class:`WorkerInfo`; in the main process: ``None``.

    An :class:`IterableDataset` uses it in ``__iter__`` to read only its share::

        info = get_worker_info()
        if info is not None:
            start = info.id  # then step by info.num_workers
    """
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's iterable dataset is exhausted."""

    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """Persistent workers: start a new epoch (fresh fetcher)."""


class _KeyErrorMessage(str):
    """A KeyError's message printed as is (KeyError shows its argument's repr)."""

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception with its formatted traceback, to be raised in another process."""

    def __init__(self, exc_info=None, where: str = "in background"):
        exc_type, exc, tb = exc_info if exc_info is not None else sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self):
        """Raise the wrapped exception type with "Caught X <where>." and the original traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


# ----------------------------------------------------------------------------- fetchers

class _MapFetcher:
    """Batches from a map-style dataset: ``__getitems__`` when it has one."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn

    def fetch(self, index):
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        getitems = getattr(self.dataset, "__getitems__", None)
        if getitems:
            data = getitems(index)
        else:
            data = [self.dataset[i] for i in index]
        return self.collate_fn(data)


class _IterableFetcher:
    """Batches from a stream: ``len(index)`` samples per batch, StopIteration at the end."""

    def __init__(self, dataset, auto_collation: bool, collate_fn, drop_last: bool):
        self.iterator = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.iterator))
        data = []
        for _ in index:
            try:
                data.append(next(self.iterator))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def _make_fetcher(iterable: bool, dataset, auto_collation, collate_fn, drop_last):
    cls = _IterableFetcher if iterable else _MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


# ----------------------------------------------------------------------------- seeding

def _numpy_seed(base_seed: int, worker_id: int) -> list[int]:
    """The four 32-bit words PyTorch seeds a worker's ``np.random`` with.

    NumPy's SeedSequence mixing (O'Neill's hash) applied to the entropy
    ``[worker_id, low 32 bits of base_seed, high bits of base_seed, 0]``.
    """
    mask = 0xFFFFFFFF
    mult_a, mult_b = 0x931E8875, 0x58F38DED
    hash_const = [0x43B0D7E5]

    def hashmix(value: int) -> int:
        value = (value ^ hash_const[0]) & mask
        hash_const[0] = (hash_const[0] * mult_a) & mask
        value = (value * hash_const[0]) & mask
        return value ^ (value >> 16)

    def mix(x: int, y: int) -> int:
        r = (0xCA01F9DD * x - 0x4973F715 * y) & mask
        return r ^ (r >> 16)

    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    pool = [hashmix(e) for e in entropy]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    out, const_b = [], 0x8B51F9DD
    for word in pool:
        word = (word ^ const_b) & mask
        const_b = (const_b * mult_b) & mask
        word = (word * const_b) & mask
        out.append(word ^ (word >> 16))
    return out


# ----------------------------------------------------------------------------- the loop

def _put(data_queue, task_id, data, worker_id: int) -> None:
    """Pickle here, so a batch that cannot be pickled becomes an error the main
    process sees (the queue's feeder thread would only print it, and the main
    process would wait forever)."""
    try:
        payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        wrapped = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        payload = pickle.dumps(wrapped, protocol=pickle.HIGHEST_PROTOCOL)
    data_queue.put((task_id, payload))


def _worker_loop(iterable: bool, dataset, index_queue, data_queue, done_event,
                 auto_collation: bool, collate_fn, drop_last: bool, base_seed: int,
                 init_fn, worker_id: int, num_workers: int) -> None:
    global _worker_info
    try:
        parallel.set_num_threads(1)  # the workers already use the cores
        seed = base_seed + worker_id
        random.seed(seed)
        numtorch.manual_seed(seed)
        np.random.seed(_numpy_seed(base_seed, worker_id))
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)
        where = f"in DataLoader worker process {worker_id}"
        init_error = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _make_fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_error = ExceptionWrapper(where=where)

        parent = os.getppid()
        iteration_end = False
        while os.getppid() == parent:  # the parent died: we were re-parented
            try:
                task = index_queue.get(timeout=STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(task, _ResumeIteration):
                data_queue.put((task, None))
                iteration_end = False
                if init_error is None:
                    fetcher = _make_fetcher(iterable, dataset, auto_collation, collate_fn,
                                            drop_last)
                continue
            if task is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            task_id, index = task
            if init_error is not None:
                data, init_error = init_error, None
            else:
                try:
                    data = fetcher.fetch(index)
                except StopIteration:
                    if not iterable:
                        data = ExceptionWrapper(where=where)
                    else:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                except Exception:
                    data = ExceptionWrapper(where=where)
            _put(data_queue, task_id, data, worker_id)
            del data, index, task
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        # Nobody reads the results any more: do not wait at exit to flush them.
        data_queue.cancel_join_thread()
        data_queue.close()
