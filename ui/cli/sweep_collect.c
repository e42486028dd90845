/*
 * sweep_collect — a sweep's finished runs into sweep.md, sweep.csv and
 * figures/sweep.png. See sweep.h. The grid says which runs there should be
 * and what their folders are called; a run is finished when its eval.csv
 * exists, in DIR/runs or in any DIR/shards/N/runs.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "plotdata.h"
#include "run.h"
#include "sweep.h"
#include "util.h"

/* AMI_max and friends of one point at one k, over its finished seeds. */
struct cell {
    int n;
    double ami_max[SWEEP_MAX_SEEDS], ami_arith[SWEEP_MAX_SEEDS], nmi[SWEEP_MAX_SEEDS],
        task[SWEEP_MAX_SEEDS];
};

struct collected {
    const struct sweep_spec *s;
    long npoints;
    struct cell *cell; /* npoints x nk */
    int *expected;     /* per point: runs of it the shard should hold */
    char *missing;     /* "NAME (shard I), ..." */
    long nmissing;
    int shards;                   /* the Slurm split found (DIR/shards/N/grid), 0: none */
    unsigned char *shard_missing; /* [1..shards]: a shard with a missing run */
};

static struct cell *cell_at(const struct collected *c, long p, int j)
{
    return &c->cell[p * c->s->nk + j];
}

static void mean_std(const double *v, int n, double *mean, double *std)
{
    double s = 0, q = 0;
    for (int i = 0; i < n; i++)
        s += v[i];
    *mean = n ? s / n : NAN;
    for (int i = 0; i < n; i++)
        q += (v[i] - *mean) * (v[i] - *mean);
    /* The sample std over the seeds; one seed has no spread to estimate. */
    *std = n > 1 ? sqrt(q / (n - 1)) : NAN;
}

/* The folders to look in: DIR, then DIR/shards/N in N's order. */
static char **roots(const char *dir, int *n)
{
    char *shards = ftl_path_join(dir, "shards");
    char **r = xmalloc(sizeof *r);
    r[0] = xstrdup(dir);
    *n = 1;
    DIR *d = opendir(shards);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        r = xrealloc(r, (size_t)(*n + 1) * sizeof *r);
        r[(*n)++] = ftl_path_join(shards, e->d_name);
    }
    if (d) closedir(d);
    /* By shard number, so that "the first copy" is the same whatever readdir's order. */
    for (int a = 2; a < *n; a++)
        for (int b = a; b > 1 && atoi(strrchr(r[b - 1], '/') + 1) > atoi(strrchr(r[b], '/') + 1);
             b--) {
            char *x = r[b];
            r[b] = r[b - 1];
            r[b - 1] = x;
        }
    free(shards);
    return r;
}

/* The grid: DIR/grid, else the first shard's. The Slurm split into *shards (0: none). */
static int find_grid(char **root, int nroot, struct sweep_spec *s, int *shards, char *err)
{
    *shards = 0;
    int found = 0;
    for (int i = 0; i < nroot; i++) {
        char *g = run_path(root[i], "grid");
        struct sweep_spec t;
        int si, sn;
        if (ftl_is_file(g)) {
            if (sweep_read_grid(g, &t, &si, &sn, err) != 0) {
                free(g);
                return -1;
            }
            if (!found) *s = t;
            found = 1;
            if (i > 0 && sn > *shards) *shards = sn;
        }
        free(g);
    }
    if (!found)
        return ftl_error(err, "%s: not a sweep folder (no grid file in it nor in shards/*/)",
                         root[0]);
    /* Before any shard has written its grid, the Slurm script's count (sweep_slurm_submit). */
    char *sp = ftl_path_join(root[0], "slurm/shards"), *text;
    size_t len;
    if (*shards == 0 && ftl_read_file(sp, &text, &len, err) == 0) {
        *shards = atoi(text);
        free(text);
    }
    free(sp);
    return 0;
}

/* Adds run r's eval.csv (the first root holding one) to its cells; 0 when there is none. */
static int add_run(struct collected *c, char **root, int nroot, long r)
{
    char name[512], err[FTL_ERRLEN];
    sweep_run_name(c->s, r, name, sizeof name);
    for (int i = 0; i < nroot; i++) {
        char *runs = ftl_path_join(root[i], "runs"), *run = ftl_path_join(runs, name),
             *ev = run_path(run, "eval.csv");
        struct plotdata_csv csv;
        int ok = ftl_is_file(ev) && plotdata_csv_read(ev, &csv, err) == 0;
        free(runs);
        free(run);
        free(ev);
        if (!ok) continue;
        int ck = plotdata_csv_col(&csv, "k"), cm = plotdata_csv_col(&csv, "ami_max"),
            ca = plotdata_csv_col(&csv, "ami_arithmetic"),
            cn = plotdata_csv_col(&csv, "nmi_geometric"), ct = csv.ncol - 1, got = 0;
        for (size_t row = 0; row < csv.nrow && ck >= 0 && cm >= 0; row++) {
            const double *v = csv.v + row * csv.ncol;
            for (int j = 0; j < c->s->nk; j++) {
                struct cell *cl = cell_at(c, r / c->s->nseeds, j);
                if (c->s->k[j] != (int)v[ck] || cl->n == SWEEP_MAX_SEEDS) continue;
                cl->ami_max[cl->n] = v[cm];
                cl->ami_arith[cl->n] = ca >= 0 ? v[ca] : NAN;
                cl->nmi[cl->n] = cn >= 0 ? v[cn] : NAN;
                cl->task[cl->n++] = v[ct];
                got++;
            }
        }
        plotdata_csv_free(&csv);
        /* An eval.csv without every k of the grid is not this grid's finished run. */
        return got == c->s->nk;
    }
    return 0;
}

static void note_missing(struct collected *c, long r)
{
    char name[512], item[600];
    sweep_run_name(c->s, r, name, sizeof name);
    int shard = c->shards ? (int)(r % c->shards) + 1 : 0;
    if (shard) {
        snprintf(item, sizeof item, "%s (shard %d)", name, shard);
        c->shard_missing[shard] = 1;
    } else {
        snprintf(item, sizeof item, "%s", name);
    }
    size_t len = c->missing ? strlen(c->missing) : 0;
    c->missing = xrealloc(c->missing, len + strlen(item) + 3);
    snprintf(c->missing + len, strlen(item) + 3, "%s%s", len ? ", " : "", item);
    c->nmissing++;
}

// ---- the tables ----

/* The axes a table shows as columns: the loss, and every other axis with more than one value. */
static int shown_axis(const struct sweep_spec *s, int a)
{
    return a == SWEEP_LOSS || (a != SWEEP_TASK && s->n[a] > 1);
}

static void put_header(FILE *md, FILE *csv, const struct sweep_spec *s, const char *task_title)
{
    fprintf(md, "## %s\n\n|", task_title);
    int cols = 0;
    for (int a = 0; a < SWEEP_AXES; a++)
        if (shown_axis(s, a)) fprintf(md, " %s |", sweep_axes[a].option), cols++;
    for (int j = 0; j < s->nk; j++)
        fprintf(md, " %d clusters |", s->k[j]);
    fprintf(md, " seeds | test %s |\n|", strstr(task_title, "binary") ? "accuracy" : "error");
    for (int i = 0; i < cols + s->nk + 2; i++)
        fputs("---|", md);
    fputc('\n', md);
    (void)csv;
}

/* The best point of each k column of task t, or -1 where a cell is missing (its best unknown). */
static void best_points(const struct collected *c, int t, long *best)
{
    const struct sweep_spec *s = c->s;
    for (int j = 0; j < s->nk; j++) {
        double bm = -INFINITY;
        int complete = 1;
        best[j] = -1;
        for (long p = 0; p < c->npoints; p++) {
            if ((int)sweep_value(s, p, SWEEP_TASK) != t || !c->expected[p]) continue;
            const struct cell *cl = cell_at(c, p, j);
            double m, sd;
            mean_std(cl->ami_max, cl->n, &m, &sd);
            if (cl->n && m > bm) bm = m, best[j] = p;
            complete &= cl->n >= c->expected[p];
        }
        if (!complete) best[j] = -1;
    }
}

static void put_point(FILE *md, FILE *csv, const struct collected *c, long p, const long *best)
{
    const struct sweep_spec *s = c->s;
    char v[SWEEP_AXES][64];
    for (int a = 0; a < SWEEP_AXES; a++) /* an axis the loss ignores: "–", empty in the csv */
        sweep_format((enum sweep_axis)a, sweep_value(s, p, (enum sweep_axis)a), v[a], sizeof v[a]);
    fputc('|', md);
    for (int a = 0; a < SWEEP_AXES; a++)
        if (shown_axis(s, a))
            fprintf(md, " %s |",
                    a == SWEEP_LOSS ? reg_table[(int)sweep_value(s, p, SWEEP_LOSS)].title
                    : sweep_inert(s, p, (enum sweep_axis)a) ? "–"
                                                            : v[a]);
    int most = 0;
    for (int j = 0; j < s->nk; j++) {
        const struct cell *cl = cell_at(c, p, j);
        double m, sd, am, as, nm, ns, tm, ts;
        mean_std(cl->ami_max, cl->n, &m, &sd);
        mean_std(cl->ami_arith, cl->n, &am, &as);
        mean_std(cl->nmi, cl->n, &nm, &ns);
        mean_std(cl->task, cl->n, &tm, &ts);
        const char *b = best[j] == p ? "**" : "";
        if (!cl->n)
            fprintf(md, " – |");
        else if (cl->n == 1)
            fprintf(md, " %s%.3f%s |", b, m, b);
        else
            fprintf(md, " %s%.3f ± %.3f%s |", b, m, sd, b);
        if (cl->n > cell_at(c, p, most)->n) most = j;
        for (int a = 0; a < SWEEP_AXES; a++)
            fprintf(csv, "%s,", sweep_inert(s, p, (enum sweep_axis)a) ? "" : v[a]);
        fprintf(csv, "%d,%d,%.6f,%.6f,%.6f,%.6f,%.6f\n", s->k[j], cl->n, m, sd, am, nm, tm);
    }
    const struct cell *cl = cell_at(c, p, most);
    double tm, ts;
    mean_std(cl->task, cl->n, &tm, &ts);
    if (cl->n)
        fprintf(md, " %d | %.4f |\n", cl->n, tm);
    else
        fprintf(md, " 0 | – |\n");
}

/* "epochs 10, hidden 128, ...": the axes with one value, and λ per loss when not swept. */
static void put_fixed(FILE *md, const struct sweep_spec *s)
{
    fputs("Fixed:", md);
    const char *sep = " ";
    for (int a = SWEEP_LAMBDA; a < SWEEP_AXES; a++) {
        char v[64];
        if (a == SWEEP_LAMBDA && !s->n[a]) {
            fprintf(md, "%slambda", sep);
            for (int i = 0; i < s->n[SWEEP_LOSS]; i++) {
                int l = (int)s->v[SWEEP_LOSS][i];
                fprintf(md, "%s%s %.15g", i ? ", " : " (", reg_table[l].name, s->loss_lambda[l]);
            }
            fputs(")", md);
            sep = ", ";
        } else if (s->n[a] == 1) {
            sweep_format((enum sweep_axis)a, s->v[a][0], v, sizeof v);
            fprintf(md, "%s%s %s", sep, sweep_axes[a].option, v);
            sep = ", ";
        }
    }
    fprintf(md, "%sdata %s%s.\n\n", sep,
            s->sample    ? "sample"
            : s->data[0] ? s->data
                         : "default",
            s->limit ? " (limited)" : "");
}

static int write_tables(const struct collected *c, const char *dir, char *err)
{
    static const char *const task_title[TASK_COUNT] = {"binary task (FC1)", "autoencoder (code)"};
    const struct sweep_spec *s = c->s;
    char *mdp = run_path(dir, "sweep.md"), *csvp = run_path(dir, "sweep.csv");
    struct ftl_atomic a, b;
    int rc = -1;
    if (ftl_atomic_open(&a, mdp, err) != 0) goto out;
    if (ftl_atomic_open(&b, csvp, err) != 0) {
        ftl_atomic_abort(&a);
        goto out;
    }
    for (int ax = 0; ax < SWEEP_AXES; ax++)
        fprintf(b.fp, "%s,", sweep_axes[ax].column);
    fputs("k,seeds,ami_max_mean,ami_max_std,ami_arithmetic_mean,nmi_geometric_mean,test_mean\n",
          b.fp);
    fprintf(a.fp, "# Sweep: AMI_max of KMeans on the target layer (test split)\n\n"
                  "Mean ± sample standard deviation over the seeds (the mean alone for a single "
                  "seed); the best mean of each column in bold. ");
    put_fixed(a.fp, s);
    long *best = xcalloc((size_t)s->nk, sizeof *best);
    for (int t = 0; t < TASK_COUNT; t++) {
        int any = 0;
        for (long p = 0; p < c->npoints; p++)
            any |= (int)sweep_value(s, p, SWEEP_TASK) == t && c->expected[p];
        if (!any) continue;
        put_header(a.fp, b.fp, s, task_title[t]);
        best_points(c, t, best);
        for (long p = 0; p < c->npoints; p++)
            if ((int)sweep_value(s, p, SWEEP_TASK) == t && c->expected[p])
                put_point(a.fp, b.fp, c, p, best);
        fputc('\n', a.fp);
    }
    free(best);
    if (c->nmissing)
        fprintf(a.fp,
                "missing: %s. A column with a missing cell has no best in bold: the missing "
                "run might hold it.\n",
                c->missing);
    rc = ftl_atomic_commit_both(&a, &b, err);
out:
    free(mdp);
    free(csvp);
    return rc;
}

// ---- the figure ----

/* The figure's x: the first axis after the loss with more than one value, or -1 (the loss). */
static int x_axis(const struct sweep_spec *s)
{
    for (int a = SWEEP_LAMBDA; a < SWEEP_AXES; a++)
        if (s->n[a] > 1) return a;
    return -1;
}

/* A line's title: its loss, then the task and the other swept axes when they vary. */
static void line_title(const struct sweep_spec *s, long p, int xa, char *buf, size_t cap)
{
    size_t len =
        (size_t)snprintf(buf, cap, "%s", reg_table[(int)sweep_value(s, p, SWEEP_LOSS)].title);
    if (s->n[SWEEP_TASK] > 1)
        len += (size_t)snprintf(buf + len, cap - len, ", %s",
                                (int)sweep_value(s, p, SWEEP_TASK) ? "autoencoder" : "classifier");
    for (int a = SWEEP_LAMBDA; a < SWEEP_AXES && len < cap; a++) {
        if (a == xa || s->n[a] < 2 || sweep_inert(s, p, (enum sweep_axis)a)) continue;
        char v[32];
        sweep_format((enum sweep_axis)a, sweep_value(s, p, (enum sweep_axis)a), v, sizeof v);
        len += (size_t)snprintf(buf + len, cap - len, ", %s %s", sweep_axes[a].option, v);
    }
}

static void draw_figure(const struct collected *c, const char *dir, const struct plot_opts *fig)
{
    const struct sweep_spec *s = c->s;
    int xa = x_axis(s), j = s->nk / 2; /* the middle k: 10 of 9,10,11 */
    struct plot_sweep *f = xcalloc(1, sizeof *f);
    plot_sweep_init(f);
    snprintf(f->title, sizeof f->title, "AMI_{max} at k = %d", s->k[j]);
    snprintf(f->xlabel, sizeof f->xlabel, "%s", xa >= 0 ? sweep_axes[xa].option : "loss");
    for (long p = 0; p < c->npoints; p++) {
        /* A duplicate point (an axis its loss ignores) draws its canonical point's results:
         * the baseline as a flat line across λ. */
        long q = sweep_canonical(s, p);
        if (!c->expected[q]) continue;
        /* The line of p: its title names everything but x; x is its value of the x axis. */
        char title[sizeof f->line[0].title];
        line_title(s, p, xa, title, sizeof title);
        int l = 0;
        while (l < f->nlines && strcmp(f->line[l].title, title) != 0)
            l++;
        if (l == f->nlines) {
            if (f->nlines == PLOT_SWEEP_MAX_LINES) continue;
            struct plot_sweep_line *ln = &f->line[f->nlines++];
            snprintf(ln->title, sizeof ln->title, "%s", title);
            ln->loss = (int)sweep_value(s, p, SWEEP_LOSS);
        }
        double x = xa >= 0 ? sweep_value(s, p, (enum sweep_axis)xa) : sweep_value(s, p, SWEEP_LOSS);
        int xi = 0;
        while (xi < f->nx && f->x[xi] != x)
            xi++;
        if (xi == f->nx) {
            if (f->nx == PLOT_SWEEP_MAX_X) continue;
            f->x[f->nx] = x;
            sweep_format(xa >= 0 ? (enum sweep_axis)xa : SWEEP_LOSS, x, f->xtic[f->nx],
                         sizeof f->xtic[0]);
            f->nx++;
        }
        const struct cell *cl = cell_at(c, q, j);
        mean_std(cl->ami_max, cl->n, &f->line[l].mean[xi], &f->line[l].std[xi]);
        f->line[l].runs[xi] = cl->n;
    }
    f->categorical = xa < 0;
    const struct plot_opts png = plot_opts_default(GP_PNG);
    char err[FTL_ERRLEN], *figs = ftl_path_join(dir, "figures");
    if (ftl_mkdir_p(figs, err) != 0 || plot_sweep(f, figs, fig ? fig : &png, err) != 0)
        fprintf(stderr, "sweep: no figure: %s\n", err);
    free(figs);
    free(f);
}

int sweep_collect(const char *dir, int shard_i, int shard_n, const struct plot_opts *fig, char *err)
{
    int nroot;
    char **root = roots(dir, &nroot);
    struct sweep_spec s;
    struct collected c = {.s = &s};
    int rc = find_grid(root, nroot, &s, &c.shards, err);
    if (rc == 0) {
        c.npoints = sweep_points(&s);
        c.cell = xcalloc((size_t)(c.npoints * s.nk), sizeof *c.cell);
        c.expected = xcalloc((size_t)c.npoints, sizeof *c.expected);
        c.shard_missing = xcalloc((size_t)c.shards + 1, 1);
        long found = 0, expected = 0;
        for (long r = 0; r < sweep_runs(&s); r++) {
            long p = r / s.nseeds;
            if (!sweep_in_shard(r, shard_i, shard_n) || sweep_canonical(&s, p) != p) continue;
            c.expected[r / s.nseeds]++, expected++;
            if (add_run(&c, root, nroot, r))
                found++;
            else
                note_missing(&c, r);
        }
        rc = write_tables(&c, dir, err);
        if (rc == 0) {
            char *md = run_path(dir, "sweep.md"), *text;
            size_t len;
            if (ftl_read_file(md, &text, &len, err) == 0) {
                fputs(text, stdout);
                free(text);
            }
            free(md);
            if (found) draw_figure(&c, dir, fig);
        }
        if (rc == 0 && c.nmissing) {
            char shards[256] = "";
            for (int i = 1; i <= c.shards; i++)
                if (c.shard_missing[i])
                    snprintf(shards + strlen(shards), sizeof shards - strlen(shards), "%s%d",
                             shards[0] ? "," : "", i);
            /* One line that fits err: a long list ends in "...". */
            if (strlen(c.missing) > 300) strcpy(c.missing + 296, ", ...");
            rc = ftl_error(err, "%s: %ld of %ld runs are missing or unfinished: %s%s%s%s", dir,
                           c.nmissing, expected, c.missing,
                           shards[0] ? "; run these shards again: " : "", shards,
                           shards[0] ? "" : "; the tables hold the rest");
        }
        free(c.cell);
        free(c.expected);
        free(c.missing);
        free(c.shard_missing);
    }
    for (int i = 0; i < nroot; i++)
        free(root[i]);
    free(root);
    return rc;
}
