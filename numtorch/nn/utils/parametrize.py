"""register_parametrization: computed parameters (nn.utils.parametrize)."""

__all__: list[str] = []
