"""PyTorch's TypeError when a function of the ``numtorch`` namespace gets something other
than a Tensor as its ``input``.

``torch.sum([1.0, 2.0])`` fails in PyTorch's argument parser, before any work, with
``sum(): argument 'input' (position 1) must be Tensor, not list``. numtorch's ops read
``input._data`` first, so without a check a list would fail with an AttributeError
naming a private attribute, and a NumPy array would even be accepted by some. Rather
than a check inside every op (the methods, ``x.sum()``, and numtorch's own calls need
none), ``check_inputs`` wraps each public function whose first parameter is ``input``
once, at import: a type check before the call (about 0.2 us per call).

PyTorch words the error in one of two ways. A function with one signature (for the
arguments given) names the argument; one declared with several signatures reports "an
invalid combination of arguments" and lists them. numtorch gives the first line of
each exactly as PyTorch does and lists its own Python signature.
"""

from __future__ import annotations

import functools
import inspect
import numbers

from ._tensor import Tensor

# These take a Python number as ``input`` when ``other`` is a Tensor (``torch.add(2, t)``).
_NUMBER_INPUT = frozenset({
    "add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
    "floor_divide", "remainder", "pow", "float_power", "xlogy", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "bucketize"})

# PyTorch declares these with several signatures for a call with a Tensor-like first
# argument (measured against torch 2.13: their error is "an invalid combination").
_OVERLOADED = frozenset({
    "all", "any", "bucketize", "bitwise_and", "bitwise_left_shift", "bitwise_or",
    "bitwise_right_shift", "bitwise_xor", "clamp", "clamp_", "clamp_max", "clamp_max_",
    "clamp_min", "clamp_min_", "clip", "clip_", "conv1d", "conv2d", "conv3d", "copysign",
    "divide", "dsplit",
    "eq", "fill", "fill_", "float_power", "floor_divide", "fmod", "ge", "greater",
    "greater_equal", "gru", "gt", "histogramdd", "hsplit", "index_fill", "le", "lerp", "less",
    "less_equal", "lstm", "lt", "masked_fill", "moveaxis", "movedim", "multiply", "nanquantile",
    "narrow", "ne", "not_equal", "pow",
    "quantile", "randint_like", "remainder", "rnn_relu", "rnn_tanh", "rsub", "scatter", "std",
    "std_mean", "subtract",
    "tensor_split", "true_divide", "var", "var_mean", "view_copy", "vsplit", "xlogy",
    "xlogy_"})

# Python-level functions in PyTorch that fail on their own terms (``torch.norm([1.])``
# raises AttributeError there too): left as they are.
_UNCHECKED = frozenset({"norm"})

# Functions whose error names the kernel they call: torch.spmm's is mm's.
_REPORTED = {"spmm": "mm"}

# nn.functional: the functions PyTorch hands straight to its argument parser, with the
# name its error reports (the kernel's, where that differs). The others are Python code in
# PyTorch and fail on the first Tensor attribute they read; they are left as they are.
_FUNCTIONAL = {
    name: name for name in (
        "adaptive_avg_pool1d", "adaptive_max_pool1d", "alpha_dropout", "avg_pool1d",
        "avg_pool2d", "avg_pool3d", "batch_norm", "celu", "dropout", "elu",
        "feature_alpha_dropout", "gelu", "max_pool1d", "max_pool2d", "max_pool3d",
        "hardshrink", "hardsigmoid", "hardswish", "hardtanh", "hinge_embedding_loss", "kl_div",
        "layer_norm", "leaky_relu", "mish", "multi_margin_loss", "multilabel_margin_loss",
        "channel_shuffle", "native_channel_shuffle", "pdist", "pixel_shuffle", "pixel_unshuffle",
        "poisson_nll_loss", "prelu", "relu", "relu6", "rms_norm", "rrelu", "selu", "silu",
        "soft_margin_loss", "softplus", "softshrink", "threshold")
} | {"cross_entropy": "cross_entropy_loss", "logsigmoid": "log_sigmoid",
     "multilabel_soft_margin_loss": "log_sigmoid", "nll_loss": "nll_loss_nd"}
# F.embedding(input, weight) is torch.embedding(weight, input): the input is 'indices' there.
_ARGUMENT = {"embedding": ("indices", 2)}

_HEAPTYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python


def type_name(obj) -> str:
    """A value's type as PyTorch's messages print it: ``list``, ``float``, ``Linear``,
    ``numpy.ndarray`` (C types keep their module, as their ``tp_name`` does)."""
    t = type(obj)
    if isinstance(obj, Tensor):
        return "Tensor" if t is Tensor else t.__name__
    if t.__module__ == "builtins" or t.__flags__ & _HEAPTYPE:
        return t.__name__
    return f"{t.__module__}.{t.__qualname__}"


def _input_error(name: str, fn, args, kwargs) -> TypeError:
    x = args[0] if args else kwargs["input"]
    if name in _ARGUMENT:
        arg, position = _ARGUMENT[name]
        return TypeError(f"{name}(): argument '{arg}' (position {position}) must be Tensor, "
                         f"not {type_name(x)}")
    if name in _OVERLOADED:
        got = [type_name(a) for a in args] + [f"{k}={type_name(v)}" for k, v in kwargs.items()]
        return TypeError(f"{name}() received an invalid combination of arguments - got "
                         f"({', '.join(got)}), but expected one of:\n"
                         f" * {inspect.signature(fn)}  (input must be a Tensor)")
    where = "" if not args else " (position 1)"
    return TypeError(f"{name}(): argument 'input'{where} must be Tensor, not {type_name(x)}")


def _checked(name: str, fn, module: str, attr: str):
    """``fn`` behind the input check; it reports itself as ``module.attr`` (where it is
    reached), so pickle finds this wrapper again: a module holding ``F.relu`` saves whole."""
    numbers_ok = name in _NUMBER_INPUT

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        if args and type(args[0]) is Tensor:  # the usual call, checked first
            return fn(*args, **kwargs)
        if args:
            x = args[0]
        elif "input" in kwargs:
            x = kwargs["input"]
        else:  # no input at all: the function's own TypeError
            return fn(*args, **kwargs)
        if not isinstance(x, Tensor) and not (numbers_ok and isinstance(x, numbers.Number)):
            raise _input_error(name, fn, args, kwargs)
        return fn(*args, **kwargs)

    checked.__module__, checked.__qualname__ = module, attr
    checked.__wrapped_input_check__ = True
    return checked


def check_functional_inputs(namespace: dict) -> None:
    """The same for ``nn.functional``, for the functions PyTorch checks (``_FUNCTIONAL``)."""
    module = namespace["__name__"]
    for name, reported in _FUNCTIONAL.items():
        namespace[name] = _checked(reported, namespace[name], module, name)
    namespace["embedding"] = _checked("embedding", namespace["embedding"], module, "embedding")


def check_inputs(namespace: dict) -> None:
    """Wrap every public function of ``namespace`` whose first parameter is ``input``."""
    for name, fn in list(namespace.items()):
        if name.startswith("_") or name in _UNCHECKED or not inspect.isfunction(fn):
            continue
        params = list(inspect.signature(fn).parameters)
        if params and params[0] == "input":
            namespace[name] = _checked(_REPORTED.get(name, name), fn, namespace["__name__"],
                                       name)
