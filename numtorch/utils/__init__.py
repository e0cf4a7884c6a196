"""numtorch.utils: data loading (numtorch.utils.data), hook handles (numtorch.utils.hooks),
DLPack exchange with other array libraries (numtorch.utils.dlpack), activation
checkpointing (numtorch.utils.checkpoint). TensorBoard logging (numtorch.utils.tensorboard)
is imported on its own, as in PyTorch: it needs the ``tensorboard`` package."""

from . import checkpoint, data, dlpack, hooks
