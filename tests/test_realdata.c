/*
 * test_realdata — the checks that need the real MNIST strokes (SPEC.md §2):
 * fetch_install from the upstream mirror (every file's size and shape), the
 * loaded data's statistics, and the mirror's example text file against
 * train[12, :45]. The data are found as the program finds them (or installed
 * from the mirror); without them the whole binary says SKIP (status 77), and
 * without the mirror its two cases do; with $FTLAB_REQUIRE_REAL_DATA set both
 * fail instead (testutil_real_data). The synthetic cases stay in test_dataset,
 * test_fetch and test_strokes_text.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataset.h"
#include "seq8.h"
#include "fetch.h"
#include "strokes_text.h"
#include "testutil.h"
#include "util.h"

static char *mirror; /* the upstream tarballs */
static char *data;   /* an installed data folder */

// ---- fetch: installing from the mirror ----

static void test_install_real_mirror(void **state)
{
    (void)state;
    if (!mirror) skip();
    static const struct {
        const char *name;
        size_t size;
        const char *shape;
    } want[] = {
        {"train-padded-trailing", 80 + (size_t)60000 * 117 * 4 * 8, "(60000, 117, 4)"},
        {"train-padded-leading", 80 + (size_t)60000 * 117 * 4 * 8, "(60000, 117, 4)"},
        {"test-padded-leading", 80 + (size_t)10000 * 117 * 4 * 8, "(10000, 117, 4)"},
        {"train-labels", 80 + (size_t)60000 * 4, "(60000,)"},
        {"test-labels", 80 + (size_t)10000 * 4, "(10000,)"},
    };
    struct tmpdir *td = tmpdir_new();
    char *dest = tmpdir_path(td, "mnist-strokes");
    char err[FTL_ERRLEN];
    struct fetch_opts o = {.progress = stdout};
    double t0 = ftl_now();
    int rc = fetch_install(mirror, dest, &o, err);
    double seconds = ftl_now() - t0;
    if (rc != 0) {
        tmpdir_free(td);
        fail_msg("%s", err);
    }
    printf("# installed %s in %.2f s\n", mirror, seconds);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char file[64], head[80];
        snprintf(file, sizeof file, "%s.npy", want[i].name);
        char *path = ftl_path_join(dest, file);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal((size_t)st.st_size, want[i].size);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        assert_int_equal(fread(head, 1, sizeof head, fp), sizeof head);
        fclose(fp);
        assert_memory_equal(head, "\x93NUMPY\x01\x00", 8);
        head[79] = '\0';
        if (!strstr(head + 10, want[i].shape))
            fail_msg("expected \"%s\" in \"%s\"", want[i].shape, head + 10);
        free(path);
    }
    free(dest);
    tmpdir_free(td);
}

// ---- dataset: what the loaded data hold ----

static void test_real_data(void **state)
{
    (void)state;
    struct dataset_pair p;
    char err[FTL_ERRLEN];
    double t0 = ftl_now();
    if (dataset_load_dir(data, &p, err) != 0) fail_msg("%s", err);
    printf("# loaded %s in %.2f s\n", data, ftl_now() - t0);
    struct dataset_stats s[2];
    dataset_stats(&p.train, &s[0]);
    dataset_stats(&p.test, &s[1]);
    assert_int_equal(s[0].n, 60000);
    assert_int_equal(s[1].n, 10000);
    assert_true(fabs(s[0].len_mean - 39.95) < 0.01);
    assert_true(fabs(s[1].len_mean - 39.41) < 0.01);
    assert_int_equal(s[0].len_min, 13);
    assert_int_equal(s[0].len_max, 117);
    assert_int_equal(s[1].len_max, 108);
    static const size_t train_digits[10] = {5923, 6742, 5958, 6131, 5842,
                                            5421, 5918, 6265, 5851, 5949};
    static const size_t test_digits[10] = {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009};
    assert_memory_equal(s[0].per_group, train_digits, sizeof train_digits);
    assert_memory_equal(s[1].per_group, test_digits, sizeof test_digits);
    assert_int_equal(s[0].per_binary[0], 30596);
    /* Index i is MNIST image i; trainimg-12 is the upstream example file. */
    assert_memory_equal(p.train.group, ((uint8_t[]){5, 0, 4, 1, 9}), 5);
    assert_memory_equal(p.test.group, ((uint8_t[]){7, 2, 1, 0, 4}), 5);
    const int8_t *s12 = seq8(&p.train, 12);
    assert_memory_equal(s12, ((int8_t[]){5, 8, 0, 0, 1, -1, 0, 0}), 8);
    assert_int_equal(dataset_len(&p.train, 12), 45);
    dataset_pair_free(&p);
}

// ---- strokes_text: the mirror's example file ----

/* SPEC.md §2.2: the mirror's example file is train[12, :45] exactly. */
static void test_mirror_example(void **state)
{
    (void)state;
    if (!mirror) skip();
    char *example = ftl_path_join(mirror, TESTUTIL_MIRROR_EXAMPLE);
    int8_t *rows;
    size_t n;
    char err[FTL_ERRLEN];
    if (strokes_text_read(example, &rows, &n, err) != 0) fail_msg("%s", err);
    struct dataset_pair p;
    if (dataset_load_dir(data, &p, err) != 0) fail_msg("%s", err);
    assert_int_equal(n, 45);
    assert_int_equal(dataset_len(&p.train, 12), 45);
    assert_memory_equal(rows, seq8(&p.train, 12), 45 * 4);
    dataset_pair_free(&p);
    free(rows);
    free(example);
}

int main(void)
{
    int status = testutil_real_data(&mirror, &data);
    if (status != 0) return status;
    printf("# mirror %s, data %s\n", mirror, data);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_install_real_mirror),
        cmocka_unit_test(test_real_data),
        cmocka_unit_test(test_mirror_example),
    };
    status = cmocka_run_group_tests(tests, NULL, NULL);
    free(mirror);
    free(data);
    return status;
}
