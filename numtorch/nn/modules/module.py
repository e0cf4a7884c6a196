"""Module: the base class every layer derives from (PyTorch's torch.nn.Module)."""

__all__: list[str] = []
