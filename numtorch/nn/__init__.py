"""numtorch.nn: modules, parameters, functional and init, as torch.nn lays them out."""

from . import functional, init, utils
from .modules import *
from .parameter import *
