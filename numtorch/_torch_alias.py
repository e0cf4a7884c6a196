"""``numtorch run SCRIPT``: run an unmodified PyTorch program on numtorch.

An import hook answers ``import torch`` / ``import torch.nn.functional`` /
``from torchvision import datasets`` with the numtorch module of the same
path (``numtorch``, ``numtorch.nn.functional``, ``numtorch.vision.datasets``).
A PyTorch module numtorch does not have fails at the import with an error
that names it; a missing attribute (``torch.compile``) fails where it is used,
naming it the same way (see ``numtorch.__getattr__``).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import os
import runpy
import sys

# PyTorch's top-level packages and the numtorch packages that stand in for them.
ALIASES = {"torch": "numtorch", "torchvision": "numtorch.vision"}


class _AliasLoader(importlib.abc.Loader):
    """Hands back an already imported numtorch module under the PyTorch name."""

    def __init__(self, module):
        self.module = module

    def create_module(self, spec):
        return self.module

    def exec_module(self, module) -> None:
        pass  # the numtorch module ran when it was first imported


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """A meta-path finder mapping ``torch[.x.y]`` to ``numtorch[.x.y]``."""

    def find_spec(self, fullname, path=None, target=None):
        top, _, rest = fullname.partition(".")
        if top not in ALIASES:
            return None
        real = ALIASES[top] + ("." + rest if rest else "")
        try:
            module = importlib.import_module(real)
        except ModuleNotFoundError as e:
            if e.name is not None and (real == e.name or real.startswith(e.name + ".")):
                raise ModuleNotFoundError(
                    f"numtorch does not implement PyTorch's module '{fullname}' "
                    f"(looked for '{real}')", name=fullname) from None
            raise
        return importlib.util.spec_from_loader(fullname, _AliasLoader(module))


def install() -> TorchAliasFinder:
    """Resolve ``torch``/``torchvision`` imports to numtorch from now on, in this process."""
    for finder in sys.meta_path:
        if isinstance(finder, TorchAliasFinder):
            return finder
    for name in list(sys.modules):  # a real torch imported earlier must not shadow numtorch
        if name.partition(".")[0] in ALIASES:
            del sys.modules[name]
    finder = TorchAliasFinder()
    sys.meta_path.insert(0, finder)
    return finder


def run_script(script: str, args: list[str]) -> int:
    """Run ``script`` as ``__main__`` with ``sys.argv = [script, *args]`` on numtorch."""
    if not os.path.isfile(script):
        print(f"numtorch run: error: no such file: {script}", file=sys.stderr)
        return 2
    install()
    sys.argv = [script, *args]
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    runpy.run_path(script, run_name="__main__")
    return 0
