"""numtorch.nn: modules, parameters, functional and init, as torch.nn lays them out."""

from . import attention, functional, init, parallel, utils
from .modules import *
from .parallel import DataParallel
from .parameter import *
