/* evaluate — task figure, KMeans + AMI on the target layer, Figure 2. See evaluate.h. */
#include "evaluate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actmap.h"
#include "blas.h"
#include "kmeans.h"
#include "run.h"
#include "util.h"

void eval_opts_default(struct eval_opts *o)
{
    memset(o, 0, sizeof *o);
    o->nk = 3;
    o->k[0] = 9;
    o->k[1] = 10;
    o->k[2] = 11;
    o->n_init = 10;
    o->seed = 0;
}

void eval_opts_set_classes(struct eval_opts *o, int nclass)
{
    o->nk = 0;
    for (int k = nclass - 1; k <= nclass + 1; k++)
        if (k >= 2) o->k[o->nk++] = k;
}

void eval_class_column(const struct eval_result *r, int c, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s%d", r->digits ? "digit" : r->grouped ? "g" : "y", c);
}

int eval_run(const struct model *m, const struct dataset *d, const struct eval_opts *o,
             struct eval_result *r, char *err)
{
    memset(r, 0, sizeof *r);
    if (d->n == 0) return ftl_error(err, "no test sequences to evaluate on");
    size_t n = d->n, K = (size_t)m->K;
    r->task = m->task;
    r->units = m->K;
    r->n = n;
    float *acts = xmallocarray(n * K, sizeof *acts);
    /* serial GEMMs: OpenBLAS's spinning workers collapse under load (blas.h) */
    int budget = blas_single(), threads = o->threads > 0 ? o->threads : budget;
    double t0 = ftl_now();
    model_predict_threads(m, 256, d, threads, acts, NULL, &r->task_loss, &r->accuracy);
    r->seconds_forward = ftl_now() - t0;

    int C = dataset_nclasses(d);
    const uint8_t *cls = dataset_truth(d);
    r->nclass = C;
    r->grouped = d->ngroups > 0;
    r->digits = d->strokes && d->ngroups == DATASET_DIGITS;
    for (int c = 0; c < C; c++)
        snprintf(r->class_name[c], DATASET_GROUP_NAME, "%s", dataset_class_name(d, c));
    r->actmap = xcalloc(K * (size_t)C, sizeof *r->actmap);
    actmap_count(acts, n, m->K, cls, C, r->actmap);
    r->active_units = actmap_active_units(r->actmap, m->K, C);
    /* each unit's histogram and mean per digit (acthist.h): digit data only, for now */
    if (r->digits) acthist_compute(acts, n, m->K, cls, &r->hist);

    /* KMeans in float64 (SPEC.md §10 row 21), scored against the classes (the ten digits). */
    double *X = xmallocarray(n * K, sizeof *X);
    int64_t *truth = xmallocarray(n, sizeof *truth), *pred = xmallocarray(n, sizeof *pred);
    for (size_t i = 0; i < n * K; i++)
        X[i] = acts[i];
    for (size_t i = 0; i < n; i++)
        truth[i] = cls[i];
    double t1 = ftl_now();
    int rc = 0;
    for (int j = 0; j < o->nk && rc == 0; j++) {
        struct kmeans_opts ko;
        kmeans_opts_default(&ko, o->k[j]);
        ko.n_init = o->n_init;
        ko.seed = o->seed;
        ko.threads = o->threads;
        struct kmeans_result kr;
        if ((rc = kmeans_fit(X, n, m->K, &ko, &kr, err)) != 0) break;
        for (size_t i = 0; i < n; i++)
            pred[i] = kr.labels[i];
        metrics_score(truth, pred, n, &r->scores[j]);
        r->k[j] = o->k[j];
        r->inertia[j] = kr.inertia;
        if (j == 0) {
            r->assign = kr.labels;
            kr.labels = NULL;
            r->truth = xmalloc(n);
            memcpy(r->truth, cls, n);
        }
        kmeans_result_free(&kr);
        r->nk = j + 1;
    }
    r->seconds_cluster = ftl_now() - t1;
    free(X);
    free(truth);
    free(pred);
    free(acts);
    if (rc != 0) eval_result_free(r);
    return rc;
}

void eval_result_free(struct eval_result *r)
{
    free(r->actmap);
    free(r->assign);
    free(r->truth);
    acthist_free(&r->hist);
    memset(r, 0, sizeof *r);
}

void eval_print(const struct eval_result *r, FILE *fp)
{
    if (r->task == TASK_CLASSIFY)
        fprintf(fp, "test accuracy       %.4f  (BCE %.4f, %zu sequences)\n", r->accuracy,
                r->task_loss, r->n);
    else
        fprintf(fp, "reconstruction error %.4f per sequence (%zu sequences)\n", r->task_loss, r->n);
    fprintf(fp, "active units        %d of %d\n", r->active_units, r->units);
    if (r->hist.dead)
        fprintf(fp, "dead units          %d of %d (constant over the test split)\n", r->hist.dead,
                r->units);
    fputc('\n', fp);
    fprintf(fp, "  k   AMI_max  AMI_arith  NMI_geom     ARI  accuracy      inertia\n");
    for (int j = 0; j < r->nk; j++) {
        const struct cluster_scores *s = &r->scores[j];
        fprintf(fp, "%3d   %7.4f    %7.4f   %7.4f  %6.4f    %6.4f  %11.2f\n", r->k[j], s->ami_max,
                s->ami_arithmetic, s->nmi_geometric, s->ari, s->accuracy, r->inertia[j]);
    }
    fprintf(fp, "\nFigure 2: test sequences by their most active %s unit (rows) and %s (columns)\n",
            r->task == TASK_CLASSIFY ? "FC1" : "code",
            r->digits    ? "digit"
            : r->grouped ? "group"
                         : "label");
    /* Counts, then the same row as shades (darker = more sequences), so the pattern reads at a
     * glance. */
    static const char shades[] = " .:-=+*#%@";
    int C = r->nclass;
    uint32_t top = 1;
    for (size_t i = 0; i < (size_t)r->units * (size_t)C; i++)
        top = r->actmap[i] > top ? r->actmap[i] : top;
    /* Columns as wide as the longest name (at least 5), cut to 12; longer names are keyed. */
    int cw = 5, keyed = 0;
    for (int c = 0; c < C; c++) {
        int l = (int)strlen(r->class_name[c]);
        cw = l > cw ? l : cw;
    }
    if (cw > 12) cw = 12, keyed = 1;
    fprintf(fp, " unit");
    for (int c = 0; c < C; c++)
        fprintf(fp, " %*.*s", cw, cw, r->class_name[c]);
    fprintf(fp, "   ");
    for (int c = 0; c < C; c++)
        fputc(r->class_name[c][0], fp);
    fprintf(fp, "\n");
    int hidden = 0;
    for (int u = 0; u < r->units; u++) {
        const uint32_t *row = r->actmap + (size_t)u * (size_t)C;
        uint32_t total = 0;
        for (int c = 0; c < C; c++)
            total += row[c];
        if (total == 0) {
            hidden++;
            continue;
        }
        fprintf(fp, "%5d", u);
        for (int c = 0; c < C; c++)
            if (row[c])
                fprintf(fp, " %*u", cw, row[c]);
            else
                fprintf(fp, " %*s", cw, ".");
        fprintf(fp, "   ");
        for (int c = 0; c < C; c++) {
            /* Any non-zero count gets at least the lightest mark. */
            size_t level =
                row[c] ? 1 + (size_t)((double)row[c] / top * (sizeof shades - 3) + 0.5) : 0;
            fputc(shades[level], fp);
        }
        fprintf(fp, "\n");
    }
    if (hidden) fprintf(fp, "(%d units are the most active for no sequence)\n", hidden);
    if (keyed)
        for (int c = 0; c < C; c++)
            fprintf(fp, "column %d: %s\n", c, r->class_name[c]);
}

/* One header row: first, then a column per class. */
static void class_header(FILE *fp, const struct eval_result *r, const char *first)
{
    char col[48];
    fprintf(fp, "%s", first);
    for (int c = 0; c < r->nclass; c++) {
        eval_class_column(r, c, col, sizeof col);
        fprintf(fp, ",%s", col);
    }
    fprintf(fp, "\n");
}

/* clusters.csv: the contingency of the first k's clusters (rows) and the classes (columns). */
static int write_clusters(const struct eval_result *r, const char *dir, char *err)
{
    if (r->nk == 0 || !r->assign || !r->truth) return 0;
    int k = r->k[0], C = r->nclass;
    uint32_t *table = xcalloc((size_t)k * (size_t)C, sizeof *table);
    for (size_t i = 0; i < r->n; i++)
        table[(size_t)r->assign[i] * (size_t)C + r->truth[i]]++;
    struct ftl_atomic a;
    char *path = run_path(dir, "clusters.csv");
    int rc = ftl_atomic_open(&a, path, err);
    free(path);
    if (rc == 0) {
        class_header(a.fp, r, "cluster");
        for (int j = 0; j < k; j++) {
            fprintf(a.fp, "%d", j);
            for (int c = 0; c < C; c++)
                fprintf(a.fp, ",%u", table[(size_t)j * (size_t)C + c]);
            fprintf(a.fp, "\n");
        }
        rc = ftl_atomic_commit(&a, err);
    }
    free(table);
    return rc;
}

/* The header of eval.csv and evals.csv; rows: one per k. */
static int eval_rows(const struct eval_result *r, uint64_t step, int header, char *buf, size_t cap)
{
    int n = 0;
    if (header)
        n += snprintf(buf + n, cap - (size_t)n,
                      "step,k,ami_max,ami_arithmetic,ami_geometric,ami_min,nmi_arithmetic,"
                      "nmi_geometric,ari,accuracy,inertia,active_units,%s\n",
                      r->task == TASK_CLASSIFY ? "test_accuracy" : "test_error");
    for (int j = 0; j < r->nk && n < (int)cap; j++) {
        const struct cluster_scores *s = &r->scores[j];
        n += snprintf(buf + n, cap - (size_t)n,
                      "%llu,%d,%.15g,%.15g,%.15g,%.15g,%.15g,%.15g,%.15g,%.15g,%.10g,%d,%.10g\n",
                      (unsigned long long)step, r->k[j], s->ami_max, s->ami_arithmetic,
                      s->ami_geometric, s->ami_min, s->nmi_arithmetic, s->nmi_geometric, s->ari,
                      s->accuracy, r->inertia[j], r->active_units,
                      r->task == TASK_CLASSIFY ? r->accuracy : r->task_loss);
    }
    return n < (int)cap ? n : -1;
}

int eval_append_history(const struct eval_result *r, const char *dir, uint64_t step, char *err)
{
    char *path = run_path(dir, "evals.csv"), buf[8192];
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    int rc = -1;
    if (fd < 0) {
        ftl_error(err, "%s: %s", path, strerror(errno));
    } else {
        struct stat st;
        int n = fstat(fd, &st) == 0 ? eval_rows(r, step, st.st_size == 0, buf, sizeof buf) : -1;
        /* One write() of whole rows on O_APPEND: a reader never sees half an evaluation. */
        if (n < 0 || write(fd, buf, (size_t)n) != n)
            ftl_error(err, "%s: cannot append: %s", path, strerror(errno));
        else
            rc = 0;
        close(fd);
    }
    free(path);
    return rc;
}

int eval_write_csv(const struct eval_result *r, const char *dir, uint64_t step, char *err)
{
    struct ftl_atomic a;
    char *path = run_path(dir, "eval.csv");
    int rc = ftl_atomic_open(&a, path, err);
    free(path);
    if (rc != 0) return -1;
    char rows[8192];
    int n = eval_rows(r, step, 1, rows, sizeof rows);
    if (n > 0) fwrite(rows, 1, (size_t)n, a.fp);
    if (ftl_atomic_commit(&a, err) != 0) return -1;
    path = run_path(dir, "actmap.csv");
    rc = ftl_atomic_open(&a, path, err);
    free(path);
    if (rc != 0) return -1;
    class_header(a.fp, r, "unit");
    for (int u = 0; u < r->units; u++) {
        fprintf(a.fp, "%d", u);
        for (int c = 0; c < r->nclass; c++)
            fprintf(a.fp, ",%u", r->actmap[(size_t)u * (size_t)r->nclass + c]);
        fprintf(a.fp, "\n");
    }
    if (ftl_atomic_commit(&a, err) != 0) return -1;
    if (!r->digits) { /* the names of the g<i> / y<i> columns, line i for column i */
        char buf[DATASET_MAX_GROUPS * DATASET_GROUP_NAME + 1];
        size_t o = 0;
        for (int c = 0; c < r->nclass; c++)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%s\n", r->class_name[c]);
        path = run_path(dir, "groups.txt");
        rc = ftl_write_file(path, buf, o, err);
        free(path);
        if (rc != 0) return -1;
    }
    if (write_clusters(r, dir, err) != 0) return -1;
    return r->hist.count ? acthist_write_csv(&r->hist, dir, err) : 0;
}
