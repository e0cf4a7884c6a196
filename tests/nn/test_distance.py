"""CosineSimilarity / PairwiseDistance modules (numtorch/nn/modules/distance.py) vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
from numtorch.autograd import gradcheck
from tests.utils import check_op, torch


def _data(shape, dtype=np.float32, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape), dtype=dtype)


@pytest.mark.parametrize("kwargs", [{}, dict(p=1.0), dict(p=3, eps=1e-3, keepdim=True),
                                    dict(p=float("inf"))])
def test_pairwise_distance_module(kwargs):
    m, tm = nn.PairwiseDistance(**kwargs), torch.nn.PairwiseDistance(**kwargs)
    assert repr(m) == repr(tm) and list(m.state_dict()) == []
    assert (m.norm, m.eps, m.keepdim) == (tm.norm, tm.eps, tm.keepdim)
    check_op(m, tm, _data((4, 5)), _data((4, 5), seed=1))
    check_op(m, tm, _data((2, 4, 5)), _data((5,), seed=1))


@pytest.mark.parametrize("kwargs", [{}, dict(dim=0), dict(dim=-1, eps=1e-3)])
def test_cosine_similarity_module(kwargs):
    m, tm = nn.CosineSimilarity(**kwargs), torch.nn.CosineSimilarity(**kwargs)
    assert repr(m) == repr(tm) and list(m.state_dict()) == []
    assert (m.dim, m.eps) == (tm.dim, tm.eps)
    check_op(m, tm, _data((3, 4, 5)), _data((3, 4, 5), seed=1))
    check_op(m, tm, _data((3, 4, 5)), _data((4, 5), seed=1))


def test_gradcheck():
    a = numtorch.tensor(_data((3, 4), np.float64), requires_grad=True)
    b = numtorch.tensor(_data((3, 4), np.float64, seed=1), requires_grad=True)
    assert gradcheck(nn.PairwiseDistance(p=3), (a, b))
    assert gradcheck(nn.CosineSimilarity(dim=1), (a, b))
