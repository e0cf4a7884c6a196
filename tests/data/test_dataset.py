"""Datasets and random_split, against torch.utils.data."""

import warnings

import numpy as np
import pytest

import numtorch
from numtorch.utils.data import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)

torch = pytest.importorskip("torch")
tud = torch.utils.data


class Squares(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i * i

    def __len__(self):
        return self.n


class Batched(Squares):
    """Records the batches it was asked for through __getitems__."""

    def __init__(self, n):
        super().__init__(n)
        self.calls = []

    def __getitems__(self, indices):
        self.calls.append(list(indices))
        return [i * i for i in indices]


class Stream(IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def test_base_dataset_getitem_raises():
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement"):
        Dataset()[0]


def test_tensor_dataset_rows_and_length():
    x = numtorch.arange(12.).reshape(4, 3)
    y = numtorch.arange(4)
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    a, b = ds[2]
    assert a.tolist() == [6., 7., 8.] and b.item() == 2
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, numtorch.arange(3))


def test_add_makes_concat_and_chain():
    assert isinstance(Squares(2) + Squares(3), ConcatDataset)
    chained = Stream([1, 2]) + Stream([3])
    assert isinstance(chained, ChainDataset)
    assert list(chained) == [1, 2, 3] and len(chained) == 3


def test_concat_indexing_matches_torch():
    parts = [list(range(3)), list(range(10, 12)), list(range(20, 24))]
    ours = ConcatDataset(parts)
    theirs = tud.ConcatDataset(parts)
    assert ours.cumulative_sizes == theirs.cumulative_sizes == [3, 5, 9]
    assert [ours[i] for i in range(-9, 9)] == [theirs[i] for i in range(-9, 9)]
    with pytest.raises(ValueError, match="absolute value of index should not exceed"):
        ours[-10]
    with pytest.raises(IndexError):
        ours[9]
    with pytest.raises(AssertionError, match="datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ConcatDataset([Stream([1])])
    with pytest.warns(FutureWarning, match="renamed to `cumulative_sizes`"):
        assert ours.cummulative_sizes == [3, 5, 9]


def test_chain_rejects_map_style():
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(ChainDataset([Stream([1]), [2, 3]]))


def test_subset_and_getitems_delegation():
    base = Batched(10)
    sub = Subset(base, [9, 3, 5])
    assert len(sub) == 3 and sub[0] == 81
    assert sub.__getitems__([2, 0]) == [25, 81]
    assert base.calls == [[5, 9]]
    plain = Subset(Squares(10), [1, 2])
    assert plain.__getitems__([1, 0]) == [4, 1]


def test_subset_subclass_overriding_getitem_only_raises():
    class Bad(Subset):
        def __getitem__(self, i):
            return 0

    with pytest.raises(NotImplementedError, match="overrides __getitem__ but not __getitems__"):
        Bad(Squares(3), [0])


def test_stack_dataset_tuple_and_dict():
    a, b = Squares(4), Batched(4)
    ds = StackDataset(a, b)
    assert ds[3] == (9, 9) and len(ds) == 4
    assert ds.__getitems__([1, 2]) == [(1, 1), (4, 4)]
    assert b.calls == [[1, 2]]
    named = StackDataset(x=a, y=[10, 11, 12, 13])
    assert named[1] == {"x": 1, "y": 11}
    assert named.__getitems__([0, 3]) == [{"x": 0, "y": 10}, {"x": 9, "y": 13}]
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        StackDataset(a, Squares(3))
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        StackDataset()
    with pytest.raises(ValueError, match="but both types are given"):
        StackDataset(a, y=a)


@pytest.mark.parametrize("lengths", [[3, 7], [0.7, 0.3], [0.33, 0.33, 0.34], [1, 1, 8], [10]])
@pytest.mark.parametrize("seed", [0, 42])
def test_random_split_matches_torch(lengths, seed):
    data = list(range(10))
    ours = random_split(data, lengths, generator=numtorch.Generator().manual_seed(seed))
    theirs = tud.random_split(data, lengths, generator=torch.Generator().manual_seed(seed))
    assert [list(s.indices) for s in ours] == [list(s.indices) for s in theirs]
    assert [list(s) for s in ours] == [list(s) for s in theirs]


def test_random_split_default_generator_consumes_like_torch():
    numtorch.manual_seed(7)
    torch.manual_seed(7)
    ours = random_split(range(20), [0.5, 0.5])
    theirs = tud.random_split(range(20), [0.5, 0.5])
    assert [s.indices for s in ours] == [s.indices for s in theirs]
    np.testing.assert_array_equal(numtorch.rand(3).numpy(), torch.rand(3).numpy())


def test_random_split_remainder_and_errors():
    sizes = [len(s) for s in random_split(range(5), [0.3, 0.3, 0.4])]
    assert sizes == [len(s) for s in tud.random_split(range(5), [0.3, 0.3, 0.4])] == [2, 1, 2]
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(range(2), [0.95, 0.05])
    with pytest.raises(ValueError, match="Sum of input lengths does not equal"):
        random_split(range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 1 is not between 0 and 1"):
        random_split(range(5), [0.8, -0.2, 0.4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        random_split(range(4), [0.5, 0.5])
