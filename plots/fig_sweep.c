/* fig_sweep — a sweep's figure: AMI_max against the swept option. See figures.h. */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figkit.h"
#include "util.h"

void plot_sweep_init(struct plot_sweep *s)
{
    memset(s, 0, sizeof *s);
    s->name = "sweep";
    for (int l = 0; l < PLOT_SWEEP_MAX_LINES; l++)
        for (int i = 0; i < PLOT_SWEEP_MAX_X; i++)
            s->line[l].mean[i] = s->line[l].std[i] = NAN;
}

/* λ and the learning rate are tried by factors: a log axis shows them evenly. */
static int sweep_logx(const struct plot_sweep *s)
{
    if (s->categorical || s->nx < 2) return 0;
    double lo = INFINITY, hi = 0;
    for (int i = 0; i < s->nx; i++) {
        if (!(s->x[i] > 0)) return 0;
        lo = fmin(lo, s->x[i]), hi = fmax(hi, s->x[i]);
    }
    return hi / lo >= 10;
}

/* One block per line: "x mean spread seeds", x the value (or the category's place). */
static char *sweep_block(const struct plot_sweep *s, const struct plot_sweep_line *ln)
{
    struct fig_text tx;
    FILE *fp = fig_text_open(&tx);
    for (int i = 0; i < s->nx; i++) {
        fprintf(fp, "%.9g", s->categorical ? (double)i : s->x[i]);
        fig_put_number(fp, ln->runs[i] > 0 ? ln->mean[i] : NAN);
        fig_put_number(fp, ln->runs[i] > 1 ? ln->std[i] : NAN);
        fprintf(fp, " %d\n", ln->runs[i]);
    }
    return fig_text_close(&tx);
}

/* The top of the AMI axis: the highest mean plus its bar, rounded up to 0.1. */
static double sweep_ymax(const struct plot_sweep *s)
{
    double top = 0.1;
    for (int l = 0; l < s->nlines; l++)
        for (int i = 0; i < s->nx; i++) {
            double v = s->line[l].mean[i] + (s->line[l].runs[i] > 1 ? s->line[l].std[i] : 0);
            if (s->line[l].runs[i] > 0 && isfinite(v) && v > top) top = v;
        }
    return fig_clamp(ceil(top * 10 - 1e-9) / 10, 0.1, 1.0);
}

static char *sweep_body(const struct plot_sweep *s, const struct plot_opts *o, double width,
                        double height)
{
    struct fig_text tx;
    FILE *fp = fig_text_open(&tx);
    int logx = sweep_logx(s);
    fig_put_style(fp);
    fig_put_title(fp, o, s->title, NULL, 1, width);
    fputs("set xlabel ", fp);
    fig_put_label(fp, o, s->xlabel, 0);
    fputs("\nset ylabel ", fp);
    fig_put_label(fp, o, "AMI_{max} (test set)", 1);
    fprintf(fp, "\nset yrange [0:%.1f]\nset ytics 0.1\n", sweep_ymax(s));
    if (logx) fputs("set logscale x\n", fp);
    /* The grid's own values as tics: a sweep is read off at them, not between. */
    fputs("set xtics (", fp);
    for (int i = 0; i < s->nx; i++)
        fprintf(fp, "%s'%s' %.9g", i ? ", " : "", s->xtic[i], s->categorical ? (double)i : s->x[i]);
    fputs(")\n", fp);
    if (s->categorical)
        fprintf(fp, "set xrange [-0.5:%.1f]\n", s->nx - 0.5);
    else
        fputs("set offsets graph 0.05, graph 0.05, 0, 0\n", fp);
    fig_put_key_below(fp, height, s->nlines, 1, fig_em(o));
    fputs("\nplot ", fp);
    for (int l = 0; l < s->nlines; l++) {
        const struct plot_sweep_line *ln = &s->line[l];
        /* Lines of one loss share its colour; their dashes tell them apart. */
        int dash = 1;
        for (int m = 0; m < l; m++)
            dash += s->line[m].loss == ln->loss;
        fprintf(fp,
                "%s$line%d using 1:2 with %s linecolor rgb '%s' dashtype %d pointtype 7 "
                "pointsize 0.6 title ",
                l ? ", \\\n     " : "", l, s->categorical ? "points" : "linespoints",
                fig_loss_colour(ln->loss), dash);
        fig_put_label(fp, o, ln->title, 0);
        /* Error bars as vectors, as in the Table 1 figure. */
        fprintf(fp,
                ", \\\n     $line%d using 1:($2 - $3):(0):(2 * $3) with vectors heads "
                "size screen 0.008,90 linewidth 0.8 linecolor rgb '%s' notitle",
                l, fig_loss_colour(ln->loss));
    }
    fputs("\n", fp);
    return fig_text_close(&tx);
}

int plot_sweep(const struct plot_sweep *s, const char *out_dir, const struct plot_opts *o,
               char *err)
{
    if (s->nlines == 0 || s->nx == 0) return ftl_error(err, "%s: nothing to draw", s->name);
    struct gp_block blocks[PLOT_SWEEP_MAX_LINES];
    char *data[PLOT_SWEEP_MAX_LINES], names[PLOT_SWEEP_MAX_LINES][16];
    for (int l = 0; l < s->nlines; l++) {
        snprintf(names[l], sizeof names[l], "line%d", l);
        data[l] = sweep_block(s, &s->line[l]);
        blocks[l] =
            (struct gp_block){names[l], "x, AMI_max mean, spread (sample std), seeds", data[l]};
    }
    double width, height;
    fig_size(o, 3.5, 2.0 * fig_em(o) + fig_key_below_height(s->nlines, fig_em(o)), &width, &height);
    char *body = sweep_body(s, o, width, height);
    struct gp_figure f = fig_figure(o, s->name, width, height, blocks, s->nlines, body);
    int rc = gp_render(&f, out_dir, o->fmt, err);
    for (int l = 0; l < s->nlines; l++)
        free(data[l]);
    free(body);
    return rc;
}
