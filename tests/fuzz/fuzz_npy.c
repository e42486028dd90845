/*
 * fuzz_npy — libFuzzer entry point for the .npy reader.
 *
 * clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_npy.c src/npy.c src/util.c \
 *     -o fuzz_npy && ./fuzz_npy -max_total_time=180 tests/fuzz/corpus/npy
 *
 * Any input must give an array or an error: no crash, no overread, no
 * allocation beyond what the input's size warrants.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "npy.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FTL_ERRLEN];
    struct npy a;
    if (npy_read_mem(data, size, "fuzz.npy", &a, err) != 0) {
        if (a.data != NULL || strncmp(err, "fuzz.npy: ", 10) != 0) __builtin_trap();
        return 0;
    }
    /* a success must describe exactly the bytes it was given */
    if (a.count * npy_dtype_size(a.dtype) >= size) __builtin_trap();
    double sum = 0;
    for (size_t i = 0; i < a.count; i++)
        sum += npy_get_f64(&a, i) + (double)npy_get_i64(&a, i);
    (void)sum;
    npy_free(&a);
    return 0;
}
