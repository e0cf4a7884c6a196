"""Pretrained weights: the ``Weights`` record, the ``WeightsEnum`` each model family
subclasses (``VGG16_Weights.IMAGENET1K_V1``), the download cache shared with PyTorch
(``numtorch.hub``),
the ``pretrained=`` compatibility shim, and the model registry (``list_models``,
``get_model``).

A checkpoint goes where ``torch.hub`` puts it — ``$TORCH_HOME/hub/checkpoints`` (by
default ``~/.cache/torch/hub/checkpoints``) under the URL's file name — so a file
torchvision downloaded earlier is reused, and a file copied there by hand on an offline
machine is found.
"""

from __future__ import annotations

import fnmatch
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any, get_args

from numtorch import _warnings
from numtorch.hub import get_dir, load_state_dict_from_url

from ..transforms import functional as TF

__all__ = ["Weights", "WeightsEnum", "get_model", "get_model_builder", "get_model_weights",
           "get_weight", "list_models"]


# ---------------------------------------------------------------- the download cache

_URL = "https://download.pytorch.org/models/"  # where torchvision's checkpoints live


def _checkpoint_dir() -> str:
    return os.path.join(get_dir(), "checkpoints")


# ---------------------------------------------------------------- the weights records

class ImageClassification:
    """The preprocessing pretrained classifiers expect: resize, centre crop, scale to
    [0, 1] floats and normalise with the ImageNet mean and std (torchvision's preset).

    Takes a PIL image or a ``(..., C, H, W)`` tensor; returns a float tensor.
    """

    def __init__(self, *, crop_size: int, resize_size: int = 256,
                 mean: tuple[float, ...] = (0.485, 0.456, 0.406),
                 std: tuple[float, ...] = (0.229, 0.224, 0.225),
                 interpolation=TF.InterpolationMode.BILINEAR, antialias: bool | None = True):
        self.crop_size = [crop_size]
        self.resize_size = [resize_size]
        self.mean = list(mean)
        self.std = list(std)
        self.interpolation = interpolation
        self.antialias = antialias

    def __call__(self, img):
        img = TF.resize(img, self.resize_size, interpolation=self.interpolation,
                        antialias=self.antialias)
        img = TF.center_crop(img, self.crop_size)
        if TF._is_pil_image(img):
            img = TF.pil_to_tensor(img)
        img = TF.convert_image_dtype(img)
        return TF.normalize(img, mean=self.mean, std=self.std)

    def __repr__(self) -> str:
        lines = [f"crop_size={self.crop_size}", f"resize_size={self.resize_size}",
                 f"mean={self.mean}", f"std={self.std}", f"interpolation={self.interpolation}"]
        return self.__class__.__name__ + "(\n" + "".join(f"    {s}\n" for s in lines) + ")"


@dataclass
class Weights:
    """One set of pretrained weights: where to get them (``url``), the preprocessing they
    were trained with (``transforms``, a constructor) and facts about them (``meta``:
    ``num_params``, ``categories``, ``min_size``, accuracies ...)."""

    url: str
    transforms: Callable
    meta: dict[str, Any]

    def __eq__(self, other: Any) -> bool:
        # partial objects compare by identity; compare what they would build instead, so
        # a copied or unpickled member still equals the one it came from.
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        a, b = self.transforms, other.transforms
        if isinstance(a, partial) and isinstance(b, partial):
            return (a.func, a.args, a.keywords) == (b.func, b.args, b.keywords)
        return a == b


class WeightsEnum(Enum):
    """Base of the per-model weights enums (``VGG16_Weights``); each member's value is a
    ``Weights``, and ``DEFAULT`` is an alias of the recommended member."""

    @classmethod
    def verify(cls, obj: Any) -> Any:
        """``None``, a member, or a member's name (``'IMAGENET1K_V1'``, ``'DEFAULT'``,
        ``'VGG16_Weights.IMAGENET1K_V1'``) -> ``None`` or the member."""
        if obj is None:
            return None
        if type(obj) is str:
            return cls[obj.replace(cls.__name__ + ".", "")]
        if not isinstance(obj, cls):
            raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but "
                            f"received {obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        """The state dict, from the cache or downloaded (see ``load_state_dict_from_url``)."""
        kwargs.setdefault("weights_only", True)  # a checkpoint holds tensors only
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self) -> str:
        return self.value.url

    @property
    def transforms(self) -> Callable:
        return self.value.transforms

    @property
    def meta(self) -> dict[str, Any]:
        return self.value.meta


# ---------------------------------------------------------------- builder helpers

def _require_model_arg(kwargs: dict[str, Any], param: str, new_value: Any) -> None:
    """Set ``kwargs[param]`` to what the weights need, refusing a conflicting user value."""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got "
                             f"{kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _accept_pretrained_flag(**weights: tuple[str, Any]):
    """Let a builder ``f(*, weights=None, progress=True, ...)`` take the old ``pretrained=``
    (and positional arguments), with torchvision's deprecation warnings.

    ``weights={"weights": ("pretrained", DEFAULT_MEMBER)}``: ``pretrained=True`` means
    that member, ``pretrained=False`` means ``weights=None``.
    """

    def decorate(builder):
        names = [p for p, v in inspect.signature(builder).parameters.items()
                 if v.kind is v.KEYWORD_ONLY]

        @functools.wraps(builder)
        def wrapper(*args: Any, **kwargs: Any):
            if args:
                passed = names[:len(args)]
                quoted = [f"'{n}'" for n in passed]  # 'a', 'a' and 'b', 'a', 'b', and 'c'
                shown = quoted[0] if len(quoted) == 1 else (
                    ", ".join(quoted[:-1]) + ("," if len(quoted) > 2 else "") + " and "
                    + quoted[-1])
                _warnings.warn(f"Using {shown} as positional parameter(s) is deprecated since "
                               f"0.13 and may be removed in the future. Please use keyword "
                               f"parameter(s) instead.")
                kwargs.update(zip(passed, args))
            for weights_param, (pretrained_param, default) in weights.items():
                sentinel = object()
                weights_arg = kwargs.get(weights_param, sentinel)
                if ((weights_param not in kwargs and pretrained_param not in kwargs)
                        or isinstance(weights_arg, WeightsEnum)
                        or (isinstance(weights_arg, str) and weights_arg != "legacy")
                        or weights_arg is None):
                    continue
                # a positional pretrained flag landed in ``weights``
                positional = weights_arg is not sentinel
                if positional:
                    kwargs[pretrained_param] = pretrained_arg = kwargs.pop(weights_param)
                else:
                    pretrained_arg = kwargs[pretrained_param]
                new_arg = None
                if pretrained_arg:
                    new_arg = default(kwargs) if callable(default) else default
                    if not isinstance(new_arg, WeightsEnum):
                        raise ValueError(f"No weights available for model {builder.__name__}")
                if not positional:
                    _warnings.warn(f"The parameter '{pretrained_param}' is deprecated since 0.13 "
                                   f"and may be removed in the future, please use "
                                   f"'{weights_param}' instead.")
                msg = (f"Arguments other than a weight enum or `None` for '{weights_param}' are "
                       f"deprecated since 0.13 and may be removed in the future. The current "
                       f"behavior is equivalent to passing `{weights_param}={new_arg}`.")
                if pretrained_arg:
                    msg += (f" You can also use `{weights_param}={type(new_arg).__name__}.DEFAULT`"
                            f" to get the most up-to-date weights.")
                _warnings.warn(msg)
                del kwargs[pretrained_param]
                kwargs[weights_param] = new_arg
            return builder(**kwargs)

        return wrapper

    return decorate


def _make_builder(name: str, weights_enum: type[WeightsEnum], build: Callable, returns: type,
                  doc: str) -> Callable:
    """A registered builder ``name(*, weights=None, progress=True, **kwargs)`` for one
    member of a model family: it checks ``weights`` against ``weights_enum``, accepts the
    old ``pretrained=`` flag (meaning ``IMAGENET1K_V1``) and returns
    ``build(weights, progress, **kwargs)``. Name, module, docstring and annotations are
    those a hand-written ``def`` in ``returns``'s module would have, so ``help()``,
    ``inspect.signature`` and ``get_model_weights`` see no difference."""

    def builder(*, weights=None, progress=True, **kwargs):
        return build(weights_enum.verify(weights), progress, **kwargs)

    builder.__name__ = builder.__qualname__ = name
    builder.__module__ = returns.__module__
    builder.__doc__ = doc
    builder.__annotations__ = {"weights": weights_enum | None, "progress": bool, "kwargs": Any,
                               "return": returns}
    builder = _accept_pretrained_flag(weights=("pretrained", weights_enum.IMAGENET1K_V1))(builder)
    return register_model()(builder)


# ---------------------------------------------------------------- the model registry

BUILTIN_MODELS: dict[str, Callable] = {}


def register_model(name: str | None = None):
    """Decorator adding a builder to the registry ``list_models``/``get_model`` read."""

    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn

    return wrapper


def list_models(module=None, include: Iterable[str] | str | None = None,
                exclude: Iterable[str] | str | None = None) -> list[str]:
    """Sorted names of the registered models, optionally only those of ``module`` and
    filtered by shell-style ``include`` / ``exclude`` patterns."""
    names = {k for k, fn in BUILTIN_MODELS.items()
             if module is None or fn.__module__.rsplit(".", 1)[0] == module.__name__}
    if include:
        include = [include] if isinstance(include, str) else include
        names = set().union(*(fnmatch.filter(names, p) for p in include))
    if exclude:
        exclude = [exclude] if isinstance(exclude, str) else exclude
        for pattern in exclude:
            names -= set(fnmatch.filter(names, pattern))
    return sorted(names)


def get_model_builder(name: str) -> Callable:
    """The builder registered under ``name`` (case-insensitive)."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name: str, **config: Any):
    """``get_model('vgg16', weights=None)`` is ``vgg16(weights=None)``."""
    return get_model_builder(name)(**config)


def get_model_weights(name: Callable | str) -> type[WeightsEnum]:
    """The weights enum of a builder (or of the model registered under ``name``)."""
    fn = get_model_builder(name) if isinstance(name, str) else name
    fn = inspect.unwrap(fn)
    params = inspect.signature(fn).parameters
    if "weights" not in params:
        raise ValueError("The method is missing the 'weights' argument.")
    ann = params["weights"].annotation
    if isinstance(ann, str):  # postponed annotations: resolve in the builder's module
        ann = eval(ann, fn.__globals__)  # noqa: S307 - our own annotation text
    for t in (ann, *get_args(ann)):
        if isinstance(t, type) and issubclass(t, WeightsEnum):
            return t
    raise ValueError("The WeightsEnum class for the specific method couldn't be retrieved. "
                     "Make sure the typing info is correct.")


def get_weight(name: str) -> WeightsEnum:
    """The member named ``'Enum.MEMBER'``, e.g. ``get_weight('VGG16_Weights.DEFAULT')``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    models = sys.modules[__name__.rsplit(".", 1)[0]]
    enum = getattr(models, enum_name, None)
    if not (isinstance(enum, type) and issubclass(enum, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be "
                         f"retrieved.")
    return enum[value_name]
