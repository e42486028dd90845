/* fig_heatmap — a run's heatmaps (Figure 2, clusters) and plot_run_figures[]. See figures.h. */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "figkit.h"
#include "figpanels.h"
#include "plotdata.h"
#include "run.h"
#include "util.h"

// ---- heatmaps: units or clusters x digits ----

/* A one-panel heatmap figure of h, counts written on the cells. */
static int plot_heat(const char *name, const struct fig_heat *h, const char *title1,
                     const char *title2, const char *ylabel, const char *out_dir,
                     const struct plot_opts *o, char *err)
{
    double em = fig_em(o), width, height;
    fig_size(o, 3.5, 0, &width, &height);
    /* Room for the title's lines and for the y label along the plot, where no height is asked;
     * and colour-box labels a line apart at least (gnuplot's own choice crowds a short box). */
    int lines = fig_title_lines(o, title1, title2, width);
    double top = (0.12 + 0.14 * lines) * em, bottom = 0.45 * em;
    double h0 = fig_heat_height(h->drawn, 1.1 + 0.14 * (lines > 2 ? lines - 2 : 0), em);
    double along = top + bottom + fig_text_width(o, GP_FONT_PT, ylabel) + 0.1 * em;
    fig_size(o, width, h0 > along ? h0 : along, &width, &height);
    int labels = (int)((height - top - bottom) / (0.14 * em));
    if (height - top - bottom < 0.6 * fig_heat_rows(h->drawn, em))
        fig_cramped(o,
                    "%.2f in tall, it leaves %.2f in for %d rows: their numbers run together "
                    "(a taller --height)",
                    height, height - top - bottom > 0 ? height - top - bottom : 0, h->drawn);
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    fig_put_style(fp);
    fig_put_palette(fp);
    fig_put_title(fp, o, title1, title2, 1, width);
    fprintf(fp, "cbmax = %g  # the top of the colour scale\n", h->max > 0 ? h->max : 1);
    fig_heat_axes(fp, o, h, ylabel, 1);
    fig_heat_tex_margin(fp, o, width);
    if (!h->fractions && h->max > 1 && labels < 11)
        fprintf(fp, "set cbtics 0,%g\n", fig_nice_step(h->max, labels > 1 ? labels : 1));
    fputs("\n", fp);
    /* the plot is the page less the unit numbers and label, and the colour box */
    fig_heat_plot(fp, o, h, "counts",
                  fig_cell_font(o, h->drawn > 16 ? 5 : 6, width - 1.25 * em, h->cols,
                                fig_heat_label_chars(h), 0));
    char *body = fig_text_close(&t);
    char *data = fig_heat_block(h);
    char what[128];
    snprintf(what, sizeof what, "%s, row (top = 0), %s%s; a blank line ends a row", h->col_what,
             h->fractions ? "fraction of the " : "count", h->fractions ? h->col_what : "");
    struct gp_block block = {"counts", what, data};
    struct gp_figure f = fig_figure(o, name, width, height, &block, 1, body);
    int rc = gp_render(&f, out_dir, o->fmt, err);
    free(body);
    free(data);
    return rc;
}

int plot_actmap(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err)
{
    struct plotdata_run r;
    struct plotdata_csv t;
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    int rc = fig_read_input(run_dir, "actmap.csv", "ftlab eval", &t, err);
    if (rc != 0) return rc;
    struct fig_heat h;
    char *path = run_path(run_dir, "actmap.csv");
    rc = fig_heat_from_csv(&t, path, &h, err);
    free(path);
    /* o's order, hidden units and fractions, as compare-actmap does them (figpanels.h) */
    if (rc == 0) rc = fig_heats_arrange(&h, 1, NULL, NULL, NULL, o, err);
    if (rc == 0) {
        char line1[256], line2[160], ylabel[64];
        fig_run_title(&r, line1, sizeof line1);
        /* One line a column wide: with units hidden, their count takes the words' place. */
        if (h.drawn < h.rows)
            snprintf(line2, sizeof line2, "%d of %d %s units most active; %d idle hidden",
                     fig_heat_active_rows(&h), h.rows, fig_layer_name(&r), h.rows - h.drawn);
        else
            snprintf(line2, sizeof line2, "most active %s unit per test sequence: %d of %d units",
                     fig_layer_name(&r), fig_heat_active_rows(&h), h.rows);
        snprintf(ylabel, sizeof ylabel, "%s unit", fig_layer_name(&r));
        rc = plot_heat("actmap", &h, line1, line2, ylabel, out_dir, o, err);
        fig_heat_free(&h);
    }
    plotdata_csv_free(&t);
    return rc;
}

/* The first row of eval.csv, whose k the clusters in clusters.csv are of. */
static int eval_first(const char *run_dir, int *k, double *ami, char *err)
{
    struct plotdata_csv e;
    int rc = fig_read_input(run_dir, "eval.csv", "ftlab eval", &e, err);
    if (rc != 0) return rc;
    int ck = plotdata_csv_col(&e, "k"), ca = plotdata_csv_col(&e, "ami_max");
    if (ck < 0 || ca < 0 || e.nrow == 0)
        rc = ftl_error(err, "%s/eval.csv: no rows with 'k' and 'ami_max'", run_dir);
    else
        *k = (int)e.v[ck], *ami = e.v[ca];
    plotdata_csv_free(&e);
    return rc;
}

/* Clusters in the order of the digit most of them are, so a good clustering reads as a diagonal. */
static void order_by_majority(struct fig_heat *h)
{
    int *major = xcalloc((size_t)h->rows, sizeof *major);
    for (int i = 0; i < h->rows; i++)
        for (int d = 1; d < h->cols; d++)
            if (h->count[(size_t)i * h->cols + d] > h->count[(size_t)i * h->cols + major[i]])
                major[i] = d;
    for (int i = 1; i < h->rows; i++) { /* insertion sort: stable, and k is small */
        int o = h->order[i], j = i;
        for (; j > 0 && major[h->order[j - 1]] > major[o]; j--)
            h->order[j] = h->order[j - 1];
        h->order[j] = o;
    }
    free(major);
}

int plot_clusters(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err)
{
    struct plotdata_run r;
    struct plotdata_csv t;
    int k = 0;
    double ami = NAN;
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    int rc = fig_read_input(run_dir, "clusters.csv", "ftlab eval", &t, err);
    if (rc != 0) return rc;
    rc = eval_first(run_dir, &k, &ami, err);
    struct fig_heat h;
    char *path = run_path(run_dir, "clusters.csv");
    if (rc == 0) rc = fig_heat_from_csv(&t, path, &h, err);
    free(path);
    if (rc == 0) {
        order_by_majority(&h);
        char line1[256], line2[128];
        fig_run_title(&r, line1, sizeof line1);
        snprintf(line2, sizeof line2, "KMeans k = %d on the %s test activations: AMI_{max} %.3f", k,
                 fig_layer_name(&r), ami);
        char ylabel[64];
        snprintf(ylabel, sizeof ylabel, "cluster (by majority %s)", h.col_what);
        rc = plot_heat("clusters", &h, line1, line2, ylabel, out_dir, o, err);
        fig_heat_free(&h);
    }
    plotdata_csv_free(&t);
    return rc;
}

const struct plot_run_figure plot_run_figures[] = {
    {"loss", plot_loss},
    {"actmap", plot_actmap},
    {"clusters", plot_clusters},
    {NULL, NULL},
};
