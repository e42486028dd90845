/*
 * The experiment end to end: what the user asks for is what the trainer computes.
 *
 * The kernels have their own tests; this one checks the wiring from the
 * command line (and the journal, and the workbench's keys through
 * tests/experiment-tui.sh) down to the weights. Each case of
 * tests/ref/experiment_ref.h runs `ftlab train` (or `ftlab replay`) for a
 * few SGD steps on the tiny data set tests/data/experiment from a fixed
 * initial checkpoint, and the run must end with the weights PyTorch computes
 * independently (tests/ref/experiment_ref.py), and every row of its
 * metrics.csv must hold the loss terms of that step, the controls the
 * journal says were in force, and total = task + lambda * (active term).
 *
 *     test_experiment                   every case through the CLI
 *     test_experiment --check RUN CASE  one run directory against one case
 *     test_experiment --check-metrics RUN  any run's metrics.csv against its journal
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "checkpoint.h"
#include "loss.h"
#include "npy.h"
#include "testutil.h"
#include "util.h"

#include "../tests/ref/experiment_ref.h"
#include "../tests/ref/headline_ref.h"

/*
 * ftlab computes in float32 with its own summation order; PyTorch here in
 * float64. After a few steps the weights agree to ~1e-6; the smallest change
 * a regulariser makes in these cases is ~5e-3 (experiment_ref.py), so a
 * tolerance of 1e-4 separates rounding from wiring with room on both sides.
 */
#define WEIGHT_TOL 1e-5
#define TERM_RTOL 1e-4 /* the loss terms, relative (plus a small absolute floor) */

static const char *bin(void)
{
    const char *b = getenv("FTLAB_BIN");
    return b && *b ? b : "./ftlab";
}

/* Runs argv (NULL-terminated) with stdout and stderr into log; returns the exit status. */
static int run(const char *log, char *const argv[])
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *f = freopen(log, "w", stdout);
        if (!f || dup2(fileno(stdout), 2) < 0) _exit(126);
        execv(argv[0], argv);
        fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int st;
    if (pid < 0 || waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void print_file(const char *path)
{
    char *text, err[FTL_ERRLEN];
    size_t n;
    if (ftl_read_file(path, &text, &n, err) == 0) {
        printf("%s", text);
        free(text);
    }
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return xstrdup(buf);
}

static const struct experiment_ref *find_case(const char *name)
{
    for (size_t i = 0; i < sizeof experiment_refs / sizeof experiment_refs[0]; i++)
        if (strcmp(experiment_refs[i].name, name) == 0) return &experiment_refs[i];
    return NULL;
}

static int close_to(double got, double want, double rtol, double atol)
{
    return fabs(got - want) <= atol + rtol * fabs(want);
}

// ---- the journal, read here on its own (not through src/journal.c) ----

/* The controls in force at each step 0..steps-1, from config lines and "step S KEY VALUE". */
struct schedule {
    int *loss;
    double *lambda, *margin, *lr;
};

static int set_control(const char *key, const char *value, int *loss, double *lambda,
                       double *margin, double *lr)
{
    if (strcmp(key, "loss") == 0) {
        *loss = reg_from_name(value);
        return *loss < 0 ? -1 : 0;
    }
    double *d = strcmp(key, "lambda") == 0   ? lambda
                : strcmp(key, "margin") == 0 ? margin
                : strcmp(key, "lr") == 0     ? lr
                                             : NULL;
    if (d) *d = strtod(value, NULL);
    return 0;
}

static void read_schedule(const char *run_dir, int steps, struct schedule *s)
{
    char *path = fmt("%s/journal", run_dir);
    s->loss = xcalloc((size_t)steps + 1, sizeof *s->loss);
    s->lambda = xcalloc((size_t)steps + 1, sizeof *s->lambda);
    s->margin = xcalloc((size_t)steps + 1, sizeof *s->margin);
    s->lr = xcalloc((size_t)steps + 1, sizeof *s->lr);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("%s: %s", path, strerror(errno));
    int loss = -1;
    double lambda = NAN, margin = NAN, lr = NAN;
    char line[4096], key[64], value[1100];
    unsigned long step;
    int next = 0; /* first step not yet given its controls */
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "config %63s %1099s", key, value) == 2) {
            set_control(key, value, &loss, &lambda, &margin, &lr);
        } else if (sscanf(line, "step %lu %63s %1099s", &step, key, value) == 3) {
            /* A change at step S applies from batch S on (0-based): fill the steps before. */
            for (; next < steps && (unsigned long)next < step; next++)
                s->loss[next] = loss, s->lambda[next] = lambda, s->margin[next] = margin,
                s->lr[next] = lr;
            if (set_control(key, value, &loss, &lambda, &margin, &lr) != 0)
                fail_msg("%s: unknown loss in '%s'", path, line);
        } else if (strncmp(line, "rewind", 6) == 0) {
            fail_msg("%s: rewinds are not expected in these runs", path);
        }
    }
    for (; next < steps; next++)
        s->loss[next] = loss, s->lambda[next] = lambda, s->margin[next] = margin, s->lr[next] = lr;
    fclose(f);
    free(path);
}

// ---- metrics.csv, parsed here on its own ----

enum {
    M_STEP,
    M_LOSS,
    M_TASK,
    M_DECOV,
    M_XCOV,
    M_PROPOSED,
    M_TOTAL,
    M_LAMBDA,
    M_MARGIN,
    M_LR,
    M_N
};
static const char *const m_names[M_N] = {"step",     "loss",  "task",   "decov",  "xcov",
                                         "proposed", "total", "lambda", "margin", "lr"};

/* Splits line at commas in place; returns the field count. */
static int split(char *line, char **field, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        field[n++] = p;
        char *c = strchr(p, ',');
        if (!c) break;
        *c = 0;
        p = c + 1;
    }
    return n;
}

/*
 * Every metrics row: its controls are those the journal says were in force,
 * total = task + lambda * (the active term), and (ref non-NULL) each term is
 * PyTorch's for that step. Returns the number of rows.
 */
static int check_metrics(const char *run_dir, const struct experiment_ref *ref, int steps)
{
    struct schedule sch;
    read_schedule(run_dir, steps, &sch);
    char *path = fmt("%s/metrics.csv", run_dir);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("%s: %s", path, strerror(errno));
    char line[4096], *field[64];
    int col[M_N], rows = 0;
    if (!fgets(line, sizeof line, f)) fail_msg("%s: empty", path);
    int nf = split(line, field, 64);
    char head[64][32];
    for (int i = 0; i < nf; i++)
        snprintf(head[i], sizeof head[i], "%s", field[i]);
    for (int c = 0; c < M_N; c++) {
        col[c] = -1;
        for (int i = 0; i < nf; i++)
            if (strcmp(field[i], m_names[c]) == 0) col[c] = i;
        if (col[c] < 0) fail_msg("%s: no column '%s'", path, m_names[c]);
    }
    while (fgets(line, sizeof line, f)) {
        nf = split(line, field, 64);
        double v[M_N];
        for (int c = 0; c < M_N; c++) {
            if (col[c] >= nf) fail_msg("%s: row %d is short", path, rows + 1);
            v[c] = c == M_LOSS ? reg_from_name(field[col[c]]) : strtod(field[col[c]], NULL);
        }
        int step = (int)v[M_STEP], i = step - 1, loss = (int)v[M_LOSS];
        if (step != rows + 1 || i >= steps) fail_msg("%s: row %d is step %d", path, rows + 1, step);
        /* The controls: as the journal has them, and as the reference had them. */
        if (loss != sch.loss[i] || !close_to(v[M_LAMBDA], sch.lambda[i], 1e-8, 0) ||
            !close_to(v[M_MARGIN], sch.margin[i], 1e-8, 0) ||
            !close_to(v[M_LR], sch.lr[i], 1e-8, 0))
            fail_msg("%s: step %d ran %s lambda %g margin %g lr %g; the journal says %s %g %g %g",
                     path, step, field[col[M_LOSS]], v[M_LAMBDA], v[M_MARGIN], v[M_LR],
                     sch.loss[i] >= 0 ? reg_table[sch.loss[i]].name : "?", sch.lambda[i],
                     sch.margin[i], sch.lr[i]);
        /* The objective is the sum it claims to be. */
        /* The active term's column is named after its loss (a fifth loss has its own). */
        int acol = -1;
        for (int i2 = 0; i2 < nf && loss != REG_BASELINE; i2++)
            if (strcmp(head[i2], reg_table[loss].name) == 0) acol = i2;
        if (loss != REG_BASELINE && acol < 0)
            fail_msg("%s: no column for the active loss %s", path, reg_table[loss].name);
        double active = loss == REG_BASELINE ? 0 : strtod(field[acol], NULL);
        if (!close_to(v[M_TOTAL], v[M_TASK] + v[M_LAMBDA] * active, 1e-6, 1e-9))
            fail_msg("%s: step %d: total %.9g != task %.9g + %g * %.9g", path, step, v[M_TOTAL],
                     v[M_TASK], v[M_LAMBDA], active);
        if (ref) {
            const double *r = ref->rows + (size_t)i * EXPERIMENT_REF_COLS;
            if (loss != (int)r[0] || !close_to(v[M_LAMBDA], r[1], 1e-8, 0) ||
                !close_to(v[M_MARGIN], r[2], 1e-8, 0) || !close_to(v[M_LR], r[3], 1e-8, 0))
                fail_msg("%s: step %d ran %s lambda %g margin %g lr %g, the reference %s %g %g %g",
                         path, step, field[col[M_LOSS]], v[M_LAMBDA], v[M_MARGIN], v[M_LR],
                         reg_table[(int)r[0]].name, r[1], r[2], r[3]);
            for (int c = M_TASK; c <= M_TOTAL; c++)
                if (!close_to(v[c], r[4 + c - M_TASK], TERM_RTOL, 1e-9))
                    fail_msg("%s: step %d: %s is %.9g, PyTorch says %.9g", path, step, m_names[c],
                             v[c], r[4 + c - M_TASK]);
        }
        rows++;
    }
    fclose(f);
    free(path);
    free(sch.loss), free(sch.lambda), free(sch.margin), free(sch.lr);
    return rows;
}

// ---- the weights ----

static void check_weights(const char *run_dir, const struct experiment_ref *ref)
{
    char *path = fmt("%s/checkpoints/final.ckpt", run_dir), err[FTL_ERRLEN];
    struct ckpt c;
    if (ckpt_read(path, &c, err) != 0) fail_msg("%s", err);
    uint64_t step;
    if (ckpt_get_u64(&c, "trainer/step", &step, err) != 0) fail_msg("%s", err);
    assert_int_equal(step, ref->steps);
    const double *want = ref->weights;
    double worst = 0;
    for (int p = 0; p < ref->nparam; p++) {
        char name[128];
        snprintf(name, sizeof name, "model/%s", ref->names[p]);
        const struct ckpt_record *r = ckpt_find(&c, name);
        if (!r || r->type != CKPT_F32 || r->count != (size_t)ref->count[p])
            fail_msg("%s: no float32 record %s of %d values", path, name, ref->count[p]);
        const float *got = r->data;
        for (int j = 0; j < ref->count[p]; j++) {
            double d = fabs(got[j] - want[j]);
            if (d > worst) worst = d;
            if (d > WEIGHT_TOL)
                fail_msg("%s: %s[%d] is %.9g, PyTorch says %.9g", path, ref->names[p], j, got[j],
                         want[j]);
        }
        want += ref->count[p];
    }
    printf("# %s: %d parameters, largest difference from PyTorch %.2g\n", ref->name, ref->nparam,
           worst);
    ckpt_free(&c);
    free(path);
}

static void check_run(const char *run_dir, const struct experiment_ref *ref)
{
    check_weights(run_dir, ref);
    assert_int_equal(check_metrics(run_dir, ref, ref->steps), ref->steps);
}

// ---- the cases ----

static const char *fixture_dir(void)
{
    static char dir[4096];
    const char *p = testutil_fixture("experiment", "init-classify.ckpt");
    if (!p) fail_msg("tests/data/experiment is missing");
    snprintf(dir, sizeof dir, "%s", p);
    *strrchr(dir, '/') = 0;
    return dir;
}

/* `ftlab train` with the case's controls from the command line. */
static void test_train(void **state)
{
    (void)state;
    const char *fix = fixture_dir();
    for (size_t i = 0; i < sizeof experiment_refs / sizeof experiment_refs[0]; i++) {
        const struct experiment_ref *ref = &experiment_refs[i];
        if (ref->nevents > 0) continue;
        char *out = fmt("%s/%s", testutil_group_dir(), ref->name), *log = fmt("%s.log", out);
        char *init = fmt("%s/init-%s.ckpt", fix, ref->task), *lambda = fmt("%.17g", ref->lambda),
             *margin = fmt("%.17g", ref->margin), *lr = fmt("%.17g", ref->lr),
             *steps = fmt("%d", ref->steps), *hidden = fmt("%d", EXPERIMENT_REF_H),
             *units = fmt("%d", EXPERIMENT_REF_K), *batch = fmt("%d", EXPERIMENT_REF_BATCH);
        char *argv[] = {(char *)bin(),
                        "train",
                        "--data",
                        (char *)fix,
                        "--task",
                        (char *)ref->task,
                        "--init",
                        init,
                        "--hidden",
                        hidden,
                        "--units",
                        units,
                        "--batch-size",
                        batch,
                        "--optimizer",
                        "sgd",
                        "--no-shuffle",
                        "--steps",
                        steps,
                        "--loss",
                        (char *)ref->loss,
                        "--lambda",
                        lambda,
                        "--margin",
                        margin,
                        "--lr",
                        lr,
                        "--threads",
                        "1",
                        "-q",
                        "--out",
                        out,
                        NULL};
        if (run(log, argv) != 0) {
            print_file(log);
            fail_msg("%s: ftlab train failed", ref->name);
        }
        check_run(out, ref);
        free(out), free(log), free(init), free(lambda), free(margin), free(lr), free(steps);
        free(hidden), free(units), free(batch);
    }
}

/* `ftlab replay` of a hand-written journal that changes every control at given steps. */
/* The journal of the schedule case, ending (a "stop" line) at step `end`. */
static char *write_schedule(const struct experiment_ref *ref, const char *name, int end)
{
    const char *fix = fixture_dir();
    char *jpath = fmt("%s/%s.journal", testutil_group_dir(), name);
    FILE *f = fopen(jpath, "w");
    assert_non_null(f);
    fprintf(f,
            "# ftlab journal 1\n"
            "config task %s\nconfig hidden %d\nconfig units %d\nconfig batch_size %d\n"
            "config optimizer sgd\nconfig clip 0\nconfig seed 1\nconfig shuffle 0\n"
            "config limit 0\nconfig epochs 0\nconfig steps %d\nconfig threads 1\n"
            "config data %s\nconfig init %s/init-%s.ckpt\n"
            "config loss %s\nconfig lambda %.17g\nconfig margin %.17g\nconfig lr %.17g\n",
            ref->task, EXPERIMENT_REF_H, EXPERIMENT_REF_K, EXPERIMENT_REF_BATCH, ref->steps, fix,
            fix, ref->task, ref->loss, ref->lambda, ref->margin, ref->lr);
    for (int e = 0; e < ref->nevents && ref->events[e].step <= end; e++)
        fprintf(f, "step %d %s %s\n", ref->events[e].step, ref->events[e].key,
                ref->events[e].value);
    fprintf(f, "step %d stop\n", end);
    fclose(f);
    return jpath;
}

static void test_replay(void **state)
{
    (void)state;
    const struct experiment_ref *ref = find_case("schedule-classify");
    assert_non_null(ref);
    char *jpath = write_schedule(ref, "schedule", ref->steps);
    char *out = fmt("%s/replayed", testutil_group_dir()), *log = fmt("%s.log", out);
    char *argv[] = {(char *)bin(), "replay", jpath, "--out", out, NULL};
    if (run(log, argv) != 0) {
        print_file(log);
        fail_msg("ftlab replay failed");
    }
    check_run(out, ref);
    free(jpath), free(out), free(log);
}

/*
 * A run stopped after the journal changed its controls, then resumed: the
 * checkpoint must bring back every control in force (the lr of step 3, the
 * loss and lambda of step 4), not the run's starting ones, and the resumed
 * run must end where the uninterrupted one does.
 */
static void test_resume_keeps_controls(void **state)
{
    (void)state;
    const struct experiment_ref *ref = find_case("schedule-classify");
    assert_non_null(ref);
    char *jpath = write_schedule(ref, "schedule-part", ref->steps - 1);
    char *out = fmt("%s/resumed", testutil_group_dir()), *log = fmt("%s.log", out);
    char *steps = fmt("%d", ref->steps);
    char *replay[] = {(char *)bin(), "replay", jpath, "--out", out, NULL};
    char *resume[] = {(char *)bin(), "train", "--resume", out, "--steps", steps, "-q", NULL};
    if (run(log, replay) != 0 || run(log, resume) != 0) {
        print_file(log);
        fail_msg("ftlab replay, then train --resume, failed");
    }
    check_run(out, ref);
    free(jpath), free(out), free(log), free(steps);
}

// ---- the headline numbers: `ftlab eval` against PyTorch + scikit-learn ----

/* A CSV file as rows of fields (a header row first); parsed here, not by ftlab's code. */
struct csv {
    int rows, cols;
    double v[64][16];
    char head[16][32];
};

static void read_csv(const char *path, struct csv *c)
{
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("%s: %s", path, strerror(errno));
    char line[4096], *field[16];
    memset(c, 0, sizeof *c);
    if (!fgets(line, sizeof line, f)) fail_msg("%s: empty", path);
    c->cols = split(line, field, 16);
    for (int i = 0; i < c->cols; i++)
        snprintf(c->head[i], sizeof c->head[i], "%s", field[i]);
    while (c->rows < 64 && fgets(line, sizeof line, f)) {
        if (split(line, field, 16) != c->cols)
            fail_msg("%s: row %d has another field count than the header", path, c->rows + 1);
        for (int i = 0; i < c->cols; i++)
            c->v[c->rows][i] = strtod(field[i], NULL);
        c->rows++;
    }
    fclose(f);
}

static int csv_col(const struct csv *c, const char *name)
{
    for (int i = 0; i < c->cols; i++)
        if (strcmp(c->head[i], name) == 0) return i;
    fail_msg("no column '%s'", name);
    return -1;
}

/* NMI (geometric mean) and ARI of a contingency table, the textbook way, in long double. */
static void nmi_ari(const double *n, int rows, int cols, double *nmi, double *ari)
{
    long double a[64] = {0}, b[16] = {0}, total = 0, mi = 0, ha = 0, hb = 0, pairs = 0, pa = 0,
                pb = 0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            a[i] += n[i * cols + j], b[j] += n[i * cols + j], total += n[i * cols + j];
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            long double x = n[i * cols + j];
            if (x > 0) mi += x / total * logl(x * total / (a[i] * b[j]));
            pairs += x * (x - 1) / 2;
        }
    for (int i = 0; i < rows; i++)
        if (a[i] > 0) ha -= a[i] / total * logl(a[i] / total), pa += a[i] * (a[i] - 1) / 2;
    for (int j = 0; j < cols; j++)
        if (b[j] > 0) hb -= b[j] / total * logl(b[j] / total), pb += b[j] * (b[j] - 1) / 2;
    long double expected = pa * pb / (total * (total - 1) / 2);
    *nmi = (double)(mi / sqrtl(ha * hb));
    *ari = (double)((pairs - expected) / ((pa + pb) / 2 - expected));
}

/*
 * acthist.csv and actmean.csv against the activations themselves (`ftlab
 * embed` of the same model, test split) and the labels file: each unit and
 * digit's histogram counts sum to that digit's test sequences, every
 * activation lies in the bin the shared range puts it in, the means are the
 * plain means, and dead is max - min < 1e-6.
 */
static void check_acthist(const char *out, const char *model, const char *fix)
{
    enum { K = HEADLINE_REF_K, N = HEADLINE_REF_N, BINS = 40 };
    char *npy = fmt("%s/acts.npy", out), *log = fmt("%s/embed.log", out), err[FTL_ERRLEN];
    char *argv[] = {(char *)bin(), "embed", (char *)model, "--data",
                    (char *)fix,   "--out", npy,           NULL};
    if (run(log, argv) != 0) {
        print_file(log);
        fail_msg("ftlab embed failed");
    }
    struct npy acts, labels;
    char *lpath = fmt("%s/test-labels.npy", fix);
    if (npy_read(npy, &acts, err) != 0 || npy_read(lpath, &labels, err) != 0) fail_msg("%s", err);
    assert_int_equal(acts.count, (size_t)N * K);
    assert_int_equal(labels.count, N);
    double lo = INFINITY, hi = -INFINITY, mn[K], mx[K], mean[K][10] = {{0}},
           count[K][10][BINS] = {{{0}}};
    int per_digit[10] = {0};
    for (int u = 0; u < K; u++)
        mn[u] = INFINITY, mx[u] = -INFINITY;
    for (int i = 0; i < N; i++)
        for (int u = 0; u < K; u++) {
            double x = npy_get_f64(&acts, (size_t)i * K + u);
            mn[u] = fmin(mn[u], x), mx[u] = fmax(mx[u], x);
            lo = fmin(lo, x), hi = fmax(hi, x);
        }
    for (int i = 0; i < N; i++) {
        int d = (int)npy_get_i64(&labels, (size_t)i);
        per_digit[d]++;
        for (int u = 0; u < K; u++) {
            double x = npy_get_f64(&acts, (size_t)i * K + u);
            int b = (int)floor((x - lo) / (hi - lo) * BINS);
            count[u][d][b < BINS ? b : BINS - 1]++;
            mean[u][d] += x;
        }
    }
    /* acthist.csv: unit,digit,bin,lo,hi,count in that order, the same edges for every unit */
    FILE *f = fopen(npy = (free(npy), fmt("%s/acthist.csv", out)), "r");
    if (!f) fail_msg("%s: %s", npy, strerror(errno));
    char line[256];
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "unit,digit,bin,lo,hi,count\n");
    double sum[K][10] = {{0}};
    int rows = 0;
    for (int u, d, b; fgets(line, sizeof line, f); rows++) {
        double blo, bhi, c;
        if (sscanf(line, "%d,%d,%d,%lf,%lf,%lf", &u, &d, &b, &blo, &bhi, &c) != 6)
            fail_msg("acthist.csv: '%s'", line);
        assert_int_equal(u, rows / (10 * BINS));
        assert_int_equal(d, rows / BINS % 10);
        assert_int_equal(b, rows % BINS);
        assert_true(close_to(blo, lo + (hi - lo) * b / BINS, 1e-8, 1e-12));
        assert_true(close_to(bhi, lo + (hi - lo) * (b + 1) / BINS, 1e-8, 1e-12));
        if (c != count[u][d][b])
            fail_msg("acthist.csv: unit %d digit %d bin %d counts %g, the activations %g", u, d, b,
                     c, count[u][d][b]);
        sum[u][d] += c;
    }
    fclose(f);
    assert_int_equal(rows, K * 10 * BINS);
    for (int u = 0; u < K; u++)
        for (int d = 0; d < 10; d++)
            if (sum[u][d] != per_digit[d])
                fail_msg("acthist.csv: unit %d digit %d sums to %g, the test split has %d", u, d,
                         sum[u][d], per_digit[d]);
    /* actmean.csv: unit, digit0..digit9, min, max, dead */
    struct csv am;
    char *p;
    read_csv(p = fmt("%s/actmean.csv", out), &am), free(p);
    assert_int_equal(am.rows, K);
    assert_int_equal(am.cols, 14);
    int dead = 0;
    for (int u = 0; u < K; u++) {
        assert_int_equal((int)am.v[u][0], u);
        for (int d = 0; d < 10; d++)
            if (!close_to(am.v[u][1 + d], mean[u][d] / per_digit[d], 1e-6, 1e-9))
                fail_msg("actmean.csv: unit %d digit %d mean %.9g, the activations %.9g", u, d,
                         am.v[u][1 + d], mean[u][d] / per_digit[d]);
        assert_true(close_to(am.v[u][csv_col(&am, "min")], mn[u], 1e-7, 0));
        assert_true(close_to(am.v[u][csv_col(&am, "max")], mx[u], 1e-7, 0));
        assert_int_equal((int)am.v[u][csv_col(&am, "dead")], mx[u] - mn[u] < 1e-6);
        dead += mx[u] - mn[u] < 1e-6;
    }
    printf("# acthist.csv, actmean.csv: %d units (%d dead) x 10 digits x %d bins agree with the "
           "activations\n",
           K, dead, BINS);
    npy_free(&acts), npy_free(&labels);
    free(npy), free(log), free(lpath);
}

static void test_eval(void **state)
{
    (void)state;
    const char *model = testutil_fixture("headline", "model.ckpt");
    assert_non_null(model);
    char fix[4096];
    snprintf(fix, sizeof fix, "%s", model);
    *strrchr(fix, '/') = 0;
    char *out = fmt("%s/eval", testutil_group_dir()), *log = fmt("%s.log", out);
    char *argv[] = {(char *)bin(), "eval", (char *)model, "--data", fix, "--out", out, NULL};
    if (run(log, argv) != 0) {
        print_file(log);
        fail_msg("ftlab eval failed");
    }
    struct csv ev, am, cl;
    char *p;
    read_csv(p = fmt("%s/eval.csv", out), &ev), free(p);
    read_csv(p = fmt("%s/actmap.csv", out), &am), free(p);
    read_csv(p = fmt("%s/clusters.csv", out), &cl), free(p);

    /* Test accuracy, active units and Figure 2 are exact: argmax and counts of PyTorch's
     * activations. */
    assert_int_equal(ev.rows, 3);
    for (int r = 0; r < ev.rows; r++) {
        assert_true(
            close_to(ev.v[r][csv_col(&ev, "test_accuracy")], HEADLINE_REF_ACCURACY, 0, 1e-9));
        assert_int_equal((int)ev.v[r][csv_col(&ev, "active_units")], HEADLINE_REF_ACTIVE);
    }
    assert_int_equal(am.rows, HEADLINE_REF_K);
    assert_int_equal(am.cols, 11);
    for (int u = 0; u < HEADLINE_REF_K; u++) {
        assert_int_equal((int)am.v[u][0], u);
        for (int d = 0; d < 10; d++)
            if ((int)am.v[u][1 + d] != headline_ref_actmap[u][d])
                fail_msg("actmap.csv: unit %d digit %d counts %g, PyTorch %d", u, d, am.v[u][1 + d],
                         headline_ref_actmap[u][d]);
    }
    /*
     * KMeans: ftlab's and scikit-learn's k-means++ draw other seeds and may stop in
     * other local optima of nearly equal inertia, so the scores agree to ~0.01, not
     * to the last digit. That still separates what matters: the binary label gives
     * AMI ~0.28 here, the wrong k an inertia 9% away, the training split 3x the inertia.
     */
    for (int r = 0; r < 3; r++) {
        const double *want = headline_ref_scores[r];
        assert_int_equal((int)ev.v[r][csv_col(&ev, "k")], (int)want[0]);
        double inertia = ev.v[r][csv_col(&ev, "inertia")], ami = ev.v[r][csv_col(&ev, "ami_max")],
               arith = ev.v[r][csv_col(&ev, "ami_arithmetic")];
        printf("# k=%d: inertia %.4f (scikit-learn %.4f), AMI_max %.4f (%.4f), AMI_arith %.4f "
               "(%.4f)\n",
               (int)want[0], inertia, want[5], ami, want[1], arith, want[2]);
        assert_true(close_to(inertia, want[5], 0.02, 0));
        assert_true(close_to(ami, want[1], 0, 0.02));
        assert_true(close_to(arith, want[2], 0, 0.02));
    }
    /*
     * Exactly, from the contingency table of the first k's partition (clusters.csv):
     * its columns are the test split's digits, and the NMI and ARI that eval.csv
     * reports for that k are those of this table.
     */
    assert_int_equal(cl.rows, (int)headline_ref_scores[0][0]);
    assert_int_equal(cl.cols, 11);
    double table[64 * 10], nmi, ari;
    for (int d = 0; d < 10; d++) {
        double sum = 0;
        for (int i = 0; i < cl.rows; i++)
            sum += table[i * 10 + d] = cl.v[i][1 + d];
        /* The fixture's test split holds each digit HEADLINE_REF_N / 10 times. */
        if (sum != HEADLINE_REF_N / 10)
            fail_msg("clusters.csv: digit %d has %g sequences, the test split %d", d, sum,
                     HEADLINE_REF_N / 10);
    }
    nmi_ari(table, cl.rows, 10, &nmi, &ari);
    assert_true(close_to(ev.v[0][csv_col(&ev, "nmi_geometric")], nmi, 1e-9, 1e-12));
    assert_true(close_to(ev.v[0][csv_col(&ev, "ari")], ari, 1e-9, 1e-12));
    check_acthist(out, model, fix);
    free(out), free(log);
}

// ---- journals of earlier versions replay to the same weights ----

static void test_journal_corpus(void **state)
{
    (void)state;
    static const char *const names[] = {"classify-controls", "autoencode-controls",
                                        "workbench-session"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *file = fmt("%s.journal", names[i]), *want = fmt("%s.final.ckpt", names[i]);
        const char *fp = testutil_fixture("journals", file);
        assert_non_null(fp);
        char *journal = xstrdup(fp);
        const char *wp = testutil_fixture("journals", want);
        assert_non_null(wp);
        char *expected = xstrdup(wp);
        char *out = fmt("%s/corpus-%s", testutil_group_dir(), names[i]), *log = fmt("%s.log", out);
        char *argv[] = {(char *)bin(), "replay", journal, "--out", out, NULL};
        if (run(log, argv) != 0) {
            print_file(log);
            fail_msg("%s: ftlab replay failed", journal);
        }
        char *got_path = fmt("%s/checkpoints/final.ckpt", out), err[FTL_ERRLEN];
        struct ckpt a, b;
        if (ckpt_read(expected, &a, err) != 0 || ckpt_read(got_path, &b, err) != 0)
            fail_msg("%s", err);
        int compared = 0;
        for (size_t r = 0; r < a.count; r++) {
            const struct ckpt_record *ra = &a.records[r];
            /* The weights, Adam's moments and the step: what a replay must reproduce. */
            if ((strncmp(ra->name, "model/", 6) != 0 && strncmp(ra->name, "optim/", 6) != 0 &&
                 strcmp(ra->name, "trainer/step") != 0) ||
                ra->type == CKPT_STR || ra->type == CKPT_BYTES)
                continue;
            const struct ckpt_record *rb = ckpt_find(&b, ra->name);
            size_t bytes = ra->count * (ra->type == CKPT_F64 || ra->type == CKPT_U64 ? 8 : 4);
            if (!rb || rb->type != ra->type || rb->count != ra->count ||
                memcmp(ra->data, rb->data, bytes) != 0)
                fail_msg("%s: %s differs from what ftlab 497f88f replayed", journal, ra->name);
            compared++;
        }
        printf("# %s: %d records bit-identical\n", names[i], compared);
        assert_true(compared > 4);
        ckpt_free(&a), ckpt_free(&b);
        free(file), free(want), free(journal), free(expected), free(out), free(log), free(got_path);
    }
}

/* --check: the run directory and case the environment names (cmocka takes no arguments). */
static void check_one(void **state)
{
    (void)state;
    const char *dir = getenv("FTLAB_EXPERIMENT_RUN"), *name = getenv("FTLAB_EXPERIMENT_CASE");
    if (*name) {
        check_run(dir, find_case(name));
        return;
    }
    /* --check-metrics: any run; its rows against its own journal. */
    char *path = fmt("%s/metrics.csv", dir), *text, err[FTL_ERRLEN];
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) fail_msg("%s", err);
    int lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    int rows = check_metrics(dir, NULL, lines - 1);
    printf("# %s: %d rows agree with the journal and total = task + lambda * term\n", path, rows);
    assert_int_equal(rows, lines - 1);
    free(text), free(path);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--check-metrics") == 0) {
        setenv("FTLAB_EXPERIMENT_RUN", argv[2], 1);
        setenv("FTLAB_EXPERIMENT_CASE", "", 1);
    }
    if (argc == 4 && strcmp(argv[1], "--check") == 0) {
        /* For tests/experiment-tui.sh: a run the workbench made, against one case. */
        const struct experiment_ref *ref = find_case(argv[3]);
        if (!ref) {
            fprintf(stderr, "test_experiment: no case '%s'\n", argv[3]);
            return 2;
        }
        setenv("FTLAB_EXPERIMENT_RUN", argv[2], 1);
        setenv("FTLAB_EXPERIMENT_CASE", argv[3], 1);
    }
    const char *one = getenv("FTLAB_EXPERIMENT_RUN");
    if (one) {
        const struct CMUnitTest tests[] = {cmocka_unit_test(check_one)};
        return cmocka_run_group_tests(tests, NULL, NULL);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_train),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_resume_keeps_controls),
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_journal_corpus),
    };
    return cmocka_run_group_tests(tests, testutil_group_setup, testutil_group_teardown);
}
