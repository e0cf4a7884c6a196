"""``nn.parallel``: laid out as PyTorch's package, so pickles naming
``torch.nn.parallel.data_parallel.DataParallel`` find the class."""

from .data_parallel import *
