"""Samplers: the same index streams as torch.utils.data for the same seeds."""

import numpy as np
import pytest

import numtorch
from numtorch.utils.data import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

torch = pytest.importorskip("torch")
tud = torch.utils.data


def same_rand_after():
    """The default generators of both libraries are still in step."""
    np.testing.assert_array_equal(numtorch.rand(4).numpy(), torch.rand(4).numpy())


def test_sequential_sampler():
    s = SequentialSampler(range(5))
    assert list(s) == [0, 1, 2, 3, 4] and len(s) == 5


def test_base_sampler_iter_raises():
    with pytest.raises(NotImplementedError):
        iter(Sampler())


@pytest.mark.parametrize("replacement,num_samples", [
    (False, None), (False, 7), (False, 25), (False, 20), (True, None), (True, 70), (True, 3)])
def test_random_sampler_with_generator_matches_torch(replacement, num_samples):
    ours = RandomSampler(range(10), replacement, num_samples,
                         generator=numtorch.Generator().manual_seed(3))
    theirs = tud.RandomSampler(range(10), replacement, num_samples,
                               generator=torch.Generator().manual_seed(3))
    assert len(ours) == len(theirs)
    for _ in range(2):  # the second epoch continues the generator
        assert list(ours) == list(theirs)


@pytest.mark.parametrize("replacement", [False, True])
def test_random_sampler_default_generator_matches_torch(replacement):
    numtorch.manual_seed(11)
    torch.manual_seed(11)
    ours, theirs = RandomSampler(range(9), replacement), tud.RandomSampler(range(9), replacement)
    assert list(ours) == list(theirs)
    assert list(ours) == list(theirs)
    same_rand_after()


def test_random_sampler_argument_errors():
    with pytest.raises(TypeError, match="replacement should be a boolean value, but got "
                                        "replacement=1"):
        RandomSampler(range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, "
                                         "but got num_samples=0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="num_samples=0"):
        RandomSampler([])


def test_subset_random_sampler_matches_torch():
    idx = [10, 20, 30, 40, 50]
    ours = SubsetRandomSampler(idx, generator=numtorch.Generator().manual_seed(5))
    theirs = tud.SubsetRandomSampler(idx, generator=torch.Generator().manual_seed(5))
    assert list(ours) == list(theirs) and len(ours) == 5
    numtorch.manual_seed(1)
    torch.manual_seed(1)
    assert list(SubsetRandomSampler(idx)) == list(tud.SubsetRandomSampler(idx))
    same_rand_after()


@pytest.mark.parametrize("replacement,num", [(True, 50), (False, 5), (True, 1)])
def test_weighted_random_sampler_matches_torch(replacement, num):
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    ours = WeightedRandomSampler(w, num, replacement, generator=numtorch.Generator().manual_seed(0))
    theirs = tud.WeightedRandomSampler(w, num, replacement,
                                       generator=torch.Generator().manual_seed(0))
    assert list(ours) == list(theirs) and len(ours) == num
    assert ours.weights.dtype == numtorch.float64
    numtorch.manual_seed(4)
    torch.manual_seed(4)
    assert list(WeightedRandomSampler(w, num, replacement)) == \
        list(tud.WeightedRandomSampler(w, num, replacement))
    same_rand_after()


def test_weighted_random_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, "
                                         "but got num_samples=True"):
        WeightedRandomSampler([1.0], True)
    with pytest.raises(ValueError, match="replacement should be a boolean value"):
        WeightedRandomSampler([1.0], 1, replacement=None)
    with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights "
                                         r"have shape \(1, 2\)"):
        WeightedRandomSampler([[1.0, 2.0]], 1)


@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("n,bs", [(10, 3), (9, 3), (2, 5)])
def test_batch_sampler_matches_torch(n, bs, drop_last):
    ours = BatchSampler(SequentialSampler(range(n)), bs, drop_last)
    theirs = tud.BatchSampler(tud.SequentialSampler(range(n)), bs, drop_last)
    assert list(ours) == list(theirs)
    assert len(ours) == len(theirs)


def test_batch_sampler_errors():
    with pytest.raises(ValueError, match="batch_size should be a positive integer value, "
                                         "but got batch_size=0"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="batch_size=True"):
        BatchSampler(range(3), True, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean value, but got "
                                         "drop_last=0"):
        BatchSampler(range(3), 2, 0)


@pytest.mark.parametrize("n,replicas", [(10, 3), (12, 4), (2, 5), (7, 2)])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_matches_torch(n, replicas, shuffle, drop_last):
    data = list(range(n))
    for rank in range(replicas):
        ours = DistributedSampler(data, replicas, rank, shuffle, seed=5, drop_last=drop_last)
        theirs = tud.DistributedSampler(data, replicas, rank, shuffle, seed=5,
                                        drop_last=drop_last)
        assert len(ours) == len(theirs)
        for epoch in (0, 3):
            ours.set_epoch(epoch)
            theirs.set_epoch(epoch)
            assert list(ours) == list(theirs)


def test_distributed_sampler_errors():
    with pytest.raises(RuntimeError, match="pass num_replicas and rank explicitly"):
        DistributedSampler(range(4))
    with pytest.raises(RuntimeError, match="rank was not given"):
        DistributedSampler(range(4), num_replicas=2)
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval "
                                         r"\[0, 1\]"):
        DistributedSampler(range(4), 2, 2)
    with pytest.raises(ValueError, match="Invalid rank -1"):
        DistributedSampler(range(4), 2, -1)
