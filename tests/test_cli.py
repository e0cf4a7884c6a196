"""The `numtorch` command: train (artefacts, accuracy, --resume), evaluate, predict, run."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import numtorch
from numtorch.cli import main

DEBIAN_COPY = "/usr/share/datasets/fashion-mnist"
needs_fashion_mnist = pytest.mark.skipif(
    not os.path.exists(os.path.join(DEBIAN_COPY, "train-images-idx3-ubyte.gz")),
    reason="FashionMNIST is not installed (apt-get install dataset-fashion-mnist)")


@pytest.fixture(scope="module")
def data_root(tmp_path_factory):
    """One offline FashionMNIST copy shared by the tests (download=True copies the Debian files)."""
    return str(tmp_path_factory.mktemp("data"))


def _train(out, data_root, *extra):
    return main(["train", "--out", str(out), "--data-root", data_root, "--train-subset", "6000",
                 "--test-subset", "1000", "--optimizer", "adam", *extra])


@needs_fashion_mnist
def test_train_one_epoch_writes_every_artefact_and_learns(tmp_path, data_root, capsys):
    out = tmp_path / "run"
    assert _train(out, data_root, "--epochs", "1") == 0
    printed = capsys.readouterr().out
    assert "Epoch 1\n-------------------------------" in printed
    assert "loss: " in printed and "[   64/ 6000]" in printed
    assert "Test Error: \n Accuracy: " in printed and "Done!" in printed
    for name in ("model.pth", "checkpoint.pth", "metrics.csv", "curves.png", "predictions.png",
                 "config.json"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader(open(out / "metrics.csv")))
    assert [r["epoch"] for r in rows] == ["1"]
    assert float(rows[0]["test_accuracy"]) >= 0.70  # Adam, one epoch on 6000 images
    config = json.loads((out / "config.json").read_text())
    assert config["optimizer"] == "adam" and config["epochs"] == 1
    state = numtorch.load(out / "model.pth")
    assert list(state) == ["linear_relu_stack.0.weight", "linear_relu_stack.0.bias",
                           "linear_relu_stack.2.weight", "linear_relu_stack.2.bias",
                           "linear_relu_stack.4.weight", "linear_relu_stack.4.bias"]


@needs_fashion_mnist
def test_model_pth_loads_in_pytorch(tmp_path, data_root):
    torch = pytest.importorskip("torch")
    out = tmp_path / "run"
    assert _train(out, data_root, "--epochs", "1", "--train-subset", "640") == 0
    ours = numtorch.load(out / "model.pth")
    theirs = torch.load(out / "model.pth", weights_only=True)
    for k in ours:
        np.testing.assert_array_equal(ours[k].numpy(), theirs[k].numpy())


@needs_fashion_mnist
def test_resume_gives_the_uninterrupted_result(tmp_path, data_root):
    straight, resumed = tmp_path / "a", tmp_path / "b"
    args = ("--train-subset", "1280", "--test-subset", "500")
    assert _train(straight, data_root, "--epochs", "2", *args) == 0
    assert _train(resumed, data_root, "--epochs", "1", *args) == 0
    assert _train(resumed, data_root, "--epochs", "2", "--resume", *args) == 0
    a, b = numtorch.load(straight / "model.pth"), numtorch.load(resumed / "model.pth")
    for k in a:
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy())
    ra = list(csv.DictReader(open(straight / "metrics.csv")))
    rb = list(csv.DictReader(open(resumed / "metrics.csv")))
    assert [(r["train_loss"], r["test_accuracy"]) for r in ra] == \
        [(r["train_loss"], r["test_accuracy"]) for r in rb]


def test_resume_without_a_checkpoint_is_a_clear_error(tmp_path, capsys):
    assert main(["train", "--out", str(tmp_path), "--resume"]) == 1
    assert "--resume: no checkpoint at" in capsys.readouterr().err


def test_bad_options_are_refused(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--epochs", "0"])
    assert "expected a positive integer, got 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--optimizer", "lion"])
    assert "invalid choice: 'lion'" in capsys.readouterr().err


@needs_fashion_mnist
def test_evaluate_and_predict(tmp_path, data_root, capsys):
    from PIL import Image
    out = tmp_path / "run"
    assert _train(out, data_root, "--epochs", "1", "--train-subset", "1280") == 0
    capsys.readouterr()
    assert main(["evaluate", str(out / "model.pth"), "--data-root", data_root]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Accuracy: ") and "Ankle boot" in printed
    assert (out / "confusion_matrix.png").stat().st_size > 0
    img = tmp_path / "x.png"
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(img)
    assert main(["predict", str(out / "model.pth"), str(img)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"{img}: ") and line.count("%") == 3
    assert main(["predict", str(out / "model.pth"), str(tmp_path / "missing.png")]) == 1
    assert "no such image" in capsys.readouterr().err


def test_evaluate_names_a_bad_checkpoint(tmp_path, capsys):
    bad = tmp_path / "model.pth"
    bad.write_bytes(b"not a checkpoint")
    assert main(["evaluate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "cannot read" in err and str(bad) in err


SCRIPT = """
import sys
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision import transforms

torch.manual_seed(2024)
print(torch.rand(4, 2))
model = nn.Linear(3, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loader = DataLoader(TensorDataset(torch.randn(8, 3), torch.randint(0, 2, (8,))), batch_size=4)
for x, y in loader:
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    opt.step()
    opt.zero_grad()
print(type(transforms.ToTensor()).__module__, sys.argv[1:])
"""


def _run(script_text, tmp_path, *args):
    script = tmp_path / "script.py"
    script.write_text(script_text)
    return subprocess.run([sys.executable, "-m", "numtorch", "run", str(script), *args],
                          capture_output=True, text=True, timeout=120)


def test_run_executes_an_unmodified_pytorch_script(tmp_path):
    r = _run(SCRIPT, tmp_path, "--flag", "x")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[:4] == ["tensor([[0.5317, 0.8313],", "        [0.9718, 0.1193],",
                                          "        [0.1669, 0.3495],", "        [0.2150, 0.6201]])"]
    assert "numtorch.vision.transforms" in r.stdout and "['--flag', 'x']" in r.stdout


def test_run_names_a_missing_pytorch_feature(tmp_path):
    r = _run("import torch\ntorch.export.export(lambda x: x)\n", tmp_path)
    assert r.returncode != 0
    assert "torch.export is not implemented in numtorch" in r.stderr
    r = _run("import torch._dynamo\n", tmp_path)
    assert r.returncode != 0
    assert "numtorch does not implement PyTorch's module 'torch._dynamo'" in r.stderr


def test_run_missing_script(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.py")]) == 2
    assert "no such file" in capsys.readouterr().err


@needs_fashion_mnist
def test_worker_processes_give_the_same_model(tmp_path, data_root):
    args = ("--epochs", "1", "--train-subset", "640", "--test-subset", "200")
    assert _train(tmp_path / "w0", data_root, *args) == 0
    assert _train(tmp_path / "w2", data_root, *args, "--num-workers", "2") == 0
    a, b = numtorch.load(tmp_path / "w0" / "model.pth"), numtorch.load(tmp_path / "w2" / "model.pth")
    for k in a:
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy())


@needs_fashion_mnist
def test_ctrl_c_leaves_a_usable_checkpoint_and_resume_continues(tmp_path, data_root):
    import signal
    import time

    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "numtorch", "train", "--out", str(out), "--data-root", data_root,
           "--train-subset", "640", "--test-subset", "200", "--epochs", "1000"]
    # A shell that runs pytest in the background hands down SIGINT as ignored, and Python
    # then keeps it ignored: give the child the default disposition, as a terminal would.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 120
        while not (out / "metrics.csv").exists() and time.time() < deadline:
            time.sleep(0.2)
        assert (out / "metrics.csv").exists(), "no epoch finished in time"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert "Interrupted." in err and "--resume" in err
    state = numtorch.load(out / "checkpoint.pth")
    done = state["epoch"]
    assert done >= 1
    assert main(["train", "--out", str(out), "--data-root", data_root, "--train-subset", "640",
                 "--test-subset", "200", "--epochs", str(done + 1), "--resume"]) == 0
    rows = list(csv.DictReader(open(out / "metrics.csv")))
    assert [int(r["epoch"]) for r in rows] == list(range(1, done + 2))


def test_ctrl_c_handler_stops_between_batches_then_at_once():
    import os
    import signal

    from numtorch._job import _CtrlC

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with _CtrlC() as ctrl_c:
            ctrl_c.check()  # nothing pressed yet
            os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C only asks to stop
            assert ctrl_c.requested
            with pytest.raises(KeyboardInterrupt):
                ctrl_c.check()
            with pytest.raises(KeyboardInterrupt):  # the second one stops at once
                os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
    finally:
        signal.signal(signal.SIGINT, previous)
