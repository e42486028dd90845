/*
 * fig_hist — each unit's activation per digit (acthist.csv, actmean.csv of
 * `ftlab eval`): ridgeline histograms, one small panel per active unit, and
 * the mean-activation heatmap, the companion of Figure 2. See figures.h.
 */
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figkit.h"
#include "plotdata.h"
#include "run.h"
#include "util.h"

// ---- the inputs ----

enum { HIST_MAX_BINS = 1000, HIST_MAX_UNITS = 4096 };

/* actmean.csv, and acthist.csv when asked: what both figures are drawn from. */
struct hist_input {
    int units, bins;
    double lo, hi; /* the shared range: bin 0's lower edge, the last bin's upper one */
    double *count; /* units x FIG_DIGITS x bins; NULL when acthist.csv was not read */
    double *mean;  /* units x FIG_DIGITS; NAN for a digit without sequences */
    int *dead;     /* units: constant over the test split */
    int ndead;
};

static void hist_input_free(struct hist_input *in)
{
    free(in->count);
    free(in->mean);
    free(in->dead);
    memset(in, 0, sizeof *in);
}

/* actmean.csv: unit, digit0..digit9, min, max, dead; rows for units 0, 1, ... in order. */
static int read_means(const char *run_dir, struct hist_input *in, char *err)
{
    struct plotdata_csv t;
    /* eval writes the histograms for digit data only: say so for a run of other data, rather
     * than ask for an eval that would not write them */
    char *groups = run_path(run_dir, "groups.txt");
    int other = ftl_is_file(groups);
    free(groups);
    if (other)
        return ftl_error(err,
                         "%s: the activation histograms are drawn for digit data only, "
                         "for now (this run's classes are in groups.txt)",
                         run_dir),
               PLOT_SKIPPED;
    int rc = fig_read_input(run_dir, "actmean.csv", "ftlab eval", &t, err);
    if (rc != 0) return rc;
    char *path = run_path(run_dir, "actmean.csv");
    int cu = plotdata_csv_col(&t, "unit"), cd = plotdata_csv_col(&t, "dead"), cm[FIG_DIGITS];
    int ok = cu >= 0 && cd >= 0 && t.nrow > 0 && t.nrow <= HIST_MAX_UNITS;
    for (int d = 0; d < FIG_DIGITS; d++) {
        char name[16];
        snprintf(name, sizeof name, "digit%d", d);
        ok &= (cm[d] = plotdata_csv_col(&t, name)) >= 0;
    }
    if (!ok) {
        rc = ftl_error(err, "%s: expected a header unit,digit0..digit9,...,dead and 1 to %d rows",
                       path, HIST_MAX_UNITS);
    } else {
        in->units = (int)t.nrow;
        in->mean = xcalloc(t.nrow * FIG_DIGITS, sizeof *in->mean);
        in->dead = xcalloc(t.nrow, sizeof *in->dead);
        for (int u = 0; u < in->units && rc == 0; u++) {
            const double *row = t.v + (size_t)u * t.ncol;
            if (row[cu] != u) rc = ftl_error(err, "%s: row %d is not unit %d", path, u + 2, u);
            for (int d = 0; d < FIG_DIGITS; d++)
                in->mean[(size_t)u * FIG_DIGITS + d] = row[cm[d]];
            in->dead[u] = row[cd] != 0;
            in->ndead += in->dead[u];
        }
    }
    free(path);
    plotdata_csv_free(&t);
    return rc;
}

/* acthist.csv: unit, digit, bin, lo, hi, count; every cell of units x 10 x bins exactly once. */
static int read_counts(const char *run_dir, struct hist_input *in, char *err)
{
    struct plotdata_csv t;
    int rc = fig_read_input(run_dir, "acthist.csv", "ftlab eval", &t, err);
    if (rc != 0) return rc;
    char *path = run_path(run_dir, "acthist.csv");
    int cu = plotdata_csv_col(&t, "unit"), cd = plotdata_csv_col(&t, "digit"),
        cb = plotdata_csv_col(&t, "bin"), cl = plotdata_csv_col(&t, "lo"),
        ch = plotdata_csv_col(&t, "hi"), cc = plotdata_csv_col(&t, "count");
    size_t cells = (size_t)in->units * FIG_DIGITS;
    in->bins = cells ? (int)(t.nrow / cells) : 0;
    if (cu < 0 || cd < 0 || cb < 0 || cl < 0 || ch < 0 || cc < 0)
        rc = ftl_error(err, "%s: expected a header unit,digit,bin,lo,hi,count", path);
    else if (in->bins < 1 || in->bins > HIST_MAX_BINS || t.nrow != cells * (size_t)in->bins)
        rc = ftl_error(err, "%s: %zu rows, not %d units (actmean.csv) x 10 digits x 1 to %d bins",
                       path, t.nrow, in->units, HIST_MAX_BINS);
    if (rc == 0) {
        in->count = xmallocarray(t.nrow, sizeof *in->count);
        char *seen = xcalloc(t.nrow, 1);
        in->lo = INFINITY, in->hi = -INFINITY;
        for (size_t i = 0; i < t.nrow && rc == 0; i++) {
            const double *row = t.v + i * (size_t)t.ncol;
            double u = row[cu], d = row[cd], b = row[cb], c = row[cc];
            if (!(u >= 0 && u < in->units && d >= 0 && d < FIG_DIGITS && b >= 0 && b < in->bins &&
                  u == (int)u && d == (int)d && b == (int)b && c >= 0)) {
                rc = ftl_error(err, "%s:%zu: not a unit, digit, bin and count of this table", path,
                               i + 2);
                break;
            }
            size_t at = ((size_t)u * FIG_DIGITS + (size_t)d) * (size_t)in->bins + (size_t)b;
            if (seen[at]++) rc = ftl_error(err, "%s:%zu: a second row for that bin", path, i + 2);
            in->count[at] = c;
            if (b == 0 && row[cl] < in->lo) in->lo = row[cl];
            if (b == in->bins - 1 && row[ch] > in->hi) in->hi = row[ch];
        }
        free(seen);
        if (rc == 0 && !(isfinite(in->lo) && isfinite(in->hi) && in->hi > in->lo))
            rc = ftl_error(err, "%s: the bins span no range (lo %g, hi %g)", path, in->lo, in->hi);
    }
    free(path);
    plotdata_csv_free(&t);
    return rc;
}

// ---- histograms: a ridgeline panel per active unit ----

/* In inches; those that hold text are multiplied by the text size (fig_em). */
#define RIDGE_PANEL_MIN 0.55 /* a panel's least width: below it 40 bins smear */
#define RIDGE_PANEL_H 0.78   /* the ridges of one panel, at the house text size */
#define RIDGE_TITLE_H 0.13   /* "unit N" above a panel */
#define RIDGE_GAP_X 0.07
#define RIDGE_GAP_Y 0.05
#define RIDGE_LEFT 0.36 /* digit labels and the rotated "digit" */
#define RIDGE_RIGHT 0.08
#define RIDGE_TOP 0.36    /* the two title lines */
#define RIDGE_BOTTOM 0.3  /* x tic labels and the x label */
#define RIDGE_NOTE_H 0.13 /* each line of the dead units' note */
#define RIDGE_OVERLAP 1.6 /* a ridge's peak, in ridge spacings: ridges overlap like a joyplot */
#define RIDGE_MAX_COLS 8
#define RIDGE_MIN_CELL 0.55 /* a grid row's least height before more columns are tried */

/* Where the panels go. */
struct ridge_grid {
    int n, cols, rows, notes; /* panels, grid, lines of the dead units' note */
    double width, height, em;
    double top; /* the title's room: RIDGE_TOP for two lines, more for lines that wrapped */
    double panel_w, cell_h; /* a panel's width; a grid row's height (title, ridges, gap) */
};

/* The note under the panels: how the ridges are scaled, and the dead units, wrapped to the
 * width in lines (counted in *lines) of at most about the characters that fit. */
static char *ridge_note(const struct hist_input *in, double width, double em, int *lines)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    /* 6.5 pt text averages about 3.4 pt a character: a conservative count per line. */
    int cap = (int)(width * 72 / (3.4 * em)), col = 0;
    *lines = 1;
    fig_put_wrapped(fp,
                    "Ridge height: the share of the digit's sequences in each bin, one scale per "
                    "unit; the bin holding 0 is clipped.",
                    cap, &col, lines);
    fputc('\n', fp);
    (*lines)++;
    col = 0;
    fig_put_wrapped(fp, "Dead (constant) units:", cap, &col, lines);
    if (!in->ndead) fig_put_wrapped(fp, " none", cap, &col, lines);
    for (int u = 0, first = 1; u < in->units; u++) {
        if (!in->dead[u]) continue;
        char item[16];
        snprintf(item, sizeof item, "%s %d", first ? "" : ",", u);
        fig_put_wrapped(fp, item, cap, &col, lines);
        first = 0;
    }
    return fig_text_close(&t);
}

static struct ridge_grid ridge_layout(const struct plot_opts *o, int n, int notes, int title_lines)
{
    struct ridge_grid g = {n, 1, 1, notes, 0, 0, fig_em(o), 0, 0, 0};
    g.top = (RIDGE_TOP + 0.14 * (title_lines > 2 ? title_lines - 2 : 0)) * g.em;
    double side = (RIDGE_LEFT + RIDGE_RIGHT) * g.em;
    double w0 = 3.5, w = o->width > 0 ? o->width : w0;
    int fit = (int)((w - side + RIDGE_GAP_X) / (RIDGE_PANEL_MIN * g.em + RIDGE_GAP_X));
    g.cols = n < 1 ? 1 : n < fit ? n : fit;
    g.cols = g.cols < 1 ? 1 : g.cols > RIDGE_MAX_COLS ? RIDGE_MAX_COLS : g.cols;
    g.rows = n < 1 ? 1 : (n + g.cols - 1) / g.cols;
    double fixed = g.top + (RIDGE_BOTTOM + RIDGE_NOTE_H * notes) * g.em;
    double cell0 = (RIDGE_TITLE_H + RIDGE_PANEL_H) * g.em + RIDGE_GAP_Y;
    fig_size(o, w0, fixed + g.rows * cell0, &g.width, &g.height);
    for (;;) {
        g.panel_w = fig_clamp((g.width - side - (g.cols - 1) * RIDGE_GAP_X) / g.cols, 0.1, 40);
        g.cell_h = fig_clamp((g.height - fixed) / g.rows, 0.1, 40);
        /* A height asked for (--height, --aspect) too low for the rows: trade width for rows
         * while panels are too flat for ten ridges. */
        if (g.cell_h >= RIDGE_MIN_CELL * g.em || g.cols >= RIDGE_MAX_COLS || g.cols >= n) break;
        g.cols++;
        g.rows = (n + g.cols - 1) / g.cols;
    }
    return g;
}

/* A round tic step giving about three tics over span: 1, 2 or 5 times a power of ten. */
static double tic_step(double span)
{
    double raw = span / 3, p = pow(10, floor(log10(raw))), f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

/* Panel i's margins, in screen coordinates, and its "unit N" above it. */
static void put_ridge_panel(FILE *fp, const struct ridge_grid *g, const struct plot_opts *o, int i,
                            int unit)
{
    int row = i / g->cols, col = i % g->cols;
    double x0 = RIDGE_LEFT * g->em + col * (g->panel_w + RIDGE_GAP_X);
    double top = g->height - g->top - row * g->cell_h - RIDGE_TITLE_H * g->em;
    double bottom = top - (g->cell_h - RIDGE_TITLE_H * g->em - RIDGE_GAP_Y);
    fprintf(fp,
            "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
            "set tmargin at screen %.4f\nset bmargin at screen %.4f\n",
            x0 / g->width, (x0 + g->panel_w) / g->width, top / g->height, bottom / g->height);
    char title[32];
    snprintf(title, sizeof title, "unit %d", unit);
    fputs("set label 1 ", fp);
    fig_put_label_pt(fp, o, 6, title, 0);
    fprintf(fp, " at screen %.4f, screen %.4f center font ',%g' textcolor rgb '#262626'\n",
            (x0 + g->panel_w / 2) / g->width, (top + RIDGE_TITLE_H * g->em / 2) / g->height,
            6 * g->em);
}

/* The labels around the grid: the rotated "digit", the x label, the dead units' note. */
static void put_ridge_frame(FILE *fp, const struct ridge_grid *g, const struct plot_opts *o,
                            const char *xlabel, const char *note)
{
    double grid_bottom = RIDGE_BOTTOM * g->em + RIDGE_NOTE_H * g->notes * g->em;
    fputs("set label 2 ", fp);
    fig_put_label_pt(fp, o, 6.5, "digit", 0);
    fprintf(fp, " at screen %.4f, screen %.4f center rotate by 90 font ',%g'\n",
            0.09 * g->em / g->width, (g->height - g->top + grid_bottom) / 2 / g->height,
            6.5 * g->em);
    fputs("set label 3 ", fp);
    fig_put_label(fp, o, xlabel, 1);
    fprintf(fp, " at screen 0.5, screen %.4f center\n", (grid_bottom - 0.19 * g->em) / g->height);
    int line = 0;
    for (const char *s = note; *s; line++) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        char *text = xmalloc(len + 1);
        memcpy(text, s, len);
        text[len] = '\0';
        fprintf(fp, "set label %d ", 4 + line);
        fig_put_label_pt(fp, o, 6.5, text, 0);
        fprintf(fp, " at screen %.4f, screen %.4f left font ',%g' textcolor rgb '#555555'\n",
                0.06 / g->width, (RIDGE_NOTE_H * (g->notes - line - 0.5) * g->em) / g->height,
                6.5 * g->em);
        free(text);
        s += nl ? len + 1 : len;
    }
}

/*
 * The bin holding 0, or -1. A ReLU unit is exactly 0 for every sequence that
 * leaves it off: that bin towers over the rest and, on its scale, the shape
 * of the unit's response would be a flat line.
 */
static int zero_bin(const struct hist_input *in)
{
    if (!(in->lo <= 0 && 0 < in->hi)) return -1;
    int b = (int)floor(-in->lo / (in->hi - in->lo) * in->bins);
    return b < in->bins ? b : in->bins - 1;
}

/*
 * Unit u's ridges as shares of each digit's sequences (share[d * bins + b]),
 * so digits with more test sequences do not stand taller; returns the scale
 * of the unit's panel: its largest share outside the zero bin (the zero bin's
 * when there is nothing else).
 */
static double ridge_shares(const struct hist_input *in, int u, int zero, double *share)
{
    double top = 0, top_zero = 0;
    for (int d = 0; d < FIG_DIGITS; d++) {
        const double *c = in->count + ((size_t)u * FIG_DIGITS + d) * in->bins;
        double n = 0;
        for (int b = 0; b < in->bins; b++)
            n += c[b];
        for (int b = 0; b < in->bins; b++) {
            double v = share[d * in->bins + b] = n > 0 ? c[b] / n : 0;
            if (b != zero && v > top) top = v;
            if (b == zero && v > top_zero) top_zero = v;
        }
    }
    return top > 0 ? top : top_zero;
}

/*
 * One row per bin: unit, digit, bin centre, count, its height on the ridge
 * (its share of the digit's sequences over the panel's scale, ridge_shares;
 * the zero bin clipped at 1); two blank lines end a ridge, so that ridge
 * (panel, digit) is gnuplot index panel * 10 + digit.
 */
static char *ridge_block(const struct hist_input *in)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    double w = (in->hi - in->lo) / in->bins;
    int zero = zero_bin(in);
    double *share = xmallocarray((size_t)FIG_DIGITS * in->bins, sizeof *share);
    for (int u = 0; u < in->units; u++) {
        if (in->dead[u]) continue;
        double scale = ridge_shares(in, u, zero, share);
        for (int d = 0; d < FIG_DIGITS; d++) {
            const double *c = in->count + ((size_t)u * FIG_DIGITS + d) * in->bins;
            for (int b = 0; b < in->bins; b++) {
                fprintf(fp, "%d %d", u, d);
                fig_put_number(fp, in->lo + (b + 0.5) * w);
                fprintf(fp, " %.0f", c[b]);
                double v = share[d * in->bins + b];
                fig_put_number(fp, scale > 0 ? fig_clamp(v / scale, 0, 1) : 0);
                fputc('\n', fp);
            }
            fputs("\n\n", fp);
        }
    }
    free(share);
    return fig_text_close(&t);
}

static char *ridge_body(const struct hist_input *in, const struct ridge_grid *g,
                        const struct plot_opts *o, const char *line1, const char *line2,
                        const char *xlabel, const char *note)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    fig_put_style(fp);
    /* Narrow panels get half the x tics, so their labels do not run together. */
    double step = tic_step((in->hi - in->lo) * (g->panel_w < 0.5 * g->em ? 2 : 1));
    /* Every digit on the y axis while a ridge is as tall as its label, else 0, 3, 6, 9. */
    double spacing = (g->cell_h - (RIDGE_TITLE_H * g->em + RIDGE_GAP_Y)) / (10 + RIDGE_OVERLAP);
    int every = spacing * 72 >= 4.5 * g->em ? 1 : 3;
    fprintf(fp,
            "unset grid\nunset key\nset border 1 front linewidth 0.5 linecolor rgb '#262626'\n"
            "set xrange [%.9g:%.9g]\nset yrange [-0.15:%g]\n"
            "set xtics %.9g, %.9g, %.9g scale 0.4 nomirror font ',%g' offset 0,0.3\n"
            "set style fill solid 1.0 border linecolor rgb '#ffffff'\n"
            "overlap = %g  # a ridge's peak, in ridge spacings\n",
            in->lo, in->hi, 9 + RIDGE_OVERLAP + 0.1, ceil(in->lo / step) * step, step, in->hi,
            5.5 * g->em, RIDGE_OVERLAP);
    /* Two shades of one Okabe-Ito blue, alternating, so overlapping neighbours part. */
    fputs("ridge(d) = d % 2 ? '#56B4E9' : '#0072B2'\n", fp);
    fputs("set multiplot title ", fp);
    fig_put_title_text(fp, o, line1, line2, 1, g->width);
    fputs("\n", fp);
    put_ridge_frame(fp, g, o, xlabel, note);
    int i = 0;
    for (int u = 0; u < in->units; u++) {
        if (in->dead[u]) continue;
        fprintf(fp, "\n# ---- unit %d ----\n", u);
        put_ridge_panel(fp, g, o, i, u);
        if (i % g->cols == 0) {
            char tex[64];
            const char *size = fig_tex_size(o, 5.5, tex, sizeof tex);
            fprintf(fp, "set ytics scale 0 font ',%g' (", 5.5 * g->em);
            for (int d = 0; d < FIG_DIGITS; d += every)
                fprintf(fp, "%s'%s%d' %d", d ? ", " : "", size, d, 9 - d);
            fputs(")\n", fp);
        } else {
            fputs("unset ytics\n", fp);
        }
        /* x tic labels under the lowest panel of each column only */
        char tex[64];
        if (i + g->cols >= g->n)
            fprintf(fp, "set format x '%s%%g'\n", fig_tex_size(o, 5.5, tex, sizeof tex));
        else
            fputs("set format x ''\n", fp);
        fprintf(fp,
                "plot for [d=0:9] $ridges index %d*10+d using 3:(9-d):(9-d+overlap*$5) "
                "with filledcurves fillcolor rgb ridge(d) notitle\n",
                i);
        if (i == 0) fputs("unset label 2\nunset label 3\n", fp);
        for (int l = 0; i == 0 && l < g->notes; l++)
            fprintf(fp, "unset label %d\n", 4 + l);
        i++;
    }
    if (i == 0) /* every unit dead: the note alone */
        fputs("unset border\nunset tics\nplot 20 notitle\n", fp);
    fputs("unset multiplot\n", fp);
    return fig_text_close(&t);
}

int plot_histograms(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err)
{
    struct plotdata_run r;
    struct hist_input in = {0};
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    int rc = read_means(run_dir, &in, err);
    if (rc == 0) rc = read_counts(run_dir, &in, err);
    if (rc != 0) {
        hist_input_free(&in);
        return rc;
    }
    double w = o->width > 0 ? o->width : 3.5;
    int notes;
    char *note = ridge_note(&in, w, fig_em(o), &notes);
    char line1[256], line2[160], xlabel[128];
    fig_run_title(&r, line1, sizeof line1);
    snprintf(line2, sizeof line2, "%s activation by digit: %d of %d units dead", fig_layer_name(&r),
             in.ndead, in.units);
    struct ridge_grid g =
        ridge_layout(o, in.units - in.ndead, notes, fig_title_lines(o, line1, line2, w));
    snprintf(xlabel, sizeof xlabel, "%s activation", fig_layer_name(&r));
    char *body = ridge_body(&in, &g, o, line1, line2, xlabel, note);
    char *data = ridge_block(&in);
    struct gp_block block = {"ridges",
                             "unit, digit, bin centre, test sequences, height: the bin's share of "
                             "the digit's sequences over the unit's largest share outside the bin "
                             "holding 0 (that bin clipped at 1); a ridge per unit and digit, dead "
                             "units left out",
                             data};
    struct gp_figure f = fig_figure(o, "histograms", g.width, g.height, &block, 1, body);
    rc = gp_render(&f, out_dir, o->fmt, err);
    free(note);
    free(body);
    free(data);
    hist_input_free(&in);
    return rc;
}

// ---- actmean: units x digits, each row over its largest mean ----

/* Cells "digit unit value": the mean over the row's largest; NaN (blank) for a dead unit and for
 * a digit without sequences. */
static char *mean_block(const struct hist_input *in)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    for (int u = 0; u < in->units; u++) {
        const double *m = in->mean + (size_t)u * FIG_DIGITS;
        double top = 0;
        for (int d = 0; d < FIG_DIGITS; d++)
            top = m[d] > top ? m[d] : top;
        for (int d = 0; d < FIG_DIGITS; d++) {
            fprintf(fp, "%d %d", d, u);
            fig_put_number(fp, in->dead[u] ? NAN : !(top > 0) ? 0 : m[d] / top);
            fputc('\n', fp);
        }
        fputc('\n', fp);
    }
    return fig_text_close(&t);
}

int plot_actmean(const char *run_dir, const char *out_dir, const struct plot_opts *o, char *err)
{
    struct plotdata_run r;
    struct hist_input in = {0};
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    int rc = read_means(run_dir, &in, err);
    if (rc != 0) {
        hist_input_free(&in);
        return rc;
    }
    int *order = xcalloc((size_t)in.units, sizeof *order);
    for (int u = 0; u < in.units; u++)
        order[u] = u;
    /* the axes need only the rows and their order */
    struct fig_heat h = {.rows = in.units,
                         .cols = FIG_DIGITS,
                         .order = order,
                         .drawn = in.units,
                         .max = 1,
                         .digits = 1,
                         .col_what = "digit"};
    double em = fig_em(o), width, height;
    char line1[256], line2[160], ylabel[64];
    fig_run_title(&r, line1, sizeof line1);
    snprintf(line2, sizeof line2, "mean %s activation per digit, each unit over its largest",
             fig_layer_name(&r));
    snprintf(ylabel, sizeof ylabel, "%s unit", fig_layer_name(&r));

    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    fig_put_style(fp);
    fig_put_palette(fp);
    fig_size(o, 3.5, fig_heat_height(in.units, 1.1, em), &width, &height);
    fig_put_title(fp, o, line1, line2, 1, width);
    fputs("cbmax = 1  # a row's largest mean\n", fp);
    fig_heat_axes(fp, o, &h, ylabel, 1);
    fig_heat_tex_margin(fp, o, width);
    fputs("set cblabel ", fp);
    fig_put_label(fp, o, "mean / unit's largest", 0);
    fputs("\nset cbtics 0, 0.25, 1\n", fp);
    /* A dead unit's row is blank: say why on it while rows are tall enough for text. */
    for (int u = 0; u < in.units && in.units <= 48; u++)
        if (in.dead[u]) {
            fputs("set label ", fp);
            fig_put_label_pt(fp, o, in.units > 16 ? 4.5 : 5.5, "dead (constant)", 0);
            fprintf(fp, " at 4.5, %d center front font ',%.1f' textcolor rgb '#555555'\n", u,
                    (in.units > 16 ? 4.5 : 5.5) * em);
        }
    fputs("\n", fp);
    /* Two decimals on the cells while a row is tall enough to hold them and a cell wide enough. */
    fputs("plot $means using 1:2:3 with image pixels notitle", fp);
    double font = fig_cell_font(o, in.units > 16 ? 4.5 : 5.5, width - 1.25 * em, FIG_DIGITS, 4, 0);
    char size[128], value[192] = "sprintf('%.2f', $3)";
    if (*fig_tex_size_labels(o, font, size, sizeof size))
        snprintf(value, sizeof value, "'%s'.sprintf('%%.2f', $3)", size);
    if (in.units <= 24 && font > 0)
        fprintf(fp,
                ", \\\n     $means using 1:2:(strcol(3) eq 'NaN' ? '' : %s):"
                "($3 > 0.55 ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable "
                "font ',%.1f' notitle",
                value, font * em);
    fputs("\n", fp);
    char *body = fig_text_close(&t);
    char *data = mean_block(&in);
    struct gp_block block = {"means",
                             "digit, unit (top = 0), mean activation over the unit's largest "
                             "mean (NaN for a dead unit); a blank line ends a unit",
                             data};
    struct gp_figure f = fig_figure(o, "actmean", width, height, &block, 1, body);
    rc = gp_render(&f, out_dir, o->fmt, err);
    free(body);
    free(data);
    free(order);
    hist_input_free(&in);
    return rc;
}

const struct plot_run_figure plot_hist_figures[] = {
    {"histograms", plot_histograms},
    {"actmean", plot_actmean},
    {NULL, NULL},
};
