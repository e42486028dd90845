#!/usr/bin/env python3
"""Speed of the C KMeans against scikit-learn's, on the same data in the same run.

For each dataset (10000 x 32 float64): sklearn KMeans(n_clusters=10,
n_init=10, random_state=seed).fit(X) and kmeans_bench (kmeans_fit with the
same k, n_init, max_iter, tol) are run alternately, one fit each per repeat,
so that a busy machine slows both alike. Prints the median and best times,
the ratio C / sklearn (below 1: C faster) and both inertias.

Datasets: 'formula' (SPEC.md §7.4's formula with 32 columns; C regenerates
it), 'blobs' (make_blobs, overlapping) and 'uniform' (no structure: the most
Lloyd iterations). The latter two go to a temporary raw float64 file.

Usage (from the repository root, after building bench/kmeans_bench):
    /usr/bin/python3 bench/kmeans_bench.py [--bin bench/kmeans_bench] [--repeat 7]
Threads: both sides use every core by default (sklearn: OpenMP; C: its own
pool); set OMP_NUM_THREADS and pass --threads N to compare at N threads.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs

N, D, K, N_INIT = 10000, 32, 10, 10


def formula(n, d):
    """SPEC.md §7.4 with d columns:
    X[i][j] = 3*[j%10 == i%10] + ((i*7919 + j*104729 + (i*j%97)) % 10007)/10007 - 0.5."""
    i = np.arange(n, dtype=np.int64)[:, None]
    j = np.arange(d, dtype=np.int64)[None, :]
    u = ((i * 7919 + j * 104729 + (i * j % 97)) % 10007) / 10007 - 0.5
    return 3.0 * ((j % 10) == (i % 10)) + u


def datasets():
    yield "formula", formula(N, D), ["--formula", str(N), str(D)]
    blobs = make_blobs(N, D, centers=K, cluster_std=8.0, random_state=0)[0]
    yield "blobs", blobs, None
    yield "uniform", np.random.RandomState(0).uniform(size=(N, D)), None


def run_c(binary, source, seed, threads):
    cmd = [binary] + source + ["--k", str(K), "--n-init", str(N_INIT), "--repeat", "1",
                               "--seed", str(seed)]
    if threads:
        cmd += ["--threads", str(threads)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    m = re.search(r"best_s=([0-9.]+) .*inertia=([0-9.]+)", out)
    return float(m.group(1)), float(m.group(2))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(os.path.dirname(__file__), "kmeans_bench"))
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--threads", type=int, default=0, help="C worker threads (0 = all cores)")
    args = ap.parse_args()
    warnings.simplefilter("ignore")  # n_init FutureWarning of sklearn 1.2

    print("%-8s %10s %10s %10s %10s %7s %14s %14s" % ("data", "sk_med_s", "c_med_s", "sk_best_s",
          "c_best_s", "c/sk", "sk_inertia", "c_inertia"))
    with tempfile.TemporaryDirectory() as tmp:
        for name, X, source in datasets():
            if source is None:
                path = os.path.join(tmp, name + ".f8")
                np.ascontiguousarray(X, dtype="<f8").tofile(path)
                source = ["--raw", path, str(N), str(D)]
            sk_t, c_t, sk_in, c_in = [], [], [], []
            for seed in range(args.repeat):
                t0 = time.perf_counter()
                km = KMeans(n_clusters=K, n_init=N_INIT, random_state=seed).fit(X)
                sk_t.append(time.perf_counter() - t0)
                sk_in.append(km.inertia_)
                t, inertia = run_c(args.bin, source, seed, args.threads)
                c_t.append(t)
                c_in.append(inertia)
            sk_med, c_med = statistics.median(sk_t), statistics.median(c_t)
            print("%-8s %10.4f %10.4f %10.4f %10.4f %7.2f %14.4f %14.4f" % (
                name, sk_med, c_med, min(sk_t), min(c_t), c_med / sk_med, min(sk_in),
                min(c_in)))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
