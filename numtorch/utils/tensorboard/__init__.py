"""numtorch.utils.tensorboard: PyTorch's ``SummaryWriter``, logging to TensorBoard.

Needs the ``tensorboard`` package (``pip install numtorch[tensorboard]``); numtorch
imports it only here. The event files are the ones PyTorch writes for the same calls,
so ``tensorboard --logdir runs`` shows them the same way. ``add_graph`` differs (numtorch
has no TorchScript tracer): see ``numtorch/utils/tensorboard/_graph.py``.
"""

import tensorboard

if tuple(int(p) for p in tensorboard.__version__.split(".")[:2] if p.isdigit()) < (1, 15):
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above")

del tensorboard

from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: E402

from .writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ["FileWriter", "RecordWriter", "SummaryWriter"]
