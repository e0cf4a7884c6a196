"""The top-level ATen-style forms (``numtorch.embedding(weight, indices)``, the losses with an
integer ``reduction``, ``constant_pad_nd``, ``convolution``) against PyTorch's."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from tests.utils import assert_same, torch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 5)).astype(np.float32)
Y = RNG.standard_normal((4, 5)).astype(np.float32)
W = RNG.standard_normal((10, 3)).astype(np.float32)
LOGP = np.log(np.random.default_rng(1).dirichlet(np.ones(5), size=(6, 2))).astype(np.float32)

CASES = [
    ("embedding", (W, np.array([1, 2, 0, 9]))),
    ("embedding", (W, np.array([1, 2, 0, 9]), 0)),
    ("kl_div", (np.log(np.abs(X) + 0.1), np.abs(Y))),
    ("kl_div", (np.log(np.abs(X) + 0.1), np.abs(Y), 2)),
    ("cosine_embedding_loss", (X, Y, np.array([1, -1, 1, -1]))),
    ("cosine_embedding_loss", (X, Y, np.array([1, -1, 1, -1]), 0.1, 1)),
    ("margin_ranking_loss", (X[0], Y[0], np.sign(X[1]))),
    ("hinge_embedding_loss", (X, np.sign(Y), 1.0, 2)),
    ("hinge_embedding_loss", (X, np.sign(Y), 1.0, 7)),  # other values: no reduction
    ("poisson_nll_loss", (X, np.abs(Y), True, False, 1e-8, 1)),
    ("triplet_margin_loss", (X, Y, X * 0.5)),
    ("binary_cross_entropy_with_logits", (X, (Y > 0).astype(np.float32))),
    ("binary_cross_entropy_with_logits", (X, (Y > 0).astype(np.float32), None,
                                          np.full(5, 2.0, np.float32), 1)),
    ("ctc_loss", (LOGP, np.array([[1, 2], [3, 3]]), [6, 5], [2, 2])),
    ("constant_pad_nd", (X, [1, 2], 3.0)),
    ("convolution", (RNG.standard_normal((2, 3, 6, 6)).astype(np.float32),
                     RNG.standard_normal((4, 3, 3, 3)).astype(np.float32), None, [1, 1], [1, 1],
                     [1, 1], False, [0, 0], 1)),
    ("convolution", (RNG.standard_normal((2, 4, 5, 5)).astype(np.float32),
                     RNG.standard_normal((4, 3, 3, 3)).astype(np.float32), None, [2, 2], [1, 1],
                     [1, 1], True, [1, 1], 1)),
]


@pytest.mark.parametrize("name, args", CASES)
def test_matches_torch_values_gradients_and_nodes(name, args):
    def run(lib):
        # The leading tensors (inputs, weights) take gradients; targets and options don't.
        inputs = [lib.tensor(a, requires_grad=a.dtype.kind == "f" and i < 2)
                  if isinstance(a, np.ndarray) else a for i, a in enumerate(args)]
        out = getattr(lib, name)(*inputs)
        out.sum().backward()
        return out, [t.grad for t in inputs if isinstance(t, lib.Tensor) and t.requires_grad]
    (out, grads), (out_t, grads_t) = run(numtorch), run(torch)
    assert_same(out, out_t, rtol=1e-5, atol=1e-5)
    assert type(out.grad_fn).__name__ == type(out_t.grad_fn).__name__
    for g, gt in zip(grads, grads_t):
        assert_same(g, gt, rtol=1e-4, atol=1e-5)
