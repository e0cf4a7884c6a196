"""Identity, Linear, Bilinear, LazyLinear."""

__all__: list[str] = []
