/* table1 — collecting runs into the paper's table. See table1.h. */
#include "table1.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "model.h"
#include "plotdata.h"
#include "run.h"
#include "util.h"

#define MAXRUNS 64
#define MAXK TABLE1_MAX_K

/* The k's of the paper's Table 1 (reg_table[].paper holds its values). */
static const int paper_k[3] = {9, 10, 11};

struct cellstats {
    int n;
    double ami_max[MAXRUNS], ami_arith[MAXRUNS], nmi[MAXRUNS], task[MAXRUNS];
};

/* What one (task, loss, run) combination contributed: finished (an eval.csv read) and its k's. */
struct seen {
    int finished, nk;
    int k[MAXK];
};

struct table {
    int nk;
    int k[MAXK];
    struct cellstats cell[TASK_COUNT][REG_COUNT][MAXK];
    char *example[TASK_COUNT][REG_COUNT]; /* the first run found, for Figure 2 */
    char *run1[TASK_COUNT][REG_COUNT];    /* run 1, finished: figure2's panels */
    struct seen seen[TASK_COUNT][REG_COUNT][TABLE1_MAX_RUNS + 1];
    int max_run; /* the highest run number of any run folder, finished or not */
};

void table1_expect_all(struct table1_expect *e)
{
    *e = (struct table1_expect){.shard_i = 1, .shard_n = 1};
    for (int i = 0; i < TASK_COUNT; i++)
        e->tasks[i] = 1;
    for (int i = 0; i < REG_COUNT; i++)
        e->losses[i] = 1;
}

int table1_in_shard(const struct table1_expect *e, int task, int loss, int run)
{
    if (!e->tasks[task] || !e->losses[loss]) return 0;
    /* The combinations are numbered task by task, loss by loss, run by run. */
    long before = 0;
    for (int t = 0; t < TASK_COUNT; t++)
        for (int l = 0; l < REG_COUNT; l++)
            before += (t < task || (t == task && l < loss)) && e->tasks[t] && e->losses[l];
    long index = before * e->runs + (run - 1);
    return index % e->shard_n == e->shard_i - 1;
}

/* The run number R of a folder named TASK-LOSS-runR, or 0. */
static int run_number(const char *run)
{
    const char *base = strrchr(run, '/'), *dash;
    base = base ? base + 1 : run;
    dash = strrchr(base, '-');
    int r, used = 0;
    if (!dash || sscanf(dash, "-run%d%n", &r, &used) != 1 || dash[used] || r < 1) return 0;
    return r;
}

static int k_index(struct table *t, int k)
{
    for (int i = 0; i < t->nk; i++)
        if (t->k[i] == k) return i;
    if (t->nk == MAXK) return -1;
    /* Kept sorted, so the columns read 9, 10, 11. */
    int i = t->nk++;
    while (i > 0 && t->k[i - 1] > k) {
        t->k[i] = t->k[i - 1];
        for (int a = 0; a < TASK_COUNT; a++)
            for (int b = 0; b < REG_COUNT; b++)
                t->cell[a][b][i] = t->cell[a][b][i - 1];
        i--;
    }
    t->k[i] = k;
    for (int a = 0; a < TASK_COUNT; a++)
        for (int b = 0; b < REG_COUNT; b++)
            t->cell[a][b][i].n = 0;
    return i;
}

static void add_run(struct table *t, const char *run)
{
    char err[FTL_ERRLEN];
    char *cfg = run_path(run, "config"), *ev = run_path(run, "eval.csv");
    struct run_kv kv;
    struct plotdata_csv csv;
    int rn = run_number(run);
    if (rn > TABLE1_MAX_RUNS) rn = 0;
    if (rn > t->max_run) t->max_run = rn;
    if (run_kv_read(cfg, &kv, err) != 0) goto out;
    const char *task = run_kv_get(&kv, "task"), *loss = run_kv_get(&kv, "loss");
    int ti = task ? model_task_from_name(task) : -1, li = loss ? reg_from_name(loss) : -1;
    struct seen *sn = ti >= 0 && li >= 0 && rn ? &t->seen[ti][li][rn] : NULL;
    if (sn && sn->finished) {
        fprintf(stderr, "table1: %s: run %d of %s %s was already found; this copy is left out\n",
                run, rn, task, loss);
    } else if (ti >= 0 && li >= 0 && plotdata_csv_read(ev, &csv, err) == 0) {
        int ck = plotdata_csv_col(&csv, "k"), cm = plotdata_csv_col(&csv, "ami_max"),
            ca = plotdata_csv_col(&csv, "ami_arithmetic"),
            cn = plotdata_csv_col(&csv, "nmi_geometric"), ct = csv.ncol - 1;
        for (size_t r = 0; r < csv.nrow && ck >= 0 && cm >= 0; r++) {
            const double *row = csv.v + r * csv.ncol;
            int j = k_index(t, (int)row[ck]);
            struct cellstats *c = j >= 0 ? &t->cell[ti][li][j] : NULL;
            if (!c || c->n == MAXRUNS) continue;
            c->ami_max[c->n] = row[cm];
            c->ami_arith[c->n] = ca >= 0 ? row[ca] : NAN;
            c->nmi[c->n] = cn >= 0 ? row[cn] : NAN;
            c->task[c->n] = row[ct];
            c->n++;
            if (sn && sn->nk < MAXK) sn->k[sn->nk++] = (int)row[ck];
        }
        if (sn) sn->finished = 1;
        if (!t->example[ti][li]) t->example[ti][li] = xstrdup(run);
        if (rn == 1 && !t->run1[ti][li]) t->run1[ti][li] = xstrdup(run);
        plotdata_csv_free(&csv);
    }
    run_kv_free(&kv);
out:
    free(cfg);
    free(ev);
}

// ---- what is missing ----

/* Does the finished run hold k? */
static int seen_has_k(const struct seen *sn, int k)
{
    for (int i = 0; i < sn->nk; i++)
        if (sn->k[i] == k) return 1;
    return 0;
}

/* How many runs of (task, loss) the table should hold. */
static int expected_runs(const struct table1_expect *e, int runs, int task, int loss)
{
    int n = 0;
    for (int r = 1; r <= runs; r++)
        n += table1_in_shard(e, task, loss, r);
    return n;
}

/*
 * Appends the missing combinations of task (every task when task < 0) to *list
 * as "classify-decov-run2" or "classify-decov-run1 (no k=11)", comma-separated;
 * returns how many there are.
 */
static int list_missing(const struct table *t, const struct table1_expect *e, int runs, int task,
                        char **list)
{
    int n = 0;
    for (int ti = 0; ti < TASK_COUNT; ti++)
        for (int li = 0; li < REG_COUNT && (task < 0 || ti == task); li++)
            for (int r = 1; r <= runs; r++) {
                if (!table1_in_shard(e, ti, li, r)) continue;
                const struct seen *sn = &t->seen[ti][li][r];
                char item[160], ks[64] = "";
                for (int j = 0; j < t->nk && sn->finished; j++)
                    if (!seen_has_k(sn, t->k[j]))
                        snprintf(ks + strlen(ks), sizeof ks - strlen(ks), "%sk=%d",
                                 ks[0] ? "," : " (no ", t->k[j]);
                if (sn->finished && !ks[0]) continue;
                snprintf(item, sizeof item, "%s-%s-run%d%s%s", model_task_name(ti),
                         reg_table[li].name, r, ks, ks[0] ? ")" : "");
                size_t len = *list ? strlen(*list) : 0;
                *list = xrealloc(*list, len + strlen(item) + 3);
                snprintf(*list + len, strlen(item) + 3, "%s%s", len ? ", " : "", item);
                n++;
            }
    return n;
}

static void mean_std(const double *v, int n, double *mean, double *std)
{
    double s = 0, q = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    *mean = n ? s / n : NAN;
    for (int i = 0; i < n; i++)
        q += (v[i] - *mean) * (v[i] - *mean);
    /* The sample std over the runs; one run has no spread to estimate. */
    *std = n > 1 ? sqrt(q / (n - 1)) : NAN;
}

static double paper_value(int task, int loss, int k)
{
    for (int i = 0; i < 3; i++)
        if (paper_k[i] == k) return reg_table[loss].paper[task][i];
    return NAN;
}

/* Prints a cell's mean (bold when best) and, with two runs or more, "± std"; "–" without runs. */
static void md_cell(FILE *fp, const struct cellstats *c, double m, double s, int bold)
{
    const char *b = bold ? "**" : "";
    if (!c->n)
        fprintf(fp, " –");
    else if (c->n == 1)
        fprintf(fp, " %s%.3f%s", b, m, b);
    else
        fprintf(fp, " %s%.3f ± %.3f%s", b, m, s, b);
}

static void write_task(FILE *md, FILE *csv, const struct table *t, const struct table1_expect *e,
                       int runs, int ti)
{
    static const char *const task_title[TASK_COUNT] = {"binary task (FC1)", "autoencoder (code)"};
    int shown[REG_COUNT], any = 0;
    for (int li = 0; li < REG_COUNT; li++) {
        shown[li] = expected_runs(e, runs, ti, li) > 0;
        for (int j = 0; j < t->nk; j++)
            shown[li] |= t->cell[ti][li][j].n > 0;
        any |= shown[li];
    }
    if (!any) return;
    fprintf(md, "## %s\n\n| loss |", task_title[ti]);
    for (int j = 0; j < t->nk; j++)
        fprintf(md, " %d clusters |", t->k[j]);
    fprintf(md, " runs | test %s |\n|---|", ti == TASK_CLASSIFY ? "accuracy" : "error");
    for (int j = 0; j < t->nk; j++)
        fprintf(md, "---|");
    fprintf(md, "---|---|\n");
    int best[MAXK];
    for (int j = 0; j < t->nk; j++) {
        best[j] = -1;
        double bm = -INFINITY, m, s;
        int complete = 1;
        for (int li = 0; li < REG_COUNT; li++) {
            const struct cellstats *c = &t->cell[ti][li][j];
            mean_std(c->ami_max, c->n, &m, &s);
            if (c->n && m > bm) bm = m, best[j] = li;
            complete &= c->n >= expected_runs(e, runs, ti, li);
        }
        /* A missing cell might hold the best: then the column's best is not known. */
        if (!complete) best[j] = -1;
    }
    for (int li = 0; li < REG_COUNT; li++) {
        if (!shown[li]) continue;
        /* The runs and test columns: the cell with the most runs (the others lack a k). */
        int most = 0;
        for (int j = 1; j < t->nk; j++)
            if (t->cell[ti][li][j].n > t->cell[ti][li][most].n) most = j;
        fprintf(md, "| %s |", reg_table[li].title);
        for (int j = 0; j < t->nk; j++) {
            const struct cellstats *c = &t->cell[ti][li][j];
            double m, s, am, as, nm, ns, tm, ts;
            mean_std(c->ami_max, c->n, &m, &s);
            mean_std(c->ami_arith, c->n, &am, &as);
            mean_std(c->nmi, c->n, &nm, &ns);
            mean_std(c->task, c->n, &tm, &ts);
            double p = paper_value(ti, li, t->k[j]);
            md_cell(md, c, m, s, best[j] == li);
            if (!isnan(p)) fprintf(md, " (%.3f)", p);
            fprintf(md, " |");
            char pv[32] = "";
            if (!isnan(p)) snprintf(pv, sizeof pv, "%.3f", p);
            fprintf(csv, "%s,%s,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%s\n", model_task_name(ti),
                    reg_table[li].name, t->k[j], c->n, m, s, am, nm, tm, pv);
        }
        const struct cellstats *c = t->nk ? &t->cell[ti][li][most] : NULL;
        double tm = NAN, ts;
        if (c) mean_std(c->task, c->n, &tm, &ts);
        if (c && c->n)
            fprintf(md, " %d | %.4f |\n", c->n, tm);
        else
            fprintf(md, " 0 | – |\n");
    }
    char *missing = NULL;
    if (list_missing(t, e, runs, ti, &missing))
        fprintf(md,
                "\nmissing: %s. A column with a missing cell has no best in bold: the missing "
                "run might hold it.\n",
                missing);
    free(missing);
    fprintf(md, "\n");
}

static int write_tables(const struct table *t, const struct table1_expect *e, int runs,
                        const char *out, char *err)
{
    char *md = run_path(out, "table1.md"), *csvp = run_path(out, "table1.csv");
    struct ftl_atomic a, b;
    int rc = -1;
    if (ftl_atomic_open(&a, md, err) != 0) goto out;
    if (ftl_atomic_open(&b, csvp, err) != 0) {
        ftl_atomic_abort(&a);
        goto out;
    }
    fprintf(b.fp,
            "task,loss,k,runs,ami_max_mean,ami_max_std,ami_arithmetic_mean,nmi_geometric_mean,"
            "test_mean,paper_ami_max\n");
    fprintf(a.fp, "# Table 1: AMI_max of KMeans on the target layer (test split)\n\n"
                  "Mean ± sample standard deviation over runs (the mean alone for a single "
                  "run); the paper's value (arXiv 2017, Table 1) in parentheses; the best mean "
                  "of each column in bold.\n\n");
    for (int ti = 0; ti < TASK_COUNT; ti++)
        write_task(a.fp, b.fp, t, e, runs, ti);
    rc = ftl_atomic_commit_both(&a, &b, err);
out:
    free(md);
    free(csvp);
    return rc;
}

/*
 * figure2.png: the paper's Figure 2, run 1 of the binary task's and the
 * autoencoder's baseline and proposed runs (the shared panels of
 * compare-actmap). Without all four (a partial shard, --losses without one)
 * there is no figure, and a note says which run is missing.
 */
static void draw_figure2(const struct table *t, const char *out, const struct plot_opts *o)
{
    static const int task[4] = {TASK_CLASSIFY, TASK_CLASSIFY, TASK_AUTOENCODE, TASK_AUTOENCODE};
    static const int loss[4] = {REG_BASELINE, REG_PROPOSED, REG_BASELINE, REG_PROPOSED};
    const char *runs[4];
    char err[FTL_ERRLEN];
    for (int i = 0; i < 4; i++) {
        runs[i] = t->run1[task[i]][loss[i]];
        if (!runs[i]) {
            fprintf(stderr, "table1: no figure2: %s-%s-run1 is missing\n", model_task_name(task[i]),
                    reg_table[loss[i]].name);
            return;
        }
    }
    /* Units by the digit they win, so the proposed loss's diagonal and the baseline's few
     * busy units are seen at once; every unit is kept, the idle ones being the point. */
    struct plot_opts by_digit = *o;
    by_digit.order = PLOT_ORDER_DIGIT;
    if (plot_figure2(runs, out, &by_digit, err) != 0)
        fprintf(stderr, "table1: no figure2: %s\n", err);
    else
        plot_say_cramped("table1", out, "figure2", o);
}

static void draw_figures(const struct table *t, const char *out, const struct plot_opts *fig)
{
    struct plot_opts o = fig ? *fig : plot_opts_default(GP_PNG);
    char err[FTL_ERRLEN], note[FTL_ERRLEN] = "";
    o.cramped = note; /* what of a figure does not fit the size asked, said after it */
    for (int ti = 0; ti < TASK_COUNT; ti++) {
        struct plot_table1 f;
        plot_table1_init(&f, ti == TASK_AUTOENCODE);
        int any = 0;
        for (int li = 0; li < REG_COUNT; li++)
            for (int j = 0; j < PLOT_TABLE1_NK; j++) {
                int idx = -1;
                for (int q = 0; q < t->nk; q++)
                    if (t->k[q] == f.k[j]) idx = q;
                const struct cellstats *c = idx >= 0 ? &t->cell[ti][li][idx] : NULL;
                if (!c || !c->n) continue;
                mean_std(c->ami_max, c->n, &f.mean[li][j], &f.std[li][j]);
                f.runs[li] = c->n;
                any = 1;
            }
        note[0] = '\0'; /* each figure its own note (one that failed may have left one) */
        if (any && plot_table1(&f, out, &o, err) != 0)
            fprintf(stderr, "table1: no figure: %s\n", err);
        else if (any)
            plot_say_cramped("table1", out, f.name, &o);
    }
    const char *pair[2] = {t->example[TASK_CLASSIFY][REG_BASELINE],
                           t->example[TASK_CLASSIFY][REG_PROPOSED]};
    note[0] = '\0';
    if (pair[0] && pair[1]) {
        if (plot_compare_actmap(pair, 2, out, &o, err) < 0) {
            fprintf(stderr, "table1: no comparison figure: %s\n", err);
        } else {
            plot_say_cramped("table1", out, "compare-actmap", &o);
            note[0] = '\0';
            if (plot_compare_loss(pair, 2, out, &o, err) < 0)
                fprintf(stderr, "table1: no comparison figure: %s\n", err);
            else
                plot_say_cramped("table1", out, "compare-loss", &o);
        }
    }
    note[0] = '\0';
    draw_figure2(t, out, &o);
}

/* Sorted names of the entries of dir (no dot files); *n of them. */
static char **sorted_names(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    char **names = NULL;
    *n = 0;
    while (d && (ent = readdir(d))) {
        if (ent->d_name[0] == '.') continue;
        names = xrealloc(names, (*n + 1) * sizeof *names);
        names[(*n)++] = xstrdup(ent->d_name);
    }
    if (d) closedir(d);
    for (size_t a = 1; a < *n; a++)
        for (size_t b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
            char *x = names[b];
            names[b] = names[b - 1];
            names[b - 1] = x;
        }
    return names;
}

/* Adds every run of folder/runs; returns how many there were. */
static int add_runs(struct table *t, const char *folder)
{
    char *runs = run_path(folder, "runs");
    size_t nn;
    /* Sorted names, so that "the first run" is the same whatever the directory order. */
    char **names = sorted_names(runs, &nn);
    for (size_t a = 0; a < nn; a++) {
        char *run = ftl_path_join(runs, names[a]);
        add_run(t, run);
        free(run);
        free(names[a]);
    }
    free(names);
    free(runs);
    return (int)nn;
}

int table1_collect(const char *const *dirs, int n, const char *out, const struct table1_expect *e,
                   const struct plot_opts *fig, char *err)
{
    struct table *t = xcalloc(1, sizeof *t);
    int found = 0;
    for (int i = 0; i < n; i++) {
        found += add_runs(t, dirs[i]);
        /* A --slurm folder: each array task wrote its shard into DIR/shards/I. */
        char *shards = run_path(dirs[i], "shards");
        size_t ns;
        char **names = sorted_names(shards, &ns);
        for (size_t a = 0; a < ns; a++) {
            char *shard = ftl_path_join(shards, names[a]);
            found += add_runs(t, shard);
            free(shard);
            free(names[a]);
        }
        free(names);
        free(shards);
    }
    int rc = 0, runs = e->runs ? e->runs : t->max_run;
    char *missing = NULL;
    int nmissing = list_missing(t, e, runs, -1, &missing);
    if (found == 0)
        rc = ftl_error(err, "%s: no finished runs in %s/runs", dirs[0], dirs[0]);
    else if (nmissing && !e->partial) {
        /* One line that fits err: a long list ends in "...". */
        if (strlen(missing) > 320) {
            char *cut = missing + 320;
            while (cut > missing && strncmp(cut, ", ", 2) != 0)
                cut--;
            strcpy(cut, ", ...");
        }
        rc = ftl_error(err,
                       "%d of the expected runs (tasks x losses x %d run%s) are missing or "
                       "incomplete (collect every shard, or pass --partial): %s",
                       nmissing, runs, runs == 1 ? "" : "s", missing);
    } else if (ftl_mkdir_p(out, err) != 0 || write_tables(t, e, runs, out, err) != 0)
        rc = -1;
    free(missing);
    if (rc == 0) {
        char *md = run_path(out, "table1.md"), *text;
        size_t len;
        if (ftl_read_file(md, &text, &len, err) == 0) {
            fputs(text, stdout);
            free(text);
        }
        free(md);
        draw_figures(t, out, fig);
    }
    for (int a = 0; a < TASK_COUNT; a++)
        for (int b = 0; b < REG_COUNT; b++) {
            free(t->example[a][b]);
            free(t->run1[a][b]);
        }
    free(t);
    return rc;
}
