"""Hook handles: what ``register_*_hook`` returns, so a hook can be taken out again."""

from __future__ import annotations

import weakref
from collections import OrderedDict

from .. import _warnings

__all__ = ["RemovableHandle", "unserializable_hook", "warn_if_has_hooks"]


def unserializable_hook(f):
    """Mark a tensor hook as one not meant to be saved with its tensor (saving the tensor
    then does not warn about it)."""
    f.__torch_unserializable__ = True
    return f


def warn_if_has_hooks(tensor) -> None:
    """Warn about each gradient hook of ``tensor`` that saving it would drop (hooks are
    never saved), unless marked with ``unserializable_hook``."""
    for hook in _gradient_hooks(tensor):
        if not hasattr(hook, "__torch_unserializable__"):
            _warnings.warn(f"backward hook {hook!r} on tensor will not be serialized.  If this "
                           "is expected, you can decorate the function with "
                           "@numtorch.utils.hooks.unserializable_hook to suppress this warning")


def _gradient_hooks(tensor) -> list:
    """The hooks ``tensor.register_hook`` put on ``tensor``: a leaf keeps them itself, a
    non-leaf on its ``grad_fn``, for its output (``retain_grad``'s own hook aside)."""
    if tensor.grad_fn is None:
        return list(tensor._hooks or ())
    from .._tensor import _RetainGrad

    return [fn for nr, fn in (tensor.grad_fn._pre_hooks or ())
            if nr == tensor._output_nr and not isinstance(fn, _RetainGrad)]


class RemovableHandle:
    """A handle to a hook stored in a dict under ``handle.id``; ``remove()`` deletes it.

    ``extra_dict`` names more dicts (or a list of them) whose ``handle.id`` entry
    goes too (a module keeps per-hook flags such as ``with_kwargs`` that way).
    Usable as a context manager: the hook is removed on exit.
    """

    next_id: int = 0

    def __init__(self, hooks_dict, *, extra_dict=None) -> None:
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in (extra_dict or ()))

    def remove(self) -> None:
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __getstate__(self):
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state) -> None:
        hooks = state[0] if state[0] is not None else OrderedDict()
        self.hooks_dict_ref = weakref.ref(hooks)
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        extra = state[2] if len(state) > 2 and state[2] is not None else ()
        self.extra_dict_ref = tuple(weakref.ref(d) for d in extra if d is not None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()
