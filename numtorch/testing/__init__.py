"""numtorch.testing: PyTorch's ``torch.testing`` helpers.

``assert_close`` compares tensors, NumPy arrays, numbers and nested containers of them
with PyTorch's tolerances and failure messages; ``make_tensor`` builds a random tensor
of a given shape and dtype, drawing the same values as PyTorch after the same seed.
"""

from ._comparison import assert_allclose, assert_close
from ._creation import make_tensor

__all__ = ["assert_allclose", "assert_close", "make_tensor"]
