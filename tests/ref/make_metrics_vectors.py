#!/usr/bin/env python3
"""Reference clustering scores for tests/test_metrics.c (writes tests/ref/metrics_vectors.h).

Every case is a pair of labellings drawn by label() below, an integer hash
formula that test_metrics.c evaluates the same way, so the header holds a
dozen numbers per case instead of the labels. The scores come from
scikit-learn (SPEC.md §8.1): mutual_info_score, adjusted_mutual_info_score and
normalized_mutual_info_score with the four average methods,
adjusted_rand_score, the internal expected_mutual_information and entropy,
and accuracy = the best one-to-one matching of the contingency table by
scipy.optimize.linear_sum_assignment(maximize=True).

Run from the repository root:  /usr/bin/python3 tests/ref/make_metrics_vectors.py
"""
import os
import sys

import numpy as np
import scipy
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (adjusted_mutual_info_score, adjusted_rand_score,
                             mutual_info_score, normalized_mutual_info_score)
from sklearn.metrics.cluster import contingency_matrix
from sklearn.metrics.cluster._expected_mutual_info_fast import expected_mutual_information
from sklearn.metrics.cluster._supervised import entropy

M64 = (1 << 64) - 1

# Modes of label(): how a hash value becomes a cluster index.
UNIFORM, SKEWED, DISTINCT, FOLLOW = 0, 1, 2, 3


def mix(seed, i):
    """splitmix64's finaliser of seed * 1000003 + i (uint64 wrap-around)."""
    z = ((seed * 1000003 + i) * 0x9E3779B97F4A7C15) & M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def cluster(mode, seed, k, i):
    h = mix(seed, i)
    if mode == UNIFORM:
        return h % k
    if mode == SKEWED:  # index ~ k * u^2: a few big clusters, many small
        return (((h & 0xFFFFF) ** 2) * k) >> 40
    return i  # DISTINCT


def label(side, i):
    """side = (mode, seed, k, offset, stride, agree, truth side);
    FOLLOW copies the truth cluster (mod k) with probability agree/100."""
    mode, seed, k, offset, stride, agree, truth = side
    if mode == FOLLOW:
        if mix(seed + 7777, i) % 100 < agree:
            c = cluster(truth[0], truth[1], truth[2], i) % k
        else:
            c = cluster(UNIFORM, seed, k, i)
    else:
        c = cluster(mode, seed, k, i)
    return offset + stride * c


def case(n, t, p, note):
    # FOLLOW needs the truth side's mode/seed/k
    p = p + (t,) if len(p) == 6 else p
    t = t + (None,)
    return (n, t, p, note)


CASES = [
    case(1, (UNIFORM, 1, 3, 0, 1, 0), (UNIFORM, 2, 3, 0, 1, 0), "one sample"),
    case(2, (DISTINCT, 0, 0, 0, 1, 0), (UNIFORM, 3, 1, 5, 1, 0), "two classes vs one cluster"),
    case(2, (DISTINCT, 0, 0, 0, 1, 0), (DISTINCT, 0, 0, 9, -1, 0), "two vs two, swapped"),
    case(7, (UNIFORM, 4, 2, 0, 1, 0), (UNIFORM, 5, 3, 0, 1, 0), "tiny"),
    case(50, (UNIFORM, 6, 3, 0, 1, 0), (UNIFORM, 7, 5, 0, 1, 0), "small random"),
    case(50, (UNIFORM, 8, 1, 42, 1, 0), (UNIFORM, 9, 4, 0, 1, 0), "single class"),
    case(50, (UNIFORM, 10, 4, 0, 1, 0), (UNIFORM, 11, 1, -3, 1, 0), "single cluster"),
    case(60, (UNIFORM, 12, 1, 0, 1, 0), (UNIFORM, 13, 1, 0, 1, 0), "single vs single"),
    case(100, (UNIFORM, 14, 5, -1000000007, 1000003, 0), (UNIFORM, 15, 6, 9, -2, 0),
         "negative, sparse label values"),
    case(100, (UNIFORM, 16, 10, 0, 1, 0), (DISTINCT, 0, 0, -50, 1, 0), "all-distinct clusters"),
    case(300, (DISTINCT, 0, 0, 0, 1, 0), (DISTINCT, 0, 0, 0, -3, 0), "both all-distinct"),
    case(300, (UNIFORM, 17, 4, 0, 1, 0), (FOLLOW, 18, 4, 100, 1, 100),
         "same partition, relabelled"),
    case(1000, (UNIFORM, 19, 10, 0, 1, 0), (UNIFORM, 20, 11, 0, 1, 0), "independent 10 vs 11"),
    case(1000, (UNIFORM, 21, 10, 0, 1, 0), (FOLLOW, 22, 10, 0, 1, 90), "90% agreement"),
    case(1000, (SKEWED, 23, 40, 0, 1, 0), (SKEWED, 24, 30, 0, 7, 0), "skewed sizes"),
    case(2000, (UNIFORM, 25, 2, 0, 1, 0), (FOLLOW, 26, 9, 0, 1, 50), "2 classes vs 9"),
    case(2000, (UNIFORM, 27, 700, 0, 1, 0), (UNIFORM, 28, 800, 0, 1, 0), "many small clusters"),
    case(5000, (UNIFORM, 29, 100, 0, 1, 0), (FOLLOW, 30, 50, 0, 1, 60), "100 vs 50"),
    case(10000, (UNIFORM, 31, 10, 0, 1, 0), (FOLLOW, 32, 9, 0, 1, 70), "10 vs 9"),
    case(10000, (UNIFORM, 33, 10, 0, 1, 0), (FOLLOW, 34, 10, 0, 1, 30), "10 vs 10"),
    case(10000, (UNIFORM, 35, 10, 0, 1, 0), (FOLLOW, 36, 11, 0, 1, 80), "10 vs 11"),
    case(10000, (UNIFORM, 37, 10, 0, 1, 0), (UNIFORM, 38, 10, 0, 1, 0), "independent 10 vs 10"),
    case(10000, (SKEWED, 39, 10, 0, 1, 0), (FOLLOW, 40, 12, 0, 1, 75), "skewed 10 vs 12"),
    case(10000, (UNIFORM, 41, 10, 0, 1, 0), (DISTINCT, 0, 0, 0, 1, 0), "10 vs 10000 distinct"),
    case(100000, (UNIFORM, 42, 3, 0, 1, 0), (FOLLOW, 43, 2, 0, 1, 60),
         "n = 1e5: pair counts beyond int64"),
]

FIELDS = ["mi", "emi", "h_true", "h_pred", "ami_max", "ami_arithmetic", "ami_geometric",
          "ami_min", "nmi_arithmetic", "nmi_geometric", "nmi_min", "nmi_max", "ari", "accuracy"]


def scores(t, p):
    n = len(t)
    c = contingency_matrix(t, p, sparse=True).astype(np.float64)
    rows, cols = linear_sum_assignment(c.toarray(), maximize=True)
    r = {
        "mi": mutual_info_score(t, p),
        "emi": expected_mutual_information(c, n),
        "h_true": entropy(t),
        "h_pred": entropy(p),
        "ari": adjusted_rand_score(t, p),
        "accuracy": c.toarray()[rows, cols].sum() / n,
    }
    for m in ("max", "arithmetic", "geometric", "min"):
        r["ami_" + m] = adjusted_mutual_info_score(t, p, average_method=m)
        r["nmi_" + m] = normalized_mutual_info_score(t, p, average_method=m)
    return r, len(np.unique(t)), len(np.unique(p))


def side_c(s):
    mode, seed, k, offset, stride, agree, _ = s
    return "{%d, %d, %d, %dLL, %d, %d}" % (mode, seed, k, offset, stride, agree)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metrics_vectors.h")
    lines = [
        "/* Generated by tests/ref/make_metrics_vectors.py (scikit-learn %s, scipy %s, numpy %s)."
        % (sklearn.__version__, scipy.__version__, np.__version__),
        " * Do not edit. Labels are regenerated by label() in test_metrics.c. */",
        "#ifndef FTLAB_METRICS_VECTORS_H",
        "#define FTLAB_METRICS_VECTORS_H",
        "",
        "#include <stddef.h>",
        "#include <stdint.h>",
        "",
        "enum { MV_UNIFORM, MV_SKEWED, MV_DISTINCT, MV_FOLLOW };",
        "",
        "/* One labelling: label = offset + stride * cluster index (see the script). */",
        "struct mv_side {",
        "    int mode;",
        "    uint64_t seed;",
        "    uint64_t k;",
        "    int64_t offset;",
        "    int64_t stride;",
        "    uint64_t agree; /* MV_FOLLOW: percent of samples copying the truth cluster */",
        "};",
        "",
        "struct mv_case {",
        "    const char *note;",
        "    size_t n;",
        "    struct mv_side truth, pred;",
        "    size_t n_true, n_pred;",
    ]
    lines += ["    double %s;" % f for f in FIELDS]
    lines += ["};", "", "static const struct mv_case mv_cases[] = {"]
    for n, t, p, note in CASES:
        lt = [label(t, i) for i in range(n)]
        lp = [label(p, i) for i in range(n)]
        r, nt, np_ = scores(np.array(lt, dtype=np.int64), np.array(lp, dtype=np.int64))
        vals = [repr(float(r[f])) for f in FIELDS]
        rows = [", ".join(vals[i:i + 4]) for i in range(0, len(vals), 4)]
        lines.append('    {"%s", %d, %s, %s, %d, %d,\n     %s},'
                     % (note, n, side_c(t), side_c(p), nt, np_, ",\n     ".join(rows)))
        print("%-32s n=%5d R=%5d C=%5d ami_max=%.15f" % (note, n, nt, np_, r["ami_max"]),
              file=sys.stderr)
    lines += ["};", "", "#endif", ""]
    with open(out, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
