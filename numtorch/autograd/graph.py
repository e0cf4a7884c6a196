"""``autograd.graph``: the Node type of the backward graph, hooks on saved tensors, and
``increment_version``."""

from __future__ import annotations

import contextlib
from typing import Any, NamedTuple

from . import function as _function
from .function import Node

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks",
           "increment_version", "GradientEdge", "get_gradient_edge", "register_multi_grad_hook"]


class GradientEdge(NamedTuple):
    """A place in the backward graph: output ``output_nr`` of ``node``. ``autograd.grad``
    and ``backward(inputs=...)`` take one where they take a tensor (the gradient arriving
    there), and ``autograd.grad`` as an output too, so the tensor itself need not be kept."""

    node: Any
    output_nr: int
    ownership_token: Any = None


def get_gradient_edge(tensor) -> GradientEdge:
    """The edge the gradient of ``tensor`` flows through: its ``grad_fn`` output, or, for a
    leaf, its gradient accumulator."""
    if not tensor.requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor that does "
                           "not require gradients")
    if tensor.grad_fn is not None:
        return GradientEdge(tensor.grad_fn, tensor._output_nr)
    return GradientEdge(tensor._accumulator(), 0)

# While a disable_saved_tensors_hooks block is open: the message to refuse new hooks with.
_disabled_message: str | None = None


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
        if _disabled_message is not None:
            raise RuntimeError(_disabled_message)
        _function.saved_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        _function.saved_hooks.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - PyTorch's name
    """Keep every tensor saved for backward in host memory, moving it back to its device
    when backward needs it (``pin_memory`` pins the host copy). Tensors already on the CPU
    are kept as they are: on the CPU this changes nothing but is accepted, so code written
    for a GPU runs."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(tensor):
            host = tensor.cpu()
            return tensor.device, host.pin_memory() if pin_memory else host

        def unpack(packed):
            device, host = packed
            return host.to(device, non_blocking=pin_memory)

        super().__init__(pack, unpack)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str):
    """Inside this block, opening a ``saved_tensors_hooks`` block raises
    ``RuntimeError(error_message)`` (for code whose saved tensors must not be swapped).
    Opening it while saved-tensor hooks are active raises the same error."""
    global _disabled_message
    if _function.saved_hooks:
        raise RuntimeError(error_message)
    previous, _disabled_message = _disabled_message, error_message
    try:
        yield
    finally:
        _disabled_message = previous


def increment_version(tensor) -> None:
    """Bump the version counter of ``tensor`` (or of each tensor of an iterable), as an
    in-place op does: for code that changes a tensor's memory behind autograd's back, so
    that backward still detects a saved tensor that was modified."""
    from .._tensor import Tensor

    for t in (tensor,) if isinstance(tensor, Tensor) else tensor:
        t._vc[0] += 1


class _MultiHandle:
    """The handle ``register_multi_grad_hook`` returns: ``remove()`` takes every one of its
    tensor hooks off."""

    def __init__(self, handles) -> None:
        self.handles = tuple(handles)

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def register_multi_grad_hook(tensors, fn, *, mode: str = "all") -> _MultiHandle:
    """Call ``fn`` once per backward pass for the gradients of several tensors together.

    ``mode="all"``: ``fn(grads)`` once every tensor's gradient this backward computes has
    been computed, ``grads`` holding None for tensors outside this backward's graph (or
    not on the way to its ``inputs``). ``mode="any"``: ``fn(grad)`` with the first of
    them to be computed. Built on tensor hooks, as PyTorch's, counting per backward pass.
    """
    from . import engine

    supported = ("all", "any")
    if mode not in supported:
        raise ValueError(f"Expects mode to be one of {supported} but got {mode}")

    def walk_id() -> int:
        walk = engine._current_graph_task_id()
        if walk == -1:
            raise AssertionError("expected this hook to be called inside a backward call")
        return walk

    if mode == "any":
        done: set = set()

        def first_only(grad):
            walk = walk_id()
            if walk not in done:
                done.add(walk)
                fn(grad)

        return _MultiHandle(t.register_hook(first_only) for t in tensors if t.requires_grad)

    nodes = [get_gradient_edge(t).node for t in tensors]
    arrived: dict = {}  # walk -> [gradients so far, how many]

    def collector(i):
        def collect(grad):
            walk = walk_id()
            if walk not in arrived:  # the first arrival: how many this walk will bring
                expected = sum(map(engine._will_engine_execute_node, nodes))
                arrived[walk] = [[None] * len(nodes), 0, expected]
            entry = arrived[walk]
            entry[0][i] = grad
            entry[1] += 1
            if entry[1] == entry[2]:
                del arrived[walk]
                fn(entry[0])
        return collect

    return _MultiHandle(t.register_hook(collector(i)) for i, t in enumerate(tensors))
