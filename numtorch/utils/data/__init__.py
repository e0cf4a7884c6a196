"""numtorch.utils.data: datasets, samplers, collation and the DataLoader."""

from ._collate import *
from ._worker import *
from .dataloader import *
from .dataset import *
from .distributed import *
from .sampler import *
