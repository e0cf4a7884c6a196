"""Pointwise ops on random shapes, broadcast pairs, layouts and dtypes, against PyTorch."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ops.test_pointwise import (
    _SAME_A,
    ALL_DTYPES,
    BINARY,
    BINARY_DTYPE_OPS,
    UNARY,
    _sample,
    parity,
    same_outcome,
    tensor,
)

SETTINGS = settings(max_examples=25, deadline=None)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)


@SETTINGS
@given(name=st.sampled_from(sorted(UNARY)), shape=shapes, seed=st.integers(0, 2 ** 16),
       dtype=st.sampled_from(["float32", "float64"]), contiguous=st.booleans())
def test_unary_random_shapes(name, shape, seed, dtype, contiguous):
    fn, domain = UNARY[name]
    x = _sample(domain, shape, dtype, np.random.default_rng(seed))
    parity(fn, x, contiguous=contiguous, rtol=1e-4 if dtype == "float32" else 1e-7)


@SETTINGS
@given(name=st.sampled_from(sorted(BINARY)),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4,
                                                max_side=4),
       seed=st.integers(0, 2 ** 16), dtype=st.sampled_from(["float32", "float64"]))
def test_binary_random_broadcast_pairs(name, shapes, seed, dtype):
    fn, da, db = BINARY[name]
    sa, sb = shapes.input_shapes
    if name in _SAME_A:
        sa = shapes.result_shape
    rng = np.random.default_rng(seed)
    parity(fn, _sample(da, sa, dtype, rng), _sample(db, sb, dtype, rng),
           rtol=1e-4 if dtype == "float32" else 1e-7)


@SETTINGS
@given(name=st.sampled_from(sorted(BINARY_DTYPE_OPS)), da=st.sampled_from(ALL_DTYPES),
       db=st.sampled_from(ALL_DTYPES),
       values=st.lists(st.tuples(st.integers(-8, 8), st.integers(-8, 8)), min_size=6,
                       max_size=6))
def test_binary_random_dtypes_and_values(name, da, db, values):
    fn = BINARY_DTYPE_OPS[name]
    left, right = [v[0] for v in values], [v[1] for v in values]
    same_outcome(lambda m: fn(m, tensor(m, left, da), tensor(m, right, db)))
