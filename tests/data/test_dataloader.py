"""DataLoader: argument checks, batching, exact random streams vs torch, worker processes."""

import gc
import os
import random
import signal
import time

import numpy as np
import pytest

import numtorch
from numtorch.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    TensorDataset,
    get_worker_info,
)

torch = pytest.importorskip("torch")
tud = torch.utils.data


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return i

    def __len__(self):
        return self.n


class Batched(Range):
    def __init__(self, n):
        super().__init__(n)
        self.calls = []

    def __getitems__(self, indices):
        self.calls.append(list(indices))
        return [10 * i for i in indices]


class Stream(IterableDataset):
    """0..n-1, split between workers by get_worker_info()."""

    def __init__(self, n, shard=True):
        self.n, self.shard = n, shard

    def __iter__(self):
        info = get_worker_info()
        if info is None or not self.shard:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


class RandomSample(Dataset):
    """Each sample draws from every generator a worker seeds (works with either library)."""

    def __init__(self, lib, n=4):
        self.lib, self.n = lib, n

    def __getitem__(self, i):
        info = (torch.utils.data.get_worker_info() if self.lib is torch else get_worker_info())
        return (self.lib.rand(2).tolist(), float(np.random.rand()), random.random(),
                info.id if info else -1, info.seed if info else -1)

    def __len__(self):
        return self.n


class Failing(Range):
    def __getitem__(self, i):
        if i == 3:
            raise ValueError("sample 3 is broken")
        return i


class Suicidal(Range):
    def __getitem__(self, i):
        if i == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return i


class Slow(Range):
    def __getitem__(self, i):
        time.sleep(2.0)
        return i


class Pid(Range):
    def __getitem__(self, i):
        return os.getpid()


def flat(batches):
    return [b.tolist() if hasattr(b, "tolist") else b for b in batches]


# ----------------------------------------------------------------------------- arguments

@pytest.mark.parametrize("kwargs,match", [
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(num_workers=1, prefetch_factor=-1), "prefetch_factor option should be non-negative"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching"),
    (dict(multiprocessing_context="fork"), "multiprocessing_context can only be used with"),
    (dict(num_workers=1, multiprocessing_context="nope"), "should specify a valid start method"),
])
def test_argument_errors_match_torch(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(Range(4), **kwargs)
    with pytest.raises(ValueError, match=match):
        tud.DataLoader(Range(4), **kwargs)


def test_iterable_dataset_argument_errors():
    for kwargs, match in [(dict(shuffle=True), "expected unspecified shuffle option"),
                          (dict(sampler=[0]), "expected unspecified sampler option"),
                          (dict(batch_sampler=[[0]]), "expected unspecified batch_sampler")]:
        with pytest.raises(ValueError, match=match):
            DataLoader(Stream(3), **kwargs)
    with pytest.raises(TypeError, match="should be a valid context object"):
        DataLoader(Range(2), num_workers=1, multiprocessing_context=3)


def test_attributes_locked_after_init():
    loader = DataLoader(Range(4))
    with pytest.raises(ValueError, match="batch_size attribute should not be set after "
                                         "DataLoader is initialized"):
        loader.batch_size = 3
    loader.num_workers = 0  # not locked


# ----------------------------------------------------------------------------- single process

@pytest.mark.parametrize("kwargs", [dict(), dict(batch_size=3), dict(batch_size=3, drop_last=True),
                                    dict(batch_size=None), dict(batch_sampler=[[3, 1], [0]])])
def test_batches_match_torch(kwargs):
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    ours = list(DataLoader(TensorDataset(numtorch.tensor(x), numtorch.arange(10)), **kwargs))
    theirs = list(tud.DataLoader(tud.TensorDataset(torch.tensor(x), torch.arange(10)), **kwargs))
    assert len(ours) == len(theirs)
    for (a, b), (c, d) in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), c.numpy())
        np.testing.assert_array_equal(b.numpy(), d.numpy())
        assert a.shape == tuple(c.shape) and b.dtype == numtorch.int64


def test_len_matches_torch():
    for kwargs in [dict(batch_size=3), dict(batch_size=3, drop_last=True), dict(batch_size=None)]:
        assert len(DataLoader(Range(10), **kwargs)) == len(tud.DataLoader(Range(10), **kwargs))
        assert len(DataLoader(Stream(10), **kwargs)) == len(tud.DataLoader(Stream(10), **kwargs))


def test_batch_size_none_converts_each_sample():
    loader = DataLoader([np.arange(2), np.arange(2) + 1], batch_size=None)
    out = list(loader)
    assert all(isinstance(t, numtorch.Tensor) for t in out) and out[1].tolist() == [1, 2]


def test_getitems_is_used():
    ds = Batched(5)
    assert flat(DataLoader(ds, batch_size=2)) == [[0, 10], [20, 30], [40]]
    assert ds.calls == [[0, 1], [2, 3], [4]]


def test_iterable_dataset_single_process():
    assert flat(DataLoader(Stream(7), batch_size=3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert flat(DataLoader(Stream(7), batch_size=3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert flat(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]


@pytest.mark.parametrize("seed", [0, 123])
def test_shuffle_with_generator_matches_torch(seed):
    g, tg = numtorch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    ours = DataLoader(Range(11), batch_size=4, shuffle=True, generator=g)
    theirs = tud.DataLoader(Range(11), batch_size=4, shuffle=True, generator=tg)
    for _ in range(3):
        assert flat(ours) == flat(theirs)


def test_shuffle_with_default_generator_matches_torch_and_leaves_it_in_step():
    numtorch.manual_seed(2024)
    torch.manual_seed(2024)
    for _ in range(2):
        assert flat(DataLoader(Range(9), batch_size=2, shuffle=True)) == \
            flat(tud.DataLoader(Range(9), batch_size=2, shuffle=True))
    # Even an unshuffled loader draws its base seed from the default generator.
    assert flat(DataLoader(Range(3))) == flat(tud.DataLoader(Range(3)))
    np.testing.assert_array_equal(numtorch.randn(5).numpy(), torch.randn(5).numpy())


def test_pin_memory_is_a_warned_no_op_on_cpu():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        assert flat(DataLoader(Range(3), batch_size=3, pin_memory=True)) == [[0, 1, 2]]


def test_iterable_len_overrun_warns():
    class Liar(Stream):
        def __len__(self):
            return 2

    loader = DataLoader(Liar(3), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        list(loader)


# ----------------------------------------------------------------------------- workers

def test_workers_keep_sampler_order():
    g = numtorch.Generator().manual_seed(9)
    expected = flat(DataLoader(Range(13), batch_size=2, shuffle=True,
                               generator=numtorch.Generator().manual_seed(9)))
    loader = DataLoader(Range(13), batch_size=2, shuffle=True, generator=g, num_workers=2)
    assert flat(loader) == expected
    unordered = DataLoader(Range(13), batch_size=2, num_workers=2, in_order=False)
    assert sorted(sum(flat(unordered), [])) == list(range(13))


def test_worker_seeds_match_torch():
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    kwargs = dict(batch_size=None, num_workers=2)
    ours = list(DataLoader(RandomSample(numtorch), **kwargs))
    theirs = list(tud.DataLoader(RandomSample(torch), **kwargs))
    assert ours == theirs
    assert ours[0][0] != ours[1][0]  # the workers draw different numbers
    assert [s[3] for s in ours] == [0, 1, 0, 1]
    np.testing.assert_array_equal(numtorch.rand(3).numpy(), torch.rand(3).numpy())
    numtorch.manual_seed(5)
    assert list(DataLoader(RandomSample(numtorch), **kwargs)) == ours  # reproducible


def test_worker_init_fn_and_worker_info():
    def init(worker_id):
        info = get_worker_info()
        assert info.id == worker_id and info.num_workers == 2
        numtorch.manual_seed(100 + worker_id)

    class Draw(Range):
        def __getitem__(self, i):
            info = get_worker_info()
            return (info.id, info.dataset is self, numtorch.randint(1000, (1,)).item())

    out = list(DataLoader(Draw(2), batch_size=None, num_workers=2, worker_init_fn=init))
    expected = [[w, True, numtorch.randint(1000, (1,), generator=numtorch.Generator()
                                           .manual_seed(100 + w)).item()] for w in (0, 1)]
    assert out == expected
    assert get_worker_info() is None


def test_worker_exception_is_reraised_with_worker_id_and_traceback():
    loader = DataLoader(Failing(6), batch_size=2, num_workers=2)
    with pytest.raises(ValueError) as err:
        list(loader)
    msg = str(err.value)
    assert msg.startswith("Caught ValueError in DataLoader worker process 1.\n"
                          "Original Traceback (most recent call last):")
    assert "sample 3 is broken" in msg and "in __getitem__" in msg


def test_worker_killed_by_signal_raises_quickly():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           "unexpectedly"):
        list(DataLoader(Suicidal(4), batch_size=None, num_workers=2))
    assert time.monotonic() - start < 5


def test_timeout_raises():
    loader = DataLoader(Slow(2), batch_size=None, num_workers=1, timeout=0.3)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.3 seconds"):
        next(iter(loader))


def test_persistent_workers_are_reused():
    loader = DataLoader(Pid(4), batch_size=2, num_workers=2, persistent_workers=True)
    first = flat(loader)
    it = iter(loader)
    next(it)  # a half-finished epoch...
    second = flat(loader)  # ...then a whole new one, on the same processes
    assert first == second and len(first) == 2
    assert os.getpid() not in sum(first, [])
    workers = loader._iterator._workers
    assert all(w.is_alive() for w in workers)
    del loader, it
    gc.collect()
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)


def test_iterable_dataset_sharded_by_worker_info():
    out = flat(DataLoader(Stream(7), batch_size=2, num_workers=2))
    assert sorted(sum(out, [])) == list(range(7))
    assert out[:2] == [[0, 2], [1, 3]]  # worker 0 then worker 1
    persistent = DataLoader(Stream(5), batch_size=None, num_workers=2, persistent_workers=True)
    assert sorted(flat(persistent)) == sorted(flat(persistent)) == list(range(5))


def test_deleting_iterator_mid_epoch_stops_workers():
    it = iter(DataLoader(Range(100), batch_size=1, num_workers=2))
    assert next(it).tolist() == [0]
    workers = it._workers
    del it
    gc.collect()
    for w in workers:
        w.join(timeout=5)
    assert not any(w.is_alive() for w in workers)
    assert all(w.exitcode is not None for w in workers)


def _failing_init(worker_id):
    raise KeyError(f"no setup for {worker_id}")


def test_worker_init_fn_error_is_reraised_as_is():
    with pytest.raises(KeyError) as err:
        list(DataLoader(Range(2), batch_size=2, num_workers=1, worker_init_fn=_failing_init))
    msg = str(err.value)  # a KeyError's message is shown as is, not as a repr
    assert msg.startswith("Caught KeyError in DataLoader worker process 0.\nOriginal Traceback")
    assert "KeyError: 'no setup for 0'" in msg
