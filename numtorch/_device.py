"""Device objects: ``numtorch.device('cpu')``.

A device names where a tensor's array lives: ``cpu`` (a NumPy array) or
``cuda`` (a CuPy array). Building a ``device('cuda')`` object is fine, as in
PyTorch; putting a tensor there needs CuPy and a GPU, and
``numtorch.backend.xp_for`` raises a clear error when they are missing.
"""

from __future__ import annotations

# Every device type PyTorch's parser knows, in the order its error lists them. A device of
# any of them can be named; numtorch keeps tensors on "cpu" (and on "cuda" with CuPy).
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
          "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
          "privateuseone")


_mkldnn_warned = False


def _warn_mkldnn() -> None:
    """PyTorch's deprecation of the 'mkldnn' device type, once a process as PyTorch's."""
    global _mkldnn_warned
    if not _mkldnn_warned:
        _mkldnn_warned = True
        from . import _warnings

        _warnings.warn("'mkldnn' is no longer used as device type. So "
                       "numtorch.device('mkldnn') will be deprecated and removed in the "
                       "future. Please use other valid device types instead.")


class device:
    """Where a tensor's data lives: ``device('cpu')``, ``device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):  # noqa: A002 - PyTorch's name
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string or int, got {type!r}")
        if ":" in type:
            type, _, idx = type.partition(":")
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index was "
                                   f"passed explicitly: {type}:{idx}")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in _TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}"
            )
        if type == "mkldnn":
            _warn_mkldnn()
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative, got {index}")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def to_device(d) -> device:
    """Accept ``None``, a string, an int or a device; return a device (None means cpu)."""
    if d is None:
        return CPU
    if isinstance(d, device):
        return d
    return device(d)
