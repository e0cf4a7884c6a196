"""AdaptiveLogSoftmaxWithLoss: a softmax over many classes, cheap for the frequent ones.

The classes, sorted by frequency, are cut into a *shortlist* ``[0, cutoffs[0])`` and
clusters ``[cutoffs[i], cutoffs[i + 1])``. The head scores the shortlist's classes and one
entry per cluster; each cluster has its own small two-layer tail (a projection to
``in_features / div_value ** (i + 1)`` features, then the cluster's classes). The log
probability of a class in cluster ``i`` is

    log p(cluster i | x) + log p(class | cluster i, x)

(head log-softmax, plus the tail's log-softmax), so a batch row only runs the tail of
the cluster its target lies in.
"""

from __future__ import annotations

from collections import namedtuple

from ..._tensor import Tensor
from ...ops.reduce import argmax
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])
_ASMoutput.__module__ = "numtorch.nn.modules.adaptive"


class AdaptiveLogSoftmaxWithLoss(Module):
    """Efficient softmax approximation (Grave et al., 2016) as PyTorch's layer.

    Args:
        in_features: features of each input row.
        n_classes: number of classes.
        cutoffs: increasing class indices where the clusters start, each in
            ``[1, n_classes - 1]``.
        div_value: each cluster's projection is this much narrower than the previous
            one's. Default: 4.0.
        head_bias: give the head a bias. Default: False.

    ``forward(input, target)`` returns ``(output, loss)``: each row's log probability of its
    target, and their negated mean (one row: ``input`` 1-D and ``target`` 0-D). For a batch
    ``(N, in_features)``, ``log_prob`` gives every class's log probability and ``predict``
    the most likely class.
    """

    def __init__(self, in_features: int, n_classes: int, cutoffs, div_value: float = 4.0,
                 head_bias: bool = False, device=None, dtype=None) -> None:
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted "
                             "in an increasing order, where each value is between 1 and "
                             "n_classes-1")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(in_features, self.head_size, bias=head_bias, dtype=dtype)
        self.tail = ModuleList(
            Sequential(Linear(in_features, int(in_features // div_value ** (i + 1)), bias=False,
                              dtype=dtype),
                       Linear(int(in_features // div_value ** (i + 1)),
                              self.cutoffs[i + 1] - self.cutoffs[i], bias=False, dtype=dtype))
            for i in range(self.n_clusters))

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for projection, classes in self.tail:
            projection.reset_parameters()
            classes.reset_parameters()

    def forward(self, input: Tensor, target: Tensor):
        if target.ndim == 1:
            if input.shape[0] != target.shape[0]:
                raise RuntimeError("Input and target should have the same size in the batch "
                                   "dimension.")
            if input.ndim != 2:
                raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs "
                                   f"with size {input.shape}")
        elif target.ndim == 0:
            if input.ndim != 1:
                raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs "
                                   f"with size {input.shape}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = target.ndim > 0
        x = input if batched else input.unsqueeze(0)
        t = target if batched else target.unsqueeze(0)

        # Per row: the head column it reads (its own class in the shortlist, else its
        # cluster's entry) and, for a cluster, the tail's log probability of the class.
        column = t.clone()
        in_cluster = x.new_zeros(t.shape[0])
        covered = 0
        bounds = [0] + self.cutoffs
        for i, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
            rows = ((t >= lo) & (t < hi)).nonzero().flatten()
            if rows.numel() == 0:
                continue
            covered += rows.numel()
            if i == 0:
                continue
            column.index_fill_(0, rows, self.shortlist_size + i - 1)
            logp = F.log_softmax(self.tail[i - 1](x.index_select(0, rows)), dim=1)
            picked = logp.gather(1, (t.index_select(0, rows) - lo).unsqueeze(1)).squeeze(1)
            in_cluster.index_copy_(0, rows, picked)
        if covered != t.shape[0]:
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but "
                               f"values in range [{t.min().item()}, {t.max().item()}] were "
                               "found. ")
        head_logp = F.log_softmax(self.head(x), dim=1)
        in_cluster += head_logp.gather(1, column.unsqueeze(1)).squeeze(1)
        loss = (-in_cluster).mean()
        return _ASMoutput(in_cluster if batched else in_cluster.squeeze(0), loss)

    def _full_log_prob(self, x: Tensor, head_out: Tensor) -> Tensor:
        """Every class's log probability for the rows ``x`` whose head output is ``head_out``."""
        head_logp = F.log_softmax(head_out, dim=1)
        out = x.new_empty((head_out.shape[0], self.n_classes))
        out[:, :self.shortlist_size] = head_logp[:, :self.shortlist_size]
        for i, (lo, hi) in enumerate(zip(self.cutoffs, self.cutoffs[1:])):
            cluster = head_logp[:, self.shortlist_size + i].unsqueeze(1)
            out[:, lo:hi] = F.log_softmax(self.tail[i](x), dim=1) + cluster
        return out

    def log_prob(self, input: Tensor) -> Tensor:
        """Log probabilities of every class, ``(N, n_classes)``, for input ``(N, in_features)``."""
        return self._full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class of each row of ``(N, in_features)``: from the head alone where
        it picks a shortlist class, from the full log probabilities where it picks a cluster."""
        head_out = self.head(input)
        best = argmax(head_out, dim=1)
        outside = best >= self.shortlist_size
        if not outside.any():
            return best
        if outside.all():
            return argmax(self._full_log_prob(input, head_out), dim=1)
        best[outside] = argmax(self._full_log_prob(input[outside], head_out[outside]), dim=1)
        return best
