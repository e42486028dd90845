/* fig_compare — several runs side by side: Figure 2 panels and task losses. See figures.h. */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figkit.h"
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

enum { MAX_PANELS = 8 };

/* Heatmap panels side by side, in inches at the house text size (times fig_em): the axes'
 * margins and the colour box's room; a panel is PANEL_WIDTH wide unless a width is asked. */
#define PANEL_WIDTH 1.85
#define PANEL_GAP 0.12
#define PANEL_LEFT 0.5
#define PANEL_TOP 0.42
#define PANEL_BOTTOM 0.42
#define PANEL_RIGHT 0.75

/* Where the panels go on a page width x height inches, at text size em. */
struct panels {
    int n;
    double width, height, em;
    double panel; /* one panel's width */
};

static struct panels panels_layout(const struct plot_opts *o, int n, double h0)
{
    struct panels p = {n, 0, 0, fig_em(o), PANEL_WIDTH};
    double room = (PANEL_LEFT + PANEL_RIGHT) * p.em + n * PANEL_GAP;
    fig_size(o, room + n * PANEL_WIDTH, h0, &p.width, &p.height);
    p.panel = fig_clamp((p.width - room) / n, 0.2, 40);
    return p;
}

/* Panel i's place in screen coordinates. */
static void put_panel_margins(FILE *fp, const struct panels *p, int i)
{
    double x0 = PANEL_LEFT * p->em + i * (p->panel + PANEL_GAP);
    fprintf(fp,
            "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
            "set tmargin at screen %.4f\nset bmargin at screen %.4f\n",
            x0 / p->width, (x0 + p->panel) / p->width, 1 - PANEL_TOP * p->em / p->height,
            PANEL_BOTTOM * p->em / p->height);
}

/* The one colour box, right of the last panel, as tall as the panels. */
static void put_panel_colorbox(FILE *fp, const struct panels *p)
{
    double x = PANEL_LEFT * p->em + p->n * (p->panel + PANEL_GAP) - 0.02;
    fprintf(fp, "set colorbox user origin screen %.4f, screen %.4f size screen %.4f, screen %.4f\n",
            x / p->width, PANEL_BOTTOM * p->em / p->height, 0.1 / p->width,
            1 - (PANEL_TOP + PANEL_BOTTOM) * p->em / p->height);
}

static char *compare_actmap_body(const struct runs *rs, const struct fig_heat *h, double cbmax,
                                 const struct plot_opts *o, const struct panels *p)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    fig_put_style(fp);
    fig_put_palette(fp);
    fprintf(fp, "cbmax = %g  # one colour scale for every panel\n", cbmax);
    fputs("set multiplot\n", fp);
    for (int i = 0; i < rs->n; i++) {
        fprintf(fp, "\n# ---- panel %d ----\n", i + 1);
        char active[96];
        snprintf(active, sizeof active, "%d of %d %s units most active",
                 fig_heat_active_rows(&h[i]), h[i].rows, fig_layer_name(&rs->info[i]));
        fig_put_title(fp, o, rs->label[i], active, 0);
        char ylabel[64];
        snprintf(ylabel, sizeof ylabel, "%s unit", fig_layer_name(&rs->info[i]));
        fig_heat_axes(fp, o, &h[i], i == 0 ? ylabel : NULL, i == 0);
        put_panel_margins(fp, p, i);
        if (i < rs->n - 1)
            fputs("unset colorbox\n", fp);
        else
            put_panel_colorbox(fp, p);
        char block[32];
        snprintf(block, sizeof block, "counts%d", i + 1);
        fig_heat_plot(fp, o, block, h[i].rows, 5.5);
    }
    fputs("unset multiplot\n", fp);
    return fig_text_close(&t);
}

static int compare_actmap_draw(const struct runs *rs, struct fig_heat *h, const char *out_dir,
                               const struct plot_opts *o, char *err)
{
    double cbmax = 1;
    int rows = 1;
    for (int i = 0; i < rs->n; i++) {
        cbmax = h[i].max > cbmax ? h[i].max : cbmax;
        rows = h[i].rows > rows ? h[i].rows : rows;
    }
    struct panels p = panels_layout(o, rs->n, fig_heat_height(rows, 1.0, fig_em(o)));
    struct gp_block blocks[MAX_PANELS];
    char names[MAX_PANELS][32], comments[MAX_PANELS][300];
    char *data[MAX_PANELS];
    for (int i = 0; i < rs->n; i++) {
        snprintf(names[i], sizeof names[i], "counts%d", i + 1);
        snprintf(comments[i], sizeof comments[i], "%s: digit, unit, count", rs->label[i]);
        data[i] = fig_heat_block(&h[i]);
        blocks[i] = (struct gp_block){names[i], comments[i], data[i]};
    }
    char *body = compare_actmap_body(rs, h, cbmax, o, &p);
    struct gp_figure f = fig_figure(o, "compare-actmap", p.width, p.height, blocks, rs->n, body);
    int rc = gp_render(&f, out_dir, o->fmt, err);
    for (int i = 0; i < rs->n; i++)
        free(data[i]);
    free(body);
    return rc;
}

int plot_compare_actmap(const char *const *run_dirs, int n, const char *out_dir,
                        const struct plot_opts *o, char *err)
{
    if (n < 1 || n > MAX_PANELS)
        return ftl_error(err, "compare-actmap: between 1 and %d runs, not %d", MAX_PANELS, n);
    struct runs rs;
    struct fig_heat h[MAX_PANELS] = {{0}};
    int rc = runs_read(run_dirs, n, &rs, err);
    for (int i = 0; i < n && rc == 0; i++) {
        struct plotdata_csv t;
        rc = fig_read_input(run_dirs[i], "actmap.csv", "ftlab eval", &t, err);
        if (rc != 0) break;
        char *path = run_path(run_dirs[i], "actmap.csv");
        rc = fig_heat_from_csv(&t, path, &h[i], err);
        free(path);
        plotdata_csv_free(&t);
    }
    if (rc == 0) rc = compare_actmap_draw(&rs, h, out_dir, o, err);
    for (int i = 0; i < n; i++)
        fig_heat_free(&h[i]);
    runs_free(&rs);
    return rc;
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

static char *compare_loss_body(const struct runs *rs, const struct plot_opts *o, double height)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    fig_put_style(fp);
    int ae = rs->info[0].autoencoder;
    fprintf(fp,
            "set title '%s: task loss per batch, and its moving average'\n"
            "set xlabel 'training step (batch)'\n"
            "set ylabel '%s (log scale)'\n"
            "set logscale y\n"
            "set autoscale xfix\n",
            ae ? "Autoencoder" : "Classifier", ae ? "reconstruction MSE" : "BCE");
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
        char *body = compare_loss_body(&rs, o, height);
        struct gp_figure f = fig_figure(o, "compare-loss", width, height, blocks, n, body);
        rc = gp_render(&f, out_dir, o->fmt, err);
        free(body);
    }
    for (int i = 0; i < n; i++)
        free(data[i]);
    runs_free(&rs);
    return rc;
}
