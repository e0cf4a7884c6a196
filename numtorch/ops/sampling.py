"""Random sampling: ``rand``, ``randn``, ``randint``, ``normal``, ``Tensor.uniform_`` ...

The numbers come from ``numtorch.random``: its kernels reproduce PyTorch's
CPU generator, so a seed gives the same values PyTorch gives. This file only
turns arguments into shapes and dtypes and wraps the kernels' arrays.
"""

from __future__ import annotations

import builtins

import numpy as np

from .. import _dtype as D
from .. import random as _random
from .._input_check import type_name
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import ArrayFunction
from .creation import (
    _NO_SIZE,
    _finish,
    _out,
    _shape,
    _sizes,
    like_strides,
    memory_order,
    with_strides,
)
from .pointwise import _NotImplementedGrad
from .reparam import _dirichlet_grad, _standard_gamma_grad

__all__ = [
    "rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial", "poisson",
    "_standard_gamma", "_standard_gamma_grad", "_sample_dirichlet", "_dirichlet_grad",
    "binomial", "rand_like", "randn_like", "randint_like",
]

TENSOR_METHODS = (
    "uniform_", "normal_", "bernoulli_", "exponential_", "random_", "geometric_", "cauchy_",
    "log_normal_", "bernoulli", "multinomial",
)
INPLACE_METHODS = ()


def _float_dtype(dtype, what: str) -> D.dtype:
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f'"{what}" not implemented for \'{dt._legacy}\'')
    return dt


def rand(*sizes, size=_NO_SIZE, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples on [0, 1)."""
    dt = _float_dtype(dtype, "check_uniform_bounds")
    shape = _shape(_sizes(sizes, size, "rand"), "rand")
    arr = _random.uniform(shape, dt.np, 0.0, 1.0, generator=generator)
    return _out(out, _finish(arr, requires_grad))


def randn(*sizes, size=_NO_SIZE, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal samples."""
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    shape = _shape(_sizes(sizes, size, "randn"), "randn")
    arr = _random.normal(shape, dt.np, 0.0, 1.0, generator=generator)
    return _out(out, _finish(arr, requires_grad))


_RANDINT_SIGNATURES = "".join(
    f" * ({head}tuple of ints size, *, {gen}Tensor out = None, numtorch.dtype dtype = None, "
    "numtorch.layout layout = None, numtorch.device device = None, bool pin_memory = False, "
    "bool requires_grad = False)\n"
    for head in ("int high, ", "int low, int high, ")
    for gen in ("numtorch.Generator generator, ", ""))


def _randint_bad_combination(args, kwargs) -> TypeError:
    """PyTorch's overload error; its parser lists the keywords last-given first, and a
    keyword-only call keeps the ", " its positional list would have ended with."""
    got = [type_name(a) for a in args]
    named = [f"{k}={type_name(v)}" for k, v in reversed(kwargs.items())]
    inside = ", ".join(got + named) + (", " if named and not got else "")
    return TypeError("randint() received an invalid combination of arguments - got "
                     f"({inside}), but expected one of:\n{_RANDINT_SIGNATURES}")


def _is_randint_int(x) -> bool:
    """What PyTorch's ``int`` parameter takes: an integer or an integer 0-d tensor, not bool."""
    if isinstance(x, Tensor):
        return x.ndim == 0 and not x.dtype.is_floating_point and x.dtype != D.bool
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """Integers uniform on [low, high): ``randint(high, size)``, ``randint(low, high, size)``,
    or with keywords, ``randint(low=1, high=4, size=(1,))``."""
    named = {k: v for k, v in (("size", size), ("low", low), ("high", high)) if v is not None}
    bad = _randint_bad_combination(args, named)
    args = list(args)
    size_at = None if size is not None else len(args)  # size's position, None: by keyword
    if size is None:
        if not args or not isinstance(args[-1], (tuple, list)):
            if len(args) == 2 and not named:
                raise TypeError("randint(): argument 'size' (position 2) must be tuple of ints, "
                                f"not {type_name(args[-1])}")
            if len(args) == 1 and set(named) == {"low"}:
                raise TypeError("randint() missing 1 required positional arguments: \"size\"")
            raise bad
        size = args.pop()
    if high is not None:
        if len(args) + (low is not None) > 1:
            raise bad
        if not args and low is None and not _is_randint_int(high):
            raise TypeError(f"randint(): argument 'high' must be int, not {type_name(high)}")
        args = [args[0] if args else (0 if low is None else low), high]
    elif low is not None:
        if args:
            raise bad
        raise TypeError("randint() missing 2 required positional argument: \"high\", \"size\"")
    if len(args) == 1:
        if not _is_randint_int(args[0]):
            raise TypeError("randint(): argument 'high' (position 1) must be int, not "
                            f"{type_name(args[0])}")
        low, high = 0, args[0]
    elif len(args) == 2 and all(_is_randint_int(a) for a in args):
        low, high = args
    else:
        raise bad
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    if size_at == 3 and size and not isinstance(size[0], (int, np.integer, Tensor)):
        raise bad  # PyTorch's parser then tries (high, size) and fails on the third argument
    arr = _random.randint(low, high, _shape((size,), "randint", size_at), dt.np,
                          generator=generator)
    return _out(out, _finish(arr, requires_grad))


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    return _out(out, _finish(_random.randperm(int(n), dt.np, generator=generator), requires_grad))


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """Normal samples; ``mean``, ``std`` may be tensors (broadcast) or numbers (with ``size``)."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if isinstance(std, Tensor) and bool((std._data < 0).any()):
            raise RuntimeError("normal expects all elements of std >= 0.0")
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        like = mean if isinstance(mean, Tensor) else std
        import numpy as np

        shape = np.broadcast_shapes(getattr(m, "shape", ()), getattr(s, "shape", ()))
        arr = _random.normal(shape, like.dtype.np, m, s, generator=generator)
        return _out(out, _finish(arr, requires_grad))
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments: with float "
                        "mean and std, 'size' is required")
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _random.normal(_shape((size,), "normal"), dt.np, float(mean), float(std),
                         generator=generator)
    return _out(out, _finish(arr, requires_grad))


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples with probabilities ``input`` (or the number ``p``), in input's dtype."""
    if p is not None:
        arr = _random.bernoulli_scalar(input.shape, float(p), input.dtype.np, generator=generator)
    else:
        _check_probs(input)
        arr = _random.bernoulli(input._data, input.dtype.np, generator=generator)
    return _out(out, Tensor._make(arr))


def _check_probs(p) -> None:
    data = p._data
    if data.size and bool(((data < 0) | (data > 1)).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices drawn from the categorical distributions in the rows of ``input``."""
    arr = _random.multinomial(input._data, int(num_samples), bool(replacement),
                              generator=generator)
    return _out(out, Tensor._make(arr))


def poisson(input, generator=None):
    """Poisson samples with rates ``input``."""
    return Tensor._make(_random.poisson(input._data, input.dtype.np, generator=generator))


class StandardGamma(ArrayFunction):
    """Gamma(alpha, 1) draws; their gradient is the implicit one of ``ops.reparam``."""

    node_name = "StandardGammaBackward0"

    @staticmethod
    def forward(ctx, alpha, generator):
        out = _random.standard_gamma(alpha, generator=generator)
        ctx.save_for_backward(alpha, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        alpha, out = ctx.saved_tensors
        return grad * _standard_gamma_grad(alpha, out), None


def _standard_gamma(input, generator=None):
    """Samples of Gamma(``input``, 1) (``torch._standard_gamma``), differentiable in
    ``input`` through the reparameterised gradient ``_standard_gamma_grad``."""
    return StandardGamma.apply(input, generator)


class SampleDirichlet(_NotImplementedGrad):
    node_name = "NotImplemented"
    aten_name = "_sample_dirichlet"

    @staticmethod
    def forward(ctx, alpha, generator):
        return _random.dirichlet(alpha, generator=generator)


def _sample_dirichlet(input, generator=None):
    """Samples of Dirichlet(``input``) along its last dimension
    (``torch._sample_dirichlet``; not differentiable: ``Dirichlet.rsample`` supplies the
    gradient with ``_dirichlet_grad``)."""
    return SampleDirichlet.apply(input, generator)


class SampleBinomial(_NotImplementedGrad):
    node_name = "NotImplemented"
    aten_name = "binomial"

    @staticmethod
    def forward(ctx, count, prob, generator):
        shape = np.broadcast_shapes(count.shape, prob.shape)
        return _random.binomial(np.broadcast_to(count, shape), prob, generator=generator)


def binomial(count, prob, generator=None):
    """Binomial(``count``, ``prob``) samples (floats of ``count``'s dtype), elementwise
    over the broadcast of the two tensors."""
    if not count.dtype.is_floating_point:
        raise ValueError(f"binomial only supports floating-point dtypes for count, got: "
                         f"{count.dtype._legacy}")
    if prob.dtype != count.dtype:
        raise RuntimeError(f"Found dtype {prob.dtype._legacy} but expected "
                           f"{count.dtype._legacy}")
    return SampleBinomial.apply(count, prob, generator)


def _sampled_like(input, dtype, requires_grad, memory_format, sample):
    """``sample(shape, dtype, contiguous)`` laid out as a ``*_like`` result is
    (``like_strides``): a transposed input gives a transposed result, its draws in memory
    order as PyTorch fills it (and, not being contiguous, its normal numbers come from the
    element-by-element sampler)."""
    strides = like_strides(input, memory_format)
    dt = dtype or input.dtype
    if strides is None:
        return _finish(sample(tuple(input.shape), dt, True)._data, requires_grad)
    flat = sample((input.numel(),), dt, False)._data
    return _finish(with_strides(flat, tuple(input.shape), strides), requires_grad)


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return _sampled_like(input, dtype, requires_grad, memory_format,
                         lambda shape, dt, contiguous: rand(shape, dtype=dt))


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    def sample(shape, dt, contiguous):
        if contiguous:
            return randn(shape, dtype=dt)
        return Tensor._make(_random.normal(shape, D.to_dtype(dt).np, contiguous=False))

    return _sampled_like(input, dtype, requires_grad, memory_format, sample)


def randint_like(input, *args, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None):
    """Integers on [low, high) shaped like ``input``: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``."""
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError('randint_like() missing 1 required positional arguments: "high"')
    return _sampled_like(input, dtype, requires_grad, memory_format,
                         lambda shape, dt, contiguous: randint(low, high, shape, dtype=dt))


# --- in-place sampling: fill an existing tensor ------------------------------


def _in_order(draw, shape, order):
    """``draw(shape)`` filled in memory ``order`` (see ``memory_order``)."""
    if order is None:
        return draw(tuple(shape))
    arr = draw(tuple(shape[d] for d in order))
    return arr.transpose(np.argsort(order))


def _fill(self, draw):
    """Write ``draw(shape)`` into ``self`` in its memory order (an in-place op: leaf check,
    version bump)."""
    if grad_mode.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    self._data[...] = _in_order(draw, self.shape, memory_order(self._data))
    self._vc[0] += 1
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None, **kwargs):
    """Fill with uniform samples on [a, b)."""
    a, b = kwargs.pop("from", a), kwargs.pop("to", b)
    if not self.dtype.is_floating_point:
        raise RuntimeError(
            f'"check_uniform_bounds" not implemented for \'{self.dtype._legacy}\'')
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a} > "
                           f"to={b}")
    return _fill(self, lambda shape: _random.uniform(shape, self.dtype.np, a, b,
                                                     generator=generator))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    if not self.dtype.is_floating_point:
        raise RuntimeError(f'"normal_kernel_cpu" not implemented for \'{self.dtype._legacy}\'')
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    contiguous = builtins.bool(self._data.flags.c_contiguous)
    return _fill(self, lambda shape: _random.normal(shape, self.dtype.np, mean, std,
                                                    generator=generator,
                                                    contiguous=contiguous))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples of probability ``p`` (a number or a tensor)."""
    if isinstance(p, Tensor):
        _check_probs(p)
        probs = np.broadcast_to(p._data, self.shape)
        order = memory_order(self._data)
        if order is not None:
            probs = probs.transpose(order)
        return _fill(self, lambda shape: _random.bernoulli(probs, self.dtype.np,
                                                           generator=generator))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _fill(self, lambda shape: _random.bernoulli_scalar(shape, float(p), self.dtype.np,
                                                              generator=generator))


def exponential_(self, lambd=1.0, *, generator=None):
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill(self, lambda shape: _random.exponential(shape, self.dtype.np, lambd,
                                                         generator=generator))


def random_(self, *args, generator=None, **kwargs):
    """Fill with integers: ``random_()``, ``random_(to)``, ``random_(from, to)``."""
    low = kwargs.pop("from", None)
    high = kwargs.pop("to", None)
    if len(args) == 1:
        high = args[0]
        low = 0
    elif len(args) == 2:
        low, high = args
    return _fill(self, lambda shape: _random.random_(shape, self.dtype.np, low, high,
                                                     generator=generator))


def geometric_(self, p, *, generator=None):
    return _fill(self, lambda shape: _random.geometric(shape, self.dtype.np, p,
                                                       generator=generator))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill(self, lambda shape: _random.cauchy(shape, self.dtype.np, median, sigma,
                                                    generator=generator))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill(self, lambda shape: _random.log_normal(shape, self.dtype.np, mean, std,
                                                        generator=generator))
