/*
 * dataset — a set of variable-length multivariate sequences with a binary
 * label each and, optionally, a finer partition ("groups") that the binary
 * label does not name: the ten digits for MNIST strokes, latent patient types
 * for the vitals sample. AMI and Figure 2 are measured against the groups, or
 * against the binary label when a set has none.
 *
 * THE CONTRACT. Sequences are stored back to back: sequence i is rows
 * offset[i] .. offset[i+1]-1 of x, each row dim floats (dim = D, the model's
 * input width). y[i] is 0 or 1 (the task). group[i] < ngroups when ngroups > 0
 * (all zero otherwise); group_name[g] names group g (MNIST: "0".."9"). Every
 * value in x is finite: missing values were refused, zeroed or carried at
 * load time (enum dataset_nan). Pen strokes (strokes = 1) are rows of
 * (dx, dy, eos, eod) integers (SPEC.md §2.3), which "what the network sees"
 * draws as a digit.
 */
#ifndef FTLAB_DATASET_H
#define FTLAB_DATASET_H

#include <stddef.h>
#include <stdint.h>

#define DATASET_STROKE_DIM 4 /* dx, dy, eos, eod */
#define DATASET_DIGITS 10
#define DATASET_MAX_GROUPS 40
#define DATASET_GROUP_NAME 32 /* bytes, the terminator included */
#define DATASET_MAX_DIM 512

struct dataset {
    size_t n;         /* sequences */
    int dim;          /* values per step (D) */
    uint32_t *offset; /* n+1 row offsets into x; length of i = offset[i+1]-offset[i] */
    float *x;         /* offset[n] rows of dim values */
    uint8_t *y;       /* n binary labels 0/1 */
    uint8_t *group;   /* n groups < ngroups (zeros when ngroups = 0) */
    int ngroups;      /* 0: no groups, AMI and Figure 2 use y */
    int strokes;      /* rows are MNIST pen strokes (dim 4) */
    char group_name[DATASET_MAX_GROUPS][DATASET_GROUP_NAME];
    size_t missing; /* NaN values zeroed or carried at load time (--nan) */
    char *source;   /* where the data came from, for `data info` */
};

/* The two splits of one data source. */
struct dataset_pair {
    struct dataset train, test;
};

static inline size_t dataset_len(const struct dataset *d, size_t i)
{
    return d->offset[i + 1] - d->offset[i];
}
static inline const float *dataset_seq(const struct dataset *d, size_t i)
{
    return d->x + (size_t)d->offset[i] * (size_t)d->dim;
}
/* MNIST's binary task: digits 0-4 -> 0, 5-9 -> 1 (SPEC.md §1.1). */
static inline int dataset_binary(uint8_t digit)
{
    return digit >= 5;
}
/* The partition AMI and Figure 2 are measured against: the groups, else the binary label. */
static inline int dataset_nclasses(const struct dataset *d)
{
    return d->ngroups > 0 ? d->ngroups : 2;
}
static inline const uint8_t *dataset_truth(const struct dataset *d)
{
    return d->ngroups > 0 ? d->group : d->y;
}
/* Name of class c of dataset_truth (a group name, or "0"/"1"). */
const char *dataset_class_name(const struct dataset *d, int c);
/* Makes d a digit set: ngroups 10 named "0".."9", y = group >= 5, strokes. */
void dataset_set_digits(struct dataset *d);

/* What to do with a NaN inside a sequence (Inf is always refused). */
enum dataset_nan { DATASET_NAN_REFUSE, DATASET_NAN_ZERO, DATASET_NAN_CARRY };
const char *dataset_nan_name(enum dataset_nan n); /* "refuse", "zero", "carry" */
int dataset_nan_from_name(const char *s);         /* -1 if unknown */

/* The formats a data folder can hold, told apart by the file names present. */
enum dataset_format {
    DATASET_FORMAT_NONE,
    DATASET_FORMAT_NPZ,   /* train.npz, test.npz */
    DATASET_FORMAT_NPY,   /* train_x.npy, test_x.npy, ... */
    DATASET_FORMAT_MNIST, /* train-padded-*.npy, test-padded-*.npy, *-labels.npy */
};
enum dataset_format dataset_dir_format(const char *dir);
const char *dataset_format_name(enum dataset_format f);

/*
 * Loads any folder dataset_dir_format recognises (the sequence formats:
 * seqdata.h; MNIST strokes: below). nan applies to the sequence formats;
 * MNIST rows are refused on any NaN.
 */
int dataset_load(const char *dir, enum dataset_nan nan, struct dataset_pair *p, char *err);
/*
 * What an evaluation needs: the test split, with p->train empty (no
 * sequences, the test split's width). MNIST strokes read only the test files
 * (all four when the leading-padded test file is missing, to refuse the
 * upstream defect); the sequence formats load both splits.
 */
int dataset_load_test(const char *dir, enum dataset_nan nan, struct dataset_pair *p, char *err);

/*
 * Loads MNIST strokes from a folder with the upstream file names:
 * train-padded-trailing.npy or train-padded-leading.npy, test-padded-leading.npy
 * or test-padded-trailing.npy, train-labels.npy, test-labels.npy. Refuses the
 * upstream defect (a trailing test file identical to the training file).
 */
int dataset_load_dir(const char *dir, struct dataset_pair *p, char *err);
/* One MNIST split: a padded (N, T, 4) sequence file and its (N,) digit label file. */
int dataset_load_split(const char *seq_path, const char *label_path, struct dataset *d, char *err);
/* True when dir holds a loadable set of file names (no contents checked). */
int dataset_dir_looks_complete(const char *dir);

/* Allocates a dataset of n sequences, total_rows rows of dim values, labels and groups
 * zeroed, no groups (the generators and loaders fill it). */
void dataset_init(struct dataset *d, size_t n, size_t total_rows, int dim, const char *source);
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
    size_t per_group[DATASET_MAX_GROUPS]; /* ngroups entries */
    size_t per_binary[2];
};
void dataset_stats(const struct dataset *d, struct dataset_stats *s);

/*
 * Per-feature standardisation: mean and std (population; 1 where a feature
 * is constant) over every valid row of d, into mean[dim], std[dim]; then
 * x = (x - mean) / std in place, with the same figures on every split.
 */
void dataset_standardize_fit(const struct dataset *d, double *mean, double *std);
void dataset_standardize_apply(struct dataset *d, const double *mean, const double *std);

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
    uint8_t *y;      /* B: binary label */
    int dim;         /* values per row */
    float *x;        /* off[T] x dim packed input rows, float32 */
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
