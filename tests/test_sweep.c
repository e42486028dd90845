/*
 * test_sweep — the grid of `ftlab sweep` (ui/cli/sweep.h): how option text
 * becomes axes, which runs a grid holds in which order and under which
 * folder names, that table1's fixed grid numbers and shards its runs as
 * table1 always has, the grid file, and collecting shards' folders into
 * sweep.csv / sweep.md against numbers worked out by hand.
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

#include "sweep.h"
#include "table1.h"
#include "testutil.h"
#include "util.h"

static struct sweep_spec grid(const char *const *opts)
{
    struct sweep_spec s;
    char err[FTL_ERRLEN];
    sweep_spec_default(&s);
    for (; *opts; opts += 2) {
        int rc = strcmp(opts[0], "seeds") == 0
                     ? sweep_parse_seeds(&s, opts[1], err)
                     : sweep_parse_axis(&s, (enum sweep_axis)sweep_axis_from_option(opts[0]),
                                        opts[1], err);
        if (rc != 0) fail_msg("--%s %s: %s", opts[0], opts[1], err);
    }
    return s;
}

static const char *name_of(const struct sweep_spec *s, long r)
{
    static char buf[512];
    sweep_run_name(s, r, buf, sizeof buf);
    return buf;
}

// ---- expansion ----

/* loss x lambda x margin x seeds: 2 x 2 x 2 points x 3 seeds, the loss outermost, the seed
 * innermost, the swept options named in the folders and the others not. */
static void test_expansion(void **state)
{
    (void)state;
    const char *const o[] = {"loss",   "baseline,proposed",
                             "lambda", "0.1,1",
                             "margin", "1,5",
                             "seeds",  "1-3",
                             "epochs", "4",
                             NULL};
    struct sweep_spec s = grid(o);
    assert_int_equal(sweep_points(&s), 8);
    assert_int_equal(sweep_runs(&s), 24);
    /* The baseline ignores λ and m: its folders leave them out, and it is one point. */
    assert_string_equal(name_of(&s, 0), "classify-baseline-run1");
    assert_string_equal(name_of(&s, 2), "classify-baseline-run3");
    assert_string_equal(name_of(&s, 3), "classify-baseline-run1");
    assert_string_equal(name_of(&s, 12), "classify-proposed-lambda0.1-margin1-run1");
    assert_string_equal(name_of(&s, 15), "classify-proposed-lambda0.1-margin5-run1");
    assert_string_equal(name_of(&s, 23), "classify-proposed-lambda1-margin5-run3");
    /* Every run of a point that is its own canonical one once: the names are distinct. */
    for (long a = 0; a < 24; a++)
        for (long b = a + 1; b < 24; b++) {
            if (sweep_canonical(&s, a / 3) != a / 3 || sweep_canonical(&s, b / 3) != b / 3)
                continue;
            char na[512];
            snprintf(na, sizeof na, "%s", name_of(&s, a));
            if (strcmp(na, name_of(&s, b)) == 0) fail_msg("runs %ld and %ld are both %s", a, b, na);
        }
    assert_float_equal(sweep_value(&s, 3, SWEEP_MARGIN), 5, 0);
    assert_float_equal(sweep_value(&s, 3, SWEEP_EPOCHS), 4, 0);
    assert_float_equal(sweep_value(&s, 4, SWEEP_LOSS), REG_PROPOSED, 0);
}

/* The axes a loss ignores: λ for the baseline, m for all but the proposed loss. Their points
 * collapse onto the first value (trained once, tabled once); the others stay their own. */
static void test_inert_axes(void **state)
{
    (void)state;
    const char *const o[] = {
        "loss", "baseline,xcov,proposed", "lambda", "0.1,1", "margin", "1,5", "seeds", "1", NULL};
    struct sweep_spec s = grid(o);
    assert_int_equal(sweep_points(&s), 12);
    long own = 0;
    for (long p = 0; p < 12; p++) {
        int loss = (int)sweep_value(&s, p, SWEEP_LOSS);
        assert_int_equal(sweep_inert(&s, p, SWEEP_LAMBDA), loss == REG_BASELINE);
        assert_int_equal(sweep_inert(&s, p, SWEEP_MARGIN), loss != REG_PROPOSED);
        assert_int_equal(sweep_inert(&s, p, SWEEP_LR), 0); /* one value: never inert */
        long q = sweep_canonical(&s, p);
        own += q == p;
        /* the canonical point has the same loss and every value the loss uses */
        assert_float_equal(sweep_value(&s, q, SWEEP_LOSS), loss, 0);
        if (loss != REG_BASELINE)
            assert_float_equal(sweep_value(&s, q, SWEEP_LAMBDA), sweep_value(&s, p, SWEEP_LAMBDA),
                               0);
        if (loss == REG_PROPOSED)
            assert_float_equal(sweep_value(&s, q, SWEEP_MARGIN), sweep_value(&s, p, SWEEP_MARGIN),
                               0);
        assert_int_equal(sweep_canonical(&s, q), q);
    }
    assert_int_equal(own, 1 + 2 + 4); /* baseline once, xcov per λ, proposed per λ and m */
    assert_string_equal(name_of(&s, 4), "classify-xcov-lambda0.1-run1");
    assert_string_equal(name_of(&s, 5), "classify-xcov-lambda0.1-run1"); /* m=5: the same run */
}

/* Ranges and lists of integers; seeds as lists and ranges. */
static void test_ranges(void **state)
{
    (void)state;
    const char *const o[] = {"hidden", "16-18,64", "seeds", "1-2,7", NULL};
    struct sweep_spec s = grid(o);
    assert_int_equal(s.n[SWEEP_HIDDEN], 4);
    assert_float_equal(s.v[SWEEP_HIDDEN][2], 18, 0);
    assert_float_equal(s.v[SWEEP_HIDDEN][3], 64, 0);
    assert_int_equal(s.nseeds, 3);
    assert_int_equal(s.seeds[2], 7);
    assert_string_equal(name_of(&s, 3 * 3 + 2), "classify-baseline-hidden64-run7");
}

/* λ per loss (table1's --lambda decov=...): not an axis, each loss its own. */
static void test_lambda_per_loss(void **state)
{
    (void)state;
    const char *const o[] = {"loss", "decov,proposed", "lambda", "decov=0.5,proposed=2", NULL};
    struct sweep_spec s = grid(o);
    assert_int_equal(s.n[SWEEP_LAMBDA], 0);
    assert_float_equal(sweep_value(&s, 0, SWEEP_LAMBDA), 0.5, 0);
    assert_float_equal(sweep_value(&s, 1, SWEEP_LAMBDA), 2, 0);
    assert_string_equal(name_of(&s, 1), "classify-proposed-run1");
    /* Without --lambda, the loss's own default (reg_table). */
    const char *const d[] = {"loss", "proposed", NULL};
    struct sweep_spec t = grid(d);
    assert_float_equal(sweep_value(&t, 0, SWEEP_LAMBDA), reg_table[REG_PROPOSED].default_lambda, 0);
}

/* Bad grids: one line naming the option and what is wrong; the spec is left as it was. */
static void test_bad_grids(void **state)
{
    (void)state;
    static const struct {
        const char *option, *text, *said;
    } bad[] = {
        {"lambda", "", "--lambda: an empty list"},
        {"lambda", "0.1,,1", "--lambda: an empty item in '0.1,,1'"},
        {"lambda", "0.1,x", "--lambda must be"},
        {"lambda", "-1", "--lambda must be"},
        {"lambda", "0.1,decov=1", "--lambda: '0.1' is not loss=X"},
        {"margin", "5,5", "--margin: 5 is given twice"},
        {"hidden", "3-1", "--hidden: the range '3-1' runs backwards"},
        {"hidden", "0", "--hidden: '0' is not an integer in 1..4096"},
        {"epochs", "1.5", "--epochs: '1.5' is not an integer"},
        {"loss", "baseline,bogus", "--loss: unknown loss 'bogus'"},
        {"task", "classify,", "--task: an empty item"},
        {"seeds", "3-1", "--seeds: the range '3-1' runs backwards"},
        {"seeds", "", "--seeds: an empty list"},
        {"seeds", "1,1", "--seeds: 1 is given twice"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sweep_spec s, before;
        char err[FTL_ERRLEN] = "";
        sweep_spec_default(&s);
        before = s;
        int rc = strcmp(bad[i].option, "seeds") == 0
                     ? sweep_parse_seeds(&s, bad[i].text, err)
                     : sweep_parse_axis(&s, (enum sweep_axis)sweep_axis_from_option(bad[i].option),
                                        bad[i].text, err);
        if (rc != -1) fail_msg("--%s '%s' was accepted", bad[i].option, bad[i].text);
        if (!strstr(err, bad[i].said) || strchr(err, '\n'))
            fail_msg("--%s '%s': said '%s', want '%s'", bad[i].option, bad[i].text, err,
                     bad[i].said);
        assert_memory_equal(&s, &before, sizeof s);
    }
    assert_int_equal(sweep_axis_from_option("bogus"), -1);
}

/* table1's grid (tasks x losses x seeds 1..runs) names and shards its runs as table1 did. */
static void test_table1_grid(void **state)
{
    (void)state;
    const char *const o[] = {
        "task", "classify,autoencode", "loss", "baseline,decov,xcov,proposed", "seeds", "1-3",
        NULL};
    struct sweep_spec s = grid(o);
    struct table1_expect e;
    table1_expect_all(&e);
    e.runs = 3;
    for (int n = 1; n <= 5; n++)
        for (int i = 1; i <= n; i++) {
            e.shard_i = i, e.shard_n = n;
            long r = 0;
            for (int t = 0; t < TASK_COUNT; t++)
                for (int l = 0; l < REG_COUNT; l++)
                    for (int run = 1; run <= 3; run++, r++) {
                        char want[128];
                        snprintf(want, sizeof want, "%s-%s-run%d", model_task_name(t),
                                 reg_table[l].name, run);
                        assert_string_equal(name_of(&s, r), want);
                        assert_int_equal(sweep_in_shard(r, i, n), table1_in_shard(&e, t, l, run));
                    }
        }
}

/* The grid file reads back as the grid it was written from. */
static void test_grid_file(void **state)
{
    (void)state;
    const char *const o[] = {
        "task", "classify,autoencode", "loss",  "xcov,proposed", "lambda", "0.03,0.1",
        "lr",   "0.001,0.0001",        "seeds", "2,4-5",         NULL};
    struct sweep_spec s = grid(o), back;
    s.sample = 1, s.limit = 300, s.quick = 1, s.nk = 2, s.k[0] = 4, s.k[1] = 9;
    char *path = ftl_path_join(testutil_group_dir(), "grid"), err[FTL_ERRLEN];
    assert_int_equal(sweep_write_grid(&s, "sweep", 2, 3, path, err), 0);
    int si, sn;
    if (sweep_read_grid(path, &back, &si, &sn, err) != 0) fail_msg("%s", err);
    assert_int_equal(si, 2);
    assert_int_equal(sn, 3);
    assert_memory_equal(back.n, s.n, sizeof s.n);
    for (int a = 0; a < SWEEP_AXES; a++)
        for (int i = 0; i < s.n[a]; i++)
            assert_true(back.v[a][i] == s.v[a][i]);
    assert_memory_equal(back.loss_lambda, s.loss_lambda, sizeof s.loss_lambda);
    assert_int_equal(back.nseeds, 3);
    assert_memory_equal(back.seeds, s.seeds, sizeof s.seeds[0] * 3);
    assert_int_equal(back.nk, 2);
    assert_int_equal(back.k[1], 9);
    assert_int_equal(back.sample, 1);
    assert_int_equal(back.limit, 300);
    assert_int_equal(back.quick, 1);
    free(path);
}

// ---- collecting ----

static void put(const char *dir, const char *name, const char *text)
{
    char err[FTL_ERRLEN], *path = ftl_path_join(dir, name);
    if (ftl_mkdir_p(dir, err) != 0 || ftl_write_file(path, text, strlen(text), err) != 0)
        fail_msg("%s", err);
    free(path);
}

/* A finished run: eval.csv with AMI_max a at k = 9 and b at k = 10, test accuracy acc. */
static void put_run(const char *root, const struct sweep_spec *s, long r, double a, double b,
                    double acc)
{
    char text[512], name[600];
    snprintf(name, sizeof name, "%s/runs/%s", root, name_of(s, r));
    snprintf(text, sizeof text,
             "step,k,ami_max,ami_arithmetic,nmi_geometric,test_accuracy\n"
             "10,9,%.2f,%.2f,%.2f,%.3f\n10,10,%.2f,%.2f,%.2f,%.3f\n",
             a, a - 0.05, a + 0.1, acc, b, b - 0.05, b + 0.1, acc);
    put(name, "eval.csv", text);
}

static char *slurp(const char *dir, const char *name)
{
    char *path = ftl_path_join(dir, name), *text = NULL, err[FTL_ERRLEN];
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) fail_msg("%s", err);
    free(path);
    return text;
}

/*
 * A sweep of loss x lambda (2 x 2 points, seeds 1-2) split into shards 1/2
 * and 2/2 (DIR/shards/1, DIR/shards/2), as Slurm tasks write it, one run
 * never finished. Shard 1 holds the even runs (0, 2, 4, 6), shard 2 the odd.
 */
static void test_collect_shards(void **state)
{
    (void)state;
    /* xcov and proposed: both use λ, so every point is its own (test_inert_axes: baseline) */
    const char *const o2[] = {"loss", "xcov,proposed", "lambda", "0.1,1", "seeds", "1-2", NULL};
    struct sweep_spec s = grid(o2);
    s.nk = 2, s.k[0] = 9, s.k[1] = 10;
    char *dir = ftl_path_join(testutil_group_dir(), "collect"), err[FTL_ERRLEN];
    char *sh1 = ftl_path_join(dir, "shards/1"), *sh2 = ftl_path_join(dir, "shards/2");
    char *g1 = ftl_path_join(sh1, "grid"), *g2 = ftl_path_join(sh2, "grid");
    assert_int_equal(ftl_mkdir_p(sh1, err), 0);
    assert_int_equal(ftl_mkdir_p(sh2, err), 0);
    assert_int_equal(sweep_write_grid(&s, "sweep", 1, 2, g1, err), 0);
    assert_int_equal(sweep_write_grid(&s, "sweep", 2, 2, g2, err), 0);
    /* point 0 xcov 0.1: {.40 .60} -> .5 ± .1414; point 1 xcov 1: {.50 .70} -> .6 */
    put_run(sh1, &s, 0, 0.40, 0.30, 0.90);
    put_run(sh2, &s, 1, 0.60, 0.30, 0.92);
    put_run(sh1, &s, 2, 0.50, 0.30, 0.90);
    put_run(sh2, &s, 3, 0.70, 0.30, 0.90);
    /* point 2 proposed 0.1: {.80 .60} -> .7, the best of k = 9; k = 10 {.5 .5} */
    put_run(sh1, &s, 4, 0.80, 0.50, 0.90);
    put_run(sh2, &s, 5, 0.60, 0.50, 0.90);
    /* point 3 proposed 1: run 6 only (run 7, shard 2, never finished): {.20} */
    put_run(sh1, &s, 6, 0.20, 0.90, 0.90);
    setenv("FTLAB_GNUPLOT", "/bin/true", 1);
    int rc = sweep_collect(dir, 1, 1, NULL, err);
    assert_int_equal(rc, -1);
    if (!strstr(err, "1 of 8 runs are missing or unfinished: classify-proposed-lambda1-run2 "
                     "(shard 2); run these shards again: 2") ||
        strchr(err, '\n'))
        fail_msg("said: %s", err);
    char *csv = slurp(dir, "sweep.csv"), *md = slurp(dir, "sweep.md");
    assert_non_null(strstr(csv, "task,loss,lambda,margin,lr,hidden,units,batch_size,epochs,k,"
                                "seeds,ami_max_mean,ami_max_std,ami_arithmetic_mean,"
                                "nmi_geometric_mean,test_mean\n"));
    assert_non_null(
        strstr(csv, "\nclassify,xcov,0.1,5,0.001,128,32,256,10,9,2,0.500000,0.141421,0.450000,"
                    "0.600000,0.910000\n"));
    assert_non_null(strstr(csv,
                           "\nclassify,xcov,1,5,0.001,128,32,256,10,9,2,0.600000,0.141421,0.550000,"
                           "0.700000,0.900000\n"));
    assert_non_null(strstr(csv, "\nclassify,proposed,1,5,0.001,128,32,256,10,10,1,0.900000,nan,"));
    /* k = 9: every cell complete but point 3's, so no bold (the missing run might win it). */
    assert_null(strstr(md, "**0.700 ± 0.141**"));
    assert_non_null(strstr(md, "| Proposed (KL margin) | 0.1 | 0.700 ± 0.141 | 0.500 ± 0.000 |"));
    assert_non_null(strstr(md, "missing: classify-proposed-lambda1-run2 (shard 2)."));
    free(csv);
    free(md);
    /* The missing run finishes (a resubmitted shard 2): complete, and the best in bold. */
    put_run(sh2, &s, 7, 0.40, 0.90, 0.90);
    if (sweep_collect(dir, 1, 1, NULL, err) != 0) fail_msg("%s", err);
    md = slurp(dir, "sweep.md");
    assert_non_null(
        strstr(md, "| Proposed (KL margin) | 0.1 | **0.700 ± 0.141** | 0.500 ± 0.000 |"));
    assert_non_null(strstr(md, "| Proposed (KL margin) | 1 | 0.300 ± 0.141 | **0.900 ± 0.000** |"));
    assert_null(strstr(md, "missing:"));
    free(md);
    /* A folder with no grid anywhere is not a sweep: said, nothing written. */
    char *none = ftl_path_join(testutil_group_dir(), "none");
    assert_int_equal(ftl_mkdir_p(none, err), 0);
    assert_int_equal(sweep_collect(none, 1, 1, NULL, err), -1);
    assert_non_null(strstr(err, "not a sweep folder"));
    free(none);
    free(dir), free(sh1), free(sh2), free(g1), free(g2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expansion),       cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_lambda_per_loss), cmocka_unit_test(test_bad_grids),
        cmocka_unit_test(test_table1_grid),     cmocka_unit_test(test_grid_file),
        cmocka_unit_test(test_collect_shards),  cmocka_unit_test(test_inert_axes),
    };
    return cmocka_run_group_tests(tests, testutil_group_setup, testutil_group_teardown);
}
