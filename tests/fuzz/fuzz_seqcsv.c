/*
 * fuzz_seqcsv — libFuzzer entry point for `ftlab data import`'s CSV parser.
 *
 * clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_seqcsv.c src/seqcsv.c \
 *     src/seqdata.c src/dataset.c src/npz.c src/npy.c src/util.c -lzip -lm -o fuzz_seqcsv \
 *     && ./fuzz_seqcsv -max_total_time=180 tests/fuzz/corpus/seqcsv
 *
 * Any input must give two splits or one error line naming the file.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "seqcsv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FTL_ERRLEN];
    struct dataset_pair p;
    if (seqcsv_parse((const char *)data, size, "fuzz.csv", &p, err) != 0) {
        if (strncmp(err, "fuzz.csv: ", 10) != 0 || strchr(err, '\n')) __builtin_trap();
        return 0;
    }
    const struct dataset *d[2] = {&p.train, &p.test};
    for (int s = 0; s < 2; s++) {
        if (d[s]->n == 0 || d[s]->dim < 1) __builtin_trap();
        for (size_t i = 0; i < d[s]->n; i++)
            if (d[s]->y[i] > 1 || (d[s]->ngroups && d[s]->group[i] >= d[s]->ngroups) ||
                d[s]->offset[i + 1] <= d[s]->offset[i])
                __builtin_trap();
    }
    dataset_pair_free(&p);
    return 0;
}
