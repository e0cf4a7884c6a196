"""nn.utils: gradient clipping, parameter vectors, weight and spectral normalisation,
pruning."""

from . import parametrizations, parametrize, prune, rnn
from .clip_grad import *
from .convert_parameters import *
from .spectral_norm import *
from .weight_norm import *
