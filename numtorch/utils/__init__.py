"""numtorch.utils: data loading (numtorch.utils.data) and hook handles (numtorch.utils.hooks)."""

from . import data, hooks
