"""LayerNorm and RMSNorm."""

__all__: list[str] = []
