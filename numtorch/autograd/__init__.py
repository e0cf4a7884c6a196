"""``numtorch.autograd``: Function, backward, grad, grad modes, anomaly detection."""

from __future__ import annotations

from . import grad_mode  # noqa: F401 - numtorch.autograd.grad_mode, as in PyTorch
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward
from .function import ArrayFunction, Function, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Function", "ArrayFunction", "once_differentiable", "backward", "grad", "no_grad",
    "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
    "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "gradcheck",
    "gradgradcheck", "functional", "graph",
]


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)):
        return tuple(x)
    return (x,)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None) -> None:
    """Accumulate d(tensors)/d(leaf) into each leaf's ``.grad``.

    ``grad_tensors`` weights each output (needed for non-scalar outputs);
    ``inputs`` restricts accumulation to those tensors.
    """
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(f"got {len(grads)} tensors and {len(tensors)} gradients")
    if inputs is None:
        run_backward(tensors, grads, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    if len(inputs) == 0:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    captured = run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs,
                            allow_unused=True)
    from .engine import _accumulate

    delivered: set = set()
    for t, g in zip(inputs, captured):
        if g is not None:
            _accumulate(t, g, create_graph, delivered)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False,
         materialize_grads=False):
    """Return d(outputs)/d(inputs) as a tuple, without touching any ``.grad``."""
    if is_grads_batched:
        raise NotImplementedError("numtorch.autograd.grad does not support is_grads_batched; "
                                  "call grad once per row of grad_outputs")
    single = not isinstance(inputs, (list, tuple))
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grads = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grads)} "
                           f"grad_outputs and {len(outputs)} outputs")
    if allow_unused is None:
        allow_unused = materialize_grads
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                          allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from ..ops.creation import zeros_like

        result = [zeros_like(t) if g is None else g for t, g in zip(inputs, result)]
    del single
    return tuple(result)


from . import functional, graph  # noqa: E402
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402
