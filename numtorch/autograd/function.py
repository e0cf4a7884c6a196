"""``Function``: the one mechanism behind every differentiable op.

An op is a class with two static methods side by side::

    class Exp(ArrayFunction):
        @staticmethod
        def forward(ctx, x):            # x is an array (numpy / cupy)
            out = xp.exp(x)
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):        # grad is a Tensor
            (out,) = ctx.saved_tensors
            return grad * out

``Exp.apply(tensor)`` runs ``forward`` and, if grad mode is on and an input
requires grad, records a graph node. The node is also the ``ctx`` that forward
saw, and its class is named as PyTorch names it (``ExpBackward0``), so
``y.grad_fn`` prints ``<ExpBackward0 object at ...>``.

Built-in ops subclass ``ArrayFunction``: their forward receives the arrays
inside the tensors (the kernel reads like NumPy). User ops subclass
``Function``, exactly as ``torch.autograd.Function``: forward receives
Tensors. Everything else — ctx, saving, the engine — is shared.

Backward formulas are written with Tensor ops. The engine runs them with grad
mode off, or on when ``create_graph=True``, which gives higher-order
gradients through the same code. Gradients may be returned in the broadcast
shape; the engine sums them back to each input's shape (``sum_to``), once,
for every op.
"""

from __future__ import annotations

import functools
import re
import traceback

from ..backend.cpu import fp_errors_off as _fp_errors_off
from ..backend.cpu import fp_errors_restore as _fp_errors_restore
from . import grad_mode

_FREED = object()

# Set by numtorch._tensor at import (the dependency points from _tensor to here).
Tensor = None
_wrap = None


def _init(tensor_cls, wrap) -> None:
    global Tensor, _wrap
    Tensor, _wrap = tensor_cls, wrap


class Node:
    """A node of the backward graph; also the ``ctx`` of the forward that made it."""

    # Class-level defaults keep node creation (once per recorded op) cheap.
    _forward_cls = None
    _anomaly_trace = None
    next_functions = ()  # one (node, output_nr) per Tensor argument, as PyTorch lists them
    _edges = ()  # one (node, output_nr, arg index, shape, dtype) per input that needs a grad
    needs_input_grad = ()
    _saved = None
    _saved_versions = None
    _pre_hooks = None
    _post_hooks = None
    _dirty = None
    _non_diff = None
    _metadata = None
    _unpack = None  # set when saved_tensors_hooks packed _saved: the hook that unpacks them
    _output_meta = (None,)  # one entry per output: (shape, NumPy dtype); set by apply
    materialize_grads = True

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        cls = type(self)
        builtin = self._forward_cls is None or self._forward_cls._forward_on_arrays
        name = cls.__name__ if builtin else f"numtorch.autograd.function.{cls.__name__}"
        return f"<{name} object at {hex(id(self))}>"

    # --- ctx API ---------------------------------------------------------

    def save_for_backward(self, *tensors) -> None:
        """Keep tensors (or arrays, in built-in ops) for backward; checked for in-place edits."""
        self._saved = tensors

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that forward modified in place."""
        self._dirty = tensors

    def mark_non_differentiable(self, *outputs) -> None:
        """Declare outputs that have no gradient (indices, masks)."""
        self._non_diff = outputs

    def set_materialize_grads(self, value: bool) -> None:
        """If False, backward may receive None for outputs that got no gradient."""
        self.materialize_grads = value

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is _FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or "
                "if you need to access saved tensors after calling backward."
            )
        if saved is None:
            return ()
        if self._unpack is not None:
            unpack = self._unpack
            return tuple(None if p is None else unpack(p) for p in saved)
        versions = self._saved_versions
        if versions is not None:
            for t, v in zip(saved, versions):
                if t is not None and t._vc[0] != v:
                    _raise_modified(t, v, self)
        return saved

    # --- graph API -------------------------------------------------------

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node's backward."""
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(fn)
        return _RemovableHandle(self._post_hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node's backward; may return new grads."""
        return self._add_pre_hook(None, fn)

    def _add_pre_hook(self, output_nr, fn):
        if self._pre_hooks is None:
            self._pre_hooks = []
        entry = (output_nr, fn)
        self._pre_hooks.append(entry)
        return _RemovableHandle(self._pre_hooks, entry)

    def apply(self, *grads):
        """Run this node's backward formula (what the engine calls)."""
        return self._forward_cls.backward(self, *grads)

    def __call__(self, *grads):
        return self.apply(*grads)


def _raise_modified(t, expected: int, node=None):
    # PyTorch names the tensor's grad_fn, except that a saved *output* names the node that
    # made it even after in-place ops gave it a new grad_fn. Each in-place op's node has the
    # tensor's previous grad_fn as its first edge, so that chain leads back to ``node``.
    fn, nr = t._grad_fn, t._output_nr
    step = fn
    while step is not None and step is not node and step.next_functions:
        step, step_nr = step.next_functions[0]
        if step is node:
            fn, nr = node, step_nr
    where = ""
    if fn is not None:
        where = f", which is output {nr} of {re.sub(r'Backward[0-9]*$', '', fn.name())},"
    hint = ("the backtrace further above shows the operation that failed to compute its "
            "gradient. The variable in question was changed in there or anywhere later. Good "
            "luck!") if _anomaly[0] else (
            "enable anomaly detection to find the operation that failed to compute its "
            "gradient, with numtorch.autograd.set_detect_anomaly(True, check_nan=False).")
    # PyTorch names the type by its legacy tensor type, except bool's (CPUBoolType).
    kind = "CPUBoolType" if t.dtype.name == "bool" else f"numtorch.{t.dtype._legacy}Tensor"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{kind} [{', '.join(map(str, t.shape))}]]"
        f"{where} is at version {t._vc[0]}; expected version {expected} instead. Hint: {hint}"
    )


class _RemovableHandle:
    """Returned by ``register_*hook``; ``handle.remove()`` takes the hook out."""

    def __init__(self, container, item):
        self._container, self._item = container, item

    def remove(self) -> None:
        try:
            self._container.remove(self._item)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class AccumulateGrad(Node):
    """The node at a leaf: adds the arriving gradient into ``leaf.grad``."""

    def __init__(self, variable):
        self.variable = variable


class _FunctionMeta(type):
    """Give each Function subclass its node class, named as PyTorch names it."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        node_name = attrs.get("node_name") or f"{name}Backward"
        cls._node_cls = type(node_name, (Node,),
                             {"_forward_cls": cls, "__module__": cls.__module__})


class Function(metaclass=_FunctionMeta):
    """Base class for differentiable operations, as ``torch.autograd.Function``.

    Subclass it, write static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``,
    and call ``MyFn.apply(*args)``. (Or write ``forward(*args)`` plus
    ``setup_context(ctx, inputs, output)``, the newer style.)
    """

    _forward_on_arrays = False
    is_view = False  # outputs share memory with input 0 (reshape, transpose, slicing ...)
    # A Python number among the first this-many arguments is listed in next_functions as
    # (None, 0): PyTorch's add/sub/mul/div wrap it as a tensor that needs no gradient.
    _number_operands = 0

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args):
        """Run forward; record a backward node if grad mode is on and an input requires grad."""
        # This is the hottest function in numtorch: every op passes through it.
        track = False
        if grad_mode.enabled:
            for a in args:
                if isinstance(a, Tensor) and a._requires_grad:
                    track = True
                    break
        ctx = cls._node_cls()
        if not track:
            ctx.needs_input_grad = (False,) * len(args)
            if cls._forward_on_arrays:
                raw = _array_forward(cls, ctx,
                                     [a._data if isinstance(a, Tensor) else a for a in args])
                if type(raw) is not tuple:
                    out = _wrap(raw)
                    if cls.is_view:
                        _link_view(args[0], out, cls, args)
                    return out
                return tuple(_wrap(o) if o is not None else None for o in raw)
            raw = _call_user_forward(cls, ctx, args)
            if type(raw) is tuple:
                return tuple(_plain_output(o, args) for o in raw)
            return _plain_output(raw, args)

        # Recording: connect the node to the nodes of its inputs (one pass over the args).
        # ``next_functions`` is the public view (one entry per Tensor argument); the engine
        # walks ``_edges``: only the inputs that need a gradient, each with its argument's
        # position (where backward returns its gradient) and its shape and dtype (what
        # that gradient must have). Appending measured cheaper than pre-filled lists.
        arrays, needs, nexts, edges = [], [], [], []
        i = 0
        for a in args:
            if isinstance(a, Tensor):
                arr = a._data
                arrays.append(arr)
                if a._requires_grad:
                    fn = a._grad_fn
                    if fn is None:
                        fn, nr = a._accum or a._accumulator(), 0
                    else:
                        nr = a._output_nr
                    nexts.append((fn, nr))
                    edges.append((fn, nr, i, arr.shape, arr.dtype))
                    needs.append(True)
                else:
                    nexts.append(_NO_EDGE)
                    needs.append(False)
            else:
                arrays.append(a)
                needs.append(False)
                if i < cls._number_operands:
                    nexts.append(_NO_EDGE)
            i += 1
        ctx.needs_input_grad = tuple(needs)
        ctx.next_functions = tuple(nexts)
        ctx._edges = edges
        if _anomaly[0]:
            ctx._anomaly_trace = "".join(traceback.format_stack()[:-1])
        if not cls._forward_on_arrays:
            return _connect_outputs(cls, ctx, args, _call_user_forward(cls, ctx, args))
        raw = _array_forward(cls, ctx, arrays)
        if type(raw) is tuple or ctx._non_diff is not None:
            return _connect_outputs(cls, ctx, args, raw)
        # The common case, inlined: one array output.
        out = _wrap(raw)
        arr = out._data
        if cls.is_view:
            _link_view(args[0], out, cls, args)
        if arr.dtype.kind == "f":
            out._requires_grad = True
            out._grad_fn = ctx
        ctx._output_meta = ((arr.shape, arr.dtype),)
        if ctx._saved is not None:
            _resolve_saved(ctx, args, (raw,), (out,))
        return out


class ArrayFunction(Function):
    """A built-in op: forward receives arrays (NumPy/CuPy) and returns arrays."""

    _forward_on_arrays = True


_NO_EDGE = (None, 0)


# --- the hot path --------------------------------------------------------------
# ``apply`` takes any arguments: it loops over them, calls forward, then looks for the
# Tensors behind the arrays forward saved. The ops a training step runs most often
# (``+ - * /``, relu / tanh / sigmoid / exp, ``-x``, ``x ** number``, a full sum or
# mean) skip that generality when their operands are float Tensors of one dtype (or a
# float Tensor and a Python number): they compute the output array themselves, then
# build the same node ``apply`` would with ``new_node`` and ``node_output``, and set
# what their backward reads. Measured on 1-element tensors: ``Mul.apply`` 6.0 us, this
# path 3.4 us. tests/autograd/test_hot_path.py checks these nodes against ``apply``'s.

# needs_input_grad for (first needs, second needs) among n arguments: _NEEDS[n][a][b].
_NEEDS = [[[(a, b) + (False,) * (n - 2) if n > 1 else (a,) for b in (False, True)]
           for a in (False, True)] for n in range(6)]


def new_node(cls, a, b=None, n_args=1):
    """The node ``cls.apply(a, b, *constants)`` records, before its forward runs.

    ``a`` is a Tensor; ``b`` a Tensor, a Python number (an edge to nothing, as PyTorch
    wraps the number as a tensor), or None for a one-input op; ``n_args`` counts every
    argument of forward (the constants after ``b`` get no gradient).
    """
    ctx = cls._node_cls()
    x = a._data
    ra = a._requires_grad
    if ra:
        fn = a._grad_fn
        ea = (fn, a._output_nr) if fn is not None else (a._accum or a._accumulator(), 0)
        edges = [(ea[0], ea[1], 0, x.shape, x.dtype)]
    else:
        ea, edges = _NO_EDGE, []
    rb = False
    if b is None:
        ctx.next_functions = (ea,)
    elif isinstance(b, Tensor):
        rb = b._requires_grad
        if rb:
            y = b._data
            fn = b._grad_fn
            eb = (fn, b._output_nr) if fn is not None else (b._accum or b._accumulator(), 0)
            edges.append((eb[0], eb[1], 1, y.shape, y.dtype))
        else:
            eb = _NO_EDGE
        ctx.next_functions = (ea, eb)
    else:
        ctx.next_functions = (ea, _NO_EDGE)
    ctx.needs_input_grad = _NEEDS[n_args][ra][rb]
    ctx._edges = edges
    if _anomaly[0]:
        ctx._anomaly_trace = "".join(traceback.format_stack()[:-2])
    return ctx


def node_output(ctx, arr):
    """Wrap ``arr`` (float) as the output of node ``ctx``."""
    out = _wrap(arr)
    arr = out._data
    out._requires_grad = True
    out._grad_fn = ctx
    ctx._output_meta = ((arr.shape, arr.dtype),)
    return out


def save(ctx, a, b=_NO_EDGE) -> None:
    """``ctx.save_for_backward(a)`` or ``(a, b)`` with Tensors (or None), their versions
    noted at once (written out for one and two: a loop costs more than the rest)."""
    va = 0 if a is None else a._vc[0]
    if b is _NO_EDGE:
        ctx._saved, ctx._saved_versions = (a,), (va,)
    else:
        ctx._saved, ctx._saved_versions = (a, b), (va, 0 if b is None else b._vc[0])
    if saved_hooks:
        _pack_saved(ctx)


def _array_forward(cls, ctx, arrays):
    """A built-in op's forward on the arrays, with NumPy's floating-point warnings off:
    PyTorch's kernels make inf and nan without a word (``backend.cpu.quiet``)."""
    token = _fp_errors_off()
    try:
        return cls.forward(ctx, *arrays)
    finally:
        _fp_errors_restore(token)


def _call_user_forward(cls, ctx, args):
    """A user Function's forward sees Tensors and runs with grad mode off."""
    prev = grad_mode.enabled
    grad_mode.enabled = False
    try:
        if cls.setup_context is not Function.setup_context:
            raw = cls.forward(*args)
            cls.setup_context(ctx, args, raw)
            return raw
        return cls.forward(ctx, *args)
    finally:
        grad_mode.enabled = prev


def _connect_outputs(cls, ctx, args, raw):
    """Wrap forward's outputs as Tensors whose grad_fn is ``ctx``."""
    single = type(raw) is not tuple
    outs = (raw,) if single else raw
    non_diff = ctx._non_diff
    dirty = ctx._dirty
    result = []
    out_meta = []
    for i, o in enumerate(outs):
        if o is None:
            result.append(None)
            out_meta.append(None)
            continue
        if isinstance(o, Tensor):  # a user forward returned Tensors
            t = _user_output(o, args, dirty)
        else:
            t = _wrap(o)
            if i == 0 and cls.is_view:
                _link_view(args[0], t, cls, args)
        arr = t._data
        if arr.dtype.kind == "f" and (
                non_diff is None or not any(o is n or t is n for n in non_diff)):
            t._requires_grad = True
            t._grad_fn = ctx
            t._output_nr = i
        out_meta.append((arr.shape, arr.dtype))
        result.append(t)
    ctx._output_meta = out_meta

    if ctx._saved is not None:
        _resolve_saved(ctx, args, outs, result)
    return result[0] if single else tuple(result)


def _resolve_saved(ctx, args, outs, result) -> None:
    """Turn saved arrays back into the Tensors they came from, and note their versions.

    A saved array is almost always an output (``outs[k]``, wrapped as ``result[k]``) or
    an input's array: identity checks find it; anything else is wrapped as a constant.
    The versions let ``saved_tensors`` detect in-place changes made after forward.
    """
    resolved = []
    versions = []
    for s in ctx._saved:
        if s is None:
            resolved.append(None)
            versions.append(0)
            continue
        if not isinstance(s, Tensor):
            t = None
            for o, r in zip(outs, result):
                if o is s and r is not None:
                    t = r
                    break
            else:
                for a in args:
                    if isinstance(a, Tensor) and a._data is s:
                        t = a
                        break
                else:
                    t = _wrap(s)
            s = t
        resolved.append(s)
        versions.append(s._vc[0])
    ctx._saved = tuple(resolved)
    ctx._saved_versions = tuple(versions)
    if saved_hooks:
        _pack_saved(ctx)


# The (pack_hook, unpack_hook) pairs of the open ``autograd.graph.saved_tensors_hooks``
# blocks, innermost last. Only the innermost pair applies, as in PyTorch.
saved_hooks: list = []


def _pack_saved(ctx) -> None:
    """Hand each tensor a node saves to the innermost pack hook and keep what it returns.

    ``saved_tensors`` later gives each packed value to the matching unpack hook. The node
    then holds only what the hook chose to keep (activation checkpointing keeps nothing
    and recomputes the tensor on unpack); version checks are the hook's business.
    """
    pack, unpack = saved_hooks[-1]
    ctx._saved = tuple(None if t is None else pack(t) for t in ctx._saved)
    ctx._saved_versions = None
    ctx._unpack = unpack


def _link_view(parent, view, cls, args) -> None:
    """Make ``view`` share ``parent``'s memory bookkeeping: version counter, base, and how
    to re-make it from its parent (so an in-place op on the view can update the base's graph).
    """
    view._vc = parent._vc
    view._base = parent._base if parent._base is not None else parent
    view._view_of = (parent, cls, args[1:])


def _plain_output(o, args):
    """An output of a user forward outside grad mode (no node)."""
    if not isinstance(o, Tensor):
        return o
    for a in args:
        if o is a:
            return o._alias()
    return o


def _user_output(o, args, dirty):
    """An output Tensor of a user forward: dirty inputs keep identity; others get fresh Tensors."""
    if dirty is not None and any(o is d for d in dirty):
        if o._grad_fn is None and o._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                               "operation.")
        return o
    for a in args:
        if o is a:
            return o._alias()
    if o._grad_fn is not None or o._requires_grad:
        return o._alias()
    return o


def once_differentiable(fn):
    """Decorate a ``backward`` that cannot itself be differentiated.

    It runs with grad mode off; if ``create_graph=True`` asked for a graph through
    it, the gradients it returns carry a node that raises when differentiated.
    """

    @functools.wraps(fn)
    def wrapper(ctx, *grads):
        with grad_mode.no_grad():
            out = fn(ctx, *grads)
        if not grad_mode.enabled or not any(
            isinstance(g, Tensor) and g._requires_grad for g in grads
        ):
            return out
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        wrapped = tuple(
            _OnceDifferentiableError.apply(o, *grads) if isinstance(o, Tensor) else o
            for o in outs
        )
        return wrapped[0] if single else wrapped

    return wrapper


class _OnceDifferentiableError(ArrayFunction):
    node_name = "DelayedError"

    @staticmethod
    def forward(ctx, x, *grads):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")


# Anomaly detection flag, read when nodes are created and when backward runs.
_anomaly = [False, True]  # [enabled, check_nan]


class BackwardCFunction(Node):
    """Alias kept for code that checks ``isinstance(fn, BackwardCFunction)``."""
