#!/bin/sh
# check_export.sh — do ftlab's exported weights, loaded into the PyTorch classes of
# tests/ref/model_ref.py, compute what ftlab computes?  Not run by `make check` (it
# needs PyTorch); run it by hand after building ftlab:
#
#   tests/ref/check_export.sh [FTLAB]
#
# FTLAB is a built ftlab binary (default ./ftlab). PYTHON may name interpreters to
# try (default "python3 /usr/bin/python3"); the first that imports torch and numpy
# is used.
#
# It writes a small stroke data folder (upstream file names, random strokes), and
# for each task (classify, autoencode) trains 3 steps on the embedded sample with
# small H and K, then runs `ftlab export`, `ftlab embed` and `ftlab eval` on that
# folder's test split. In Python it
#   - loads every NAME.npy with load_state_dict(strict=True) (model_ref.load_export),
#     so a missing, extra or misshapen tensor fails, and checks the shapes against
#     the run's --hidden/--units, that the files are float32 and equal the loaded
#     tensors, and that strict loading into the wrong class or a wrong H is refused;
#   - forwards the test split through the torch network (float64) and compares the
#     target-layer activations with `ftlab embed` (float32 training code: 1e-4 of
#     the largest), and the test accuracy (classify) or the reconstruction error
#     per sequence (autoencode, 1e-4 relative) with `ftlab eval`'s eval.csv.
# Exit status: 0 all held, 1 something failed, 77 no Python with torch and numpy.
set -eu

ftlab=${1:-./ftlab}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -x "$ftlab" ]; then
    echo "check_export: $ftlab: not an executable ftlab" >&2
    exit 1
fi

python=
for p in ${PYTHON:-python3 /usr/bin/python3}; do
    if "$p" -c 'import torch, numpy' 2>/dev/null; then
        python=$p
        break
    fi
done
if [ -z "$python" ]; then
    echo "check_export: SKIP, no python3 with torch and numpy (set PYTHON)"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/ftlab-check-export.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

cat >"$work/check.py" <<'EOF'
"""check.py data DIR | wide DIR | check MODEL_REF_DIR RUN_WORK_DIR TASK H K DATA_DIR [D]"""
import csv
import glob
import os
import sys

import numpy
import torch


def write_data(directory):
    """Random digits shaped like the real rows (SPEC.md §2.3), upstream file names."""
    rng = numpy.random.default_rng(5)
    os.makedirs(directory)
    for split, n in (("train", 40), ("test", 64)):
        seqs = []
        for _ in range(n):
            rows = [[rng.integers(1, 29), rng.integers(2, 29), 0, 0]]
            length = int(rng.integers(5, 41))
            while len(rows) < length - 1:
                if rng.random() < 0.08 and rows[-1][2] == 0:
                    rows.append([0, 0, 1, 0])  # end of a stroke
                    continue
                dx, dy = 0, 0
                while dx == 0 and dy == 0:
                    dx, dy = rng.integers(-1, 2, size=2)
                rows.append([dx, dy, 0, 0])
            rows.append([0, 0, 1, 1])
            seqs.append(rows)
        x = numpy.zeros((n, max(map(len, seqs)), 4))
        for i, rows in enumerate(seqs):
            x[i, :len(rows)] = rows
        numpy.save(os.path.join(directory, split + "-padded-trailing.npy"), x)
        numpy.save(os.path.join(directory, split + "-labels.npy"),
                   rng.integers(0, 10, size=n).astype(numpy.int32))


def write_wide(directory, D=6):
    """Sequences of the general format (train.npz/test.npz) with D values per step."""
    rng = numpy.random.default_rng(6)
    os.makedirs(directory)
    for split, n in (("train", 40), ("test", 64)):
        lengths = rng.integers(1, 21, size=n)
        x = numpy.zeros((n, 20, D), numpy.float32)
        for i in range(n):
            x[i, :lengths[i]] = rng.normal(size=(lengths[i], D))
        numpy.savez_compressed(os.path.join(directory, split + ".npz"), x=x, lengths=lengths,
                               y=rng.integers(0, 2, size=n), groups=rng.integers(0, 3, size=n))


def check_load(model_ref, directory, task, H, K, D=4):
    net = model_ref.load_export(directory)  # load_state_dict(strict=True) inside
    cls = model_ref.Classifier if task == "classify" else model_ref.Autoencoder
    assert type(net) is cls, "%s: loaded as %s" % (task, type(net).__name__)
    expect = cls(H, K, D).state_dict()
    state = net.state_dict()
    files = sorted(glob.glob(os.path.join(directory, "*.npy")))
    assert len(files) == len(expect), "%d files for %d parameters" % (len(files), len(expect))
    for f in files:
        name = os.path.basename(f)[:-4]
        a = numpy.load(f)
        assert a.dtype == numpy.float32, "%s: %s, not float32" % (name, a.dtype)
        assert tuple(a.shape) == tuple(expect[name].shape), \
            "%s: shape %s, expected %s" % (name, a.shape, tuple(expect[name].shape))
        assert torch.equal(state[name], torch.from_numpy(a)), "%s: loaded values differ" % name
    # Strict loading must refuse the other network and another size.
    other = model_ref.Autoencoder(H, K, D) if task == "classify" else model_ref.Classifier(H, K, D)
    for wrong in (other, cls(H + 1, K, D), cls(H, K, D + 1)):
        try:
            wrong.load_state_dict(state, strict=True)
        except RuntimeError:
            continue
        raise AssertionError("strict load into %s(H=%d) was accepted"
                             % (type(wrong).__name__, wrong.target_weight().shape[1]))
    return net, len(files)


def check(model_ref_dir, work, task, H, K, data, D=4):
    sys.path.insert(0, model_ref_dir)
    import model_ref

    net, nfiles = check_load(model_ref, os.path.join(work, "export"), task, H, K, D)
    net = net.double()
    if os.path.exists(os.path.join(data, "test.npz")):
        z = numpy.load(os.path.join(data, "test.npz"))
        x = torch.from_numpy(z["x"].astype(numpy.float64))
        lengths = torch.from_numpy(z["lengths"])
        digits = torch.from_numpy(z["y"] * 5)  # the binary label, as "digit >= 5"
    else:
        x = torch.from_numpy(numpy.load(os.path.join(data, "test-padded-trailing.npy")))
        digits = torch.from_numpy(numpy.load(os.path.join(data, "test-labels.npy")))
        lengths = model_ref.sequence_lengths(x)
    with torch.no_grad():
        first, acts = net(x, lengths)
    ftlab_acts = torch.from_numpy(numpy.load(os.path.join(work, "acts.npy"))).double()
    assert ftlab_acts.shape == acts.shape, "embed wrote %s" % (tuple(ftlab_acts.shape),)
    act_diff = float((ftlab_acts - acts).abs().max() / max(1.0, float(acts.abs().max())))
    with open(os.path.join(work, "eval", "eval.csv")) as f:
        row = next(csv.DictReader(f))
    if task == "classify":
        # A logit within float32 round-off of 0 may fall on either side.
        sure = first.abs() > 1e-4
        correct = (first > 0) == (digits >= 5)
        ours, theirs = float(correct.double().mean()), float(row["test_accuracy"])
        task_ok = abs(ours - theirs) * len(x) <= int((~sure).sum()) + 1e-9
        figure = "test accuracy %.6f, ftlab %.6f" % (ours, theirs)
    else:
        ours = float(net.task_loss(x, first, lengths))  # summed error / batch = per sequence
        theirs = float(row["test_error"])
        task_ok = abs(ours - theirs) <= 1e-4 * abs(ours)
        figure = "reconstruction error %.7g, ftlab %.7g" % (ours, theirs)
    print("check_export: %s D=%d H=%d K=%d: %d tensors loaded strictly; activations vs embed: "
          "worst %.2e of the largest; %s" % (task, D, H, K, nfiles, act_diff, figure))
    assert act_diff < 1e-4, "activations differ from ftlab embed"
    assert task_ok, "task figure differs from ftlab eval"


if __name__ == "__main__":
    if sys.argv[1] == "data":
        write_data(sys.argv[2])
    elif sys.argv[1] == "wide":
        write_wide(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]),
              sys.argv[7], int(sys.argv[8]) if len(sys.argv) > 8 else 4)
EOF

"$python" "$work/check.py" data "$work/data"
H=12
K=6
status=0
for task in classify autoencode; do
    dir=$work/$task
    mkdir "$dir"
    "$ftlab" train --sample --task "$task" --steps 3 --batch-size 32 --hidden $H --units $K \
        --quiet --out "$dir/run"
    "$ftlab" export "$dir/run" "$dir/export" >/dev/null
    "$ftlab" embed "$dir/run" --data "$work/data" --split test --out "$dir/acts.npy" >/dev/null
    "$ftlab" eval "$dir/run" --data "$work/data" --k 3 --n-init 1 --out "$dir/eval" >/dev/null
    if ! "$python" "$work/check.py" check "$here" "$dir" "$task" $H $K "$work/data"; then
        echo "check_export: FAIL $task" >&2
        status=1
    fi
done
# Another input width: the general sequence format with D = 6.
"$python" "$work/check.py" wide "$work/wide"
for task in classify autoencode; do
    dir=$work/wide-$task
    mkdir "$dir"
    "$ftlab" train --data "$work/wide" --task "$task" --steps 3 --batch-size 32 --hidden $H \
        --units $K --quiet --out "$dir/run"
    "$ftlab" export "$dir/run" "$dir/export" >/dev/null
    "$ftlab" embed "$dir/run" --split test --out "$dir/acts.npy" >/dev/null
    "$ftlab" eval "$dir/run" --k 3 --n-init 1 --out "$dir/eval" >/dev/null
    if ! "$python" "$work/check.py" check "$here" "$dir" "$task" $H $K "$work/wide" 6; then
        echo "check_export: FAIL $task D=6" >&2
        status=1
    fi
done
exit $status
