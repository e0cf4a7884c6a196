"""default_collate and default_convert."""

__all__: list[str] = []
