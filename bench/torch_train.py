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

It times --steps steps after --warmup steps (or, with --seconds S, as many
as fit in S seconds) and prints one line of key=value fields per point
(parsed by bench/run and bench/scaling):
    torch_bench task=classify threads=2 hidden=128 units=32 batch=256 steps=20
        seqs=5120 wall_s=... cpu_s=... seq_per_s=... blas_core=SkylakeX torch=1.13.0
--task, --threads, --hidden, --units and --batch take comma lists; every
combination is measured in one process, the data loaded once.
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


def openblas():
    """The OpenBLAS library torch loaded, or None."""
    for name in ("libopenblas.so.0", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name, mode=os.RTLD_LAZY | os.RTLD_NOLOAD)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib
        except (OSError, AttributeError):
            continue
    return None


def blas_core():
    """The OpenBLAS kernel family of the library torch loaded, or '?'."""
    lib = openblas()
    return lib.openblas_get_corename().decode() if lib else "?"


def set_threads(n):
    """n threads for torch's own loops and for the OpenBLAS under it: torch.set_num_threads
    leaves OpenBLAS's pool (one thread per core) alone, and a 1-thread run would use them all."""
    torch.set_num_threads(n)
    lib = openblas()
    if lib and hasattr(lib, "openblas_set_num_threads"):
        lib.openblas_set_num_threads(n)


def ints(text):
    return [int(v) for v in text.split(",")]


def measure(a, task, hidden, units, batch, threads, x_all, len_all, dig_all):
    """One point: (timed steps, wall s, CPU s, last loss) after a.warmup steps, the timed
    steps a.steps, or with --seconds as many as fit in that time (at least a.steps). With
    --seconds, a warm-up step that alone took longer than that is timed instead of repeated
    (first-call costs are small beside such a step)."""
    set_threads(threads)
    torch.manual_seed(a.seed)
    net = (model_ref.Classifier if task == "classify" else model_ref.Autoencoder)(hidden, units)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    order = torch.randperm(x_all.shape[0], generator=torch.Generator().manual_seed(a.seed))

    def step(i):
        idx = order[(i * batch) % (len(order) - batch + 1):][:batch]
        lengths = len_all[idx]
        x = x_all[idx, :int(lengths.max())]
        opt.zero_grad(set_to_none=True)
        if task == "classify":
            logit, _ = net(x, lengths)
            loss = net.task_loss(logit, dig_all[idx])
        else:
            xhat, _ = net(x, lengths)
            loss = net.task_loss(x, xhat, lengths)
        loss.backward()
        opt.step()
        return float(loss)

    w0, c0 = time.perf_counter(), time.process_time()
    for i in range(a.warmup):
        step(i)
        if a.seconds > 0 and i == 0 and time.perf_counter() - w0 > a.seconds:
            return 1, time.perf_counter() - w0, time.process_time() - c0, float("nan")
        w0, c0 = time.perf_counter(), time.process_time()
    i = a.warmup
    while True:
        loss = step(i)
        i += 1
        done = i - a.warmup
        if done >= a.steps and (a.seconds <= 0 or time.perf_counter() - w0 >= a.seconds):
            break
    return done, time.perf_counter() - w0, time.process_time() - c0, loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--task", default="classify", help="classify, autoencode, or both: "
                    "classify,autoencode")
    ap.add_argument("--data", default=None)
    ap.add_argument("--limit", type=int, default=0, help="use the first N sequences only")
    ap.add_argument("--batch", default="256", help="sequences per batch; a list: 64,256")
    ap.add_argument("--hidden", default="128", help="GRU units; a list: 64,128")
    ap.add_argument("--units", default="32", help="FC1 or code units; a list: 32,128")
    ap.add_argument("--threads", default="2", help="torch threads; a list: 1,2")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=20, help="timed steps (the least, with --seconds)")
    ap.add_argument("--seconds", type=float, default=0,
                    help="time steps until this many seconds have passed (and --steps)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--flush-subnormals", action="store_true",
                    help="torch.set_flush_denormal(True), as ftlab flushes them")
    a = ap.parse_args()
    if a.flush_subnormals:
        torch.set_flush_denormal(True)

    tasks = a.task.split(",")
    if any(t not in ("classify", "autoencode") for t in tasks):
        ap.error("--task: classify or autoencode")
    x_all, len_all, dig_all = load_train(data_dir(a.data), a.limit)
    # one line per point, in the order of the lists (bench/run and bench/scaling parse them)
    for task in tasks:
        for threads in ints(a.threads):
            for hidden in ints(a.hidden):
                for units in ints(a.units):
                    for batch in ints(a.batch):
                        steps, wall, cpu, loss = measure(a, task, hidden, units, batch, threads,
                                                         x_all, len_all, dig_all)
                        seqs = steps * batch
                        print("torch_bench task=%s threads=%d hidden=%d units=%d batch=%d steps=%d "
                              "seqs=%d wall_s=%.4f cpu_s=%.4f seq_per_s=%.1f loss=%.4f "
                              "blas_core=%s torch=%s"
                              % (task, threads, hidden, units, batch, steps, seqs, wall, cpu,
                                 seqs / wall, loss, blas_core(), torch.__version__), flush=True)


if __name__ == "__main__":
    main()
