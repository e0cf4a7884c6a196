"""One epoch of the tutorial MLP on FashionMNIST, data pipeline included, numtorch beside PyTorch.

numtorch: ``DataLoader(FashionMNIST(transform=ToTensor()), batch_size=64, shuffle=True)``,
exactly the tutorial's code (the in-memory dataset hands the loader whole batches through
``__getitems__``). PyTorch: the same uint8 arrays through a per-sample ``Dataset`` that
does what torchvision's FashionMNIST + ToTensor do for each image (a PIL image, then a
float tensor divided by 255), and ``torch.utils.data.DataLoader`` — the tutorial's pipeline.

Time is measured in this process for both; peak memory (max RSS) in a fresh child process
per framework, since one process cannot tell whose memory is whose.

Targets: numtorch <= 0.7x PyTorch's epoch time, peak memory <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import load_torch, report  # noqa: E402


def numtorch_epoch(data_root: str) -> float:
    import numtorch as torch
    from numtorch import nn
    from numtorch.utils.data import DataLoader
    from numtorch.vision import datasets
    from numtorch.vision.transforms import ToTensor

    training_data = datasets.FashionMNIST(root=data_root, train=True, download=True,
                                          transform=ToTensor())
    return _epoch(torch, nn, DataLoader(training_data, batch_size=64, shuffle=True))


def torch_epoch(data_root: str) -> float:
    import torch
    from PIL import Image
    from torch import nn
    from torch.utils.data import DataLoader, Dataset

    from numtorch.vision import datasets  # only to read the same files into NumPy arrays

    source = datasets.FashionMNIST(root=data_root, train=True, download=True)
    images, labels = source.data.numpy(), source.targets.numpy()

    class PerSample(Dataset):
        """What torchvision's FashionMNIST(transform=ToTensor()) does for one image."""

        def __len__(self):
            return len(labels)

        def __getitem__(self, i):
            pic = Image.fromarray(images[i], mode="L")
            x = torch.from_numpy(np.array(pic, np.uint8, copy=True)).view(28, 28, 1)
            return x.permute(2, 0, 1).contiguous().float().div(255), int(labels[i])

    torch.set_num_threads(os.cpu_count() or 1)
    return _epoch(torch, nn, DataLoader(PerSample(), batch_size=64, shuffle=True))


def _epoch(lib, nn, loader) -> float:
    lib.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                          nn.ReLU(), nn.Linear(512, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = lib.optim.SGD(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    for X, y in loader:
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
        opt.zero_grad()
    return time.perf_counter() - start


def _peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the address space, so a child
    started by a big parent does not inherit the parent's figure (ru_maxrss does)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(framework: str, data_root: str) -> dict:
    """Run one epoch in a fresh process; its time and peak resident memory."""
    out = subprocess.run([sys.executable, __file__, "--child", framework, "--data-root",
                          data_root], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--data-root", default="data")
    p.add_argument("--child", choices=["numtorch", "torch"])
    args = p.parse_args()
    if args.child:
        seconds = (numtorch_epoch if args.child == "numtorch" else torch_epoch)(args.data_root)
        peak = _peak_rss_mb()
        print(json.dumps({"seconds": seconds, "peak_mb": peak}))
        return
    torch = load_torch()
    nt = numtorch_epoch(args.data_root)
    ref = torch_epoch(args.data_root) if torch is not None else None
    report("FashionMNIST epoch, tutorial MLP, batch 64 (time)", nt, ref, 0.7)
    nt_mem = _child("numtorch", args.data_root)["peak_mb"]
    line = f"{'FashionMNIST epoch (peak RSS, fresh process)':<52} numtorch {nt_mem:8.0f} MB"
    if torch is not None:
        ref_mem = _child("torch", args.data_root)["peak_mb"]
        ratio = nt_mem / ref_mem
        line += (f"   torch {ref_mem:8.0f} MB   ratio {ratio:5.2f}x   "
                 f"(target <= 1.5x: {'ok' if ratio <= 1.5 else 'MISSED'})")
    print(line)


if __name__ == "__main__":
    main()
