"""numtorch.multiprocessing: multiprocessing's names, PyTorch's sharing strategies, and tensors
that share memory across processes (share_memory_, module.share_memory, queues), and spawn."""

import multiprocessing as std_mp
import os
import pickle

import numpy as np
import pytest
import torch

import numtorch
import numtorch.multiprocessing as mp
from numtorch import nn
from tests._spawn_target import write_index


def test_namespace_is_multiprocessing_plus_pytorchs_sharing_strategies():
    assert set(mp.__all__) == set(torch.multiprocessing.__all__)
    assert mp.Process is std_mp.Process and mp.Queue is std_mp.Queue
    assert mp.get_all_sharing_strategies() == torch.multiprocessing.get_all_sharing_strategies()
    assert mp.get_sharing_strategy() == torch.multiprocessing.get_sharing_strategy()
    try:
        mp.set_sharing_strategy("file_system")
        assert mp.get_sharing_strategy() == "file_system"
    finally:
        mp.set_sharing_strategy("file_descriptor")
    for lib in (torch.multiprocessing, mp):
        with pytest.raises(AssertionError, match=r"^invalid sharing strategy 'nope', expected "
                                                 r"one of \{'file_"):
            lib.set_sharing_strategy("nope")


def test_share_memory_keeps_values_layout_and_identity():
    base = numtorch.arange(24.0).reshape(4, 6)
    t = base.t()[1:]  # a non-contiguous view with an offset
    before = t.numpy().copy()
    assert not t.is_shared()
    same = t.share_memory_()
    assert same is t and t.is_shared()
    np.testing.assert_array_equal(t.numpy(), before)
    assert (t.shape, t.stride(), t.storage_offset()) == ((5, 4), (1, 6), 1)
    assert t.untyped_storage().is_shared()
    data = t._data
    t.share_memory_()  # already shared: nothing moves
    assert t._data is data
    t[0, 0] = -1.0
    assert t.numpy()[0, 0] == -1.0


def test_share_memory_of_every_dtype_and_empty_tensors():
    for dtype in (numtorch.float16, numtorch.float64, numtorch.int8, numtorch.bool,
                  numtorch.int64):
        x = numtorch.ones(3, 2, dtype=dtype).share_memory_()
        assert x.is_shared() and x.dtype == dtype and x.tolist() == [[1, 1]] * 3
    empty = numtorch.zeros(0, 3).share_memory_()
    assert empty.is_shared() and empty.shape == (0, 3)
    scalar = numtorch.tensor(2.5).share_memory_()
    assert scalar.is_shared() and scalar.item() == 2.5


def test_module_share_memory_moves_parameters_buffers_and_grads():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    model(numtorch.randn(5, 3)).pow(2).sum().backward()  # (a plain sum after BN: zero grad)
    params = list(model.parameters())
    assert model.share_memory() is model
    assert all(p.is_shared() and p.grad.is_shared() for p in params)
    assert all(b.is_shared() for b in model.buffers())
    assert list(model.parameters()) == params  # the same Parameter objects
    opt = numtorch.optim.SGD(model.parameters(), lr=0.1)
    w = model[0].weight.detach().clone()
    opt.step()
    assert not numtorch.equal(w, model[0].weight) and model[0].weight.is_shared()


def test_storage_reports_sharing_and_refuses_to_move():
    x = numtorch.ones(4)
    assert not x.untyped_storage().is_shared()
    with pytest.raises(RuntimeError, match="a storage cannot be moved into shared memory"):
        x.untyped_storage().share_memory_()
    x.share_memory_()
    assert x.untyped_storage().share_memory_().is_shared()


def test_forking_pickler_sends_shared_memory_not_bytes():
    from multiprocessing.reduction import ForkingPickler

    x = numtorch.arange(6.0).reshape(2, 3)[:, 1:]
    p = nn.Parameter(numtorch.ones(2))
    data = ForkingPickler.dumps((x, p))
    assert x.is_shared()  # sending moved the sender's tensor, as in PyTorch
    y, q = pickle.loads(data)  # in this process the descriptor comes back through the sharer
    assert type(q) is nn.Parameter and q.requires_grad
    y[0, 0] = 100.0  # the same memory: the sender sees the write
    assert x[0, 0].item() == 100.0
    assert (y.shape, y.stride()) == (x.shape, x.stride())
    # plain pickle (and numtorch.save) still copy the values
    z = pickle.loads(pickle.dumps(x))
    assert not z.is_shared() and numtorch.equal(z, x)


def test_non_leaf_requiring_grad_is_refused_with_pytorchs_message():
    from multiprocessing.reduction import ForkingPickler

    msg = "Cowardly refusing to serialize non-leaf tensor which requires_grad"
    with pytest.raises(RuntimeError, match=msg):
        ForkingPickler.dumps(torch.ones(2, requires_grad=True) * 2)
    with pytest.raises(RuntimeError, match=msg):
        ForkingPickler.dumps(numtorch.ones(2, requires_grad=True) * 2)


def _hogwild_worker(model, steps, seed):
    numtorch.manual_seed(seed)
    opt = numtorch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(steps):
        x = numtorch.randn(8, 2)
        loss = ((model(x) - x.sum(1, keepdim=True)) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def test_hogwild_workers_update_the_parents_parameters():
    ctx = mp.get_context("fork")
    numtorch.manual_seed(0)
    model = nn.Linear(2, 1)
    model.share_memory()
    start = model.weight.detach().clone()
    workers = [ctx.Process(target=_hogwild_worker, args=(model, 20, s)) for s in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    # both workers fitted y = x1 + x2 on the parent's memory
    assert not numtorch.equal(start, model.weight)
    assert (model.weight.detach() - 1).abs().max().item() < \
        (start - 1).abs().max().item()


def _add_one(queue):
    t = queue.get()
    t.add_(1)
    queue.put(type(queue.get()).__name__)


def test_spawned_process_writes_into_a_tensor_sent_on_a_queue():
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    t = numtorch.zeros(3)
    proc = ctx.Process(target=_add_one, args=(queue,))
    proc.start()
    queue.put(t)
    queue.put(nn.Parameter(numtorch.ones(1)))
    proc.join(120)
    assert proc.exitcode == 0
    assert queue.get(timeout=10) == "Parameter"
    assert t.tolist() == [1.0, 1.0, 1.0]


# ---------------------------------------------------------------- spawn (the ImageNet example's mp.spawn)

def _write_index(i, folder, scale):
    with open(os.path.join(folder, f"{i}.txt"), "w") as f:
        f.write(str(numtorch.tensor(float(i * scale)).item()))


def _raise_in_one(i):
    if i == 1:
        raise ValueError("bad rank 1")


def _exit_with_three(i):
    raise SystemExit(3)


def test_spawn_runs_fn_with_the_process_index_and_args(tmp_path):
    assert mp.spawn(write_index, args=(str(tmp_path), 2), nprocs=2) is None
    assert sorted(os.listdir(tmp_path)) == ["0.txt", "1.txt"]
    assert (tmp_path / "1.txt").read_text() == "2.0"


def test_start_processes_without_join_returns_the_context(tmp_path):
    context = mp.start_processes(_write_index, args=(str(tmp_path), 1), nprocs=3,
                                 join=False, start_method="fork")
    assert isinstance(context, mp.ProcessContext) and len(context.pids()) == 3
    while not context.join():
        pass
    assert sorted(os.listdir(tmp_path)) == ["0.txt", "1.txt", "2.txt"]


def test_a_raising_process_is_reported_with_its_traceback():
    with pytest.raises(mp.ProcessRaisedException) as got:
        mp.start_processes(_raise_in_one, nprocs=2, start_method="fork")
    assert got.value.error_index == 1
    message = str(got.value)
    assert message.startswith("\n\n-- Process 1 terminated with the following error:\n"
                              "Traceback (most recent call last):")
    assert message.rstrip().endswith("ValueError: bad rank 1")


def test_an_exit_code_is_reported_as_torch_reports_it():
    with pytest.raises(torch.multiprocessing.ProcessExitedException) as ref:
        torch.multiprocessing.start_processes(_exit_with_three, nprocs=1, start_method="fork")
    with pytest.raises(mp.ProcessExitedException) as got:
        mp.start_processes(_exit_with_three, nprocs=1, start_method="fork")
    assert str(got.value) == str(ref.value) == "process 0 terminated with exit code 3"
    assert got.value.exit_code == 3 and got.value.error_index == 0


def test_spawn_warns_for_another_start_method(tmp_path):
    with pytest.warns(FutureWarning, match="only supports start_method=spawn"):
        mp.spawn(write_index, args=(str(tmp_path), 1), nprocs=1, start_method="fork")


class _RunsCodeWhenUnpickled:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({self.marker!r}, 'w').write('ran')",)


def test_a_failed_process_error_file_is_read_as_text_never_unpickled(tmp_path):
    # The error file sits in the shared temporary folder: whatever is found there is shown
    # as the child's traceback, never run.
    marker = tmp_path / "ran"
    error_file = tmp_path / "errorfile"
    error_file.write_bytes(pickle.dumps(_RunsCodeWhenUnpickled(str(marker))))
    process = std_mp.get_context("fork").Process(target=_exit_with_three, args=(0,))
    process.start()
    context = mp.ProcessContext([process], [str(error_file)])
    with pytest.raises(mp.ProcessRaisedException, match="Process 0 terminated"):
        while not context.join():
            pass
    assert not marker.exists()
