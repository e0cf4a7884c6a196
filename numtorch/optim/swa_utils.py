"""Weight averaging, as ``torch.optim.swa_utils``: SWA, EMA, and what goes with them.

- ``AveragedModel(model)`` keeps a copy of ``model`` whose parameters are a running
  average of the ones ``update_parameters(model)`` sees: the plain mean (Stochastic
  Weight Averaging) by default, or any rule given as ``avg_fn`` (one tensor at a time)
  or ``multi_avg_fn`` (lists of tensors, in place), such as the exponential moving
  average of ``get_ema_multi_avg_fn``. ``n_averaged`` (a buffer, so it is saved in the
  state dict) counts the updates.
- ``update_bn(loader, model)`` recomputes BatchNorm's running statistics with one pass
  over the data, since averaged weights make the old statistics stale.
- ``SWALR`` anneals each group's lr to a constant ``swa_lr``, for the averaging phase.
"""

from __future__ import annotations

import itertools
import math
from copy import deepcopy

from .. import nn
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops.creation import tensor
from .lr_scheduler import LRScheduler, _per_group

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn",
           "get_swa_multi_avg_fn", "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in "
                         "[0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place EMA over lists of tensors: ``ema = decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param_list, current_param_list, _):
        if ema_param_list[0].is_floating_point():
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.lerp_(p_model, 1 - decay)
        else:  # integer buffers: computed in floating point, truncated on the way back
            for p_ema, p_model in zip(ema_param_list, current_param_list, strict=True):
                p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """An in-place running mean over lists of tensors:
    ``avg += (current - avg) / (num_averaged + 1)``."""

    @no_grad()
    def swa_update(averaged_param_list, current_param_list, num_averaged):
        if averaged_param_list[0].is_floating_point():
            weight = 1 / (num_averaged + 1)
            if isinstance(weight, Tensor):
                weight = weight.item()
            for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
                p_avg.lerp_(p_model, weight)
            return
        for p_avg, p_model in zip(averaged_param_list, current_param_list, strict=True):
            diff = p_model - p_avg
            if isinstance(num_averaged, Tensor):
                p_avg.addcdiv_(diff, num_averaged + 1)
            else:
                p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """EMA of one tensor: returns ``decay * ema + (1 - decay) * current``."""
    _check_decay(decay)

    @no_grad()
    def ema_update(ema_param, current_param, num_averaged):
        return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """Running mean of one tensor: returns ``avg + (current - avg) / (num_averaged + 1)``."""

    @no_grad()
    def swa_update(averaged_param, current_param, num_averaged):
        return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(nn.Module):
    """A copy of ``model`` whose parameters average those of ``model`` over time.

    Args:
        model (Module): the model to average (deep-copied).
        device (device, optional): where to keep the copy.
        avg_fn (callable, optional): ``avg_fn(averaged, current, num_averaged)`` returns
            the new average of one tensor.
        multi_avg_fn (callable, optional): ``multi_avg_fn(averaged_list, current_list,
            num_averaged)`` updates lists of tensors (one device and dtype each) in place.
            With neither, the plain running mean (SWA).
        use_buffers (bool): average the buffers too (else they are copied from
            ``model``). Default: False.

    The first ``update_parameters`` copies ``model``'s values; later ones average.
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None,
                 use_buffers=False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", tensor(0, dtype=_long(), device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model) -> None:
        """Fold ``model``'s current parameters (and buffers, with ``use_buffers``) in."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        averaged, current = [], []
        first = bool(self.n_averaged == 0)
        for p_avg, p_model in zip(mine, theirs):
            p_model = p_model.detach().to(p_avg.device)
            averaged.append(p_avg.detach())
            current.append(p_model)
            if first:
                p_avg.detach().copy_(p_model)
        if self.n_averaged > 0:
            if self.multi_avg_fn is not None or self.avg_fn is None:
                # One call per (device, dtype) group, as PyTorch groups them for its
                # foreach kernels; on the CPU its default is the one-tensor running mean.
                groups: dict = {}
                for p_avg, p_model in zip(averaged, current):
                    pair = groups.setdefault((p_avg.device, p_avg.dtype), ([], []))
                    pair[0].append(p_avg)
                    pair[1].append(p_model)
                for (device, _), (avgs, models) in groups.items():
                    n = self.n_averaged.to(device)
                    if self.multi_avg_fn is not None:
                        self.multi_avg_fn(avgs, models, n)
                    else:
                        avg_fn = get_swa_avg_fn()
                        for p_avg, p_model in zip(avgs, models, strict=True):
                            p_avg.copy_(avg_fn(p_avg, p_model, n))
            else:
                for p_avg, p_model in zip(averaged, current, strict=True):
                    n = self.n_averaged.to(p_avg.device)
                    p_avg.detach().copy_(self.avg_fn(p_avg.detach(), p_model, n))
        if not self.use_buffers:
            # Buffers are not averaged: the copy keeps the model's latest ones.
            for b_avg, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                b_avg.detach().copy_(b_model.detach().to(b_avg.device))
        self.n_averaged += 1


def _long():
    from .. import int64

    return int64


@no_grad()
def update_bn(loader, model, device=None) -> None:
    """Recompute the running mean and variance of every BatchNorm in ``model`` from one
    pass over ``loader`` (each batch a tensor, or a list/tuple whose first item is the
    input). The statistics become the plain average over the batches (momentum None);
    each layer's momentum and the model's train/eval mode are restored afterwards.
    """
    momenta = {}
    for module in model.modules():
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    for input in loader:
        if isinstance(input, (list, tuple)):
            input = input[0]
        if device is not None:
            input = input.to(device)
        model(input)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneal every group's lr from its current value to ``swa_lr`` over
    ``anneal_epochs`` steps, then hold it there.

    Args:
        optimizer (Optimizer): wrapped optimiser.
        swa_lr (float or list): the final lr, for all groups or one per group.
        anneal_epochs (int): steps of the annealing phase (0: jump at once). Default: 10.
        anneal_strategy (str): ``"cos"`` or ``"linear"``. Default: ``"cos"``.
        last_epoch (int): index of the last epoch. Default: -1.

    Each step moves the lr a fraction ``alpha(t)`` of the way to ``swa_lr`` from the
    lr the schedule started at, with ``t = step / anneal_epochs`` and ``alpha`` the
    cosine ``(1 - cos(pi t)) / 2`` or ``t``. Like the chainable schedulers it reads the
    group's current lr, so it first recovers that starting lr from the current one.
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos",
                 last_epoch=-1) -> None:
        swa_lrs = _per_group("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups, strict=True):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', instead got "
                             f"{anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got "
                             f"{anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        # Invert lr = swa_lr * alpha + initial * (1 - alpha) for initial.
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else \
            self._linear_anneal

    def get_lr(self):
        """The next lr of every group: the starting lr recovered from the previous step's
        alpha, then moved to this step's alpha."""
        self._warn_if_called_outside_step()
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                    for group in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, prev_lrs, strict=True)]

    def state_dict(self):
        """Every attribute except the optimiser and the anneal function (a method,
        rebuilt from ``_anneal_strategy`` on load)."""
        return {key: value for key, value in self.__dict__.items()
                if key not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
