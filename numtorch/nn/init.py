"""nn.init: in-place initialisers drawing from numtorch's generator in PyTorch's order."""

__all__: list[str] = []
