"""Linear algebra: matrix products (BLAS through NumPy), einsum, and ``numtorch.linalg``.

Every product is one BLAS call where PyTorch makes one: ``a @ b`` on NumPy
arrays runs ``sgemm``/``dgemm`` (transposed operands are passed to BLAS as
transposes, not copied), and batched operands that share one matrix are folded
into a single ``gemm``. Backward formulas are written with these same
functions, so ``create_graph=True`` differentiates them again:

    C = A @ B        dA = dC @ B^T        dB = A^T @ dC

The second half of the file is ``numtorch.linalg`` (re-exported by
``numtorch/linalg.py``): norms, ``inv``, ``det``, ``solve``, ``cholesky``,
``qr``, ``svd``, ``eigh`` ... computed by NumPy's LAPACK, with the standard
matrix-calculus gradients (each derivation is summarised above its backward).
"""

from __future__ import annotations

import collections
import math
import string

import numpy as np

from .. import _dtype as D
from .. import _warnings, return_types
from .._input_check import type_name
from .._tensor import Tensor, _wrap_dim
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from ..backend import cpu as _cpu
from ._util import C_TYPE_NAMES, cast_operands, check_out, wrap_dims, write_out, xp_of

__all__ = [
    "matmul", "mm", "spmm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm",
    "addmv", "addr", "baddbmm", "addbmm", "einsum", "tensordot", "kron", "chain_matmul", "trace",
    "cross", "det", "logdet", "slogdet", "inverse", "svd", "qr", "cholesky",
    "pinverse", "matrix_power", "cdist", "pdist", "renorm",
    "matrix_exp", "lu", "lu_solve", "lu_unpack", "cholesky_solve", "cholesky_inverse",
    "triangular_solve", "orgqr", "eig", "symeig", "i0", "igamma", "igammac", "mvlgamma",
]

# Methods of Tensor that are these functions (see numtorch/_tensor.py).
TENSOR_METHODS = (
    "matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv",
    "addr", "baddbmm", "addbmm", "kron", "trace", "cross", "det", "logdet", "slogdet",
    "inverse", "svd", "qr", "cholesky", "pinverse", "matrix_power", "renorm",
    "matrix_exp", "lu", "lu_solve", "cholesky_solve", "cholesky_inverse", "triangular_solve",
    "orgqr", "eig", "symeig", "i0", "igamma", "igammac", "mvlgamma",
)
INPLACE_METHODS = ("addmm", "addmv", "addr", "baddbmm", "addbmm", "renorm", "i0", "igamma",
                   "igammac", "mvlgamma")


class LinAlgError(RuntimeError):
    """A LAPACK routine failed: the matrix is singular, or not positive-definite."""


# --- helpers -------------------------------------------------------------------

_CTYPE = C_TYPE_NAMES  # PyTorch prints C++ type names in some of its dtype errors


def _dims(shape) -> str:
    return "x".join(map(str, shape))


def _list(shape) -> str:
    return ", ".join(map(str, shape))


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _need_tensor(fn: str, arg: str, pos: int, x) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type_name(x)}")


def _no_bool(kernel: str, t) -> None:
    if t.dtype is D.bool:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _same_scalar_type(a, b) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected scalar type {a.dtype._legacy} but found "
                           f"{b.dtype._legacy}")


def _check_broadcast_to(t, target) -> None:
    """PyTorch's errors when ``t`` (the ``input`` of an ``add*`` op) cannot expand to ``target``."""
    shape = t.shape
    if len(shape) > len(target):
        raise RuntimeError(f"expand(numtorch.{t.dtype._legacy}Tensor{{[{_list(shape)}]}}, "
                           f"size=[{_list(target)}]): the number of sizes provided "
                           f"({len(target)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({len(shape)})")
    lead = len(target) - len(shape)
    for i, s in enumerate(shape):
        if s != 1 and s != target[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[lead + i]}) must match "
                               f"the existing size ({s}) at non-singleton dimension {lead + i}."
                               f"  Target sizes: [{_list(target)}].  Tensor sizes: "
                               f"[{_list(shape)}]")


def _broadcast_shapes(sa, sb) -> tuple:
    """Broadcast two shapes, with PyTorch's error."""
    n = max(len(sa), len(sb))
    sa, sb = (1,) * (n - len(sa)) + tuple(sa), (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(sa, sb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) "
                               f"at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


def _scalars(t, beta, alpha):
    """Integer ``add*`` ops use integer ``beta``/``alpha`` (PyTorch truncates them)."""
    if t.dtype.is_floating_point:
        return beta, alpha
    return int(beta), int(alpha)


def _out(result, out, name: str, *inputs):
    if out is None:
        return result
    check_out(out, name, *inputs)
    return write_out(out, result)


def _outs(results, out, name: str, *inputs):
    """``out=`` for ops that return several tensors (a tuple of outputs)."""
    if out is None:
        return results
    if not isinstance(out, (tuple, list)) or len(out) != len(results):
        raise TypeError(f"{name}(): argument 'out' must be tuple of {len(results)} Tensors")
    for o in out:
        check_out(o, name, *inputs)
    for o, r in zip(out, results):
        write_out(o, r)
    return type(results)(out)


def _const(arr):
    """A Tensor autograd treats as a constant (masks, identity matrices in backward formulas)."""
    return Tensor._make(arr)


def _eye_like(t, n: int, m: int | None = None):
    return _const(xp_of(t._data).eye(n, m, dtype=t._data.dtype))


# Named tuples that numtorch.return_types does not define (yet).
_LinalgInvEx = return_types.linalg_inv_ex
_LinalgSolveEx = return_types.linalg_solve_ex
_LinalgCholeskyEx = return_types.linalg_cholesky_ex
_LinalgLstsq = return_types.linalg_lstsq


# --- mm, bmm, mv, dot and their add* forms ----------------------------------------


def _mm(a, b):
    """``a @ b`` for two 2-D arrays. NumPy runs a product over an inner dimension of one (an
    outer product: a weight's gradient from a batch of one, or a layer with one input) in
    a plain loop, not BLAS: measured float32 (512, 1) @ (1, 784) 1.06 ms, the broadcast
    product ``a * b`` 0.26 ms -- the same numbers, one multiplication each."""
    if a.shape[1] == 1 and b.ndim == 2:
        return a * b
    return a @ b


class Mm(ArrayFunction):
    """``a @ b`` for two matrices: one BLAS gemm.  dA = dC @ B^T,  dB = A^T @ dC."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return _mm(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        if not grad_mode.enabled:
            # A plain backward: the two gemms on the arrays (what mm computes), without
            # a transpose op and mm's checks, which forward's operands already passed.
            g = grad._data
            return (Tensor._make(_mm(g, b._data.T)) if need[0] else None,
                    Tensor._make(_mm(a._data.T, g)) if need[1] else None)
        ga = mm(grad, b.t()) if need[0] else None
        gb = mm(a.t(), grad) if need[1] else None
        return ga, gb


def _check_mm_dtypes(a, b) -> None:
    da, db = a._data.dtype, b._data.dtype  # NumPy dtypes: cheaper than Tensor.dtype here
    if da is not db and da != db:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_CTYPE[a.dtype.name]} != {_CTYPE[b.dtype.name]}")
    if da == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")


def _check_mm_shapes(sa, sb) -> None:
    if sa[-1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(sa)} and "
                           f"{_dims(sb)})")


def mm(input, mat2, *, out=None):
    """Matrix product of two 2-D tensors: ``(n, m) @ (m, p) -> (n, p)``."""
    if not (isinstance(input, Tensor) and isinstance(mat2, Tensor)):
        _need_tensor("mm", "input", 1, input)
        _need_tensor("mm", "mat2", 2, mat2)
    if input._data.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2._data.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check_mm_shapes(input._data.shape, mat2._data.shape)
    _check_mm_dtypes(input, mat2)
    return _out(Mm.apply(input, mat2), out, "mm", input, mat2)


def spmm(input, mat2, *, out=None):
    """``mm`` under the name graph code uses for a sparse-times-dense product (the GCN
    example's ``torch.spmm(adj, support)``). numtorch's tensors are all dense (strided),
    and for those PyTorch's ``spmm`` is ``mm``: same result, ``MmBackward0``, ``mm``'s
    errors."""
    return mm(input, mat2, out=out)


class Addmm(ArrayFunction):
    """``beta * input + alpha * (a @ b)``: the fused op behind ``nn.Linear``.

    Forward is one gemm into a fresh array plus an in-place (broadcast) bias add;
    backward is two gemms on the saved operands (BLAS reads the transposes in place).
    """

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, bias, a, b, beta, alpha):
        need = ctx.needs_input_grad
        if need[0] or need[1] or need[2]:
            ctx.beta, ctx.alpha = beta, alpha
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
        out = _mm(a, b)
        if alpha != 1:
            out *= alpha
        if beta != 0:  # beta == 0 ignores input entirely, nan and inf included
            out += bias if beta == 1 else bias * beta
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        gbias = ga = gb = None
        if need[0]:
            gbias = grad if ctx.beta == 1 else grad * ctx.beta
        if need[1]:
            ga = mm(grad, b.t())
            if ctx.alpha != 1:
                ga = ga * ctx.alpha
        if need[2]:
            gb = mm(a.t(), grad)
            if ctx.alpha != 1:
                gb = gb * ctx.alpha
        return gbias, ga, gb, None, None


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape."""
    for i, (name, t) in enumerate((("input", input), ("mat1", mat1), ("mat2", mat2))):
        _need_tensor("addmm", name, i + 1, t)
    a, b = mat1._data, mat2._data
    for name, t in (("mat1", a), ("mat2", b)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t.ndim}-D tensor")
    _check_mm_shapes(a.shape, b.shape)
    if a.dtype != b.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{mat1.dtype._legacy} and {mat2.dtype._legacy}")
    if input._data.dtype != b.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{input.dtype._legacy} and {mat2.dtype._legacy}")
    _no_bool("addmm_impl_cpu_", mat1)
    target = (a.shape[0], b.shape[1])
    if input._data.shape != target and input._data.shape != target[1:]:
        _check_broadcast_to(input, target)
    if beta != 1 or alpha != 1:
        beta, alpha = _scalars(input, beta, alpha)
    return _out(Addmm.apply(input, mat1, mat2, beta, alpha), out, "addmm", input, mat1, mat2)


class Bmm(ArrayFunction):
    """A batch of matrix products: ``(b, n, m) @ (b, m, p) -> (b, n, p)``."""

    node_name = "BmmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return xp_of(a, b).matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = bmm(grad, b.mT) if ctx.needs_input_grad[0] else None
        gb = bmm(a.mT, grad) if ctx.needs_input_grad[1] else None
        return ga, gb


def _check_bmm(a, b) -> None:
    if a._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    sa, sb = a._data.shape, b._data.shape
    if sb[:2] != (sa[0], sa[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")


def bmm(input, mat2, *, out=None):
    """Batched matrix product of two 3-D tensors (no broadcasting; see ``matmul``)."""
    _need_tensor("bmm", "input", 1, input)
    _need_tensor("bmm", "mat2", 2, mat2)
    _check_bmm(input, mat2)
    _same_scalar_type(input, mat2)
    _no_bool("bmm", input)
    return _out(Bmm.apply(input, mat2), out, "bmm", input, mat2)


class Baddbmm(ArrayFunction):
    """``beta * input + alpha * bmm(batch1, batch2)``."""

    node_name = "BaddbmmBackward0"

    @staticmethod
    def forward(ctx, bias, a, b, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        need = ctx.needs_input_grad
        if need[1] or need[2]:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
        out = xp_of(a, b).matmul(a, b)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += bias if beta == 1 else bias * beta
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        gbias = grad * ctx.beta if need[0] else None
        ga = bmm(grad, b.mT) * ctx.alpha if need[1] else None
        gb = bmm(a.mT, grad) * ctx.alpha if need[2] else None
        return gbias, ga, gb, None, None


def _check_add_bmm_dtypes(input, b1, b2) -> None:
    if not (input.dtype is b1.dtype is b2.dtype):
        raise RuntimeError(f"Input dtypes must be the same, got: input "
                           f"{_CTYPE[input.dtype.name]}, batch1: {_CTYPE[b1.dtype.name]}, "
                           f"batch2: {_CTYPE[b2.dtype.name]}")
    _no_bool("bmm", b1)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * bmm(batch1, batch2)``; ``input`` broadcasts."""
    if batch1._data.ndim == 3 and batch2._data.ndim == 3:
        _check_broadcast_to(input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    _check_bmm(batch1, batch2)
    _check_add_bmm_dtypes(input, batch1, batch2)
    beta, alpha = _scalars(input, beta, alpha)
    return _out(Baddbmm.apply(input, batch1, batch2, beta, alpha), out, "baddbmm", input,
                batch1, batch2)


class Addbmm(ArrayFunction):
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``.

    The sum of products is one gemm: lay the batches side by side,
    ``[A_1 ... A_b] @ [B_1; ...; B_b]``.
    """

    node_name = "AddbmmBackward0"

    @staticmethod
    def forward(ctx, bias, a, b, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        need = ctx.needs_input_grad
        if need[1] or need[2]:
            ctx.save_for_backward(a if need[2] else None, b if need[1] else None)
        nb, n, m = a.shape
        out = a.transpose(1, 0, 2).reshape(n, nb * m) @ b.reshape(nb * m, b.shape[2])
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += bias if beta == 1 else bias * beta
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        need = ctx.needs_input_grad
        gbias = grad * ctx.beta if need[0] else None
        ga = matmul(grad, b.mT) * ctx.alpha if need[1] else None  # (n,p) @ (b,p,m) -> (b,n,m)
        gb = matmul(a.mT, grad) * ctx.alpha if need[2] else None  # (b,m,n) @ (n,p) -> (b,m,p)
        return gbias, ga, gb, None, None


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (sum of the batch of products)``."""
    if batch1._data.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if batch2._data.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    s1, s2 = batch1.shape, batch2.shape
    if s1[0] != s2[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {s1[0]} "
                           f"and {s2[0]}")
    if s1[2] != s2[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({s1[1]}x{s1[2]} and "
                           f"{s2[1]}x{s2[2]})")
    _check_broadcast_to(input, (s1[1], s2[2]))
    if input.dtype is not batch2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                           f"{input.dtype._legacy} and {batch2.dtype._legacy}")
    _check_add_bmm_dtypes(input, batch1, batch2)
    beta, alpha = _scalars(input, beta, alpha)
    return _out(Addbmm.apply(input, batch1, batch2, beta, alpha), out, "addbmm", input,
                batch1, batch2)


class Mv(ArrayFunction):
    """Matrix @ vector (BLAS gemv).  dA = dy ⊗ x,  dx = A^T @ dy."""

    node_name = "MvBackward0"

    @staticmethod
    def forward(ctx, a, v):
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(a if need[1] else None, v if need[0] else None)
        return a @ v

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx.saved_tensors
        ga = grad.unsqueeze(-1) * v if ctx.needs_input_grad[0] else None
        gv = mv(a.t(), grad) if ctx.needs_input_grad[1] else None
        return ga, gv


def _check_addmv(input_ndim, input_len, input_dtype, mat, vec) -> None:
    """PyTorch's addmv checks (mv and matmul-with-a-vector use them too)."""
    if input_ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {max(input_ndim, 1)}, "
                           f"{mat.ndim}, {vec.ndim}")
    _check_mv_sizes(input_len, mat.shape, vec.shape[0])
    _check_mv_dtypes(input_dtype, mat.dtype, vec.dtype)


def _check_mv_sizes(input_len, mat_shape, vec_len) -> None:
    n, m = mat_shape
    if m != vec_len or input_len not in (1, n):
        raise RuntimeError(f"size mismatch, got input ({input_len}), mat ({n}x{m}), vec "
                           f"({vec_len})")


def _check_mv_dtypes(input_dtype, mat_dtype, vec_dtype) -> None:
    if not (input_dtype is mat_dtype is vec_dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{input_dtype._legacy}, {mat_dtype._legacy}, and "
                           f"{vec_dtype._legacy}")
    if mat_dtype is D.bool:
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")


def mv(input, vec, *, out=None):
    """Matrix-vector product: ``(n, m) @ (m,) -> (n,)``."""
    _need_tensor("mv", "input", 1, input)
    _need_tensor("mv", "vec", 2, vec)
    n = input.shape[0] if input.ndim else 0
    _check_addmv(1, n, vec.dtype, input, vec)  # mv's result takes vec's dtype
    return _out(Mv.apply(input, vec), out, "mv", input, vec)


class Addmv(ArrayFunction):
    """``beta * input + alpha * (mat @ vec)``."""

    node_name = "AddmvBackward0"

    @staticmethod
    def forward(ctx, bias, a, v, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        need = ctx.needs_input_grad
        if need[1] or need[2]:
            ctx.save_for_backward(a if need[2] else None, v if need[1] else None)
        out = a @ v
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += bias if beta == 1 else bias * beta
        return out

    @staticmethod
    def backward(ctx, grad):
        a, v = ctx.saved_tensors
        need = ctx.needs_input_grad
        gbias = grad * ctx.beta if need[0] else None
        ga = grad.unsqueeze(-1) * (v * ctx.alpha) if need[1] else None
        gv = mv(a.t(), grad) * ctx.alpha if need[2] else None
        return gbias, ga, gv, None, None


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``."""
    n = input.shape[0] if input.ndim == 1 else 1
    _check_addmv(input.ndim, n, input.dtype, mat, vec)
    beta, alpha = _scalars(input, beta, alpha)
    return _out(Addmv.apply(input, mat, vec, beta, alpha), out, "addmv", input, mat, vec)


class Dot(ArrayFunction):
    """Inner product of two vectors.  da = dz * b,  db = dz * a."""

    node_name = "DotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return xp_of(a, b).asarray(xp_of(a, b).dot(a, b))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return (grad * b if ctx.needs_input_grad[0] else None,
                grad * a if ctx.needs_input_grad[1] else None)


class Vdot(Dot):
    """``dot`` with the first argument conjugated (the same thing for real tensors)."""

    node_name = "VdotBackward0"


def _check_dot(a, b) -> None:
    if a._data.ndim != 1 or b._data.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a._data.ndim}D and {b._data.ndim}D "
                           "tensors")
    n, m = a._data.shape[0], b._data.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to "
                           f"have the same number of elements, but got {n} and {m} elements "
                           "respectively")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{a.dtype._legacy} and {b.dtype._legacy}")
    _no_bool("dot", a)


def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors of the same dtype (a 0-d tensor)."""
    _need_tensor("dot", "input", 1, input)
    _need_tensor("dot", "tensor", 2, tensor)
    _check_dot(input, tensor)
    return _out(Dot.apply(input, tensor), out, "dot", input, tensor)


def vdot(input, other, *, out=None):
    """``dot`` with ``input`` conjugated; for real tensors the same as ``dot``."""
    _need_tensor("vdot", "input", 1, input)
    _need_tensor("vdot", "other", 2, other)
    _check_dot(input, other)
    return _out(Vdot.apply(input, other), out, "vdot", input, other)


def outer(input, vec2, *, out=None):
    """Outer product ``input[i] * vec2[j]`` (dtypes promote, as for ``mul``)."""
    from .pointwise import mul

    _need_tensor("outer", "vec2", 2, vec2)
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return _out(mul(input.unsqueeze(1), vec2), out, "outer", input, vec2)


ger = outer


class Addr(ArrayFunction):
    """``beta * input + alpha * outer(vec1, vec2)``."""

    node_name = "AddrBackward0"

    @staticmethod
    def forward(ctx, bias, v1, v2, beta, alpha):
        ctx.beta, ctx.alpha = beta, alpha
        ctx.save_for_backward(v1, v2)
        dt = D.result_type(bias, v1, v2).np
        out = v1.astype(dt, copy=False)[:, None] * v2.astype(dt, copy=False)
        if alpha != 1:
            out *= alpha
        if beta != 0:
            out += bias if beta == 1 else bias * beta
        return out

    @staticmethod
    def backward(ctx, grad):
        v1, v2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        gbias = grad * ctx.beta if need[0] else None
        g1 = mv(grad, v2.to(grad.dtype)) * ctx.alpha if need[1] else None
        g2 = mv(grad.t(), v1.to(grad.dtype)) * ctx.alpha if need[2] else None
        return gbias, g1, g2, None, None


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)``; dtypes promote."""
    for name, t in (("vec1", vec1), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t.ndim}-D")
    _check_broadcast_to(input, (vec1.shape[0], vec2.shape[0]))
    dt = D.result_type(input, vec1, vec2)
    if not dt.is_floating_point:
        beta, alpha = int(beta), int(alpha)
    return _out(Addr.apply(input, vec1, vec2, beta, alpha), out, "addr", input, vec1, vec2)


# --- matmul --------------------------------------------------------------------------


class Matmul(ArrayFunction):
    """``a @ b`` with a 1-D or batched (>2-D) operand; batch dims broadcast.

    PyTorch computes these cases by reshaping into mm/bmm, so its result's
    grad_fn prints as UnsafeViewBackward0; we compute them in one kernel and
    print the same name. When ``b`` is one matrix (or vector) shared by a batch
    of ``a``, the batch is folded into the rows of a single gemm, as PyTorch does.
    """

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.ndims = a.ndim, b.ndim
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        if a.ndim > 2 and b.ndim <= 2:
            out = a.reshape(-1, a.shape[-1]) @ b
            return out.reshape(a.shape[:-1] + b.shape[1:])
        return xp_of(a, b).matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        nda, ndb = ctx.ndims
        # Treat 1-D operands as a row (a) / column (b) matrix, as the forward did.
        g = grad.unsqueeze(-2) if nda == 1 else grad
        g = g.unsqueeze(-1) if ndb == 1 else g
        ga = gb = None
        if ctx.needs_input_grad[0]:
            bm = b.unsqueeze(-1) if ndb == 1 else b
            ga = matmul(g, bm.mT)  # batch dims of a that were broadcast: the engine sums them
            if nda == 1:
                ga = ga.squeeze(-2)
        if ctx.needs_input_grad[1]:
            am = a.unsqueeze(-2) if nda == 1 else a
            if nda > 2 and ndb <= 2:  # b was shared by the whole batch: one folded gemm
                gb = mm(am.reshape(-1, am.shape[-1]).t(), g.reshape(-1, g.shape[-1]))
            else:
                gb = matmul(am.mT, g)
            if ndb == 1:
                gb = gb.squeeze(-1)
        return ga, gb


class _VecMat(Matmul):
    """vector @ matrix (PyTorch: unsqueeze, mm, squeeze)."""

    node_name = "SqueezeBackward4"


def matmul(input, other, *, out=None):
    """Matrix product with PyTorch's rules for 1-D operands and broadcast batch dimensions.

    1-D @ 1-D is ``dot``, 2-D @ 2-D is ``mm``, 2-D @ 1-D is ``mv``; a 1-D operand
    otherwise acts as a row (left) or column (right) vector that is removed from
    the result; more dimensions are batch dimensions that broadcast.
    """
    if not (isinstance(input, Tensor) and isinstance(other, Tensor)):
        _need_tensor("matmul", "input", 1, input)
        _need_tensor("matmul", "other", 2, other)
    sa, sb = input._data.shape, other._data.shape
    da, db = len(sa), len(sb)
    if da == 2 and db == 2:  # the hot path: nn layers and most user code
        _check_mm_shapes(sa, sb)
        _check_mm_dtypes(input, other)
        result = Mm.apply(input, other)
    elif da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D")
    elif da == 1 and db == 1:
        _check_dot(input, other)
        result = Dot.apply(input, other)
    elif db == 1:  # (batch of) matrix @ vector: PyTorch folds the batch into one mv
        rows = _prod(sa[:-1])
        _check_mv_sizes(rows, (rows, sa[-1]), sb[0])
        _check_mv_dtypes(other.dtype, input.dtype, other.dtype)
        result = Mv.apply(input, other) if da == 2 else Matmul.apply(input, other)
    elif da == 1 and db == 2:
        _check_mm_shapes((1, sa[0]), sb)
        _check_mm_dtypes(input, other)
        result = _VecMat.apply(input, other)
    elif db == 2:  # batch @ one matrix
        _check_mm_shapes((_prod(sa[:-1]), sa[-1]), sb)
        _check_mm_dtypes(input, other)
        result = Matmul.apply(input, other)
    else:
        batch = _broadcast_shapes(sa[:-2], sb[:-2])
        k = sb[-2]
        if sa[-1] != k:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                               f"[{_prod(batch)}, {sa[-1]}] but got: [{_prod(batch)}, {k}].")
        _same_scalar_type(input, other)
        _no_bool("bmm", input)
        result = Matmul.apply(input, other)
    return _out(result, out, "matmul", input, other)


# --- einsum, tensordot, kron, multi_dot, trace, cross -------------------------------------


def _einsum_parse(equation: str, shapes):
    """Explicit subscripts for an einsum equation: ``...`` and the implicit output resolved.

    Returns ``(subs, out, sizes)``: one letter string per operand (one letter per
    dim), the output's letters, and each letter's size (broadcast over operands).
    """
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    for offset, part, allowed in ((0, lhs, ".,"), (len(lhs) + 2, rhs, ".")):
        for i, c in enumerate(part):
            if not (c in allowed or (c.isascii() and c.isalpha())):
                raise RuntimeError(f"einsum(): invalid subscript given at index {offset + i} in "
                                   "the equation string, subscripts must be in [a-zA-Z]")
    terms = lhs.split(",")
    if len(terms) > len(shapes):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    # Letters for the dims an ellipsis covers: ones the equation does not use.
    unused = [c for c in string.ascii_letters if c not in eq]
    n_ell = []
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        letters = term.replace("...", "")
        if "." in letters:
            raise RuntimeError("einsum(): found '.' for operand " + str(k) + " that is not part "
                               "of any ellipsis")
        if "..." in term:
            if len(letters) > len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(letters)}) is more than the number of dimensions "
                                   f"({len(shape)}) for operand {k}")
            n_ell.append(len(shape) - len(letters))
        else:
            if len(letters) != len(shape):
                raise RuntimeError(f"einsum(): the number of subscripts in the equation "
                                   f"({len(letters)}) does not match the number of dimensions "
                                   f"({len(shape)}) for operand {k} and no ellipsis was given")
            n_ell.append(0)
    ell = "".join(unused[:max(n_ell, default=0)])
    subs = [t.replace("...", ell[len(ell) - n:]) for t, n in zip(terms, n_ell)]

    sizes = {}
    for k, (sub, shape) in enumerate(zip(subs, shapes)):
        mine = {}
        for c, s in zip(sub, shape):
            if c in mine and mine[c] != s:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the "
                                   f"sizes don't match, {s} != {mine[c]}")
            mine[c] = s
        for c, s in mine.items():
            seen = sizes.get(c)
            if seen is not None and seen != s and seen != 1 and s != 1:
                if c in ell:
                    raise RuntimeError(f"einsum(): dimension {ell.index(c) - len(ell) + n_ell[k]}"
                                       f" covered by ellipsis in operand {k}has size {s} which "
                                       "does not broadcast with previously seen ellipsis with "
                                       f"size {seen} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {k} which "
                                   f"does not broadcast with previously seen size {seen}")
            sizes[c] = s if seen is None or seen == 1 else seen

    if arrow:
        if rhs.count("...") > 1 or "." in rhs.replace("...", ""):
            raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was "
                               "already found")
        out = rhs.replace("...", ell)
        for c in out:
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
            if out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                                   "the output")
    else:  # implicit output: the ellipsis dims, then the letters used once, in ASCII order
        counts = collections.Counter("".join(terms).replace(".", ""))
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1))
    return subs, out, sizes


class Einsum(ArrayFunction):
    """A sum of products over the letters of an einsum equation (``numpy.einsum``).

    Backward: the gradient of an operand is the einsum of the output gradient
    with the other operands, into that operand's letters. Letters the operand
    summed alone are broadcast back; repeated letters (a diagonal) are put back
    on the diagonal with identity matrices.
    """

    node_name = "ViewBackward0"  # what PyTorch's einsum (a reshape of bmm) usually prints

    @staticmethod
    def forward(ctx, spec, *arrays):
        subs, out, sizes = spec
        ctx.spec = spec
        if any(ctx.needs_input_grad):
            ctx.save_for_backward(*arrays)
        xp = xp_of(*arrays)
        # NumPy's default loop is fast for small work; its BLAS path (optimize) costs
        # ~40us of planning, which pays off once the loop would do ~1e5 multiply-adds.
        work = _prod(sizes.values())
        optimize = len(arrays) > 1 and work > 100_000 and "greedy"
        res = xp.einsum(",".join(subs) + "->" + out, *arrays, optimize=optimize)
        if isinstance(res, np.generic):
            return xp.asarray(res)
        if any(xp.may_share_memory(res, a) for a in arrays):  # einsum('ij->ji') is a view
            res = res.copy()
        return res

    @staticmethod
    def backward(ctx, grad):
        subs, out, sizes = ctx.spec
        ops = ctx.saved_tensors
        grads = [None]
        for k, need in enumerate(ctx.needs_input_grad[1:]):
            if not need:
                grads.append(None)
                continue
            rest = [(s, t) for j, (s, t) in enumerate(zip(subs, ops)) if j != k]
            grads.append(_einsum_grad(subs[k], ops[k].shape, [(out, grad)] + rest))
        return tuple(grads)


class _EinsumPermute(Einsum):
    node_name = "PermuteBackward0"


class _EinsumSum(Einsum):
    node_name = "SumBackward1"


def _einsum_grad(target: str, shape, terms):
    """``einsum(terms -> target)`` where ``target`` may repeat letters or use letters that
    only the target has (the gradient of one einsum operand)."""
    have = set("".join(s for s, _ in terms))
    uniq = "".join(dict.fromkeys(target))
    size = {c: shape[target.index(c)] for c in uniq}
    present = "".join(c for c in uniq if c in have)
    eq = ",".join(s for s, _ in terms) + "->" + present
    r = einsum(eq, *[t for _, t in terms])
    if present != uniq:  # letters summed only inside this operand: constant along them
        r = r.reshape(tuple(r.shape[present.index(c)] if c in present else 1 for c in uniq))
        r = r.expand(tuple(r.shape[i] if c in present else size[c] for i, c in enumerate(uniq)))
    if uniq != target:  # repeated letters: a diagonal in the forward, scatter back onto it
        spare = iter(c for c in string.ascii_letters if c not in target)
        sub, deltas = [], []
        for i, c in enumerate(target):
            if c in target[:i]:
                fresh = next(spare)
                sub.append(fresh)
                deltas.append(c + fresh)
            else:
                sub.append(c)
        eyes = [_eye_like(r, size[d[0]]) for d in deltas]
        r = einsum(",".join([uniq] + deltas) + "->" + "".join(sub), r, *eyes)
    if tuple(r.shape) != tuple(shape):  # the operand was broadcast against bigger ones
        r = r.expand(_broadcast_shapes(r.shape, shape))
    return r


def einsum(equation, *operands):
    """Sum of products in Einstein notation: ``einsum('bij,bjk->bik', a, b)``.

    Supports ``...`` for broadcast batch dims, the implicit output (letters used
    once, in alphabetical order) and the sublist form ``einsum(a, [0, 1], b, [1, 2])``.
    """
    if not isinstance(equation, str):  # sublist form
        equation, operands = _einsum_sublist((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError(f"einsum(): argument 'tensors' must be tuple of Tensors, not "
                            f"{type(t).__name__}")
    if not operands:
        raise RuntimeError("einsum(): must provide at least one operand")
    for t in operands[1:]:
        _same_scalar_type(operands[0], t)
    subs, out, sizes = _einsum_parse(equation, [t.shape for t in operands])
    cls = Einsum
    if not out:
        cls = _EinsumSum
    elif len(subs) == 1 and sorted(subs[0]) == sorted(out):
        cls = _EinsumPermute
    return cls.apply((subs, out, sizes), *operands)


def _einsum_sublist(args):
    """``(a, [0, 1], b, [1, 2], [0, 2])`` -> ``('ab,bc->ac', (a, b))``."""
    letters = string.ascii_letters

    def sub(lst):
        return "".join("..." if i is Ellipsis else letters[i] for i in lst)

    ops, terms = args[0::2], args[1::2]
    out = None
    if len(args) % 2 == 1:
        ops, out = ops[:-1], args[-1]
    eq = ",".join(sub(t) for t in terms)
    if out is not None:
        eq += "->" + sub(out)
    return eq, tuple(ops)


class Tensordot(ArrayFunction):
    """Contract dims ``da`` of ``a`` with dims ``db`` of ``b`` (one BLAS gemm after transposes).

    The result's dims are a's free dims then b's; the gradient of ``a`` contracts
    the output gradient with b over b's free dims, then puts a's dims back in order.
    """

    node_name = "ViewBackward0"  # PyTorch: permute, reshape, mm, then view

    @staticmethod
    def forward(ctx, a, b, da, db):
        ctx.dims = da, db
        ctx.ndims = a.ndim, b.ndim
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return xp_of(a, b).tensordot(a, b, axes=(da, db))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        da, db = ctx.dims
        na, nb = ctx.ndims
        fa = [i for i in range(na) if i not in da]
        fb = [j for j in range(nb) if j not in db]
        ga = gb = None
        if ctx.needs_input_grad[0]:
            r = tensordot(grad, b, dims=(list(range(len(fa), len(fa) + len(fb))), fb))
            # r's dims: a's free dims, then b's contracted dims in b's order (paired with da)
            order = fa + [da[db.index(j)] for j in sorted(db)]
            ga = r.permute(tuple(order.index(i) for i in range(na)))
        if ctx.needs_input_grad[1]:
            r = tensordot(a, grad, dims=(fa, list(range(len(fa)))))
            order = [db[da.index(i)] for i in sorted(da)] + fb
            gb = r.permute(tuple(order.index(j) for j in range(nb)))
        return ga, gb, None, None


def tensordot(a, b, dims=2, out=None):
    """Sum over ``dims`` (the last ``dims`` of ``a`` with the first of ``b``, or two lists)."""
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
        shown_a, shown_b = [d - a.ndim for d in da], db
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        shown_a, shown_b = da, db
        da = [_wrap_dim(d, a.ndim) for d in da]
        db = [_wrap_dim(d, b.ndim) for d in db]
    for i, j, si, sj in zip(da, db, shown_a, shown_b):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[i]} in dim {si} and second has size {b.shape[j]} in "
                               f"dim {sj}")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    _no_bool("dot", a)
    return _out(Tensordot.apply(a, b, da, db), out, "tensordot", a, b)


def inner(input, other, *, out=None):
    """Sum over the last dim of both: ``inner(a, b)[i, j] = sum_k a[i, k] * b[j, k]``."""
    _need_tensor("inner", "other", 2, other)
    if input.ndim == 0 or other.ndim == 0:
        from .pointwise import mul

        return _out(mul(input, other), out, "inner", input, other)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but "
                           f"got shapes [{_list(input.shape)}] and [{_list(other.shape)}]")
    return _out(tensordot(input, other, dims=([-1], [-1])), out, "inner", input, other)


class Kron(ArrayFunction):
    """Kronecker product: every ``a[i] * b`` block laid out in a grid.

    With ``a`` reshaped to ``(a0, 1, a1, 1, ...)`` and ``b`` to ``(1, b0, 1, b1, ...)``
    the product broadcasts to ``(a0, b0, a1, b1, ...)``, which reshapes to the result.
    """

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, b):
        nd = max(a.ndim, b.ndim)
        sa = (1,) * (nd - a.ndim) + a.shape
        sb = (1,) * (nd - b.ndim) + b.shape
        ctx.sa, ctx.sb = sa, sb
        ctx.save_for_backward(a, b)
        a2, b2 = cast_operands(a, b)
        prod = a2.reshape(_interleave(sa, (1,) * nd)) * b2.reshape(_interleave((1,) * nd, sb))
        return prod.reshape(tuple(x * y for x, y in zip(sa, sb)))

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        sa, sb = ctx.sa, ctx.sb
        nd = len(sa)
        g = grad.reshape(_interleave(sa, sb))
        ga = gb = None
        if ctx.needs_input_grad[0]:
            bb = b.to(grad.dtype).reshape(_interleave((1,) * nd, sb))
            ga = (g * bb).sum(tuple(range(1, 2 * nd, 2))).reshape(a.shape)
        if ctx.needs_input_grad[1]:
            aa = a.to(grad.dtype).reshape(_interleave(sa, (1,) * nd))
            gb = (g * aa).sum(tuple(range(0, 2 * nd, 2))).reshape(b.shape)
        return ga, gb


def _interleave(x, y) -> tuple:
    return tuple(v for pair in zip(x, y) for v in pair)


def kron(input, other, *, out=None):
    """Kronecker product; dtypes promote as for ``mul``."""
    _need_tensor("kron", "other", 2, other)
    return _out(Kron.apply(input, other), out, "kron", input, other)


def _chain_order(dims):
    """The cheapest parenthesisation of a chain of matrix products (dynamic programming).

    ``dims[i], dims[i + 1]`` is the shape of matrix ``i``. Returns ``split[i][j]``.
    """
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def multi_dot(tensors, *, out=None):
    """``A @ B @ C ...`` in the cheapest order; the first/last may be 1-D (row/column)."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, t in enumerate(tensors):
        where = "first" if i == 0 else "last" if i == n - 1 else None
        if where and t.ndim not in (1, 2):
            raise RuntimeError(f"multi_dot(): the {where} tensor must be 1D or 2D but got "
                               f"{t.ndim}D")
        if not where and t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but "
                               f"tensor 0 is {_CTYPE[tensors[0].dtype.name]} and tensor {i} "
                               f"{_CTYPE[t.dtype.name]}")
    mats = list(tensors)
    if mats[0].ndim == 1:
        mats[0] = mats[0].unsqueeze(0)
    if mats[-1].ndim == 1:
        mats[-1] = mats[-1].unsqueeze(1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"[{_list(tensors[i].shape)}] and [{_list(tensors[i + 1].shape)}] "
                               "cannot be multiplied")
    split = _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]])

    def product(i, j):
        if i == j:
            return mats[i]
        k = split[i][j]
        return mm(product(i, k), product(k + 1, j))

    result = product(0, n - 1) if n > 2 else mm(mats[0], mats[1])
    if tensors[0].ndim == 1:
        result = result.squeeze(0)
    if tensors[-1].ndim == 1:
        result = result.squeeze(-1)
    return _out(result, out, "multi_dot", *tensors)


def chain_matmul(*matrices, out=None):
    """Deprecated form of ``linalg.multi_dot`` taking the matrices as arguments."""
    _warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                   "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                   "more tensors rather than multiple parameters.".replace("torch.", "numtorch."),
                   UserWarning)
    if len(matrices) == 0:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for t in matrices:
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return _out(matrices[0] * 1, out, "chain_matmul", *matrices)
    return _out(multi_dot(matrices), out, "chain_matmul", *matrices)


class Trace(ArrayFunction):
    """Sum of the main diagonal.  dA = dz * I."""

    node_name = "TraceBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        kind = x.dtype.kind
        return xp_of(x).asarray(x.trace(dtype=np.int64 if kind in "biu" else None))

    @staticmethod
    def backward(ctx, grad):
        n, m = ctx.shape
        return grad * _eye_like(grad, n, m)


def trace(input):
    """Sum of the diagonal of a 2-D tensor (integer traces are int64)."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    _no_bool("trace", input)
    return Trace.apply(input)


class LinalgCross(ArrayFunction):
    """Cross product of 3-vectors along ``dim``.  da = b x g,  db = g x a."""

    node_name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx, a, b, dim):
        ctx.dim = dim
        ctx.save_for_backward(a, b)
        return xp_of(a, b).cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga = linalg_cross(b, grad, dim=ctx.dim) if ctx.needs_input_grad[0] else None
        gb = linalg_cross(grad, a, dim=ctx.dim) if ctx.needs_input_grad[1] else None
        return ga, gb, None


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of two (broadcast) batches of 3-vectors along ``dim``."""
    _need_tensor("linalg_cross", "other", 2, other)
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    _broadcast_shapes(input.shape, other.shape)
    _no_bool("cross", input)
    _same_scalar_type(input, other)
    return _out(LinalgCross.apply(input, other, d), out, "linalg_cross", input, other)


def cross(input, other, dim=None, *, out=None):
    """Cross product; without ``dim``, along the first dim of size 3 (deprecated)."""
    _need_tensor("cross", "other", 2, other)
    if dim is None:
        _warnings.warn("Using numtorch.cross without specifying the dim arg is deprecated.\n"
                       "Please either pass the dim explicitly or simply use "
                       "numtorch.linalg.cross.\nThe default value of dim will change to agree "
                       "with that of linalg.cross in a future release.", UserWarning)
        shape = _broadcast_shapes(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return linalg_cross(input, other, dim=dim, out=out)


# --- numtorch.linalg: checks and errors ------------------------------------------------


def _check_float(name: str, A) -> None:
    if not A.dtype.is_floating_point:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{A.dtype._legacy}")
    if A.dtype is D.float16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")


def _need_matrices(name: str, t, arg: str = "A") -> None:
    if t.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def _need_square(name: str, A) -> None:
    _need_matrices(name, A)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _check_matrix(name: str, A, square: bool = True) -> None:
    if square:
        _need_square(name, A)
    else:
        _need_matrices(name, A)
    _check_float(name, A)


def _check_ab_shapes(name: str, n: int, b_shape, left: bool) -> None:
    """``B``'s matrix dims against an n x n ``A`` in ``A X = B`` (or ``X A = B``)."""
    if len(b_shape) < 2 or (b_shape[-2] if left else b_shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"{name}: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {_dims(b_shape[-2:])})")


def _batches(a):
    """(flat batch index, matrix) pairs of an array of matrices, for error reporting."""
    return list(enumerate(np.asarray(a).reshape((-1,) + a.shape[-2:])))


def _first_zero_pivot(m):
    """1-based column where LU with partial pivoting meets an exact zero pivot, or None.

    This is LAPACK getrf's ``info``, which PyTorch reports for singular matrices;
    only run on the error path, after NumPy has said the matrix is singular.
    """
    a = np.array(m, copy=True)
    n = a.shape[0]
    for k in range(n):
        p = k + int(np.argmax(np.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= np.outer(a[k + 1:, k], a[k, k + 1:])
    return None


def _failed_minor(m):
    """1-based order of the first leading minor that is not positive-definite, or None.

    This is LAPACK potrf's ``info``, which PyTorch reports; only run on the error path.
    """
    a = np.tril(m)
    n = a.shape[0]
    L = np.zeros_like(a)
    for j in range(n):
        d = a[j, j] - L[j, :j] @ L[j, :j]
        if not d > 0:  # also catches nan
            return j + 1
        L[j, j] = np.sqrt(d)
        L[j + 1:, j] = (a[j + 1:, j] - L[j + 1:, :j] @ L[j, :j]) / L[j, j]
    return None


def _not_pd_error(a):
    for idx, m in _batches(a):
        k = _failed_minor(m)
        if k is not None:
            return LinAlgError(f"linalg.cholesky: {_batch_prefix(idx, a)}The factorization could "
                               "not be completed because the input is not positive-definite "
                               f"(the leading minor of order {k} is not positive-definite).")
    return LinAlgError("linalg.cholesky: The factorization could not be completed because the "
                       "input is not positive-definite.")


def _batch_prefix(i: int, a) -> str:
    return f"(Batch element {i}): " if a.ndim > 2 else ""


def _singular_error(name: str, a):
    for idx, m in _batches(a):
        k = _first_zero_pivot(m)
        if k is not None:
            return LinAlgError(f"{name}: {_batch_prefix(idx, a)}The diagonal element {k} is "
                               "zero, the inversion could not be completed because the input "
                               "matrix is singular.")
    return LinAlgError(f"{name}: The inversion could not be completed because the input matrix "
                       "is singular.")


# --- inv, det, slogdet, solve ---------------------------------------------------------


class LinalgInv(ArrayFunction):
    """Matrix inverse.  d(A^-1) = -A^-1 dA A^-1, so dA = -A^-T g A^-T."""

    node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        try:
            out = xp_of(a).linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular_error("linalg.inv", a) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (ainv,) = ctx.saved_tensors
        t = ainv.mT
        return -matmul(matmul(t, grad), t)


def inv(A, *, out=None):
    """Inverse of a square matrix (or a batch of them); raises ``LinAlgError`` if singular."""
    _check_matrix("linalg.inv", A)
    return _out(LinalgInv.apply(A), out, "linalg_inv", A)


def inverse(input, *, out=None):
    """Alias of ``numtorch.linalg.inv``."""
    return inv(input, out=out)


def inv_ex(A, *, check_errors=False, out=None):
    """``inv`` that reports singular matrices in ``info`` (getrf's) instead of raising.

    The inverses of the singular matrices of a batch are nan; the others are exact.
    """
    _check_matrix("linalg.inv_ex", A)
    try:
        result = LinalgInv.apply(A)
        info = np.zeros(A.shape[:-2], dtype=np.int32)
    except LinAlgError:
        if check_errors:
            raise
        a = A._data
        info = np.array([_first_zero_pivot(m) or 0 for _, m in _batches(a)],
                        dtype=np.int32).reshape(A.shape[:-2])
        bad = (info != 0)[..., None, None].astype(a.dtype)
        eye = np.eye(a.shape[-1], dtype=a.dtype)
        safe = A * _const(1 - bad) + _const(bad * eye)  # singular ones -> I, then nan
        nan = np.where(bad, np.nan, 0).astype(a.dtype)
        result = LinalgInv.apply(safe) * _const(1 - bad) + _const(nan)
    return _LinalgInvEx((_out(result, out, "linalg_inv_ex", A), _const(info)))


class LinalgDet(ArrayFunction):
    """Determinant.  d det(A) = det(A) tr(A^-1 dA), so dA = g det(A) A^-T = g adj(A)^T.

    For a singular matrix ``A^-1`` does not exist but the adjugate does: from the SVD
    ``A = U S V^T``, ``adj(A)^T = det(U) det(V) U diag(prod_{j!=i} s_j) V^T``.
    """

    node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        d = xp_of(a).asarray(xp_of(a).linalg.det(a))
        ctx.save_for_backward(a, d)
        return d

    @staticmethod
    def backward(ctx, grad):
        a, d = ctx.saved_tensors
        scale = (grad * d).unsqueeze(-1).unsqueeze(-1)
        singular = d._data == 0
        if not singular.any():
            return scale * inv(a).mT
        # Swap each singular matrix for I so inv() works; its gradient comes from the SVD.
        xp = xp_of(a._data)
        mask = singular[..., None, None].astype(a._data.dtype)
        eye = xp.eye(a.shape[-1], dtype=a._data.dtype)
        safe = a * _const(1 - mask) + _const(mask * eye)
        adj_t = _const(_adjugate_t(a._data, singular))
        return scale * inv(safe).mT + grad.unsqueeze(-1).unsqueeze(-1) * adj_t


def _adjugate_t(a, singular):
    """``adj(A)^T`` for the matrices marked ``singular`` (zeros elsewhere), via the SVD."""
    xp = xp_of(a)
    out = xp.zeros_like(a)
    u, s, vh = xp.linalg.svd(a[singular])
    n = s.shape[-1]
    others = xp.ones_like(s)  # prod_{j != i} s_j
    for i in range(n):
        for j in range(n):
            if i != j:
                others[..., i] *= s[..., j]
    sign = xp.linalg.det(u) * xp.linalg.det(vh)
    out[singular] = sign[..., None, None] * (u * others[..., None, :]) @ vh
    return out


def det(A, *, out=None):
    """Determinant of a square matrix (or batch)."""
    _check_matrix("linalg.det", A)
    return _out(LinalgDet.apply(A), out, "linalg_det", A)


class LinalgSlogdet(ArrayFunction):
    """Sign and log|det|.  d log|det A| = tr(A^-1 dA), so dA = g A^-T (the sign has none)."""

    node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, a):
        sign, logabs = xp_of(a).linalg.slogdet(a)
        ctx.save_for_backward(a)
        xp = xp_of(a)
        return xp.asarray(sign), xp.asarray(logabs)

    @staticmethod
    def backward(ctx, gsign, glogabs):
        (a,) = ctx.saved_tensors
        return glogabs.unsqueeze(-1).unsqueeze(-1) * inv(a).mT


def linalg_slogdet(A, *, out=None):
    """``(sign, log|det A|)``: the determinant without overflow."""
    _check_matrix("linalg.slogdet", A)
    return _outs(return_types.linalg_slogdet(LinalgSlogdet.apply(A)), out, "linalg_slogdet", A)


def slogdet(input, *, out=None):
    """``(sign, log|det A|)`` as ``numtorch.return_types.slogdet``."""
    _check_matrix("linalg.slogdet", input)
    return _outs(return_types.slogdet(LinalgSlogdet.apply(input)), out, "slogdet", input)


def logdet(input):
    """``log(det A)``: nan (with zero gradient) where the determinant is negative."""
    sign, logabs = slogdet(input)
    negative = sign._data < 0
    xp = xp_of(logabs._data)
    keep = _const((~negative).astype(logabs._data.dtype))
    return logabs * keep + _const(xp.where(negative, np.nan, 0).astype(logabs._data.dtype))


class LinalgSolve(ArrayFunction):
    """``X = A^-1 B`` (``left``) or ``X = B A^-1``, by LU (LAPACK gesv).

    left:  dX = A^-1 dB - A^-1 dA X   =>  gB = A^-T g,  gA = -gB X^T
    right: dX = dB A^-1 - X dA A^-1   =>  gB = g A^-T,  gA = -X^T gB
    """

    node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b, vector, left):
        ctx.vector, ctx.left = vector, left
        xp = xp_of(a, b)
        aa, bb = a, b[..., None] if vector else b
        if not left:  # X A = B  <=>  A^T X^T = B^T
            aa, bb = aa.swapaxes(-1, -2), bb.swapaxes(-1, -2)
        try:
            x = xp.linalg.solve(aa, bb)
        except np.linalg.LinAlgError:
            raise LinAlgError("numtorch.linalg.solve: The solver failed because the input "
                              "matrix is singular.") from None
        if not left:
            x = x.swapaxes(-1, -2)
        if vector:
            x = x[..., 0]
        ctx.save_for_backward(a, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        gb = solve(a.mT, grad, left=ctx.left)
        ga = None
        if ctx.needs_input_grad[0]:
            if ctx.vector:
                ga = -(gb.unsqueeze(-1) * x.unsqueeze(-2))
            elif ctx.left:
                ga = -matmul(gb, x.mT)
            else:
                ga = -matmul(x.mT, gb)
        return ga, gb if ctx.needs_input_grad[1] else None, None, None


def solve(A, B, *, left=True, out=None):
    """Solve ``A X = B`` (or ``X A = B`` with ``left=False``) for square ``A``.

    ``B`` is a batch of vectors when it is 1-D or has ``A``'s shape without its last dim.
    """
    _check_matrix("linalg.solve", A)
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {A.dtype._legacy} and B of type {B.dtype._legacy} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    bs = tuple(B.shape) + (1,) if vector else tuple(B.shape)
    _check_ab_shapes("linalg.solve", A.shape[-1], bs, left)
    _broadcast_shapes(A.shape[:-2], bs[:-2])
    return _out(LinalgSolve.apply(A, B, vector, left), out, "linalg_solve", A, B)


class _LinalgSolveTriangular(LinalgSolve):
    node_name = "LinalgSolveTriangularBackward0"


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """Solve ``A X = B`` (or ``X A = B``) reading only ``A``'s upper or lower triangle.

    The other triangle is masked off before an LU solve, so its gradient is zero.
    """
    _check_matrix("linalg.solve_triangular", A)
    _need_matrices("linalg.solve_triangular", B, "B")
    n = A.shape[-1]
    _check_ab_shapes("linalg.solve_triangular", n, B.shape, left)
    xp, dt = xp_of(A._data), A._data.dtype
    mask = xp.tri(n, n, 0 if not upper else -1, dtype=dt)
    mask = 1 - mask if upper else mask
    if unitriangular:
        mask = mask - xp.eye(n, dtype=dt)
    tri = A * _const(mask)
    if unitriangular:
        tri = tri + _const(xp.eye(n, dtype=dt))
    return _out(_LinalgSolveTriangular.apply(tri, B, False, left), out,
                "linalg_solve_triangular", A, B)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """``solve`` that reports a singular ``A`` in ``info`` (1) instead of raising."""
    try:
        result = solve(A, B, left=left)
        info = np.zeros(A.shape[:-2], dtype=np.int32)
    except LinAlgError:
        if check_errors:
            raise
        info = np.array([_first_zero_pivot(m) or 0 for _, m in _batches(A._data)],
                        dtype=np.int32).reshape(A.shape[:-2])
        shape = _broadcast_shapes(A.shape[:-1], B.shape[:-1]) + B.shape[-1:] \
            if B.ndim > 1 else B.shape
        result = _const(np.full(shape, np.nan, dtype=A._data.dtype))
    return _LinalgSolveEx((_out(result, out, "linalg_solve_ex", A, B), _const(info)))


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B`` (the minimum-norm one, via the pseudo-inverse).

    Returns ``(solution, residuals, rank, singular_values)`` as PyTorch's default CPU
    driver does: residuals and singular values empty, the numerical rank filled in.
    """
    _check_matrix("linalg.lstsq", A, square=False)
    vector = B.ndim == A.ndim - 1
    if (B.shape[-1] if vector else B.shape[-2]) != A.shape[-2]:
        raise RuntimeError("numtorch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    p = pinv(A, rtol=rcond)
    x = matmul(p, B.unsqueeze(-1)).squeeze(-1) if vector else matmul(p, B)
    xp, dt = xp_of(A._data), A._data.dtype
    empty = _const(xp.empty((0,), dtype=dt))
    return _LinalgLstsq((x, empty, matrix_rank(A.detach(), rtol=rcond), empty))


def cond(A, p=None, *, out=None):
    """Condition number: ``s_max / s_min`` for p in (None, 2), else ``norm(A) norm(A^-1)``."""
    _need_matrices("linalg.cond", A)
    if p in (None, 2, -2):
        s = svdvals(A)
        e = _eye_like(s, s.shape[-1])
        hi, lo = (s * e[0]).sum(-1), (s * e[-1]).sum(-1)
        return _out(hi / lo if p != -2 else lo / hi, out, "linalg_cond", A)
    return _out(matrix_norm(A, p) * matrix_norm(inv(A), p), out, "linalg_cond", A)


# --- cholesky, qr, svd, eigh --------------------------------------------------------------


def _tril_mask(t, k: int = 0):
    n = t.shape[-1]
    return _tri(n, n, k, t)


class LinalgCholesky(ArrayFunction):
    """``A = L L^T`` for symmetric positive-definite ``A`` (reads the lower triangle).

    Backward: with M = L^T gL, P = tril(M) halved and mirrored (symmetric),
    gA = L^-T P L^-1.
    """

    node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a, upper):
        xp = xp_of(a)
        try:
            L = xp.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            raise _not_pd_error(a) from None
        ctx.upper = upper
        out = xp.ascontiguousarray(L.swapaxes(-1, -2)) if upper else L
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (L,) = ctx.saved_tensors
        if ctx.upper:
            L, grad = L.mT, grad.mT
        m = matmul(L.mT, grad)
        p = (m * _tril_mask(m) + (m * _tril_mask(m, -1)).mT) * 0.5
        ga = solve(L.mT, p)               # L^-T P
        ga = solve(L.mT, ga.mT).mT        # (L^-T P) L^-1
        return ga, None


def linalg_cholesky(A, *, upper=False, out=None):
    """Cholesky factor ``L`` (lower; ``upper=True`` gives ``L^T``) of an SPD matrix."""
    _check_matrix("linalg.cholesky", A)
    return _out(LinalgCholesky.apply(A, upper), out, "linalg_cholesky", A)


def cholesky(input, upper=False, *, out=None):
    """Deprecated form of ``linalg.cholesky`` (``upper`` may be given positionally)."""
    return linalg_cholesky(input, upper=upper, out=out)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``cholesky`` that reports the first failing leading minor in ``info`` instead of
    raising (the factors of the failing matrices are nan)."""
    _check_matrix("linalg.cholesky_ex", A)
    try:
        result = LinalgCholesky.apply(A, upper)
        info = np.zeros(A.shape[:-2], dtype=np.int32)
    except LinAlgError:
        if check_errors:
            raise
        a = A._data
        info = np.array([_failed_minor(m) or 0 for _, m in _batches(a)],
                        dtype=np.int32).reshape(A.shape[:-2])
        bad = (info != 0)[..., None, None].astype(a.dtype)
        safe = A * _const(1 - bad) + _const(bad * np.eye(a.shape[-1], dtype=a.dtype))
        nan = np.where(bad, np.nan, 0).astype(a.dtype)
        result = LinalgCholesky.apply(safe, upper) * _const(1 - bad) + _const(nan)
    return _LinalgCholeskyEx((_out(result, out, "linalg_cholesky_ex", A), _const(info)))


class LinalgQr(ArrayFunction):
    """``A = Q R`` with orthonormal ``Q`` and upper-triangular ``R`` (Householder, LAPACK).

    Backward (m >= n): M = R gR^T - gQ^T Q;  gA = (gQ + Q copyltu(M)) R^-T, where
    copyltu mirrors M's lower triangle onto its upper one. For m < n, split
    A = [X | Y] with square X = Q U: X gets the square-case formula with
    gQ + Y gV^T, and gY = Q gV.
    """

    node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, a, mode):
        xp = xp_of(a)
        ctx.mode = mode
        ctx.set_materialize_grads(False)
        if mode == "r":
            r = xp.linalg.qr(a, mode="r")
            return xp.empty((0,), dtype=a.dtype), r
        q, r = xp.linalg.qr(a, mode=mode)
        ctx.save_for_backward(a, q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        if ctx.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed "
                               "when mode='r'. Please use linalg.qr(A, mode='reduced') if you "
                               "are going to differentiate through linalg.qr.")
        a, q, r = ctx.saved_tensors
        m, n = a.shape[-2], a.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_backward(q, r, gq, gr), None
        # Wide: A = [X | Y], R = [U | V]. Select columns with constant 0/1 matrices.
        e = xp_of(a._data).eye(n, dtype=a._data.dtype)
        ex, ey = _const(e[:, :m]), _const(e[:, m:])      # A @ ex = X, A @ ey = Y
        y, u = matmul(a, ey), matmul(r, ex)
        gv = matmul(gr, ey) if gr is not None else None
        gu = matmul(gr, ex) if gr is not None else None
        if gv is not None:
            gq = matmul(y, gv.mT) if gq is None else gq + matmul(y, gv.mT)
        gx = _qr_backward(q, u, gq, gu)
        gy = matmul(q, gv) if gv is not None else None
        ga = matmul(gx, ex.mT)
        return (ga + matmul(gy, ey.mT) if gy is not None else ga), None


def _qr_backward(q, r, gq, gr):
    """Gradient of A = QR for square R (see ``LinalgQr``)."""
    m = 0
    if gr is not None:
        m = matmul(r, gr.mT)
    if gq is not None:
        m = m - matmul(gq.mT, q)
    lower = m * _tril_mask(r, -1)
    copyltu = lower + lower.mT + m * _eye_like(r, r.shape[-1])
    b = matmul(q, copyltu)
    if gq is not None:
        b = b + gq
    return solve(r.mT, b, left=False)  # b R^-T


def linalg_qr(A, mode="reduced", *, out=None):
    """QR decomposition; ``mode`` is 'reduced' (default), 'complete' or 'r'."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _check_matrix("linalg.qr", A, square=False)
    return _outs(return_types.linalg_qr(LinalgQr.apply(A, mode)), out, "linalg_qr", A)


def qr(input, some=True, *, out=None):
    """Deprecated form of ``linalg.qr``: ``some=False`` is mode 'complete'."""
    _check_matrix("linalg.qr", input, square=False)
    res = LinalgQr.apply(input, "reduced" if some else "complete")
    return _outs(return_types.qr(res), out, "qr", input)


class LinalgSvd(ArrayFunction):
    """``A = U diag(S) Vh`` (LAPACK gesdd). Singular vectors are defined up to sign, so only
    losses that do not depend on those signs have well-defined gradients.

    Backward, with k = min(m, n) columns of U and V (extra ones are ignored), F_ij =
    1/(s_j^2 - s_i^2) off the diagonal and skew(X) = X - X^T:
      gA = U [diag(gS) + (F * skew(U^T gU)) S + S (F * skew(V^T gV))] V^T
           + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T)
    """

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a, full_matrices):
        u, s, vh = xp_of(a).linalg.svd(a, full_matrices=full_matrices)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        return _svd_backward(u, s, vh, gu, gs, gvh), None


def _svd_backward(u, s, vh, gu, gs, gvh):
    m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
    if u.shape[-1] != k:  # full_matrices: only the first k singular vectors matter
        sel = _eye_like(u, u.shape[-1], k)
        u = matmul(u, sel)
        gu = matmul(gu, sel) if gu is not None else None
    if vh.shape[-2] != k:
        sel = _eye_like(vh, k, vh.shape[-2])
        vh = matmul(sel, vh)
        gvh = matmul(sel, gvh) if gvh is not None else None
    if gu is None and gvh is None:
        return matmul(u * gs.unsqueeze(-2), vh)
    eye = _eye_like(s, k)
    s2 = s * s
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye  # E_ij = s_j^2 - s_i^2 (1 on the diagonal)
    inner = gs.unsqueeze(-1) * eye if gs is not None else 0
    v = vh.mT
    if gu is not None:
        utgu = matmul(u.mT, gu)
        inner = inner + ((utgu - utgu.mT) / e) * s.unsqueeze(-2)
    if gvh is not None:
        gv = gvh.mT
        vtgv = matmul(v.mT, gv)
        inner = inner + s.unsqueeze(-1) * ((vtgv - vtgv.mT) / e)
    ga = matmul(matmul(u, inner), vh)
    if gu is not None and m > k:
        ga = ga + matmul((gu - matmul(u, utgu)) / s.unsqueeze(-2), vh)
    if gvh is not None and n > k:
        ga = ga + matmul(u, ((gv - matmul(v, vtgv)) / s.unsqueeze(-2)).mT)
    return ga


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh``, singular values descending."""
    _check_matrix("linalg.svd", A, square=False)
    if driver is not None:
        raise RuntimeError("numtorch.linalg.svd: keyword argument `driver=` is only supported on "
                           "CUDA inputs with cuSOLVER backend.")
    result = LinalgSvd.apply(A, full_matrices)
    return _outs(return_types.linalg_svd(result), out, "linalg_svd", A)


class LinalgSvdvals(ArrayFunction):
    """Singular values alone.  dA = U diag(gS) V^T (U, V computed but not returned)."""

    node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, a):
        xp = xp_of(a)
        if not ctx.needs_input_grad[0]:
            return xp.linalg.svd(a, compute_uv=False)
        u, s, vh = xp.linalg.svd(a, full_matrices=False)
        ctx.save_for_backward(u, vh)
        return s

    @staticmethod
    def backward(ctx, grad):
        u, vh = ctx.saved_tensors
        return matmul(u * grad.unsqueeze(-2), vh)


def svdvals(A, *, driver=None, out=None):
    """Singular values of ``A`` (descending)."""
    _check_matrix("linalg.svdvals", A, square=False)
    return _out(LinalgSvdvals.apply(A), out, "linalg_svdvals", A)


def svd(input, some=True, compute_uv=True, *, out=None):
    """Deprecated SVD returning ``V`` (not ``Vh``); ``some=False`` gives full matrices."""
    _check_matrix("linalg.svd", input, square=False)
    if not compute_uv:
        s = svdvals(input)
        m, n = input.shape[-2], input.shape[-1]
        xp, dt = xp_of(input._data), input._data.dtype
        u = _const(xp.zeros(input.shape[:-2] + (m, m if not some else min(m, n)), dtype=dt))
        v = _const(xp.zeros(input.shape[:-2] + (n, n if not some else min(m, n)), dtype=dt))
        return _outs(return_types.svd((u, s, v)), out, "svd", input)
    u, s, vh = LinalgSvd.apply(input, not some)
    return _outs(return_types.svd((u, s, vh.mT)), out, "svd", input)


class LinalgEigh(ArrayFunction):
    """Eigen-decomposition of a symmetric matrix: ``A = V diag(L) V^T``, L ascending.

    Backward, with F_ij = 1/(L_j - L_i) off the diagonal, symmetrised as PyTorch does:
      gA = sym(V (diag(gL) + F * (V^T gV)) V^T)
    """

    node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, a, uplo, eigvecs):
        w, v = xp_of(a).linalg.eigh(a, UPLO=uplo)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(w, v)
        return (w, v) if eigvecs else w

    @staticmethod
    def backward(ctx, gw, gv=None):
        w, v = ctx.saved_tensors
        n = w.shape[-1]
        eye = _eye_like(w, n)
        inner = gw.unsqueeze(-1) * eye if gw is not None else 0
        if gv is not None:
            e = w.unsqueeze(-2) - w.unsqueeze(-1) + eye  # E_ij = L_j - L_i (1 on the diagonal)
            inner = inner + (matmul(v.mT, gv) / e) * (1 - eye)
        ga = matmul(matmul(v, inner), v.mT)
        return (ga + ga.mT) * 0.5, None, None  # A is symmetric: so is its gradient


def _check_uplo(uplo):
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix."""
    _check_matrix("linalg.eigh", A)
    _check_uplo(UPLO)
    result = LinalgEigh.apply(A, UPLO, True)
    return _outs(return_types.linalg_eigh(result), out, "linalg_eigh", A)


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of a symmetric matrix."""
    _check_matrix("linalg.eigvalsh", A)
    _check_uplo(UPLO)
    return _out(LinalgEigh.apply(A, UPLO, False), out, "linalg_eigvalsh", A)


class LinalgPinv(ArrayFunction):
    """Moore-Penrose pseudo-inverse: ``V diag(1/s) U^T`` over singular values above ``tol``.

    dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P (at fixed rank), so
    gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A)
    """

    node_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        xp = xp_of(a)
        if hermitian:
            w, v = xp.linalg.eigh(a)
            s, u, vt = xp.abs(w), v, v * xp.sign(w)[..., None, :]
        else:
            u, s, vh = xp.linalg.svd(a, full_matrices=False)
            vt = vh.swapaxes(-1, -2)
        if s.shape[-1]:
            tol = xp.maximum(atol, rtol * s.max(axis=-1, keepdims=True))
        else:
            tol = 0
        with np.errstate(divide="ignore"):
            s_inv = xp.where(s > tol, 1 / s, 0).astype(a.dtype)
        p = (vt * s_inv[..., None, :]) @ u.swapaxes(-1, -2)
        ctx.save_for_backward(a, p)
        return p

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        pt, gt = p.mT, grad.mT
        m, n = a.shape[-2], a.shape[-1]
        i_ap = _eye_like(a, m) - matmul(a, p)
        i_pa = _eye_like(a, n) - matmul(p, a)
        ga = -matmul(matmul(pt, grad), pt)
        ga = ga + matmul(matmul(i_ap, gt), matmul(p, pt))
        ga = ga + matmul(matmul(pt, p), matmul(gt, i_pa))
        return ga, None, None, None


def _tolerances(A, atol, rtol):
    """PyTorch's cut-off ``max(atol, rtol * s_max)``; rtol defaults to eps * max(m, n)
    when atol is not given (else to 0). Returned as arrays that broadcast over the batch."""
    def arr(x):
        if isinstance(x, Tensor):
            return x._data[..., None] if x.ndim else x._data
        return 0.0 if x is None else float(x)

    if rtol is None:
        rtol = 0.0 if atol is not None and not (isinstance(atol, float) and atol == 0) else \
            max(A.shape[-2:]) * float(np.finfo(A._data.dtype).eps)
    return arr(atol), arr(rtol)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Pseudo-inverse; singular values at or below ``max(atol, rtol * s_max)`` count as 0."""
    if A.ndim < 2 or not A.dtype.is_floating_point:
        raise RuntimeError(f"linalg.pinv({A.dtype._legacy}{{[{_list(A.shape)}]}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or cdouble "
                           "types")
    atol, rtol = _tolerances(A, atol, rtol)
    return _out(LinalgPinv.apply(A, atol, rtol, hermitian), out, "linalg_pinv", A)


def pinverse(input, rcond=1e-15):
    """Deprecated form of ``linalg.pinv`` with a relative cut-off ``rcond``."""
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """Number of singular values above the tolerance (int64)."""
    if not A.dtype.is_floating_point:
        raise RuntimeError("This function doesn't handle types other than float and double")
    _need_matrices("linalg.matrix_rank", A)
    xp = xp_of(A._data)
    if hermitian:
        s = xp.abs(xp.linalg.eigvalsh(A._data))
    else:
        s = xp.linalg.svd(A._data, compute_uv=False)
    atol, rtol = _tolerances(A, atol, rtol)
    s_max = s.max(axis=-1, keepdims=True) if s.shape[-1] else 0
    rank = (s > xp.maximum(atol, rtol * s_max)).sum(axis=-1).astype(np.int64)
    return _out(_const(xp.asarray(rank)), out, "linalg_matrix_rank", A)


def matrix_power(A, n, *, out=None):
    """``A @ A @ ... @ A`` (``n`` times, by repeated squaring); negative ``n`` inverts first."""
    _need_square("linalg.matrix_power", A)
    if n == 0:
        eye = xp_of(A._data).eye(A.shape[-1], dtype=A._data.dtype)
        result = _const(xp_of(A._data).broadcast_to(eye, A.shape).copy())
        return _out(result, out, "linalg_matrix_power", A)
    base = inv(A) if n < 0 else A
    n = abs(n)
    result = None
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    if result is A:
        result = A * 1
    return _out(result, out, "linalg_matrix_power", A)


def vecdot(x, y, *, dim=-1, out=None):
    """Dot product of vectors along ``dim`` (with broadcasting): ``(x * y).sum(dim)``."""
    if x.dtype is not y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x "
                           f"of type {x.dtype._legacy} and y of type {y.dtype._legacy} instead")
    _check_float("linalg.vecdot", x)
    return _out((x * y).sum(dim), out, "linalg_vecdot", x, y)


# --- norms ------------------------------------------------------------------------------


def _keep_shape(shape, dims) -> tuple:
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class LinalgVectorNorm(ArrayFunction):
    """``(sum |x|^p)^(1/p)`` over ``dims`` (p = inf: max |x|, -inf: min |x|, 0: count != 0).

    Backward:  p=2: g x / |x|;  p=1: g sign(x);  p=+-inf: g sign(x) on the entries that
    attain the max (shared evenly among ties);  else g sign(x) |x|^(p-1) / norm^(p-1).
    Where the norm is 0 the gradient is 0, as in PyTorch.
    """

    node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        xp = xp_of(x)
        if ord != 0 and x.size and all(x.shape[d] == 1 for d in dims):
            # one entry per norm: |x| exactly, as PyTorch (no underflow of x * x)
            shape = x.shape if keepdim else tuple(s for i, s in enumerate(x.shape)
                                                  if i not in dims)
            out = xp.abs(x).reshape(shape)
        elif ord == 2:
            if len(dims) == x.ndim and x.flags.c_contiguous:
                flat = x.reshape(-1)
                out = xp.sqrt(xp.dot(flat, flat))  # BLAS dot
                out = out.reshape((1,) * x.ndim if keepdim else ())
            else:
                out = xp.sqrt(xp.sum(x * x, axis=dims, keepdims=keepdim))
        elif ord == math.inf:
            out = xp.abs(x).max(axis=dims, keepdims=keepdim, initial=0)
        elif ord == -math.inf:
            out = xp.abs(x).min(axis=dims, keepdims=keepdim)
        elif ord == 0:
            out = (x != 0).sum(axis=dims, keepdims=keepdim).astype(x.dtype)
        elif ord == 1:
            out = xp.abs(x).sum(axis=dims, keepdims=keepdim)
        else:
            with np.errstate(divide="ignore"):
                out = (xp.abs(x) ** ord).sum(axis=dims, keepdims=keepdim) ** (1.0 / ord)
        out = xp.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p = ctx.ord
        xd = x._data
        xp = xp_of(xd)
        if p == 0:
            return _const(xp.zeros_like(xd)), None, None, None
        if not ctx.keepdim:
            keep = _keep_shape(xd.shape, ctx.dims)
            grad, norm = grad.reshape(keep), norm.reshape(keep)
        sign = xp.sign(xd)
        if p == 1:
            return grad * _const(sign), None, None, None
        nd = norm._data
        if p in (math.inf, -math.inf):
            hit = (xp.abs(xd) == nd).astype(xd.dtype)
            count = xp.maximum(hit.sum(axis=ctx.dims, keepdims=True), 1)
            return grad * _const(sign * hit / count), None, None, None
        safe = norm + _const((nd == 0).astype(xd.dtype))  # 0/0 -> 0/1: gradient 0 at x = 0
        live = _const((nd != 0).astype(xd.dtype))
        if p == 2:  # 0 where the norm is 0, even if x * x underflowed there
            return x * (grad * live / safe), None, None, None
        absx = x * _const(sign) + _const((xd == 0).astype(xd.dtype))  # |x|, 1 where x == 0
        # sign(x) |x|^(p-1) norm^(1-p) g, and 0 wherever the norm is 0 (PyTorch's convention;
        # for p < 1 a single zero entry makes the norm 0).
        return _const(sign) * absx.pow(p - 1) * (grad * live / safe.pow(p - 1)), None, None, None


def _ord_str(ord) -> str:
    if isinstance(ord, float) and ord.is_integer():
        return str(int(ord))
    return str(ord)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector ``ord``-norm of ``x`` over ``dim`` (all dims by default)."""
    if isinstance(ord, str) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not "
                        f"{type(ord).__name__}")
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {x.dtype._legacy}")
    if dtype is not None:
        dt = D.to_dtype(dtype)
        if not dt.is_floating_point:
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, "
                               f"but got {dt._legacy}")
        x = x.to(dt)
    if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
        dims = tuple(range(x.ndim))
    else:
        dims = wrap_dims(dim, x.ndim)
    if ord < 0 or ord == math.inf:
        if x.numel() == 0 and len(dims) == x.ndim:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm on "
                               "an empty tensor because the operation does not have an identity")
        for d in dims:
            if x.shape[d] == 0:
                shown = "inf" if ord == math.inf else _ord_str(ord)
                raise RuntimeError(f"linalg.vector_norm cannot compute the {shown} norm on the "
                                   f"dimension {d}because this dimension is empty and the "
                                   "operation does not have an identity")
        if not dims and x.numel() == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm on "
                               "an empty tensor because the operation does not have an identity")
    result = LinalgVectorNorm.apply(x, ord, dims, keepdim)
    return _out(result, out, "linalg_vector_norm", x)


class _Amax(ArrayFunction):
    """max (or min) over the last dim; the gradient is shared evenly among ties."""

    node_name = "AmaxBackward0"

    @staticmethod
    def forward(ctx, x, largest):
        out = x.max(axis=-1) if largest else x.min(axis=-1)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        hit = (x._data == out._data[..., None]).astype(x._data.dtype)
        return grad.unsqueeze(-1) * _const(hit / hit.sum(axis=-1, keepdims=True)), None


class _Amin(_Amax):
    node_name = "AminBackward0"


def _extreme(x, largest: bool):
    return (_Amax if largest else _Amin).apply(x, largest)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norm over the two dims ``dim``: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    _need_matrices("linalg.matrix_norm", A)
    if not A.dtype.is_floating_point and dtype is None:
        raise RuntimeError(f"linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {A.dtype._legacy}")
    if isinstance(dim, int) or len(dim) != 2:
        shown = dim if isinstance(dim, int) else " ".join(map(str, dim))
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {shown}")
    d0, d1 = _wrap_dim(dim[0], A.ndim), _wrap_dim(dim[1], A.ndim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, "
                           f"{dim[1]})")
    if ord not in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if dtype is not None:
        A = A.to(D.to_dtype(dtype))
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim, out=out)
    if A.shape[d0] == 0 or A.shape[d1] == 0:  # every matrix norm of an empty matrix is 0
        return vector_norm(A, 2, (d0, d1), keepdim, out=out)
    rest = [i for i in range(A.ndim) if i not in (d0, d1)]
    m = A.permute(tuple(rest) + (d0, d1)) if (d0, d1) != (A.ndim - 2, A.ndim - 1) else A
    if ord == "nuc":
        result = svdvals(m).sum(-1)
    elif ord in (2, -2):
        result = _extreme(svdvals(m), ord == 2)
    else:
        absm = m * _const(xp_of(m._data).sign(m._data))
        sums = absm.sum(-2) if ord in (1, -1) else absm.sum(-1)
        result = _extreme(sums, ord > 0)
    if keepdim:
        for d in sorted((d0, d1)):
            result = result.unsqueeze(d)
    return _out(result, out, "linalg_matrix_norm", A)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """Vector norm (1 dim, or a flattened tensor) or matrix norm (2 dims) by ``ord``/``dim``."""
    if dim is not None:
        if isinstance(dim, int):
            dim = (dim,)
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                               f"Got [{_list(dim)}]")
    elif ord is not None and A.ndim not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if ord is not None and ((dim is not None and len(dim) == 2) or (dim is None and A.ndim == 2)):
        return matrix_norm(A, ord, (0, 1) if dim is None else dim, keepdim, dtype=dtype,
                           out=out)
    if isinstance(ord, str):
        if dim is not None:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim[0]}")
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def linalg_matmul(input, other, *, out=None):
    """Alias of ``numtorch.matmul``."""
    return matmul(input, other, out=out)


# --- cdist, pdist, renorm ---------------------------------------------------------------

_CDIST_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                "donot_use_mm_for_euclid_dist": 2}


def _p_norm_of_diff(diff, p):
    """The ``p``-norm of ``diff`` over its last axis (p = 0: count of non-zeros)."""
    xp = xp_of(diff)
    with _cpu.quiet():
        if p == 0:
            return (diff != 0).sum(axis=-1).astype(diff.dtype)
        if p == 1:
            return xp.abs(diff).sum(axis=-1)
        if p == 2:
            return xp.sqrt((diff * diff).sum(axis=-1))
        if p == math.inf:
            return xp.abs(diff).max(axis=-1)
        return ((xp.abs(diff) ** p).sum(axis=-1) ** (1.0 / p)).astype(diff.dtype, copy=False)


def _p_norm_grad(diff, dist, grad, p):
    """d dist / d diff times ``grad`` (each broadcast over the last axis of ``diff``).

    PyTorch's conventions: 0 where the distance is 0 (and, for p < 1, where a coordinate
    difference is 0); for p = inf every coordinate that attains the max gets the full
    gradient.
    """
    xp = xp_of(diff)
    dist, grad = dist[..., None], grad[..., None]
    sign = xp.sign(diff)
    with _cpu.quiet():
        if p == 1:
            return sign * grad
        if p == math.inf:
            return sign * (xp.abs(diff) == dist) * grad
        absd = xp.abs(diff)
        if p < 2:
            zero = (dist == 0) | ((diff == 0) & (p < 1))
            term = sign * absd ** (p - 1) * grad / dist ** (p - 1)
        else:
            zero = dist == 0
            term = diff * absd ** (p - 2) * grad / dist ** (p - 1)
        return xp.where(zero, xp.zeros((), diff.dtype), term).astype(diff.dtype, copy=False)


class _CdistBackward(ArrayFunction):
    """The gradients of ``cdist`` for x1 and x2. Like PyTorch's, not differentiable again."""

    node_name = "CdistBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, x1, x2, dist, p, need1, need2):
        xp = xp_of(grad, x1, x2)
        g1 = g2 = None
        if p == 0:
            shape = dist.shape[:-2]
            g1 = xp.zeros(shape + x1.shape[-2:], x1.dtype) if need1 else None
            g2 = xp.zeros(shape + x2.shape[-2:], x2.dtype) if need2 else None
        elif p == 2:  # sum_j g_ij (x1_i - x2_j) / d_ij, as matrix products
            with _cpu.quiet():
                ratio = xp.where(dist == 0, xp.zeros((), dist.dtype), grad / dist)
            if need1:
                g1 = x1 * ratio.sum(axis=-1, keepdims=True) - ratio @ x2
            if need2:
                g2 = x2 * ratio.sum(axis=-2)[..., None] - xp.swapaxes(ratio, -1, -2) @ x1
        else:
            term = _p_norm_grad(x1[..., :, None, :] - x2[..., None, :, :], dist, grad, p)
            g1 = term.sum(axis=-2) if need1 else None
            g2 = -term.sum(axis=-3) if need2 else None
        return g1, g2

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("the derivative for '_cdist_backward' is not implemented.")


class Cdist(ArrayFunction):
    """The ``p``-norm distance between every row of ``x1`` and every row of ``x2`` (batched),
    from the coordinate differences (the exact path; ``_EuclideanDist`` is the fast one)."""

    node_name = "CdistBackward0"

    @staticmethod
    def forward(ctx, x1, x2, p, shape):
        ctx.p = p
        xp = xp_of(x1, x2)
        if x1.size == 0 or x2.size == 0:
            out = xp.zeros(shape, x1.dtype)
        else:
            out = _p_norm_of_diff(x1[..., :, None, :] - x2[..., None, :, :], p)
        ctx.save_for_backward(x1, x2, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x1, x2, dist = ctx.saved_tensors
        need1, need2 = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        if dist.numel() == 0 or x1.shape[-1] == 0:
            return (x1 * 0 if need1 else None), (x2 * 0 if need2 else None), None, None
        g1, g2 = _CdistBackward.apply(grad, x1, x2, dist, ctx.p, need1, need2)
        return g1, g2, None, None


class _EuclideanDist(ArrayFunction):
    """Euclidean distances from one matrix product: ``|a|^2 + |b|^2 - 2 a.b``, clamped at 0.

    The squared norms ride along in the product (``[-2a, |a|^2, 1] @ [b, 1, |b|^2]^T``), so
    BLAS accumulates all three terms together. Backward (differentiable again), with
    ``r = g / d`` (0 where d = 0):  da = a sum_j r - r @ b,  db = b sum_i r - r^T @ a.
    """

    node_name = "EuclideanDistBackward0"

    @staticmethod
    def forward(ctx, x1, x2):
        xp = xp_of(x1, x2)
        work = _F32 if x1.dtype == np.float16 else x1.dtype  # half: products in float32
        a, b = x1.astype(work, copy=False), x2.astype(work, copy=False)
        na = (a * a).sum(axis=-1, keepdims=True)
        nb = (b * b).sum(axis=-1, keepdims=True)
        ones_a, ones_b = xp.ones_like(na), xp.ones_like(nb)
        left = xp.concatenate([a * -2, na, ones_a], axis=-1)
        right = xp.concatenate([b, ones_b, nb], axis=-1)
        out = left @ xp.swapaxes(right, -1, -2)
        out = xp.sqrt(xp.maximum(out, 0, out=out), out=out).astype(x1.dtype, copy=False)
        ctx.save_for_backward(x1, x2, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x1, x2, res = ctx.saved_tensors
        r = res._data
        zero = (r == 0).astype(r.dtype)
        ratio = grad / (res + _const(zero)) * _const(1 - zero)
        g1 = x1 * ratio.sum(-1, keepdim=True) - ratio.matmul(x2) if ctx.needs_input_grad[0] \
            else None
        g2 = x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT.matmul(x1) \
            if ctx.needs_input_grad[1] else None
        return g1, g2


_F32 = np.dtype(np.float32)


def _real_number(fn: str, arg: str, pos: int, value, kind: str = "float") -> float:
    """A float argument (PyTorch's ``float`` or ``Number`` parameter, named by ``kind``:
    bools and ints pass, strings do not)."""
    if isinstance(value, Tensor) and value.numel() == 1:
        value = value.item()
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be {kind}, not "
                        f"{type_name(value)}")
    return float(value)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """Distances between each row of ``x1`` (..., P, M) and each row of ``x2`` (..., R, M):
    a (..., P, R) tensor of ``p``-norms of the differences (batch dims broadcast).

    For p = 2 PyTorch switches to a matrix-product formula (faster, a little less exact
    near 0) when either side has more than 25 rows, or always with
    ``compute_mode='use_mm_for_euclid_dist'``; 'donot_use_mm_for_euclid_dist' never does.
    """
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = _CDIST_MODES[compute_mode]
    _need_tensor("cdist", "x1", 1, x1)
    _need_tensor("cdist", "x2", 2, x2)
    p = _real_number("cdist", "p", 3, p)
    for name, t in (("X1", x1), ("X2", x2)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    for name, t in (("X1", x1), ("X2", x2)):
        if not t.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{t.dtype._legacy}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    batch = _broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    r1, r2 = x1.shape[-2], x2.shape[-2]
    shape = batch + (r1, r2)
    if x1.numel() == 0 or x2.numel() == 0:
        return Cdist.apply(x1, x2, p, shape)
    if p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        if x1.dtype is not x2.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_CTYPE[x1.dtype.np.name]} != {_CTYPE[x2.dtype.np.name]}")
        if _prod(batch) == 1:
            dist = _EuclideanDist.apply(x1, x2)
        else:
            m = x1.shape[-1]
            a = x1.expand(batch + (r1, m)).reshape(-1, r1, m)
            b = x2.expand(batch + (r2, m)).reshape(-1, r2, m)
            dist = _EuclideanDist.apply(a, b)
        return dist.view(shape)
    _same_scalar_type(x1, x2)
    if x1.dtype is D.float16:
        raise NotImplementedError("\"cdist\" not implemented for 'Half'")
    return Cdist.apply(x1, x2, p, shape)


class _PdistBackward(ArrayFunction):
    """The gradient of ``pdist``. Like PyTorch's, not differentiable again."""

    node_name = "PdistBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, x, dist, p):
        xp = xp_of(grad, x)
        out = xp.zeros_like(x)
        if p == 0 or dist.size == 0:
            return out
        i, j = xp.triu_indices(x.shape[0], 1)
        term = _p_norm_grad(x[i] - x[j], dist, grad, p)
        xp.add.at(out, i, term)
        xp.add.at(out, j, -term)
        return out

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError("the derivative for '_pdist_backward' is not implemented.")


class Pdist(ArrayFunction):
    """The ``p``-norm distance between each pair of rows ``i < j`` of an (N, M) input, in
    row-major order of the pairs: an N (N - 1) / 2 vector."""

    node_name = "PdistBackward0"

    @staticmethod
    def forward(ctx, x, p):
        ctx.p = p
        xp = xp_of(x)
        i, j = xp.triu_indices(x.shape[0], 1)
        if x.shape[1] == 0:
            out = xp.zeros(i.shape[0], x.dtype)
        else:
            out = _p_norm_of_diff(x[i] - x[j], p)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, dist = ctx.saved_tensors
        return _PdistBackward.apply(grad, x, dist, ctx.p), None


def pdist(input, p=2):
    """The ``p``-norm distances between all pairs of rows of a 2-D ``input`` (the upper
    triangle of ``cdist(input, input)``, row by row, without the diagonal)."""
    p = _real_number("pdist", "p", 2, p)
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if not input.dtype.is_floating_point:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if input.dtype is D.float16:
        raise NotImplementedError("\"pdist\" not implemented for 'Half'")
    return Pdist.apply(input, p)


class Renorm(ArrayFunction):
    """Each slice ``input.select(dim, i)`` whose ``p``-norm exceeds ``maxnorm`` is scaled by
    ``maxnorm / (norm + 1e-7)``; the others are unchanged.

    Backward (differentiable again), with n the slice norm and f = maxnorm / (n + 1e-7):
    where n > maxnorm, ``f g - f / (n + 1e-7) * dn/dx * sum(g x)``; elsewhere g.
    """

    node_name = "RenormBackward0"

    @staticmethod
    def forward(ctx, x, p, dims, maxnorm):
        ctx.p, ctx.dims, ctx.maxnorm = p, dims, maxnorm
        xp = xp_of(x)
        work = x.astype(_F32) if x.dtype == np.float16 else x
        norm = LinalgVectorNorm.forward(ctx, work, p, dims, True)
        with _cpu.quiet():
            factor = xp.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1).astype(work.dtype)
        out = (work * factor).astype(x.dtype, copy=False)
        ctx.save_for_backward(x, norm)
        return out

    @staticmethod
    def backward(ctx, grad):
        import types

        from .pointwise import where

        x, norm = ctx.saved_tensors
        if x.dtype is not norm.dtype:
            x = x.to(norm.dtype)
        if grad_mode.enabled:  # a graph of this backward: the norm must depend on x in it
            norm = LinalgVectorNorm.apply(x, ctx.p, ctx.dims, True)
        nd = norm._data
        gsum = (x * grad).sum(ctx.dims, keepdim=True)
        inner = types.SimpleNamespace(saved_tensors=(x, norm), ord=ctx.p, dims=ctx.dims,
                                      keepdim=True)
        nb = LinalgVectorNorm.backward(inner, gsum)[0]
        invnorm = (norm + 1e-7).reciprocal()
        factor = invnorm * ctx.maxnorm
        scaled = factor * grad - factor * invnorm * nb
        return where(_const(nd > ctx.maxnorm), scaled, grad), None, None, None


def renorm(input, p, dim, maxnorm, *, out=None):
    """``input`` with each slice along ``dim`` rescaled to ``p``-norm at most ``maxnorm``."""
    p = _real_number("renorm", "p", 2, p, "Number")
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"renorm(): argument 'dim' (position 3) must be int, not "
                        f"{type_name(dim)}")
    maxnorm = _real_number("renorm", "maxnorm", 4, maxnorm, "Number")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {_ord_str(maxnorm)}")
    d = _wrap_dim(int(dim), input.ndim)
    if input.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {input.ndim} "
                           "dimensions")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {input.dtype._legacy}")
    if out is not None:
        check_out(out, "renorm", input)
        if out.dtype is not input.dtype:
            raise RuntimeError(f"Expected out tensor to have dtype {_CTYPE[input.dtype.np.name]}, "
                               f"but got {_CTYPE[out.dtype.np.name]} instead")
    dims = tuple(i for i in range(input.ndim) if i != d)
    return _out(Renorm.apply(input, p, dims, maxnorm), out, "renorm", input)


# --- LU, matrix_exp, householder_product and the deprecated solvers -----------------------
#
# NumPy has no LU, so ``_lu_kernel`` is getrf written out: partial pivoting, one column
# at a time, vectorised over the batch. Every solve with the factors is two triangular
# solves, done by NumPy's solver on the (already triangular) factors.

_LinalgLu = return_types._define("linalg_lu", ("P", "L", "U"))
_LinalgLuFactor = return_types._define("linalg_lu_factor", ("LU", "pivots"))
_LinalgLuFactorEx = return_types._define("linalg_lu_factor_ex", ("LU", "pivots", "info"))
_LuUnpack = return_types._define("lu_unpack", ("P", "L", "U"))
_TriangularSolve = return_types._define("triangular_solve", ("solution", "cloned_coefficient"))


def _lu_kernel(a):
    """LAPACK getrf on a batch of m x n matrices: the packed factors (L below the diagonal,
    unit diagonal implied; U on and above), the 1-based row swaps, and ``info`` (the
    1-based column of the first exactly-zero pivot, 0 if none)."""
    xp = xp_of(a)
    m, n = a.shape[-2:]
    lu = a.reshape((-1, m, n)).copy()
    k = min(m, n)
    rows = xp.arange(lu.shape[0])
    piv = xp.empty((lu.shape[0], k), dtype=np.int32)
    info = xp.zeros(lu.shape[0], dtype=np.int32)
    with _cpu.quiet():
        for j in range(k):
            p = j + xp.argmax(xp.abs(lu[:, j:, j]), axis=1)
            piv[:, j] = p + 1
            row_j = lu[rows, j].copy()
            lu[rows, j] = lu[rows, p]
            lu[rows, p] = row_j
            pivot = lu[:, j, j]
            zero = pivot == 0
            info[(info == 0) & zero] = j + 1
            lu[:, j + 1:, j] /= xp.where(zero, 1, pivot)[:, None]  # getrf skips a 0 pivot
            lu[:, j + 1:, j + 1:] -= lu[:, j + 1:, j, None] * lu[:, j, None, j + 1:]
    batch = a.shape[:-2]
    return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _perm_matrix(piv, m: int, dtype):
    """``P`` with ``A = P L U`` from getrf's 1-based row swaps."""
    xp = xp_of(piv)
    flat = piv.reshape(-1, piv.shape[-1]).astype(np.int64) - 1
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    rows = xp.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        pj = perm[rows, j].copy()
        perm[rows, j] = perm[rows, flat[:, j]]
        perm[rows, flat[:, j]] = pj
    p = xp.zeros((flat.shape[0], m, m), dtype=dtype)
    p[rows[:, None], perm, xp.arange(m)] = 1  # row perm[i] of A is row i of L U
    return p.reshape(piv.shape[:-1] + (m, m))


def _tri(m: int, n: int, k: int, like):
    """Constant 0/1 mask of the entries (i, j) with j - i <= k (``tril``'s), with the array
    module and dtype of the Tensor ``like``."""
    return _const(xp_of(like._data).tri(m, n, k, dtype=like._data.dtype))


def _unpack_arrays(lu):
    """``L`` (m x k, unit diagonal) and ``U`` (k x n) of packed factors, as arrays."""
    xp = xp_of(lu)
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=lu.dtype)
    return low, xp.triu(lu[..., :k, :])


def _unpack(lu):
    """``L`` and ``U`` of packed factors with Tensor ops (differentiable)."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = matmul(lu * _tri(m, n, -1, lu), _eye_like(lu, n, k)) + _eye_like(lu, m, k)
    up = matmul(_eye_like(lu, k, m), lu * (1 - _tri(m, n, -1, lu)))
    return low, up


def _lu_backward(p, low, up, gl, gu):
    """Gradient of ``A = P L U`` (L unit lower m x k, U upper k x n).

    With X = L^-1 P^T dA U^-1 on the square block, dL = L tril_-1(X), dU = triu(X) U; the
    extra rows of a tall L and the extra columns of a wide U add plain terms. Collecting
    the adjoint gives, for square A, gA = P L^-T (tril_-1(L^T gL) + triu(gU U^T)) U^-T;
    wide A = P L [U1 U2]:  gA = P L^-T [phi U1^-T | gU2], phi = tril_-1(L^T gL - gU2 U2^T)
    + triu(gU1 U1^T); tall A = P [L1; L2] U:  gA = P [L1^-T phi; gL2] U^-T, phi =
    tril_-1(L1^T gL1) + triu(gU U^T - L2^T gL2).
    """
    m, k = low.shape[-2:]
    n = up.shape[-1]
    dt = low._data.dtype
    gl = gl if gl is not None else low * 0
    gu = gu if gu is not None else up * 0
    strict, upper = _tri(k, k, -1, low), 1 - _tri(k, k, -1, low)
    if m == n:
        phi = matmul(low.mT, gl) * strict + matmul(gu, up.mT) * upper
        x = solve_triangular(low.mT, phi, upper=True, unitriangular=True)
        return matmul(p, solve_triangular(up.mT, x, upper=False, left=False))
    if m < n:  # wide: U = [U1 | U2]
        s1, s2 = _const(np.eye(n, dtype=dt)[:, :k]), _const(np.eye(n, dtype=dt)[:, k:])
        u1, u2, gu1, gu2 = matmul(up, s1), matmul(up, s2), matmul(gu, s1), matmul(gu, s2)
        phi = (matmul(low.mT, gl) - matmul(gu2, u2.mT)) * strict + matmul(gu1, u1.mT) * upper
        x = solve_triangular(u1.mT, phi, upper=False, left=False)
        x = matmul(x, s1.mT) + matmul(gu2, s2.mT)
        return matmul(p, solve_triangular(low.mT, x, upper=True, unitriangular=True))
    s1, s2 = _const(np.eye(m, dtype=dt)[:k]), _const(np.eye(m, dtype=dt)[k:])  # tall
    l1, l2, gl1, gl2 = matmul(s1, low), matmul(s2, low), matmul(s1, gl), matmul(s2, gl)
    phi = matmul(l1.mT, gl1) * strict + (matmul(gu, up.mT) - matmul(l2.mT, gl2)) * upper
    x = solve_triangular(l1.mT, phi, upper=True, unitriangular=True)
    x = matmul(s1.mT, x) + matmul(s2.mT, gl2)
    return matmul(p, solve_triangular(up.mT, x, upper=False, left=False))


class LinalgLuFactorEx(ArrayFunction):
    """Packed LU factors ``LU``, ``pivots`` and ``info``; see ``_lu_backward`` (the
    gradient of the packed ``LU`` is gL below the diagonal and gU on and above it)."""

    node_name = "LinalgLuFactorExBackward0"

    @staticmethod
    def forward(ctx, a):
        lu, piv, info = _lu_kernel(a)
        ctx.mark_non_differentiable(piv, info)
        ctx.perm = _perm_matrix(piv, a.shape[-2], a.dtype)
        ctx.save_for_backward(lu)
        return lu, piv, info

    @staticmethod
    def backward(ctx, glu, gpiv, ginfo):
        (lu,) = ctx.saved_tensors
        low, up = _unpack(lu)
        gl, gu = _unpack_grads(glu)
        return _lu_backward(_const(ctx.perm), low, up, gl, gu)


def _unpack_grads(glu):
    m, n = glu.shape[-2:]
    k = min(m, n)
    gl = matmul(glu * _tri(m, n, -1, glu), _eye_like(glu, n, k))
    gu = matmul(_eye_like(glu, k, m), glu * (1 - _tri(m, n, -1, glu)))
    return gl, gu


class LinalgLu(ArrayFunction):
    """``A = P L U`` with the factors unpacked; see ``_lu_backward``."""

    node_name = "LinalgLuBackward0"

    @staticmethod
    def forward(ctx, a):
        lu, piv, _ = _lu_kernel(a)
        p = _perm_matrix(piv, a.shape[-2], a.dtype)
        low, up = _unpack_arrays(lu)
        ctx.mark_non_differentiable(p)
        ctx.set_materialize_grads(False)
        ctx.perm = p
        ctx.save_for_backward(low, up)
        return p, low, up

    @staticmethod
    def backward(ctx, gp, gl, gu):
        low, up = ctx.saved_tensors
        return _lu_backward(_const(ctx.perm), low, up, gl, gu)


def _check_lu_input(name: str, A) -> None:
    if A.ndim < 2:
        raise RuntimeError(f"{name}: Expected tensor with 2 or more dimensions. Got size: "
                           f"[{_list(A.shape)}] instead")
    if not A.dtype.is_floating_point or A.dtype is D.float16:
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{A.dtype._legacy}'")


def _no_pivot(pivot) -> None:
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")


def _lu_zero_pivot_error(name: str, info, A):
    for i, k in enumerate(np.asarray(info).reshape(-1)):
        if k:
            return RuntimeError(f"{name}: {_batch_prefix(i, A)}U[{k},{k}] is zero and using it "
                                "on lu_solve would result in a division by zero. If you still "
                                "want to perform the factorization, consider calling "
                                "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")
    return None


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """``(LU, pivots, info)``: packed LU factors with partial pivoting (LAPACK getrf).

    ``info`` holds, per matrix, the 1-based index of the first zero pivot (0 if none).
    """
    _check_lu_input("numtorch.lu_factor", A)
    _no_pivot(pivot)
    lu, piv, info = LinalgLuFactorEx.apply(A)
    if check_errors:
        err = _lu_zero_pivot_error("numtorch.linalg.lu_factor_ex", info._data, A)
        if err is not None:
            raise err
    return _outs(_LinalgLuFactorEx((lu, piv, info)), out, "linalg_lu_factor_ex", A)


def lu_factor(A, *, pivot=True, out=None):
    """``(LU, pivots)`` of ``lu_factor_ex``; raises if a pivot is exactly zero."""
    _check_lu_input("numtorch.lu_factor", A)
    _no_pivot(pivot)
    lu, piv, info = LinalgLuFactorEx.apply(A)
    err = _lu_zero_pivot_error("numtorch.linalg.lu_factor", info._data, A)
    if err is not None:
        raise err
    return _outs(_LinalgLuFactor((lu, piv)), out, "linalg_lu_factor", A)


def lu(A, pivot=True, get_infos=False, out=None):
    """Deprecated ``torch.lu``: ``(LU, pivots)``, plus ``info`` when ``get_infos``."""
    _warnings.warn("torch.lu is deprecated in favor of torch.linalg.lu_factor / "
                   "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release."
                   .replace("torch.", "numtorch."), UserWarning)
    _check_lu_input("numtorch.lu_factor", A)
    _no_pivot(pivot)
    lu_, piv, info = LinalgLuFactorEx.apply(A)
    if not get_infos:
        err = _lu_zero_pivot_error("numtorch.linalg.lu_factor_ex", info._data, A)
        if err is not None:
            raise err
    result = (lu_, piv, info) if get_infos else (lu_, piv)
    return _outs(result, out, "lu", A)


def linalg_lu(A, *, pivot=True, out=None):
    """``A = P L U``: permutation ``P``, unit lower ``L`` (m x k), upper ``U`` (k x n)."""
    _check_lu_input("linalg.lu", A)
    _no_pivot(pivot)
    return _outs(_LinalgLu(LinalgLu.apply(A)), out, "linalg_lu", A)


class LuUnpack(ArrayFunction):
    """``P``, ``L``, ``U`` from packed factors: gLU = tril_-1(gL) + triu(gU)."""

    node_name = "LuUnpackBackward0"

    @staticmethod
    def forward(ctx, lu, piv, unpack_data, unpack_pivots):
        xp = xp_of(lu)
        m, n = lu.shape[-2:]
        batch = lu.shape[:-2]
        if unpack_pivots:
            p = _perm_matrix(xp.broadcast_to(piv, batch + piv.shape[-1:]), m, lu.dtype)
        else:
            p = xp.empty((0,), dtype=lu.dtype)
        if unpack_data:
            low, up = _unpack_arrays(lu)
        else:
            low, up = xp.empty((0,), dtype=lu.dtype), xp.empty((0,), dtype=lu.dtype)
        ctx.mark_non_differentiable(p)
        ctx.set_materialize_grads(False)
        ctx.shape = (m, n)
        return p, low, up

    @staticmethod
    def backward(ctx, gp, gl, gu):
        m, n = ctx.shape
        k = min(m, n)
        grad = None
        if gl is not None and gl.ndim >= 2:
            grad = matmul(gl, _eye_like(gl, k, n)) * _tri(m, n, -1, gl)
        if gu is not None and gu.ndim >= 2:
            up = matmul(_eye_like(gu, m, k), gu) * (1 - _tri(m, n, -1, gu))
            grad = up if grad is None else grad + up
        return grad, None, None, None


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """``(P, L, U)`` from the packed output of ``lu_factor``."""
    if LU_data.ndim < 2:
        raise RuntimeError(f"numtorch.lu_unpack: Expected tensor with 2 or more dimensions. Got "
                           f"size: [{_list(LU_data.shape)}] instead")
    if LU_pivots.dtype is not D.int32:
        raise RuntimeError("numtorch.lu_unpack: LU_pivots is expected to be a contiguous tensor "
                           "of numtorch.int32 dtype.")
    result = LuUnpack.apply(LU_data, LU_pivots._data, unpack_data, unpack_pivots)
    return _outs(_LuUnpack(result), out, "lu_unpack", LU_data)


def _lu_solve_arrays(lu, piv, b, left: bool, adjoint: bool):
    """Solve with packed factors: ``A X = B``, ``A^T X = B``, ``X A = B`` or ``X A^T = B``."""
    xp = xp_of(lu, b)
    n = lu.shape[-1]
    low, up = _unpack_arrays(lu)
    p = _perm_matrix(piv, n, lu.dtype)
    if not left:  # X A = B  <=>  A^T X^T = B^T
        b, adjoint = b.swapaxes(-1, -2), not adjoint
    if adjoint:  # A^T = U^T L^T P^T
        y = xp.linalg.solve(low.swapaxes(-1, -2), xp.linalg.solve(up.swapaxes(-1, -2), b))
        x = p @ y
    else:
        x = xp.linalg.solve(up, xp.linalg.solve(low, p.swapaxes(-1, -2) @ b))
    return x.swapaxes(-1, -2) if not left else x


class LinalgLuSolve(ArrayFunction):
    """``X`` from packed LU factors of ``A``. gB is a solve with the adjoint system; gA is
    the ``solve`` gradient (``-gB X^T`` for ``A X = B``), pushed onto the factors:
    gL = tril_-1(P^T gA U^T), gU = triu(L^T P^T gA), packed into one gLU.
    """

    node_name = "LinalgLuSolveBackward0"

    @staticmethod
    def forward(ctx, lu, piv, b, left, adjoint):
        with _cpu.quiet():
            try:
                x = _lu_solve_arrays(lu, piv, b, left, adjoint)
            except np.linalg.LinAlgError:  # a zero pivot: LAPACK's getrs divides by it
                x = xp_of(b).full(_broadcast_shapes(lu.shape[:-2], b.shape[:-2]) + b.shape[-2:],
                                  np.nan, dtype=b.dtype)
        ctx.left, ctx.adjoint = left, adjoint
        ctx.piv = piv
        ctx.save_for_backward(lu, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        lu, x = ctx.saved_tensors
        left, adjoint = ctx.left, ctx.adjoint
        piv = _const(ctx.piv)
        gb = LinalgLuSolve.apply(lu, piv, grad, left, not adjoint)
        if not ctx.needs_input_grad[0]:
            return None, None, gb, None, None
        if left:
            ga = -matmul(x, gb.mT) if adjoint else -matmul(gb, x.mT)
        else:
            ga = -matmul(gb.mT, x) if adjoint else -matmul(x.mT, gb)
        n = lu.shape[-1]
        low, up = _unpack(lu)
        p = _const(_perm_matrix(ctx.piv, n, lu._data.dtype))
        pga = matmul(p.mT, ga)
        glu = (matmul(pga, up.mT) * _tri(n, n, -1, lu)
               + matmul(low.mT, pga) * (1 - _tri(n, n, -1, lu)))
        return glu, None, gb if ctx.needs_input_grad[2] else None, None, None


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """Solve ``A X = B`` from ``A``'s packed LU factors (``lu_factor``'s output);
    ``left=False`` solves ``X A = B``, ``adjoint=True`` uses ``A^T``."""
    _need_matrices("linalg.lu_solve", LU, "LU")
    if LU.shape[-1] != LU.shape[-2]:
        raise RuntimeError(f"numtorch.linalg.lu_solve: A must be batches of square matrices, "
                           f"but they are {LU.shape[-2]} by {LU.shape[-1]} matrices")
    _need_matrices("linalg.lu_solve", B, "B")
    n = LU.shape[-1]
    _check_ab_shapes("linalg.lu_solve", n, B.shape, left)
    if LU.dtype is not B.dtype:
        raise RuntimeError(f"linalg.lu_solve: Expected LU and B to have the same dtype, but "
                           f"found LU of type {LU.dtype._legacy} and B of type "
                           f"{B.dtype._legacy} instead")
    if pivots.dtype is not D.int32:
        raise RuntimeError("linalg.lu_solve: pivots should be a Tensor of scalar type "
                           "numtorch.int32")
    if pivots.shape[-1:] != (n,):
        raise RuntimeError("linalg.lu_solve: Number of pivots per batch should be same as the "
                           "dimension of the matrix")
    _broadcast_shapes(LU.shape[:-2], B.shape[:-2])
    piv = pivots._data
    piv = np.broadcast_to(piv, LU.shape[:-2] + (n,)) if piv.ndim == 1 else piv
    return _out(LinalgLuSolve.apply(LU, _const(piv), B, left, adjoint), out,
                "linalg_lu_solve", LU, B)


def lu_solve(input, LU_data, LU_pivots, *, out=None):  # noqa: A002
    """Deprecated ``torch.lu_solve(b, LU_data, LU_pivots)``: ``linalg.lu_solve`` with the
    arguments reversed."""
    _warnings.warn("torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be "
                   "removed in a future PyTorch release.".replace("torch.", "numtorch."),
                   UserWarning)
    return linalg_lu_solve(LU_data, LU_pivots, input, out=out)


# Pade [13/13] for exp(A) (Higham 2005): numerator coefficients b_0 .. b_13; the
# denominator's are the same with alternating signs. theta_13 is the largest 1-norm for
# which it is accurate to double precision; larger matrices are scaled by 2^-s first and
# the result squared s times.
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_kernel(a):
    xp = xp_of(a)
    n = a.shape[-1]
    if a.size == 0:
        return a.copy()
    with _cpu.quiet():
        norm = xp.abs(a).sum(axis=-2).max(axis=-1)
        s = xp.ceil(xp.log2(norm / _THETA13))
        s = xp.where(xp.isfinite(s) & (s > 0), s, 0).astype(np.int64)
        a = a * (2.0 ** -s).astype(a.dtype)[..., None, None]
        b = _PADE13
        eye = xp.eye(n, dtype=a.dtype)
        a2 = a @ a
        a4 = a2 @ a2
        a6 = a4 @ a2
        u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4
                 + b[3] * a2 + b[1] * eye)
        v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 \
            + b[0] * eye
        try:
            r = xp.linalg.solve(v - u, v + u)
        except np.linalg.LinAlgError:  # only for non-finite input
            r = xp.full(a.shape, np.nan, dtype=a.dtype)
        for i in range(int(s.max())):
            r = xp.where((s > i)[..., None, None], r @ r, r)
    return r


class LinalgMatrixExp(ArrayFunction):
    """``exp(A) = sum_k A^k / k!`` by scaling and squaring a Pade approximant.

    Backward: the adjoint of the Frechet derivative is the top-right block of
    ``exp([[A^T, g], [0, A^T]])``, so the gradient is itself a matrix_exp (and so
    differentiable again).
    """

    node_name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return _expm_kernel(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        n = a.shape[-1]
        e = np.eye(2 * n, dtype=a._data.dtype)
        e1, e2 = _const(e[:, :n]), _const(e[:, n:])  # [I; 0] and [0; I]
        at = a.mT
        big = matmul(matmul(e1, at), e1.mT) + matmul(matmul(e1, grad), e2.mT) \
            + matmul(matmul(e2, at), e2.mT)
        return matmul(matmul(e1.mT, LinalgMatrixExp.apply(big)), e2)


def matrix_exp(A):
    """The matrix exponential ``sum_k A^k / k!`` of a square matrix (or batch)."""
    _check_matrix("linalg.matrix_exp", A)
    return LinalgMatrixExp.apply(A)


def _check_b_a(name: str, b, A, kernel: str) -> None:
    """The argument checks shared by ``cholesky_solve`` and ``triangular_solve``."""
    if b.dtype is not A.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{b.dtype._legacy} and A of type {A.dtype._legacy} instead.")
    if A.ndim >= 2 and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"A must be batches of square matrices, but they are {A.shape[-2]} "
                           f"by {A.shape[-1]} matrices")
    if A.ndim < 2:
        raise RuntimeError(f"A should have at least 2 dimensions, but has {A.ndim} dimensions "
                           "instead")
    if A.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"Incompatible matrix sizes for {name}: each A matrix is "
                           f"{A.shape[-2]} by {A.shape[-1]} but each b matrix is {b.shape[-2]} "
                           f"by {b.shape[-1]}")
    if not A.dtype.is_floating_point or A.dtype is D.float16:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{A.dtype._legacy}'")
    _broadcast_shapes(b.shape[:-2], A.shape[:-2])


def _triangle(a, upper: bool, unit: bool = False):
    """The upper or lower triangle of an array of matrices (unit diagonal if ``unit``)."""
    xp = xp_of(a)
    t = xp.triu(a, 1 if unit else 0) if upper else xp.tril(a, -1 if unit else 0)
    return t + xp.eye(a.shape[-1], dtype=a.dtype) if unit else t


class CholeskySolve(ArrayFunction):
    """``X = A^-1 B`` for ``A = L L^T`` (or ``U^T U``), reading only the factor's triangle.

    gB = A^-1 g (another cholesky_solve); with C = gB X^T + X gB^T, gL = -C L and
    gU = -U C (A is symmetric, so both halves of gA = -gB X^T reach the factor).
    """

    node_name = "CholeskySolveBackward0"

    @staticmethod
    def forward(ctx, b, f, upper):
        xp = xp_of(b, f)
        t = _triangle(f, upper)
        tt = t.swapaxes(-1, -2)
        first, second = (tt, t) if upper else (t, tt)
        with _cpu.quiet():
            x = xp.linalg.solve(second, xp.linalg.solve(first, b))
        ctx.upper = upper
        ctx.save_for_backward(f, x)
        return x

    @staticmethod
    def backward(ctx, grad):
        f, x = ctx.saved_tensors
        gb = CholeskySolve.apply(grad, f, ctx.upper)
        gf = None
        if ctx.needs_input_grad[1]:
            c = matmul(gb, x.mT)
            c = c + c.mT
            gf = -matmul(f, c) if ctx.upper else -matmul(c, f)
        return gb if ctx.needs_input_grad[0] else None, gf, None


def cholesky_solve(input, input2, upper=False, *, out=None):  # noqa: A002
    """Solve ``A X = input`` given the Cholesky factor ``input2`` of ``A`` (lower, or
    upper with ``upper=True``)."""
    if input.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {input.ndim} "
                           "dimensions instead")
    _check_b_a("cholesky_solve", input, input2, "cholesky_solve_cpu")
    return _out(CholeskySolve.apply(input, input2, upper), out, "cholesky_solve", input, input2)


class CholeskyInverse(ArrayFunction):
    """``R = (L L^T)^-1`` (or ``(U^T U)^-1``).  gA = -R g R; with C = R (g + g^T) R,
    gL = -C L and gU = -U C."""

    node_name = "CholeskyInverseBackward0"

    @staticmethod
    def forward(ctx, f, upper):
        xp = xp_of(f)
        t = _triangle(f, upper)
        a = t.swapaxes(-1, -2) @ t if upper else t @ t.swapaxes(-1, -2)
        eye = xp.broadcast_to(xp.eye(f.shape[-1], dtype=f.dtype), f.shape)
        with _cpu.quiet():
            try:
                r = xp.linalg.solve(a, eye)
            except np.linalg.LinAlgError:
                r = xp.full(f.shape, np.inf, dtype=f.dtype)
        ctx.upper = upper
        ctx.save_for_backward(f, r)
        return r

    @staticmethod
    def backward(ctx, grad):
        f, r = ctx.saved_tensors
        c = matmul(matmul(r, grad + grad.mT), r)
        return (-matmul(f, c) if ctx.upper else -matmul(c, f)), None


def cholesky_inverse(input, upper=False, *, out=None):  # noqa: A002
    """The inverse of ``A`` from its Cholesky factor ``input`` (``A = L L^T``, or ``U^T U``
    with ``upper=True``)."""
    _need_square("cholesky_inverse", input)
    if not input.dtype.is_floating_point or input.dtype is D.float16:
        raise NotImplementedError(f"\"cholesky_inverse_out_cpu\" not implemented for "
                                  f"'{input.dtype._legacy}'")
    return _out(CholeskyInverse.apply(input, upper), out, "cholesky_inverse", input)


class TriangularSolve(ArrayFunction):
    """``X`` with ``op(T) X = b``, T the chosen triangle of ``A`` and op the transpose
    or not; also returns a copy of ``A`` (the deprecated API's ``cloned_coefficient``).

    gb = op(T)^-T g (the same solve, transposed); gA = -gb X^T (or -X gb^T when
    transposed), kept to the triangle that was read; plus the copy's gradient.
    """

    node_name = "TriangularSolveBackward0"

    @staticmethod
    def forward(ctx, b, a, upper, transpose, unitriangular):
        xp = xp_of(b, a)
        t = _triangle(a, upper, unitriangular)
        if transpose:
            t = t.swapaxes(-1, -2)
        with _cpu.quiet():
            try:
                x = xp.linalg.solve(t, b)
            except np.linalg.LinAlgError:  # a zero on the diagonal: trtrs divides by it
                x = xp.full(_broadcast_shapes(b.shape[:-2], a.shape[:-2]) + b.shape[-2:],
                            np.nan, dtype=b.dtype)
        ctx.flags = (upper, transpose, unitriangular)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(a, x)
        shape = _broadcast_shapes(b.shape[:-2], a.shape[:-2]) + a.shape[-2:]
        return x, xp.broadcast_to(a, shape).copy()

    @staticmethod
    def backward(ctx, gx, gm):
        a, x = ctx.saved_tensors
        upper, transpose, unit = ctx.flags
        gb = ga = None
        if gx is not None:
            gb = TriangularSolve.apply(gx, a, upper, not transpose, unit)[0]
            ga = -matmul(x, gb.mT) if transpose else -matmul(gb, x.mT)
            n = a.shape[-1]
            k = 0 if not unit else 1
            mask = 1 - _tri(n, n, k - 1, a) if upper else _tri(n, n, -k, a)
            ga = ga * mask
        if gm is not None:
            ga = gm if ga is None else ga + gm
        return gb, ga, None, None, None


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *,  # noqa: A002
                     out=None):
    """Deprecated: ``(solution, cloned_coefficient)`` with ``op(A) solution = input`` for
    triangular ``A`` (upper by default)."""
    _warnings.warn("torch.triangular_solve is deprecated in favor of "
                   "torch.linalg.solve_triangularand will be removed in a future PyTorch "
                   "release.".replace("torch.", "numtorch."), UserWarning)
    if input.ndim < 2:
        raise RuntimeError(f"numtorch.triangular_solve: Expected b to have at least 2 "
                           f"dimensions, but it has {input.ndim} dimensions instead")
    _check_b_a("triangular_solve", input, A, "triangular_solve_cpu")
    result = TriangularSolve.apply(input, A, upper, transpose, unitriangular)
    return _outs(_TriangularSolve(result), out, "triangular_solve", input, A)


def _reflect(x, v, tau):
    """``H x = x - tau v (v^T x)`` for the reflector ``H = I - tau v v^T`` (Tensor ops)."""
    return x - (tau.unsqueeze(-1).unsqueeze(-1) * v.unsqueeze(-1)) * matmul(v.unsqueeze(-2), x)


class LinalgHouseholderProduct(ArrayFunction):
    """The first n columns of ``H_0 H_1 ... H_{k-1}``, ``H_i = I - tau_i v_i v_i^T`` with
    ``v_i`` column i of ``A`` below the diagonal, 1 on it, 0 above (LAPACK orgqr).

    Backward, with Q = H_0 (H_1 ... H_{k-1} E) = L_i H_i R_i: gH_i = W_i R_i^T where
    W_i = L_i^T gQ (W_0 = gQ, W_{i+1} = H_i W_i); then for H_i = I - tau v v^T,
    gv = -tau (gH + gH^T) v and gtau = -v^T gH v, formed without the m x m gH.
    """

    node_name = "LinalgHouseholderProductBackward0"

    @staticmethod
    def forward(ctx, a, tau):
        xp = xp_of(a, tau)
        m, n = a.shape[-2:]
        k = tau.shape[-1]
        batch = _broadcast_shapes(a.shape[:-2], tau.shape[:-1])
        q = xp.broadcast_to(xp.eye(m, n, dtype=a.dtype), batch + (m, n)).copy()
        for i in range(k - 1, -1, -1):
            v = a[..., :, i].copy()
            v[..., :i] = 0
            v[..., i] = 1
            q -= (tau[..., i, None, None] * v[..., :, None]) * (v[..., None, :] @ q)
        ctx.save_for_backward(a, tau)
        return q

    @staticmethod
    def backward(ctx, grad):
        a, tau = ctx.saved_tensors
        m, n = a.shape[-2:]
        k = tau.shape[-1]
        xp, dt = xp_of(a._data), a._data.dtype
        lower = _tri(m, n, -1, a)
        vs = a * lower + _eye_like(a, m, n)
        cols = [_const(xp.eye(n, dtype=dt)[:, i]) for i in range(k)]
        taus = [_const(xp.eye(k, dtype=dt)[:, i]) for i in range(k)]
        v = [matmul(vs, cols[i]) for i in range(k)]
        t = [matmul(tau, taus[i]) for i in range(k)]
        r = [None] * k
        r[k - 1] = _eye_like(a, m, n)
        for i in range(k - 1, 0, -1):
            r[i - 1] = _reflect(r[i], v[i], t[i])
        w = grad
        ga = gtau = None
        for i in range(k):
            rv = matmul(v[i].unsqueeze(-2), r[i]).squeeze(-2)   # R_i^T v
            wv = matmul(v[i].unsqueeze(-2), w).squeeze(-2)      # W_i^T v
            gv = -t[i].unsqueeze(-1) * (matmul(w, rv.unsqueeze(-1)).squeeze(-1)
                                        + matmul(r[i], wv.unsqueeze(-1)).squeeze(-1))
            gt = -(wv * rv).sum(-1)
            col = gv.unsqueeze(-1) * cols[i]
            ga = col if ga is None else ga + col
            gt = gt.unsqueeze(-1) * taus[i]
            gtau = gt if gtau is None else gtau + gt
            w = _reflect(w, v[i], t[i])
        if ga is None:
            return a * 0, tau * 0
        return ga * lower, gtau


def householder_product(A, tau, *, out=None):
    """The product of the Householder reflectors stored in ``A`` and ``tau`` (as
    ``geqrf`` leaves them): the first ``n`` columns of ``H_0 ... H_{k-1}``."""
    name = "numtorch.linalg.householder_product"
    if A.ndim < 2:
        raise RuntimeError(f"{name}: input must have at least 2 dimensions.")
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-2] must be greater than or equal to "
                           "input.shape[-1]")
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{name}: input.shape[-1] must be greater than or equal to "
                           "tau.shape[-1]")
    if A.ndim - tau.ndim != 1:
        raise RuntimeError(f"{name}: Expected tau to have one dimension less than input, but "
                           f"got tau.ndim equal to {tau.ndim} and input.ndim is equal to "
                           f"{A.ndim}")
    if A.dtype is not tau.dtype:
        raise RuntimeError(f"{name}: tau dtype {tau.dtype._legacy} does not match input dtype "
                           f"{A.dtype._legacy}")
    if not A.dtype.is_floating_point or A.dtype is D.float16:
        raise NotImplementedError(f"\"orgqr_cpu\" not implemented for '{A.dtype._legacy}'")
    return _out(LinalgHouseholderProduct.apply(A, tau), out, "linalg_householder_product",
                A, tau)


def orgqr(input, input2):  # noqa: A002
    """Alias of ``linalg.householder_product``."""
    return householder_product(input, input2)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """``numtorch.diagonal`` with defaults for batches of matrices (the last two dims)."""
    from .shape import diagonal

    return diagonal(A, offset, dim1, dim2)


def vander(x, N=None):
    """The Vandermonde matrix ``[1, x, x^2, ..., x^(N-1)]`` along a new last dim (integers
    compute in int64), built as PyTorch builds it: ones, then a running product."""
    from .reduce import cumprod
    from .shape import cat

    if x.dtype is D.bool:
        raise RuntimeError("linalg.vander supports floating point, complex, and integer "
                           "tensors, but got Bool")
    n = (x.shape[-1] if x.ndim else 1) if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    if not x.dtype.is_floating_point:
        x = x.to(D.int64)
    ones = _const(xp_of(x._data).ones(tuple(x.shape) + (1,), dtype=x._data.dtype))
    powers = cumprod(x.unsqueeze(-1).expand(*x.shape, n - 1), -1)
    return cat([ones, powers], -1)


def tensorinv(A, ind=2, *, out=None):
    """The inverse of ``A`` seen as a linear map from its first ``ind`` dims to the others:
    ``tensordot(tensorinv(A), A, ind)`` is the identity."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = _prod(A.shape[:ind]), _prod(A.shape[ind:])
    if rows != cols:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {cols} != {rows}")
    result = inv(A.reshape(rows, cols)).reshape(*A.shape[ind:], *A.shape[:ind])
    return _out(result, out, "linalg_tensorinv", A)


def tensorsolve(A, B, dims=None, *, out=None):
    """``X`` with ``tensordot(A, X, X.ndim) = B``; ``dims`` of ``A`` move to the end first."""
    if dims is not None:
        from .shape import movedim

        dims = [_wrap_dim(d, A.ndim) for d in dims]
        A = movedim(A, dims, list(range(A.ndim - len(dims), A.ndim)))
    rows, cols = _prod(A.shape[:B.ndim]), _prod(A.shape[B.ndim:])
    if rows != cols:
        raise RuntimeError("Expected self to satisfy the requirement "
                           "prod(self.shape[other.ndim:]) == prod(self.shape[:other.ndim]), but "
                           f"got {cols} != {rows}")
    result = solve(A.reshape(rows, cols), B.reshape(rows)).reshape(*A.shape[B.ndim:])
    return _out(result, out, "linalg_tensorsolve", A, B)


_NO_COMPLEX = ("{}: the eigenvalues and eigenvectors of a general real matrix are complex, and "
               "numtorch has no complex dtypes: complex results are not supported. For a "
               "symmetric matrix use numtorch.linalg.{}.")


def linalg_eig(A, *, out=None):
    """Not supported: ``torch.linalg.eig`` returns complex tensors (use ``eigh``)."""
    raise RuntimeError(_NO_COMPLEX.format("linalg.eig", "eigh"))


def eigvals(A, *, out=None):
    """Not supported: ``torch.linalg.eigvals`` returns complex tensors (use ``eigvalsh``)."""
    raise RuntimeError(_NO_COMPLEX.format("linalg.eigvals", "eigvalsh"))


# Functions PyTorch removed in 1.9: calling them raises PyTorch's message (with its
# module name). ``solve``, ``lstsq`` and ``matrix_rank`` are names of this module's
# ``numtorch.linalg`` functions, so their removed forms are ``_removed_*``.
_REMOVED = "This function was deprecated since version 1.9 and is now removed. "
_REMOVED_SOLVE = _REMOVED + (
    "`numtorch.solve` is deprecated in favor of `numtorch.linalg.solve`. `numtorch.linalg.solve` "
    "has its arguments reversed and does not return the LU factorization.\n\nTo get the LU "
    "factorization see `numtorch.lu`, which can be used with `numtorch.lu_solve` or "
    "`numtorch.lu_unpack`.\nX = numtorch.solve(B, A).solution should be replaced with:\n"
    "X = numtorch.linalg.solve(A, B)")
_REMOVED_EIG = _REMOVED + (
    "`numtorch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than "
    "real tensors mimicking complex tensors.\n\nL, _ = numtorch.eig(A) should be replaced "
    "with:\nL_complex = numtorch.linalg.eigvals(A)\n\nand\n\nL, V = numtorch.eig(A, "
    "eigenvectors=True) should be replaced with:\nL_complex, V_complex = numtorch.linalg.eig(A)")
_REMOVED_SYMEIG = _REMOVED + (
    "The default behavior has changed from using the upper triangular portion of the matrix by "
    "default to using the lower triangular portion.\n\nL, _ = numtorch.symeig(A, upper=upper) "
    "should be replaced with:\nL = numtorch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\n"
    "and\n\nL, V = numtorch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = "
    "numtorch.linalg.eigh(A, UPLO='U' if upper else 'L')")
_REMOVED_LSTSQ = _REMOVED + (
    "`numtorch.lstsq` is deprecated in favor of `numtorch.linalg.lstsq`.\n`numtorch.linalg.lstsq` "
    "has reversed arguments and does not return the QR decomposition in the returned tuple "
    "(although it returns other information about the problem).\n\nTo get the QR decomposition "
    "consider using `numtorch.linalg.qr`.\n\nThe returned solution in `numtorch.lstsq` stored "
    "the residuals of the solution in the last m - n columns of the returned value whenever "
    "m > n. In numtorch.linalg.lstsq, the residuals are in the field 'residuals' of the "
    "returned named tuple.\n\nThe unpacking of the solution, as in\nX, _ = numtorch.lstsq(B, "
    "A).solution[:A.size(1)]\nshould be replaced with:\nX = numtorch.linalg.lstsq(A, B).solution")
_REMOVED_MATRIX_RANK = _REMOVED.rstrip() + (
    "\nPlease use the `numtorch.linalg.matrix_rank` function instead. The parameter 'symmetric' "
    "was renamed in `numtorch.linalg.matrix_rank()` to 'hermitian'.")


def _removed_solve(*args, **kwargs):
    raise RuntimeError(_REMOVED_SOLVE)


def eig(*args, **kwargs):
    """Removed from PyTorch (1.9): use ``linalg.eigh`` (numtorch has no complex dtypes)."""
    raise RuntimeError(_REMOVED_EIG)


def symeig(*args, **kwargs):
    """Removed from PyTorch (1.9): use ``linalg.eigh``."""
    raise RuntimeError(_REMOVED_SYMEIG)


def _removed_lstsq(*args, **kwargs):
    raise RuntimeError(_REMOVED_LSTSQ)


def _removed_matrix_rank(*args, **kwargs):
    raise RuntimeError(_REMOVED_MATRIX_RANK)


# torch.special functions PyTorch also has as torch.X and Tensor.X (numtorch/special.py
# defines them; this module's __all__ and method tables publish them).
from ..special import i0, igamma, igammac, mvlgamma  # noqa: E402
