"""``nn.utils.stateless.functional_call``: the name ``func.functional_call`` had before
PyTorch 2.0, kept with PyTorch's deprecation warning."""

from __future__ import annotations

from ... import _warnings

__all__ = ["functional_call"]


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *,
                    tie_weights: bool = True, strict: bool = False):
    """``numtorch.func.functional_call`` (see there), under its old name."""
    from ...func import functional_call as _functional_call

    _warnings.warn("`numtorch.nn.utils.stateless.functional_call` is deprecated as of PyTorch "
                   "2.0 and will be removed in a future version of PyTorch. Please use "
                   "`numtorch.func.functional_call` instead which is a drop-in replacement.",
                   FutureWarning)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
