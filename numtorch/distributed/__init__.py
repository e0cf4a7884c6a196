"""torch.distributed as a PyTorch build without it (``USE_DISTRIBUTED=0``) presents it.

numtorch has no process groups yet, so ``is_available()`` is False and nothing else is
defined, as in such a build: programs that import ``torch.distributed`` at the top and
only use it when asked to train on several processes (the ImageNet example) run, and a
call into it fails at once with an AttributeError naming the missing function.
``utils.data.DistributedSampler`` works given ``num_replicas`` and ``rank``.
"""

__all__ = ["is_available"]


def is_available() -> bool:
    """False: this numtorch has no distributed backend."""
    return False
