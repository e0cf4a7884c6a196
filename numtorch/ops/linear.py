"""linear and bilinear: the affine maps behind nn.Linear and nn.Bilinear.

``linear(x, W, b) = x @ W^T + b``. For a batch of row vectors (2-D ``x``) it is
one fused op, ``_Linear`` — the hot path of every MLP:

    forward:   out = x @ W^T          one gemm (BLAS reads W^T in place, no copy)
               out += b               in place, broadcast over the rows
    backward:  dx = g @ W             one gemm
               dW = g^T @ x           one gemm, straight into W's layout
               db = g.sum(0)

PyTorch runs this as ``addmm(b, x, W.t())`` and names the node ``AddmmBackward0``
(``MmBackward0`` without bias); we keep the names but compute dW directly in W's
layout, so no transposed gradient has to be copied before it is accumulated.
Other ranks are folded to 2-D around it, as PyTorch does.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from .linalg import _check_broadcast_to, _dims, _mm, _need_tensor, einsum, matmul, mm

__all__ = ["linear", "bilinear"]

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _affine(x, w, b):
    """``x @ w.T + b`` (``b`` may be None), C-contiguous as PyTorch's result.

    OpenBLAS multiplies a few rows by a large weight much faster as ``(w @ x.T).T``:
    measured on the 2-core Xeon (float32, one or two threads alike), ``(8|16|32, 784)``
    rows through a ``(512, 784)`` weight take 0.5-0.7x the time of ``x @ w.T``, 64 rows
    0.85x; with more rows than an eighth of either dimension of the weight, or a narrow
    layer, it turns 1.1-2x slower. The transposed product is then made C-contiguous by
    the bias add itself (or a copy without bias). Both orders compute every output as
    the same dot product, so the values agree.
    """
    rows, inner = x.shape
    if (type(x) is np.ndarray and (x.dtype is _F32 or x.dtype is _F64) and 8 <= rows
            and 8 * rows <= min(w.shape[0], inner) and inner >= 256):
        t = (w @ x.T).T
        return np.ascontiguousarray(t) if b is None else np.add(t, b, order="C")
    out = _mm(x, w.T)
    if b is not None:
        out += b
    return out


class _Linear(ArrayFunction):
    """``x @ W^T + b`` for 2-D ``x``; ``b`` broadcasts to ``(rows, out_features)``."""

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, x, w, b):
        need = ctx.needs_input_grad
        if need[0] or need[1]:
            ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        if b is not None:
            ctx.bias_shape = b.shape
        return _affine(x, w, b)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        if grad_mode.enabled:  # create_graph: products that are themselves recorded
            gx = mm(grad, w) if need[0] else None
            gw = mm(grad.t(), x) if need[1] else None
        else:
            # A plain backward: the gemms straight on the arrays (what mm computes),
            # skipping mm's checks, which forward's shapes already passed, and a node each.
            g = grad._data
            gx = Tensor._make(_mm(g, w._data)) if need[0] else None
            gw = Tensor._make(_mm(g.T, x._data)) if need[1] else None
        gb = None
        if len(need) > 2 and need[2]:
            # A (out_features,) bias is summed here; other broadcast shapes by the engine.
            gb = grad.sum(0) if ctx.bias_shape == grad.shape[1:] else grad
        return gx, gw, gb


class _LinearNoBias(_Linear):
    """``x @ W^T`` for 2-D ``x`` (PyTorch's ``mm(x, W.t())``)."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, x, w):
        return _Linear.forward(ctx, x, w, None)

    @staticmethod
    def backward(ctx, grad):
        return _Linear.backward(ctx, grad)[:2]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Apply the affine map ``y = x W^T + b``.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``.
        bias: ``(out_features)`` (or anything that broadcasts to the output), optional.

    Shape:
        output: ``(*, out_features)``.
    """
    _need_tensor("linear", "input", 1, input)
    _need_tensor("linear", "weight", 2, weight)
    if bias is not None:
        _need_tensor("linear", "bias", 3, bias)
    x, w = input._data, weight._data
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{x.ndim}D and {w.ndim}D")
    if w.ndim != 2:  # a 1-D weight is a dot product; anything else fails in .t() as in PyTorch
        out = matmul(input, weight.t())
        return out if bias is None else out + bias
    rows = 1
    for s in x.shape[:-1]:
        rows *= s
    if x.shape[-1] != w.shape[1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({_dims((rows, x.shape[-1]))} and {_dims(w.shape[::-1])})")
    if x.dtype != w.dtype:
        if bias is None:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_ctype(input)} != {_ctype(weight)}")
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                           f"{input.dtype._legacy} and {weight.dtype._legacy}")
    if bias is not None:
        if bias._data.dtype != w.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got "
                               f"{bias.dtype._legacy} and {weight.dtype._legacy}")
    if x.ndim == 2:
        if bias is None:
            return _LinearNoBias.apply(input, weight)
        if bias._data.shape != (w.shape[0],):
            _check_broadcast_to(bias, (x.shape[0], w.shape[0]))
        return _Linear.apply(input, weight, bias)
    if bias is None:  # PyTorch's matmul folding: SqueezeBackward4 / UnsafeViewBackward0
        return matmul(input, weight.t())
    if x.ndim == 1 or x.flags.c_contiguous:
        # Fold the leading dims into rows (a view), one fused op, unfold (another view).
        if bias._data.shape != (w.shape[0],):
            _check_broadcast_to(bias, (rows, w.shape[0]))
        out = _Linear.apply(input.reshape(rows, x.shape[-1]), weight, bias)
        return out.view(*x.shape[:-1], w.shape[0])
    return matmul(input, weight.t()) + bias


def _ctype(t) -> str:
    from .linalg import _CTYPE

    return _CTYPE[t.dtype.name]


class _Trilinear(ArrayFunction):
    """``y[n, o] = sum_ij x1[n, i] W[o, i, j] x2[n, j]`` (PyTorch's ``_trilinear`` node)."""

    node_name = "TrilinearBackward0"

    @staticmethod
    def forward(ctx, x1, w, x2):
        ctx.save_for_backward(x1, w, x2)
        n, i = x1.shape
        o, _, j = w.shape
        # (n, i) @ (i, o*j) is one gemm; the remaining contraction over j is a batched dot.
        t = (x1 @ w.transpose(1, 0, 2).reshape(i, o * j)).reshape(n, o, j)
        return (t @ x2[:, :, None])[:, :, 0]

    @staticmethod
    def backward(ctx, grad):
        x1, w, x2 = ctx.saved_tensors
        need = ctx.needs_input_grad
        g1 = einsum("no,oij,nj->ni", grad, w, x2) if need[0] else None
        gw = einsum("no,ni,nj->oij", grad, x1, x2) if need[1] else None
        g2 = einsum("no,ni,oij->nj", grad, x1, w) if need[2] else None
        return g1, gw, g2


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None):
    """Apply ``y = x1^T A x2 + b`` to each pair of rows.

    Shape:
        input1: ``(*, in1)``; input2: ``(*, in2)``; weight: ``(out, in1, in2)``;
        bias: ``(out)``; output: ``(*, out)``.
    """
    for pos, (name, t) in enumerate((("input1", input1), ("input2", input2),
                                     ("weight", weight))):
        _need_tensor("bilinear", name, pos + 1, t)
    s1, s2, sw = input1.shape, input2.shape, weight.shape
    if len(s1) != len(s2):
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {len(s1)} and "
                           f"{len(s2)}")
    for d in range(len(s1) - 1):
        if s1[d] != s2[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {s1[d]} and {s2[d]}")
    if len(sw) != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, got {len(sw)}-D")
    if s1[-1] != sw[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {s1[-1]} "
                           f"but expected {sw[1]}")
    if s2[-1] != sw[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {s2[-1]} "
                           f"but expected {sw[2]}")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != sw[0]):
        got = bias.shape[0] if bias.ndim else bias.numel()
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {got} but "
                           f"expected {sw[0]}")
    lead = tuple(s1[:-1])
    x1 = input1.reshape(-1, s1[-1])
    x2 = input2.reshape(-1, s2[-1])
    out = _Trilinear.apply(x1, weight, x2).view(*lead, sw[0])
    return out if bias is None else out + bias
