"""The backward engine: walk the graph once, from the outputs to the leaves.

1. ``_dependencies`` counts the edges into every node reachable from the
   roots (an iterative depth-first search: deep graphs never hit Python's
   recursion limit).
2. ``run_backward`` runs a node once its count drops to zero (Kahn's
   algorithm with execution folded in): it has then received every gradient
   it will ever get, so it runs once: tensor hooks, then its ``backward``
   (``_run_node``), then each returned
   gradient is checked (cast to the input's dtype, summed back to the input's
   shape where it was broadcast) and added into the buffer of the next node.
3. ``AccumulateGrad`` nodes at the leaves add into ``leaf.grad``.
4. Saved tensors are freed as each node finishes, unless ``retain_graph``.

``autograd.grad`` and ``backward(inputs=...)`` use the same walk, but
capture the gradients arriving at the given inputs and skip nodes that lead
to none of them.
"""

from __future__ import annotations

import itertools

import numpy as np

from .. import _warnings
from ..backend import cpu
from . import function as _function
from . import grad_mode
from .function import _FREED, AccumulateGrad, _anomaly

# Backward formulas meet inf/nan at singular points (as PyTorch's do, silently), so the
# engine runs the whole walk with NumPy's floating-point warnings off (backend.cpu).
_fp_errors_off, _fp_errors_restore = cpu.fp_errors_off, cpu.fp_errors_restore


# One entry per backward walk in progress (a node's backward may start another, as
# reentrant checkpointing does): (whether it runs the whole graph, i.e. no ``inputs``;
# its nodes with their edge counts; the nodes it runs on the way to its ``inputs``; the
# captured nodes; a number naming the walk).
_walks: list = []
_walk_ids = itertools.count()


def _is_checkpoint_valid() -> bool:
    """Whether the innermost running backward may run a nested ``backward()`` that
    accumulates into ``.grad``, as reentrant checkpointing does: not under
    ``autograd.grad`` or ``backward(inputs=...)``, whose captured gradients would miss it."""
    return not _walks or _walks[-1][0]


def _current_graph_task_id() -> int:
    """The number of the innermost backward walk running, or -1 outside backward."""
    return _walks[-1][4] if _walks else -1


def _will_engine_execute_node(node) -> bool:
    """Whether the innermost running backward runs ``node`` (it is in the graph, and on the
    way to the ``inputs`` asked for, if any)."""
    if not _walks:
        raise RuntimeError("_will_engine_execute_node should only be called during the "
                           "backward pass")
    _, deps, reach, capture, _ = _walks[-1]
    return node in deps and (reach is None or node in reach or node in capture)


def _root(t, i: int):
    if type(t) is not _function.Tensor and isinstance(t, tuple):  # a GradientEdge
        return t.node, t.output_nr
    if t._grad_fn is not None:
        return t._grad_fn, t._output_nr
    if t._requires_grad:
        return t._accumulator(), 0
    raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                       "grad_fn")


def _root_grads(outputs, grads, create_graph: bool):
    """The starting gradients: ones for scalar outputs, or the user's (shape-checked)."""
    Tensor = _function.Tensor
    if len(outputs) == 1 and grads[0] is None and not isinstance(outputs[0], tuple):
        arr = outputs[0]._data  # loss.backward(): a 0-d float loss, usually
        if arr.ndim == 0 and type(arr) is np.ndarray and arr.dtype.kind == "f":
            return (Tensor._make(np.array(1, dtype=arr.dtype)),)
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if isinstance(out, tuple):  # a GradientEdge: its node's output, by shape and dtype
            out = _edge_stand_in(out)
        arr = out._data
        if g is None:
            if arr.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if arr.dtype.kind != "f":
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {out.dtype}")
            if arr.ndim == 0 and type(arr) is np.ndarray:  # the usual loss: np.ones costs 3x
                g = Tensor._make(np.array(1, dtype=arr.dtype))
            else:
                g = Tensor._make(out._xp().ones(arr.shape, dtype=arr.dtype))
        else:
            if not isinstance(g, Tensor):
                from ..ops.creation import tensor

                g = tensor(g, dtype=out.dtype)
            if g.shape != out.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                    f"output[{i}] has a shape of {out.shape}."
                )
            if not create_graph:
                g = g.detach()
        result.append(g)
    return result


def _edge_stand_in(edge):
    """An empty tensor of the shape and dtype that flow through ``edge`` (a GradientEdge
    used as an output), for the checks on its gradient."""
    meta = edge.node._output_meta[edge.output_nr]
    if meta is None:  # a leaf's accumulator
        return edge.node.variable.detach()
    shape, dtype = meta
    return _function.Tensor._make(np.empty(shape, dtype=dtype))


def _dependencies(roots) -> dict:
    """For every node reachable from ``roots``, how many edges point at it.

    An iterative depth-first walk with an explicit stack, so deep graphs never meet
    Python's recursion limit.
    """
    deps = dict.fromkeys(roots, 0)
    stack = list(deps)
    while stack:
        for edge in stack.pop()._edges:
            child = edge[0]
            if child in deps:
                deps[child] += 1
            else:
                deps[child] = 1
                if child._edges:  # leaves (AccumulateGrad) have none to walk
                    stack.append(child)
    return deps


def _topological_order(roots):
    """Nodes reachable from ``roots``, each before every node it sends gradients to.

    Kahn's algorithm, as PyTorch's engine does it: a node is ready once every node
    feeding it has been listed. ``run_backward`` runs the same walk, executing each
    node as it becomes ready; this list is for ``_leading_to`` (``inputs=``).
    """
    deps = _dependencies(roots)
    ready = [r for r in dict.fromkeys(roots) if deps[r] == 0]
    order = []
    while ready:
        node = ready.pop()
        order.append(node)
        for edge in node._edges:
            child = edge[0]
            left = deps[child] - 1
            deps[child] = left
            if left == 0:
                ready.append(child)
    return order


def _leading_to(order, targets):
    """The nodes from which some target node is reachable (excluding bare targets)."""
    reach = set()
    for node in reversed(order):
        for edge in node._edges:
            child = edge[0]
            if child in reach or child in targets:
                reach.add(node)
                break
    return reach


def _check_grad(g, meta, node, i: int):
    """Cast a returned gradient to its input's dtype and sum away broadcast dims."""
    from .._tensor import Tensor

    if not isinstance(g, Tensor):
        raise TypeError(f"function {node.name()} returned a gradient of type "
                        f"{type(g).__name__} at index {i}, expected a Tensor or None")
    shape, np_dtype = meta
    if g._data.shape != shape:
        g = _sum_to(g, shape, node, i)
    if g._data.dtype != np_dtype:
        from .._dtype import from_numpy_dtype

        g = g.to(from_numpy_dtype(np_dtype))
    return g


def _sum_to(g, shape, node, i: int):
    """Sum ``g`` down to ``shape``: the one place broadcasting is undone."""
    gshape = g._data.shape
    lead = len(gshape) - len(shape)
    ok = lead >= 0 and all(s == 1 or s == gs for s, gs in zip(shape, gshape[lead:]))
    if not ok:
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {i} - got "
            f"[{', '.join(map(str, gshape))}] but expected shape compatible with "
            f"[{', '.join(map(str, shape))}]"
        )
    dims = tuple(range(lead)) + tuple(
        lead + k for k, s in enumerate(shape) if s == 1 and gshape[lead + k] != 1
    )
    if not g._requires_grad and type(g._data) is np.ndarray:
        # Nothing to record (the usual backward): the sum's kernel on the array itself,
        # without the op's argument handling, which costs 5x the sum of a bias gradient.
        global _sum_kernel
        if _sum_kernel is None:
            from ..ops.reduce import _sum_kernel
        arr = g._data
        if dims:
            arr = _sum_kernel(arr, dims, True, None)
        return _function.Tensor._make(arr.reshape(shape) if lead else arr)
    if dims:
        g = g.sum(dim=dims, keepdim=True)
    if lead:
        g = g.reshape(shape)
    return g


_sum_kernel = None  # ops.reduce's, imported on first use (ops imports autograd)


def _run_pre_hooks(node, grads):
    grads = list(grads)
    # Tensor hooks first, retain_grad last (as PyTorch orders them), then node pre-hooks.
    entries = sorted(node._pre_hooks, key=lambda e: getattr(e[1], "_is_retain", False))
    for nr, fn in entries:
        if nr is None:
            continue
        if grads[nr] is None:
            continue
        new = fn(grads[nr])
        if new is not None:
            grads[nr] = new
    for nr, fn in entries:
        if nr is None:
            new = fn(tuple(grads))
            if new is not None:
                grads = list(new)
    return grads


def _run_leaf_hooks(var, g):
    """``g`` passed through the tensor hooks of the leaf ``var``, in order."""
    for fn in var._hooks:
        new = fn(g)
        if new is not None:
            g = new
    return g


def _accumulate(var, g, create_graph: bool, delivered: set) -> None:
    """``var.grad += g``, storing ``g`` itself the first time when nothing else holds it."""
    if var._hooks:
        g = _run_leaf_hooks(var, g)
    arr = var._data
    data = g._data
    if data.shape != arr.shape or (data.dtype is not arr.dtype and data.dtype != arr.dtype):
        g = _check_grad(g, (arr.shape, arr.dtype), var._accumulator(), 0)
    old = var._grad
    if old is None:
        if create_graph:
            var._grad = g
            return
        arr = g._data
        # Steal the array unless it is a view or was handed to someone else too.
        if arr.base is not None or id(arr) in delivered:
            arr = arr.copy()
        delivered.add(id(arr))
        var._grad = _function.Tensor._make(arr)
    elif create_graph or old._requires_grad or g._requires_grad:
        var._grad = old + g
    else:
        try:
            arr = old._data
            if arr.size > 16:
                arr += g._data
            elif arr.size == 1 and type(arr) is np.ndarray:
                # One number (a scalar parameter, a tiny model): NumPy scalars add with
                # the same rounding at a third of an array add's cost.
                i = (0,) * arr.ndim
                arr[i] = arr[i] + g._data[i]
            else:  # a few numbers: a new sum copied in costs 2/3 of NumPy's in-place add
                arr[...] = arr + g._data
            old._vc[0] += 1
        except (ValueError, TypeError):
            var._grad = _function.Tensor._make(old._data + g._data)
    if var._post_acc_hooks:
        for fn in var._post_acc_hooks:
            fn(var)


def run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=None,
                 allow_unused=False, accumulate=True):
    """The engine. Returns the captured gradients of ``inputs`` (None if not given)."""
    if retain_graph is None:
        retain_graph = create_graph
    if len(outputs) == 1:  # loss.backward(): skip the per-output list building
        roots = (_root(outputs[0], 0),)
        root_nodes = (roots[0][0],)
    else:
        roots = [_root(t, i) for i, t in enumerate(outputs)]
        root_nodes = [n for n, _ in roots]
    root_grads = _root_grads(outputs, grad_outputs, create_graph)

    capture = reach = None
    if inputs is not None:
        capture = {}
        for k, t in enumerate(inputs):
            if isinstance(t, tuple):  # a GradientEdge: the gradient arriving there
                key = (t.node, t.output_nr)
            elif not t._requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            else:
                key = ((t._grad_fn, t._output_nr) if t._grad_fn is not None
                       else (t._accumulator(), 0))
            capture.setdefault(key[0], []).append((key[1], k))
        reach = _leading_to(_topological_order(root_nodes), capture)
    captured = [None] * len(inputs) if inputs is not None else None

    buffers = {}
    delivered = set()
    for (node, nr), g, given in zip(roots, root_grads, grad_outputs):
        if given is not None:
            delivered.add(id(g._data))
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * len(node._output_meta)
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    # Kahn's algorithm with execution folded in (as PyTorch's engine does): count the
    # edges into each node, run a node once all of them have delivered, and hand each
    # child its gradients as the count drops. A node that received nothing still
    # releases its children, so they run once their other inputs arrive.
    deps = _dependencies(root_nodes)
    if len(root_nodes) == 1:  # one root: nothing points at it (a graph has no cycles)
        ready = [root_nodes[0]]
    else:
        ready = [n for n in dict.fromkeys(root_nodes) if deps[n] == 0]

    prev = grad_mode.enabled
    grad_mode.enabled = create_graph
    fp_token = _fp_errors_off()  # once for the whole walk
    _walks.append((inputs is None, deps, reach, capture, next(_walk_ids)))
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node, None)
            out = None
            if grads is not None:
                if node._pre_hooks:
                    grads = _run_pre_hooks(node, grads)
                if capture is not None:
                    if not accumulate and type(node) is AccumulateGrad and node in capture \
                            and node.variable._hooks and grads[0] is not None:
                        # autograd.grad of a leaf: its tensor hooks run on the gradient it
                        # returns, as they would on the one accumulated into .grad
                        grads = [_run_leaf_hooks(node.variable, grads[0])]
                    for nr, k in capture.get(node, ()):
                        g = grads[nr]
                        captured[k] = g if captured[k] is None or g is None else captured[k] + g
                    if node not in reach:
                        grads = None
                if grads is None:
                    pass
                elif type(node) is AccumulateGrad:
                    if accumulate and grads[0] is not None:
                        _accumulate(node.variable, grads[0], create_graph, delivered)
                    if node._post_hooks:  # as PyTorch calls them: no inputs, the gradient
                        for fn in node._post_hooks:
                            fn((), tuple(grads))
                elif (node._pre_hooks or node._post_hooks or node._saved is _FREED
                      or _anomaly[0] or len(grads) > 1):
                    out = _run_node(node, grads, retain_graph)
                else:
                    # The usual node, _run_node inlined (measured: ~5% of a tiny
                    # backward): one output, no hooks, graph not freed, no anomaly mode.
                    out = node._forward_cls.backward(node, grads[0])
                    if not retain_graph and node._saved is not None:
                        node._saved = _FREED
                    if not isinstance(out, tuple):
                        out = (out,)
                    if len(out) != len(node.needs_input_grad):
                        _check_count(node, out)
            if out is None:
                for edge in node._edges:
                    child = edge[0]
                    left = deps[child] - 1
                    deps[child] = left
                    if not left:
                        ready.append(child)
                continue
            # Pass each gradient on: cast/sum it to the input's dtype and shape if it
            # differs (the one place broadcasting is undone), add it into the child's buffer.
            for child, nr, i, shape, dtype in node._edges:
                g = out[i]
                left = deps[child] - 1
                deps[child] = left
                if g is not None:
                    try:
                        data = g._data
                    except AttributeError:
                        raise RuntimeError("expected Variable or None (got "
                                           f"{type(g).__name__})") from None
                    # (``is not`` first: NumPy's builtin dtypes are singletons, and
                    # comparing dtypes with ``!=`` costs more than the rest of this line.)
                    if data.shape != shape or (data.dtype is not dtype and data.dtype != dtype):
                        g = _check_grad(g, (shape, dtype), node, i)
                    if (not left and type(child) is AccumulateGrad and capture is None
                            and child not in buffers and child._pre_hooks is None
                            and child._post_hooks is None):
                        # A leaf's only gradient: accumulate it now, without queueing the
                        # node (PyTorch too runs a leaf's AccumulateGrad as soon as ready).
                        if accumulate:
                            _accumulate(child.variable, g, create_graph, delivered)
                        continue
                    buf = buffers.get(child)
                    if buf is None:
                        buf = buffers[child] = [None] * len(child._output_meta)
                    old = buf[nr]
                    buf[nr] = g if old is None else old + g
                if not left:
                    ready.append(child)
    finally:
        _walks.pop()
        grad_mode.enabled = prev
        _fp_errors_restore(fp_token)

    if inputs is None:
        return None
    for k in range(len(inputs)):
        if captured[k] is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {k} appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior."
            )
    return captured


def _run_node(node, grads, retain_graph: bool) -> tuple:
    """Run one node's backward; its gradients, one per argument of the forward."""
    if node.materialize_grads:
        for g in grads:
            if g is None:
                grads = _materialize(node, grads)
                break
    if node._saved is _FREED:
        _ = node.saved_tensors  # raises the "backward through the graph a second time" error
    if _anomaly[0]:
        out = _run_with_anomaly(node, tuple(grads))
    else:
        out = node._forward_cls.backward(node, *grads)  # what node.apply does, one call less
    if not retain_graph and node._saved is not None:
        node._saved = _FREED  # release the saved tensors; saved_tensors now raises
    if not isinstance(out, tuple):
        out = (out,)
    if len(out) != len(node.needs_input_grad):
        _check_count(node, out)
    if node._post_hooks:
        for fn in node._post_hooks:
            fn(out, tuple(grads))
    return out


def _check_count(node, out) -> None:
    """A backward must return one gradient per forward input (extra Nones are allowed)."""
    n = len(node.needs_input_grad)
    if len(out) < n or any(g is not None for g in out[n:]):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of "
                           f"gradients (expected {n}, got {len(out)})")


def _materialize(node, grads):
    """Replace missing output gradients by zeros (unless ctx.set_materialize_grads(False))."""
    from .._tensor import Tensor
    from ..backend import get_array_module

    out = list(grads)
    metas = getattr(node, "_output_meta", None) or ()
    like = next((g._data for g in out if g is not None), None)
    xp = get_array_module(like) if like is not None else get_array_module()
    for i, meta in enumerate(metas):
        if out[i] is None and meta is not None:
            out[i] = Tensor._make(xp.zeros(meta[0], dtype=meta[1]))
    return out


def _run_with_anomaly(node, grads):
    try:
        out = node.apply(*grads)
    except Exception:
        _warn_trace(node)
        raise
    outs = out if isinstance(out, tuple) else (out,)
    if _anomaly[1]:
        for i, g in enumerate(outs):
            if g is not None and g.dtype.is_floating_point and bool(g.isnan().any()):
                _warn_trace(node)
                raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th "
                                   "output.")
    return out


def _warn_trace(node) -> None:
    if node._anomaly_trace:
        _warnings.warn(
            f"Error detected in {node.name()}. Traceback of forward call that caused the "
            f"error:\n{node._anomaly_trace}",
        )
