"""``autograd.graph``: the Node type of the backward graph, and hooks on saved tensors."""

from __future__ import annotations

from . import function as _function
from .function import Node

__all__ = ["Node", "saved_tensors_hooks"]


class saved_tensors_hooks:  # noqa: N801 - PyTorch's name
    """Within this block, every tensor an op saves for backward goes through ``pack_hook``
    and comes back through ``unpack_hook`` when backward needs it.

    ``pack_hook(tensor)`` returns any object, which the graph keeps in place of the
    tensor; ``unpack_hook(packed)`` must return a tensor with the original's values. Blocks
    nest; the innermost pair applies. Activation checkpointing
    (``numtorch.utils.checkpoint``) is built on this: its pack hook keeps nothing and its
    unpack hook recomputes.
    """

    def __init__(self, pack_hook, unpack_hook) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        _function.saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        _function.saved_hooks.pop()
