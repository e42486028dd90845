#!/usr/bin/env python3
"""Fixtures of the sequence format (src/seqdata.h) for tests/test_seqdata.c and tests/seqdata.sh.

    /usr/bin/python3 tests/ref/make_npz_fixtures.py

tests/data/npz/stored/    train.npz (numpy.savez: stored members) + test.npz, groups.txt
tests/data/npz/deflated/  the same arrays through numpy.savez_compressed (deflated members)
tests/data/npz/npy/       the same arrays as train_x.npy, train_lengths.npy, ... (f8 x)
tests/data/npz/nan/       NaN inside sequences (for --nan zero|carry|refuse)
tests/data/npz-bad/CASE/  one malformed folder per refusal; EXPECT lists "CASE|text of the message"

The arrays follow formulas that tests/test_seqdata.c recomputes: x[i, t, c] = i + t / 10 + c / 100
for t < lengths[i] (padding: -7, which must never be read), lengths[i] = 2 + i % 4 (T = 6),
y[i] = i % 2, groups[i] = i % 3, N = 7 (train) and 5 (test), D = 3.
"""
import os
import shutil
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
T, D = 6, 3


def split(n, dtype=np.float32):
    lengths = 2 + np.arange(n) % 4
    x = np.full((n, T, D), -7.0)
    for i in range(n):
        for t in range(lengths[i]):
            for c in range(D):
                x[i, t, c] = i + t / 10 + c / 100
    return {"x": x.astype(dtype), "lengths": lengths.astype(np.int64),
            "y": (np.arange(n) % 2).astype(np.int64), "groups": (np.arange(n) % 3).astype(np.int32)}


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def write_npz(folder, tr, te, compressed=False, names=("a", "b", "c")):
    save = np.savez_compressed if compressed else np.savez
    save(os.path.join(folder, "train.npz"), **tr)
    save(os.path.join(folder, "test.npz"), **te)
    if names is not None:
        with open(os.path.join(folder, "groups.txt"), "w") as f:
            f.write("".join(n + "\n" for n in names))


def main():
    good = os.path.join(DATA, "npz")
    write_npz(fresh(os.path.join(good, "stored")), split(7), split(5))
    write_npz(fresh(os.path.join(good, "deflated")), split(7), split(5), compressed=True)
    npy = fresh(os.path.join(good, "npy"))
    for name, arrays in (("train", split(7, np.float64)), ("test", split(5, np.float64))):
        for k, v in arrays.items():
            np.save(os.path.join(npy, f"{name}_{k}.npy"), v)
    with open(os.path.join(npy, "groups.txt"), "w") as f:
        f.write("a\nb\nc\n")
    nan = fresh(os.path.join(good, "nan"))
    tr = split(7)
    tr["x"][1, 0, 2] = np.nan  # first step: carry has nothing yet -> 0
    tr["x"][2, 3, 1] = np.nan  # carried from step 2
    write_npz(nan, tr, split(5))

    bad = fresh(os.path.join(DATA, "npz-bad"))
    expect = []

    def case(name, text, tr=None, te=None, names=("a", "b", "c"), compressed=False):
        folder = fresh(os.path.join(bad, name))
        write_npz(folder, tr if tr is not None else split(7), te if te is not None else split(5),
                  compressed, names)
        expect.append(f"{name}|{text}")
        return folder

    t = split(7); t["x"] = t["x"][:, :, 0]
    case("x-2d", "train.npz: x: shape (7, 6) is not (sequences, steps, features)", t)
    t = split(7); t["lengths"][1] = 9
    case("length-beyond-t", "train.npz: lengths: sequence 1 has length 9, not in 1..6", t)
    t = split(7); t["lengths"][4] = 0
    case("length-zero", "train.npz: lengths: sequence 4 has length 0", t)
    t = split(7); t["lengths"] = t["lengths"].astype(np.float64)
    case("length-float", "train.npz: lengths: dtype f8; integers are needed", t)
    t = split(5); t["y"][2] = 2
    case("label-not-binary", "test.npz: y: sequence 2 has label 2, not 0 or 1", None, t)
    t = split(7); t["y"] = t["y"][:6]
    case("label-count", "train.npz: y: 6 entries for 7 sequences (x)", t)
    t = split(7); t["groups"][5] = 3
    case("group-unnamed", "train.npz: groups: sequence 5 is in group 3, not in 0..2", t)
    t = split(7); t["groups"][0] = 40
    case("group-beyond-40", "at most 40 groups", t, None, None)
    t = split(7); t["groups"][3] = -1
    case("group-negative", "train.npz: groups: sequence 3 is in group -1", t)
    t = split(7); t["x"][3, 1, 2] = np.nan
    case("nan", "train.npz: x: sequence 3, step 1, feature 2 is NaN", t)
    t = split(7); t["x"][2, 0, 0] = np.inf
    case("inf", "train.npz: x: sequence 2, step 0, feature 0 is Inf", t)
    t = split(5); t["x"] = np.zeros((5, T, 4), np.float32)
    case("width-differs", "test.npz: x: 4 features in the test split, 3 in the training split",
         None, t)
    t = split(7); del t["y"]
    case("no-y", "train.npz: no array 'y'", t)
    t = split(5); del t["groups"]
    case("groups-one-split", "test.npz: groups: missing, while the other split has them", None, t)
    folder = case("groups-txt-long", "groups.txt: line 2: a group name longer than 31 bytes")
    with open(os.path.join(folder, "groups.txt"), "w") as f:
        f.write("a\n" + "b" * 32 + "\nc\n")
    folder = case("not-zip", "train.npz: not a readable .npz archive")
    with open(os.path.join(folder, "train.npz"), "wb") as f:
        f.write(b"PK\x03\x04 this is not a zip archive at all")
    # A deflated member whose bytes are damaged: libzip's inflate or CRC check refuses it.
    folder = case("damaged-member", "train.npz: x: damaged member", compressed=True)
    path = os.path.join(folder, "train.npz")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("x.npy")
    raw = bytearray(open(path, "rb").read())
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    for k in range(start + 8, start + info.compress_size - 4):
        raw[k] ^= 0x5A
    open(path, "wb").write(bytes(raw))
    t = split(7); t["x"] = np.zeros((0, T, D), np.float32)
    for k in ("lengths", "y", "groups"):
        t[k] = t[k][:0]
    case("empty", "train.npz: x: shape (0, 6, 3) is not (sequences, steps, features)", t)
    folder = fresh(os.path.join(bad, "half"))
    np.savez(os.path.join(folder, "train.npz"), **split(7))
    expect.append("half|train.npz without test.npz")
    with open(os.path.join(bad, "EXPECT"), "w") as f:
        f.write("".join(e + "\n" for e in expect))


if __name__ == "__main__":
    main()
