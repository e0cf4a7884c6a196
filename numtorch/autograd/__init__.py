"""``numtorch.autograd``: Function, backward, grad, grad modes, anomaly detection."""

from __future__ import annotations

from . import grad_mode  # noqa: F401 - numtorch.autograd.grad_mode, as in PyTorch
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import _is_checkpoint_valid, run_backward  # noqa: F401
from .function import ArrayFunction, Function, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .variable import Variable

__all__ = [
    "Function", "ArrayFunction", "once_differentiable", "backward", "grad", "no_grad",
    "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "gradcheck",
    "gradgradcheck", "functional", "graph", "Variable",
]


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def _tensors(xs, what: str) -> tuple:
    """``xs`` (a Tensor or an iterable of them) as a tuple; PyTorch's error for anything else
    (``what`` is "inputs" or "outputs")."""
    from .._tensor import Tensor
    from .graph import GradientEdge

    one = isinstance(xs, (Tensor, GradientEdge))
    xs = (xs,) if one else tuple(xs)  # a number: "not iterable"
    for x in xs:
        if not isinstance(x, (Tensor, GradientEdge)):
            if what == "inputs":
                raise RuntimeError("all inputs have to be Tensors or GradientEdges, but got "
                                   f"{type(x).__name__}")
            raise AssertionError("Expected output to be a numtorch.Tensor")
    return xs


def _grads_for(tensors: tuple, grads) -> tuple:
    """One gradient (Tensor or None) per output, as PyTorch pairs them: extra gradients are
    ignored, missing ones are the engine's error."""
    from .._tensor import Tensor

    if grads is None:
        return (None,) * len(tensors)
    grads = (grads,) if isinstance(grads, Tensor) else tuple(grads)  # a number: "not iterable"
    for g in grads:
        if g is not None and not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
    grads = grads[:len(tensors)]
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grads)} gradients")
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) into each leaf's ``.grad``.

    ``grad_tensors`` weights each output (needed for non-scalar outputs);
    ``inputs`` restricts accumulation to those tensors.
    """
    if inputs is not None and not _as_tuple(inputs):
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    tensors = _tensors(tensors, "outputs")
    grads = _grads_for(tensors, grad_tensors)
    if inputs is None:
        run_backward(tensors, grads, retain_graph, create_graph)
        return
    inputs = _tensors(inputs, "inputs")
    from .graph import GradientEdge

    for t in inputs:
        if not isinstance(t, GradientEdge) and not t.requires_grad:  # retained first
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    captured = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs,
                            allow_unused=True)
    from .engine import _accumulate

    delivered: set = set()
    for t, g in zip(inputs, captured):
        if g is not None and not isinstance(t, GradientEdge):  # an edge has no .grad
            _accumulate(t, g, create_graph, delivered)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """Return d(outputs)/d(inputs) as a tuple, without touching any ``.grad``."""
    if is_grads_batched:
        raise NotImplementedError("numtorch.autograd.grad does not support is_grads_batched; "
                                  "call grad once per row of grad_outputs")
    outputs = _tensors(outputs, "outputs")
    inputs = _tensors(inputs, "inputs")
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grads = _grads_for(outputs, grad_outputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                          allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from ..ops.creation import zeros_like
        from .graph import GradientEdge

        if any(g is None and isinstance(t, GradientEdge) for t, g in zip(inputs, result)):
            raise RuntimeError("materialize_grads cannot be used when the given input is a "
                               "GradientEdge")  # as PyTorch: it has no tensor to copy
        result = [zeros_like(t) if g is None else g for t, g in zip(inputs, result)]
    return tuple(result)


from . import functional, graph  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
