"""``numtorch.func``: PyTorch's function transforms, built on numtorch's autograd.

- ``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``
  differentiate a function of tensors with respect to its arguments (``argnums``), which
  may be tuples, lists or dicts of tensors. Each call makes its inputs fresh leaves (or
  differentiable aliases, when they already take part in a graph), runs the function
  and asks the autograd engine for the gradients: ``.grad`` attributes are never touched,
  and the transforms nest (``grad(grad(f))``, ``jacfwd(jacrev(f))``). A result is
  differentiable further exactly when it depends on a tensor that requires grad outside
  the transform.
- ``vmap`` maps a function over a dimension of its inputs. PyTorch runs the function once
  on batched tensors; numtorch runs it once per batch element and stacks the results,
  which gives the same values (and, with random ops inside, different draws per
  element, PyTorch's ``randomness="different"``).
- ``functional_call`` calls a module with some of its parameters and buffers replaced;
  ``stack_module_state`` stacks the parameters of several copies of a model (for ``vmap``
  over models).
"""

from __future__ import annotations

import functools

from . import autograd as _autograd
from ._tensor import Tensor
from .autograd import grad_mode

__all__ = ["functional_call", "grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp",
           "stack_module_state", "vjp", "vmap", "linearize", "functionalize",
           "replace_all_batch_norm_modules_"]


# --- pytrees of tensors: tuples, lists and dicts ------------------------------------------

def _flatten(tree):
    """(leaves, rebuild): the tensors (or other leaves) of ``tree`` in order, and a function
    putting a list of new leaves back into the same structure."""
    if isinstance(tree, (tuple, list)):
        parts = [_flatten(t) for t in tree]
        leaves = [leaf for p in parts for leaf in p[0]]

        def rebuild(new):
            out, i = [], 0
            for p in parts:
                n = len(p[0])
                out.append(p[1](new[i:i + n]))
                i += n
            return type(tree)(out) if not hasattr(tree, "_fields") else type(tree)(*out)
        return leaves, rebuild
    if isinstance(tree, dict):
        keys = list(tree)
        leaves, rebuild_values = _flatten([tree[k] for k in keys])
        return leaves, lambda new: type(tree)(zip(keys, rebuild_values(new)))
    return [tree], lambda new: new[0]


def _argnums_tuple(argnums, nargs: int, fn_name: str) -> tuple:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    if not nums:
        raise RuntimeError(f"{fn_name}: argnums must be non-empty")
    for n in nums:
        if not isinstance(n, int):
            raise RuntimeError(f"{fn_name}: argnums must be int or Tuple[int, ...], got: "
                               f"{type(argnums)}")
        if not -nargs <= n < nargs:
            raise RuntimeError(f"Got argnum={n}, but only {nargs} positional inputs")
    return tuple(n % nargs for n in nums)


def _differentiable(t):
    """The tensor a transform differentiates with respect to: a fresh leaf for a tensor
    outside any graph, else an alias of it (so outer transforms still reach it)."""
    if not isinstance(t, Tensor):
        raise RuntimeError(f"Expected tensors, got unsupported type {type(t)}")
    if t.requires_grad:
        return t.view_as(t)
    return t.detach().requires_grad_()


def _reaches_outside(tensors, inner) -> bool:
    """Whether any of ``tensors`` depends, through the graph, on a tensor requiring grad
    other than the transform's own fresh leaves ``inner`` (their ids)."""
    seen, stack = set(), [t.grad_fn for t in tensors if isinstance(t, Tensor) and t.grad_fn]
    leaf_outside = any(isinstance(t, Tensor) and t.requires_grad and t.grad_fn is None
                       and id(t) not in inner for t in tensors)
    while stack and not leaf_outside:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        variable = getattr(node, "variable", None)
        if variable is not None and id(variable) not in inner:
            return True
        stack.extend(fn for fn, _ in node.next_functions)
    return leaf_outside


def _prepare(args, argnums, fn_name):
    """The arguments with those in ``argnums`` replaced by differentiable copies: (new args,
    per argnum its (leaves, rebuild), the ids of the fresh leaves)."""
    nums = _argnums_tuple(argnums, len(args), fn_name)
    new_args, parts, fresh = list(args), [], set()
    for n in nums:
        leaves, rebuild = _flatten(args[n])
        diff = [_differentiable(t) for t in leaves]
        fresh.update(id(d) for d, t in zip(diff, leaves) if d.grad_fn is None)
        new_args[n] = rebuild(diff)
        parts.append((diff, rebuild))
    return new_args, parts, fresh


def _regroup(flat, parts) -> list:
    """A flat list (one entry per differentiated leaf) back into the arguments' structures."""
    grouped, i = [], 0
    for diff, rebuild in parts:
        grouped.append(rebuild(flat[i:i + len(diff)]))
        i += len(diff)
    return grouped


def _grads(outputs, inputs, grad_outputs, fresh, keep=None):
    """d outputs / d inputs (zeros where unused), differentiable further only where the
    result reaches a tensor requiring grad outside the transform."""
    got = _autograd.grad(outputs, inputs, grad_outputs, retain_graph=True, create_graph=True,
                         allow_unused=True)
    got = [g if g is not None else x.detach().new_zeros(x.shape) for g, x in zip(got, inputs)]
    if keep is None:
        keep = _reaches_outside(got, fresh)
    return [g if keep else g.detach() for g in got]


# --- grad -----------------------------------------------------------------------------------

def grad_and_value(func, argnums=0, has_aux: bool = False):
    """``func`` -> a function returning ``(gradient, value)`` of ``func``'s scalar output
    with respect to the arguments ``argnums`` (``((gradient, (value, aux))`` with aux)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with grad_mode.enable_grad():
            new_args, parts, fresh = _prepare(args, argnums, "grad_and_value")
            out = func(*new_args, **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError("grad_and_value(f)(*args): output of function f should "
                                       "be a tuple: (output, aux) if has_aux is True")
                out, aux = out
            if not isinstance(out, Tensor):
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"Tensor, got {type(out)}")
            if out.ndim != 0:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a "
                                   f"scalar Tensor, got tensor with {out.ndim} dims. Maybe you "
                                   "wanted to use the vjp or jacrev APIs instead?")
            inputs = [d for diff, _ in parts for d in diff]
            flat = _grads([out], inputs, None, fresh)
        grads = _regroup(flat, parts)
        g = grads[0] if isinstance(argnums, int) else tuple(grads)
        value = out if _reaches_outside([out], fresh) else out.detach()
        if has_aux:
            leaves, rebuild = _flatten(aux)
            for leaf in leaves:
                if not isinstance(leaf, Tensor):
                    raise RuntimeError(f"Expected tensors, got unsupported type {type(leaf)}")
            aux = rebuild([t if _reaches_outside([t], fresh) else t.detach() for t in leaves])
            return g, (value, aux)
        return g, value
    return wrapper


def grad(func, argnums=0, has_aux: bool = False):
    """``func`` -> a function returning the gradient of ``func``'s scalar output with respect
    to the arguments ``argnums`` (and ``aux`` with ``has_aux``)."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


# --- vjp, jvp, Jacobians, Hessian ------------------------------------------------------

def vjp(func, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)``: ``vjp_fn(cotangents)`` gives the vector-Jacobian product
    with respect to every primal, as a tuple."""
    with grad_mode.enable_grad():
        new_args, parts, fresh = _prepare(primals, tuple(range(len(primals))), "vjp")
        out = func(*new_args)
        aux = None
        if has_aux:
            out, aux = out
    out_leaves, _ = _flatten(out)
    inputs = [d for diff, _ in parts for d in diff]

    def vjp_fn(cotangents):
        cot_leaves, _ = _flatten(cotangents)
        with grad_mode.enable_grad():
            flat = _grads(out_leaves, inputs, cot_leaves, fresh)
        return tuple(_regroup(flat, parts))

    shown = _detached_unless_needed(out, fresh)
    return (shown, vjp_fn, aux) if has_aux else (shown, vjp_fn)


def _detached_unless_needed(tree, fresh):
    leaves, rebuild = _flatten(tree)
    return rebuild([t if not isinstance(t, Tensor) or _reaches_outside([t], fresh)
                    else t.detach() for t in leaves])


def jvp(func, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J @ tangents)``: the Jacobian-vector product, by the double-vjp
    trick (a vjp with a dummy cotangent, differentiated with respect to it)."""
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have "
                           "the same python structure.")
    with grad_mode.enable_grad():
        new_args, parts, fresh = _prepare(primals, tuple(range(len(primals))), "jvp")
        out = func(*new_args)
        aux = None
        if has_aux:
            out, aux = out
        out_leaves, rebuild_out = _flatten(out)
        inputs = [d for diff, _ in parts for d in diff]
        t_leaves = [t for tree in tangents for t in _flatten(tree)[0]]
        # back = J^T u for a dummy u; d(back . t)/du = J t.
        dummies = [o.detach().new_zeros(o.shape).requires_grad_() for o in out_leaves]
        fresh |= {id(d) for d in dummies}
        back = _autograd.grad(out_leaves, inputs, dummies, create_graph=True,
                              allow_unused=True)
        used = [(b, t) for b, t in zip(back, t_leaves) if b is not None]
        if used:
            forward = _grads([b for b, _ in used], dummies, [t for _, t in used], fresh)
        else:
            forward = [o.detach().new_zeros(o.shape) for o in out_leaves]
    result = rebuild_out(forward)
    shown = _detached_unless_needed(out, fresh)
    return (shown, result, aux) if has_aux else (shown, result)


def jacrev(func, argnums=0, *, has_aux: bool = False, chunk_size=None):
    """``func`` -> a function giving the Jacobian of its output with respect to the
    arguments ``argnums``: shape ``output.shape + input.shape`` (tuples for several)."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with grad_mode.enable_grad():
            new_args, parts, fresh = _prepare(args, argnums, "jacrev")
            out = func(*new_args, **kwargs)
            aux = None
            if has_aux:
                out, aux = out
            inputs = [d for diff, _ in parts for d in diff]
            out_leaves, rebuild_out = _flatten(out)
            keep = _reaches_outside(out_leaves, fresh)
            per_output = []
            for o in out_leaves:
                rows = []
                flat = o.reshape(-1)
                for k in range(flat.numel()):
                    rows.append(_grads([flat[k]], inputs, None, fresh, keep))
                per_input = []
                for j, x in enumerate(inputs):
                    if rows:
                        stacked = _stack([r[j] for r in rows])
                    else:
                        stacked = x.detach().new_zeros((0,) + tuple(x.shape))
                    per_input.append(stacked.reshape(tuple(o.shape) + tuple(x.shape)))
                grouped = _regroup(per_input, parts)
                per_output.append(grouped[0] if isinstance(argnums, int) else tuple(grouped))
        jac = rebuild_out(per_output)
        return (jac, _detached_unless_needed(aux, fresh)) if has_aux else jac
    return wrapper


def _stack(tensors):
    from .ops.shape import stack

    return stack(tensors)


def jacfwd(func, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian, as ``jacrev`` computes it (PyTorch uses forward mode; the numbers are the
    same derivatives)."""
    return jacrev(func, argnums, has_aux=has_aux)


def hessian(func, argnums=0):
    """The Hessian of ``func``'s scalar output: ``jacfwd(jacrev(func))``."""
    return jacfwd(jacrev(func, argnums), argnums)


# --- vmap ---------------------------------------------------------------------------------

def _fn_name(func) -> str:
    return getattr(func, "__name__", repr(func))


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """``func`` mapped over dimension ``in_dims`` of its inputs (an int for all, or one per
    argument, None for an argument that is not mapped); the outputs are stacked along
    ``out_dims``. numtorch calls ``func`` once per element of the mapped dimension."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        name = _fn_name(func)
        if isinstance(in_dims, int):
            dims = (in_dims,) * len(args)
        elif isinstance(in_dims, tuple) and len(in_dims) == len(args):
            dims = in_dims
        else:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected "
                             "`in_dims` to be int or a (potentially nested) tuple matching the "
                             f"structure of inputs, got: {type(in_dims)}.")
        flat_args = []  # per argument: (leaves, rebuild, dim per leaf)
        sizes = []
        for a, d in zip(args, dims):
            leaves, rebuild = _flatten(a)
            leaf_dims = _flatten(d)[0] if isinstance(d, (tuple, list, dict)) else \
                [d] * len(leaves)
            for leaf, ld in zip(leaves, leaf_dims):
                if ld is not None:
                    if not isinstance(leaf, Tensor):
                        raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got "
                                         f"in_dim={ld} for an input but the input is of type "
                                         f"{type(leaf)}. We cannot vmap over non-Tensor "
                                         "arguments, please use None as the respective in_dim")
                    sizes.append(leaf.shape[ld])
            flat_args.append((leaves, rebuild, leaf_dims))
        if not sizes:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): at least one "
                             "input must be batched (got in_dims=None for every input)")
        if len(set(sizes)) > 1:
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        results = []
        for i in range(sizes[0]):
            call = [rebuild([leaf.select(ld, i) if ld is not None else leaf
                             for leaf, ld in zip(leaves, leaf_dims)])
                    for leaves, rebuild, leaf_dims in flat_args]
            results.append(func(*call, **kwargs))
        out_leaves0, rebuild_out = _flatten(results[0])
        per_leaf = list(zip(*[_flatten(r)[0] for r in results]))
        odims = _flatten(out_dims)[0] if isinstance(out_dims, (tuple, list)) else \
            [out_dims] * len(out_leaves0)
        stacked = []
        for values, od in zip(per_leaf, odims):
            if od is None:
                stacked.append(values[0])
                continue
            if not isinstance(values[0], Tensor):
                raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got "
                                 f"type {type(values[0])}. Did you mean to set out_dims= to "
                                 "None for output?")
            from .ops.shape import stack
            stacked.append(stack(values, dim=od))
        return rebuild_out(stacked)
    return wrapper


# --- modules --------------------------------------------------------------------------------

def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``module(*args, **kwargs)`` with the parameters and buffers named in the dict(s)
    replaced by the given tensors for the call (the module is restored after it)."""
    dicts = parameter_and_buffer_dicts
    if isinstance(dicts, (tuple, list)):
        merged = {}
        for d in dicts:
            for k in d:
                if k in merged:
                    raise ValueError(f"{k} appeared in multiple dictionaries; behavior of "
                                     "functional call is ambiguous")
            merged.update(d)
        dicts = merged
    if strict:
        expected = {n for n, _ in module.named_parameters()} | {
            n for n, _ in module.named_buffers()}
        missing, unexpected = sorted(expected - set(dicts)), sorted(set(dicts) - expected)
        if missing or unexpected:
            raise RuntimeError("Error(s) in reparametrizing for "
                               f"{type(module).__name__}:\n\tMissing key(s): {missing}.\n\t"
                               f"Unexpected key(s): {unexpected}.")
    saved = []
    try:
        for name, value in dicts.items():
            owner_name, _, attr = name.rpartition(".")
            owner = module.get_submodule(owner_name) if owner_name else module
            for table in (owner._parameters, owner._buffers):
                if attr in table:
                    saved.append((table, attr, table[attr]))
                    table[attr] = value
                    break
            else:
                saved.append((owner.__dict__, attr, owner.__dict__.get(attr, _ABSENT)))
                owner.__dict__[attr] = value
        args = () if args is None else args if isinstance(args, tuple) else (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for table, attr, old in reversed(saved):
            if old is _ABSENT:
                del table[attr]
            else:
                table[attr] = old


_ABSENT = object()


def stack_module_state(models) -> tuple:
    """``(params, buffers)``: dicts mapping each name to the stack of that tensor across
    ``models`` (copies of one architecture); the stacked parameters are new leaves."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or not any(m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/"
                           "eval mode.")
    from .ops.shape import stack

    params = {name: stack([dict(m.named_parameters())[name] for m in models]).detach()
              .requires_grad_(p.requires_grad)
              for name, p in models[0].named_parameters()}
    buffers = {name: stack([dict(m.named_buffers())[name] for m in models])
               for name, _ in models[0].named_buffers()}
    return params, buffers


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)`` where ``jvp_fn(*tangents)`` is the Jacobian-vector
    product of ``func`` at ``primals``: ``jvp`` with the point fixed. (PyTorch traces the
    linearised function once; numtorch recomputes ``jvp`` at each call, with the same
    result.)"""
    out = func(*primals)

    def jvp_fn(*tangents):
        return jvp(func, primals, tangents)[1]

    return _detached_unless_needed(out, set()), jvp_fn


def functionalize(func, *, remove: str = "mutations"):
    """``func`` with in-place ops and views rewritten out of place, for tracing compilers.
    Run eagerly, as here, the result is ``func``'s own: the same outputs, and in-place
    changes to the inputs still applied, as PyTorch's functionalised function gives."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for "
            f"remove={remove}. Valid options are:\n     remove='mutations': all inplace and "
            "out= operators will be removed from the program, and replaced with their "
            "out-of-place equivalents.\n     remove='mutations_and_views': In addition to the "
            "above, all aliasing operators {view} will be replaced with their non-aliasing "
            "counterparts, {view}_copy.\n")

    @functools.wraps(func)
    def functionalized(*args, **kwargs):
        return func(*args, **kwargs)

    return functionalized


def replace_all_batch_norm_modules_(root):
    """Make every batch norm in ``root`` use the batch's statistics only (no running
    mean/var, ``track_running_stats=False``), in place, as ``vmap`` over a model with
    batch norm needs. Returns ``root``."""
    from .nn.modules.batchnorm import _BatchNorm

    for module in root.modules():
        if isinstance(module, _BatchNorm) and module.track_running_stats:
            module.running_mean = None
            module.running_var = None
            module.num_batches_tracked = None
            module.track_running_stats = False
    return root
