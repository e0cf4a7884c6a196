"""Lazy convolution and normalisation layers: the channel count comes from the first input.

``LazyConv2d(16, 3)`` is a ``Conv2d`` whose ``in_channels`` is not known yet: its ``weight``
and ``bias`` are ``UninitializedParameter`` placeholders (the norms' running statistics are
``UninitializedBuffer``s). The first call reads the channel count from the input, allocates
the tensors, initialises them exactly as the regular layer's constructor would (the same
RNG draws in the same order), and turns the module into that regular class
(``cls_to_become``), so afterwards ``type(m) is Conv2d``. The mechanism, shared with
``LazyLinear`` (numtorch/nn/modules/linear.py), is ``LazyModuleMixin``: a forward pre-hook,
``_infer_parameters``, that calls ``initialize_parameters`` and then ``_become``.
"""

from __future__ import annotations

from ..._dtype import int64
from ..._tensor import Tensor
from ...autograd import grad_mode
from ...ops.creation import tensor
from ..parameter import UninitializedBuffer, UninitializedParameter, is_lazy
from .batchnorm import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    InstanceNorm1d,
    InstanceNorm2d,
    InstanceNorm3d,
)
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear

__all__ = ["LazyLinear", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


def _infer_parameters(module, args) -> None:
    """The forward pre-hook of a lazy module: materialise from the first input, then turn
    into the regular class."""
    module.initialize_parameters(*args)
    if not module.has_uninitialized_params():
        _become(module)


def _become(module) -> None:
    handle = module.__dict__.pop("_initialize_hook", None)
    if handle is not None:
        handle.remove()
    module.__class__ = module.cls_to_become


class LazyModuleMixin:
    """Mixed in before a regular layer class: parameters stay placeholders until the first call.

    A subclass sets ``cls_to_become`` and writes ``initialize_parameters(input)``, which
    materialises every placeholder and calls ``reset_parameters``.
    ``load_state_dict`` of a materialised checkpoint materialises the placeholders to the
    checkpoint's shapes (the module turns into ``cls_to_become`` at its first call, as in
    PyTorch).
    """

    cls_to_become = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._initialize_hook = self.register_forward_pre_hook(_infer_parameters)

    def has_uninitialized_params(self) -> bool:
        """True while any parameter or buffer is still a placeholder."""
        tensors = list(self._parameters.values()) + list(self._buffers.values())
        return any(is_lazy(t) for t in tensors if t is not None)

    def initialize_parameters(self, *args, **kwargs) -> None:
        raise NotImplementedError(
            f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def _apply(self, fn, recurse: bool = True):
        # Module._apply puts fn(buffer) in a buffer's place; a placeholder must stay one
        # (``.double()`` before the first call changes the dtype it will materialise with).
        lazy = {k: b for k, b in self._buffers.items() if b is not None and is_lazy(b)}
        super()._apply(fn, recurse)
        for key, buf in lazy.items():
            buf._data = self._buffers[key]._data
            self._buffers[key] = buf
        return self

    def _save_to_state_dict(self, destination, prefix: str, keep_vars: bool) -> None:
        # A placeholder goes into the state dict as itself (detaching would make it a
        # plain empty tensor, which then loads as a size mismatch rather than "lazy").
        tensors = list(self._parameters.items()) + [
            (k, v) for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set]
        for name, t in tensors:
            if t is not None:
                destination[prefix + name] = t if is_lazy(t) or keep_vars else t.detach()

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        # A checkpoint fixes the shapes: materialise each placeholder to the loaded shape,
        # then copy as usual. A placeholder loaded into a placeholder has nothing to copy:
        # it is taken out of the regular load (and so not reported missing).
        state_dict = dict(state_dict)
        both_lazy = []
        for name, t in list(self._parameters.items()) + list(self._buffers.items()):
            key = prefix + name
            value = state_dict.get(key)
            if t is None or not is_lazy(t) or not isinstance(value, Tensor):
                continue
            if is_lazy(value):
                del state_dict[key]
                both_lazy.append(key)
            else:
                with grad_mode.no_grad():
                    t.materialize(value.shape)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)
        missing_keys[:] = [k for k in missing_keys if k not in both_lazy]


class LazyLinear(LazyModuleMixin, Linear):
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

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Allocate ``weight`` and ``bias`` for inputs of ``input.shape[-1]`` features."""
        if self.has_uninitialized_params():
            with grad_mode.no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:  # materialised by load_state_dict: the loaded shape
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                    f"in_features from self.weight: {self.weight.shape[-1]}")
            self.in_features = input.shape[-1]


class _LazyConvXdMixin(LazyModuleMixin):
    """``in_channels`` from ``input.size(1)`` (batched) or ``input.size(0)`` (unbatched)."""

    def _make_placeholders(self, out_channels: int, bias: bool, device, dtype) -> None:
        # The regular __init__ ran with 0 channels and no bias; swap in the placeholders.
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args, **kwargs) -> None:
        """Allocate ``weight`` and ``bias`` for ``input``'s channel count and initialise them."""
        if not self.has_uninitialized_params():
            return
        self.in_channels = self._get_in_channels(input)
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight.materialize(shape)
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()

    def _get_in_channels(self, input: Tensor) -> int:
        unbatched = self._n + 1
        if input.dim() not in (unbatched, unbatched + 1):
            raise RuntimeError(f"Expected {unbatched}D (unbatched) or {unbatched + 1}D (batched) "
                               f"input to {self.__class__.__name__}, but got input of size: "
                               f"{input.shape}")
        return input.shape[1] if input.dim() == unbatched + 1 else input.shape[0]


class _LazyConv(_LazyConvXdMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None,
                 dtype=None) -> None:
        # bias=False here: the placeholder replaces it below.
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False,
                         padding_mode, device=device, dtype=dtype)
        self._make_placeholders(out_channels, bias, device, dtype)


class _LazyConvTranspose(_LazyConvXdMixin):
    def __init__(self, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros",
                 device=None, dtype=None) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, output_padding, groups, False,
                         dilation, padding_mode, device=device, dtype=dtype)
        self._make_placeholders(out_channels, bias, device, dtype)


class LazyConv1d(_LazyConv, Conv1d):
    """A ``Conv1d`` whose ``in_channels`` is read from the first input.

    Args: as ``Conv1d`` without ``in_channels``. ``weight`` and ``bias`` are
    ``UninitializedParameter``s until the first call, which makes the module a ``Conv1d``.
    """

    cls_to_become = Conv1d


class LazyConv2d(_LazyConv, Conv2d):
    """A ``Conv2d`` whose ``in_channels`` is read from the first input (see ``LazyConv1d``).

    Example::

        >>> m = nn.LazyConv2d(8, 3)
        >>> m(numtorch.randn(1, 3, 5, 5)).shape, m
        (numtorch.Size([1, 8, 3, 3]), Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1)))
    """

    cls_to_become = Conv2d


class LazyConv3d(_LazyConv, Conv3d):
    """A ``Conv3d`` whose ``in_channels`` is read from the first input (see ``LazyConv1d``)."""

    cls_to_become = Conv3d


class LazyConvTranspose1d(_LazyConvTranspose, ConvTranspose1d):
    """A ``ConvTranspose1d`` whose ``in_channels`` is read from the first input.

    Args: as ``ConvTranspose1d`` without ``in_channels``.
    """

    cls_to_become = ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTranspose, ConvTranspose2d):
    """A ``ConvTranspose2d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTranspose, ConvTranspose3d):
    """A ``ConvTranspose3d`` whose ``in_channels`` is read from the first input."""

    cls_to_become = ConvTranspose3d


class _LazyNormBase(LazyModuleMixin):
    """``num_features`` from ``input.size(1)``; placeholders for the affine parameters and the
    running statistics (``num_batches_tracked`` is a real 0 from the start, as in PyTorch).

    Note PyTorch's defaults here: ``affine=True`` and ``track_running_stats=True`` for the
    lazy instance norms too (their regular classes default to False).
    """

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device=None, dtype=None, *,
                 bias: bool = True) -> None:
        # The regular __init__ with 0 features and nothing to allocate; placeholders follow.
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=int64)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Allocate the parameters and running statistics for ``input.shape[1]`` features.

        (For an unbatched instance-norm input that is not the channel dim: PyTorch does the
        same, and the forward then reports the mismatch.)
        """
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]
        for t in (self.weight, self.bias, self.running_mean, self.running_var):
            if t is not None:
                t.materialize((self.num_features,))
        self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, BatchNorm1d):
    """A ``BatchNorm1d`` whose ``num_features`` is read from the first input.

    Args: as ``BatchNorm1d`` without ``num_features``. ``weight``, ``bias``,
    ``running_mean`` and ``running_var`` are placeholders until the first call, which
    makes the module a ``BatchNorm1d``.
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyNormBase, BatchNorm2d):
    """A ``BatchNorm2d`` whose ``num_features`` is read from the first input."""

    cls_to_become = BatchNorm2d


class LazyBatchNorm3d(_LazyNormBase, BatchNorm3d):
    """A ``BatchNorm3d`` whose ``num_features`` is read from the first input."""

    cls_to_become = BatchNorm3d


class LazyInstanceNorm1d(_LazyNormBase, InstanceNorm1d):
    """An ``InstanceNorm1d`` whose ``num_features`` is read from the first input
    (``affine`` and ``track_running_stats`` default to True here, as in PyTorch)."""

    cls_to_become = InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormBase, InstanceNorm2d):
    """An ``InstanceNorm2d`` whose ``num_features`` is read from the first input."""

    cls_to_become = InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormBase, InstanceNorm3d):
    """An ``InstanceNorm3d`` whose ``num_features`` is read from the first input."""

    cls_to_become = InstanceNorm3d
