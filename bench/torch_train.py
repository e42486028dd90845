#!/usr/bin/env python3
"""PyTorch twin of `ftlab train` for the speed comparison (bench/run).

The networks are tests/ref/model_ref.py's Classifier and Autoencoder (the
PyTorch twins of src/model.c): GRU(4→H) over pack_padded_sequence batches,
FC1(H→K) + ReLU, FC2(K→1) + BCE with logits; or the sequence autoencoder of
SPEC.md §3.2. Trained as ftlab trains by default: Adam (lr 1e-3), batch 256,
the task loss alone (loss baseline), a shuffled order of the training set.
Each batch is cut to its own longest sequence before packing, as a PyTorch
user would (packing then skips the padding anyway).

Data: the same .npy files ftlab reads (train-padded-trailing.npy, float64
(N, T, 4), and train-labels.npy), from --data, else $FTLAB_DATA, else
$XDG_DATA_HOME/ftlab/mnist-strokes.

It times --steps steps after --warmup steps and prints one line of
key=value fields (parsed by bench/run):
    torch_bench task=classify threads=2 steps=20 seqs=5120 wall_s=... cpu_s=...
        seq_per_s=... blas_core=SkylakeX torch=1.13.0
cpu_s is the process CPU time (all threads) over the timed steps. The
OpenBLAS kernel family in use (blas_core) is read from the OpenBLAS that
torch loaded; set OPENBLAS_CORETYPE before starting to choose it.

    /usr/bin/python3 bench/torch_train.py --task classify --steps 20 --threads 2
"""
import argparse
import ctypes
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
import model_ref  # noqa: E402


def data_dir(arg):
    if arg:
        return arg
    if os.environ.get("FTLAB_DATA"):
        return os.environ["FTLAB_DATA"]
    xdg = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(xdg, "ftlab", "mnist-strokes")


def load_train(directory, limit):
    """Trailing-padded float32 sequences (N, T, 4), lengths (N,), digits (N,)."""
    x = np.load(os.path.join(directory, "train-padded-trailing.npy"), mmap_mode="r")
    digits = np.load(os.path.join(directory, "train-labels.npy"))
    if limit:
        x, digits = x[:limit], digits[:limit]
    x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    return x, model_ref.sequence_lengths(x), torch.from_numpy(digits.astype(np.int64))


def blas_core():
    """The OpenBLAS kernel family of the library torch loaded, or '?'."""
    for name in ("libopenblas.so.0", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name, mode=os.RTLD_LAZY | os.RTLD_NOLOAD)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode()
        except (OSError, AttributeError):
            continue
    return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--task", choices=("classify", "autoencode"), default="classify")
    ap.add_argument("--data", default=None)
    ap.add_argument("--limit", type=int, default=0, help="use the first N sequences only")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--units", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x_all, len_all, dig_all = load_train(data_dir(a.data), a.limit)
    net = (model_ref.Classifier if a.task == "classify" else model_ref.Autoencoder)(a.hidden, a.units)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    order = torch.randperm(x_all.shape[0], generator=torch.Generator().manual_seed(a.seed))

    def step(i):
        idx = order[(i * a.batch) % (len(order) - a.batch + 1):][:a.batch]
        lengths = len_all[idx]
        x = x_all[idx, :int(lengths.max())]
        opt.zero_grad(set_to_none=True)
        if a.task == "classify":
            logit, _ = net(x, lengths)
            loss = net.task_loss(logit, dig_all[idx])
        else:
            xhat, _ = net(x, lengths)
            loss = net.task_loss(x, xhat, lengths)
        loss.backward()
        opt.step()
        return float(loss)

    for i in range(a.warmup):
        step(i)
    w0, c0 = time.perf_counter(), time.process_time()
    for i in range(a.warmup, a.warmup + a.steps):
        loss = step(i)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    seqs = a.steps * a.batch
    print("torch_bench task=%s threads=%d steps=%d seqs=%d wall_s=%.4f cpu_s=%.4f seq_per_s=%.1f "
          "loss=%.4f blas_core=%s torch=%s" % (a.task, a.threads, a.steps, seqs, wall, cpu,
                                               seqs / wall, loss, blas_core(), torch.__version__))


if __name__ == "__main__":
    main()
