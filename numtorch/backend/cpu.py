"""The cpu backend is NumPy itself; this module exists so the layout names it."""

import numpy as xp  # noqa: F401
