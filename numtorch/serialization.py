"""save and load in PyTorch's checkpoint zip format."""

__all__: list[str] = []
