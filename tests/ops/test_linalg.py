"""numtorch/ops/linalg.py and numtorch.linalg against PyTorch: values, gradients, errors."""

import math
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
from tests.utils import assert_same, check_op, to_torch, torch

F32, F64 = np.float32, np.float64


def rand(*shape, dtype=F64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def spd(*shape, dtype=F64, seed=0):
    """A well-conditioned symmetric positive-definite matrix (or batch)."""
    a = rand(*shape, seed=seed)
    return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def leaf(a):
    return numtorch.tensor(a, requires_grad=True)


def both(fn_name):
    """The same function in numtorch and torch, by dotted name (``'linalg.svd'``)."""
    nt, t = numtorch, torch
    for part in fn_name.split("."):
        nt, t = getattr(nt, part), getattr(t, part)
    return nt, t


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-4) if dtype == F32 else dict(rtol=1e-7, atol=1e-8)


# --- matrix products ----------------------------------------------------------------------

PRODUCTS = [
    ("mm", [(3, 4), (4, 5)]),
    ("mm", [(0, 3), (3, 4)]),
    ("mm", [(3, 0), (0, 4)]),
    ("bmm", [(2, 3, 4), (2, 4, 5)]),
    ("mv", [(3, 4), (4,)]),
    ("dot", [(5,), (5,)]),
    ("vdot", [(5,), (5,)]),
    ("inner", [(2, 4), (3, 4)]),
    ("inner", [(4,), (4,)]),
    ("inner", [(), (3,)]),
    ("outer", [(2,), (3,)]),
    ("ger", [(2,), (3,)]),
    ("kron", [(2, 3), (4, 1, 2)]),
    ("kron", [(2,), (3,)]),
    ("trace", [(3, 4)]),
]

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((5, 2, 3), (3,)), ((3,), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)), ((7, 1, 2, 3), (5, 3, 4)), ((0, 3), (3, 4)), ((2, 0, 3), (3, 4)),
    ((2, 3), (3, 0)), ((4, 0), (0, 2)),
]


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("name,shapes", PRODUCTS)
def test_product_values_and_grads_match_torch(name, shapes, dtype):
    nt_fn, t_fn = both(name)
    check_op(nt_fn, t_fn, *[rand(*s, dtype=dtype, seed=i) for i, s in enumerate(shapes)],
             **tol(dtype))


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_every_rank_combination(sa, sb, dtype):
    a, b = rand(*sa, dtype=dtype), rand(*sb, dtype=dtype, seed=1)
    check_op(numtorch.matmul, torch.matmul, a, b, **tol(dtype))
    check_op(lambda x, y: x @ y, lambda x, y: x @ y, a, b, **tol(dtype))


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES[:11])
def test_matmul_grad_fn_names_match_torch(sa, sb):
    for req in ((True, True), (True, False), (False, True)):
        a, b = rand(*sa), rand(*sb, seed=1)
        x, y = numtorch.tensor(a, requires_grad=req[0]), numtorch.tensor(b, requires_grad=req[1])
        tx, ty = torch.tensor(a, requires_grad=req[0]), torch.tensor(b, requires_grad=req[1])
        expected = (tx @ ty).grad_fn.name()
        if expected == "CloneBackward0":  # torch's 2-D @ batched when only the 2-D needs grad
            continue
        assert (x @ y).grad_fn.name() == expected


@pytest.mark.parametrize("name,args,expected", [
    ("addmm", [(4,), (3, 5), (5, 4)], "AddmmBackward0"),
    ("addmv", [(3,), (3, 5), (5,)], "AddmvBackward0"),
    ("addr", [(3, 5), (3,), (5,)], "AddrBackward0"),
    ("baddbmm", [(2, 3, 4), (2, 3, 5), (2, 5, 4)], "BaddbmmBackward0"),
    ("addbmm", [(3, 4), (2, 3, 5), (2, 5, 4)], "AddbmmBackward0"),
    ("bmm", [(2, 3, 4), (2, 4, 5)], "BmmBackward0"),
    ("dot", [(3,), (3,)], "DotBackward0"),
    ("vdot", [(3,), (3,)], "VdotBackward0"),
    ("mv", [(3, 4), (4,)], "MvBackward0"),
    ("outer", [(3,), (4,)], "MulBackward0"),
    ("trace", [(3, 3)], "TraceBackward0"),
    ("kron", [(2, 2), (3, 3)], "UnsafeViewBackward0"),
    ("linalg.cross", [(4, 3), (4, 3)], "LinalgCrossBackward0"),
    ("linalg.inv", [(3, 3)], "LinalgInvExBackward0"),
    ("linalg.det", [(3, 3)], "LinalgDetBackward0"),
    ("linalg.solve", [(3, 3), (3,)], "LinalgSolveExBackward0"),
    ("linalg.svdvals", [(3, 4)], "LinalgSvdBackward0"),
    ("linalg.vector_norm", [(3, 4)], "LinalgVectorNormBackward0"),
    ("linalg.norm", [(3, 4)], "LinalgVectorNormBackward0"),
    ("linalg.pinv", [(3, 4)], "LinalgPinvBackward0"),
])
def test_grad_fn_names(name, args, expected):
    nt_fn, t_fn = both(name)
    arrays = [rand(*s, seed=i) for i, s in enumerate(args)]
    assert t_fn(*[torch.tensor(a, requires_grad=True) for a in arrays]).grad_fn.name() == expected
    assert nt_fn(*[leaf(a) for a in arrays]).grad_fn.name() == expected


@pytest.mark.parametrize("name,shape,expected", [
    ("linalg.svd", (3, 4), "LinalgSvdBackward0"),
    ("linalg.qr", (4, 3), "LinalgQrBackward0"),
    ("linalg.eigh", (3, 3), "LinalgEighBackward0"),
    ("linalg.slogdet", (3, 3), "LinalgSlogdetBackward0"),
    ("linalg.cholesky", (3, 3), "LinalgCholeskyExBackward0"),
])
def test_grad_fn_names_of_decompositions(name, shape, expected):
    nt_fn, t_fn = both(name)
    a = spd(*shape) if shape[0] == shape[1] else rand(*shape)
    outs, t_outs = nt_fn(leaf(a)), t_fn(torch.tensor(a, requires_grad=True))
    outs = outs if isinstance(outs, tuple) else (outs,)
    t_outs = t_outs if isinstance(t_outs, tuple) else (t_outs,)
    assert [o.grad_fn.name() for o in outs] == [o.grad_fn.name() for o in t_outs] == \
        [expected] * len(outs)


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 1)])
@pytest.mark.parametrize("name,shapes", [
    ("addmm", [(4,), (3, 5), (5, 4)]),
    ("addmm", [(3, 4), (3, 5), (5, 4)]),
    ("addmm", [(3, 1), (3, 5), (5, 4)]),
    ("addmm", [(), (3, 5), (5, 4)]),
    ("addmv", [(3,), (3, 5), (5,)]),
    ("addmv", [(1,), (3, 5), (5,)]),
    ("addr", [(3, 5), (3,), (5,)]),
    ("addr", [(5,), (3,), (5,)]),
    ("baddbmm", [(4,), (2, 3, 5), (2, 5, 4)]),
    ("baddbmm", [(2, 3, 4), (2, 3, 5), (2, 5, 4)]),
    ("addbmm", [(3, 4), (2, 3, 5), (2, 5, 4)]),
    ("addbmm", [(4,), (2, 3, 5), (2, 5, 4)]),
])
def test_add_products_with_beta_alpha(name, shapes, beta, alpha, dtype):
    nt_fn, t_fn = both(name)
    arrays = [rand(*s, dtype=dtype, seed=i) for i, s in enumerate(shapes)]
    check_op(lambda *a: nt_fn(*a, beta=beta, alpha=alpha),
             lambda *a: t_fn(*a, beta=beta, alpha=alpha), *arrays, **tol(dtype))


def test_addmm_beta_zero_ignores_nan_input():
    bias = np.full((2, 2), np.nan)
    check_op(lambda *a: numtorch.addmm(*a, beta=0), lambda *a: torch.addmm(*a, beta=0),
             bias, rand(2, 3), rand(3, 2, seed=1), grad=False)


def test_addmm_of_integers_truncates_beta_and_alpha_like_torch():
    a = np.arange(4).reshape(2, 2)
    check_op(lambda *x: numtorch.addmm(*x, beta=0.5, alpha=2.5),
             lambda *x: torch.addmm(*x, beta=0.5, alpha=2.5), a, a, a, grad=False)


@pytest.mark.parametrize("name,shapes", [
    ("addmm", [(3, 4), (3, 5), (5, 4)]),
    ("addmv", [(3,), (3, 5), (5,)]),
    ("addr", [(3, 5), (3,), (5,)]),
    ("baddbmm", [(2, 3, 4), (2, 3, 5), (2, 5, 4)]),
    ("addbmm", [(3, 4), (2, 3, 5), (2, 5, 4)]),
])
def test_inplace_add_products(name, shapes):
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    x, tx = numtorch.tensor(arrays[0]), torch.tensor(arrays[0])
    others = [numtorch.tensor(a) for a in arrays[1:]]
    out = getattr(x, name + "_")(*others, beta=0.5, alpha=2)
    getattr(tx, name + "_")(*[torch.tensor(a) for a in arrays[1:]], beta=0.5, alpha=2)
    assert out is x
    assert_same(x, tx, rtol=1e-7)
    # and through autograd: the in-place result has the op's grad_fn
    w = leaf(arrays[0])
    y = w * 1
    getattr(y, name + "_")(*[leaf(a) for a in arrays[1:]])
    assert y.grad_fn.name() == getattr(torch.tensor(arrays[0], requires_grad=True) * 1,
                                       name + "_")(*[torch.tensor(a) for a in arrays[1:]]
                                                   ).grad_fn.name()


def test_addmm_inplace_shape_mismatch_raises():
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape|should match"):
        numtorch.zeros(4).addmm_(numtorch.zeros(2, 3), numtorch.zeros(3, 4))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_products(dtype):
    a = (np.arange(12) % 7).astype(dtype).reshape(3, 4)
    b = (np.arange(20) % 5).astype(dtype).reshape(4, 5)
    for nt_fn, t_fn, args in [
        (numtorch.mm, torch.mm, (a, b)), (numtorch.matmul, torch.matmul, (a, b)),
        (numtorch.matmul, torch.matmul, (a[None].repeat(2, 0), b)),
        (numtorch.mv, torch.mv, (a, b[:, 0])), (numtorch.dot, torch.dot, (a[0], b[:, 0])),
        (numtorch.bmm, torch.bmm, (a[None], b[None])), (numtorch.trace, torch.trace, (a,)),
    ]:
        check_op(nt_fn, t_fn, *args, grad=False)


def test_tutorial_int_matmul_and_out():
    # from PyTorch's tensor tutorial: ``tensor @ tensor.T`` and ``matmul(..., out=)``
    data = np.arange(16).reshape(4, 4)
    t, tt = numtorch.tensor(data), torch.tensor(data)
    assert_same(t @ t.T, tt @ tt.T)
    assert_same(t.matmul(t.T), tt.matmul(tt.T))
    f, tf = numtorch.ones(4, 4), torch.ones(4, 4)
    y3, ty3 = numtorch.rand_like(f), torch.rand_like(tf)
    assert numtorch.matmul(f, f.T, out=y3) is y3
    torch.matmul(tf, tf.T, out=ty3)
    assert_same(y3, ty3)


@pytest.mark.parametrize("name,shapes", [
    ("mm", [(3, 4), (4, 5)]), ("bmm", [(2, 3, 4), (2, 4, 5)]), ("mv", [(3, 4), (4,)]),
    ("dot", [(4,), (4,)]), ("matmul", [(2, 3, 4), (4, 5)]), ("outer", [(3,), (4,)]),
    ("addmm", [(5,), (3, 4), (4, 5)]), ("kron", [(2, 2), (2, 3)]), ("inner", [(2, 3), (4, 3)]),
    ("tensordot", [(3, 4), (4, 5)]), ("linalg.inv", [(3, 3)]), ("linalg.det", [(3, 3)]),
    ("linalg.solve", [(3, 3), (3, 2)]), ("linalg.vector_norm", [(3, 4)]),
    ("linalg.svdvals", [(3, 4)]), ("linalg.cross", [(2, 3), (2, 3)]),
])
def test_out_argument(name, shapes):
    nt_fn, t_fn = both(name)
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    if name == "tensordot":
        nt_fn = lambda a, b, out: numtorch.tensordot(a, b, dims=1, out=out)  # noqa: E731
        t_fn = lambda a, b, out: torch.tensordot(a, b, dims=1, out=out)  # noqa: E731
    out, tout = numtorch.empty(0, dtype=numtorch.float64), torch.empty(0, dtype=torch.float64)
    res = nt_fn(*[numtorch.tensor(a) for a in arrays], out=out)
    t_fn(*[torch.tensor(a) for a in arrays], out=tout)
    assert res is out
    assert_same(out, tout)


def test_out_with_requires_grad_raises():
    a = leaf(rand(2, 2))
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        numtorch.mm(a, a, out=numtorch.empty(2, 2, dtype=numtorch.float64))


def _transposed_pair(a):
    """A non-contiguous (transposed-view) leaf with ``a``'s values, in numtorch and torch."""
    base = np.ascontiguousarray(np.swapaxes(a, -1, -2))
    x, tx = leaf(base), torch.tensor(base, requires_grad=True)
    return x, tx, x.mT, tx.mT


@pytest.mark.parametrize("name,shapes", [
    ("mm", [(3, 4), (4, 5)]), ("matmul", [(2, 3, 4), (4, 5)]), ("matmul", [(2, 3, 4), (2, 4, 5)]),
    ("bmm", [(2, 3, 4), (2, 4, 5)]), ("mv", [(3, 4), (4, 1)]), ("linalg.inv", [(3, 3)]),
    ("linalg.det", [(2, 3, 3)]), ("linalg.solve", [(3, 3), (3, 2)]),
    ("linalg.svdvals", [(3, 4)]), ("linalg.vector_norm", [(3, 4)]),
    ("linalg.matrix_norm", [(3, 4)]), ("trace", [(3, 4)]), ("tensordot", [(3, 4), (4, 5)]),
])
def test_non_contiguous_inputs(name, shapes):
    nt_fn, t_fn = both(name)
    if name == "tensordot":
        nt_fn = lambda a, b: numtorch.tensordot(a, b, dims=1)  # noqa: E731
        t_fn = lambda a, b: torch.tensordot(a, b, dims=1)  # noqa: E731
    pairs = [_transposed_pair(rand(*s, seed=i)) for i, s in enumerate(shapes)]
    ins = [p[2] if p[2].ndim > 1 and p[2].shape[-1] > 1 else p[2].reshape(-1) for p in pairs]
    tins = [p[3] if p[3].ndim > 1 and p[3].shape[-1] > 1 else p[3].reshape(-1) for p in pairs]
    assert not ins[0].is_contiguous()
    out, tout = nt_fn(*ins), t_fn(*tins)
    assert_same(out, tout, rtol=1e-7)
    out.sum().backward()
    tout.sum().backward()
    for p in pairs:
        assert_same(p[0].grad, p[1].grad, rtol=1e-7, atol=1e-9)


# --- product errors ------------------------------------------------------------------------

def _t(*shape, dtype=numtorch.float32):
    return numtorch.zeros(shape, dtype=dtype)


D64 = numtorch.float64


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: numtorch.mm(_t(64, 784), _t(512, 10)), RuntimeError,
     r"mat1 and mat2 shapes cannot be multiplied \(64x784 and 512x10\)"),
    (lambda: _t(64, 784) @ _t(512, 10), RuntimeError,
     r"mat1 and mat2 shapes cannot be multiplied \(64x784 and 512x10\)"),
    (lambda: numtorch.mm(_t(3), _t(3, 4)), RuntimeError, "self must be a matrix"),
    (lambda: numtorch.mm(_t(3, 4), _t(4)), RuntimeError, "mat2 must be a matrix"),
    (lambda: numtorch.mm(_t(2, 3), _t(3, 4, dtype=D64)), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    (lambda: numtorch.matmul(_t(2, 3), _t(3, 4, dtype=D64)), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    (lambda: numtorch.matmul(_t(2, 3, dtype=numtorch.int64), _t(3, 2)), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: long int != float"),
    (lambda: numtorch.matmul(_t(5, 2, 3), _t(5, 3, 4, dtype=D64)), RuntimeError,
     "expected scalar type Float but found Double"),
    (lambda: numtorch.matmul(_t(3), _t(4)), RuntimeError,
     r"inconsistent tensor size, expected tensor \[3\] and src \[4\]"),
    (lambda: numtorch.matmul(_t(2, 3), _t(4)), RuntimeError,
     r"size mismatch, got input \(2\), mat \(2x3\), vec \(4\)"),
    (lambda: numtorch.matmul(_t(5, 2, 3), _t(4)), RuntimeError,
     r"size mismatch, got input \(10\), mat \(10x3\), vec \(4\)"),
    (lambda: numtorch.matmul(_t(3), _t(4, 5)), RuntimeError,
     r"shapes cannot be multiplied \(1x3 and 4x5\)"),
    (lambda: numtorch.matmul(_t(5, 2, 3), _t(4, 5)), RuntimeError,
     r"shapes cannot be multiplied \(10x3 and 4x5\)"),
    (lambda: numtorch.matmul(_t(5, 2, 3), _t(5, 4, 5)), RuntimeError,
     r"Expected size for first two dimensions of batch2 tensor to be: \[5, 3\] but got: "
     r"\[5, 4\]"),
    (lambda: numtorch.matmul(_t(5, 2, 3), _t(4, 3, 5)), RuntimeError,
     r"The size of tensor a \(5\) must match the size of tensor b \(4\) at non-singleton "
     "dimension 0"),
    (lambda: numtorch.matmul(_t(), _t(3)), RuntimeError,
     "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    (lambda: numtorch.matmul(_t(3), _t(3, dtype=D64)), RuntimeError,
     "dot : expected both vectors to have same dtype, but found Float and Double"),
    (lambda: numtorch.matmul(_t(2, 3), _t(3, dtype=D64)), RuntimeError,
     "addmv input tensors must have the same dtype, but got Double, Float, and Double"),
    (lambda: numtorch.matmul(_t(2, 3), [1]), TypeError,
     r"matmul\(\): argument 'other' \(position 2\) must be Tensor, not list"),
    (lambda: numtorch.mm(_t(2, 2, dtype=numtorch.bool), _t(2, 2, dtype=numtorch.bool)),
     NotImplementedError, "\"addmm_impl_cpu_\" not implemented for 'Bool'"),
    # A second operand that is not a Tensor: PyTorch's argument parser names it.
    (lambda: numtorch.outer(_t(3), 2), TypeError,
     r"outer\(\): argument 'vec2' \(position 2\) must be Tensor, not int"),
    (lambda: numtorch.inner(_t(3), 2.5), TypeError,
     r"inner\(\): argument 'other' \(position 2\) must be Tensor, not float"),
    (lambda: numtorch.kron(_t(3), [1]), TypeError,
     r"kron\(\): argument 'other' \(position 2\) must be Tensor, not list"),
    (lambda: numtorch.cross(_t(3), True), TypeError,
     r"cross\(\): argument 'other' \(position 2\) must be Tensor, not bool"),
    (lambda: numtorch.linalg.cross(_t(3), 2), TypeError,
     r"linalg_cross\(\): argument 'other' \(position 2\) must be Tensor, not int"),
    # bool: no dot or cross kernel (checked on the first operand, as PyTorch does).
    (lambda: numtorch.inner(_t(3, dtype=numtorch.bool), _t(3, dtype=numtorch.bool)),
     NotImplementedError, "\"dot\" not implemented for 'Bool'"),
    (lambda: numtorch.tensordot(_t(3, dtype=numtorch.bool), _t(3, dtype=numtorch.bool), 1),
     NotImplementedError, "\"dot\" not implemented for 'Bool'"),
    (lambda: numtorch.cross(_t(3, dtype=numtorch.bool), _t(3), dim=0),
     NotImplementedError, "\"cross\" not implemented for 'Bool'"),
    (lambda: numtorch.cross(_t(3), _t(3, dtype=numtorch.bool), dim=0), RuntimeError,
     "expected scalar type Float but found Bool"),
    (lambda: numtorch.bmm(_t(2, 3), _t(3, 4)), RuntimeError, "batch1 must be a 3D tensor"),
    (lambda: numtorch.bmm(_t(2, 2, 3), _t(3, 3, 4)), RuntimeError,
     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: \[3, 3\]"),
    (lambda: numtorch.bmm(_t(2, 2, 3), _t(2, 3, 4, dtype=D64)), RuntimeError,
     "expected scalar type Float but found Double"),
    (lambda: numtorch.mv(_t(2, 3), _t(3, 1)), RuntimeError,
     "vector \\+ matrix @ vector expected, got 1, 2, 2"),
    (lambda: numtorch.dot(_t(3, 1), _t(3)), RuntimeError,
     "1D tensors expected, but got 2D and 1D tensors"),
    (lambda: numtorch.dot(_t(3), _t(4)), RuntimeError, "inconsistent tensor size"),
    (lambda: numtorch.outer(_t(2, 3), _t(3)), RuntimeError,
     "outer: Expected 1-D argument self, but got 2-D"),
    (lambda: numtorch.inner(_t(2, 3), _t(4, 4)), RuntimeError,
     r"inner\(\) the last dimension must match on both input tensors but got shapes \[2, 3\] "
     r"and \[4, 4\]"),
    (lambda: numtorch.addmm(_t(5), _t(2, 3), _t(3, 4)), RuntimeError,
     r"The expanded size of the tensor \(4\) must match the existing size \(5\) at "
     r"non-singleton dimension 1.  Target sizes: \[2, 4\].  Tensor sizes: \[5\]"),
    (lambda: numtorch.addmm(_t(4), _t(3), _t(3, 4)), RuntimeError,
     "mat1 must be a matrix, got 1-D tensor"),
    (lambda: numtorch.addmm(_t(4), _t(2, 3, dtype=D64), _t(3, 4)), RuntimeError,
     "mat1 and mat2 must have the same dtype, but got Double and Float"),
    (lambda: numtorch.addmm(_t(2, 4, dtype=D64), _t(2, 3), _t(3, 4)), RuntimeError,
     "self and mat2 must have the same dtype, but got Double and Float"),
    (lambda: numtorch.addmv(_t(5), _t(2, 3), _t(3)), RuntimeError,
     r"size mismatch, got input \(5\), mat \(2x3\), vec \(3\)"),
    (lambda: numtorch.addr(_t(2, 3), _t(2, 1), _t(3)), RuntimeError,
     "addr: Expected 1-D argument vec1, but got 2-D"),
    (lambda: numtorch.baddbmm(_t(2, 2, 4, dtype=D64), _t(2, 2, 3), _t(2, 3, 4)), RuntimeError,
     "Input dtypes must be the same, got: input double, batch1: float, batch2: float"),
    (lambda: numtorch.addbmm(_t(2, 4), _t(2, 2, 3), _t(3, 3, 4)), RuntimeError,
     "batch1 and batch2 must have same number of batches, got 2 and 3"),
    (lambda: numtorch.addbmm(_t(2, 4), _t(2, 2, 3), _t(2, 4, 4)), RuntimeError,
     r"Incompatible matrix sizes for bmm \(2x3 and 4x4\)"),
    (lambda: numtorch.trace(_t(3)), RuntimeError,
     "trace: expected a matrix, but got tensor with dim 1"),
    (lambda: numtorch.tensordot(_t(2, 3), _t(4, 4), dims=1), RuntimeError,
     "contracted dimensions need to match, but first has size 3 in dim -1 and second has size "
     "4 in dim 0"),
    (lambda: numtorch.tensordot(_t(2, 3), _t(3, 4), dims=([1, 0], [0])), RuntimeError,
     "both dimension lists should have same length"),
    (lambda: numtorch.tensordot(_t(2, 3), _t(3, 4), dims=-1), RuntimeError,
     "tensordot expects dims >= 0, but got dims=-1"),
    (lambda: numtorch.tensordot(_t(2, 3), _t(3, 4, dtype=D64), dims=1), RuntimeError,
     "both inputs should have same dtype"),
    (lambda: numtorch.linalg.cross(_t(3, 4), _t(3, 4)), RuntimeError,
     "linalg.cross: inputs dimension -1 must have length 3. Got 4 and 4"),
    (lambda: numtorch.linalg.cross(_t(3, 3), _t(3), dim=0), RuntimeError,
     "linalg.cross: inputs must have the same number of dimensions."),
    (lambda: numtorch.linalg.multi_dot([_t(3)]), RuntimeError,
     r"multi_dot\(\): expected at least 2 tensors but got 1"),
    (lambda: numtorch.linalg.multi_dot([_t(2, 3), _t(4, 4)]), RuntimeError,
     r"multi_dot\(\): tensors 0 and 1 with shapes \[2, 3\] and \[4, 4\] cannot be multiplied"),
    (lambda: numtorch.linalg.multi_dot([_t(2, 3, 3), _t(3, 4)]), RuntimeError,
     r"multi_dot\(\): the first tensor must be 1D or 2D but got 3D"),
])
def test_product_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


# --- einsum, tensordot, multi_dot, cross -------------------------------------------------

EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ij->ji", [(2, 3)]),
    ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("bij,bjk", [(2, 2, 3), (2, 3, 4)]), ("...ij,...jk", [(2, 3), (5, 3, 4)]),
    ("...ij,...jk->...ik", [(1, 2, 3), (5, 3, 4)]), ("ij,ij->", [(1, 3), (5, 3)]),
    ("i,j->ij", [(3,), (4,)]), ("ij->", [(3, 4)]), ("iij->j", [(3, 3, 4)]),
    ("ijk,jl,lk->il", [(2, 3, 4), (3, 5), (5, 4)]), ("bhqd,bhkd->bhqk", [(2, 3, 40, 16)] * 2),
    ("i j , j k -> i k", [(2, 3), (3, 4)]), ("...i->i", [(2, 3)]), ("i...->i", [(2, 3)]),
    ("Ab,bC->AC", [(2, 3), (3, 4)]), ("ij,ji->", [(3, 3), (3, 3)]),
]


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("eq,shapes", EINSUMS)
def test_einsum_matches_torch(eq, shapes, dtype):
    arrays = [rand(*s, dtype=dtype, seed=i) for i, s in enumerate(shapes)]
    check_op(lambda *a: numtorch.einsum(eq, *a), lambda *a: torch.einsum(eq, *a), *arrays,
             **tol(dtype))


def test_einsum_list_and_sublist_forms_and_ints():
    a, b = rand(2, 3), rand(3, 4, seed=1)
    check_op(lambda x, y: numtorch.einsum("ij,jk", [x, y]),
             lambda x, y: torch.einsum("ij,jk", [x, y]), a, b)
    check_op(lambda x, y: numtorch.einsum(x, [0, 1], y, [1, 2], [0, 2]),
             lambda x, y: torch.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b)
    check_op(lambda x, y: numtorch.einsum("i,i", x, y), lambda x, y: torch.einsum("i,i", x, y),
             np.arange(3), np.arange(3), grad=False)


def test_einsum_result_does_not_alias_its_input():
    x = numtorch.tensor(rand(2, 3))
    y = numtorch.einsum("ij->ji", x)
    y.mul_(0)
    assert float((x * x).sum()) > 0


@pytest.mark.parametrize("eq,shapes,msg", [
    ("ij,jk", [(2, 3), (4, 5)],
     "subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3"),
    ("ij,jk->ik", [(2, 3)], "fewer operands were provided than specified in the equation"),
    ("ij", [(2, 3), (2, 3)], "more operands were provided than specified in the equation"),
    ("ij->k", [(2, 3)], "output subscript k does not appear in the equation for any input"),
    ("ij->ii", [(2, 3)], "output subscript i appears more than once in the output"),
    ("ij,jk->ik", [(2, 3), (3, 4, 5)],
     r"the number of subscripts in the equation \(2\) does not match the number of dimensions "
     r"\(3\) for operand 1 and no ellipsis was given"),
    ("ii", [(2, 3)], "subscript i is repeated for operand 0 but the sizes don't match, 3 != 2"),
    ("ij->ij->", [(2, 3)], "invalid subscript given at index 6 in the equation string"),
])
def test_einsum_errors(eq, shapes, msg):
    with pytest.raises(RuntimeError, match=msg):
        numtorch.einsum(eq, *[_t(*s) for s in shapes])
    with pytest.raises(RuntimeError, match=msg):
        torch.einsum(eq, *[torch.zeros(*s) for s in shapes])


def test_einsum_dtype_mismatch():
    with pytest.raises(RuntimeError, match="expected scalar type Float but found Double"):
        numtorch.einsum("ij,jk", _t(2, 3), _t(3, 4, dtype=D64))


@pytest.mark.parametrize("sa,sb,dims", [
    ((3, 4, 5), (4, 5, 2), 2), ((3, 4), (4, 5), 1), ((2, 3), (3, 4), 0),
    ((3, 4, 5), (5, 3, 2), ([2, 0], [0, 1])), ((3, 4), (2, 4), ([1], [1])),
    ((3, 4), (4, 2), ([-1], [0])), ((3, 4, 5), (5,), ([2], [0])),
])
def test_tensordot(sa, sb, dims):
    check_op(lambda a, b: numtorch.tensordot(a, b, dims=dims),
             lambda a, b: torch.tensordot(a, b, dims=dims), rand(*sa), rand(*sb, seed=1))


@pytest.mark.parametrize("shapes", [
    [(3,), (3, 4), (4, 5), (5,)], [(2, 3), (3, 4)], [(3,), (3,)], [(10, 2), (2, 10), (10, 3)],
    [(2, 3), (3, 4), (4, 5), (5, 6), (6, 1)],
])
def test_multi_dot_and_chain_matmul(shapes):
    arrays = [rand(*s, seed=i) for i, s in enumerate(shapes)]
    check_op(lambda *a: numtorch.linalg.multi_dot(a), lambda *a: torch.linalg.multi_dot(a),
             *arrays)
    if all(len(s) == 2 for s in shapes):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check_op(numtorch.chain_matmul, torch.chain_matmul, *arrays)


@pytest.mark.parametrize("sa,sb,dim", [((4, 3), (4, 3), -1), ((4, 3), (1, 3), -1),
                                       ((3, 5), (3, 5), 0), ((2, 3, 4), (2, 3, 4), 1)])
def test_cross(sa, sb, dim):
    check_op(lambda a, b: numtorch.linalg.cross(a, b, dim=dim),
             lambda a, b: torch.linalg.cross(a, b, dim=dim), rand(*sa), rand(*sb, seed=1))
    check_op(lambda a, b: numtorch.cross(a, b, dim=dim),
             lambda a, b: torch.cross(a, b, dim=dim), rand(*sa), rand(*sb, seed=1))


def test_cross_without_dim_warns_and_uses_first_size_3_dim():
    a, b = rand(3, 4), rand(3, 4, seed=1)
    with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        out = numtorch.cross(numtorch.tensor(a), numtorch.tensor(b))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(out, torch.cross(torch.tensor(a), torch.tensor(b)))


# --- numtorch.linalg ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1), (0, 0), (2, 0, 0)])
def test_inv_det_slogdet(shape, dtype):
    a = rand(*shape, dtype=dtype) + 2 * np.eye(shape[-1], dtype=dtype)
    for name in ("linalg.inv", "inverse", "linalg.det", "det", "linalg.slogdet", "slogdet"):
        check_op(*both(name), a, **tol(dtype))


def test_logdet_of_negative_determinant_is_nan():
    a = np.diag([1.0, -2.0, 3.0])
    check_op(numtorch.logdet, torch.logdet, a + 0.1 * rand(3, 3))
    check_op(numtorch.logdet, torch.logdet, np.diag([1.0, 2.0, 3.0]))
    assert math.isnan(float(numtorch.logdet(numtorch.tensor(a))))


@pytest.mark.parametrize("a", [
    np.array([[1.0, 2.0], [2.0, 4.0]]),
    np.array([[1.0, 0.0], [0.0, 0.0]]),
    np.zeros((3, 3)),
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),
    np.stack([rand(3, 3), np.ones((3, 3)), np.diag([1.0, 2.0, 0.0])]),
])
def test_det_gradient_of_singular_matrix_is_the_adjugate(a):
    # d det(A)/dA = adj(A)^T also where A is singular. (PyTorch's plain backward returns 0
    # there; its create_graph=True path and finite differences give the adjugate.)
    x, tx = leaf(a), torch.tensor(a, requires_grad=True)
    (g,) = numtorch.autograd.grad(numtorch.linalg.det(x).sum(), [x])
    (tg,) = torch.autograd.grad(torch.linalg.det(tx).sum(), [tx], create_graph=True)
    assert_same(g, tg, rtol=1e-7, atol=1e-9)
    assert gradcheck(numtorch.linalg.det, [x])


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("sa,sb,left", [
    ((3, 3), (3,), True), ((3, 3), (3, 2), True), ((2, 3, 3), (2, 3), True),
    ((2, 3, 3), (3,), True), ((3, 3), (4, 3, 2), True), ((2, 3, 3), (2, 3, 2), True),
    ((3, 3), (2, 3), False), ((2, 3, 3), (2, 4, 3), False), ((1, 3, 3), (2, 3, 1), True),
])
def test_solve(sa, sb, left, dtype):
    a = rand(*sa, dtype=dtype) + 3 * np.eye(sa[-1], dtype=dtype)
    check_op(lambda x, y: numtorch.linalg.solve(x, y, left=left),
             lambda x, y: torch.linalg.solve(x, y, left=left), a, rand(*sb, dtype=dtype, seed=1),
             **tol(dtype))


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4), (1, 1), (0, 0)])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(shape, upper, dtype):
    check_op(lambda a: numtorch.linalg.cholesky(a, upper=upper),
             lambda a: torch.linalg.cholesky(a, upper=upper), spd(*shape, dtype=dtype),
             **tol(dtype))


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape,mode", [
    ((4, 3), "reduced"), ((3, 3), "reduced"), ((3, 5), "reduced"), ((2, 5, 3), "reduced"),
    ((3, 3), "complete"), ((3, 5), "complete"), ((0, 3), "reduced"),
])
def test_qr(shape, mode, dtype):
    check_op(lambda a: numtorch.linalg.qr(a, mode=mode),
             lambda a: torch.linalg.qr(a, mode=mode), rand(*shape, dtype=dtype), **tol(dtype))


def test_qr_mode_r_and_complete_tall():
    a = rand(5, 3)
    q, r = numtorch.linalg.qr(numtorch.tensor(a), mode="r")
    tq, tr = torch.linalg.qr(torch.tensor(a), mode="r")
    assert_same(q, tq)
    assert_same(r, tr)
    check_op(lambda x: numtorch.linalg.qr(x, mode="complete"),
             lambda x: torch.linalg.qr(x, mode="complete"), a, grad=False)
    for mode, msg in [("r", "depends on Q, which is not computed when mode='r'"),
                      ("complete", "not differentiable when mode='complete' and nrows > ncols")]:
        q, r = numtorch.linalg.qr(leaf(a), mode=mode)
        with pytest.raises(RuntimeError, match=msg):
            r.sum().backward()


def _svd_loss(lib, full):
    """Gauge-invariant functions of the SVD: projectors weighted per singular vector."""
    def f(a):
        U, S, Vh = lib.linalg.svd(a, full_matrices=full)
        k = S.shape[-1]
        c = lib.arange(1, k + 1, dtype=a.dtype)
        Uk, Vk = U[..., :, :k], Vh[..., :k, :].mT
        return (Uk * c) @ Uk.mT, (Vk * c) @ Vk.mT, S, (Uk * S.unsqueeze(-2)) @ Vh[..., :k, :]
    return f


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 4, 4), (3, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_svd_gauge_invariant_values_and_grads(shape, full, dtype):
    check_op(_svd_loss(numtorch, full), _svd_loss(torch, full), rand(*shape, dtype=dtype),
             rtol=1e-3 if dtype == F32 else 1e-7, atol=1e-4 if dtype == F32 else 1e-8)


def test_svd_shapes_named_tuple_and_old_api():
    a = rand(2, 3, 5)
    res = numtorch.linalg.svd(numtorch.tensor(a))
    assert [tuple(t.shape) for t in res] == [(2, 3, 3), (2, 3), (2, 5, 5)]
    assert res.U is res[0] and res.S is res[1] and res.Vh is res[2]
    assert repr(res).startswith("numtorch.return_types.linalg_svd(\nU=tensor(")
    assert [tuple(t.shape) for t in numtorch.linalg.svd(numtorch.tensor(a), False)] == \
        [(2, 3, 3), (2, 3), (2, 3, 5)]
    U, S, V = numtorch.svd(numtorch.tensor(a))
    assert_same((U * S.unsqueeze(-2)) @ V.mT, torch.tensor(a), rtol=1e-7)
    assert V.shape == (2, 5, 3)
    check_op(numtorch.linalg.svdvals, torch.linalg.svdvals, a)
    empty = numtorch.linalg.svd(numtorch.zeros(0, 3))
    assert [tuple(t.shape) for t in empty] == [(0, 0), (0,), (3, 3)]


def _eigh_loss(lib):
    def f(a):
        w, v = lib.linalg.eigh(a)
        c = lib.arange(1, w.shape[-1] + 1, dtype=a.dtype)
        return w, (v * c) @ v.mT
    return f


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_eigh_and_eigvalsh(shape):
    a = rand(*shape)
    a = a + np.swapaxes(a, -1, -2)
    check_op(_eigh_loss(numtorch), _eigh_loss(torch), a)
    check_op(numtorch.linalg.eigvalsh, torch.linalg.eigvalsh, a)
    check_op(lambda x: numtorch.linalg.eigvalsh(x, UPLO="U"),
             lambda x: torch.linalg.eigvalsh(x, UPLO="U"), rand(*shape))


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (2, 4, 4)])
def test_pinv_matrix_rank_matrix_power(shape):
    a = rand(*shape)
    check_op(numtorch.linalg.pinv, torch.linalg.pinv, a)
    check_op(numtorch.pinverse, torch.pinverse, a)
    low = a @ np.swapaxes(a, -1, -2)[..., :, :1] @ np.swapaxes(a, -1, -2)[..., :1, :]
    for x in (a, low):
        check_op(numtorch.linalg.matrix_rank, torch.linalg.matrix_rank, x, grad=False)
    check_op(lambda x: numtorch.linalg.pinv(x, atol=0.5), lambda x: torch.linalg.pinv(x, atol=0.5),
             a)
    if shape[-1] == shape[-2]:
        for n in (0, 1, 3, -2):
            check_op(lambda x, n=n: numtorch.linalg.matrix_power(x, n),
                     lambda x, n=n: torch.linalg.matrix_power(x, n), a + 3 * np.eye(shape[-1]),
                     grad=n != 0)


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [True, False])
def test_solve_triangular_reads_one_triangle(upper, left, unitriangular):
    a = rand(2, 3, 3) + 3 * np.eye(3)
    b = rand(2, 3, 2, seed=1) if left else rand(2, 2, 3, seed=1)
    kw = dict(upper=upper, left=left, unitriangular=unitriangular)
    out = check_op(lambda x, y: numtorch.linalg.solve_triangular(x, y, **kw),
                   lambda x, y: torch.linalg.solve_triangular(x, y, **kw), a, b)
    assert out.grad_fn.name() == "LinalgSolveTriangularBackward0"


@pytest.mark.parametrize("sb", [(5, 2), (5,)])
def test_lstsq(sb):
    a, b = rand(5, 3), rand(*sb, seed=1)
    check_op(lambda x, y: numtorch.linalg.lstsq(x, y).solution,
             lambda x, y: torch.linalg.lstsq(x, y).solution, a, b)
    res, t_res = numtorch.linalg.lstsq(numtorch.tensor(a), numtorch.tensor(b)), \
        torch.linalg.lstsq(torch.tensor(a), torch.tensor(b))
    assert_same(res.rank, t_res.rank)
    assert res.residuals.shape == t_res.residuals.shape == (0,)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -math.inf])
def test_cond(p):
    check_op(lambda a: numtorch.linalg.cond(a, p), lambda a: torch.linalg.cond(a, p),
             rand(2, 3, 3) + 2 * np.eye(3), grad=p in (None, 2))


def test_ex_variants_report_info():
    a = np.stack([np.eye(2), -np.eye(2)])
    (L, info), (tL, t_info) = numtorch.linalg.cholesky_ex(numtorch.tensor(a)), \
        torch.linalg.cholesky_ex(torch.tensor(a))
    assert info.tolist() == t_info.tolist() == [0, 1]
    assert_same(L[0], tL[0])
    res, info = numtorch.linalg.solve_ex(numtorch.zeros(2, 2), numtorch.ones(2))
    assert int(info) == int(torch.linalg.solve_ex(torch.zeros(2, 2), torch.ones(2)).info) == 1
    with pytest.raises(numtorch.linalg.LinAlgError):
        numtorch.linalg.solve_ex(numtorch.zeros(2, 2), numtorch.ones(2), check_errors=True)


# --- norms --------------------------------------------------------------------------------

VECTOR_ORDS = [2, 1, 3, 0.5, math.inf, -math.inf, 0, -1, 2.5]


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("ord", VECTOR_ORDS)
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm(ord, dim, keepdim, dtype):
    check_op(lambda a: numtorch.linalg.vector_norm(a, ord, dim, keepdim),
             lambda a: torch.linalg.vector_norm(a, ord, dim, keepdim), rand(2, 3, 4, dtype=dtype),
             **tol(dtype))


@pytest.mark.parametrize("ord", [2, 1, 3, math.inf])
def test_vector_norm_of_zero_vector_has_zero_gradient(ord):
    a = np.zeros((2, 3))
    a[1] = [1.0, -2.0, 2.0]
    check_op(lambda x: numtorch.linalg.vector_norm(x, ord, dim=1),
             lambda x: torch.linalg.vector_norm(x, ord, dim=1), a)


def test_vector_norm_ties_share_the_max_gradient():
    check_op(lambda x: numtorch.linalg.vector_norm(x, math.inf),
             lambda x: torch.linalg.vector_norm(x, math.inf), np.array([1.0, -3.0, 3.0, 2.0]))


def test_vector_norm_dtype_argument():
    check_op(lambda x: numtorch.linalg.vector_norm(x, dtype=numtorch.float64),
             lambda x: torch.linalg.vector_norm(x, dtype=torch.float64), rand(3, 4, dtype=F32))


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
@pytest.mark.parametrize("dim,keepdim", [((-2, -1), False), ((0, 2), True), ((2, 1), False)])
def test_matrix_norm(ord, dim, keepdim, dtype):
    check_op(lambda a: numtorch.linalg.matrix_norm(a, ord, dim, keepdim),
             lambda a: torch.linalg.matrix_norm(a, ord, dim, keepdim), rand(2, 3, 4, dtype=dtype),
             rtol=1e-4 if dtype == F32 else 1e-7, atol=1e-4 if dtype == F32 else 1e-8)


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, 2, math.inf])
def test_matrix_norm_of_empty_matrix_is_zero(ord):
    check_op(lambda a: numtorch.linalg.matrix_norm(a, ord),
             lambda a: torch.linalg.matrix_norm(a, ord), np.zeros((0, 4)),
             grad=ord in ("fro", "nuc"))


@pytest.mark.parametrize("args", [
    {}, {"ord": 2}, {"ord": "fro"}, {"ord": "nuc"}, {"ord": 1, "dim": 0}, {"dim": (0, 1)},
    {"ord": math.inf, "dim": (1, 0)}, {"ord": -2, "dim": (0, 1), "keepdim": True},
])
def test_linalg_norm(args):
    check_op(lambda a: numtorch.linalg.norm(a, **args), lambda a: torch.linalg.norm(a, **args),
             rand(3, 4))
    if "ord" not in args:
        check_op(lambda a: numtorch.linalg.norm(a, **args),
                 lambda a: torch.linalg.norm(a, **args), rand(2, 3, 4))


@pytest.mark.parametrize("args", [
    {}, {"p": 1}, {"p": 3}, {"p": "fro", "dim": (0, 1)}, {"p": "nuc", "dim": (0, 2)},
    {"p": 2, "dim": (0, 1)}, {"dim": 1, "keepdim": True}, {"p": math.inf},
])
def test_torch_norm(args):
    check_op(lambda a: numtorch.norm(a, **args), lambda a: torch.norm(a, **args), rand(2, 3, 4))
    check_op(lambda a: a.norm(**args), lambda a: a.norm(**args), rand(2, 3, 4))


@pytest.mark.parametrize("call,msg", [
    (lambda: numtorch.linalg.vector_norm(numtorch.arange(6)),
     "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: numtorch.linalg.vector_norm(_t(3, 4), dim=(0, 0)),
     "dim 0 appears multiple times in the list of dims"),
    (lambda: numtorch.linalg.vector_norm(_t(0, 4), dim=0, ord=math.inf),
     "linalg.vector_norm cannot compute the inf norm on the dimension 0because this dimension "
     "is empty"),
    (lambda: numtorch.linalg.vector_norm(_t(3), dtype=numtorch.int64),
     "linalg.vector_norm: dtype should be floating point or complex, but got Long"),
    (lambda: numtorch.linalg.matrix_norm(_t(3)),
     "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."),
    (lambda: numtorch.linalg.matrix_norm(_t(3, 4), ord=3),
     "linalg.matrix_norm: Order 3 not supported."),
    (lambda: numtorch.linalg.matrix_norm(_t(3, 4), dim=(0, 0)),
     r"linalg.matrix_norm: dims must be different. Got \(0, 0\)"),
    (lambda: numtorch.linalg.norm(_t(2, 3, 4), ord=2),
     "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got 3D."),
    (lambda: numtorch.linalg.norm(_t(2, 3, 4), dim=(0, 1, 2)),
     r"linalg.norm: If dim is specified, it must be of length 1 or 2. Got \[0, 1, 2\]"),
    (lambda: numtorch.linalg.norm(_t(3, 4), dim=1, ord="fro"),
     "linalg.matrix_norm: dim must be a 2-tuple. Got 1"),
    (lambda: numtorch.norm(_t(2, 3, 4), p="nuc"),
     "linalg.matrix_norm: dim must be a 2-tuple. Got 0 1 2"),
])
def test_norm_errors(call, msg):
    with pytest.raises(RuntimeError, match=msg):
        call()


def test_vector_norm_ord_must_be_a_number():
    with pytest.raises(TypeError, match="argument 'ord' must be Number, not str"):
        numtorch.linalg.vector_norm(_t(3), ord="fro")


# --- linalg errors ------------------------------------------------------------------------

@pytest.mark.parametrize("call,exc,msg", [
    (lambda: numtorch.linalg.inv(_t(2, 3)), RuntimeError,
     "linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: numtorch.linalg.inv(_t(3)), RuntimeError,
     "linalg.inv: The input tensor A must have at least 2 dimensions."),
    (lambda: numtorch.linalg.inv(_t(3, 3)), numtorch.linalg.LinAlgError,
     "linalg.inv: The diagonal element 1 is zero, the inversion could not be completed because "
     "the input matrix is singular."),
    (lambda: numtorch.linalg.inv(numtorch.tensor([[1.0, 2.0], [2.0, 4.0]])),
     numtorch.linalg.LinAlgError, "The diagonal element 2 is zero"),
    (lambda: numtorch.linalg.inv(numtorch.tensor(np.stack([np.eye(2), np.diag([1.0, 0.0])]))),
     numtorch.linalg.LinAlgError, r"\(Batch element 1\): The diagonal element 2 is zero"),
    (lambda: numtorch.linalg.inv(numtorch.arange(4).reshape(2, 2)), RuntimeError,
     "linalg.inv: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: numtorch.linalg.det(_t(2, 3)), RuntimeError,
     "linalg.det: A must be batches of square matrices, but they are 2 by 3 matrices"),
    (lambda: numtorch.linalg.solve(_t(3, 3), _t(4)), RuntimeError,
     r"linalg.solve: Incompatible shapes of A and B for the equation AX = B \(3x3 and 4x1\)"),
    (lambda: numtorch.linalg.solve(_t(3, 3), _t(3, 2), left=False), RuntimeError,
     r"Incompatible shapes of A and B for the equation XA = B \(3x3 and 3x2\)"),
    (lambda: numtorch.linalg.solve(_t(3, 3), _t(3, dtype=D64)), RuntimeError,
     "linalg.solve: Expected A and B to have the same dtype, but found A of type Float and B of "
     "type Double instead"),
    (lambda: numtorch.linalg.solve(_t(3, 3), _t(3)), numtorch.linalg.LinAlgError,
     "numtorch.linalg.solve: The solver failed because the input matrix is singular."),
    (lambda: numtorch.linalg.cholesky(-numtorch.eye(3)), numtorch.linalg.LinAlgError,
     r"linalg.cholesky: The factorization could not be completed because the input is not "
     r"positive-definite \(the leading minor of order 1 is not positive-definite\)."),
    (lambda: numtorch.linalg.cholesky(numtorch.tensor([[[1.0, 0], [0, 1]], [[1.0, 2], [2, 1]]])),
     numtorch.linalg.LinAlgError,
     r"\(Batch element 1\): The factorization .*the leading minor of order 2 is not"),
    (lambda: numtorch.linalg.qr(_t(4, 3), mode="foo"), RuntimeError,
     "qr received unrecognized mode 'foo' but expected one of 'reduced' \\(default\\), 'r', or "
     "'complete'"),
    (lambda: numtorch.linalg.svd(_t(3)), RuntimeError,
     "linalg.svd: The input tensor A must have at least 2 dimensions."),
    (lambda: numtorch.linalg.svd(numtorch.arange(6).reshape(2, 3)), RuntimeError,
     "linalg.svd: Expected a floating point or complex tensor as input. Got Long"),
    (lambda: numtorch.linalg.eigh(_t(3, 3), UPLO="X"), RuntimeError,
     "Expected UPLO argument to be 'L' or 'U', but got X"),
    (lambda: numtorch.linalg.matrix_power(_t(3, 4), 2), RuntimeError,
     "linalg.matrix_power: A must be batches of square matrices, but they are 3 by 4 matrices"),
])
def test_linalg_errors(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_linalg_error_is_a_runtime_error():
    assert issubclass(numtorch.linalg.LinAlgError, RuntimeError)


def test_inv_ex_reports_info_instead_of_raising():
    a = np.stack([np.eye(2), [[1.0, 2.0], [2.0, 4.0]]])
    inverse, info = numtorch.linalg.inv_ex(numtorch.tensor(a))
    t_inverse, t_info = torch.linalg.inv_ex(torch.tensor(a))
    assert info.tolist() == t_info.tolist() == [0, 2]
    assert_same(inverse[0], t_inverse[0])


# --- gradcheck / gradgradcheck (float64) ------------------------------------------------------

def _ggc_cases():
    return [
        ("matmul 2d", numtorch.matmul, [(3, 4), (4, 2)]),
        ("matmul batched", numtorch.matmul, [(2, 3, 4), (4, 2)]),
        ("matmul 1d", numtorch.matmul, [(4,), (2, 4, 3)]),
        ("matmul bcast", numtorch.matmul, [(2, 1, 3, 4), (3, 4, 2)]),
        ("inv", numtorch.linalg.inv, [(3, 3)]),
        ("det", numtorch.linalg.det, [(2, 3, 3)]),
        ("solve", numtorch.linalg.solve, [(3, 3), (3, 2)]),
        ("addmm", lambda a, b, c: numtorch.addmm(a, b, c, beta=0.5, alpha=2),
         [(4,), (3, 5), (5, 4)]),
        ("einsum", lambda a, b: numtorch.einsum("iij,jk->ik", a, b), [(3, 3, 4), (4, 2)]),
    ]


@pytest.mark.parametrize("name,fn,shapes", _ggc_cases(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_gradgradcheck(name, fn, shapes):
    inputs = [leaf(rand(*s, seed=i) + (2 * np.eye(s[-1]) if name in ("inv", "det", "solve")
                                       and i == 0 else 0)) for i, s in enumerate(shapes)]
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def _gc_cases():
    sym = lambda f: (lambda a: f(a + a.mT))  # noqa: E731 - symmetric input for eigh/cholesky
    return [
        ("mm", numtorch.mm, [(3, 4), (4, 2)]),
        ("bmm", numtorch.bmm, [(2, 3, 4), (2, 4, 2)]),
        ("mv", numtorch.mv, [(3, 4), (4,)]),
        ("dot", numtorch.dot, [(4,), (4,)]),
        ("vdot", numtorch.vdot, [(4,), (4,)]),
        ("inner", numtorch.inner, [(2, 4), (3, 4)]),
        ("outer", numtorch.outer, [(2,), (3,)]),
        ("addmv", numtorch.addmv, [(3,), (3, 4), (4,)]),
        ("addr", numtorch.addr, [(3, 4), (3,), (4,)]),
        ("baddbmm", numtorch.baddbmm, [(2, 3, 2), (2, 3, 4), (2, 4, 2)]),
        ("addbmm", numtorch.addbmm, [(3, 2), (2, 3, 4), (2, 4, 2)]),
        ("einsum diag", lambda a: numtorch.einsum("ii->i", a), [(3, 3)]),
        ("tensordot", lambda a, b: numtorch.tensordot(a, b, dims=([2, 0], [0, 1])),
         [(3, 2, 4), (4, 3, 2)]),
        ("kron", numtorch.kron, [(2, 3), (3, 2)]),
        ("multi_dot", lambda *a: numtorch.linalg.multi_dot(a), [(3,), (3, 4), (4, 2)]),
        ("trace", numtorch.trace, [(3, 4)]),
        ("cross", numtorch.linalg.cross, [(4, 3), (4, 3)]),
        ("slogdet", lambda a: numtorch.linalg.slogdet(a)[1], [(3, 3)]),
        ("cholesky", sym(numtorch.linalg.cholesky), [(3, 3)]),
        ("cholesky upper", sym(lambda a: numtorch.linalg.cholesky(a, upper=True)), [(3, 3)]),
        ("qr tall", numtorch.linalg.qr, [(4, 3)]),
        ("qr wide", numtorch.linalg.qr, [(3, 4)]),
        ("svd", _svd_loss(numtorch, False), [(4, 3)]),
        ("svd full", _svd_loss(numtorch, True), [(3, 4)]),
        ("svdvals", numtorch.linalg.svdvals, [(4, 3)]),
        ("eigh", sym(_eigh_loss(numtorch)), [(3, 3)]),
        ("pinv", numtorch.linalg.pinv, [(3, 4)]),
        ("matrix_power", lambda a: numtorch.linalg.matrix_power(a, -2), [(3, 3)]),
        ("vector_norm 2", lambda a: numtorch.linalg.vector_norm(a, dim=1), [(3, 4)]),
        ("vector_norm 1", lambda a: numtorch.linalg.vector_norm(a, 1), [(3, 4)]),
        ("vector_norm 3", lambda a: numtorch.linalg.vector_norm(a, 3, dim=0), [(3, 4)]),
        ("vector_norm inf", lambda a: numtorch.linalg.vector_norm(a, math.inf), [(3, 4)]),
        ("matrix_norm nuc", lambda a: numtorch.linalg.matrix_norm(a, "nuc"), [(3, 4)]),
        ("matrix_norm 2", lambda a: numtorch.linalg.matrix_norm(a, 2), [(3, 4)]),
        ("matrix_norm 1", lambda a: numtorch.linalg.matrix_norm(a, 1), [(3, 4)]),
    ]


@pytest.mark.parametrize("name,fn,shapes", _gc_cases(), ids=lambda v: v if isinstance(v, str)
                         else "")
def test_gradcheck(name, fn, shapes):
    inputs = [leaf(rand(*s, seed=i) + (3 * np.eye(s[-1]) if name in ("matrix_power", "slogdet",
                                                                       "cholesky", "cholesky upper")
                                       else 0)) for i, s in enumerate(shapes)]
    assert gradcheck(fn, inputs)


def test_float32_stays_float32():
    a = numtorch.tensor(rand(3, 4, dtype=F32), requires_grad=True)
    b = numtorch.tensor(rand(4, 3, dtype=F32, seed=1), requires_grad=True)
    outs = [a @ b, numtorch.addmm(numtorch.zeros(3), a, b), numtorch.einsum("ij,jk", a, b),
            numtorch.linalg.inv(a @ b + 3 * numtorch.eye(3)), numtorch.linalg.norm(a),
            numtorch.linalg.svd(a).S, numtorch.linalg.qr(a).R, numtorch.tensordot(a, b, 1)]
    for o in outs:
        assert o.dtype is numtorch.float32
        o.sum().backward()
    assert a.grad.dtype is numtorch.float32 and b.grad.dtype is numtorch.float32


def test_torch_to_numtorch_roundtrip_helper_is_exact():
    # guards the helpers above: ``to_torch`` copies values bit for bit
    x = numtorch.tensor(rand(2, 2))
    assert torch.equal(to_torch(x), torch.tensor(x.numpy()))


@pytest.mark.parametrize("x", [1e-30, [1e-30], [1e-30, 0.0], [[1e-30, 0.0]], [[1e-20], [0.0]]])
@pytest.mark.parametrize("ord", [2, 3, 0.5, 1])
@pytest.mark.parametrize("dim", [None, -1])
def test_vector_norm_of_tiny_values_matches_torch_with_its_gradient(x, ord, dim):
    if dim is not None and np.ndim(x) == 0:
        return
    t = torch.tensor(x, requires_grad=True)
    n = numtorch.tensor(x, requires_grad=True)
    ref = torch.linalg.vector_norm(t, ord, dim=dim)
    out = numtorch.linalg.vector_norm(n, ord, dim=dim)
    assert_same(out, ref.detach(), rtol=1e-6, atol=0)
    ref.sum().backward()
    out.sum().backward()
    np.testing.assert_allclose(n.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=0)


# ---------------------------------------------------------------- spmm (GCN's sparse-dense product)

def test_spmm_of_dense_matrices_is_mm_as_in_torch():
    a, b = rand(3, 4, dtype=F32), rand(4, 2, dtype=F32, seed=1)
    check_op(numtorch.spmm, torch.spmm, a, b, rtol=1e-5, atol=1e-6)
    y = numtorch.spmm(leaf(a), numtorch.tensor(b))
    assert y.grad_fn.name() == torch.spmm(to_torch(leaf(a)), torch.tensor(b)).grad_fn.name()
    out = numtorch.empty(3, 2)
    assert numtorch.spmm(numtorch.tensor(a), numtorch.tensor(b), out=out) is out


@pytest.mark.parametrize("args", [((3,), (4, 2)), ((3, 4), (5, 2))], ids=["vector", "shapes"])
def test_spmm_errors_are_mms(args):
    (sa, sb) = args
    with pytest.raises(RuntimeError) as ref:
        torch.spmm(torch.zeros(sa), torch.zeros(sb))
    with pytest.raises(RuntimeError) as got:
        numtorch.spmm(numtorch.zeros(sa), numtorch.zeros(sb))
    assert str(got.value) == str(ref.value)
