"""``numtorch.library``: custom operators, as ``torch.library``.

A custom operator wraps a function that numtorch cannot see into — typically
one that calls ``.numpy()`` and computes with NumPy or another library — so
that it behaves like a built-in op::

    @numtorch.library.custom_op("mylib::numpy_sin", mutates_args=())
    def numpy_sin(x: Tensor) -> Tensor:
        return numtorch.from_numpy(np.sin(x.numpy()))

    def setup_context(ctx, inputs, output):
        (x,) = inputs
        ctx.save_for_backward(x)

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()

    numpy_sin.register_autograd(backward, setup_context=setup_context)
    numpy_sin.register_fake(lambda x: numtorch.empty_like(x))
    numtorch.ops.mylib.numpy_sin(x)        # the same op, by name

How it plugs into autograd: ``custom_op`` builds one ``autograd.Function``
subclass per op (``GeneratedBackwardFor_mylib_numpy_sin_default``, the name
PyTorch gives it). Calling the op with an input that requires grad goes
through that Function's ``apply`` — the same path as every built-in op — so
the kernel runs with grad mode off, ``setup_context`` saves what backward
needs, and the engine calls the registered ``backward``. Without a
registered backward the op still runs, and backward through it raises.

The schema string (``mylib::numpy_sin(Tensor x) -> Tensor``) is inferred
from the function's type annotations, as PyTorch does; numtorch uses it to
know the arguments, which of them the op mutates and what it returns.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
import typing
from collections.abc import Sequence

from . import _dtype as D
from ._device import device as _device_cls
from ._tensor import Tensor
from .autograd import grad_mode
from .autograd.function import Function

__all__ = [
    "custom_op", "CustomOpDef", "register_autograd", "register_fake", "register_kernel",
    "infer_schema", "opcheck", "OpCheckError", "define", "impl", "Library",
]

_OPS: dict[str, CustomOpDef] = {}  # "mylib::numpy_sin" -> its op
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*::[A-Za-z_][A-Za-z0-9_.]*$")


# --- schemas ----------------------------------------------------------------------------

_SCALAR_TYPES = {Tensor: "Tensor", int: "SymInt", float: "float", bool: "bool", str: "str",
                 D.dtype: "ScalarType", _device_cls: "Device"}
_RETURN_TYPES = {Tensor: "Tensor", int: "SymInt", float: "float", bool: "bool"}


def _schema_type(annotation):
    """``Tensor`` -> "Tensor", ``Optional[int]`` -> "SymInt?", ``list[Tensor]`` -> "Tensor[]"."""
    if annotation in _SCALAR_TYPES:
        return _SCALAR_TYPES[annotation]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1 and len(args) == 2:
            inner = _schema_type(rest[0])
            return None if inner is None else inner + "?"
        if set(rest) <= {int, float, bool}:
            return "Scalar" + ("?" if type(None) in args else "")
        return None
    if origin in (list, Sequence, typing.Sequence) and len(args) == 1:
        inner = _schema_type(args[0])
        return None if inner in (None, "str", "ScalarType", "Device") else inner + "[]"
    return None


def _resolved_signature(fn) -> inspect.Signature:
    try:
        return inspect.signature(fn, eval_str=True)
    except Exception:  # annotations naming things the function's module cannot see
        return inspect.signature(fn)


def infer_schema(prototype_function, /, *, mutates_args, op_name: str | None = None) -> str:
    """The schema string PyTorch would infer from ``prototype_function``'s type annotations.

    Example: ``def f(x: Tensor, n: int = 2) -> Tensor`` gives
    ``"(Tensor x, SymInt n=2) -> Tensor"``.
    """
    sig = _resolved_signature(prototype_function)

    def error(what):
        raise ValueError(f"infer_schema(func): {what} Got func with signature {sig})")

    if isinstance(mutates_args, str) and mutates_args != "unknown":
        raise ValueError("mutates_args must either be a sequence of the names of the arguments "
                         "that are mutated or the string 'unknown'. ")
    params, seen, kw_only = [], set(), False
    for idx, (name, p) in enumerate(sig.parameters.items()):
        if p.kind not in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            error("We do not support positional-only args, varargs, or varkwargs.")
        if p.kind == p.KEYWORD_ONLY and not kw_only:
            params.append("*")
            kw_only = True
        if p.annotation is p.empty:
            error(f"Parameter {name} must have a type annotation.")
        ty = _schema_type(p.annotation)
        if ty is None:
            error(f"Parameter {name} has unsupported type {p.annotation}. The valid types are: "
                  "Tensor, int, float, bool, str, dtype, device, Optional and list of these.")
        mutated = (mutates_args == "unknown" and ty.startswith("Tensor")) or (
            not isinstance(mutates_args, str) and name in mutates_args)
        if mutated:
            if not ty.startswith("Tensor"):
                error(f"Parameter {name} is in mutable_args but only Tensors or collections of "
                      "Tensors can be mutated")
            ty = f"Tensor(a{idx}!){ty[len('Tensor'):]}"
        seen.add(name)
        if p.default is p.empty:
            params.append(f"{ty} {name}")
        elif p.default is None or isinstance(p.default, (int, float, bool)):
            params.append(f"{ty} {name}={p.default}")
        elif isinstance(p.default, str):
            params.append(f'{ty} {name}="{p.default}"')
        elif isinstance(p.default, D.dtype):
            params.append(f"{ty} {name}={str(p.default).removeprefix('numtorch.')}")
        else:
            error(f"Parameter {name} has an unsupported default value type "
                  f"{type(p.default)}.")
    if not isinstance(mutates_args, str):
        missing = set(mutates_args) - seen
        if missing:
            error(f"{missing} in mutates_args were not found in the custom op's signature. "
                  "mutates_args should contain the names of all args that the custom op "
                  "mutates, or just the string 'unknown' if you don't know.")
    ret = _return_schema(sig.return_annotation, error)
    prefix = op_name or ""
    return f"{prefix}({', '.join(params)}) -> {ret}"


def _return_schema(annotation, error) -> str:
    if annotation is None:
        return "()"
    if annotation is inspect.Signature.empty:
        error("No return type annotation was provided. Please add one.")
    if typing.get_origin(annotation) is tuple:
        parts = [_RETURN_TYPES.get(a) or ("Tensor[]" if _schema_type(a) == "Tensor[]" else None)
                 for a in typing.get_args(annotation)]
        if None in parts:
            error(f"Return has unsupported type {annotation}.")
        return f"(({parts[0]}))" if len(parts) == 1 else f"({', '.join(parts)})"
    if annotation in _RETURN_TYPES:
        return _RETURN_TYPES[annotation]
    if _schema_type(annotation) == "Tensor[]":
        return "Tensor[]"
    error(f"Return has unsupported type {annotation}. The valid types are: Tensor, list[Tensor], "
          "int, float, bool and tuples of these.")


class _Schema:
    """What numtorch reads from a schema string: argument names, kinds and mutations."""

    def __init__(self, text: str):
        m = re.fullmatch(r"\s*([\w.:]*)\s*\((.*)\)\s*->\s*(.+?)\s*", text)
        if m is None:
            raise RuntimeError(f"numtorch.library: cannot parse the schema {text!r}; expected "
                               "something like '(Tensor x, float k=1.0) -> Tensor'")
        self.text = text
        self.positional, self.kw_only, self.mutated = [], [], set()
        self.tensor_args = set()
        kw = False
        for part in (p.strip() for p in m.group(2).split(",")) if m.group(2).strip() else ():
            if part == "*":
                kw = True
                continue
            decl = part.split("=", 1)[0].strip()
            ty, _, name = decl.rpartition(" ")
            if not name or not ty:
                raise RuntimeError(f"numtorch.library: cannot parse argument {part!r} of the "
                                   f"schema {text!r}")
            (self.kw_only if kw else self.positional).append(name)
            if ty.startswith("Tensor"):
                self.tensor_args.add(name)
            if "!" in ty:
                self.mutated.add(name)
        self.returns = m.group(3).strip()

    @property
    def functional(self) -> bool:
        return not self.mutated


# --- the op ----------------------------------------------------------------------------------


def _device_type(dev) -> str:
    return {"CPU": "cpu", "CUDA": "cuda"}.get(dev, dev)


class CustomOpDef:
    """A custom operator (made by :func:`custom_op`): call it like a function.

    Its methods register what else numtorch should know about it: ``register_autograd``
    (its backward), ``register_fake`` (a shape/dtype-only version used by :func:`opcheck`)
    and ``register_kernel`` (a kernel for one device type).
    """

    def __init__(self, namespace: str, name: str, schema: str, fn=None):
        self._namespace, self._name = namespace, name
        self._schema = schema
        self._parsed = _Schema(schema)
        self._init_fn = fn
        self._kernels: dict = {}  # device type (None: any) -> kernel
        self._abstract_fn = None
        self._backward_fn = None
        self._setup_context_fn = None
        self._composite_implicit = False
        self._autograd_fn = _make_autograd_function(self)
        self.__name__ = name
        self.__doc__ = getattr(fn, "__doc__", None)
        _OPS[self._qualname] = self
        _namespace(namespace)._ops[name] = self

    @property
    def _qualname(self) -> str:
        return f"{self._namespace}::{self._name}"

    def __repr__(self) -> str:
        return f"<CustomOpDef({self._qualname})>"

    # --- registration ---------------------------------------------------------------

    def register_kernel(self, device_types, fn=None, /):
        """Use ``fn`` as this op's kernel for ``device_types`` ("cpu", "cuda" or a list;
        None for every device). Usable as a decorator."""

        def register(f):
            types = (device_types,) if device_types is None or isinstance(device_types, str) \
                else tuple(device_types)
            for t in types:
                self._kernels[None if t is None else _device_type(t)] = f
            return f

        return register if fn is None else register(fn)

    def register_fake(self, fn, /):
        """Register the op's fake kernel: same output shapes and dtypes, no real compute.

        numtorch has no fake tensors; :func:`opcheck` runs the fake kernel on the real inputs
        and checks that it agrees with the real kernel about the outputs' shapes and dtypes.
        """
        self._abstract_fn = fn
        return fn

    def register_autograd(self, backward, /, *, setup_context=None) -> None:
        """Give the op a backward formula.

        ``setup_context(ctx, inputs, output)`` runs after the kernel, to save what backward
        needs (``ctx.save_for_backward``, attributes on ``ctx``); ops with keyword-only
        arguments get ``setup_context(ctx, inputs, keyword_only_inputs, output)``.
        ``backward(ctx, *grads)`` returns one gradient (or None) per positional input.
        """
        if not self._parsed.functional:
            raise RuntimeError(
                f"Cannot register autograd formula for non-functional operator {self} with "
                f"schema {self._qualname}{self._schema}. Please create a functional operator "
                "and register an autograd formula for that.")
        self._backward_fn = backward
        self._setup_context_fn = setup_context

    # --- calling --------------------------------------------------------------------

    def _bind(self, args, kwargs):
        """Split a call into positional inputs (graph inputs) and keyword-only inputs."""
        p = self._parsed
        n = len(p.positional)
        if len(args) > n:
            raise TypeError(f"{self._qualname}() takes {n} positional arguments but "
                            f"{len(args)} were given")
        positional = list(args)
        kwargs = dict(kwargs)
        for name in p.positional[len(args):]:
            if name in kwargs:
                positional.append(kwargs.pop(name))
            else:
                positional.append(_MISSING)
        unknown = set(kwargs) - set(p.kw_only)
        if unknown:
            raise TypeError(f"{self._qualname}() got unexpected keyword arguments "
                            f"{sorted(unknown)}")
        if _MISSING in positional and self._init_fn is not None:
            # Fill defaults from the Python function (the schema keeps them only as text).
            sig = _resolved_signature(self._init_fn)
            for i, name in enumerate(p.positional):
                if positional[i] is _MISSING:
                    default = sig.parameters[name].default
                    if default is inspect.Parameter.empty:
                        raise TypeError(f"{self._qualname}() missing required argument "
                                        f"'{name}'")
                    positional[i] = default
        if _MISSING in positional:
            raise TypeError(f"{self._qualname}() missing required arguments")
        return tuple(positional), kwargs

    def _kernel_for(self, args):
        dev = "cpu"
        for a in args:
            if isinstance(a, Tensor):
                dev = a.device.type
                break
        kernel = self._kernels.get(dev) or self._kernels.get(None)
        if kernel is None:
            raise NotImplementedError(
                f"{self._qualname}: there is no kernel registered for device type '{dev}'. "
                f"Registered: {sorted(str(k) for k in self._kernels) or 'none'} (use "
                "register_kernel or numtorch.library.impl to add one).")
        return kernel

    def _run_kernel(self, args, kwargs):
        """The kernel on its own, with PyTorch's checks of what it returns.

        It sees its tensors detached (same memory and version counter), as PyTorch runs
        kernels below autograd: so ``x.numpy()`` works on an input that requires grad.
        """
        out = self._kernel_for(args)(*_detached(args), **dict(zip(kwargs,
                                                                  _detached(kwargs.values()))))
        inputs = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        outs = out if isinstance(out, (tuple, list)) else (out,)
        for o in outs:
            if isinstance(o, Tensor) and any(o is a or _shares_memory(o, a) for a in inputs):
                fn = self._init_fn or self._kernel_for(args)
                raise RuntimeError(
                    f"{fn.__name__} (with implementation in {inspect.getmodule(fn)}): The "
                    "output of this custom operator (1) must not also be an input to this "
                    "custom operator and (2) may not alias any inputs to this custom operator "
                    "or other returns. The most common way to trigger this error is if we have "
                    "y = custom_op(x) and y and x are the same Tensor. Please instead return a "
                    "clone of the offending output tensor(s) (e.g. return x.clone()) or "
                    "refactor the custom operator to not return y.")
            if not isinstance(o, Tensor) and self._parsed.returns.startswith(("Tensor", "(")) \
                    and o is not None:
                raise RuntimeError(f"{self._qualname}: the kernel returned a "
                                   f"{type(o).__name__}, but the schema says it returns "
                                   f"{self._parsed.returns} (wrap NumPy results with "
                                   "numtorch.from_numpy).")
        for name, value in zip(self._parsed.positional, args):
            if name in self._parsed.mutated and isinstance(value, Tensor):
                value._vc[0] += 1
        return out

    def __call__(self, *args, **kwargs):
        args, kwargs = self._bind(args, kwargs)
        if self._composite_implicit:  # the kernel is made of numtorch ops: autograd sees it
            return self._kernel_for(args)(*args, **kwargs)
        if grad_mode.enabled and self._parsed.functional and any(
                isinstance(a, Tensor) and a.requires_grad for a in args):
            out = self._autograd_fn.apply(*args, _KeywordOnly(kwargs))
            return list(out) if self._parsed.returns == "Tensor[]" else out
        with grad_mode.no_grad():
            return self._run_kernel(args, kwargs)


_MISSING = object()


def _detached(values) -> list:
    """Tensors (also inside lists) replaced by detached views of themselves."""
    out = []
    for v in values:
        if isinstance(v, Tensor):
            v = v.detach()
        elif isinstance(v, (list, tuple)) and any(isinstance(e, Tensor) for e in v):
            v = type(v)(e.detach() if isinstance(e, Tensor) else e for e in v)
        out.append(v)
    return out


class _KeywordOnly:
    """The keyword-only arguments of one call, passed to the Function as a trailing arg."""

    def __init__(self, values: dict):
        self.values = values


def _shares_memory(a: Tensor, b: Tensor) -> bool:
    import numpy as np

    x, y = a._data, b._data
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray):
        return bool(x.size and y.size and np.may_share_memory(x, y))
    return False


def _make_autograd_function(op: CustomOpDef):
    """The ``autograd.Function`` an op runs through when an input requires grad."""

    def forward(*args):
        *inputs, kw = args
        out = op._run_kernel(tuple(inputs), kw.values)
        return tuple(out) if isinstance(out, list) else out

    def setup_context(ctx, inputs, output):
        *inputs, kw = inputs
        if op._setup_context_fn is None:
            return
        if op._parsed.kw_only:
            op._setup_context_fn(ctx=ctx, inputs=tuple(inputs), keyword_only_inputs=kw.values,
                                 output=output)
        else:
            op._setup_context_fn(ctx=ctx, inputs=tuple(inputs), output=output)

    def backward(ctx, *grads):
        if op._backward_fn is None:
            raise RuntimeError(f"Trying to backward through {op._namespace}.{op._name}.default "
                               "but no autograd formula was registered. Please use "
                               "register_autograd to add one.")
        needs = ctx.needs_input_grad
        ctx.needs_input_grad = needs[:-1]  # the user sees their own inputs only
        try:
            result = op._backward_fn(ctx, *grads)
        finally:
            ctx.needs_input_grad = needs
        return (*result, None) if isinstance(result, tuple) else (result, None)

    name = f"GeneratedBackwardFor_{op._namespace}_{op._name}_default"
    return type(name, (Function,), {
        "forward": staticmethod(forward),
        "setup_context": staticmethod(setup_context),
        "backward": staticmethod(backward),
        "__module__": __name__,
    })


# --- numtorch.ops.<namespace>.<op> ---------------------------------------------------------


class _OpPacket:
    """``numtorch.ops.mylib.numpy_sin``: the op by name (``.default`` is the op too)."""

    def __init__(self, op: CustomOpDef):
        self._op = op
        self.default = op

    def __call__(self, *args, **kwargs):
        return self._op(*args, **kwargs)

    @property
    def _schema(self) -> str:
        return f"{self._op._qualname}{self._op._schema}"

    def __repr__(self) -> str:
        return f"{self._op._namespace}.{self._op._name}"


class _OpNamespace:
    """``numtorch.ops.mylib``: the custom ops registered under ``mylib::``."""

    def __init__(self, name: str):
        self.name = name
        self._ops: dict[str, CustomOpDef] = {}

    def __getattr__(self, op_name: str):
        if op_name.startswith("__"):
            raise AttributeError(op_name)
        op = self.__dict__["_ops"].get(op_name)
        if op is None:
            raise AttributeError(f"'_OpNamespace' '{self.name}' object has no attribute "
                                 f"'{op_name}'")
        return _OpPacket(op)

    def __dir__(self):
        return list(self._ops)

    def __repr__(self) -> str:
        return f"numtorch.ops.{self.name}"


def _namespace(name: str) -> _OpNamespace:
    """The namespace object, created on first use and made visible as ``numtorch.ops.<name>``.

    ``numtorch.ops`` is the package of the built-in op families; namespaces become
    attributes of it, so they cannot take a family's name.
    """
    ops_pkg = sys.modules.get("numtorch.ops") or __import__("numtorch.ops").ops
    existing = getattr(ops_pkg, name, None)
    if isinstance(existing, _OpNamespace):
        return existing
    if existing is not None or name.startswith("_"):
        raise ValueError(f"numtorch.library: the namespace '{name}' is taken by "
                         f"numtorch.ops.{name}; choose another namespace")
    ns = _OpNamespace(name)
    setattr(ops_pkg, name, ns)
    return ns


def _split_name(name) -> tuple[str, str]:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f'Expected the op name to be "namespace::op_name" (letters, digits and '
                         f"underscores, e.g. \"mylib::numpy_sin\"), but got {name!r}")
    ns, op_name = name.split("::")
    return ns, op_name


# --- the functional API --------------------------------------------------------------------


def custom_op(name, fn=None, /, *, mutates_args, device_types=None, schema=None, tags=None):
    """Turn a Python function into a custom operator (a decorator, as ``torch.library``).

    Args:
        name: ``"namespace::op_name"``; the op is then also ``numtorch.ops.namespace.op_name``.
        fn: the function (its type annotations give the schema).
        mutates_args: names of the arguments the function modifies in place (``()`` for
            none, or ``"unknown"``). Required.
        device_types: the device types ``fn`` is the kernel for (default: all).
        schema: the schema string, if it should not be inferred.
        tags: accepted for compatibility.

    Example::

        >>> @numtorch.library.custom_op("mylib::numpy_sin", mutates_args=())
        ... def numpy_sin(x: Tensor) -> Tensor:
        ...     return numtorch.from_numpy(np.sin(x.numpy()))
    """

    def inner(f):
        ns, op_name = _split_name(name)
        schema_str = schema if schema is not None else infer_schema(f, mutates_args=mutates_args)
        if schema is not None:
            mutated = _Schema(schema).mutated
            if isinstance(mutates_args, str) or mutated != set(mutates_args):
                raise ValueError(
                    f"Attempted to create a custom op with `mutates_args={mutates_args}` and "
                    f"`schema={schema}. The schema suggests that the op mutates {mutated}"
                    "which is different from what was provided to us in `mutates_args`. "
                    "Please make these consistent.")
        op = CustomOpDef(ns, op_name, schema_str, f)
        op.register_kernel(device_types, f)
        return op

    return inner if fn is None else inner(fn)


def _op_of(op) -> CustomOpDef:
    if isinstance(op, CustomOpDef):
        return op
    if isinstance(op, _OpPacket):
        return op._op
    if isinstance(op, str):
        _split_name(op)
        if op not in _OPS:
            raise ValueError(f"numtorch.library: no operator named '{op}' (define it with "
                             "custom_op or define first)")
        return _OPS[op]
    raise TypeError(f"expected an op (a CustomOpDef, numtorch.ops.<ns>.<op> or 'ns::name'), "
                    f"got {type(op).__name__}")


def register_autograd(op, backward, /, *, setup_context=None, lib=None) -> None:
    """``op.register_autograd(backward, setup_context=...)`` for an op given by name or object."""
    _op_of(op).register_autograd(backward, setup_context=setup_context)


def register_fake(op, func=None, /, *, lib=None, _stacklevel: int = 1):
    """``op.register_fake(func)`` for an op given by name or object; usable as a decorator."""
    target = _op_of(op)
    if func is None:
        return target.register_fake
    return target.register_fake(func)


def register_kernel(op, device_types, func=None, /, *, lib=None):
    """``op.register_kernel(device_types, func)`` for an op given by name or object."""
    return _op_of(op).register_kernel(device_types, func)


def define(qualname: str, schema: str, *, lib=None, tags=()) -> CustomOpDef:
    """Declare an op from a schema string (kernels come later through :func:`impl`).

    Example: ``define("mylib::scale", "(Tensor x, float k) -> Tensor")``.
    """
    ns, op_name = _split_name(qualname)
    return CustomOpDef(ns, op_name, schema)


def impl(qualname, types, func=None, *, lib=None):
    """Register a kernel for an op made by :func:`define`; usable as a decorator.

    ``types`` is a device type ("cpu", "cuda"), a list of them, "default" for every device,
    or "CompositeImplicitAutograd": a kernel written with numtorch ops that autograd
    differentiates by itself (no ``register_autograd`` needed).
    """
    op = _op_of(qualname)

    def register(f):
        if types == "CompositeImplicitAutograd":
            op._composite_implicit = True
            op.register_kernel(None, f)
        elif types in ("default", "CompositeExplicitAutograd"):
            op.register_kernel(None, f)
        else:
            op.register_kernel(types, f)
        return f

    return register if func is None else register(func)


class Library:
    """A namespace to define ops in and register kernels for (``torch.library.Library``).

    Example::

        lib = numtorch.library.Library("mylib", "DEF")
        lib.define("scale(Tensor x, float k) -> Tensor")
        lib.impl("scale", lambda x, k: x * k, "CompositeImplicitAutograd")
    """

    def __init__(self, ns: str, kind: str, dispatch_key: str = ""):
        if kind not in ("DEF", "IMPL", "FRAGMENT"):
            raise ValueError(f"Unsupported kind: {kind}")
        self.ns, self.kind, self.dispatch_key = ns, kind, dispatch_key

    def define(self, schema: str, alias_analysis: str = "", *, tags=()) -> str:
        name, _, rest = schema.partition("(")
        qualname = f"{self.ns}::{name.strip()}"
        define(qualname, "(" + rest)
        return name.strip()

    def impl(self, op_name, fn, dispatch_key: str = "", *, with_keyset: bool = False) -> None:
        name = op_name if isinstance(op_name, str) else op_name._name
        key = dispatch_key or self.dispatch_key or "default"
        impl(f"{self.ns}::{name}", _device_type(key), fn)

    def __repr__(self) -> str:
        return f"Library(kind={self.kind}, ns={self.ns}, dispatch_key={self.dispatch_key})"


# --- opcheck ---------------------------------------------------------------------------------


class OpCheckError(Exception):
    """Raised by :func:`opcheck` when a check fails."""


_TESTS = ("test_schema", "test_autograd_registration", "test_faketensor")


def opcheck(op, args, kwargs=None, *, test_utils=_TESTS, raise_exception: bool = True,
            atol=None, rtol=None) -> dict:
    """Check that a custom op is registered correctly, as ``torch.library.opcheck``.

    * ``test_schema``: the kernel mutates only the arguments ``mutates_args`` names, does not
      return its inputs, and returns what the schema says;
    * ``test_autograd_registration``: if an input requires grad, the op has a backward, and
      ``gradcheck`` passes on float64 copies of the inputs;
    * ``test_faketensor``: the fake kernel exists and gives the real outputs' shapes and
      dtypes.

    Returns a dict test name -> "SUCCESS" (or the error, if ``raise_exception=False``).
    PyTorch's ``test_aot_dispatch_dynamic`` (torch.compile) does not apply to numtorch.
    """
    op = _op_of(op)
    kwargs = dict(kwargs or {})
    if isinstance(test_utils, str):
        test_utils = (test_utils,)
    results = {}
    for name in test_utils:
        if name == "test_aot_dispatch_dynamic":
            results[name] = "SKIPPED"
            continue
        if name not in _TESTS:
            raise ValueError(f"test_utils must be a subset of {_TESTS}, got {name!r}")
        try:
            _CHECKS[name](op, tuple(args), kwargs, atol, rtol)
            results[name] = "SUCCESS"
        except Exception as e:
            if raise_exception:
                raise OpCheckError(f"opcheck(op, ...): {name} failed with {e} (scroll up for "
                                   "stack trace)") from e
            results[name] = e
    return results


def _clone_args(args):
    """Independent copies of the tensor arguments (same requires_grad)."""
    import numpy as np

    out = []
    for a in args:
        if isinstance(a, Tensor):
            c = Tensor._make(np.array(a._data, copy=True) if isinstance(a._data, np.ndarray)
                             else a._data.copy())
            if a.requires_grad:
                c.requires_grad_(True)
            a = c
        out.append(a)
    return out


def _check_schema(op, args, kwargs, atol, rtol) -> None:
    import numpy as np

    bound, kw = op._bind(args, kwargs)
    copies = _clone_args(bound)
    before = [np.array(c._data, copy=True) if isinstance(c, Tensor) else None for c in copies]
    with grad_mode.no_grad():
        out = op._run_kernel(tuple(copies), kw)
    for name, c, b in zip(op._parsed.positional, copies, before):
        if b is not None and name not in op._parsed.mutated and not np.array_equal(
                np.asarray(c._data), b, equal_nan=c.dtype.is_floating_point):
            raise RuntimeError(f"{op._qualname}: argument '{name}' was modified in place, but "
                               f"mutates_args does not name it (schema: {op._schema})")
    ret = op._parsed.returns
    if ret == "()" and out is not None:
        raise RuntimeError(f"{op._qualname}: the schema returns nothing but the kernel returned "
                           f"{type(out).__name__}")
    if ret.startswith("(") and ret != "()":
        n = len([p for p in ret.strip("()").split(",") if p.strip()])
        if not isinstance(out, tuple) or len(out) != n:
            raise RuntimeError(f"{op._qualname}: the schema returns a tuple of {n} but the "
                               f"kernel returned {type(out).__name__}")


def _check_autograd(op, args, kwargs, atol, rtol) -> None:
    from .autograd import gradcheck

    bound, kw = op._bind(args, kwargs)
    if not any(isinstance(a, Tensor) and a.requires_grad for a in bound):
        return
    if op._composite_implicit:
        return
    if op._backward_fn is None:
        raise RuntimeError(f"{op._qualname} has inputs that require grad but no autograd "
                           "formula: use register_autograd to add one.")
    inputs = []
    for a in _clone_args(bound):
        if isinstance(a, Tensor) and a.requires_grad:
            a = a.detach().to(D.float64).requires_grad_(True)
        inputs.append(a)
    gradcheck(lambda *xs: op(*xs, **kw), tuple(inputs), atol=atol or 1e-5, rtol=rtol or 1e-3,
              check_undefined_grad=False)


def _check_fake(op, args, kwargs, atol, rtol) -> None:
    if op._abstract_fn is None:
        raise RuntimeError(f"There was no fake impl registered for {op}. This is necessary for "
                           f"torch.compile/export/fx tracing to work. Please use "
                           f"`{op._name}.register_fake` to add an fake impl.")
    bound, kw = op._bind(args, kwargs)
    with grad_mode.no_grad():
        real = op._run_kernel(tuple(_clone_args(bound)), kw)
        fake = op._abstract_fn(*_clone_args(bound), **kw)
    reals = real if isinstance(real, (tuple, list)) else (real,)
    fakes = fake if isinstance(fake, (tuple, list)) else (fake,)
    if len(reals) != len(fakes):
        raise RuntimeError(f"{op._qualname}: the fake kernel returned {len(fakes)} outputs, the "
                           f"real kernel {len(reals)}")
    for i, (r, f) in enumerate(zip(reals, fakes)):
        if isinstance(r, Tensor) != isinstance(f, Tensor):
            raise RuntimeError(f"{op._qualname}: output {i} is a {type(r).__name__} from the "
                               f"kernel but a {type(f).__name__} from the fake kernel")
        if isinstance(r, Tensor) and (r.shape != f.shape or r.dtype is not f.dtype):
            raise RuntimeError(f"{op._qualname}: output {i} of the fake kernel has shape "
                               f"{tuple(f.shape)} and dtype {f.dtype}, but the real kernel "
                               f"gives shape {tuple(r.shape)} and dtype {r.dtype}")


_CHECKS = {"test_schema": _check_schema, "test_autograd_registration": _check_autograd,
           "test_faketensor": _check_fake}
