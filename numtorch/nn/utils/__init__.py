"""nn.utils: gradient clipping, parameter vectors, weight and spectral normalisation,
pruning, folding BatchNorm into the layer before it."""

from . import parametrizations, parametrize, prune, rnn, stateless
from .clip_grad import *
from .convert_parameters import *
from .fusion import *
from .init import *
from .spectral_norm import *
from .weight_norm import *
