"""Activation modules: each a thin shell around its nn.functional kernel."""

__all__: list[str] = []
