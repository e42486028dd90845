/*
 * Tests for the sequence format (seqdata, npz, seqcsv): the same arrays
 * through numpy.savez (stored members), savez_compressed (deflated), zip64
 * records and separate .npy files load to the same dataset, whose values
 * follow the formulas of tests/ref/make_npz_fixtures.py; --nan zero and
 * carry; the CSV importer's round trip. The refusals: tests/seqdata.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "npz.h"
#include "seqcsv.h"
#include "seqdata.h"
#include "session.h"
#include "testutil.h"
#include "util.h"

/* The fixture's formulas: x[i, t, c] = i + t / 10 + c / 100 (as float32), lengths 2 + i % 4,
 * y = i % 2, groups = i % 3 named a, b, c. */
static void check_split(const struct dataset *d, size_t n)
{
    assert_int_equal(d->n, n);
    assert_int_equal(d->dim, 3);
    assert_int_equal(d->ngroups, 3);
    assert_string_equal(d->group_name[1], "b");
    assert_false(d->strokes);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(dataset_len(d, i), 2 + i % 4);
        assert_int_equal(d->y[i], i % 2);
        assert_int_equal(d->group[i], i % 3);
        const float *s = dataset_seq(d, i);
        for (size_t t = 0; t < dataset_len(d, i); t++)
            for (size_t c = 0; c < 3; c++)
                assert_true(s[t * 3 + c] == (float)((double)i + t / 10.0 + c / 100.0));
    }
}

static void load_fixture(const char *name, struct dataset_pair *p)
{
    const char *dir = testutil_fixture("npz", name);
    if (!dir) fail_msg("no fixture %s", name);
    char err[FTL_ERRLEN];
    if (dataset_load(dir, DATASET_NAN_REFUSE, p, err) != 0) fail_msg("%s", err);
}

static void test_formats_agree(void **state)
{
    (void)state;
    static const char *const names[] = {"stored", "deflated", "npy"};
    static const enum dataset_format want[] = {DATASET_FORMAT_NPZ, DATASET_FORMAT_NPZ,
                                               DATASET_FORMAT_NPY};
    for (int k = 0; k < 3; k++) {
        struct dataset_pair p;
        assert_int_equal(dataset_dir_format(testutil_fixture("npz", names[k])), want[k]);
        load_fixture(names[k], &p);
        check_split(&p.train, 7);
        check_split(&p.test, 5);
        dataset_pair_free(&p);
    }
}

static void test_zip64(void **state)
{
    (void)state;
    char err[FTL_ERRLEN];
    struct npz *z;
    struct npy a;
    if (npz_open(testutil_fixture("npz", "zip64.npz"), &z, err) != 0) fail_msg("%s", err);
    assert_int_equal(npz_read(z, "x", &a, err), 0);
    assert_int_equal(a.count, 12);
    assert_true(npy_get_f64(&a, 11) == 1.0);
    npy_free(&a);
    assert_false(npz_has(z, "groups"));
    assert_int_equal(npz_read(z, "groups", &a, err), -1);
    assert_non_null(strstr(err, "no array 'groups'"));
    npz_close(z);
}

static void test_nan_policies(void **state)
{
    (void)state;
    const char *dir = testutil_fixture("npz", "nan");
    char err[FTL_ERRLEN];
    struct dataset_pair p;
    assert_int_equal(dataset_load(dir, DATASET_NAN_REFUSE, &p, err), -1);
    assert_non_null(strstr(err, "train.npz: x: sequence 1, step 0, feature 2 is NaN"));
    assert_int_equal(dataset_load(dir, DATASET_NAN_ZERO, &p, err), 0);
    assert_true(dataset_seq(&p.train, 1)[2] == 0.0f);
    assert_true(dataset_seq(&p.train, 2)[3 * 3 + 1] == 0.0f);
    assert_int_equal(p.train.missing, 2);
    dataset_pair_free(&p);
    assert_int_equal(dataset_load(dir, DATASET_NAN_CARRY, &p, err), 0);
    assert_true(dataset_seq(&p.train, 1)[2] == 0.0f); /* nothing to carry at step 0 */
    assert_true(dataset_seq(&p.train, 2)[3 * 3 + 1] == dataset_seq(&p.train, 2)[2 * 3 + 1]);
    dataset_pair_free(&p);
}

static void test_csv_round_trip(void **state)
{
    (void)state;
    struct tmpdir *td = tmpdir_new();
    char *csv = tmpdir_path(td, "long.csv"), *out = tmpdir_path(td, "out"), err[FTL_ERRLEN];
    /* Ten sequences, rows shuffled, t not from 0, a missing value, groups by name. */
    FILE *f = fopen(csv, "w");
    fprintf(f, "sequence_id,t,hr,y,bp,group\n");
    for (int t = 2; t >= 0; t--)
        for (int s = 0; s < 10; s++)
            if (t < 1 + s % 3)
                fprintf(f, "p%d,%d,%g,%d,%s,%s\n", s, 10 + t, s + t / 10.0, s % 2,
                        s == 4 && t == 1 ? "" : "7", s % 2 ? "dead" : "alive");
    fclose(f);
    struct dataset_pair p, q;
    if (seqcsv_import(csv, out, &p, err) != 0) fail_msg("%s", err);
    assert_int_equal(p.train.n, 8); /* every fifth sequence is a test sequence: p4, p9 */
    assert_int_equal(p.test.n, 2);
    assert_int_equal(p.train.dim, 2);
    assert_int_equal(p.train.ngroups, 2);
    assert_string_equal(p.train.group_name[0], "alive"); /* first appearance: p2 at t=12 */
    assert_int_equal(dataset_len(&p.train, 2), 3); /* p8 (order: p2 p5 p8 p1 ...): steps 10-12 */
    assert_true(dataset_seq(&p.train, 2)[0] == 8.0f);
    assert_true(dataset_seq(&p.train, 2)[4] == 8.2f);
    assert_int_equal(dataset_load(out, DATASET_NAN_REFUSE, &q, err), -1);
    assert_non_null(strstr(err, "test_*.npy: x: sequence 0, step 1, feature 1 is NaN"));
    assert_int_equal(dataset_load(out, DATASET_NAN_CARRY, &q, err), 0);
    assert_int_equal(q.train.n, p.train.n);
    assert_memory_equal(q.train.x, p.train.x, p.train.offset[p.train.n] * 2 * sizeof(float));
    assert_memory_equal(q.train.group, p.train.group, p.train.n);
    assert_memory_equal(q.train.y, p.train.y, p.train.n);
    assert_string_equal(q.test.group_name[1], "dead");
    assert_true(dataset_seq(&q.test, 0)[3] == 7.0f); /* carried */
    dataset_pair_free(&p);
    dataset_pair_free(&q);
    free(csv);
    free(out);
    tmpdir_free(td);
}

static void test_csv_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"", "x.csv: line 1: no header"},
        {"sequence_id,t,y\n1,0,1\n", "x.csv: line 1: no feature columns"},
        {"t,a,y\n0,1,1\n", "x.csv: line 1: no sequence_id column"},
        {"sequence_id,t,a,y\n1,0,1,2\n", "x.csv: line 2: y '2' is not 0 or 1"},
        {"sequence_id,t,a,y\n1,0,1\n", "x.csv: line 2: 3 fields, the header has 4"},
        {"sequence_id,t,a,y\n1,0,1,0\n1,0,2,0\n", "x.csv: line 3: sequence 1 has step t=0 twice"},
        {"sequence_id,t,a,y\n1,0,1,0\n1,1,2,1\n", "x.csv: line 3: sequence 1 changes its y"},
        {"sequence_id,t,a,y\n1,x,1,0\n", "x.csv: line 2: t 'x' is not a number"},
        {"sequence_id,t,a,y\n1,0,abc,0\n", "x.csv: line 2: feature 1 is not a number"},
        {"sequence_id,t,a,y\n1,0,1,0\n", "x.csv: no test sequences"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct dataset_pair p;
        char err[FTL_ERRLEN] = "";
        assert_int_equal(seqcsv_parse(cases[i].text, strlen(cases[i].text), "x.csv", &p, err), -1);
        if (!strstr(err, cases[i].message))
            fail_msg("case %zu: '%s', wanted '%s'", i, err, cases[i].message);
    }
}

static void test_standardize(void **state)
{
    (void)state;
    struct dataset_pair p;
    load_fixture("stored", &p);
    double mean[3], std[3];
    dataset_standardize_fit(&p.train, mean, std);
    dataset_standardize_apply(&p.train, mean, std);
    double m[3] = {0}, v[3] = {0};
    size_t rows = p.train.offset[p.train.n];
    for (size_t r = 0; r < rows; r++)
        for (int c = 0; c < 3; c++)
            m[c] += p.train.x[r * 3 + c] / (double)rows;
    for (size_t r = 0; r < rows; r++)
        for (int c = 0; c < 3; c++)
            v[c] += (p.train.x[r * 3 + c] - m[c]) * (p.train.x[r * 3 + c] - m[c]) / (double)rows;
    for (int c = 0; c < 3; c++) {
        assert_true(fabs(m[c]) < 1e-6);
        assert_true(fabs(v[c] - 1) < 1e-5);
    }
    dataset_pair_free(&p);
}

/* Checkpoints from before the input width was stored load as D = 4 (pen strokes). */
static void test_old_checkpoint_is_strokes(void **state)
{
    (void)state;
    static const char *const names[] = {"init-classify.ckpt", "init-autoencode.ckpt"};
    for (int k = 0; k < 2; k++) {
        const char *path = testutil_fixture("experiment", names[k]);
        if (!path) fail_msg("no fixture %s", names[k]);
        struct model m;
        struct trainer_config c;
        char err[FTL_ERRLEN];
        if (session_load_model(path, &m, &c, NULL, err) != 0) fail_msg("%s", err);
        assert_int_equal(c.input_dim, 4);
        assert_int_equal(m.D, 4);
        assert_int_equal(model_find(&m, k ? "enc.weight_ih_l0" : "gru.weight_ih_l0")->cols, 4);
        assert_false(c.standardize);
        assert_int_equal(c.nan, DATASET_NAN_REFUSE);
        model_free(&m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_agree), cmocka_unit_test(test_zip64),
        cmocka_unit_test(test_nan_policies),  cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_csv_refusals),  cmocka_unit_test(test_standardize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
