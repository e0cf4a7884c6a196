"""The layers. One family a file; each file's ``__all__`` is re-exported here."""

from .activation import *
from .adaptive import *
from .batchnorm import *
from .container import *
from .conv import *
from .distance import *
from .dropout import *
from .embedding_bag import *
from .extra_losses import *
from .flatten import *
from .fold import *
from .fractional_pool import *
from .lazy import *
from .linear import *
from .loss import *
from .lrn import *
from .module import *
from .normalization import *
from .padding import *
from .pixelshuffle import *
from .pooling import *
from .rnn import *
from .sparse import *
from .transformer import *
from .upsampling import *
