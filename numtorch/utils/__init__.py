"""numtorch.utils: data loading (numtorch.utils.data), hook handles (numtorch.utils.hooks),
DLPack exchange with other array libraries (numtorch.utils.dlpack), activation
checkpointing (numtorch.utils.checkpoint)."""

from . import checkpoint, data, dlpack, hooks
