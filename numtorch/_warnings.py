"""Warnings attributed to the user's line, as PyTorch's are.

A warning raised deep inside numtorch (an op called through ``numtorch.sum``'s argument
check, a loss called by a module's ``forward``) should name the line of the user's program
that led to it, whatever the depth of numtorch's own calls: ``warn`` walks up the stack to
the first frame outside the ``numtorch`` package (and outside the standard library's
pickling, which calls back into numtorch) and hands ``warnings.warn`` that depth.
"""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep
# The standard library's pickling frames between numtorch and the user (numtorch.save and
# pickle.dumps call back into numtorch): skipped too.
_PICKLING = (os.sep + "pickle.py", os.sep + "copyreg.py")


def warn(message, category=UserWarning) -> None:
    """``warnings.warn(message, category)``, shown at the first caller outside numtorch."""
    frame = sys._getframe(1)  # the numtorch function warning: stack level 2
    level = 2
    while frame is not None and (frame.f_code.co_filename.startswith(_PACKAGE)
                                 or frame.f_code.co_filename.endswith(_PICKLING)):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
