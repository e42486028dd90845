/*
 * seq8 — a stroke sequence of a dataset as the int8 rows it was before rows became floats
 * (dataset.h), so the tests of stroke data keep comparing bytes and golden hashes.
 */
#ifndef FTLAB_TESTS_SEQ8_H
#define FTLAB_TESTS_SEQ8_H

#include <stdint.h>
#include <stdlib.h>

#include "dataset.h"

/* Rows [first, first + n) of d's x as int8, in a buffer reused by the next call. */
static inline const int8_t *rows8(const struct dataset *d, size_t first, size_t n)
{
    static int8_t *buf;
    static size_t cap;
    size_t need = n * (size_t)d->dim + 1;
    if (need > cap) {
        buf = realloc(buf, need);
        cap = need;
    }
    for (size_t k = 0; k < n * (size_t)d->dim; k++)
        buf[k] = (int8_t)d->x[first * (size_t)d->dim + k];
    return buf;
}

/* Sequence i as int8 rows. */
static inline const int8_t *seq8(const struct dataset *d, size_t i)
{
    return rows8(d, d->offset[i], dataset_len(d, i));
}

#endif
