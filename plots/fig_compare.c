/* fig_compare — several runs side by side: Figure 2 panels and task losses. See figures.h. */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figkit.h"
#include "figpanels.h"
#include "plotdata.h"
#include "run.h"
#include "util.h"

// ---- several runs side by side ----

/* The last component of a path ("runs/a/" -> "a"), for labels. */
static void base_name(const char *path, char *out, size_t cap)
{
    size_t end = strlen(path);
    while (end > 1 && path[end - 1] == '/')
        end--;
    size_t start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    snprintf(out, cap, "%.*s", (int)(end - start), path + start);
}

/* The runs' info, with labels made unique by the folder name where their losses match. */
struct runs {
    int n;
    struct plotdata_run *info;
    char (*label)[320];
};

static int runs_read(const char *const *dirs, int n, struct runs *rs, char *err)
{
    rs->n = n;
    rs->info = xcalloc((size_t)n, sizeof *rs->info);
    rs->label = xcalloc((size_t)n, sizeof *rs->label);
    for (int i = 0; i < n; i++)
        if (plotdata_run_info(dirs[i], &rs->info[i], err) != 0) return -1;
    for (int i = 0; i < n; i++) {
        int twin = 0;
        for (int j = 0; j < n; j++)
            twin |= j != i && strcmp(rs->info[i].losses, rs->info[j].losses) == 0;
        char base[128];
        base_name(dirs[i], base, sizeof base);
        if (twin)
            snprintf(rs->label[i], sizeof rs->label[i], "%s (%s)", rs->info[i].losses, base);
        else
            snprintf(rs->label[i], sizeof rs->label[i], "%s", rs->info[i].losses);
    }
    return 0;
}

static void runs_free(struct runs *rs)
{
    free(rs->info);
    free(rs->label);
}

/* A run's colour: its loss's, unless two runs start with the same loss. */
static const char *run_colour(const struct runs *rs, int i)
{
    for (int j = 0; j < rs->n; j++)
        if (j != i && rs->info[j].loss == rs->info[i].loss) return fig_okabe_ito[(i + 1) % 8];
    return fig_loss_colour(rs->info[i].loss);
}

enum { MAX_PANELS = FIG_MAX_PANELS };

/* Reads dir/actmap.csv into h. */
static int read_heat(const char *dir, struct fig_heat *h, char *err)
{
    struct plotdata_csv t;
    memset(h, 0, sizeof *h);
    int rc = fig_read_input(dir, "actmap.csv", "ftlab eval", &t, err);
    if (rc != 0) return rc;
    char *path = run_path(dir, "actmap.csv");
    rc = fig_heat_from_csv(&t, path, h, err);
    free(path);
    plotdata_csv_free(&t);
    return rc;
}

/*
 * The runs' Figure 2 panels, titles[i] over each, cols to a row, in name.EXT:
 * compare-actmap and table1's figure2. o->order_from puts every panel in that
 * run's order.
 */
static int draw_actmap_panels(const char *name, const struct runs *rs, const char *const *dirs,
                              struct fig_heat *h, const char *const *titles, int cols,
                              const char *out_dir, const struct plot_opts *o, char *err)
{
    struct fig_heat like = {0};
    char *like_path = NULL;
    int rc = 0;
    if (o->order_from) {
        rc = read_heat(o->order_from, &like, err);
        like_path = run_path(o->order_from, "actmap.csv");
    }
    char *paths[MAX_PANELS];
    for (int i = 0; i < rs->n; i++)
        paths[i] = run_path(dirs[i], "actmap.csv");
    if (rc == 0)
        rc = fig_heats_arrange(h, rs->n, o->order_from ? &like : NULL, (const char *const *)paths,
                               like_path, o, err);
    struct fig_panel p[MAX_PANELS];
    char subtitle[MAX_PANELS][128], ylabel[MAX_PANELS][64], what[MAX_PANELS][360];
    double cbmax = 1;
    for (int i = 0; i < rs->n && rc == 0; i++) {
        const char *layer = fig_layer_name(&rs->info[i]);
        fig_heat_units_text(&h[i], layer, subtitle[i], sizeof subtitle[i]);
        snprintf(ylabel[i], sizeof ylabel[i], "%s unit", layer);
        snprintf(what[i], sizeof what[i], "%s: %s, unit, %s%s", rs->label[i], h[i].col_what,
                 h[i].fractions ? "fraction of the " : "count",
                 h[i].fractions ? h[i].col_what : "");
        p[i] = (struct fig_panel){&h[i], titles[i], subtitle[i], NULL, ylabel[i], what[i]};
        cbmax = h[i].max > cbmax ? h[i].max : cbmax;
    }
    if (rc == 0) {
        struct fig_panels f = {name, NULL, cols, cbmax};
        rc = fig_panels_draw(&f, p, rs->n, out_dir, o, err);
    }
    for (int i = 0; i < rs->n; i++)
        free(paths[i]);
    free(like_path);
    fig_heat_free(&like);
    return rc;
}
/* Reads the runs and their actmap.csv, then draws them with draw_actmap_panels. */
static int actmap_panels(const char *name, const char *const *run_dirs, int n,
                         const char *const *titles, int cols, const char *out_dir,
                         const struct plot_opts *o, char *err)
{
    if (n < 1 || n > MAX_PANELS)
        return ftl_error(err, "%s: between 1 and %d runs, not %d", name, MAX_PANELS, n);
    struct runs rs;
    struct fig_heat h[MAX_PANELS] = {{0}};
    int rc = runs_read(run_dirs, n, &rs, err);
    for (int i = 0; i < n && rc == 0; i++)
        rc = read_heat(run_dirs[i], &h[i], err);
    const char *labels[MAX_PANELS];
    for (int i = 0; i < n; i++)
        labels[i] = titles ? titles[i] : rs.label[i];
    if (rc == 0) rc = draw_actmap_panels(name, &rs, run_dirs, h, labels, cols, out_dir, o, err);
    for (int i = 0; i < n; i++)
        fig_heat_free(&h[i]);
    runs_free(&rs);
    return rc;
}

int plot_compare_actmap(const char *const *run_dirs, int n, const char *out_dir,
                        const struct plot_opts *o, char *err)
{
    return actmap_panels("compare-actmap", run_dirs, n, NULL, n, out_dir, o, err);
}

/*
 * The paper's Figure 2, as a 2 x 2 grid: the binary task on top, the
 * autoencoder below, baseline left of proposed. One colour scale for all
 * four, not one per task: every panel counts the same test sequences, so one
 * colour is one number of sequences everywhere, and the eye can compare the
 * proposed loss's spread across both tasks (with --normalize the scale is
 * 0..1 anyway).
 */
int plot_figure2(const char *const run_dirs[4], const char *out_dir, const struct plot_opts *o,
                 char *err)
{
    struct plotdata_run r;
    char titles[4][320];
    const char *t[4];
    for (int i = 0; i < 4; i++) {
        if (plotdata_run_info(run_dirs[i], &r, err) != 0) return -1;
        fig_run_title(&r, titles[i], sizeof titles[i]);
        t[i] = titles[i];
    }
    return actmap_panels("figure2", run_dirs, 4, t, 2, out_dir, o, err);
}

/*
 * "step task smoothed" rows of a run: the per-batch loss is noisy enough to
 * hide a difference between runs, so each is also drawn as a centred moving
 * average over about 2 % of the steps. Losses a log axis cannot show are NaN.
 */
static int task_block(const char *run_dir, char **data, char *err)
{
    struct plotdata_csv m;
    int rc = fig_read_input(run_dir, "metrics.csv", "ftlab train --resume", &m, err);
    if (rc != 0) return rc;
    int cs = plotdata_csv_col(&m, "step"), ct = plotdata_csv_col(&m, "task");
    if (cs < 0 || ct < 0) {
        plotdata_csv_free(&m);
        return ftl_error(err, "%s/metrics.csv: no 'step' or 'task' column", run_dir);
    }
    size_t half = m.nrow / 100;
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    for (size_t i = 0; i < m.nrow; i++) {
        double v = m.v[i * (size_t)m.ncol + ct], sum = 0;
        size_t n = 0;
        for (size_t j = i > half ? i - half : 0; j <= i + half && j < m.nrow; j++) {
            double u = m.v[j * (size_t)m.ncol + ct];
            if (u > 0 && isfinite(u)) sum += u, n++;
        }
        fprintf(fp, "%.0f", m.v[i * (size_t)m.ncol + cs]);
        fig_put_number(fp, v > 0 ? v : NAN);
        fig_put_number(fp, n ? sum / n : NAN);
        fputc('\n', fp);
    }
    *data = fig_text_close(&t);
    plotdata_csv_free(&m);
    return 0;
}

static char *compare_loss_body(const struct runs *rs, const struct plot_opts *o, double width,
                               double height)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    fig_put_style(fp);
    int ae = rs->info[0].autoencoder;
    char title[96];
    snprintf(title, sizeof title, "%s: task loss per batch, and its moving average",
             ae ? "Autoencoder" : "Classifier");
    fig_put_title(fp, o, title, NULL, 1, width);
    fprintf(fp,
            "set xlabel 'training step (batch)'\n"
            "set ylabel '%s (log scale)'\n"
            "set logscale y\n"
            "set autoscale xfix\n",
            ae ? "reconstruction MSE" : "BCE");
    fig_put_key_below(fp, height, rs->n, 1, fig_em(o));
    fputs("\nplot ", fp);
    for (int i = 0; i < rs->n; i++) {
        const char *c = run_colour(rs, i);
        /* #AARRGGBB: the raw curve at 70 % transparency, behind every average. */
        fprintf(fp, "%s$run%d using 1:2 with lines linewidth 0.5 linecolor rgb '#B3%s' notitle",
                i ? ", \\\n     " : "", i + 1, c + 1);
    }
    for (int i = 0; i < rs->n; i++) {
        fprintf(fp,
                ", \\\n     $run%d using 1:3 with lines linewidth 1.2 linecolor rgb '%s' "
                "title ",
                i + 1, run_colour(rs, i));
        fig_put_label(fp, o, rs->label[i], 0);
        fputs(" noenhanced", fp);
    }
    fputs("\n", fp);
    return fig_text_close(&t);
}

int plot_compare_loss(const char *const *run_dirs, int n, const char *out_dir,
                      const struct plot_opts *o, char *err)
{
    if (n < 1 || n > MAX_PANELS)
        return ftl_error(err, "compare-loss: between 1 and %d runs, not %d", MAX_PANELS, n);
    struct runs rs;
    char *data[MAX_PANELS] = {0};
    int rc = runs_read(run_dirs, n, &rs, err);
    for (int i = 0; i < n && rc == 0; i++)
        rc = task_block(run_dirs[i], &data[i], err);
    if (rc == 0) {
        struct gp_block blocks[MAX_PANELS];
        char names[MAX_PANELS][16], comments[MAX_PANELS][300];
        for (int i = 0; i < n; i++) {
            snprintf(names[i], sizeof names[i], "run%d", i + 1);
            char base[128];
            base_name(run_dirs[i], base, sizeof base);
            snprintf(comments[i], sizeof comments[i], "%s (%s): step, task loss, moving average",
                     rs.label[i], base);
            blocks[i] = (struct gp_block){names[i], comments[i], data[i]};
        }
        double width, height;
        fig_size(o, 3.5, 2.1 * fig_em(o) + fig_key_below_height(n, fig_em(o)), &width, &height);
        char *body = compare_loss_body(&rs, o, width, height);
        struct gp_figure f = fig_figure(o, "compare-loss", width, height, blocks, n, body);
        rc = gp_render(&f, out_dir, o->fmt, err);
        free(body);
    }
    for (int i = 0; i < n; i++)
        free(data[i]);
    runs_free(&rs);
    return rc;
}
