"""The main job: train the PyTorch tutorial's model on FashionMNIST, evaluate it, predict.

``train`` is the tutorial's optimisation loop (``train_loop`` / ``test_loop``
from "Optimizing Model Parameters") written with numtorch exactly as it is
written with PyTorch, plus what a real run needs: a progress bar, a checkpoint
written atomically after every epoch (so Ctrl-C or a crash loses at most the
epoch in progress), ``--resume`` that continues bit-for-bit as if never
stopped, and the artefacts a learner looks at:

    out/model.pth         the trained state_dict, in PyTorch's file format
    out/checkpoint.pth    model + optimiser + RNG states + metrics, for --resume
    out/metrics.csv       epoch, train_loss, test_loss, test_accuracy, seconds
    out/curves.png        loss and accuracy per epoch
    out/predictions.png   a 3x3 grid of test images, true and predicted labels
    out/config.json       the options of the run
"""

from __future__ import annotations

import csv
import json
import os
import signal
import sys
import tempfile
import threading
import time

import numpy as np

import numtorch as torch
from numtorch import nn
from numtorch.utils.data import DataLoader, Subset

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


class JobError(Exception):
    """A problem the user can fix (missing data, a bad checkpoint): printed without a traceback."""


class NeuralNetwork(nn.Module):
    """The tutorial's model: 28x28 image -> 512 -> 512 -> 10 logits."""

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
        x = self.flatten(x)
        return self.linear_relu_stack(x)


MODELS = {"mlp": NeuralNetwork}


# --- data -------------------------------------------------------------------------------

def _datasets(root: str, train_subset=None, test_subset=None):
    from numtorch.vision import datasets
    from numtorch.vision.transforms import ToTensor
    try:
        train = datasets.FashionMNIST(root=root, train=True, download=True, transform=ToTensor())
        test = datasets.FashionMNIST(root=root, train=False, download=True, transform=ToTensor())
    except RuntimeError as e:
        raise JobError(str(e)) from None
    if train_subset is not None:
        train = Subset(train, range(min(train_subset, len(train))))
    if test_subset is not None:
        test = Subset(test, range(min(test_subset, len(test))))
    return train, test


# --- the tutorial's loops ---------------------------------------------------------------

def _train_loop(dataloader, model, loss_fn, optimizer, progress, say, check=lambda: None):
    """One epoch of training; returns the mean training loss. ``check()`` runs before
    every batch (it raises KeyboardInterrupt once Ctrl-C was pressed)."""
    size = len(dataloader.dataset)
    model.train()
    total, batches = 0.0, 0
    for batch, (X, y) in enumerate(dataloader):
        check()
        pred = model(X)
        loss = loss_fn(pred, y)

        loss.backward()
        optimizer.step()
        optimizer.zero_grad()

        loss_value = loss.item()
        total += loss_value
        batches += 1
        progress.update(1)
        if batch % 100 == 0:
            current = batch * dataloader.batch_size + len(X)
            say(f"loss: {loss_value:>7f}  [{current:>5d}/{size:>5d}]")
    return total / max(batches, 1)


def _test_loop(dataloader, model, loss_fn, check=lambda: None):
    """Returns (accuracy in [0, 1], mean loss per batch), as the tutorial computes them."""
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0.0, 0.0
    with torch.no_grad():
        for X, y in dataloader:
            check()
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    return correct / size, test_loss / num_batches


# --- files ------------------------------------------------------------------------------

def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write_text(path: str, text: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_metrics(path: str, rows: list[dict]) -> None:
    import io
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["epoch", "train_loss", "test_loss", "test_accuracy",
                                        "seconds"], lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    _atomic_write_text(path, buf.getvalue())


def _savefig_atomic(fig, path: str) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".png")
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        fig.savefig(tmp, dpi=100)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _plot_curves(path: str, rows: list[dict]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    epochs = [r["epoch"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, [r["train_loss"] for r in rows], "o-", label="train")
    ax1.plot(epochs, [r["test_loss"] for r in rows], "o-", label="test")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy loss")
    ax1.set_title("Loss")
    ax1.legend()
    ax2.plot(epochs, [100 * r["test_accuracy"] for r in rows], "o-", color="tab:green")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy (%)")
    ax2.set_title("Test accuracy")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.set_xticks(epochs)
    fig.tight_layout()
    _savefig_atomic(fig, path)
    plt.close(fig)


def _plot_predictions(path: str, model, test_data, seed: int) -> None:
    """A 3x3 grid of test images with true and predicted labels, like the seed's figure."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    picks = np.random.default_rng(seed).choice(len(test_data), size=9, replace=False)
    model.eval()
    fig = plt.figure(figsize=(8, 8))
    with torch.no_grad():
        for i, index in enumerate(picks, start=1):
            img, label = test_data[int(index)]
            pred = int(model(img.unsqueeze(0)).argmax(1).item())
            ax = fig.add_subplot(3, 3, i)
            ax.set_title(f"{CLASSES[label]}\npredicted: {CLASSES[pred]}",
                         color="green" if pred == label else "red", fontsize=10)
            ax.axis("off")
            ax.imshow(img.squeeze().numpy(), cmap="gray")
    fig.tight_layout()
    _savefig_atomic(fig, path)
    plt.close(fig)


# --- train ------------------------------------------------------------------------------

class _Progress:
    """tqdm bars on a terminal; on a pipe or file, nothing but the tutorial's plain lines."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def start(self, total: int, desc: str) -> None:
        if self.enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=desc, unit="batch", leave=False)

    def update(self, n: int) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def say(self, line: str) -> None:
        if self.bar is not None:
            self.bar.write(line)
        else:
            print(line, flush=True)


def _make_optimizer(name: str, params, lr: float):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    return torch.optim.AdamW(params, lr=lr)


def train(args) -> int:
    if args.device != "cpu":
        torch.device(args.device)  # a malformed name raises here, before any work
        if not torch.cuda.is_available():
            raise JobError(f"--device {args.device}: no GPU is available to numtorch here "
                           "(it needs CuPy and an NVIDIA GPU); use --device cpu")
    os.makedirs(args.out, exist_ok=True)
    ckpt_path = os.path.join(args.out, "checkpoint.pth")
    config = {k: getattr(args, k) for k in ("model", "epochs", "batch_size", "lr", "optimizer",
                                            "seed", "data_root", "num_workers", "device",
                                            "train_subset", "test_subset")}
    config["numtorch_version"] = torch.__version__

    torch.manual_seed(args.seed)
    model = MODELS[args.model]()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = _make_optimizer(args.optimizer, model.parameters(), args.lr)
    loader_gen = torch.Generator().manual_seed(args.seed)
    rows: list[dict] = []
    first_epoch = 0
    if args.resume:
        if not os.path.exists(ckpt_path):
            raise JobError(f"--resume: no checkpoint at {ckpt_path}")
        state = _load(ckpt_path)
        if state["config"]["model"] != args.model:
            raise JobError(f"--resume: {ckpt_path} holds a '{state['config']['model']}' model, "
                           f"not '{args.model}'")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng_state"])
        loader_gen.set_state(state["loader_rng_state"])
        rows = list(state["metrics"])
        first_epoch = int(state["epoch"])
        print(f"Resuming from {ckpt_path} after epoch {first_epoch}", flush=True)
    _atomic_write_text(os.path.join(args.out, "config.json"), json.dumps(config, indent=2) + "\n")

    training_data, test_data = _datasets(args.data_root, args.train_subset, args.test_subset)
    train_dataloader = DataLoader(training_data, batch_size=args.batch_size, shuffle=True,
                                  num_workers=args.num_workers, generator=loader_gen)
    test_dataloader = DataLoader(test_data, batch_size=args.batch_size,
                                 num_workers=args.num_workers)

    progress = _Progress(enabled=sys.stdout.isatty())
    ctrl_c = _CtrlC()
    saved = first_epoch  # the last epoch whose files are complete
    try:
        with ctrl_c:
            for t in range(first_epoch, args.epochs):
                print(f"Epoch {t + 1}\n-------------------------------", flush=True)
                start = time.perf_counter()
                progress.start(len(train_dataloader), desc=f"epoch {t + 1}/{args.epochs}")
                train_loss = _train_loop(train_dataloader, model, loss_fn, optimizer,
                                         progress, progress.say, ctrl_c.check)
                progress.close()
                accuracy, test_loss = _test_loop(test_dataloader, model, loss_fn, ctrl_c.check)
                print(f"Test Error: \n Accuracy: {(100 * accuracy):>0.1f}%, "
                      f"Avg loss: {test_loss:>8f} \n", flush=True)
                rows.append({"epoch": t + 1, "train_loss": round(train_loss, 6),
                             "test_loss": round(test_loss, 6), "test_accuracy": round(accuracy, 6),
                             "seconds": round(time.perf_counter() - start, 2)})
                _save_epoch(args.out, model, optimizer, loader_gen, rows, t + 1, config)
                saved = t + 1
    except KeyboardInterrupt:
        progress.close()
        print(f"\nInterrupted. {ckpt_path} holds the state after epoch {saved}; "
              "continue with --resume.", file=sys.stderr)
        return 130
    _plot_predictions(os.path.join(args.out, "predictions.png"), model, test_data, args.seed)
    print("Done!")
    print(f"Wrote {args.out}/model.pth, checkpoint.pth, metrics.csv, curves.png, "
          "predictions.png, config.json")
    return 0


class _CtrlC:
    """Ctrl-C during training stops the run between two batches, never inside a file write.

    The first Ctrl-C only sets a flag; ``check()``, called before every batch, then raises
    KeyboardInterrupt, so the files of the last finished epoch are complete and agree with
    each other. A second Ctrl-C raises at once. Installed only where Ctrl-C would raise
    KeyboardInterrupt anyway (Python's default handler, main thread).
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self):
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nStopping after this batch (Ctrl-C again to stop at once).", file=sys.stderr,
              flush=True)

    def check(self) -> None:
        if self.requested:
            raise KeyboardInterrupt


def _save_epoch(out, model, optimizer, loader_gen, rows, epoch, config) -> None:
    """Everything of one finished epoch, each file replaced atomically."""
    state = {
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "rng_state": torch.get_rng_state(),
        "loader_rng_state": loader_gen.get_state(),
        "metrics": rows,
        "config": config,
    }
    torch.save(state, os.path.join(out, "checkpoint.pth"))
    torch.save(model.state_dict(), os.path.join(out, "model.pth"))
    _write_metrics(os.path.join(out, "metrics.csv"), rows)
    _plot_curves(os.path.join(out, "curves.png"), rows)


def _load(path: str):
    try:
        return torch.load(path, weights_only=True)
    except FileNotFoundError:
        raise JobError(f"no such file: {path}") from None
    except Exception as e:  # a corrupt or foreign file: say which file and why
        raise JobError(f"cannot read {path}: {e}") from None


def _load_model(path: str):
    """A model from model.pth (a state_dict) or checkpoint.pth; the kind from config.json."""
    state = _load(path)
    config_path = os.path.join(os.path.dirname(os.path.abspath(path)), "config.json")
    kind = "mlp"
    if isinstance(state, dict) and "model" in state and "config" in state:
        kind, state = state["config"]["model"], state["model"]
    elif os.path.exists(config_path):
        with open(config_path) as f:
            kind = json.load(f).get("model", "mlp")
    if kind not in MODELS:
        raise JobError(f"{path}: unknown model kind '{kind}'")
    model = MODELS[kind]()
    try:
        model.load_state_dict(state)
    except (RuntimeError, TypeError, AttributeError) as e:
        raise JobError(f"{path} does not hold a '{kind}' model: {e}") from None
    model.eval()
    return model


# --- evaluate / predict -----------------------------------------------------------------

def evaluate(args) -> int:
    model = _load_model(args.checkpoint)
    _, test_data = _datasets(args.data_root)
    loader = DataLoader(test_data, batch_size=args.batch_size)
    confusion = np.zeros((10, 10), dtype=np.int64)
    with torch.no_grad():
        for X, y in loader:
            pred = model(X).argmax(1)
            np.add.at(confusion, (y.numpy(), pred.numpy()), 1)
    total = confusion.sum()
    print(f"Accuracy: {100 * np.trace(confusion) / total:.1f}% ({np.trace(confusion)}/{total})")
    print("Per class:")
    for i, name in enumerate(CLASSES):
        n = confusion[i].sum()
        print(f"  {name:<12} {100 * confusion[i, i] / max(n, 1):5.1f}%  ({confusion[i, i]}/{n})")
    out = args.out or os.path.dirname(os.path.abspath(args.checkpoint))
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, "confusion_matrix.png")
    _plot_confusion(path, confusion)
    print(f"Wrote {path}")
    return 0


def _plot_confusion(path: str, confusion) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 7))
    im = ax.imshow(confusion, cmap="Blues")
    ax.set_xticks(range(10), CLASSES, rotation=45, ha="right")
    ax.set_yticks(range(10), CLASSES)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(10):
        for j in range(10):
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if confusion[i, j] > confusion.max() / 2 else "black")
    fig.colorbar(im)
    fig.tight_layout()
    _savefig_atomic(fig, path)
    plt.close(fig)


def predict(args) -> int:
    from PIL import Image, UnidentifiedImageError

    from numtorch.vision.transforms import ToTensor
    model = _load_model(args.checkpoint)
    to_tensor = ToTensor()
    for path in args.images:
        try:
            with Image.open(path) as img:
                img = img.convert("L")
                if img.size != (28, 28):
                    img = img.resize((28, 28), Image.BILINEAR)
        except FileNotFoundError:
            raise JobError(f"no such image: {path}") from None
        except UnidentifiedImageError:
            raise JobError(f"not an image Pillow can read: {path}") from None
        with torch.no_grad():
            probs = model(to_tensor(img).unsqueeze(0)).softmax(dim=1)[0]
        top = probs.topk(3)
        ranked = ", ".join(f"{CLASSES[int(i)]} {100 * float(p):.1f}%"
                           for p, i in zip(top.values, top.indices))
        print(f"{path}: {ranked}")
    return 0
