"""Loss kernels: forward beside backward; cross_entropy is one fused kernel."""

__all__: list[str] = []
