"""``numtorch.multiprocessing``: Python's ``multiprocessing`` with tensors that share memory.

As PyTorch's ``torch.multiprocessing``, this is the standard module (every name of
``multiprocessing`` is here) plus one thing: a tensor sent to another process through it
(a ``Queue``, a ``Pipe``, the arguments of a ``Process`` started with ``spawn``) is not
copied. Its memory moves into shared memory (``Tensor.share_memory_``, which happens to the
sender's tensor too) and the receiver gets a tensor over the same memory: a write in
either process is seen by the other. This is what Hogwild training relies on:
``model.share_memory()``, then worker processes update the same parameters.
``spawn(fn, args, nprocs)`` runs ``fn(i, *args)`` in ``nprocs`` fresh processes and reports a
failing one as PyTorch does (``spawn.py``).

Shared memory here is an anonymous file (Linux ``memfd_create``) mapped into each process;
its file descriptor travels to the receiver through ``multiprocessing``'s own descriptor
passing. Processes started by ``fork`` simply inherit the mapping.

Both of PyTorch's sharing strategies are accepted. ``'file_system'`` exists in PyTorch to
avoid running out of file descriptors; numtorch's DataLoader does not send tensors through
descriptors at all (workers send pickled batches), so both strategies share tensors the same
way, through a descriptor.
"""

from multiprocessing import *  # noqa: F403 - this module is multiprocessing, extended
from multiprocessing import __all__ as _mp_all

from ._shared import init_reductions
from .spawn import (  # PyTorch exposes these here without listing them in __all__
    ProcessContext,
    ProcessException,
    ProcessExitedException,
    ProcessRaisedException,
    spawn,
    start_processes,
)

__all__ = ["set_sharing_strategy", "get_sharing_strategy", "get_all_sharing_strategies",
           *_mp_all]

_ALL_STRATEGIES = {"file_descriptor", "file_system"}  # printed in this order, as PyTorch's
_strategy = "file_descriptor"


def set_sharing_strategy(new_strategy: str) -> None:
    """Choose how tensors are shared between processes (one of
    ``get_all_sharing_strategies()``)."""
    global _strategy
    if new_strategy not in _ALL_STRATEGIES:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}, expected one of "
                             f"{_ALL_STRATEGIES}")
    _strategy = new_strategy


def get_sharing_strategy() -> str:
    return _strategy


def get_all_sharing_strategies() -> set:
    return set(_ALL_STRATEGIES)


init_reductions()
