"""The worker-process loop of a DataLoader and get_worker_info."""

__all__: list[str] = []
