#!/usr/bin/env python3
"""Writes the small numpy-made .npy files that tests/test_npy.c reads back.

Run from anywhere: /usr/bin/python3 tests/ref/make_npy_fixtures.py
Output: tests/data/npy/*.npy (a few hundred bytes each). The values below are
repeated literally in tests/test_npy.c; change both together.
"""
import os

import numpy as np
from numpy.lib import format as npformat

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "npy")

F8 = [-1.5, 0.0, 0.25, 1e300, -2.5e-300, 3.141592653589793]  # shape (2, 3)
F4 = [1.5, -0.25, 65504.0]  # shape (3,), exact in float32
I4 = [-2147483648, -1, 0, 1, 2147483647]  # shape (5,)
I2 = [-32768, -1, 258, 32767]  # shape (2, 2)
I8 = [-9223372036854775808, (1 << 40) + 3, 9223372036854775807]  # shape (3,)
I1 = [-128, -1, 0, 127]  # shape (4,)
U1 = [0, 1, 128, 255]  # shape (4,)
V2 = [0.5, -1.0, 2.0, -4.0, 8.0, 1024.0]  # '<f4', shape (3, 2), format 2.0
V3 = [1, -2, 3, -4]  # '<i8', shape (2, 2, 1), format 3.0


def save(name, array, version=None):
    with open(os.path.join(OUT, name), "wb") as f:
        npformat.write_array(f, array, version=version)


def main():
    os.makedirs(OUT, exist_ok=True)
    save("le_f8.npy", np.array(F8, dtype="<f8").reshape(2, 3))
    save("be_f8.npy", np.array(F8, dtype=">f8").reshape(2, 3))
    save("be_f4.npy", np.array(F4, dtype=">f4"))
    save("be_i4.npy", np.array(I4, dtype=">i4"))
    save("be_i2.npy", np.array(I2, dtype=">i2").reshape(2, 2))
    save("be_i8.npy", np.array(I8, dtype=">i8"))
    save("i1.npy", np.array(I1, dtype="i1"))
    save("u1.npy", np.array(U1, dtype="u1"))
    save("v2_f4.npy", np.array(V2, dtype="<f4").reshape(3, 2), version=(2, 0))
    save("v3_i8.npy", np.array(V3, dtype="<i8").reshape(2, 2, 1), version=(3, 0))
    save("scalar_f8.npy", np.array(2.75, dtype="<f8"))
    save("empty_i4.npy", np.zeros((0, 4), dtype="<i4"))
    # Files ftlab must refuse with a clear message.
    save("fortran_f8.npy", np.asfortranarray(np.array(F8).reshape(2, 3)))
    save("complex_c8.npy", np.array([1 + 2j], dtype="<c8"))
    save("structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i2")]))


if __name__ == "__main__":
    main()
