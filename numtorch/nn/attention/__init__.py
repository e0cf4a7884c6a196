"""``torch.nn.attention``: choosing the kernel behind ``F.scaled_dot_product_attention``.

PyTorch has several kernels for the same attention computation (math, flash, memory
efficient, cuDNN); ``sdpa_kernel`` restricts a block of code to some of them. numtorch
computes with the math kernel. The switches are still kept, so that a program written
for them runs unchanged: with math switched off, numtorch refuses what PyTorch's CPU
build refuses (no fused kernel but flash exists on a CPU, and flash takes only some
inputs), with the same warnings and errors (``ops/attention.py``, ``_check_backends``).
"""

from __future__ import annotations

import contextlib
import enum

from ...ops import attention as _attention

__all__ = ["SDPBackend", "WARN_FOR_UNFUSED_KERNELS", "sdpa_kernel"]

# PyTorch's flag for warning when a fused kernel is passed over; numtorch never warns.
WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.Enum):
    """The scaled-dot-product-attention kernels, numbered as PyTorch numbers them."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


# Each backend's switch in ops.attention.SDP_ENABLED (ERROR has none: it is never enabled).
_SWITCH = {SDPBackend.MATH: "math", SDPBackend.FLASH_ATTENTION: "flash",
           SDPBackend.EFFICIENT_ATTENTION: "mem_efficient",
           SDPBackend.CUDNN_ATTENTION: "cudnn", SDPBackend.OVERRIDEABLE: "overrideable"}
# The order PyTorch lists the enabled backends in, and its default priority order.
_LISTING = (SDPBackend.CUDNN_ATTENTION, SDPBackend.FLASH_ATTENTION,
            SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH, SDPBackend.OVERRIDEABLE)
_DEFAULT_PRIORITY = (SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION,
                     SDPBackend.MATH, SDPBackend.CUDNN_ATTENTION, SDPBackend.OVERRIDEABLE)
_priority = list(_DEFAULT_PRIORITY)


def _cur_sdpa_kernel_backends(with_priority: bool = False) -> list:
    """The backends now enabled (in PyTorch's listing order, or by priority)."""
    order = _priority if with_priority else _LISTING
    return [b for b in order if _attention.SDP_ENABLED[_SWITCH[b]]]


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """Within the block, ``scaled_dot_product_attention`` may use only ``backends`` (one
    ``SDPBackend`` or a list of them); with ``set_priority``, their order is also the
    order they are tried in. The previous switches and priority come back on exit.

    Example::

        >>> with sdpa_kernel(SDPBackend.MATH):
        ...     out = F.scaled_dot_product_attention(q, k, v)
    """
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError("Backend must be an instance of SDPBackend or a list of "
                             f"SDPBackend instances, got {type(backends).__name__}")
    chosen = [backends] if isinstance(backends, SDPBackend) else list(backends)
    saved = dict(_attention.SDP_ENABLED), list(_priority)
    for backend, switch in _SWITCH.items():
        _attention.SDP_ENABLED[switch] = backend in chosen
    if set_priority:
        picked = [b for b in chosen if b in _SWITCH]
        _priority[:] = picked + [b for b in _DEFAULT_PRIORITY if b not in picked]
    try:
        yield {}
    finally:
        _attention.SDP_ENABLED.update(saved[0])
        _priority[:] = saved[1]
