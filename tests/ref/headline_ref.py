#!/usr/bin/env python3
"""The headline numbers, computed independently: tests/ref/headline_ref.h.

`ftlab eval` turns a checkpoint into the paper's numbers: KMeans on the target
layer's activations over the TEST split, AMI etc. against the DIGITS (not the
binary label) at k = 9, 10, 11, and Figure 2 (each test sequence counted at
its most active unit, per digit). tests/test_experiment.c runs it on a small
fixed network and data set and compares every number with what this script
gets from PyTorch (the activations, from the checkpoint read in its documented
format) and scikit-learn (KMeans with k-means++ and 10 restarts, the scores).
Scoring against the wrong labels, the wrong k or the wrong split then fails.

The data set has structure to find: ten stroke templates (one per digit)
drawn with noise, so clusters and digits are related and each wrong choice
moves the numbers far beyond rounding. From the repository root:

    /usr/bin/python3 tests/ref/headline_ref.py --fixture   # tests/data/headline/*.npy
    ftlab train --data tests/data/headline --hidden 16 --units 8 --epochs 20 --lr 0.003 \\
        --loss proposed --lambda 0.3 --seed 4 --out R
    cp R/checkpoints/final.ckpt tests/data/headline/model.ckpt
    python3 tests/ref/ckpt_relative_data.py tests/data/headline/model.ckpt tests/data/headline
    /usr/bin/python3 tests/ref/headline_ref.py              # tests/ref/headline_ref.h
"""
import os
import sys

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import experiment_ref  # noqa: E402  (the checkpoint reader)
import model_ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "data", "headline")
KS = (9, 10, 11)

# Ten templates of (dx, dy) moves, one per digit; a sequence repeats its moves with noise.
TEMPLATES = [
    [(2, 0), (0, 2), (-2, 0), (0, -2)],            # 0: a square
    [(0, 3), (0, 3)],                              # 1: a line down
    [(3, 0), (0, 2), (-3, 0), (0, 2), (3, 0)],     # 2
    [(3, 0), (-2, 2), (2, 2), (-3, 0)],            # 3
    [(0, 3), (3, 0), (-1, -2), (0, 4)],            # 4
    [(-3, 0), (0, 2), (3, 0), (0, 2), (-3, 0)],    # 5
    [(-2, 2), (0, 2), (2, 0), (0, -2), (-2, 0)],   # 6
    [(3, 0), (-2, 4)],                             # 7
    [(2, 2), (-2, 2), (-2, -2), (2, -2)],          # 8
    [(-2, 0), (0, 2), (2, 0), (0, -2), (0, 4)],    # 9
]


def write_fixture():
    rng = np.random.default_rng(12)
    os.makedirs(FIX, exist_ok=True)
    for split, n in (("train", 1200), ("test", 400)):
        digits = np.arange(n) % 10
        rng.shuffle(digits)
        seqs = []
        for d in digits:
            rows = [[int(rng.integers(3, 9)), int(rng.integers(3, 9)), 0, 0]]
            for _ in range(int(rng.integers(1, 4))):
                for dx, dy in TEMPLATES[d]:
                    rows.append([dx + int(rng.integers(-1, 2)), dy + int(rng.integers(-1, 2)), 0, 0])
            for r in rows[1:]:
                if r[0] == 0 and r[1] == 0:
                    r[1] = 1
            rows[-1][2] = rows[-1][3] = 1
            seqs.append(rows)
        x = np.zeros((n, max(len(s) for s in seqs), 4), dtype=np.int8)
        for i, s in enumerate(seqs):
            x[i, :len(s)] = s
        np.save(os.path.join(FIX, "%s-padded-trailing.npy" % split), x)
        np.save(os.path.join(FIX, "%s-labels.npy" % split), digits.astype(np.int64))


def activations():
    ck = experiment_ref.read_ckpt(os.path.join(FIX, "model.ckpt"))
    K, H = ck["model/fc1.weight"].shape
    net = model_ref.Classifier(H, K).double()
    net.load_state_dict({n: torch.from_numpy(ck["model/" + n].astype(np.float64)).reshape(w.shape)
                         for n, w in net.state_dict().items()}, strict=True)
    x = torch.from_numpy(np.load(os.path.join(FIX, "test-padded-trailing.npy"))).double()
    digits = np.load(os.path.join(FIX, "test-labels.npy"))
    with torch.no_grad():
        logit, a = net(x, model_ref.sequence_lengths(x))
    correct = int(((logit > 0).numpy() == (digits >= 5)).sum())
    return a.numpy(), digits, correct / len(digits)


def main():
    if sys.argv[1:] == ["--fixture"]:
        write_fixture()
        return
    a, digits, accuracy = activations()
    K = a.shape[1]
    rows = []
    for k in KS:
        km = KMeans(n_clusters=k, n_init=10, random_state=0).fit(a)
        p = km.labels_
        rows.append([k, adjusted_mutual_info_score(digits, p, average_method="max"),
                     adjusted_mutual_info_score(digits, p, average_method="arithmetic"),
                     normalized_mutual_info_score(digits, p, average_method="geometric"),
                     adjusted_rand_score(digits, p), km.inertia_])
        print("k=%d AMI_max %.4f (against the binary label: %.4f) inertia %.4f" % (
            k, rows[-1][1], adjusted_mutual_info_score(digits >= 5, p, average_method="max"),
            km.inertia_), file=sys.stderr)
    # Figure 2: each sequence at its most active unit (the first, on ties), per digit.
    actmap = np.zeros((K, 10), dtype=int)
    np.add.at(actmap, (a.argmax(1), digits), 1)
    active = int((actmap.sum(1) > 0).sum())
    print("accuracy %.4f, %d active units\n%s" % (accuracy, active, actmap), file=sys.stderr)
    out = ["/* Generated by tests/ref/headline_ref.py (PyTorch %s, scikit-learn KMeans and"
           % torch.__version__,
           " * metrics) from tests/data/headline. Do not edit. */",
           "#ifndef FTLAB_HEADLINE_REF_H", "#define FTLAB_HEADLINE_REF_H", "",
           "#define HEADLINE_REF_K %d          /* units of FC1 */" % K,
           "#define HEADLINE_REF_N %d        /* test sequences */" % len(digits),
           "#define HEADLINE_REF_ACCURACY %.17g" % accuracy,
           "#define HEADLINE_REF_ACTIVE %d" % active, "",
           "/* k, AMI_max, AMI_arithmetic, NMI_geometric, ARI, inertia (scikit-learn, n_init=10) */",
           "static const double headline_ref_scores[%d][6] = {" % len(KS)]
    out += ["    {%s}," % ", ".join("%.17g" % v for v in r) for r in rows]
    out += ["};", "/* Figure 2: test sequences per (most active unit, digit) */",
            "static const int headline_ref_actmap[%d][10] = {" % K]
    out += ["    {%s}," % ", ".join("%d" % v for v in r) for r in actmap]
    out += ["};", "", "#endif"]
    with open(os.path.join(ROOT, "tests", "ref", "headline_ref.h"), "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
