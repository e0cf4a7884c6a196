"""Identity, Linear, Bilinear, LazyLinear."""

from __future__ import annotations

import math

from ..._tensor import Tensor
from ...autograd import grad_mode
from ...ops.creation import empty
from ...ops.linear import bilinear, linear
from .. import init
from ..parameter import Parameter, UninitializedParameter, is_lazy
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear", "LazyLinear"]


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


class LazyLinear(Linear):
    """A Linear whose ``in_features`` is read from the first input it sees.

    Until then ``weight`` and ``bias`` are ``UninitializedParameter``s; the first call
    allocates them, runs ``reset_parameters``, and turns the module into a plain
    ``Linear`` (``cls_to_become``).
    """

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device=None, dtype=None) -> None:
        # Linear's __init__ with zero-sized weights, then swap in the placeholders.
        super().__init__(0, 0, False)
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def has_uninitialized_params(self) -> bool:
        return any(is_lazy(p) for p in self._parameters.values() if p is not None)

    def initialize_parameters(self, input: Tensor) -> None:
        """Allocate ``weight`` and ``bias`` for inputs of ``input.shape[-1]`` features."""
        if self.has_uninitialized_params():
            with grad_mode.no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        # Loading a checkpoint fixes the shapes: materialise to them first.
        for name, param in self._parameters.items():
            key = prefix + name
            if param is not None and is_lazy(param) and key in state_dict:
                param.materialize(state_dict[key].shape)
                if name == "weight":
                    self.in_features = state_dict[key].shape[-1]
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)
        if not self.has_uninitialized_params():
            _become(self)


def _infer_parameters(module, args) -> None:
    module.initialize_parameters(*args)
    if not module.has_uninitialized_params():
        _become(module)


def _become(module) -> None:
    handle = module.__dict__.pop("_initialize_hook", None)
    if handle is not None:
        handle.remove()
    module.__class__ = module.cls_to_become


class NonDynamicallyQuantizableLinear(Linear):
    """A Linear under another name: PyTorch's type for ``MultiheadAttention.out_proj``
    (its repr and type checks name it so; it lives here, as in torch.nn.modules.linear)."""
