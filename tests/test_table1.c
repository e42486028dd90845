/*
 * test_table1 — `ftlab table1 --collect` against answers worked out by hand.
 *
 * tests/data/table1/shard{1,2,3} hold run directories with only what the
 * collector reads (config: task and loss; eval.csv: k, ami_max,
 * ami_arithmetic, nmi_geometric and the task metric in the last column).
 * Shard I holds run I of each combination, so "the first run" of a cell is
 * the one in shard1. The numbers are chosen so that
 *
 *   - every mean and sample standard deviation (n - 1) is easy by hand, and
 *     differs from the population one (n);
 *   - the best loss differs per column, and in the classifier's k = 9
 *     column it would change (Proposed -> XCov) if the first run were left out;
 *   - one cell has no runs (classifier, DeCov, k = 11: its eval.csv lack
 *     that k), one loss has only an unfinished run (autoencoder, DeCov:
 *     config without eval.csv), one has a single run (autoencoder, Proposed).
 *
 * So runs are missing (3 runs expected per combination, the highest run number
 * found): table1_collect() refuses, naming them (test_refused), unless asked
 * for a partial table. It runs once for the group with partial set; each test
 * reads what it wrote: table1.csv, table1.md and the figure data table1.dat /
 * table1-autoencoder.dat.
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

#include "loss.h"
#include "model.h"
#include "table1.h"
#include "testutil.h"
#include "util.h"

// ---- the answers ----

/* One cell of the table: AMI_max over the runs of (task, loss, k). */
struct want {
    enum model_task task;
    enum reg_kind loss;
    int k;
    int runs;
    double mean, std;  /* AMI_max; std with the n - 1 denominator */
    double arith, nmi; /* ami_arithmetic = ami_max - 0.05, nmi_geometric = ami_max + 0.10 per run */
    double test;       /* test accuracy (0.90, 0.92, 0.97) or error */
    int bold;          /* the best mean of its column, in a column without missing cells */
};

#define C TASK_CLASSIFY
#define A TASK_AUTOENCODE
/* The runs, by hand: {run1, run2, run3} -> mean, sample std (population std). */
static const struct want want[] = {
    /* {.40 .50 .60} -> .5, .1 (.0816) */
    {C, REG_BASELINE, 9, 3, 0.50, 0.10, 0.45, 0.60, 0.93, 0},
    /* {.70 .75 .80} -> .75, .05 (.0408): the best of k = 10 */
    {C, REG_BASELINE, 10, 3, 0.75, 0.05, 0.70, 0.85, 0.93, 1},
    /* {.25 .30 .35} -> .3, .05 */
    {C, REG_BASELINE, 11, 3, 0.30, 0.05, 0.25, 0.40, 0.93, 0},
    /* {.20 .30 .40} -> .3, .1: the worst of k = 9; the test column is .93 (the k = 9 cell's) */
    {C, REG_DECOV, 9, 3, 0.30, 0.10, 0.25, 0.40, 0.93, 0},
    /* {.10 .20 .30} -> .2, .1: the worst of k = 10 */
    {C, REG_DECOV, 10, 3, 0.20, 0.10, 0.15, 0.30, 0.93, 0},
    /* no eval.csv row for k = 11: no runs */
    {C, REG_DECOV, 11, 0, NAN, NAN, NAN, NAN, NAN, 0},
    /* {.30 .60 .60} -> .5, sqrt(.03) = .1732 (.1414); without run 1: .6, the best */
    {C, REG_XCOV, 9, 3, 0.50, 0.17320508075688773, 0.45, 0.60, 0.93, 0},
    /* {.50 .55 .60} -> .55, .05 */
    {C, REG_XCOV, 10, 3, 0.55, 0.05, 0.50, 0.65, 0.93, 0},
    /* {.60 .70 .80} -> .7, .1: the best mean of k = 11, not bold: DeCov's cell is missing */
    {C, REG_XCOV, 11, 3, 0.70, 0.10, 0.65, 0.80, 0.93, 0},
    /* {.80 .50 .50} -> .6, sqrt(.03): the best of k = 9; without run 1: .5 */
    {C, REG_PROPOSED, 9, 3, 0.60, 0.17320508075688773, 0.55, 0.70, 0.93, 1},
    /* {.60 .65 .70} -> .65, .05 */
    {C, REG_PROPOSED, 10, 3, 0.65, 0.05, 0.60, 0.75, 0.93, 0},
    /* {.40 .50 .90} -> .6, sqrt(.14 / 2) = .2646 (.2160): the worst of k = 11 */
    {C, REG_PROPOSED, 11, 3, 0.60, 0.26457513110645907, 0.55, 0.70, 0.93, 0},
    /* {.30 .50} -> .4, sqrt(.02) = .1414 (.1); without run 1: .5, the best */
    {A, REG_BASELINE, 9, 2, 0.40, 0.14142135623730951, 0.35, 0.50, 0.025, 0},
    /* {.40 .60} -> .5: the best mean of k = 10 (no bold: every autoencoder column misses runs) */
    {A, REG_BASELINE, 10, 2, 0.50, 0.14142135623730951, 0.45, 0.60, 0.025, 0},
    /* {.20 .40} -> .3 */
    {A, REG_BASELINE, 11, 2, 0.30, 0.14142135623730951, 0.25, 0.40, 0.025, 0},
    /* one run: {.45}; no spread to estimate: std nan (see test_single_run) */
    {A, REG_PROPOSED, 9, 1, 0.45, NAN, 0.40, 0.55, 0.04, 0},
    {A, REG_PROPOSED, 10, 1, 0.35, NAN, 0.30, 0.45, 0.04, 0},
    {A, REG_PROPOSED, 11, 1, 0.50, NAN, 0.45, 0.60, 0.04, 0},
    /* only an unfinished run (DeCov), no run at all (XCov): every cell missing */
    {A, REG_DECOV, 9, 0, NAN, NAN, NAN, NAN, NAN, 0},
    {A, REG_DECOV, 10, 0, NAN, NAN, NAN, NAN, NAN, 0},
    {A, REG_DECOV, 11, 0, NAN, NAN, NAN, NAN, NAN, 0},
    {A, REG_XCOV, 9, 0, NAN, NAN, NAN, NAN, NAN, 0},
    {A, REG_XCOV, 10, 0, NAN, NAN, NAN, NAN, NAN, 0},
    {A, REG_XCOV, 11, 0, NAN, NAN, NAN, NAN, NAN, 0},
};
#undef C
#undef A
enum { NWANT = sizeof want / sizeof want[0] };

static const char *const md_section[TASK_COUNT] = {"## binary task (FC1)", "## autoencoder (code)"};

// ---- what table1_collect wrote ----

static struct tmpdir *td;
static char *md_text, *csv_text;
static char *shard_dir[3]; /* tests/data/table1/shardN */
static int refused_rc;
static char refused_err[FTL_ERRLEN]; /* what table1_collect said without partial */

/* The csv: one row per (task, loss, k) of a loss that has any run. */
struct csv_row {
    char task[32], loss[32];
    int k, runs;
    double mean, std, arith, nmi, test, paper;
};
static struct csv_row csv_rows[64];
static int ncsv;

static char *read_text(const char *path)
{
    char *text = NULL, err[FTL_ERRLEN];
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) {
        fail_msg("%s", err);
        return xstrdup("");
    }
    return text;
}

static double number(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end == s ? NAN : v;
}

/* Splits line at commas in place; returns the number of fields. */
static int split(char *line, char sep, char **field, int max)
{
    int n = 0;
    field[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == sep) {
            *p = '\0';
            field[n++] = p + 1;
        }
    return n;
}

static void parse_csv(const char *text)
{
    char *copy = xstrdup(text), *save = NULL;
    char *line = strtok_r(copy, "\n", &save);
    assert_non_null(line);
    assert_string_equal(line, "task,loss,k,runs,ami_max_mean,ami_max_std,ami_arithmetic_mean,"
                              "nmi_geometric_mean,test_mean,paper_ami_max");
    ncsv = 0;
    while ((line = strtok_r(NULL, "\n", &save)) && ncsv < 64) {
        char *f[16];
        if (split(line, ',', f, 16) != 10) fail_msg("table1.csv: not 10 fields: %s", line);
        struct csv_row *r = &csv_rows[ncsv++];
        snprintf(r->task, sizeof r->task, "%s", f[0]);
        snprintf(r->loss, sizeof r->loss, "%s", f[1]);
        r->k = atoi(f[2]);
        r->runs = atoi(f[3]);
        r->mean = number(f[4]), r->std = number(f[5]), r->arith = number(f[6]);
        r->nmi = number(f[7]), r->test = number(f[8]), r->paper = number(f[9]);
    }
    free(copy);
}

static const struct csv_row *csv_find(enum model_task task, enum reg_kind loss, int k)
{
    for (int i = 0; i < ncsv; i++)
        if (strcmp(csv_rows[i].task, model_task_name(task)) == 0 &&
            strcmp(csv_rows[i].loss, reg_table[loss].name) == 0 && csv_rows[i].k == k)
            return &csv_rows[i];
    return NULL;
}

/* A cell of table1.md: "**0.600 ± 0.173** (0.512)", "0.500 ± 0.100 (0.446)", "0.450 (0.439)"
 * (one run) or "– (0.288)". */
struct md_cell {
    int found, bold, missing;
    char mean[16], std[16]; /* as printed; std "" when the cell shows no "±" */
};

static void trim(char **s)
{
    while (**s == ' ')
        (*s)++;
    size_t n = strlen(*s);
    while (n && (*s)[n - 1] == ' ')
        (*s)[--n] = '\0';
}

/* The md row of loss in task's section, split at '|': fields[1] the title, [2..] the cells. */
static int md_row(enum model_task task, enum reg_kind loss, char *copy, char **field, int max)
{
    char *sec = strstr(copy, md_section[task]);
    if (!sec) return 0;
    char *end = strstr(sec + 1, "\n## ");
    if (end) *end = '\0';
    char title[64];
    snprintf(title, sizeof title, "\n| %s |", reg_table[loss].title);
    char *row = strstr(sec, title);
    if (!row) return 0;
    row++;
    char *nl = strchr(row, '\n');
    if (nl) *nl = '\0';
    int n = split(row, '|', field, max);
    for (int i = 0; i < n; i++)
        trim(&field[i]);
    return n;
}

/* The md's column of k in task's section (0 for the first k column), or -1. */
static int md_column(enum model_task task, int k)
{
    char *copy = xstrdup(md_text), *field[16];
    char *sec = strstr(copy, md_section[task]);
    int col = -1;
    char *head = sec ? strstr(sec, "\n| loss |") : NULL;
    if (head) {
        head++;
        *strchr(head, '\n') = '\0';
        int n = split(head, '|', field, 16);
        char name[32];
        snprintf(name, sizeof name, "%d clusters", k);
        for (int i = 2; i < n; i++) {
            trim(&field[i]);
            if (strcmp(field[i], name) == 0) col = i - 2;
        }
    }
    free(copy);
    return col;
}

static struct md_cell md_cell(enum model_task task, enum reg_kind loss, int k)
{
    struct md_cell c = {0};
    char *copy = xstrdup(md_text), *field[16];
    int col = md_column(task, k), n = md_row(task, loss, copy, field, 16);
    if (col >= 0 && n > col + 2) {
        char *s = field[col + 2];
        c.found = 1;
        c.bold = strncmp(s, "**", 2) == 0;
        c.missing = strncmp(s, "–", strlen("–")) == 0;
        int got =
            c.missing ? 0 : sscanf(s + (c.bold ? 2 : 0), "%15[0-9.-] ± %15[0-9.-]", c.mean, c.std);
        if (!c.missing && got < 1) fail_msg("table1.md: cannot read the cell '%s'", s);
        if (got == 1 && strstr(s, "±")) fail_msg("table1.md: cannot read the cell '%s'", s);
    }
    free(copy);
    return c;
}

/* An executable shell script standing in for gnuplot: writes a placeholder image. */
static char *write_fake_gnuplot(void)
{
    static const char body[] = "#!/bin/sh\n"
                               "out=$(sed -n \"s/^set output '\\(.*\\)'\\$/\\1/p\" \"${2:--}\")\n"
                               "printf 'placeholder\\n' > \"$out\"\n";
    char *path = tmpdir_path(td, "gnuplot"), err[FTL_ERRLEN];
    if (ftl_write_file(path, body, sizeof body - 1, err) != 0) fail_msg("%s", err);
    chmod(path, 0755);
    return path;
}

static int setup(void **state)
{
    (void)state;
    const char *dirs[3];
    char *shard[3];
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "shard%d", i + 1);
        const char *p = testutil_fixture("table1", name);
        if (!p) return -1;
        dirs[i] = shard[i] = xstrdup(p);
    }
    td = tmpdir_new();
    char *fake = write_fake_gnuplot(), *out = tmpdir_path(td, "out"), err[FTL_ERRLEN];
    setenv("FTLAB_GNUPLOT", fake, 1);
    struct table1_expect e;
    table1_expect_all(&e);
    refused_rc = table1_collect(dirs, 3, out, &e, NULL, refused_err);
    e.partial = 1;
    int rc = table1_collect(dirs, 3, out, &e, NULL, err);
    if (rc != 0) {
        printf("# table1_collect: %s\n", err);
    } else {
        char *md = ftl_path_join(out, "table1.md"), *csv = ftl_path_join(out, "table1.csv");
        md_text = read_text(md);
        csv_text = read_text(csv);
        free(md);
        free(csv);
    }
    for (int i = 0; i < 3; i++)
        shard_dir[i] = shard[i];
    free(fake);
    free(out);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    free(md_text);
    free(csv_text);
    for (int i = 0; i < 3; i++)
        free(shard_dir[i]);
    tmpdir_free(td);
    return 0;
}

static const char *cell_name(const struct want *w)
{
    static char name[96];
    snprintf(name, sizeof name, "%s %s k=%d", model_task_name(w->task), reg_table[w->loss].name,
             w->k);
    return name;
}

/* Equal to 1e-6 (the csv's %.6f), or both NaN. */
static int same(double got, double expected)
{
    return (isnan(got) && isnan(expected)) || fabs(got - expected) <= 1e-6;
}

// ---- the csv ----

static void test_csv_values(void **state)
{
    parse_csv(csv_text);
    assert_int_equal(ncsv, NWANT); /* a row per cell of every loss, with a run or expected */
    for (int i = 0; i < NWANT; i++) {
        const struct want *w = &want[i];
        const struct csv_row *r = csv_find(w->task, w->loss, w->k);
        if (!r) fail_msg("table1.csv: no row for %s", cell_name(w));
        if (r->runs != w->runs)
            fail_msg("table1.csv %s: %d runs, want %d", cell_name(w), r->runs, w->runs);
        if (!same(r->mean, w->mean))
            fail_msg("table1.csv %s: ami_max_mean %.6f, want %.6f", cell_name(w), r->mean, w->mean);
        if (!same(r->std, w->std))
            fail_msg("table1.csv %s: ami_max_std %.6f, want %.6f (sample std, n - 1; nan below 2 "
                     "runs)",
                     cell_name(w), r->std, w->std);
        if (!same(r->arith, w->arith) || !same(r->nmi, w->nmi) || !same(r->test, w->test))
            fail_msg("table1.csv %s: ami_arithmetic %.6f nmi_geometric %.6f test %.6f, "
                     "want %.6f %.6f %.6f",
                     cell_name(w), r->arith, r->nmi, r->test, w->arith, w->nmi, w->test);
    }
    /* the paper's values beside (SPEC.md §1.2b) */
    assert_float_equal(csv_find(TASK_CLASSIFY, REG_PROPOSED, 10)->paper, 0.544, 1e-9);
    assert_float_equal(csv_find(TASK_AUTOENCODE, REG_BASELINE, 11)->paper, 0.468, 1e-9);
}

// ---- the markdown ----

static void test_md_values(void **state)
{
    for (int i = 0; i < NWANT; i++) {
        const struct want *w = &want[i];
        struct md_cell c = md_cell(w->task, w->loss, w->k);
        if (!c.found) fail_msg("table1.md: no cell for %s", cell_name(w));
        if (!w->runs) continue; /* test_missing */
        char mean[16], std[16] = "";
        snprintf(mean, sizeof mean, "%.3f", w->mean);
        if (w->runs > 1) snprintf(std, sizeof std, "%.3f", w->std);
        if (c.missing || strcmp(c.mean, mean) != 0 || strcmp(c.std, std) != 0)
            fail_msg("table1.md %s: '%s ± %s', want '%s ± %s'", cell_name(w),
                     c.missing ? "–" : c.mean, c.std, mean, std);
    }
}

/* One bold cell per column without a missing cell, on the best mean of all runs; none in the
 * others (classifier k = 11, every autoencoder column): the missing run might be the best. */
static void test_md_bold(void **state)
{
    for (int i = 0; i < NWANT; i++) {
        const struct want *w = &want[i];
        struct md_cell c = md_cell(w->task, w->loss, w->k);
        if (c.bold != w->bold)
            fail_msg("table1.md %s: %s, but its column's best mean is %s", cell_name(w),
                     c.bold ? "bold" : "not bold", w->bold ? "this one" : "another");
    }
    for (int t = 0; t < TASK_COUNT; t++)
        for (int k = 9; k <= 11; k++) {
            int n = 0;
            for (int l = 0; l < REG_COUNT; l++)
                n += md_cell((enum model_task)t, (enum reg_kind)l, k).bold;
            int want_n = t == TASK_CLASSIFY && k < 11;
            if (n != want_n)
                fail_msg("table1.md %s k=%d: %d bold cells, want %d", model_task_name(t), k, n,
                         want_n);
        }
}

/* The runs and test columns: the cell of the loss with the most runs (not the last k's). */
static void test_md_runs(void **state)
{
    static const struct {
        enum model_task task;
        enum reg_kind loss;
        const char *runs, *test;
    } rows[] = {
        {TASK_CLASSIFY, REG_BASELINE, "3", "0.9300"},
        {TASK_CLASSIFY, REG_DECOV, "3", "0.9300"}, /* its k = 11 cell has no runs */
        {TASK_CLASSIFY, REG_XCOV, "3", "0.9300"},
        {TASK_CLASSIFY, REG_PROPOSED, "3", "0.9300"},
        {TASK_AUTOENCODE, REG_BASELINE, "2", "0.0250"},
        {TASK_AUTOENCODE, REG_PROPOSED, "1", "0.0400"},
        {TASK_AUTOENCODE, REG_DECOV, "0", "–"},
        {TASK_AUTOENCODE, REG_XCOV, "0", "–"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *copy = xstrdup(md_text), *field[16];
        int n = md_row(rows[i].task, rows[i].loss, copy, field, 16);
        if (n < 7)
            fail_msg("table1.md: no row %s %s", model_task_name(rows[i].task),
                     reg_table[rows[i].loss].name);
        assert_string_equal(field[5], rows[i].runs);
        assert_string_equal(field[6], rows[i].test);
        free(copy);
    }
}

/* Every value the md shows is the csv's, rounded: the two files tell one story. */
static void test_md_matches_csv(void **state)
{
    parse_csv(csv_text);
    int compared = 0;
    for (int i = 0; i < ncsv; i++) {
        const struct csv_row *r = &csv_rows[i];
        enum model_task t = (enum model_task)model_task_from_name(r->task);
        enum reg_kind l = (enum reg_kind)reg_from_name(r->loss);
        struct md_cell c = md_cell(t, l, r->k);
        if (!c.found) fail_msg("table1.md: no cell for csv row %s %s k=%d", r->task, r->loss, r->k);
        if (r->runs == 0) {
            if (!c.missing)
                fail_msg("table1.md %s %s k=%d: no runs, not shown as –", r->task, r->loss, r->k);
            continue;
        }
        char mean[16], std[16] = "";
        snprintf(mean, sizeof mean, "%.3f", r->mean);
        if (!isnan(r->std)) snprintf(std, sizeof std, "%.3f", r->std);
        if (strcmp(c.mean, mean) != 0 || strcmp(c.std, std) != 0)
            fail_msg("%s %s k=%d: table1.md '%s ± %s', table1.csv %.6f ± %.6f", r->task, r->loss,
                     r->k, c.mean, c.std, r->mean, r->std);
        compared++;
    }
    assert_int_equal(compared, NWANT - 7); /* the cells with runs */
}

// ---- what is missing ----

/*
 * Without partial, missing runs are refused, all named on one line: an
 * unfinished run (autoencoder DeCov run 1: config, no eval.csv), runs of no
 * shard (autoencoder XCov), runs lacking a k the others have (classifier DeCov).
 */
static void test_refused(void **state)
{
    assert_int_equal(refused_rc, -1);
    assert_null(strchr(refused_err, '\n'));
    assert_non_null(strstr(refused_err, "12 of the expected runs (tasks x losses x 3 runs)"));
    assert_non_null(strstr(refused_err, "--partial"));
    static const char *const named[] = {
        "classify-decov-run1 (no k=11)", "classify-decov-run3 (no k=11)",
        "autoencode-baseline-run3",      "autoencode-decov-run1",
        "autoencode-xcov-run2",          "autoencode-proposed-run3",
    };
    for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
        if (!strstr(refused_err, named[i]))
            fail_msg("'%s' not named in: %s", named[i], refused_err);
    assert_null(strstr(refused_err, "classify-baseline-run"));
}

/*
 * With partial, a cell without runs is shown as missing in both files; a
 * loss with no finished run still has its row, and a "missing: ..." note
 * under each table names what is missing.
 */
static void test_missing(void **state)
{
    struct md_cell c = md_cell(TASK_CLASSIFY, REG_DECOV, 11);
    assert_true(c.found);
    assert_true(c.missing);
    assert_false(c.bold);
    parse_csv(csv_text);
    const struct csv_row *r = csv_find(TASK_CLASSIFY, REG_DECOV, 11);
    assert_non_null(r);
    assert_int_equal(r->runs, 0);
    assert_true(isnan(r->mean));
    assert_true(isnan(r->std));
    for (int k = 9; k <= 11; k++) {
        assert_true(md_cell(TASK_AUTOENCODE, REG_DECOV, k).missing);
        assert_true(md_cell(TASK_AUTOENCODE, REG_XCOV, k).missing);
        assert_int_equal(csv_find(TASK_AUTOENCODE, REG_XCOV, k)->runs, 0);
    }
    const char *note[TASK_COUNT] = {
        "\nmissing: classify-decov-run1 (no k=11), classify-decov-run2 (no k=11), "
        "classify-decov-run3 (no k=11). ",
        "\nmissing: autoencode-baseline-run3, autoencode-decov-run1, autoencode-decov-run2, "
        "autoencode-decov-run3, autoencode-xcov-run1, autoencode-xcov-run2, "
        "autoencode-xcov-run3, autoencode-proposed-run2, autoencode-proposed-run3. "};
    for (int t = 0; t < TASK_COUNT; t++) {
        const char *sec = strstr(md_text, md_section[t]), *at = strstr(md_text, note[t]);
        if (!sec || !at) fail_msg("table1.md: no note '%s'", note[t]);
        const char *next = strstr(sec + 1, "\n## ");
        assert_true(at > sec && (!next || at < next)); /* under its own table */
    }
}

/* One run has no spread to estimate: the table shows its mean alone (no "± 0.000"), the
 * csv's ami_max_std is nan, and the figure leaves its error bar out (NaN in
 * table1-autoencoder.dat). */
static void test_single_run(void **state)
{
    struct md_cell c = md_cell(TASK_AUTOENCODE, REG_PROPOSED, 10);
    assert_string_equal(c.mean, "0.350");
    assert_string_equal(c.std, "");
    parse_csv(csv_text);
    assert_true(isnan(csv_find(TASK_AUTOENCODE, REG_PROPOSED, 10)->std));
}

// ---- the figure's data ----

/* OUT/NAME.dat: block l (loss l) holds "x k mean spread paper" per k = 9, 10, 11. */
static void check_figure_dat(const char *name, enum model_task task)
{
    char file[64];
    snprintf(file, sizeof file, "out/%s.dat", name);
    char *path = tmpdir_path(td, file), *text = read_text(path), *save = NULL;
    int block = -1, row = 0, checked = 0;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char bname[32];
        int index;
        if (sscanf(line, "# index %d: $%31s", &index, bname) == 2) {
            block = reg_from_name(bname); /* blocks are named after their loss */
            assert_true(block >= 0);
            row = 0;
        }
        if (line[0] == '#') continue;
        double x, mean, spread, paper;
        int k;
        if (sscanf(line, "%lf %d %lf %lf %lf", &x, &k, &mean, &spread, &paper) != 5)
            fail_msg("%s: cannot read '%s'", file, line);
        assert_int_equal(k, 9 + row++);
        const struct want *w = NULL;
        for (int i = 0; i < NWANT; i++)
            if (want[i].task == task && (int)want[i].loss == block && want[i].k == k) w = &want[i];
        int runs = w ? w->runs : 0;
        if (!(runs ? fabs(mean - w->mean) < 1e-8 : isnan(mean)))
            fail_msg("%s %s k=%d: mean %g, want %g", file, reg_table[block].name, k, mean,
                     runs ? w->mean : NAN);
        if (!(runs > 1 ? fabs(spread - w->std) < 1e-8 : isnan(spread)))
            fail_msg("%s %s k=%d: spread %g, want %g", file, reg_table[block].name, k, spread,
                     runs > 1 ? w->std : NAN);
        checked++;
    }
    assert_int_equal(checked, 4 * 3); /* the paper's four losses, each with the paper's values */
    free(text);
    free(path);
}

/*
 * figure2: run 1 of the binary task's and the autoencoder's baseline and
 * proposed runs (shard1), in that order, on the panels compare-actmap draws:
 * the script against tests/data/plots/golden/figure2.gp (FTLAB_UPDATE_GOLDEN=1
 * rewrites it). Without shard1 (no run 1) there is no figure2 at all.
 */
static void test_figure2(void **state)
{
    char *out = tmpdir_path(td, "out"), *gp = ftl_path_join(out, "figure2.gp");
    char *made = read_text(gp), err[FTL_ERRLEN];
    const char *golden = testutil_fixture("plots", "golden/figure2.gp");
    const char *update = getenv("FTLAB_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        char *path = ftl_path_join(testutil_fixture("plots", "golden"), "figure2.gp");
        if (ftl_write_file(path, made, strlen(made), err) != 0) fail_msg("%s", err);
        free(path);
    } else {
        if (!golden) fail_msg("no tests/data/plots/golden/figure2.gp");
        char *expected = read_text(golden);
        if (strcmp(made, expected) != 0)
            fail_msg("%s differs from tests/data/plots/golden/figure2.gp "
                     "(FTLAB_UPDATE_GOLDEN=1 rewrites it)",
                     gp);
        free(expected);
    }
    /* the panels' order: classify baseline, classify proposed, autoencoder baseline, proposed */
    const char *a = strstr(made, "'Classifier, Baseline'"),
               *b = strstr(made, "'Classifier, Proposed (KL margin)'"),
               *c = strstr(made, "'Autoencoder, Baseline'"),
               *d = strstr(made, "'Autoencoder, Proposed (KL margin)'");
    assert_true(a && b && c && d && a < b && b < c && c < d);
    free(made);
    /* shards 2 and 3 only: no run 1, no figure */
    char *partial = tmpdir_path(td, "partial"), *gp2 = ftl_path_join(partial, "figure2.gp");
    struct table1_expect e;
    table1_expect_all(&e);
    e.partial = 1;
    const char *dirs[2] = {shard_dir[1], shard_dir[2]};
    assert_int_equal(table1_collect(dirs, 2, partial, &e, NULL, err), 0);
    assert_false(ftl_is_file(gp2));
    free(gp2);
    free(partial);
    free(gp);
    free(out);
}

static void test_figure_data(void **state)
{
    check_figure_dat("table1", TASK_CLASSIFY);
    check_figure_dat("table1-autoencoder", TASK_AUTOENCODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_values),     cmocka_unit_test(test_md_values),
        cmocka_unit_test(test_md_bold),        cmocka_unit_test(test_md_runs),
        cmocka_unit_test(test_md_matches_csv), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_missing),        cmocka_unit_test(test_single_run),
        cmocka_unit_test(test_figure_data),    cmocka_unit_test(test_figure2),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
