/* fig_evolution — Figure 2 over training: one panel per checkpoint. See figures.h. */
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

/* A point's Figure 2 table and the first row of its eval.csv (k, AMI_max). */
static int read_point(const struct plot_evolution_point *pt, struct fig_heat *h, int *k,
                      double *ami, char *err)
{
    struct plotdata_csv t, e;
    memset(h, 0, sizeof *h);
    int rc = fig_read_input(pt->dir, "actmap.csv", "ftlab eval", &t, err);
    if (rc != 0) return rc;
    char *path = run_path(pt->dir, "actmap.csv");
    rc = fig_heat_from_csv(&t, path, h, err);
    free(path);
    plotdata_csv_free(&t);
    if (rc == 0) rc = fig_read_input(pt->dir, "eval.csv", "ftlab eval", &e, err);
    if (rc != 0) return rc;
    int ck = plotdata_csv_col(&e, "k"), ca = plotdata_csv_col(&e, "ami_max");
    if (ck < 0 || ca < 0 || e.nrow == 0)
        rc = ftl_error(err, "%s/eval.csv: no rows with 'k' and 'ami_max'", pt->dir);
    else
        *k = (int)e.v[ck], *ami = e.v[ca];
    plotdata_csv_free(&e);
    return rc;
}

/* Up to FIG_MAX_PANELS points: one row of panels up to four, else two rows. */
int plot_evolution(const char *run_dir, const struct plot_evolution_point *pts, int n,
                   const char *out_dir, const struct plot_opts *o, char *err)
{
    if (n < 1 || n > FIG_MAX_PANELS)
        return ftl_error(err, "evolution: between 1 and %d points, not %d", FIG_MAX_PANELS, n);
    struct plotdata_run r;
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    struct fig_heat h[FIG_MAX_PANELS] = {{0}};
    int k[FIG_MAX_PANELS];
    double ami[FIG_MAX_PANELS];
    char *paths[FIG_MAX_PANELS] = {0};
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        rc = read_point(&pts[i], &h[i], &k[i], &ami[i], err);
        paths[i] = run_path(pts[i].dir, "actmap.csv");
    }
    /* Units in the last panel's order: the order the layer ends in, so its diagonal is seen
     * forming. A copy, since fig_heats_arrange orders the table it is handed. */
    struct fig_heat last = {0};
    if (rc == 0) {
        last = h[n - 1];
        last.count = xmallocarray((size_t)last.rows * (size_t)last.cols, sizeof *last.count);
        last.order = xmallocarray((size_t)last.rows, sizeof *last.order);
        memcpy(last.count, h[n - 1].count,
               (size_t)last.rows * (size_t)last.cols * sizeof *last.count);
        rc = fig_heats_arrange(h, n, &last, (const char *const *)paths, paths[n - 1], o, err);
    }
    if (rc == 0) {
        struct fig_panel p[FIG_MAX_PANELS];
        char subtitle[FIG_MAX_PANELS][128], below[FIG_MAX_PANELS][64], ylabel[64], what[96];
        char title[320];
        double cbmax = 1;
        snprintf(ylabel, sizeof ylabel, "%s unit", fig_layer_name(&r));
        snprintf(what, sizeof what, "%s, unit, %s%s", h[n - 1].col_what,
                 o->normalize ? "fraction of the " : "count",
                 o->normalize ? h[n - 1].col_what : "");
        for (int i = 0; i < n; i++) {
            fig_heat_units_text(&h[i], fig_layer_name(&r), subtitle[i], sizeof subtitle[i]);
            if (isfinite(ami[i]))
                snprintf(below[i], sizeof below[i], "AMI_{max} %.3f (k = %d)", ami[i], k[i]);
            else
                snprintf(below[i], sizeof below[i], "AMI_{max} not measured (k = %d)", k[i]);
            p[i] = (struct fig_panel){&h[i], pts[i].label, subtitle[i], below[i], ylabel, what};
            cbmax = h[i].max > cbmax ? h[i].max : cbmax;
        }
        fig_run_title(&r, title, sizeof title);
        snprintf(title + strlen(title), sizeof title - strlen(title),
                 ": the most active %s unit, over training", fig_layer_name(&r));
        struct fig_panels f = {"evolution", title, n <= 4 ? n : (n + 1) / 2, cbmax};
        rc = fig_panels_draw(&f, p, n, out_dir, o, err);
    }
    for (int i = 0; i < n; i++) {
        fig_heat_free(&h[i]);
        free(paths[i]);
    }
    fig_heat_free(&last);
    return rc;
}
