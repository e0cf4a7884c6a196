"""The user's tutorial notes, sections 2, 3, 4, 6 and 7 (FashionMNIST, transforms, the MLP,
the optimisation loop, save/load), run on numtorch.

Each block is the notes' code with its imports pointed at numtorch the way a user does it
(``import numtorch as torch``, ``numtorch.vision`` for torchvision) and the dataset root
moved to a temporary folder. Where the notes print random values without a seed the printed
*form* is checked; where a seed is set, the digits are compared with PyTorch's (numtorch's
RNG and initialisation are bit-exact with torch's). The notes' REPL lines (``logits``,
``optimizer``) are printed. Sections 0 (Quickstart) and 8 (custom operators) have no code in
the notes; sections 1 and 5 are in test_seed_tutorial.py.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import pickle
import re
import sys
import textwrap

import numpy as np
import pytest

import numtorch

DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"
needs_fashion_mnist = pytest.mark.skipif(
    not os.path.isdir(DEBIAN_FASHION),
    reason="FashionMNIST is not installed (apt-get install dataset-fashion-mnist)")


def numtorch_code(code: str) -> str:
    """The block as a user runs it on numtorch: only the import lines change."""
    code = textwrap.dedent(code)
    for pattern, repl in [
        (r"^import torchvision\.models as models$", "import numtorch.vision.models as models"),
        (r"^from torchvision\b", "from numtorch.vision"),
        (r"^from torch\b", "from numtorch"),
        (r"^import torch$", "import numtorch as torch"),
    ]:
        code = re.sub(pattern, repl, code, flags=re.MULTILINE)
    return code


def run(code: str, env: dict | None = None, lib: str = "numtorch") -> str:
    """Execute a block (in ``env``, so later blocks see earlier names) and return its output.

    ``lib="torch"`` runs the block unchanged on PyTorch, for the reference text.
    """
    if env is None:
        env = {}
    env.setdefault("__name__", __name__)  # classes defined here pickle as this module's
    if lib == "numtorch":
        env.setdefault("torch", numtorch)
        code = numtorch_code(code)
    else:
        env.setdefault("torch", pytest.importorskip("torch"))
        code = textwrap.dedent(code)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, env)
    return out.getvalue()


def as_numtorch_text(torch_text: str) -> str:
    """PyTorch's printed text with its module name written as numtorch prints it."""
    return re.sub(r"\btorch\.", "numtorch.", torch_text)


def raw_labels(train: bool) -> np.ndarray:
    name = "train-labels-idx1-ubyte.gz" if train else "t10k-labels-idx1-ubyte.gz"
    with gzip.open(os.path.join(DEBIAN_FASHION, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=8)


def raw_images(train: bool) -> np.ndarray:
    name = "train-images-idx3-ubyte.gz" if train else "t10k-images-idx3-ubyte.gz"
    with gzip.open(os.path.join(DEBIAN_FASHION, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=16).reshape(-1, 28, 28)


# ---------------------------------------------------------------- 2. Datasets & DataLoaders

LOAD_BLOCK = """
    import torch
    from torch.utils.data import Dataset
    from torchvision import datasets
    from torchvision.transforms import ToTensor
    import matplotlib.pyplot as plt


    training_data = datasets.FashionMNIST(
        root="/home/wangjl/data/web/docs/dataset/",
        train=True,
        download=True,
        transform=ToTensor()
    )

    test_data = datasets.FashionMNIST(
        root="/home/wangjl/data/web/docs/dataset/",
        train=False,
        download=True,
        transform=ToTensor()
    )
"""

FIGURE_BLOCK = """
    labels_map = {
        0: "T-Shirt",
        1: "Trouser",
        2: "Pullover",
        3: "Dress",
        4: "Coat",
        5: "Sandal",
        6: "Shirt",
        7: "Sneaker",
        8: "Bag",
        9: "Ankle Boot",
    }
    torch.manual_seed(2024) #随机数种子
    figure = plt.figure(figsize=(8, 8))
    cols, rows = 3, 3
    for i in range(1, cols * rows + 1):
        sample_idx = torch.randint(len(training_data), size=(1,)).item()
        img, label = training_data[sample_idx]
        figure.add_subplot(rows, cols, i)
        plt.title(labels_map[label])
        plt.axis("off")
        plt.imshow(img.squeeze(), cmap="gray")
    plt.show()
"""

DATALOADER_BLOCK = """
    from torch.utils.data import DataLoader

    train_dataloader = DataLoader(training_data, batch_size=64, shuffle=True)
    test_dataloader = DataLoader(test_data, batch_size=64, shuffle=True)
"""

ITERATE_BLOCK = """
    # Display image and label.
    train_features, train_labels = next(iter(train_dataloader))
    print(f"Feature batch shape: {train_features.size()}")
    print(f"Labels batch shape: {train_labels.size()}")
    img = train_features[0].squeeze()
    label = train_labels[0]
    plt.imshow(img, cmap="gray")
    plt.show()
    print(f"Label: {label}")
"""

# torch.manual_seed(2024); [torch.randint(60000, size=(1,)).item() for _ in range(9)]
# in PyTorch 2.13: the samples the figure block shows.
FIGURE_INDICES = [43112, 9050, 9184, 35360, 26523, 59780, 56350, 49271, 49673]


@pytest.fixture(scope="module")
def fashion_root(tmp_path_factory):
    """A dataset root the tests may write into, so nothing lands in the repository."""
    if not os.path.isdir(DEBIAN_FASHION):
        pytest.skip("FashionMNIST is not installed (apt-get install dataset-fashion-mnist)")
    return str(tmp_path_factory.mktemp("dataset"))


def with_root(code: str, root: str) -> str:
    return re.sub(r'root="[^"]*"', f"root={root!r}", code)


@pytest.fixture(scope="module")
def fashion_env(fashion_root):
    """The notes' loading block, run once: ``training_data``/``test_data`` downloaded
    (offline: copied from the Debian package) into the temporary root."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")  # plt.show() returns at once
    env: dict = {}
    run(with_root(LOAD_BLOCK, fashion_root), env)
    yield env
    env["plt"].close("all")


@needs_fashion_mnist
def test_loading_fashion_mnist_with_download_fills_the_root(fashion_env, fashion_root):
    training_data, test_data = fashion_env["training_data"], fashion_env["test_data"]
    assert (len(training_data), len(test_data)) == (60000, 10000)
    raw = os.path.join(fashion_root, "FashionMNIST", "raw")
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        assert os.path.isfile(os.path.join(raw, name))  # unpacked next to the .gz, as noted
    img, label = training_data[0]
    assert img.shape == (1, 28, 28) and img.dtype == numtorch.float32
    assert type(label) is int and label == raw_labels(True)[0]


@needs_fashion_mnist
def test_labels_map_figure_shows_the_seeded_samples(fashion_env):
    env = dict(fashion_env)
    assert run(FIGURE_BLOCK, env) == ""
    figure = env["figure"]
    labels = raw_labels(True)
    names = env["labels_map"]
    assert [ax.get_title() for ax in figure.axes] == [names[labels[i]] for i in FIGURE_INDICES]
    assert [ax.get_title() for ax in figure.axes] == [
        "Sandal", "Trouser", "Bag", "T-Shirt", "Sandal", "Sandal", "Bag", "Bag", "Pullover"]
    shown = figure.axes[0].images[0].get_array()
    np.testing.assert_array_equal(shown, raw_images(True)[FIGURE_INDICES[0]] / np.float32(255))
    env["plt"].close(figure)


@needs_fashion_mnist
def test_dataloader_batches_print_their_shapes(fashion_env):
    env = dict(fashion_env)
    printed = run(DATALOADER_BLOCK + ITERATE_BLOCK, env)
    assert re.fullmatch(r"Feature batch shape: numtorch\.Size\(\[64, 1, 28, 28\]\)\n"
                        r"Labels batch shape: numtorch\.Size\(\[64\]\)\n"
                        r"Label: \d\n", printed)
    assert len(env["train_dataloader"]) == 938 and len(env["test_dataloader"]) == 157
    env["plt"].close("all")


@needs_fashion_mnist
def test_shuffled_first_batch_is_the_one_torch_draws_after_the_same_seed(fashion_env):
    ref = pytest.importorskip("torch")
    env = dict(fashion_env)
    numtorch.manual_seed(2024)
    run(DATALOADER_BLOCK + ITERATE_BLOCK, env)
    ref.manual_seed(2024)
    indices = ref.utils.data.DataLoader(ref.arange(60000), batch_size=64, shuffle=True)
    first = next(iter(indices)).numpy()
    np.testing.assert_array_equal(env["train_labels"].numpy(), raw_labels(True)[first])
    images = raw_images(True)[first].astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(env["train_features"].numpy()[:, 0], images)
    env["plt"].close("all")


# ---------------------------------------------------------------- 3. Transforms

TRANSFORMS_BLOCK = """
    import torch
    from torchvision import datasets
    from torchvision.transforms import ToTensor, Lambda

    ds = datasets.FashionMNIST(
        root="data",
        train=True,
        download=True,
        transform=ToTensor(),
        target_transform=Lambda(lambda y: torch.zeros(10, dtype=torch.float).scatter_(0, torch.tensor(y), value=1))
    )
"""

TARGET_TRANSFORM_BLOCK = """
    target_transform = Lambda(lambda y: torch.zeros(
        10, dtype=torch.float).scatter_(dim=0, index=torch.tensor(y), value=1))
"""


@needs_fashion_mnist
def test_to_tensor_scales_pixels_and_lambda_one_hot_encodes(fashion_root):
    env: dict = {}
    run(with_root(TRANSFORMS_BLOCK, fashion_root) + TARGET_TRANSFORM_BLOCK, env)
    ds, target_transform = env["ds"], env["target_transform"]
    image, target = ds[0]
    assert image.dtype == numtorch.float32 and image.shape == (1, 28, 28)
    np.testing.assert_array_equal(image.numpy()[0], raw_images(True)[0] / np.float32(255))
    assert 0.0 <= image.min().item() and image.max().item() <= 1.0
    label = int(raw_labels(True)[0])
    assert target.dtype == numtorch.float32
    assert target.tolist() == [1.0 if k == label else 0.0 for k in range(10)]
    assert repr(target) == "tensor([0., 0., 0., 0., 0., 0., 0., 0., 0., 1.])"  # label 9
    for y in range(10):
        assert target_transform(y).tolist() == np.eye(10, dtype=np.float32)[y].tolist()


def test_one_hot_lambda_prints_as_torch_does():
    code = """
        import torch
        one_hot = lambda y: torch.zeros(
            10, dtype=torch.float).scatter_(dim=0, index=torch.tensor(y), value=1)
        for y in (0, 3, 9):
            print(one_hot(y))
    """
    assert run(code) == run(code, lib="torch")


# ---------------------------------------------------------------- 4. Build the Neural Network

DEVICE_BLOCK = """
    device = (
        "cuda"
        if torch.cuda.is_available()
        else "mps"
        if torch.backends.mps.is_available()
        else "cpu"
    )
    print(f"Using {device} device")
"""

NETWORK_BLOCK = """
    import os
    import torch
    from torch import nn
    from torch.utils.data import DataLoader

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__() #父类初始化
            self.flatten = nn.Flatten() #定义 flatten() 方法
            self.linear_relu_stack = nn.Sequential( #定义线性rela堆栈
                nn.Linear(28*28, 512), #线性层
                nn.ReLU(), #激活函数
                nn.Linear(512, 512), #线性层
                nn.ReLU(), #激活函数
                nn.Linear(512, 10), #线性层
            )

        def forward(self, x):
            x = self.flatten(x) #拉直成一维
            logits = self.linear_relu_stack(x) #线性层——激活函数，返回对每个分类的预测输出值
            return logits
"""

MODEL_BLOCK = """
    model = NeuralNetwork().to(device)
    print(model)
"""

# As the notes print it (the device plays no part in a module's repr).
MODEL_REPR = """\
NeuralNetwork(
  (flatten): Flatten(start_dim=1, end_dim=-1)
  (linear_relu_stack): Sequential(
    (0): Linear(in_features=784, out_features=512, bias=True)
    (1): ReLU()
    (2): Linear(in_features=512, out_features=512, bias=True)
    (3): ReLU()
    (4): Linear(in_features=512, out_features=10, bias=True)
  )
)"""

PREDICT_BLOCK = """
    X = torch.rand(1, 28, 28, device=device) #产生随机值
    print(X.shape) #torch.Size([1, 28, 28])

    logits = model(X) #输入带入模型，产生的2d数组
    print(logits.shape) # torch.Size([1, 10])
    print(logits)

    pred_probab = nn.Softmax(dim=1)(logits)
    print(pred_probab.shape) #torch.Size([1, 10])
    print(pred_probab)

    y_pred = pred_probab.argmax(1)
    print(y_pred.shape) # torch.Size([1])
    print(y_pred)

    print(f"Predicted class: {y_pred}")
"""

LAYERS_BLOCK = r"""
    input_image = torch.rand(3,28,28)
    print(input_image.size())  #输出 torch.Size([3, 28, 28])

    flatten = nn.Flatten()
    flat_image = flatten(input_image)
    print(flat_image.size()) #torch.Size([3, 784])

    layer1 = nn.Linear(in_features=28*28, out_features=20)
    hidden1 = layer1(flat_image)
    print(hidden1.size()) #torch.Size([3, 20])

    print(f"Before ReLU: {hidden1}\n\n")
    hidden1 = nn.ReLU()(hidden1)
    print(f"After ReLU: {hidden1}")

    seq_modules = nn.Sequential(
        flatten,
        layer1,
        nn.ReLU(),
        nn.Linear(20, 10)
    )
    input_image = torch.rand(3,28,28)
    logits = seq_modules(input_image)

    softmax = nn.Softmax(dim=1)
    pred_probab = softmax(logits)
    print(pred_probab)
"""

PARAMETERS_BLOCK = r"""
    print(f"Model structure: {model}\n\n")

    for name, param in model.named_parameters():
        print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
"""

NUM = r"-?\d\.\d{4}"


def cpu_network_env() -> dict:
    env = {"device": "cpu"}
    run(NETWORK_BLOCK, env)
    return env


def test_device_selection_line(monkeypatch):
    # without CUDA the line asks torch.backends.mps, as on the CPU machines this runs on
    monkeypatch.setattr(numtorch.cuda, "is_available", lambda: False)
    assert run(DEVICE_BLOCK) == "Using cpu device\n"


def test_neural_network_repr_is_the_notes_text():
    assert run(MODEL_BLOCK, cpu_network_env()) == MODEL_REPR + "\n"


def test_forward_softmax_and_argmax_print_the_notes_forms():
    env = cpu_network_env()
    run(MODEL_BLOCK, env)
    lines = run(PREDICT_BLOCK, env).splitlines()
    assert lines[0] == "numtorch.Size([1, 28, 28])"
    assert lines[1] == "numtorch.Size([1, 10])"
    # ten logits over two lines (the notes' layout, without the device='cuda:0' of their GPU)
    assert re.fullmatch(rf"tensor\(\[\[ ?{NUM}(,  ?{NUM})*,", lines[2])
    assert re.fullmatch(rf" {{9}} ?{NUM}(,  ?{NUM})*\]\], grad_fn=<AddmmBackward0>\)", lines[3])
    assert len(re.findall(NUM, lines[2] + lines[3])) == 10
    assert lines[4] == "numtorch.Size([1, 10])"
    assert re.fullmatch(r"tensor\(\[\[0\.\d{4}(, 0\.\d{4}){8},", lines[5])
    assert re.fullmatch(r" {9}0\.\d{4}\]\], grad_fn=<SoftmaxBackward0>\)", lines[6])
    assert lines[7] == "numtorch.Size([1])"
    assert re.fullmatch(r"tensor\(\[\d\]\)", lines[8])
    assert lines[9] == f"Predicted class: {lines[8]}"
    assert abs(env["pred_probab"].sum().item() - 1.0) < 1e-6


def test_forward_softmax_and_argmax_match_torch_digit_for_digit_after_a_seed():
    code = NETWORK_BLOCK + "\n    torch.manual_seed(2024)\n" + MODEL_BLOCK + PREDICT_BLOCK
    assert run(code, {"device": "cpu"}) == as_numtorch_text(run(code, {"device": "cpu"}, "torch"))


def test_layer_walk_through_prints_the_tutorial_forms():
    env = cpu_network_env()
    printed = run(LAYERS_BLOCK, env)
    assert printed.startswith("numtorch.Size([3, 28, 28])\nnumtorch.Size([3, 784])\n"
                              "numtorch.Size([3, 20])\nBefore ReLU: tensor([[")
    before, after = printed.split("After ReLU: ")
    assert before.endswith("]], grad_fn=<AddmmBackward0>)\n\n\n")
    assert re.match(r"tensor\(\[\[0\.\d{4}, ", after)  # no negative number left
    assert "-" not in after.split("grad_fn=<ReluBackward0>)\n")[0]
    assert after.endswith("]], grad_fn=<SoftmaxBackward0>)\n")
    assert env["flat_image"].shape == (3, 784)
    np.testing.assert_allclose(env["pred_probab"].sum(dim=1).detach().numpy(), np.ones(3), rtol=1e-6)


def test_layer_walk_through_matches_torch_digit_for_digit_after_a_seed():
    code = NETWORK_BLOCK + "\n    torch.manual_seed(7)\n" + LAYERS_BLOCK
    assert run(code) == as_numtorch_text(run(code, lib="torch"))


def test_model_parameters_loop_prints_the_notes_form():
    env = cpu_network_env()
    run(MODEL_BLOCK, env)
    printed = run(PARAMETERS_BLOCK, env)
    assert printed.startswith(f"Model structure: {MODEL_REPR}\n\n\n")
    layers = printed[len(f"Model structure: {MODEL_REPR}\n\n\n"):].split("\n\n")
    assert layers[-1] == ""
    shapes = {"0": "512, 784", "2": "512, 512", "4": "10, 512"}
    row = rf"\[ ?{NUM},  ?{NUM},  ?{NUM},  \.\.\.,  ?{NUM},  ?{NUM},  ?{NUM}\]"
    for k, (w, b) in zip(shapes, zip(layers[0:6:2], layers[1:6:2])):
        assert re.fullmatch(
            rf"Layer: linear_relu_stack\.{k}\.weight \| Size: numtorch\.Size\(\[{shapes[k]}\]\)"
            rf" \| Values : tensor\(\[{row},\n {{8}}{row}\],\n {{7}}grad_fn=<SliceBackward0>\) ",
            w)
        size = shapes[k].split(",")[0]
        assert re.fullmatch(
            rf"Layer: linear_relu_stack\.{k}\.bias \| Size: numtorch\.Size\(\[{size}\]\)"
            rf" \| Values : tensor\(\[ ?{NUM},  ?{NUM}\], grad_fn=<SliceBackward0>\) ", b)


def test_model_parameters_loop_matches_torch_digit_for_digit_after_a_seed():
    code = NETWORK_BLOCK + "\n    torch.manual_seed(2024)\n" + MODEL_BLOCK + PARAMETERS_BLOCK
    assert run(code, {"device": "cpu"}) == as_numtorch_text(run(code, {"device": "cpu"}, "torch"))


# ---------------------------------------------------------------- 6. Optimization

PRELUDE_BLOCK = """
    import torch
    from torch import nn
    from torch.utils.data import DataLoader
    from torchvision import datasets
    from torchvision.transforms import ToTensor

    training_data = datasets.FashionMNIST(
        root="data",
        train=True,
        download=True,
        transform=ToTensor()
    )

    test_data = datasets.FashionMNIST(
        root="data",
        train=False,
        download=True,
        transform=ToTensor()
    )

    train_dataloader = DataLoader(training_data, batch_size=64)
    test_dataloader = DataLoader(test_data, batch_size=64)

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28*28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10),
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    model = NeuralNetwork()
"""

HYPERPARAMETERS_BLOCK = """
    learning_rate = 1e-3
    batch_size = 64
    epochs = 5

    # Initialize the loss function
    loss_fn = nn.CrossEntropyLoss()

    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    print(repr(optimizer))
"""

SGD_REPR = """\
SGD (
Parameter Group 0
    dampening: 0
    differentiable: False
    foreach: None
    fused: None
    lr: 0.001
    maximize: False
    momentum: 0
    nesterov: False
    weight_decay: 0
)"""

LOOPS_BLOCK = r"""
    def train_loop(dataloader, model, loss_fn, optimizer):
        size = len(dataloader.dataset)
        # Set the model to training mode - important for batch normalization and dropout layers
        # Unnecessary in this situation but added for best practices
        model.train()
        for batch, (X, y) in enumerate(dataloader):
            # Compute prediction and loss
            pred = model(X)
            loss = loss_fn(pred, y)

            # Backpropagation
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()

            if batch % 100 == 0:
                loss, current = loss.item(), batch * batch_size + len(X)
                print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


    def test_loop(dataloader, model, loss_fn):
        # Set the model to evaluation mode - important for batch normalization and dropout layers
        # Unnecessary in this situation but added for best practices
        model.eval()
        size = len(dataloader.dataset)
        num_batches = len(dataloader)
        test_loss, correct = 0, 0

        # Evaluating the model with torch.no_grad() ensures that no gradients are computed during test mode
        # also serves to reduce unnecessary gradient computations and memory usage for tensors with requires_grad=True
        with torch.no_grad():
            for X, y in dataloader:
                pred = model(X)
                test_loss += loss_fn(pred, y).item()
                correct += (pred.argmax(1) == y).type(torch.float).sum().item()

        test_loss /= num_batches
        correct /= size
        print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
"""

EPOCHS_BLOCK = r"""
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

    epochs = 10
    for t in range(epochs):
        print(f"Epoch {t+1}\n-------------------------------")
        train_loop(train_dataloader, model, loss_fn, optimizer)
        test_loop(test_dataloader, model, loss_fn)
    print("Done!")
"""

# The notes train 10 epochs over all 60,000 images; the test trains 2 epochs of 10 batches
# and tests on 320 images, keeping the code as written.
SUBSET_BLOCK = """
    from torch.utils.data import Subset
    train_dataloader = DataLoader(Subset(training_data, range(640)), batch_size=64)
    test_dataloader = DataLoader(Subset(test_data, range(320)), batch_size=64)
"""

EPOCH_TEXT = (r"Epoch (\d+)\n-------------------------------\n"
              r"loss: (\d\.\d{6})  \[   64/  640\]\n"
              r"Test Error: \n Accuracy: (\d+\.\d)%, Avg loss: (\d\.\d{6}) \n\n")


def test_first_logged_loss_has_the_notes_form():
    # "loss: 2.302585  [   64/60000]": the first batch of a full epoch, as the notes log it
    loss, batch, batch_size, size = 2.302585093, 0, 64, 60000
    current = batch * batch_size + 64
    assert f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]" == "loss: 2.302585  [   64/60000]"


@needs_fashion_mnist
def test_hyperparameters_loss_and_optimizer_repr(fashion_root):
    env: dict = {}
    printed = run(with_root(PRELUDE_BLOCK, fashion_root) + HYPERPARAMETERS_BLOCK, env)
    assert printed == SGD_REPR + "\n"
    assert repr(env["loss_fn"]) == "CrossEntropyLoss()"
    assert len(env["train_dataloader"]) == 938 and len(env["test_dataloader"]) == 157


def test_sgd_repr_is_torch_s():
    ref = pytest.importorskip("torch")
    assert repr(ref.optim.SGD(ref.nn.Linear(2, 2).parameters(), lr=1e-3)) == SGD_REPR


@needs_fashion_mnist
def test_train_and_test_loops_on_a_subset_print_the_notes_lines(fashion_root):
    env: dict = {}
    code = (with_root(PRELUDE_BLOCK, fashion_root) + HYPERPARAMETERS_BLOCK + LOOPS_BLOCK
            + SUBSET_BLOCK + EPOCHS_BLOCK.replace("epochs = 10", "epochs = 2"))
    numtorch.manual_seed(0)
    printed = run(code, env)
    assert printed.startswith(SGD_REPR + "\n")
    epochs = printed[len(SGD_REPR) + 1:]
    assert re.fullmatch(f"({EPOCH_TEXT}){{2}}Done!\n", epochs)
    (e1, loss1, acc1, avg1), (e2, loss2, acc2, avg2) = re.findall(EPOCH_TEXT, epochs)
    assert (e1, e2) == ("1", "2")
    assert 2.2 < float(loss1) < 2.4  # ~ln(10) before the first step
    assert float(avg2) < float(avg1)  # learning, if slowly, at lr 1e-3
    assert env["model"].training is False  # test_loop left it in eval mode

    # PyTorch, running the same loops from the same initial weights over the same images,
    # logs the same numbers to float32 rounding.
    ref = pytest.importorskip("torch")
    images = np.stack([env["training_data"][i][0].numpy() for i in range(640)])
    labels = env["training_data"].targets.numpy()[:640]
    test_images = np.stack([env["test_data"][i][0].numpy() for i in range(320)])
    test_labels = env["test_data"].targets.numpy()[:320]
    TensorDataset = ref.utils.data.TensorDataset
    torch_env = {
        "training_data": TensorDataset(ref.from_numpy(images), ref.from_numpy(labels)),
        "test_data": TensorDataset(ref.from_numpy(test_images), ref.from_numpy(test_labels)),
        "batch_size": 64, "learning_rate": 1e-3,
    }
    ref.manual_seed(0)
    threads = ref.get_num_threads()
    ref.set_num_threads(1)  # its thread pool spins on a busy 2-core machine
    try:
        torch_printed = reference_epochs(torch_env)
    finally:
        ref.set_num_threads(threads)
    got = [float(v) for v in re.findall(r"\d+\.\d+", epochs)]
    want = [float(v) for v in re.findall(r"\d+\.\d+", torch_printed)]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=2e-6)


def reference_epochs(torch_env: dict) -> str:
    run(NETWORK_BLOCK + "\n    model = NeuralNetwork()\n", torch_env, "torch")
    return run(LOOPS_BLOCK + SUBSET_BLOCK + EPOCHS_BLOCK.replace("epochs = 10", "epochs = 2"),
               torch_env, "torch")


# ---------------------------------------------------------------- 7. Save and Load

VGG_SAVE_BLOCK = """
    import torch
    import torchvision.models as models

    model = models.vgg16()
    torch.save(model.state_dict(), 'model_weights.pth')
"""

VGG_LOAD_BLOCK = """
    model3 = models.vgg16() # we do not specify ``weights``, i.e. create untrained model
    model3.load_state_dict(torch.load('model_weights.pth'))
    print(model3.eval())
"""

VGG_REPR = """\
VGG(
  (features): Sequential(
    (0): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (1): ReLU(inplace=True)
    (2): Conv2d(64, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (3): ReLU(inplace=True)
    (4): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (5): Conv2d(64, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (6): ReLU(inplace=True)
    (7): Conv2d(128, 128, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (8): ReLU(inplace=True)
    (9): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (10): Conv2d(128, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (11): ReLU(inplace=True)
    (12): Conv2d(256, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (13): ReLU(inplace=True)
    (14): Conv2d(256, 256, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (15): ReLU(inplace=True)
    (16): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (17): Conv2d(256, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (18): ReLU(inplace=True)
    (19): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (20): ReLU(inplace=True)
    (21): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (22): ReLU(inplace=True)
    (23): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    (24): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (25): ReLU(inplace=True)
    (26): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (27): ReLU(inplace=True)
    (28): Conv2d(512, 512, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
    (29): ReLU(inplace=True)
    (30): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
  )
  (avgpool): AdaptiveAvgPool2d(output_size=(7, 7))
  (classifier): Sequential(
    (0): Linear(in_features=25088, out_features=4096, bias=True)
    (1): ReLU(inplace=True)
    (2): Dropout(p=0.5, inplace=False)
    (3): Linear(in_features=4096, out_features=4096, bias=True)
    (4): ReLU(inplace=True)
    (5): Dropout(p=0.5, inplace=False)
    (6): Linear(in_features=4096, out_features=1000, bias=True)
  )
)"""

# The vgg16 pattern on the tutorial's NeuralNetwork.
SAVE_WEIGHTS_BLOCK = """
    torch.save(model.state_dict(), 'model_weights.pth')
"""

LOAD_WEIGHTS_BLOCK = """
    model3 = NeuralNetwork()
    model3.load_state_dict(torch.load('model_weights.pth'))
    print(model3.eval())
"""

SAVE_MODEL_BLOCK = """
    # 保存时使用 model，而不是 model.state_dict()
    torch.save(model, 'model.pth')
"""

LOAD_MODEL_BLOCK = """
    # 加载：
    model = torch.load('model.pth')
"""


def test_vgg16_state_dict_save_and_load(tmp_path, monkeypatch):
    # weights='IMAGENET1K_V1' (a download) left out: the machine is offline.
    monkeypatch.chdir(tmp_path)
    env: dict = {}
    assert run(VGG_SAVE_BLOCK + VGG_LOAD_BLOCK, env) == VGG_REPR + "\n"
    assert env["model3"].training is False


def test_state_dict_save_and_load_on_the_tutorial_network(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = cpu_network_env()
    run("model = NeuralNetwork()", env)
    printed = run(SAVE_WEIGHTS_BLOCK + LOAD_WEIGHTS_BLOCK, env)
    assert printed == MODEL_REPR + "\n"
    model, model3 = env["model"], env["model3"]
    assert model3.training is False and model.training is True
    for (k, v), (k3, v3) in zip(model.state_dict().items(), model3.state_dict().items()):
        assert k == k3
        np.testing.assert_array_equal(v.numpy(), v3.numpy())
    x = numtorch.rand(2, 28, 28)
    np.testing.assert_array_equal(model3(x).detach().numpy(), model(x).detach().numpy())

    # the file is PyTorch's checkpoint format: torch loads it as its own state dict
    ref = pytest.importorskip("torch")
    loaded = ref.load("model_weights.pth")
    assert list(loaded) == list(model.state_dict())
    np.testing.assert_array_equal(loaded["linear_relu_stack.4.bias"].numpy(),
                                  model.state_dict()["linear_relu_stack.4.bias"].numpy())


WEIGHTS_ONLY_MESSAGE = (r"(?s)Weights only load failed.*`weights_only` set to `False`.*"
                        r"Unsupported global: GLOBAL {cls} was not an allowed global")


def test_bare_load_of_a_whole_model_fails_as_in_torch_2_13(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = cpu_network_env()
    # pickle finds the class by module and name, as it would in the user's script
    monkeypatch.setattr(sys.modules[__name__], "NeuralNetwork", env["NeuralNetwork"],
                        raising=False)
    run("model = NeuralNetwork()", env)
    run(SAVE_MODEL_BLOCK, env)
    with pytest.raises(pickle.UnpicklingError, match=WEIGHTS_ONLY_MESSAGE.format(
            cls=re.escape(f"{__name__}.NeuralNetwork"))):
        run(LOAD_MODEL_BLOCK, env)

    # the way out the message gives: weights_only=False gives back a working model
    saved = env["model"]
    run("model = torch.load('model.pth', weights_only=False)\nmodel.eval()", env)
    model = env["model"]
    assert type(model) is env["NeuralNetwork"] and model is not saved
    assert model.training is False and repr(model) == MODEL_REPR
    x = numtorch.rand(2, 28, 28)
    np.testing.assert_array_equal(model(x).detach().numpy(), saved(x).detach().numpy())


def test_torch_2_13_refuses_the_bare_load_of_a_whole_model_the_same_way(tmp_path, monkeypatch):
    ref = pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    env = {"torch": ref}
    run(NETWORK_BLOCK.replace("class NeuralNetwork", "class TorchNeuralNetwork"), env, "torch")
    monkeypatch.setattr(sys.modules[__name__], "TorchNeuralNetwork", env["TorchNeuralNetwork"],
                        raising=False)
    run("model = TorchNeuralNetwork()", env, "torch")
    run(SAVE_MODEL_BLOCK, env, "torch")
    with pytest.raises(pickle.UnpicklingError, match=WEIGHTS_ONLY_MESSAGE.format(
            cls=re.escape(f"{__name__}.TorchNeuralNetwork"))):
        run(LOAD_MODEL_BLOCK, env, "torch")
    run("model = torch.load('model.pth', weights_only=False)", env, "torch")
    assert type(env["model"]) is env["TorchNeuralNetwork"]
