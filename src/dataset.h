/*
 * dataset — variable-length pen-stroke sequences, stored compactly.
 *
 * Every row is four small integers (dx, dy, eos, eod; SPEC.md §2.3) kept as
 * int8, sequences back to back, with a row offset per sequence: the 60000
 * training digits take ~9.6 MB instead of 224 MB of padded float64.
 */
#ifndef FTLAB_DATASET_H
#define FTLAB_DATASET_H

#include <stddef.h>
#include <stdint.h>

#define DATASET_COLS 4
#define DATASET_CLASSES 10

struct dataset {
    size_t n;         /* sequences */
    uint32_t *offset; /* n+1 row offsets into rows; length of i = offset[i+1]-offset[i] */
    int8_t *rows;     /* offset[n] rows of DATASET_COLS values */
    uint8_t *digit;   /* n digit classes 0-9 */
    char *source;     /* where the data came from, for `data info` */
};

/* The two splits of one data source. */
struct dataset_pair {
    struct dataset train, test;
};

static inline size_t dataset_len(const struct dataset *d, size_t i)
{
    return d->offset[i + 1] - d->offset[i];
}
static inline const int8_t *dataset_seq(const struct dataset *d, size_t i)
{
    return d->rows + (size_t)d->offset[i] * DATASET_COLS;
}
/* The binary task's label: digits 0-4 -> 0, 5-9 -> 1 (SPEC.md §1.1). */
static inline int dataset_binary(uint8_t digit)
{
    return digit >= 5;
}

/*
 * Loads MNIST strokes from a folder with the upstream file names:
 * train-padded-trailing.npy or train-padded-leading.npy, test-padded-leading.npy
 * or test-padded-trailing.npy, train-labels.npy, test-labels.npy. Refuses the
 * upstream defect (a trailing test file identical to the training file).
 */
int dataset_load_dir(const char *dir, struct dataset_pair *p, char *err);
/* One split: a padded (N, T, 4) sequence file and its (N,) label file. */
int dataset_load_split(const char *seq_path, const char *label_path, struct dataset *d, char *err);
/* True when dir holds a loadable set of file names (no contents checked). */
int dataset_dir_looks_complete(const char *dir);

/* Builds a dataset from lengths and rows (the generator uses this). */
void dataset_init(struct dataset *d, size_t n, size_t total_rows, const char *source);
void dataset_free(struct dataset *d);
void dataset_pair_free(struct dataset_pair *p);
/* The first n sequences only (for --limit), in place. */
void dataset_truncate(struct dataset *d, size_t n);

/* The longest sequence (1 for an empty set): sizes the packed buffers of a batch. */
size_t dataset_max_len(const struct dataset *d);

/* Summary figures for `ftlab data info`. */
struct dataset_stats {
    size_t n, len_min, len_max;
    double len_mean, len_median;
    size_t per_digit[DATASET_CLASSES];
    size_t per_binary[2];
};
void dataset_stats(const struct dataset *d, struct dataset_stats *s);

/*
 * A minibatch, sorted by length (longest first) and packed as PyTorch's
 * PackedSequence: step t holds the nrun[t] rows still running, contiguously,
 * starting at packed row off[t]. Row b of step t is packed row off[t] + b.
 * All buffers are sized once for capacity rows and reused (no allocation per step).
 */
struct batch {
    int B;           /* rows in this batch */
    int T;           /* longest length */
    int *len;        /* B lengths, non-increasing */
    int *nrun;       /* T: rows still running at step t */
    size_t *off;     /* T+1: packed row offset of step t; off[T] = sum of len */
    uint32_t *index; /* B: dataset index of each row */
    uint8_t *digit;  /* B: digit class */
    float *x;        /* off[T] x 4 packed input rows, float32 */
    /* capacity and scratch, grown by batch_fill only when a batch needs more */
    int cap_B, cap_T;
    size_t cap_rows;
    uint64_t *sortkey; /* cap_B */
};
void batch_init(struct batch *b);
void batch_free(struct batch *b);
/* Fills b with the sequences idx[0..n) of d, sorted by length. */
void batch_fill(struct batch *b, const struct dataset *d, const uint32_t *idx, int n);

#endif
