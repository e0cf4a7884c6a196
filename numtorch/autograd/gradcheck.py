"""Finite-difference gradient checks: ``gradcheck`` and ``gradgradcheck``.

``gradcheck(func, inputs)`` compares two Jacobians of ``func`` at ``inputs``:

* the **numerical** one, column by column, from central differences: each
  element ``x[k]`` of each input that requires grad is nudged to ``x[k] ± eps``
  (in place, straight in the array, so nothing is recorded) and
  ``(f(x + eps) - f(x - eps)) / (2 eps)`` is one row of ``J``;
* the **analytical** one, row by row, from the autograd engine: a
  vector-Jacobian product ``autograd.grad(out, inputs, e_k)`` with a one-hot
  ``e_k`` gives the ``k``-th row of ``J`` for every input at once.

Both are stored as ``(input.numel(), output.numel())`` matrices, as PyTorch
stores them, and must agree to ``|a - n| <= atol + rtol * |n|``. The checks
run in float64 (inputs in another dtype get PyTorch's warning): with
``eps=1e-6`` float32 round-off alone is larger than ``atol``.

``gradgradcheck`` runs ``gradcheck`` on the function ``(inputs, v) -> vJ``
built with ``create_graph=True``, which checks second derivatives.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .. import _warnings
from . import grad_mode
from .function import ArrayFunction

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck``/``gradgradcheck`` when a check fails."""


def _tensor_cls():
    from .._tensor import Tensor

    return Tensor


def _as_tuple(x) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _host(arr) -> np.ndarray:
    """A NumPy array with the values of ``arr`` (copied off the GPU where needed)."""
    return arr if isinstance(arr, np.ndarray) else arr.get()


def _differentiable_outputs(out) -> tuple:
    Tensor = _tensor_cls()
    return tuple(o for o in _as_tuple(out) if isinstance(o, Tensor) and o.requires_grad)


def _diff_inputs(inputs) -> list:
    """(position, tensor) of every input tensor that requires grad."""
    Tensor = _tensor_cls()
    return [(i, t) for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _check_inputs(inputs) -> None:
    found = False
    for idx, inp in _diff_inputs(inputs):
        if inp.dtype is not D.float64:
            _warnings.warn(
                f"Input #{idx} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ",
                UserWarning,
            )
        # (An empty array has nothing to perturb; NumPy gives it zero strides.)
        if inp.numel() and not all(st > 0 or sz <= 1 for st, sz in zip(inp.stride(), inp.shape)):
            raise RuntimeError(
                f"The {idx}th input has a dimension with stride 0. gradcheck only supports "
                "inputs that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck."
            )
        found = True
    if not found:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


# --- the numerical side ------------------------------------------------------------


def _eval(func, inputs) -> list:
    """Copies of ``func``'s tensor outputs as NumPy arrays."""
    Tensor = _tensor_cls()
    return [_host(o._data).copy() for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]


def _check_same_meta(a, b, eps, idx) -> None:
    if a.shape != b.shape:
        raise GradcheckError(
            f"Expected `func` to return outputs with the same shape when inputs are perturbed "
            f"on index {idx} by {eps}, but got: shapes {a.shape} and {b.shape}."
        )
    if a.dtype != b.dtype:
        raise GradcheckError(
            f"Expected `func` to return outputs with the same dtype when inputs are perturbed "
            f"on index {idx} by {eps}, but got: dtypes {a.dtype} and {b.dtype}."
        )


def _central_difference(func, inputs, arr, direction, eps, idx) -> list:
    """``(f(x + eps*d) - f(x - eps*d)) / (2 eps)`` for each output, flattened (float64).

    ``arr`` is the array of the input being perturbed; ``direction`` is an index into it
    (one element) or an array of its shape (a whole direction, for fast mode). The array is
    edited in place and restored: no graph is recorded, and views see the same values.
    """
    orig = arr.copy()
    step = eps if not hasattr(direction, "shape") else eps * direction
    if hasattr(direction, "shape"):
        arr[...] = orig - step
        lo = _eval(func, inputs)
        arr[...] = orig + step
        hi = _eval(func, inputs)
    else:
        arr[direction] = orig[direction] - step
        lo = _eval(func, inputs)
        arr[direction] = orig[direction] + step
        hi = _eval(func, inputs)
    arr[...] = orig
    cols = []
    for a, b in zip(lo, hi):
        _check_same_meta(a, b, eps, idx)
        cols.append(((b.astype(np.float64) - a.astype(np.float64)) / (2 * eps)).reshape(-1))
    return cols


def _numerical_jacobian(func, inputs, outputs, eps) -> list:
    """``J[i][o]``: the ``(input_i.numel(), output_o.numel())`` finite-difference Jacobian,
    for each input ``i`` requiring grad and each tensor output ``o``."""
    jacobians = []
    for idx, inp in _diff_inputs(inputs):
        arr = inp._data
        per_out = [np.zeros((arr.size, o.size)) for o in outputs]
        for row, index in enumerate(np.ndindex(arr.shape)):
            for j, col in enumerate(_central_difference(func, inputs, arr, index, eps, idx)):
                per_out[j][row] = col
        jacobians.append([p.astype(o.dtype) if o.dtype.kind == "f" else p
                          for p, o in zip(per_out, outputs)])
    return jacobians


# --- the analytical side -----------------------------------------------------------


def _vjp(output, diff_inputs, grad_output) -> tuple:
    from . import grad as autograd_grad

    return autograd_grad(output, diff_inputs, grad_output, retain_graph=True, allow_unused=True)


def _grad_rows(grads, diff_inputs, check_grad_dtypes) -> list:
    """Flatten one vJ product per input; checks the gradients' sizes and dtypes."""
    rows = []
    for g, inp in zip(grads, diff_inputs):
        if g is None:
            rows.append(np.zeros(inp.numel()))
            continue
        if g.shape != inp.shape:
            raise GradcheckError("Analytical gradient has incorrect size")
        if check_grad_dtypes and g.dtype is not inp.dtype:
            raise GradcheckError("Gradient has dtype mismatch")
        rows.append(_host(g.detach()._data).reshape(-1).astype(np.float64))
    return rows


def _analytical_jacobian(inputs, output, nondet_tol, check_grad_dtypes) -> list:
    """``J[i]`` for one output: row ``k`` is the vJ product with the one-hot ``e_k``.

    Everything is computed twice: different answers mean the backward is not
    reentrant (non-deterministic), which PyTorch reports separately.
    """
    Tensor = _tensor_cls()
    diff = [t for _, t in _diff_inputs(inputs)]
    xp = output._xp()

    def once():
        jac = [np.zeros((t.numel(), output.numel())) for t in diff]
        for k in range(output.numel()):
            e = xp.zeros(output.numel(), dtype=output._data.dtype)
            e[k] = 1
            grads = _vjp(output, diff, Tensor._make(e.reshape(output.shape)))
            for i, row in enumerate(_grad_rows(grads, diff, check_grad_dtypes)):
                jac[i][:, k] = row
        return jac

    first, second = once(), once()
    for a, b in zip(first, second):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical "
                f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                f"{nondet_tol}."
            )
    return [j.astype(t.dtype.np) for j, t in zip(first, diff)]


def _mismatch_msg(analytical, numerical, out_idx: int, in_idx: int) -> str:
    Tensor = _tensor_cls()
    return (f"Jacobian mismatch for output {out_idx:d} with respect to input {in_idx:d},\n"
            f"numerical:{Tensor._make(np.asarray(numerical))!s}\n"
            f"analytical:{Tensor._make(np.asarray(analytical))!s}\n")


def _allclose(a, n, rtol, atol) -> bool:
    return bool(np.allclose(np.asarray(a, np.float64), np.asarray(n, np.float64),
                            rtol=rtol, atol=atol))


# --- the checks ----------------------------------------------------------------------


def _slow_gradcheck(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol,
                    check_grad_dtypes) -> None:
    Tensor = _tensor_cls()
    tensor_outs = [o for o in _as_tuple(func_out) if isinstance(o, Tensor)]
    arrays = [_host(o._data) for o in tensor_outs]
    numerical = _numerical_jacobian(func, inputs, arrays, eps)
    if not outputs:
        # Nothing is differentiable, so the function must not depend on the inputs at all.
        for per_input in numerical:
            for jac in per_input:
                if np.any(jac != 0):
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    diff_pos = [k for k, o in enumerate(tensor_outs) if o.requires_grad]
    for i, o in enumerate(outputs):
        analytical = _analytical_jacobian(inputs, o, nondet_tol, check_grad_dtypes)
        for j, a in enumerate(analytical):
            n = numerical[j][diff_pos[i]]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_mismatch_msg(a, n, i, j))


def _random_unit(rng, n: int) -> np.ndarray:
    v = rng.random(n)
    norm = np.linalg.norm(v)
    return v / norm if norm else v


def _fast_gradcheck(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol,
                    check_grad_dtypes) -> None:
    """Compare ``v^T J u`` (random ``u`` per input, ``v`` per output) instead of all of ``J``.

    Numerically ``J u`` is one central difference along ``u``; analytically ``v^T J`` is
    one backward pass; each pair (input, output) then gives one number on each side.
    """
    Tensor = _tensor_cls()
    rng = np.random.default_rng(0)
    diff = _diff_inputs(inputs)
    all_u = [_random_unit(rng, t.numel()) for _, t in diff]
    all_v = [_random_unit(rng, o.numel()) for o in outputs]
    tensor_outs = [o for o in _as_tuple(func_out) if isinstance(o, Tensor)]
    diff_pos = [k for k, o in enumerate(tensor_outs) if o.requires_grad]

    numerical = []  # numerical[i][j] = v_j . (J_ij u_i)
    for (idx, inp), u in zip(diff, all_u):
        arr = inp._data
        xp = inp._xp()
        direction = xp.asarray(u.reshape(arr.shape).astype(arr.dtype))
        ju = _central_difference(func, inputs, arr, direction, eps, idx)
        if not outputs:
            for col in ju:
                if col.size and np.abs(col).max() > nondet_tol:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
            continue
        numerical.append([float(all_v[i] @ ju[pos]) for i, pos in enumerate(diff_pos)])
    if not outputs:
        return

    diff_tensors = [t for _, t in diff]
    for j, (o, v) in enumerate(zip(outputs, all_v)):
        g_out = Tensor._make(o._xp().asarray(v.reshape(o.shape).astype(o._data.dtype)))
        first = _grad_rows(_vjp(o, diff_tensors, g_out), diff_tensors, check_grad_dtypes)
        second = _grad_rows(_vjp(o, diff_tensors, g_out), diff_tensors, check_grad_dtypes)
        for i, (r1, r2, u) in enumerate(zip(first, second, all_u)):
            if r1.size and np.abs(r1 - r2).max() > nondet_tol:
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    f"gradient matches numerical gradient.The tolerance for nondeterminism was "
                    f"{nondet_tol}."
                )
            a, n = float(r1 @ u), numerical[i][j]
            # |v^T (A - N) u| may reach atol * sum(u) * sum(v) when every entry is within atol.
            tol = atol * float(u.sum()) * float(v.sum())
            if not _allclose(a, n, rtol, tol):
                raise GradcheckError(_mismatch_msg(a, n, j, i)
                                     + _slow_mode_detail(func, inputs, o, i, j, eps, rtol, atol))


def _slow_mode_detail(func, inputs, output, in_idx, out_idx, eps, rtol, atol) -> str:
    Tensor = _tensor_cls()
    tensor_outs = [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]
    diff_pos = [k for k, o in enumerate(tensor_outs) if o.requires_grad]
    arrays = [_host(o._data) for o in tensor_outs]
    n = _numerical_jacobian(func, inputs, arrays, eps)[in_idx][diff_pos[out_idx]]
    a = _analytical_jacobian(inputs, output, float("inf"), False)[in_idx]
    diff = float(np.abs(n - a).max()) if n.size else 0.0
    msg = ("\nThe above quantities relating the numerical and analytical jacobians are computed "
           "\nin fast mode. Below, we recompute numerical and analytical jacobians in slow mode:"
           f"\n\nNumerical:\n {Tensor._make(n)}\nAnalytical:\n{Tensor._make(a)}\n\n"
           f"The max per-element difference (slow mode) is: {diff}.\n")
    if _allclose(a, n, rtol, atol):
        msg += ("\nFast gradcheck failed but element-wise differences are small. This means "
                "that the test might've passed in slow_mode! Call gradcheck/gradgradcheck with "
                "`fast_mode=False`.")
    return msg


def _test_batched_grad(inputs, output, out_idx: int) -> None:
    """numtorch has no vmap; instead check what batching relies on: backward is linear in
    grad_output, ``vJ(a g1 + b g2) == a vJ(g1) + b vJ(g2)``."""
    Tensor = _tensor_cls()
    diff = [t for _, t in _diff_inputs(inputs)]
    rng = np.random.default_rng(1)
    xp = output._xp()
    g1, g2 = (xp.asarray(rng.standard_normal(output.shape).astype(output._data.dtype))
              for _ in range(2))
    a, b = 0.7, -1.3
    r1, r2, r12 = (_grad_rows(_vjp(output, diff, Tensor._make(g)), diff, False)
                   for g in (g1, g2, a * g1 + b * g2))
    for i, (x, y, z) in enumerate(zip(r1, r2, r12)):
        expected = a * x + b * y
        if not np.allclose(z, expected, rtol=1e-5, atol=1e-8):
            raise GradcheckError(
                f"For output {out_idx} and input {i}:\n\nbatched gradient check failed: the "
                "backward is not linear in grad_output (numtorch checks batched gradients by "
                "linearity, as it has no vmap).\n"
                f"Got: {Tensor._make(z)}\nExpected: {Tensor._make(expected)}"
            )


def _test_backward_mul_by_grad_output(outputs, inputs) -> None:
    from . import grad as autograd_grad

    Tensor = _tensor_cls()
    diff = [t for _, t in _diff_inputs(inputs)]
    zeros = [Tensor._make(o._xp().zeros(o.shape, dtype=o._data.dtype)) for o in outputs]
    grads = autograd_grad(outputs, diff, zeros, allow_unused=True)
    for g, inp in zip(grads, diff):
        if g is None:
            continue
        if np.any(_host(g.detach()._data) != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype is not inp.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.device != inp.device:
            raise GradcheckError("grad is incorrect device")
        if g.shape != inp.shape:
            raise GradcheckError("grad is incorrect size")


class _UndefinedGrad(ArrayFunction):
    """Identity whose backward sends no gradient on: an "undefined" output gradient."""

    node_name = "UndefinedGradBackward"

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return None


def _test_undefined_backward_mode(func, outputs, inputs) -> None:
    """Backward must cope when some output gradients are undefined (None)."""
    from . import grad as autograd_grad

    Tensor = _tensor_cls()
    diff = [t for _, t in _diff_inputs(inputs)]

    def check(outs) -> None:
        zeros = [Tensor._make(o._xp().zeros(o.shape, dtype=o._data.dtype)) for o in outs]
        try:
            grads = autograd_grad(outs, diff, zeros, allow_unused=True)
        except Exception as e:  # a Python backward fails with TypeError as often as not
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. Please look at "
                '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"'
            ) from e
        for g in grads:
            if g is not None and np.any(_host(g.detach()._data) != 0):
                raise GradcheckError(
                    "Expected all input grads to be undefined or zero when all output grads "
                    'are undefined or zero. Please look at "Notes about undefined output '
                    'gradients" in "tools/autograd/derivatives.yaml"'
                )

    check([_UndefinedGrad.apply(o) for o in _differentiable_outputs(func(*inputs))])
    if len(outputs) > 1:  # undefine one output gradient at a time
        for k in range(len(outputs)):
            outs = _differentiable_outputs(func(*inputs))
            check([_UndefinedGrad.apply(o) if i == k else o for i, o in enumerate(outs)])


def gradcheck(func, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0,
              check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
              check_batched_grad: bool = False, check_batched_forward_grad: bool = False,
              check_forward_ad: bool = False, check_backward_ad: bool = True,
              fast_mode: bool = False, masked: bool | None = None) -> bool:
    """Check the gradients of ``func`` against finite differences, as ``torch.autograd.gradcheck``.

    Args:
        func: takes ``*inputs``, returns a Tensor or a tuple of Tensors.
        inputs: a Tensor or a tuple of arguments; tensors with ``requires_grad=True``
            (float64 for meaningful results) are the ones checked.
        eps: finite-difference step.
        atol, rtol: tolerances of the comparison ``|a - n| <= atol + rtol * |n|``.
        raise_exception: raise ``GradcheckError`` on failure (else return False).
        nondet_tol: how much two identical backward passes may differ.
        check_undefined_grad: check that backward copes with undefined output grads.
        check_grad_dtypes: also require each gradient's dtype to equal its input's.
        check_batched_grad: check that backward is linear in grad_output (numtorch has no
            vmap, so this stands in for PyTorch's vmap-based check).
        fast_mode: compare random projections ``v^T J u`` instead of whole Jacobians.
        masked: accepted for compatibility (numtorch has no sparse tensors).

    Returns:
        True if every check passed.

    Example::

        >>> x = numtorch.randn(3, dtype=numtorch.float64, requires_grad=True)
        >>> numtorch.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
        True
    """
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True")
    if check_batched_grad and not check_backward_ad:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_backward_ad to be True")
    if check_forward_ad or check_batched_forward_grad:
        raise NotImplementedError("numtorch has no forward-mode AD: gradcheck supports "
                                  "check_forward_ad=False only")
    try:
        return _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
                          check_grad_dtypes, check_batched_grad, fast_mode)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_undefined_grad,
               check_grad_dtypes, check_batched_grad, fast_mode) -> bool:
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    with grad_mode.enable_grad():
        func_out = func(*inputs)
        outputs = _differentiable_outputs(func_out)
        check = _fast_gradcheck if fast_mode else _slow_gradcheck
        check(func, inputs, func_out, outputs, eps, rtol, atol, nondet_tol, check_grad_dtypes)
        if check_batched_grad:
            for i, o in enumerate(outputs):
                _test_batched_grad(inputs, o, i)
        if outputs:
            _test_backward_mul_by_grad_output(outputs, inputs)
            if check_undefined_grad:
                _test_undefined_backward_mode(func, outputs, inputs)
    return True


def _random_grad_output(x, noncontiguous: bool):
    """Uniform in [-1, 1), like the grad_outputs PyTorch's gradgradcheck makes up."""
    import numtorch

    Tensor = _tensor_cls()
    dt = x.dtype if x.dtype.is_floating_point else D.float64
    if hasattr(numtorch, "rand"):  # follow numtorch.manual_seed where the RNG exists
        values = _host(numtorch.rand(tuple(x.shape), dtype=D.float64)._data) * 2 - 1
    else:
        values = np.random.default_rng(0).uniform(-1, 1, tuple(x.shape))
    if noncontiguous and values.size > 1:
        big = np.empty(values.shape + (2,), dtype=dt.np)
        arr = big[..., 0]
        arr[...] = values
    else:
        arr = np.asarray(values, dtype=dt.np)  # (0-d arithmetic gives NumPy scalars)
    arr = x._xp().asarray(arr) if not isinstance(x._data, np.ndarray) else arr
    return Tensor._make(arr, requires_grad=True)


def gradgradcheck(func, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False,
                  raise_exception: bool = True, nondet_tol: float = 0.0,
                  check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False,
                  masked: bool = False) -> bool:
    """Check second derivatives of ``func``, as ``torch.autograd.gradgradcheck``.

    It gradchecks ``(inputs, grad_outputs) -> autograd.grad(func(inputs), inputs,
    grad_outputs, create_graph=True)``. ``grad_outputs`` default to random tensors in
    [-1, 1) that require grad (non-contiguous if ``gen_non_contig_grad_outputs``).
    """
    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True")
    if check_undefined_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_undefined_grad=True requires check_rev_over_rev to be True")
    if check_batched_grad and not check_rev_over_rev:
        raise AssertionError(
            "Setting check_batched_grad=True requires check_rev_over_rev to be True")
    from . import grad as autograd_grad

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        with grad_mode.enable_grad():
            outs = _differentiable_outputs(func(*inputs))
        grad_outputs = tuple(_random_grad_output(o, gen_non_contig_grad_outputs) for o in outs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    Tensor = _tensor_cls()
    diff_in = {i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad}

    def first_derivative(*args):
        ins = args[:len(args) - n_out] if n_out else args
        outs = _differentiable_outputs(func(*ins))
        grads = autograd_grad(outs, [x for i, x in enumerate(ins) if i in diff_in],
                              args[len(args) - n_out:], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(first_derivative, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, check_batched_grad=check_batched_grad,
                     fast_mode=fast_mode, check_forward_ad=check_fwd_over_rev, masked=masked)


# ``numtorch.autograd.gradcheck`` is the function (the package re-exports it over the module
# name), so hang the error class on it too: ``numtorch.autograd.gradcheck.GradcheckError``.
gradcheck.GradcheckError = GradcheckError
gradgradcheck.GradcheckError = GradcheckError
