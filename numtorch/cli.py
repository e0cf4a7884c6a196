"""The ``numtorch`` command: ``train``, ``evaluate``, ``predict`` and ``run``.

    numtorch train                    # the tutorial MLP on FashionMNIST, 10 epochs
    numtorch train --optimizer adam --epochs 3 --out runs/adam
    numtorch evaluate runs/mlp/model.pth
    numtorch predict runs/mlp/model.pth shirt.png boot.jpg
    numtorch run my_pytorch_script.py --its-args

This file only parses arguments; the work is in ``numtorch/_job.py`` (training,
evaluation, prediction) and ``numtorch/_torch_alias.py`` (running a PyTorch
script on numtorch).
"""

from __future__ import annotations

import argparse
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="numtorch",
        description="numtorch: PyTorch's API on NumPy. Train the tutorial model, evaluate it, "
                    "predict with it, or run a PyTorch script on numtorch.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    t = sub.add_parser("train", help="train a model on FashionMNIST (the PyTorch tutorial)")
    t.add_argument("--model", default="mlp", choices=["mlp"],
                   help="the network to train (default: the tutorial's MLP)")
    t.add_argument("--epochs", type=_positive_int, default=10)
    t.add_argument("--batch-size", type=_positive_int, default=64)
    t.add_argument("--lr", type=_positive_float, default=1e-3)
    t.add_argument("--optimizer", default="sgd", choices=["sgd", "adam", "adamw"])
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--data-root", default="data",
                   help="where FashionMNIST lives (root/FashionMNIST/raw/); fetched if missing")
    t.add_argument("--out", default="runs/mlp", help="output folder for the checkpoint, "
                   "metrics.csv, curves.png, predictions.png and config.json")
    t.add_argument("--num-workers", type=_non_negative_int, default=0,
                   help="DataLoader worker processes")
    t.add_argument("--resume", action="store_true",
                   help="continue from the checkpoint in --out")
    t.add_argument("--device", default="cpu", help="cpu (or cuda, where CuPy and a GPU exist)")
    t.add_argument("--train-subset", type=_positive_int, default=None, metavar="N",
                   help="train on the first N training images only (quick runs)")
    t.add_argument("--test-subset", type=_positive_int, default=None, metavar="N",
                   help="test on the first N test images only (quick runs)")

    e = sub.add_parser("evaluate", help="accuracy, per-class accuracy and a confusion matrix")
    e.add_argument("checkpoint", help="model.pth or checkpoint.pth written by `numtorch train`")
    e.add_argument("--data-root", default="data")
    e.add_argument("--batch-size", type=_positive_int, default=256)
    e.add_argument("--out", default=None,
                   help="folder for confusion_matrix.png (default: the checkpoint's folder)")

    r = sub.add_parser("predict", help="the top-3 classes for image files")
    r.add_argument("checkpoint")
    r.add_argument("images", nargs="+", metavar="IMAGE")

    s = sub.add_parser("run", help="run an unmodified PyTorch script on numtorch",
                       description="Runs SCRIPT with `torch` and `torchvision` imports resolved to "
                                   "numtorch and numtorch.vision.")
    s.add_argument("script")
    s.add_argument("args", nargs=argparse.REMAINDER)
    return p


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:  # plain `numtorch`: say what there is
        _parser().print_help()
        return 2
    if args.command == "run":
        from ._torch_alias import run_script
        return run_script(args.script, args.args)
    from . import _job
    try:
        if args.command == "train":
            return _job.train(args)
        if args.command == "evaluate":
            return _job.evaluate(args)
        return _job.predict(args)
    except _job.JobError as e:
        print(f"numtorch {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
