"""``nn.DataParallel``: PyTorch's wrapper that splits each batch over several GPUs.

With no GPU, PyTorch's DataParallel holds the module and calls it unchanged, and that is
what numtorch does (it runs on the CPU). Scripts written for several GPUs therefore run
as they are, and their checkpoints keep the wrapper's ``module.`` prefix in the state
dict keys, so they load into PyTorch's DataParallel (or, prefix removed, into the bare
module) and back.
"""

from __future__ import annotations

from ..modules.module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """Wrap ``module``; ``forward`` calls it with the same arguments.

    ``device_ids``, ``output_device`` and ``dim`` are accepted as PyTorch accepts them and,
    with no GPU to split over, not used: ``device_ids`` is ``[]``, as in PyTorch on a
    machine without one.
    """

    def __init__(self, module: Module, device_ids=None, output_device=None, dim: int = 0):
        super().__init__()
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)
