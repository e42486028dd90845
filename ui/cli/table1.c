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

/* The k's of the paper's Table 1 (reg_table[].paper holds its values). */
static const int paper_k[3] = {9, 10, 11};

struct cellstats {
    int n;
    double ami_max[MAXRUNS], ami_arith[MAXRUNS], nmi[MAXRUNS], task[MAXRUNS];
};

struct table {
    int nk;
    int k[8];
    struct cellstats cell[TASK_COUNT][REG_COUNT][8];
    char *example[TASK_COUNT][REG_COUNT]; /* the first run found, for Figure 2 */
};

static int k_index(struct table *t, int k)
{
    for (int i = 0; i < t->nk; i++)
        if (t->k[i] == k) return i;
    if (t->nk == 8) return -1;
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
    if (run_kv_read(cfg, &kv, err) != 0) goto out;
    const char *task = run_kv_get(&kv, "task"), *loss = run_kv_get(&kv, "loss");
    int ti = task ? model_task_from_name(task) : -1, li = loss ? reg_from_name(loss) : -1;
    if (ti >= 0 && li >= 0 && plotdata_csv_read(ev, &csv, err) == 0) {
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
        }
        if (!t->example[ti][li]) t->example[ti][li] = xstrdup(run);
        plotdata_csv_free(&csv);
    }
    run_kv_free(&kv);
out:
    free(cfg);
    free(ev);
}

static void mean_std(const double *v, int n, double *mean, double *std)
{
    double s = 0, q = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    *mean = n ? s / n : NAN;
    for (int i = 0; i < n; i++)
        q += (v[i] - *mean) * (v[i] - *mean);
    *std = n > 1 ? sqrt(q / (n - 1)) : 0; /* sample std over the runs */
}

static double paper_value(int task, int loss, int k)
{
    for (int i = 0; i < 3; i++)
        if (paper_k[i] == k) return reg_table[loss].paper[task][i];
    return NAN;
}

static int write_tables(const struct table *t, const char *out, char *err)
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
                  "Mean ± sample standard deviation over runs; the paper's value (arXiv 2017, "
                  "Table 1) in parentheses; the best mean of each column in bold.\n\n");
    static const char *const task_title[TASK_COUNT] = {"binary task (FC1)", "autoencoder (code)"};
    for (int ti = 0; ti < TASK_COUNT; ti++) {
        int any = 0;
        for (int li = 0; li < REG_COUNT; li++)
            for (int j = 0; j < t->nk; j++)
                any |= t->cell[ti][li][j].n > 0;
        if (!any) continue;
        fprintf(a.fp, "## %s\n\n| loss |", task_title[ti]);
        for (int j = 0; j < t->nk; j++)
            fprintf(a.fp, " %d clusters |", t->k[j]);
        fprintf(a.fp, " runs | test %s |\n|---|", ti == TASK_CLASSIFY ? "accuracy" : "error");
        for (int j = 0; j < t->nk; j++)
            fprintf(a.fp, "---|");
        fprintf(a.fp, "---|---|\n");
        int best[8];
        for (int j = 0; j < t->nk; j++) {
            best[j] = -1;
            double bm = -INFINITY, m, s;
            for (int li = 0; li < REG_COUNT; li++) {
                const struct cellstats *c = &t->cell[ti][li][j];
                mean_std(c->ami_max, c->n, &m, &s);
                if (c->n && m > bm) bm = m, best[j] = li;
            }
        }
        for (int li = 0; li < REG_COUNT; li++) {
            int runs = 0;
            for (int j = 0; j < t->nk; j++)
                runs = runs > t->cell[ti][li][j].n ? runs : t->cell[ti][li][j].n;
            if (!runs) continue;
            fprintf(a.fp, "| %s |", reg_table[li].title);
            double tm = NAN, ts;
            for (int j = 0; j < t->nk; j++) {
                const struct cellstats *c = &t->cell[ti][li][j];
                double m, s, am, as, nm, ns;
                mean_std(c->ami_max, c->n, &m, &s);
                mean_std(c->ami_arith, c->n, &am, &as);
                mean_std(c->nmi, c->n, &nm, &ns);
                mean_std(c->task, c->n, &tm, &ts);
                double p = paper_value(ti, li, t->k[j]);
                const char *bold = best[j] == li ? "**" : "";
                if (c->n)
                    fprintf(a.fp, " %s%.3f ± %.3f%s", bold, m, s, bold);
                else
                    fprintf(a.fp, " –");
                if (!isnan(p)) fprintf(a.fp, " (%.3f)", p);
                fprintf(a.fp, " |");
                char pv[32] = "";
                if (!isnan(p)) snprintf(pv, sizeof pv, "%.3f", p);
                fprintf(b.fp, "%s,%s,%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f,%s\n", model_task_name(ti),
                        reg_table[li].name, t->k[j], c->n, m, s, am, nm, tm, pv);
            }
            fprintf(a.fp, " %d | %.4f |\n", runs, tm);
        }
        fprintf(a.fp, "\n");
    }
    if (ftl_atomic_commit(&a, err) != 0) {
        ftl_atomic_abort(&b);
        goto out;
    }
    rc = ftl_atomic_commit(&b, err);
out:
    free(md);
    free(csvp);
    return rc;
}

static void draw_figures(const struct table *t, const char *out)
{
    char err[FTL_ERRLEN];
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
        if (any && plot_table1(&f, out, GP_PNG, err) != 0)
            fprintf(stderr, "table1: no figure: %s\n", err);
    }
    const char *pair[2] = {t->example[TASK_CLASSIFY][REG_BASELINE],
                           t->example[TASK_CLASSIFY][REG_PROPOSED]};
    if (pair[0] && pair[1]) {
        if (plot_compare_actmap(pair, 2, out, GP_PNG, err) < 0 ||
            plot_compare_loss(pair, 2, out, GP_PNG, err) < 0)
            fprintf(stderr, "table1: no comparison figure: %s\n", err);
    }
}

int table1_collect(const char *const *dirs, int n, const char *out, char *err)
{
    struct table *t = xcalloc(1, sizeof *t);
    int found = 0;
    for (int i = 0; i < n; i++) {
        char *runs = run_path(dirs[i], "runs");
        DIR *d = opendir(runs);
        struct dirent *e;
        /* Sorted names, so that "the first run" is the same whatever the directory order. */
        char **names = NULL;
        size_t nn = 0;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            names = xrealloc(names, (nn + 1) * sizeof *names);
            names[nn++] = xstrdup(e->d_name);
        }
        if (d) closedir(d);
        for (size_t a = 1; a < nn; a++)
            for (size_t b = a; b > 0 && strcmp(names[b - 1], names[b]) > 0; b--) {
                char *x = names[b];
                names[b] = names[b - 1];
                names[b - 1] = x;
            }
        for (size_t a = 0; a < nn; a++) {
            char *run = ftl_path_join(runs, names[a]);
            add_run(t, run);
            found++;
            free(run);
            free(names[a]);
        }
        free(names);
        free(runs);
    }
    int rc = 0;
    if (found == 0)
        rc = ftl_error(err, "%s: no finished runs in %s/runs", dirs[0], dirs[0]);
    else if (ftl_mkdir_p(out, err) != 0 || write_tables(t, out, err) != 0)
        rc = -1;
    if (rc == 0) {
        char *md = run_path(out, "table1.md"), *text;
        size_t len;
        if (ftl_read_file(md, &text, &len, err) == 0) {
            fputs(text, stdout);
            free(text);
        }
        free(md);
        draw_figures(t, out);
    }
    for (int a = 0; a < TASK_COUNT; a++)
        for (int b = 0; b < REG_COUNT; b++)
            free(t->example[a][b]);
    free(t);
    return rc;
}
