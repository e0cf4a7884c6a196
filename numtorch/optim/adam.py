"""The adam optimiser."""

__all__: list[str] = []
