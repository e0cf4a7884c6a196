"""Warnings attributed to the user's line, as PyTorch's are.

A warning raised deep inside numtorch (an op called through ``numtorch.sum``'s argument
check, a loss called by a module's ``forward``) should name the line of the user's program
that led to it, whatever the depth of numtorch's own calls: ``warn`` walks up the stack to
the first frame outside the ``numtorch`` package and hands ``warnings.warn`` that depth.
"""

from __future__ import annotations

import os
import sys
import warnings

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn(message, category=UserWarning) -> None:
    """``warnings.warn(message, category)``, shown at the first caller outside numtorch."""
    frame = sys._getframe(1)  # the numtorch function warning: stack level 2
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
