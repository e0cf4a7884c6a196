"""linear and bilinear: the affine maps behind nn.Linear and nn.Bilinear."""

__all__: list[str] = []
