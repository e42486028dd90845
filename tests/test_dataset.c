/* Tests for dataset: loading either padding, every rejection, packed batches (the real data:
 * test_realdata). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "fetch.h"
#include "npy.h"
#include "seq8.h"
#include "testutil.h"
#include "util.h"

/* Three short digits in the real format (start point, unit moves, eos, final (0,0,1,1)). */
static const int8_t seq0[][4] = {{5, 8, 0, 0}, {1, -1, 0, 0}, {1, 0, 0, 0}, {0, 0, 1, 1}};
static const int8_t seq1[][4] = {{3, 3, 0, 0},  {0, 1, 0, 0}, {0, 0, 1, 0},
                                 {4, -2, 0, 0}, {1, 1, 0, 0}, {0, 0, 1, 1}};
static const int8_t seq2[][4] = {{9, 9, 0, 0}, {0, 0, 1, 1}};
static const int8_t (*const seqs[3])[4] = {seq0, seq1, seq2};
static const size_t lens[3] = {4, 6, 2};
#define T_PAD 8

/* Writes the three sequences padded to T_PAD rows, leading or trailing, as f8. */
static void write_padded(const char *path, int leading, size_t n)
{
    size_t shape[3] = {n, T_PAD, 4};
    double *v = calloc(n * T_PAD * 4, sizeof *v);
    for (size_t s = 0; s < n; s++) {
        size_t l = lens[s % 3], pad = leading ? T_PAD - l : 0;
        for (size_t t = 0; t < l; t++)
            for (int c = 0; c < 4; c++)
                v[(s * T_PAD + pad + t) * 4 + c] = seqs[s % 3][t][c];
    }
    char err[FTL_ERRLEN];
    assert_int_equal(npy_write(path, NPY_F8, 3, shape, v, err), 0);
    free(v);
}

static void write_labels(const char *path, enum npy_dtype t, size_t n, int first)
{
    int64_t lab[16];
    int32_t lab32[16];
    double labf[16];
    for (size_t i = 0; i < n; i++)
        lab[i] = lab32[i] = (int32_t)(labf[i] = (double)(first + (int)i));
    size_t shape[1] = {n};
    char err[FTL_ERRLEN];
    const void *data = t == NPY_I8 ? (const void *)lab : t == NPY_I4 ? (const void *)lab32 : labf;
    assert_int_equal(npy_write(path, t, 1, shape, data, err), 0);
}

static void check_three(const struct dataset *d)
{
    assert_int_equal(d->n, 3);
    for (size_t s = 0; s < 3; s++) {
        assert_int_equal(dataset_len(d, s), lens[s]);
        assert_memory_equal(seq8(d, s), seqs[s], lens[s] * 4);
    }
}

static void test_leading_and_trailing_identical(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *tr = tmpdir_path(td, "tr.npy"), *le = tmpdir_path(td, "le.npy"),
         *lab = tmpdir_path(td, "lab.npy");
    write_padded(tr, 0, 3);
    write_padded(le, 1, 3);
    write_labels(lab, NPY_I4, 3, 4);
    struct dataset a, b;
    char err[FTL_ERRLEN];
    assert_int_equal(dataset_load_split(tr, lab, &a, err), 0);
    assert_int_equal(dataset_load_split(le, lab, &b, err), 0);
    check_three(&a);
    check_three(&b);
    assert_memory_equal(a.group, ((uint8_t[]){4, 5, 6}), 3);
    assert_memory_equal(a.y, ((uint8_t[]){0, 1, 1}), 3);
    assert_int_equal(a.ngroups, 10);
    assert_int_equal(a.dim, 4);
    dataset_free(&a);
    dataset_free(&b);
    free(tr), free(le), free(lab);
    tmpdir_free(td);
}

/* Writes a (n, T, 4) f8 file from values and expects the load to fail mentioning `what`. */
static void expect_seq_rejected(const double *v, size_t n, size_t T, size_t cols, const char *what)
{
    struct tmpdir *td = tmpdir_new();
    char *sp = tmpdir_path(td, "s.npy"), *lp = tmpdir_path(td, "l.npy");
    size_t shape[3] = {n, T, cols};
    char err[FTL_ERRLEN] = "";
    assert_int_equal(npy_write(sp, NPY_F8, 3, shape, v, err), 0);
    write_labels(lp, NPY_I8, n, 0);
    struct dataset d;
    assert_int_equal(dataset_load_split(sp, lp, &d, err), -1);
    assert_non_null(strstr(err, sp));
    if (!strstr(err, what)) fail_msg("error '%s' does not mention '%s'", err, what);
    free(sp), free(lp);
    tmpdir_free(td);
}

static void test_rejects_bad_values(void **state)
{
    double v[2 * 3 * 4] = {5, 8, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 5, 8, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1};
    v[5] = NAN;
    expect_seq_rejected(v, 2, 3, 4, "NaN");
    v[5] = INFINITY;
    expect_seq_rejected(v, 2, 3, 4, "Inf");
    v[5] = 0.5;
    expect_seq_rejected(v, 2, 3, 4, "not an integer");
    v[5] = 300;
    expect_seq_rejected(v, 2, 3, 4, "not an integer");
    v[5] = 0;
    v[4] = 0; /* row 1 of sequence 0 becomes all zero: inside the sequence */
    expect_seq_rejected(v, 2, 3, 4, "inside");
    double empty[2 * 3 * 4] = {0};
    expect_seq_rejected(empty, 2, 3, 4, "empty");
    expect_seq_rejected(empty, 2, 4, 3, "shape");
}

static void test_rejects_bad_labels(void **state)
{
    struct tmpdir *td = tmpdir_new();
    char *sp = tmpdir_path(td, "s.npy"), *lp = tmpdir_path(td, "l.npy");
    write_padded(sp, 0, 3);
    struct dataset d;
    char err[FTL_ERRLEN];

    write_labels(lp, NPY_I8, 2, 0); /* too few */
    assert_int_equal(dataset_load_split(sp, lp, &d, err), -1);
    assert_non_null(strstr(err, "2 labels for 3 sequences"));
    write_labels(lp, NPY_I8, 3, 8); /* 8, 9, 10 */
    assert_int_equal(dataset_load_split(sp, lp, &d, err), -1);
    assert_non_null(strstr(err, "not a digit"));
    write_labels(lp, NPY_F8, 3, 0); /* float labels */
    assert_int_equal(dataset_load_split(sp, lp, &d, err), -1);
    assert_non_null(strstr(err, "f8"));
    write_labels(lp, NPY_I8, 3, -1);
    assert_int_equal(dataset_load_split(sp, lp, &d, err), -1);
    assert_non_null(strstr(err, lp));
    /* A file that is not .npy at all. */
    assert_int_equal(ftl_write_file(lp, "hello", 5, err), 0);
    assert_int_equal(dataset_load_split(sp, lp, &d, err), -1);
    assert_non_null(strstr(err, lp));
    free(sp), free(lp);
    tmpdir_free(td);
}

static void make_dir_set(struct tmpdir *td, const char *train, const char *test, size_t ntest)
{
    char *p = tmpdir_path(td, train);
    write_padded(p, strstr(train, "leading") != NULL, 3);
    free(p);
    p = tmpdir_path(td, test);
    write_padded(p, strstr(test, "leading") != NULL, ntest);
    free(p);
    p = tmpdir_path(td, "train-labels.npy");
    write_labels(p, NPY_I4, 3, 0);
    free(p);
    p = tmpdir_path(td, "test-labels.npy");
    write_labels(p, NPY_I4, ntest, 0);
    free(p);
}

static void test_load_dir(void **state)
{
    struct tmpdir *td = tmpdir_new();
    struct dataset_pair p;
    char err[FTL_ERRLEN];
    assert_false(dataset_dir_looks_complete(td->path));
    make_dir_set(td, "train-padded-leading.npy", "test-padded-leading.npy", 6);
    assert_true(dataset_dir_looks_complete(td->path));
    assert_int_equal(dataset_load_dir(td->path, &p, err), 0);
    check_three(&p.train);
    assert_int_equal(p.test.n, 6);
    dataset_pair_free(&p);
    tmpdir_free(td);
}

/* An evaluation reads the test split alone; without the leading-padded test file
 * it reads all four, and still refuses the upstream defect. */
static void test_load_test_only(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    make_dir_set(td, "train-padded-leading.npy", "test-padded-leading.npy", 6);
    struct dataset_pair p;
    char err[FTL_ERRLEN];
    assert_int_equal(dataset_load_test(td->path, DATASET_NAN_REFUSE, &p, err), 0);
    assert_int_equal(p.train.n, 0);
    assert_int_equal(p.train.dim, p.test.dim);
    assert_int_equal(p.test.n, 6);
    assert_int_equal(p.test.ngroups, DATASET_DIGITS);
    dataset_pair_free(&p);
    /* a broken training file is not read */
    char *train = tmpdir_path(td, "train-padded-leading.npy");
    FILE *fp = fopen(train, "w");
    assert_non_null(fp);
    fputs("not an npy file", fp);
    fclose(fp);
    free(train);
    assert_int_equal(dataset_load_test(td->path, DATASET_NAN_REFUSE, &p, err), 0);
    dataset_pair_free(&p);
    tmpdir_free(td);

    td = tmpdir_new();
    make_dir_set(td, "train-padded-trailing.npy", "test-padded-trailing.npy", 3);
    assert_int_equal(dataset_load_test(td->path, DATASET_NAN_REFUSE, &p, err), -1);
    assert_non_null(strstr(err, "upstream defect"));
    tmpdir_free(td);
}

/* The upstream defect: a trailing-padded test file that is the training file. */
static void test_refuses_defective_test_file(void **state)
{
    struct tmpdir *td = tmpdir_new();
    make_dir_set(td, "train-padded-trailing.npy", "test-padded-trailing.npy", 3);
    struct dataset_pair p;
    char err[FTL_ERRLEN];
    assert_int_equal(dataset_load_dir(td->path, &p, err), -1);
    assert_non_null(strstr(err, "test-padded-trailing.npy"));
    assert_non_null(strstr(err, "upstream defect"));
    tmpdir_free(td);

    td = tmpdir_new();
    char *missing = tmpdir_path(td, "nothing-here");
    assert_int_equal(dataset_load_dir(missing, &p, err), -1);
    assert_non_null(strstr(err, "nothing-here"));
    free(missing);
    tmpdir_free(td);
}

static void test_batch_packing(void **state)
{
    struct dataset d;
    dataset_init(&d, 3, 12, 4, "test");
    size_t rows = 0;
    for (size_t s = 0; s < 3; s++) {
        for (size_t k = 0; k < lens[s] * 4; k++)
            d.x[rows * 4 + k] = ((const int8_t *)seqs[s])[k];
        rows += lens[s];
        d.offset[s + 1] = (uint32_t)rows;
        d.y[s] = (uint8_t)(s % 2);
    }
    struct batch b;
    batch_init(&b);
    uint32_t idx[3] = {2, 0, 1}; /* lengths 2, 4, 6 */
    batch_fill(&b, &d, idx, 3);
    assert_int_equal(b.B, 3);
    assert_int_equal(b.T, 6);
    assert_memory_equal(b.len, ((int[]){6, 4, 2}), sizeof(int) * 3);
    assert_memory_equal(b.index, ((uint32_t[]){1, 0, 2}), sizeof(uint32_t) * 3);
    assert_memory_equal(b.y, ((uint8_t[]){1, 0, 0}), 3);
    assert_memory_equal(b.nrun, ((int[]){3, 3, 2, 2, 1, 1}), sizeof(int) * 6);
    assert_int_equal(b.off[6], 12);
    for (int t = 0; t < b.T; t++)
        for (int r = 0; r < b.nrun[t]; r++)
            for (int c = 0; c < 4; c++)
                assert_true(b.x[(b.off[t] + (size_t)r) * 4 + c] ==
                            dataset_seq(&d, b.index[r])[t * 4 + c]);
    /* Equal lengths keep the order given; a refill reuses the buffers. */
    uint32_t same[2] = {0, 0};
    batch_fill(&b, &d, same, 2);
    assert_int_equal(b.B, 2);
    assert_int_equal(b.off[b.T], 8);
    batch_free(&b);
    dataset_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leading_and_trailing_identical),
        cmocka_unit_test(test_rejects_bad_values),
        cmocka_unit_test(test_rejects_bad_labels),
        cmocka_unit_test(test_load_dir),
        cmocka_unit_test(test_refuses_defective_test_file),
        cmocka_unit_test(test_load_test_only),
        cmocka_unit_test(test_batch_packing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
