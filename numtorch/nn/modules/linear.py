"""Identity, Linear, Bilinear, LazyLinear."""

from __future__ import annotations

import math

from ..._tensor import Tensor
from ...ops.creation import empty
from ...ops.linear import bilinear, linear
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear"]  # and LazyLinear (__getattr__ below)


class Identity(Module):
    """Return the input unchanged (a placeholder; any constructor arguments are ignored)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


def reset_weight_and_bias(weight, bias) -> None:
    """PyTorch's default initialisation of Linear and Conv layers, in its draw order:
    kaiming_uniform_ with a=sqrt(5) (bound sqrt(6 / ((1 + 5) fan_in)) = 1/sqrt(fan_in)),
    then the bias uniform in the same +-1/sqrt(fan_in)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class Linear(Module):
    """Apply ``y = x W^T + b``.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: learn an additive bias. Default: True.

    Shape:
        input ``(*, in_features)``, output ``(*, out_features)``.

    Both ``weight`` ``(out_features, in_features)`` and ``bias`` start uniform in
    ``(-1/sqrt(in_features), 1/sqrt(in_features))`` (PyTorch's initialisation).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """Apply ``y = x1^T A x2 + b`` to pairs of inputs.

    Args:
        in1_features, in2_features: sizes of the two inputs.
        out_features: size of the output.
        bias: learn an additive bias. Default: True.

    Shape:
        input1 ``(*, in1_features)``, input2 ``(*, in2_features)``, output ``(*, out_features)``.
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features), device=device,
                                      dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under another name: PyTorch's type for ``MultiheadAttention.out_proj``
    (its repr and type checks name it so; it lives here, as in torch.nn.modules.linear)."""


def __getattr__(name):
    # LazyLinear is defined with the other lazy layers (numtorch/nn/modules/lazy.py, which
    # imports this module); PyTorch users import it from here too.
    if name == "LazyLinear":
        from .lazy import LazyLinear

        return LazyLinear
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
