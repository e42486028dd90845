#!/usr/bin/env python3
"""The experiment end to end, computed independently: tests/ref/experiment_ref.h.

tests/test_experiment.c runs `ftlab train`, `ftlab replay` and (through
tests/experiment-tui.sh) the workbench on a tiny fixed data set from a fixed
initial checkpoint, and compares the weights they end with, and every row of
their metrics.csv, with the numbers this script computes in PyTorch (float64)
from the same data and the same initial weights, using the plain networks of
model_ref.py. Nothing here uses ftlab's code: the checkpoint is read from its
documented format (src/checkpoint.h), the data written here as .npy.

So a run that is secretly the baseline, swaps lambda and the margin, applies
a journal's change one step late, or misreads a key, ends with other weights.

Two modes, from the repository root:

    /usr/bin/python3 tests/ref/experiment_ref.py --fixture
        writes the data set tests/data/experiment/*.npy (12 training and 8 test
        sequences, MNIST-strokes layout); then make the initial checkpoints once:
        for T in classify autoencode: ftlab train --data tests/data/experiment
        --task T --hidden 6 --units 5 --steps 1 --seed 7 --out R && cp
        R/checkpoints/initial.ckpt tests/data/experiment/init-T.ckpt
        (then tests/ref/ckpt_relative_data.py on each: no absolute path in a fixture)
    /usr/bin/python3 tests/ref/experiment_ref.py
        reads them and writes tests/ref/experiment_ref.h.
"""
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model_ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "data", "experiment")
N_TRAIN, N_TEST, BATCH = 12, 8, 6
H, K = 6, 5
LOSSES = model_ref.REGULARISERS


# ---- the data set ----

def sequence(i):
    """Sequence i: rows like the real ones (a start point, small moves, eos, eod last)."""
    length = 3 + (i * 7) % 9
    rows = []
    for t in range(length):
        dx = 4 + i % 5 if t == 0 else (i * 2 + t) % 5 - 2
        dy = 7 - i % 3 if t == 0 else (i + 3 * t) % 5 - 2
        eos = int(t + 1 == length or t % 3 == 2)
        eod = int(t + 1 == length)
        if dx == 0 and dy == 0 and not eos:
            dy = 1
        rows.append([dx, dy, eos, eod])
    return rows


def write_fixture():
    os.makedirs(FIX, exist_ok=True)
    for split, first, n in (("train", 0, N_TRAIN), ("test", 100, N_TEST)):
        seqs = [sequence(first + i) for i in range(n)]
        x = np.zeros((n, max(len(s) for s in seqs), 4), dtype=np.int32)
        for i, s in enumerate(seqs):
            x[i, :len(s)] = s
        # Digits chosen so both classes are in every batch of 6.
        digits = np.array([(first + i * 3) % 10 for i in range(n)], dtype=np.int64)
        np.save(os.path.join(FIX, "%s-padded-trailing.npy" % split), x)
        np.save(os.path.join(FIX, "%s-labels.npy" % split), digits)


def load_split(split):
    x = torch.from_numpy(np.load(os.path.join(FIX, "%s-padded-trailing.npy" % split))).double()
    digits = torch.from_numpy(np.load(os.path.join(FIX, "%s-labels.npy" % split)))
    return x, model_ref.sequence_lengths(x), digits


# ---- ftlab's checkpoint format (src/checkpoint.h), read independently ----

def read_ckpt(path):
    """{record name: numpy array or str} of a version-1 checkpoint."""
    data = open(path, "rb").read()
    assert data[:8] == b"FTLABCKP", path
    version, count = struct.unpack_from("<II", data, 8)
    assert version == 1
    off, out = 16, {}
    types = {1: "<f4", 2: "<f8", 3: "<u4", 4: "<u8", 5: "<i8"}
    for _ in range(count):
        (n,) = struct.unpack_from("<I", data, off)
        name = data[off + 4:off + 4 + n].decode()
        off += 4 + n
        tag, ndim = struct.unpack_from("<II", data, off)
        off += 8
        shape = struct.unpack_from("<%dQ" % ndim, data, off)
        off += 8 * ndim
        (nbytes,) = struct.unpack_from("<Q", data, off)
        off += 8
        raw = data[off:off + nbytes]
        off += nbytes
        out[name] = raw.decode() if tag in (6, 7) else np.frombuffer(raw, types[tag]).reshape(shape)
    assert off + 4 == len(data), path
    return out


def initial_net(task):
    ck = read_ckpt(os.path.join(FIX, "init-%s.ckpt" % task))
    net = (model_ref.Classifier if task == "classify" else model_ref.Autoencoder)(H, K).double()
    state = {name: torch.from_numpy(ck["model/" + name].astype(np.float64)).reshape(w.shape)
             for name, w in net.state_dict().items()}
    net.load_state_dict(state, strict=True)
    return net


# ---- training, the plain way ----

def train(task, controls, events, steps):
    """SGD on batches of BATCH sequences in file order (--no-shuffle). controls: the
    starting {loss, lambda, margin, lr}; events: {step: [(key, value)]}, applied before
    that step's batch (the journal's "step S KEY VALUE"). Returns the per-step rows
    (loss, lambda, margin, lr, task, decov, xcov, proposed, total) and the final net."""
    net = initial_net(task)
    x, lengths, digits = load_split("train")
    ctl = dict(controls)
    rows = []
    params = list(net.parameters())
    for step in range(steps):
        for key, value in events.get(step, []):
            ctl[key] = value
        first = (step * BATCH) % N_TRAIN
        idx = torch.arange(first, min(first + BATCH, N_TRAIN))
        xb, lb, db = x[idx], lengths[idx], digits[idx]
        xb = xb[:, :int(lb.max())]
        terms = net.losses(xb, lb, db, ctl["margin"])
        total = model_ref.objective(terms, ctl["loss"], ctl["lambda"])
        grads = torch.autograd.grad(total, params, allow_unused=True)
        with torch.no_grad():
            for p, g in zip(params, grads):
                if g is not None:
                    p -= ctl["lr"] * g
        rows.append((LOSSES.index(ctl["loss"]), ctl["lambda"], ctl["margin"], ctl["lr"],
                     float(terms["task"]), float(terms["decov"]), float(terms["xcov"]),
                     float(terms["proposed"]), float(total)))
    return rows, net


# name, task, starting controls, events {step: [(key, value)]}, steps. Each lambda is
# large enough that its regulariser moves the weights far beyond float32 rounding
# (DeCov and XCov are ~1e-5 and ~1e-8 on these small networks), and the margin is not
# the default, so a run that ignores the loss, lambda or the margin ends elsewhere.
LAMBDA = {"baseline": 0.7, "decov": 1000.0, "xcov": 20000.0, "proposed": 0.7}
MARGIN = 2.5
CASES = (
    [("%s-%s" % (r, task), task, {"loss": r, "lambda": LAMBDA[r], "margin": MARGIN, "lr": lr}, {}, 2)
     for task, lr in (("classify", 0.5), ("autoencode", 0.02)) for r in LOSSES] +
    # A journal that changes every control: replayed by `ftlab replay`.
    [("schedule-classify", "classify",
      {"loss": "baseline", "lambda": 0.35, "margin": 1.5, "lr": 0.25},
      {1: [("loss", "decov"), ("lambda", 1000.0)], 2: [("loss", "proposed"), ("lambda", 0.7)],
       3: [("margin", 2.5), ("lr", 0.5)], 4: [("loss", "xcov"), ("lambda", 20000.0)]}, 5)])


def emit(out, ctype, name, values, fmt):
    out.append("static const %s %s[%d] = {" % (ctype, name, len(values)))
    for k in range(0, len(values), 4):
        out.append("    " + ", ".join(fmt % v for v in values[k:k + 4]) + ",")
    out.append("};")


def main():
    if sys.argv[1:] == ["--fixture"]:
        write_fixture()
        return
    torch.set_default_dtype(torch.float64)
    out = ["/* Generated by tests/ref/experiment_ref.py with PyTorch %s (float64). Do not edit. */"
           % torch.__version__,
           "#ifndef FTLAB_EXPERIMENT_REF_H", "#define FTLAB_EXPERIMENT_REF_H", "",
           "#include <stddef.h>", "",
           "#define EXPERIMENT_REF_H %d" % H, "#define EXPERIMENT_REF_K %d" % K,
           "#define EXPERIMENT_REF_BATCH %d" % BATCH, ""]
    entries = []
    for name, task, ctl, events, steps in CASES:
        rows, net = train(task, ctl, events, steps)
        c = name.replace("-", "_")
        names = list(net.state_dict().keys())
        weights = [v for w in net.state_dict().values() for v in w.reshape(-1).tolist()]
        emit(out, "char *const", "xr_%s_names" % c, ['"%s"' % n for n in names], "%s")
        emit(out, "int", "xr_%s_count" % c, [w.numel() for w in net.state_dict().values()], "%d")
        emit(out, "double", "xr_%s_weights" % c, weights, "%.17g")
        emit(out, "double", "xr_%s_rows" % c, [v for r in rows for v in r], "%.17g")
        ev = [(s, k, v if isinstance(v, str) else "%.17g" % v)
              for s in sorted(events) for k, v in events[s]]
        emit(out, "struct experiment_event", "xr_%s_events" % c,
             ['{%d, "%s", "%s"}' % e for e in ev] or ['{0, NULL, NULL}'], "%s")
        entries.append('    {"%s", "%s", "%s", %.17g, %.17g, %.17g, %d, %d, xr_%s_events, %d, '
                       'xr_%s_names, xr_%s_count, xr_%s_weights, xr_%s_rows},'
                       % (name, task, ctl["loss"], ctl["lambda"], ctl["margin"], ctl["lr"],
                          steps, len(names), c, len(ev), c, c, c, c))
        print("%-20s task %.5f -> %.5f, reg %s" % (name, rows[0][4], rows[-1][4],
              " ".join("%.4g" % r[5 + r[0] - 1] if r[0] else "0" for r in rows)), file=sys.stderr)
    out[4:4] = ["struct experiment_event {", "    int step;", "    const char *key, *value;", "};", ""]
    out += ["",
            "/* One case: `ftlab train --steps STEPS --optimizer sgd --no-shuffle --batch-size",
            " * EXPERIMENT_REF_BATCH --hidden H --units K --init init-TASK.ckpt` with the starting",
            " * controls, the events applied at their steps (the replay case), and what must come",
            " * out: the final weights (state_dict order; count[i] values of names[i]) and per",
            " * step (loss index, lambda, margin, lr, task, decov, xcov, proposed, total). */",
            "struct experiment_ref {",
            "    const char *name, *task, *loss;",
            "    double lambda, margin, lr;",
            "    int steps, nparam;",
            "    const struct experiment_event *events;",
            "    int nevents;",
            "    const char *const *names;",
            "    const int *count;",
            "    const double *weights, *rows;",
            "};",
            "#define EXPERIMENT_REF_COLS 9",
            "static const struct experiment_ref experiment_refs[] = {"] + entries + ["};", "",
                                                                             "#endif"]
    with open(os.path.join(ROOT, "tests", "ref", "experiment_ref.h"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
