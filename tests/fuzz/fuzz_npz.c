/*
 * fuzz_npz — libFuzzer entry point for ftlab's side of .npz archives: libzip
 * opening the archive from memory, npz_read of the four arrays, and the
 * checks of seqdata_from_arrays that turn them into a dataset.
 *
 * clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_npz.c src/npz.c src/npy.c \
 *     src/seqdata.c src/dataset.c src/util.c -lzip -lm -o fuzz_npz \
 *     && ./fuzz_npz -max_total_time=180 tests/fuzz/corpus/npz
 *
 * Any input must give a dataset or one error line naming the archive: no
 * crash, no overread, no allocation beyond what the bytes that decompress
 * warrant.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "npz.h"
#include "seqdata.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FTL_ERRLEN];
    struct npz *z;
    if (npz_open_mem(data, size, "fuzz.npz", &z, err) != 0) {
        if (z != NULL || strncmp(err, "fuzz.npz: ", 10) != 0) __builtin_trap();
        return 0;
    }
    static const char *const names[4] = {"x", "lengths", "y", "groups"};
    struct npy a[4];
    memset(a, 0, sizeof a);
    int rc = 0;
    for (int i = 0; i < 4 && rc == 0; i++)
        if (i < 3 || npz_has(z, names[i])) {
            rc = npz_read(z, names[i], &a[i], err);
            if (rc != 0 && (a[i].data != NULL || strncmp(err, "fuzz.npz: ", 10) != 0))
                __builtin_trap();
        }
    npz_close(z);
    if (rc == 0) {
        struct dataset d;
        for (int nan = 0; nan < 3; nan++) {
            if (seqdata_from_arrays(&a[0], &a[1], &a[2], a[3].data ? &a[3] : NULL, 0,
                                    (enum dataset_nan)nan, "fuzz.npz", &d, err) != 0) {
                if (strncmp(err, "fuzz.npz: ", 10) != 0) __builtin_trap();
                continue;
            }
            /* the contract of dataset.h: finite values, labels 0/1, groups in range */
            for (size_t k = 0; k < (size_t)d.offset[d.n] * (size_t)d.dim; k++)
                if (!isfinite(d.x[k])) __builtin_trap();
            for (size_t i = 0; i < d.n; i++)
                if (d.y[i] > 1 || d.group[i] >= DATASET_MAX_GROUPS ||
                    d.offset[i + 1] <= d.offset[i])
                    __builtin_trap();
            dataset_free(&d);
        }
    }
    for (int i = 0; i < 4; i++)
        npy_free(&a[i]);
    return 0;
}
