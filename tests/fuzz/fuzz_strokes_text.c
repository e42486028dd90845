/*
 * fuzz_strokes_text — libFuzzer entry point for the plain-text stroke reader.
 *
 * clang -fsanitize=fuzzer,address,undefined -Isrc tests/fuzz/fuzz_strokes_text.c \
 *     src/strokes_text.c src/util.c -o fuzz_strokes_text \
 *     && ./fuzz_strokes_text -max_total_time=600 tests/fuzz/corpus/strokes_text
 *
 * Any input must give either one "fuzz.txt..." error line and no rows, or
 * rows that keep the format's promises (strokes_text.h: eos/eod 0 or 1, no
 * all-zero row, eos rows do not move, eod only on the last row, which is
 * 0 0 1 1) and that read back the same after being written canonically.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strokes_text.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rows(const int8_t *rows, size_t n)
{
    if (n == 0) __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        const int8_t *r = rows + 4 * i;
        if ((r[2] != 0 && r[2] != 1) || (r[3] != 0 && r[3] != 1) ||
            (r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0) ||
            (r[2] == 1 && (r[0] != 0 || r[1] != 0)) || (r[3] == 1) != (i + 1 == n))
            __builtin_trap();
    }
    const int8_t *last = rows + 4 * (n - 1);
    if (last[0] != 0 || last[1] != 0 || last[2] != 1 || last[3] != 1) __builtin_trap();
}

/* Writes the rows as "%d %d %d %d\n" lines and reads them back: the same rows. */
static void round_trip(const int8_t *rows, size_t n)
{
    char *text = xmallocarray(n, 4 * 5), *p = text, err[FTL_ERRLEN];
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%d %d %d %d\n", rows[4 * i], rows[4 * i + 1], rows[4 * i + 2],
                     rows[4 * i + 3]);
    int8_t *again;
    size_t m;
    if (strokes_text_read_mem(text, (size_t)(p - text), "again.txt", &again, &m, err) != 0 ||
        m != n || memcmp(again, rows, 4 * n) != 0)
        __builtin_trap();
    free(again);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int8_t *rows;
    size_t n;
    char err[FTL_ERRLEN];
    if (strokes_text_read_mem(data, size, "fuzz.txt", &rows, &n, err) != 0) {
        if (rows != NULL || n != 0 || strncmp(err, "fuzz.txt", 8) != 0 || strchr(err, '\n'))
            __builtin_trap();
        return 0;
    }
    check_rows(rows, n);
    round_trip(rows, n);
    free(rows);
    return 0;
}
