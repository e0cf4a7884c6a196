"""numtorch.optim: optimisers and learning-rate schedulers, as torch.optim lays them out."""

from . import lr_scheduler, swa_utils
from ._adafactor import Adafactor
from ._muon import Muon
from .adadelta import *
from .adagrad import *
from .adam import *
from .adamax import *
from .adamw import *
from .asgd import *
from .lbfgs import *
from .nadam import *
from .optimizer import *
from .radam import *
from .rmsprop import *
from .rprop import *
from .sgd import *
from .sparse_adam import *

Adafactor.__module__ = "numtorch.optim"  # as torch.optim shows them
Muon.__module__ = "numtorch.optim"
