"""End to end, the random streams decide training: after the same ``manual_seed`` numtorch and
PyTorch build the tutorial MLP with bit-identical weights, shuffle a DataLoader into the same
batches, and train to the same parameters (to float32 rounding: the matmuls sum in different
orders). The seeded blocks of the user's notes print exactly what the notes show.
"""

from __future__ import annotations

import gzip
import os

import numpy as np
import pytest

import numtorch

ref = pytest.importorskip("torch")

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"

# 100 SGD steps at lr 1e-3 move the weights by up to ~1.8e-3. Float32 rounding (the BLAS's
# summation order) moves them by far less, but ReLU kinks let it grow over the steps: measured
# on the real images, numtorch vs torch on 2 threads differ by <= 3.7e-9 (about one ulp), and
# torch on 1 thread vs torch on 2 threads by up to 8.6e-7 (linear_relu_stack.2.bias) -- the
# same gap numtorch shows against the one-thread torch these tests run. ATOL leaves room for
# other BLAS builds; a wrong lr, a missed step or another batch order is >= 1e-5 off.
RTOL, ATOL = 1e-5, 5e-6


@pytest.fixture(autouse=True)
def _torch_on_one_thread():
    """PyTorch's reference on one thread: on a busy 2-core machine its thread pool spins."""
    threads = ref.get_num_threads()
    ref.set_num_threads(1)
    yield
    ref.set_num_threads(threads)


def tutorial_mlp(lib):
    """The notes' NeuralNetwork, in either library."""
    nn = lib.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10),
            )

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork()


def fashion_like(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` FashionMNIST training images (float32 in [0, 1], (n, 1, 28, 28)) and int64
    labels; the real ones when the Debian package is installed, else fixed random ones."""
    if os.path.isdir(DEBIAN_FASHION):
        with gzip.open(os.path.join(DEBIAN_FASHION, "train-images-idx3-ubyte.gz")) as f:
            images = np.frombuffer(f.read(16 + n * 784), dtype=np.uint8, offset=16)
        with gzip.open(os.path.join(DEBIAN_FASHION, "train-labels-idx1-ubyte.gz")) as f:
            labels = np.frombuffer(f.read(8 + n), dtype=np.uint8, offset=8)
        images = images.reshape(n, 1, 28, 28).astype(np.float32) / np.float32(255)
        return images, labels.astype(np.int64)
    rng = np.random.default_rng(0)
    return (rng.random((n, 1, 28, 28), dtype=np.float32),
            rng.integers(0, 10, n, dtype=np.int64))


def sgd_train(lib, model, batches) -> list[float]:
    """The notes' train_loop body, one step a batch; returns the losses."""
    loss_fn = lib.nn.CrossEntropyLoss()
    optimizer = lib.optim.SGD(model.parameters(), lr=1e-3)
    losses = []
    for X, y in batches:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def assert_state_dicts_close(nt_model, torch_model, rtol=RTOL, atol=ATOL) -> float:
    """Same keys, parameters equal within float32 rounding; returns the max |difference|."""
    got, want = nt_model.state_dict(), torch_model.state_dict()
    assert list(got) == list(want)
    worst = 0.0
    for key in got:
        a, b = got[key].numpy(), want[key].numpy()
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=key)
        worst = max(worst, float(np.abs(a - b).max()))
    return worst


@pytest.mark.parametrize("seed", [0, 1, 42, 2024])
def test_tutorial_mlp_initial_state_dict_is_bit_identical_after_manual_seed(seed):
    numtorch.manual_seed(seed)
    nt_model = tutorial_mlp(numtorch)
    ref.manual_seed(seed)
    torch_model = tutorial_mlp(ref)
    got, want = nt_model.state_dict(), torch_model.state_dict()
    assert list(got) == list(want) == [
        "linear_relu_stack.0.weight", "linear_relu_stack.0.bias",
        "linear_relu_stack.2.weight", "linear_relu_stack.2.bias",
        "linear_relu_stack.4.weight", "linear_relu_stack.4.bias"]
    for key in got:
        assert got[key].dtype == numtorch.float32
        np.testing.assert_array_equal(got[key].numpy().view(np.uint32),
                                      want[key].numpy().view(np.uint32), err_msg=key)
    # and both generators are left at the same place in their streams
    assert numtorch.rand(4).numpy().tolist() == ref.rand(4).numpy().tolist()


def test_100_sgd_steps_on_the_same_batches_match_torch():
    images, labels = fashion_like(6400)
    numtorch.manual_seed(0)
    nt_model = tutorial_mlp(numtorch)
    ref.manual_seed(0)
    torch_model = tutorial_mlp(ref)
    starts = range(0, 6400, 64)
    nt_losses = sgd_train(numtorch, nt_model, (
        (numtorch.from_numpy(images[i:i + 64]), numtorch.from_numpy(labels[i:i + 64]))
        for i in starts))
    torch_losses = sgd_train(ref, torch_model, (
        (ref.from_numpy(images[i:i + 64]), ref.from_numpy(labels[i:i + 64])) for i in starts))
    assert len(nt_losses) == 100
    np.testing.assert_allclose(nt_losses, torch_losses, rtol=RTOL, atol=ATOL)
    assert nt_losses[-1] < nt_losses[0]
    assert_state_dicts_close(nt_model, torch_model)


def test_shuffled_dataloader_gives_the_same_batches_and_the_same_training():
    images, labels = fashion_like(3200)
    histories = {}
    models = {}
    for lib in (numtorch, ref):
        lib.manual_seed(7)
        model = tutorial_mlp(lib)
        data = lib.utils.data.TensorDataset(lib.from_numpy(images), lib.from_numpy(labels))
        loader = lib.utils.data.DataLoader(data, batch_size=64, shuffle=True)
        seen = []

        def batches(loader=loader, seen=seen):
            for _ in range(2):  # two epochs, each reshuffled: 100 steps
                for X, y in loader:
                    seen.append(y.numpy().copy())
                    yield X, y

        histories[lib.__name__] = (sgd_train(lib, model, batches()), seen)
        models[lib.__name__] = model
    (nt_losses, nt_seen), (torch_losses, torch_seen) = histories["numtorch"], histories["torch"]
    assert len(nt_seen) == len(torch_seen) == 100
    for step, (a, b) in enumerate(zip(nt_seen, torch_seen)):
        np.testing.assert_array_equal(a, b, err_msg=f"batch {step}")
    assert not np.array_equal(np.concatenate(nt_seen[:50]), np.concatenate(nt_seen[50:]))
    np.testing.assert_allclose(nt_losses, torch_losses, rtol=RTOL, atol=ATOL)
    assert_state_dicts_close(models["numtorch"], models["torch"])


# ---------------------------------------------------------------- the notes' seeded blocks

def test_notes_indexing_block_prints_the_notes_digits():
    numtorch.manual_seed(2024)  # 随机数种子
    tensor = numtorch.rand(4, 2)
    printed = [str(tensor), f"First row: {tensor[0]}", f"First column: {tensor[:, 0]}",
               f"Last column: {tensor[..., -1]}"]
    tensor[:, 1] = 0
    printed.append(str(tensor))
    assert "\n".join(printed) == (
        "tensor([[0.5317, 0.8313],\n"
        "        [0.9718, 0.1193],\n"
        "        [0.1669, 0.3495],\n"
        "        [0.2150, 0.6201]])\n"
        "First row: tensor([0.5317, 0.8313])\n"
        "First column: tensor([0.5317, 0.9718, 0.1669, 0.2150])\n"
        "Last column: tensor([0.8313, 0.1193, 0.3495, 0.6201])\n"
        "tensor([[0.5317, 0.0000],\n"
        "        [0.9718, 0.0000],\n"
        "        [0.1669, 0.0000],\n"
        "        [0.2150, 0.0000]])")


def test_notes_figure_block_draws_torch_s_sample_indices():
    # torch.manual_seed(2024), then nine torch.randint(len(training_data), size=(1,)).item()
    numtorch.manual_seed(2024)
    got = [numtorch.randint(60000, size=(1,)).item() for _ in range(9)]
    ref.manual_seed(2024)
    want = [ref.randint(60000, size=(1,)).item() for _ in range(9)]
    assert got == want == [43112, 9050, 9184, 35360, 26523, 59780, 56350, 49271, 49673]
