/* ghost — another run's history, read once. See ghost.h. */
#include "ghost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "follow.h"
#include "model.h"
#include "plotdata.h"
#include "run.h"
#include "util.h"

/* The task loss over steps (metrics.csv: "step" and "task" columns). */
static int load_loss(struct ghost *g, const char *dir, char *err)
{
    char *path = run_path(dir, "metrics.csv");
    struct plotdata_csv t;
    int rc = plotdata_csv_read(path, &t, err);
    free(path);
    if (rc != 0) return -1;
    int cs = plotdata_csv_col(&t, "step"), ct = plotdata_csv_col(&t, "task");
    if (cs < 0 || ct < 0) {
        plotdata_csv_free(&t);
        return ftl_error(err, "%s/metrics.csv: no step or task column", dir);
    }
    g->step = xmallocarray(t.nrow + 1, sizeof *g->step);
    g->task = xmallocarray(t.nrow + 1, sizeof *g->task);
    for (size_t r = 0; r < t.nrow; r++) {
        g->step[g->n] = t.v[r * t.ncol + cs];
        g->task[g->n++] = t.v[r * t.ncol + ct];
    }
    plotdata_csv_free(&t);
    return 0;
}

/* Every evaluation of evals.csv (or eval.csv, the last one, in older runs); none is fine. */
static void load_evals(struct ghost *g, const char *dir)
{
    char *path = run_path(dir, "evals.csv"), err[FTL_ERRLEN];
    if (!ftl_is_file(path)) {
        free(path);
        path = run_path(dir, "eval.csv");
    }
    struct plotdata_csv t;
    int rc = ftl_is_file(path) ? plotdata_csv_read(path, &t, err) : -1;
    free(path);
    if (rc != 0) return;
    int cs = plotdata_csv_col(&t, "step"), ck = plotdata_csv_col(&t, "k");
    int ca = plotdata_csv_col(&t, "ami_max");
    if (cs >= 0 && ck >= 0 && ca >= 0) {
        g->ami_step = xmallocarray(t.nrow + 1, sizeof *g->ami_step);
        g->ami = xmallocarray(t.nrow + 1, sizeof *g->ami);
        g->ami_k = xmallocarray(t.nrow + 1, sizeof *g->ami_k);
        for (size_t r = 0; r < t.nrow; r++) {
            g->ami_step[g->nami] = t.v[r * t.ncol + cs];
            g->ami_k[g->nami] = (int)t.v[r * t.ncol + ck];
            g->ami[g->nami++] = t.v[r * t.ncol + ca];
        }
    }
    plotdata_csv_free(&t);
}

/* Figure 2 of the newest evaluation (actmap.csv: unit, then a column per class: digit0..digit9,
 * g0.., y0 y1; evaluate.h); none is fine. */
static void load_heat(struct ghost *g, const char *dir)
{
    char *path = run_path(dir, "actmap.csv"), err[FTL_ERRLEN];
    struct plotdata_csv t;
    int rc = ftl_is_file(path) ? plotdata_csv_read(path, &t, err) : -1;
    free(path);
    if (rc != 0) return;
    int cu = plotdata_csv_col(&t, "unit"), cd = cu + 1, C = (int)t.ncol - cd;
    if (cu >= 0 && C >= 1 && C <= 40 && t.nrow > 0 && t.nrow <= 4096) {
        g->units = (int)t.nrow;
        g->classes = C;
        g->heat = xcalloc(t.nrow * (size_t)C, sizeof *g->heat);
        for (size_t r = 0; r < t.nrow; r++)
            for (int d = 0; d < C; d++) {
                double v = t.v[r * t.ncol + (size_t)(cd + d)];
                g->heat[r * (size_t)C + (size_t)d] = isfinite(v) && v > 0 ? (uint32_t)v : 0;
            }
    }
    plotdata_csv_free(&t);
    /* The step it was taken at: eval.csv's first row. */
    path = run_path(dir, "eval.csv");
    if (ftl_is_file(path) && plotdata_csv_read(path, &t, err) == 0) {
        int cs = plotdata_csv_col(&t, "step");
        if (cs >= 0 && t.nrow) g->heat_step = (uint64_t)t.v[cs];
        plotdata_csv_free(&t);
    }
    free(path);
}

int ghost_load(struct ghost *g, const char *dir, const char *label, char *err)
{
    memset(g, 0, sizeof *g);
    g->loss = -1;
    snprintf(g->label, sizeof g->label, "%s", label);
    if (load_loss(g, dir, err) != 0) {
        ghost_free(g);
        return -1;
    }
    struct plotdata_run info;
    char ignored[FTL_ERRLEN];
    if (plotdata_run_info(dir, &info, ignored) == 0) g->loss = info.loss;
    load_evals(g, dir);
    load_heat(g, dir);
    return 0;
}

void ghost_label(const char *dir, char *out, size_t cap)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    const char *base = dir + start;
    size_t blen = len - start;
    /* TASK-LOSS-runR, as table1 and sweeps name their runs: the task is the live one's. */
    for (int t = 0; t < TASK_COUNT; t++) {
        size_t tl = strlen(model_task_name((enum model_task)t));
        if (blen > tl + 1 && strncmp(base, model_task_name((enum model_task)t), tl) == 0 &&
            base[tl] == '-')
            base += tl + 1, blen -= tl + 1;
    }
    if (blen > 18) blen = 18;
    snprintf(out, cap, "%.*s", (int)blen, base);
}

size_t ghost_ami_at(const struct ghost *g, int k, double *xs, double *ys, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < g->nami && n < cap; i++)
        if (g->ami_k[i] == k) xs[n] = g->ami_step[i], ys[n++] = g->ami[i];
    return n;
}

void ghost_free(struct ghost *g)
{
    free(g->step);
    free(g->task);
    free(g->ami_step);
    free(g->ami);
    free(g->ami_k);
    free(g->heat);
    memset(g, 0, sizeof *g);
}

/* The task and first loss a run's config names (-1 when unreadable). */
static void run_kind(const char *dir, int *task, int *loss)
{
    struct plotdata_run info;
    char err[FTL_ERRLEN];
    *task = *loss = -1;
    if (plotdata_run_info(dir, &info, err) != 0) return;
    *task = info.autoencoder ? TASK_AUTOENCODE : TASK_CLASSIFY;
    *loss = info.loss;
}

static void add(char ***out, int *n, const char *dir)
{
    *out = xrealloc(*out, ((size_t)*n + 2) * sizeof **out);
    (*out)[(*n)++] = xstrdup(dir);
    (*out)[*n] = NULL;
}

char **ghost_pick(char *const *dirs, int ndirs, int task, int live_loss, int max, int *n,
                  int *dropped, char *err)
{
    char **out = xcalloc(1, sizeof *out); /* empty, NULL-terminated */
    *n = 0;
    *dropped = 0;
    for (int i = 0; i < ndirs; i++) {
        char *cfg = run_path(dirs[i], "config");
        int single = ftl_is_file(cfg);
        free(cfg);
        int count;
        char **runs = follow_dirs(&dirs[i], 1, &count, err);
        if (!runs) {
            follow_dirs_free(out);
            return NULL;
        }
        if (single) {
            if (*n < max)
                add(&out, n, runs[0]);
            else
                ++*dropped;
            follow_dirs_free(runs);
            continue;
        }
        /* A folder of runs: the first run (in name order) of each loss of this task,
         * the losses the live run does not have first. */
        int first[REG_COUNT], wanted = 0;
        for (int l = 0; l < REG_COUNT; l++)
            first[l] = -1;
        for (int r = 0; r < count; r++) { /* each run's config read once */
            int t, l;
            run_kind(runs[r], &t, &l);
            if (t == task && l >= 0 && l < REG_COUNT && first[l] < 0) first[l] = r, wanted++;
        }
        for (int k = 0; k <= REG_COUNT; k++) { /* the live run's loss last */
            int l = k < REG_COUNT ? k : live_loss;
            if ((k < REG_COUNT && l == live_loss) || l < 0 || l >= REG_COUNT || first[l] < 0)
                continue;
            if (*n < max)
                add(&out, n, runs[first[l]]);
            else
                ++*dropped;
        }
        if (!wanted) {
            follow_dirs_free(runs);
            follow_dirs_free(out);
            ftl_error(err, "%s: no run of the %s task in it", dirs[i], model_task_name(task));
            return NULL;
        }
        follow_dirs_free(runs);
    }
    return out;
}
