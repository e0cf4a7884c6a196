"""Parameter: a Tensor that a Module registers as a learnable weight."""

__all__: list[str] = []
