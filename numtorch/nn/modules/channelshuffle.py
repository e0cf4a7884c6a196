"""PyTorch's module path for ``ChannelShuffle``, ``torch.nn.modules.channelshuffle``
(numtorch defines it beside PixelShuffle, in pixelshuffle.py): whole-model pickles and
``safe_globals`` lists written by PyTorch name it here."""

from .pixelshuffle import ChannelShuffle

__all__: list[str] = []  # exported from pixelshuffle.py

_AT_PYTORCHS_PATH = (ChannelShuffle,)
