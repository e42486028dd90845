/* dataset — loading, validating and batching stroke sequences. See dataset.h. */
#include "dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "npy.h"
#include "seqdata.h"
#include "util.h"

void dataset_init(struct dataset *d, size_t n, size_t total_rows, int dim, const char *source)
{
    memset(d, 0, sizeof *d);
    d->n = n;
    d->dim = dim;
    d->offset = xcalloc(n + 1, sizeof *d->offset);
    d->x = xmallocarray((total_rows ? total_rows : 1) * (size_t)dim, sizeof *d->x);
    d->y = xcalloc(n ? n : 1, 1);
    d->group = xcalloc(n ? n : 1, 1);
    d->source = xstrdup(source ? source : "");
}

void dataset_set_digits(struct dataset *d)
{
    d->ngroups = DATASET_DIGITS;
    d->strokes = 1;
    for (int g = 0; g < DATASET_DIGITS; g++)
        snprintf(d->group_name[g], sizeof d->group_name[g], "%d", g);
    for (size_t i = 0; i < d->n; i++)
        d->y[i] = (uint8_t)dataset_binary(d->group[i]);
}

const char *dataset_class_name(const struct dataset *d, int c)
{
    if (d->ngroups > 0) return c >= 0 && c < d->ngroups ? d->group_name[c] : "?";
    return c == 0 ? "0" : c == 1 ? "1" : "?";
}

static const char *const nan_names[] = {"refuse", "zero", "carry"};

const char *dataset_nan_name(enum dataset_nan n)
{
    return (unsigned)n < 3 ? nan_names[n] : "?";
}

int dataset_nan_from_name(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, nan_names[i]) == 0) return i;
    return -1;
}

void dataset_free(struct dataset *d)
{
    free(d->offset);
    free(d->x);
    free(d->y);
    free(d->group);
    free(d->source);
    memset(d, 0, sizeof *d);
}

void dataset_pair_free(struct dataset_pair *p)
{
    dataset_free(&p->train);
    dataset_free(&p->test);
}

void dataset_truncate(struct dataset *d, size_t n)
{
    if (n < d->n) d->n = n;
}

/* ---- loading ---------------------------------------------------------- */

/* Chunk of sequences converted per read: bounded memory whatever the file. */
#define LOAD_CHUNK 256

/*
 * Reads a padded (N, T, 4) file. Padding rows are exactly the all-zero rows
 * (SPEC.md §2.3), so leading and trailing padding give the same sequences:
 * keep the rows from the first to the last non-zero one, and refuse a zero
 * row inside a sequence, since that would be a padding we cannot place.
 */
static int load_sequences(const char *path, struct dataset *d, char *err)
{
    struct npy_file f;
    if (npy_open(path, &f, err) != 0) return -1;
    const struct npy_header *h = &f.h;
    int rc = -1;
    double *buf = NULL;
    if (h->ndim != 3 || h->shape[2] != DATASET_STROKE_DIM || h->shape[0] == 0 || h->shape[1] == 0) {
        char shape[96] = "";
        for (int i = 0, o = 0; i < h->ndim && o < (int)sizeof shape - 24; i++)
            o += snprintf(shape + o, sizeof shape - o, "%s%zu", i ? ", " : "", h->shape[i]);
        ftl_error(err, "%s: shape (%s) is not (sequences, steps, 4)", path, shape);
        goto out;
    }
    size_t n = h->shape[0], T = h->shape[1];
    if (n > UINT32_MAX || T > UINT32_MAX / n) {
        ftl_error(err, "%s: too many rows (%zu x %zu)", path, n, T);
        goto out;
    }
    size_t seqvals = T * DATASET_STROKE_DIM;
    dataset_init(d, n, n * T, DATASET_STROKE_DIM, path);
    buf = xmallocarray(LOAD_CHUNK * seqvals, sizeof *buf);
    size_t rows = 0;
    for (size_t first = 0; first < n; first += LOAD_CHUNK) {
        size_t m = n - first < LOAD_CHUNK ? n - first : LOAD_CHUNK;
        if (npy_read_f64(&f, first * seqvals, m * seqvals, buf, err) != 0) goto out;
        for (size_t s = 0; s < m; s++) {
            const double *v = buf + s * seqvals;
            size_t lo = T, hi = 0;
            for (size_t t = 0; t < T; t++) {
                const double *r = v + t * DATASET_STROKE_DIM;
                for (int c = 0; c < DATASET_STROKE_DIM; c++) {
                    double x = r[c];
                    if (!isfinite(x)) {
                        ftl_error(err, "%s: sequence %zu, row %zu holds %s", path, first + s, t,
                                  isnan(x) ? "NaN" : "Inf");
                        goto out;
                    }
                    if (x != floor(x) || x < -128 || x > 127) {
                        ftl_error(
                            err,
                            "%s: sequence %zu, row %zu: value %g is not an integer in [-128, 127]",
                            path, first + s, t, x);
                        goto out;
                    }
                }
                if (r[0] != 0 || r[1] != 0 || r[2] != 0 || r[3] != 0) {
                    if (lo == T) lo = t;
                    hi = t + 1;
                }
            }
            if (lo == T) {
                ftl_error(err, "%s: sequence %zu is all zeros (empty)", path, first + s);
                goto out;
            }
            for (size_t t = lo; t < hi; t++) {
                const double *r = v + t * DATASET_STROKE_DIM;
                if (r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0) {
                    ftl_error(err, "%s: sequence %zu has an all-zero row inside it (row %zu)", path,
                              first + s, t);
                    goto out;
                }
                for (int c = 0; c < DATASET_STROKE_DIM; c++)
                    d->x[rows * DATASET_STROKE_DIM + c] = (float)r[c];
                rows++;
            }
            d->offset[first + s + 1] = (uint32_t)rows;
        }
    }
    d->x = xrealloc(d->x, (rows * DATASET_STROKE_DIM + 1) * sizeof *d->x);
    rc = 0;
out:
    free(buf);
    npy_close(&f);
    if (rc != 0 && d->offset) dataset_free(d);
    return rc;
}

static int load_labels(const char *path, struct dataset *d, char *err)
{
    struct npy a;
    if (npy_read(path, &a, err) != 0) return -1;
    int rc = -1;
    size_t n = a.ndim >= 1 ? a.shape[0] : 0;
    if (!npy_dtype_is_integer(a.dtype)) {
        ftl_error(err, "%s: labels have dtype %s; integer digit classes are needed", path,
                  npy_dtype_name(a.dtype));
    } else if (!(a.ndim == 1 || (a.ndim == 2 && a.shape[1] == 1))) {
        ftl_error(err, "%s: labels must be one-dimensional (%d dimensions found)", path, a.ndim);
    } else if (n != d->n) {
        ftl_error(err, "%s: %zu labels for %zu sequences", path, n, d->n);
    } else {
        rc = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t v = npy_get_i64(&a, i);
            if (v < 0 || v >= DATASET_DIGITS) {
                rc =
                    ftl_error(err, "%s: label %zu is %lld, not a digit 0-9", path, i, (long long)v);
                break;
            }
            d->group[i] = (uint8_t)v;
        }
        if (rc == 0) dataset_set_digits(d);
    }
    npy_free(&a);
    return rc;
}

int dataset_load_split(const char *seq_path, const char *label_path, struct dataset *d, char *err)
{
    memset(d, 0, sizeof *d);
    if (load_sequences(seq_path, d, err) != 0) return -1;
    if (load_labels(label_path, d, err) != 0) {
        dataset_free(d);
        return -1;
    }
    return 0;
}

static int same_sequences(const struct dataset *a, const struct dataset *b)
{
    return a->n == b->n && memcmp(a->offset, b->offset, (a->n + 1) * sizeof *a->offset) == 0 &&
           memcmp(a->x, b->x, (size_t)a->offset[a->n] * (size_t)a->dim * sizeof *a->x) == 0;
}

/* The first of names[] present in dir, as a new path; NULL if none. */
static char *first_present(const char *dir, const char *const *names)
{
    for (; *names; names++) {
        char *p = ftl_path_join(dir, *names);
        if (ftl_is_file(p)) return p;
        free(p);
    }
    return NULL;
}

static const char *const train_names[] = {"train-padded-trailing.npy", "train-padded-leading.npy",
                                          NULL};
static const char *const test_names[] = {"test-padded-leading.npy", "test-padded-trailing.npy",
                                         NULL};
static const char *const train_label_names[] = {"train-labels.npy", NULL};
static const char *const test_label_names[] = {"test-labels.npy", NULL};

int dataset_dir_looks_complete(const char *dir)
{
    const char *const *sets[] = {train_names, test_names, train_label_names, test_label_names};
    for (int i = 0; i < 4; i++) {
        char *p = first_present(dir, sets[i]);
        if (!p) return 0;
        free(p);
    }
    return 1;
}

int dataset_load_dir(const char *dir, struct dataset_pair *p, char *err)
{
    memset(p, 0, sizeof *p);
    if (!ftl_is_dir(dir))
        return ftl_error(err, "%s: no such data folder (install the data with 'ftlab data fetch')",
                         dir);
    const char *const *sets[] = {train_names, test_names, train_label_names, test_label_names};
    char *path[4] = {NULL};
    int rc = -1;
    for (int i = 0; i < 4; i++) {
        if (!(path[i] = first_present(dir, sets[i]))) {
            ftl_error(err, "%s: missing %s%s%s", dir, sets[i][0], sets[i][1] ? " or " : "",
                      sets[i][1] ? sets[i][1] : "");
            goto out;
        }
    }
    if (load_sequences(path[0], &p->train, err) != 0 || load_sequences(path[1], &p->test, err) != 0)
        goto out;
    if (same_sequences(&p->train, &p->test)) {
        ftl_error(err,
                  "%s: holds the same sequences as %s (the known upstream defect: its "
                  "trailing-padded test file is a copy of the training file); use "
                  "test-padded-leading.npy",
                  path[1], path[0]);
        goto out;
    }
    if (load_labels(path[2], &p->train, err) != 0 || load_labels(path[3], &p->test, err) != 0)
        goto out;
    free(p->train.source);
    free(p->test.source);
    p->train.source = xstrdup(path[0]);
    p->test.source = xstrdup(path[1]);
    rc = 0;
out:
    for (int i = 0; i < 4; i++)
        free(path[i]);
    if (rc != 0) dataset_pair_free(p);
    return rc;
}

/*
 * The test split alone, for evaluation: the training file of MNIST strokes is
 * six times the test file and an evaluation reads nothing from it. Only the
 * upstream defect needs both (a trailing-padded test file is compared with the
 * training file), so a folder without the leading-padded test file loads all.
 */
static int load_test_dir(const char *dir, struct dataset_pair *p, char *err)
{
    char *seq = ftl_path_join(dir, test_names[0]);
    char *lab = first_present(dir, test_label_names);
    int rc;
    if (!ftl_is_file(seq) || !lab) {
        rc = dataset_load_dir(dir, p, err);
    } else {
        memset(p, 0, sizeof *p);
        rc = dataset_load_split(seq, lab, &p->test, err);
        if (rc == 0) dataset_init(&p->train, 0, 0, p->test.dim, NULL);
    }
    free(seq);
    free(lab);
    return rc;
}

/* ---- any folder -------------------------------------------------------- */

enum dataset_format dataset_dir_format(const char *dir)
{
    static const struct {
        enum dataset_format f;
        const char *a, *b;
    } marks[] = {
        {DATASET_FORMAT_NPZ, "train.npz", "test.npz"},
        {DATASET_FORMAT_NPY, "train_x.npy", "test_x.npy"},
    };
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++) {
        char *a = ftl_path_join(dir, marks[i].a), *b = ftl_path_join(dir, marks[i].b);
        int both = ftl_is_file(a) && ftl_is_file(b);
        free(a);
        free(b);
        if (both) return marks[i].f;
    }
    return dataset_dir_looks_complete(dir) ? DATASET_FORMAT_MNIST : DATASET_FORMAT_NONE;
}

const char *dataset_format_name(enum dataset_format f)
{
    switch (f) {
    case DATASET_FORMAT_NPZ:
        return "sequences (train.npz, test.npz)";
    case DATASET_FORMAT_NPY:
        return "sequences (train_*.npy, test_*.npy)";
    case DATASET_FORMAT_MNIST:
        return "MNIST strokes";
    default:
        return "none";
    }
}

static int load_any(const char *dir, enum dataset_nan nan, int test_only, struct dataset_pair *p,
                    char *err)
{
    memset(p, 0, sizeof *p);
    enum dataset_format f = ftl_is_dir(dir) ? dataset_dir_format(dir) : DATASET_FORMAT_MNIST;
    if (f == DATASET_FORMAT_NPZ || f == DATASET_FORMAT_NPY)
        return seqdata_load(dir, f == DATASET_FORMAT_NPZ, nan, p, err);
    if (f == DATASET_FORMAT_NONE && ftl_is_dir(dir)) {
        /* Name the sequence format too: a folder of neither kind is the likelier mistake. */
        char *t = ftl_path_join(dir, "train.npz");
        int partial = ftl_is_file(t);
        free(t);
        if (partial) return ftl_error(err, "%s: train.npz without test.npz", dir);
        t = ftl_path_join(dir, "train_x.npy");
        partial = ftl_is_file(t);
        free(t);
        if (partial) return ftl_error(err, "%s: train_x.npy without test_x.npy", dir);
    }
    return test_only ? load_test_dir(dir, p, err) : dataset_load_dir(dir, p, err);
}

int dataset_load(const char *dir, enum dataset_nan nan, struct dataset_pair *p, char *err)
{
    return load_any(dir, nan, 0, p, err);
}

int dataset_load_test(const char *dir, enum dataset_nan nan, struct dataset_pair *p, char *err)
{
    return load_any(dir, nan, 1, p, err);
}

/* ---- standardisation -------------------------------------------------- */

void dataset_standardize_fit(const struct dataset *d, double *mean, double *std)
{
    size_t D = (size_t)d->dim, rows = d->offset[d->n];
    for (size_t c = 0; c < D; c++)
        mean[c] = std[c] = 0;
    /* Two passes in double: the mean, then the squared deviations from it. */
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < D; c++)
            mean[c] += d->x[r * D + c];
    for (size_t c = 0; c < D; c++)
        mean[c] = rows ? mean[c] / (double)rows : 0;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < D; c++) {
            double e = d->x[r * D + c] - mean[c];
            std[c] += e * e;
        }
    for (size_t c = 0; c < D; c++) {
        std[c] = rows ? sqrt(std[c] / (double)rows) : 0;
        if (!(std[c] > 1e-12)) std[c] = 1;
    }
}

void dataset_standardize_apply(struct dataset *d, const double *mean, const double *std)
{
    size_t D = (size_t)d->dim, rows = d->offset[d->n];
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < D; c++)
            d->x[r * D + c] = (float)((d->x[r * D + c] - mean[c]) / std[c]);
}

/* ---- statistics ------------------------------------------------------- */

size_t dataset_max_len(const struct dataset *d)
{
    size_t m = 1;
    for (size_t i = 0; i < d->n; i++)
        if (dataset_len(d, i) > m) m = dataset_len(d, i);
    return m;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

void dataset_stats(const struct dataset *d, struct dataset_stats *s)
{
    memset(s, 0, sizeof *s);
    s->n = d->n;
    if (d->n == 0) return;
    size_t *len = xmallocarray(d->n, sizeof *len);
    double sum = 0;
    for (size_t i = 0; i < d->n; i++) {
        len[i] = dataset_len(d, i);
        sum += (double)len[i];
        if (d->ngroups > 0) s->per_group[d->group[i]]++;
        s->per_binary[d->y[i] != 0]++;
    }
    qsort(len, d->n, sizeof *len, cmp_size);
    s->len_min = len[0];
    s->len_max = len[d->n - 1];
    s->len_mean = sum / (double)d->n;
    size_t m = d->n / 2;
    s->len_median = d->n % 2 ? (double)len[m] : 0.5 * (double)(len[m - 1] + len[m]);
    free(len);
}

/* ---- batches ---------------------------------------------------------- */

void batch_init(struct batch *b)
{
    memset(b, 0, sizeof *b);
}

void batch_free(struct batch *b)
{
    free(b->len);
    free(b->nrun);
    free(b->off);
    free(b->index);
    free(b->y);
    free(b->x);
    free(b->sortkey);
    batch_init(b);
}

static void batch_reserve(struct batch *b, int B, int T, size_t rows, int dim)
{
    if (dim != b->dim) { /* another width: the row buffer is sized anew */
        b->dim = dim;
        b->cap_rows = 0;
    }
    if (B > b->cap_B) {
        b->len = xrealloc(b->len, (size_t)B * sizeof *b->len);
        b->index = xrealloc(b->index, (size_t)B * sizeof *b->index);
        b->y = xrealloc(b->y, (size_t)B);
        b->sortkey = xrealloc(b->sortkey, (size_t)B * sizeof *b->sortkey);
        b->cap_B = B;
    }
    if (T > b->cap_T) {
        b->nrun = xrealloc(b->nrun, (size_t)T * sizeof *b->nrun);
        b->off = xrealloc(b->off, (size_t)(T + 1) * sizeof *b->off);
        b->cap_T = T;
    }
    if (rows > b->cap_rows) {
        b->x = xrealloc(b->x, rows * (size_t)dim * sizeof *b->x);
        b->cap_rows = rows;
    }
}

static int cmp_u64_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

void batch_fill(struct batch *b, const struct dataset *d, const uint32_t *idx, int n)
{
    int T = 0;
    size_t rows = 0;
    for (int i = 0; i < n; i++) {
        size_t l = dataset_len(d, idx[i]);
        rows += l;
        if ((int)l > T) T = (int)l;
    }
    batch_reserve(b, n, T, rows, d->dim);
    /* Longest first; among equal lengths, the order given (a stable sort by key). */
    for (int i = 0; i < n; i++)
        b->sortkey[i] = ((uint64_t)dataset_len(d, idx[i]) << 32) | (uint32_t)(n - 1 - i);
    qsort(b->sortkey, (size_t)n, sizeof *b->sortkey, cmp_u64_desc);
    b->B = n;
    b->T = T;
    for (int i = 0; i < n; i++) {
        int pos = n - 1 - (int)(b->sortkey[i] & 0xffffffffu);
        b->index[i] = idx[pos];
        b->len[i] = (int)(b->sortkey[i] >> 32);
        b->y[i] = d->y[idx[pos]];
    }
    int running = n;
    b->off[0] = 0;
    for (int t = 0; t < T; t++) {
        while (running > 0 && b->len[running - 1] <= t)
            running--;
        b->nrun[t] = running;
        b->off[t + 1] = b->off[t] + (size_t)running;
        for (int r = 0; r < running; r++) {
            size_t D = (size_t)d->dim;
            memcpy(b->x + (b->off[t] + (size_t)r) * D, dataset_seq(d, b->index[r]) + (size_t)t * D,
                   D * sizeof *b->x);
        }
    }
}
