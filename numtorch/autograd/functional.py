"""``autograd.functional``: Jacobians, Hessians and their products, as functions of functions.

Everything here is built from one primitive, the vector-Jacobian product
``autograd.grad(outputs, inputs, v)`` (``v^T J``):

* ``vjp``      one backward pass;
* ``jacobian`` one backward pass per output element, with a one-hot ``v``;
* ``jvp``      ``J u`` without forward-mode AD, by the *double-vjp trick*:
  ``g(w) = w^T J`` is linear in ``w``, so differentiating ``g(w) . u`` with
  respect to ``w`` gives ``J u`` (``w`` is a dummy of zeros that requires grad);
* ``hessian``  the Jacobian of the gradient (computed with ``create_graph=True``);
* ``vhp`` / ``hvp``  ``v^T H`` by differentiating the gradient once more, and
  ``H v`` by the double-vjp trick on that (equal for twice-differentiable
  functions, whose Hessian is symmetric).

The functions run ``func`` on fresh leaves that require grad (detached copies
of the inputs; views of them when ``create_graph=True`` so that the results
stay connected to the caller's graph). Results are detached unless
``create_graph=True``. Inputs and outputs keep their structure: a Tensor gives
a Tensor, a tuple gives a tuple, exactly as in ``torch.autograd.functional``.
"""

from __future__ import annotations

from . import grad_mode

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _tensor_cls():
    from .._tensor import Tensor

    return Tensor


def _tupled(value, arg_name: str, fn_name: str):
    """``(was_a_tuple, value as a tuple)``; everything in it must be a Tensor."""
    Tensor = _tensor_cls()
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but {where} has type {type(el)}.")
    return is_tuple, items


def _outputs_of(func, inputs, fn_name: str):
    return _tupled(func(*inputs), "outputs of the user-provided function", fn_name)


def _fresh_leaves(tensors, create_graph: bool, need_graph: bool) -> tuple:
    """Stand-ins for the caller's tensors that ``func`` runs on.

    Under ``create_graph`` a tensor that already requires grad is aliased by a view, so
    gradients still reach the caller's graph; otherwise a detached leaf is used.
    """
    return tuple(t.reshape(t.shape) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in tensors)


def _finish(result, create_graph: bool):
    """Detach (nested tuples of) results unless the caller asked for a graph."""
    if isinstance(result, tuple):
        return tuple(_finish(r, create_graph) for r in result)
    return result if create_graph else result.detach()


def _unpack(result: tuple, outer_is_tuple: bool, inner_is_tuple: bool | None = None):
    """Undo the tuple-wrapping of a single Tensor input/output (one or two levels)."""
    if inner_is_tuple is not None and not inner_is_tuple:
        result = tuple(r[0] for r in result)
    return result if outer_is_tuple else result[0]


def _check_v(v, ref, ref_is_tuple: bool, create_graph: bool, fn_name: str) -> tuple:
    _, v = _tupled(v, "v", fn_name)
    v = _fresh_leaves(v, create_graph, need_graph=False)
    if len(v) != len(ref):
        if ref_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(ref)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (a, b) in enumerate(zip(v, ref)):
        if a.shape != b.shape:
            where = f"Entry {i} in " if ref_is_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {b.shape} but got "
                               f"{a.shape}.")
    return v


def _require_outputs_grad(outputs, strict: bool) -> None:
    if not strict:
        return
    for i, o in enumerate(outputs):
        if not o.requires_grad:
            raise RuntimeError(f"Output {i} of the user-provided function does not require "
                               "gradients. The outputs must be computed in a differentiable "
                               "manner from the input when running in strict mode.")


def _require_grads_depend_on_input(grads, strict: bool, what: str) -> None:
    """Strict mode: each gradient (itself to be differentiated) must depend on the inputs."""
    if not strict:
        return
    for i, g in enumerate(grads):
        if g is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not g.requires_grad:
            if what == "grad_inputs":
                raise RuntimeError(f"The gradient with respect to input {i} is independent of "
                                   "the inputs of the user-provided function. This is not "
                                   "allowed in strict mode.")
            if what == "hessian":
                raise RuntimeError(
                    f"The hessian of the user-provided function with respect to input {i} is "
                    "independent of the input. This is not allowed in strict mode. You should "
                    "ensure that your function is thrice differentiable and that the hessian "
                    "depends on the inputs.")
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example).")


def _grad(outputs, inputs, grad_outputs=None, create_graph=False) -> tuple:
    """``autograd.grad`` over the outputs that require grad; None where nothing flows."""
    from . import grad as autograd_grad

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    with grad_mode.enable_grad():
        return autograd_grad([o for o, _ in pairs], inputs, [g for _, g in pairs],
                             retain_graph=True, create_graph=create_graph, allow_unused=True)


_STRICT_ZERO_MSG = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
            "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
                  "grad_outputs when using the double backward trick to compute forward mode "
                  "gradients. This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
                   "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
                         "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                         "prevents from using the double backward trick to replace forward "
                         "mode AD.",
}


def _zeros_for_missing(grads, refs, strict: bool, create_graph: bool, stage: str) -> tuple:
    """Missing gradients are zeros mathematically; strict mode refuses them instead."""
    from .._tensor import Tensor

    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_ZERO_MSG[stage].format(i=i))
            g = Tensor._make(ref._xp().zeros(ref.shape, dtype=ref._data.dtype))
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        out.append(g)
    return tuple(out)


# --- products -----------------------------------------------------------------------


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    ``v`` has the outputs' structure (it may be omitted when ``func`` returns a single
    one-element Tensor); the product has the inputs' structure.
    """
    with grad_mode.enable_grad():
        in_tuple, inputs = _tupled(inputs, "inputs", "vjp")
        inputs = _fresh_leaves(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _outputs_of(func, inputs, "vjp")
        _require_outputs_grad(outputs, strict)
        if v is not None:
            v = _check_v(v, outputs, out_tuple, create_graph, "vjp")
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
    grads = _grad(outputs, inputs, v, create_graph=create_graph)
    result = _zeros_for_missing(grads, inputs, strict, create_graph, "back")
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(result, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-vjp trick.

    ``v`` has the inputs' structure (it may be omitted for a single one-element input);
    the product has the outputs' structure.
    """
    from .._tensor import Tensor

    with grad_mode.enable_grad():
        in_tuple, inputs = _tupled(inputs, "inputs", "jvp")
        inputs = _fresh_leaves(inputs, create_graph, need_graph=True)
        if v is not None:
            v = _check_v(v, inputs, in_tuple, create_graph, "jvp")
        elif len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the "
                               "user-provided function is a single Tensor with a single "
                               "element.")
        out_tuple, outputs = _outputs_of(func, inputs, "jvp")
        _require_outputs_grad(outputs, strict)
        # w^T J with a dummy w, kept differentiable in w ...
        dummies = tuple(Tensor._make(o._xp().zeros(o.shape, dtype=o._data.dtype),
                                     requires_grad=True) for o in outputs)
        w_j = _grad(outputs, inputs, dummies, create_graph=True)
        _require_grads_depend_on_input(w_j, strict, "grad_inputs")
    # ... whose derivative along v with respect to w is J v.
    grads = _grad(w_j, dummies, v, create_graph=create_graph)
    result = _zeros_for_missing(grads, outputs, strict, create_graph, "back_trick")
    return (_unpack(_finish(outputs, create_graph), out_tuple),
            _unpack(_finish(result, create_graph), out_tuple))


# --- Jacobian and Hessian ---------------------------------------------------------------


def _stack_rows(rows, shape, create_graph: bool):
    """One Jacobian block of ``shape`` from its rows (one per output element)."""
    from .._tensor import Tensor

    if create_graph:  # the block must stay differentiable (hessian differentiates it)
        import numtorch

        return numtorch.stack(rows, 0).reshape(shape)
    return Tensor._make(rows[0]._xp().stack([r._data for r in rows]).reshape(shape))


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``.

    Block ``[i][j]`` has shape ``outputs[i].shape + inputs[j].shape``. A single-Tensor
    input or output drops that level of tuple: Tensor in and Tensor out gives one Tensor.

    numtorch computes it row by row in reverse mode whatever ``vectorize`` and
    ``strategy`` say (they change how PyTorch batches the work, not the result).
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "numtorch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.')
        if strict:
            raise RuntimeError(
                "numtorch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`strict=False` or `strategy="reverse-mode"`.')
        if not vectorize:
            raise NotImplementedError("Computing Jacobian using forward-AD or forward-over-"
                                      "reverse Hessian isonly implemented for `vectorize=True`.")
    if vectorize and strict:
        raise RuntimeError("numtorch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    from .._tensor import Tensor

    with grad_mode.enable_grad():
        in_tuple, inputs = _tupled(inputs, "inputs", "jacobian")
        inputs = _fresh_leaves(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _outputs_of(func, inputs, "jacobian")
        _require_outputs_grad(outputs, strict)

        blocks = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in inputs]
            xp = out._xp()
            for k in range(out.numel()):
                one_hot = xp.zeros(out.numel(), dtype=out._data.dtype)
                one_hot[k] = 1
                grads = _grad((out,), inputs, (Tensor._make(one_hot.reshape(out.shape)),),
                              create_graph=create_graph)
                for j, (g, inp) in enumerate(zip(grads, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {i} of the user-provided function is "
                                               f"independent of input {j}. This is not allowed "
                                               "in strict mode.")
                        g = Tensor._make(inp._xp().zeros(inp.shape, dtype=inp._data.dtype))
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(f"The jacobian of the user-provided function is "
                                           f"independent of input {i}. This is not allowed in "
                                           "strict mode when create_graph=True.")
                    rows[j].append(g)
            blocks.append(tuple(
                _stack_rows(r, tuple(out.shape) + tuple(inp.shape), create_graph)
                if r else Tensor._make(inp._xp().zeros(tuple(out.shape) + tuple(inp.shape),
                                                       dtype=inp._data.dtype))
                for r, inp in zip(rows, inputs)))
    return _unpack(_finish(tuple(blocks), create_graph), out_tuple, in_tuple)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode"):
    """The Hessian of a scalar function: the Jacobian of its gradient.

    Block ``[i][j]`` has shape ``inputs[i].shape + inputs[j].shape``; a single Tensor
    input gives a single Tensor.
    """
    in_tuple, inputs = _tupled(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*inp):
        out = func(*inp)
        out_is_tuple, outs = _tupled(out, "outputs of the user-provided function", "hessian")
        _require_outputs_grad(outs, strict)
        if out_is_tuple:
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError("The Tensor returned by the function given to hessian should "
                               "contain a single element")
        return out.reshape(())

    def gradient(*inp):
        grads = jacobian(scalar_func, inp, create_graph=True)
        _require_grads_depend_on_input(grads, strict, "jacobian")
        return grads

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                   vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack(res, in_tuple, in_tuple)


def _scalar_output_and_gradient(func, inputs, v, create_graph, strict, fn_name):
    """Shared start of vhp/hvp: fresh inputs, checked ``v``, the scalar output and its
    gradient (kept differentiable)."""
    in_tuple, inputs = _tupled(inputs, "inputs", fn_name)
    inputs = _fresh_leaves(inputs, create_graph, need_graph=True)
    if v is not None:
        v = _check_v(v, inputs, in_tuple, create_graph, fn_name)
    elif len(inputs) != 1 or inputs[0].numel() != 1:
        raise RuntimeError("The vector v can only be None if the input to the user-provided "
                           "function is a single Tensor with a single element.")
    out_tuple, outputs = _outputs_of(func, inputs, fn_name)
    _require_outputs_grad(outputs, strict)
    if out_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")
    gradient = _grad(outputs, inputs, create_graph=True)
    _require_grads_depend_on_input(gradient, strict, "jacobian")
    return in_tuple, inputs, v, outputs, gradient


def vhp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T H)`` for a scalar ``func``: differentiate ``grad . v`` once more."""
    with grad_mode.enable_grad():
        in_tuple, inputs, v, outputs, gradient = _scalar_output_and_gradient(
            func, inputs, v, create_graph, strict, "vhp")
    grads = _grad(gradient, inputs, v, create_graph=create_graph)
    result = _zeros_for_missing(grads, inputs, strict, create_graph, "double_back")
    return (_unpack(_finish(outputs, create_graph), False),
            _unpack(_finish(result, create_graph), in_tuple))


def hvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)`` for a scalar ``func``, by the double-vjp trick on its gradient."""
    from .._tensor import Tensor

    with grad_mode.enable_grad():
        in_tuple, inputs, v, outputs, gradient = _scalar_output_and_gradient(
            func, inputs, v, create_graph, strict, "hvp")
        dummies = tuple(Tensor._make(t._xp().zeros(t.shape, dtype=t._data.dtype),
                                     requires_grad=True) for t in inputs)
        w_h = _grad(gradient, inputs, dummies, create_graph=True)  # w^T H, linear in w
        _require_grads_depend_on_input(gradient, strict, "hessian")
    grads = _grad(w_h, dummies, v, create_graph=create_graph)
    result = _zeros_for_missing(grads, inputs, strict, create_graph, "double_back_trick")
    return (_unpack(_finish(outputs, create_graph), False),
            _unpack(_finish(result, create_graph), in_tuple))
