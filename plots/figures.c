/* figures — the scripts of ftlab's figures. See figures.h. */
#define _POSIX_C_SOURCE 200809L
#include "figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plotdata.h"
#include "run.h"
#include "util.h"

enum { DIGITS = 10 };

// ---- text buffers ----

struct text {
    char *s;
    size_t len;
    FILE *fp;
};

static FILE *text_open(struct text *t)
{
    t->s = NULL;
    t->fp = open_memstream(&t->s, &t->len);
    if (!t->fp) abort();
    return t->fp;
}

/* The text so far; the caller frees it. */
static char *text_close(struct text *t)
{
    if (fclose(t->fp) != 0) abort();
    return t->s;
}

static void put_number(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, " %.9g", v);
    else
        fputs(" NaN", fp);
}

// ---- the house style ----

/* Okabe & Ito (2008): distinguishable under every common colour-vision deficiency. */
static const char *const okabe_ito[] = {"#000000", "#E69F00", "#56B4E9", "#009E73",
                                        "#0072B2", "#D55E00", "#CC79A7", "#F0E442"};

/* One colour per loss, the same in every figure (reg_table: Okabe-Ito hues, grey for the baseline). */
static const char *loss_colour(int kind)
{
    return reg_table[kind].colour;
}

/* What every figure shares: no gnuplot default is left to show through. */
static void put_style(FILE *fp)
{
    fputs("# ---- style ----\n"
          "set border 3 front linewidth 0.6 linecolor rgb '#262626'\n"
          "set tics nomirror out scale 0.5 textcolor rgb '#262626'\n"
          "set mxtics default\n"
          "set grid ytics back linewidth 0.4 linecolor rgb '#e3e3e3' dashtype solid\n"
          "set key top right noreverse Left samplen 1.6 spacing 1.1 nobox opaque "
          "textcolor rgb '#262626'\n"
          "set title offset 0,-0.4 textcolor rgb '#262626'\n"
          "set xlabel offset 0,0.4 textcolor rgb '#262626'\n"
          "set ylabel textcolor rgb '#262626'\n"
          "set pointsize 0.6\n\n",
          fp);
}

/* ColorBrewer YlGnBu: sequential, colour-blind safe, and pale at zero so empty cells recede. */
static void put_palette(FILE *fp)
{
    fputs("set palette defined (0 '#ffffd9', 1 '#edf8b1', 2 '#c7e9b4', 3 '#7fcdbb', "
          "4 '#41b6c4', 5 '#1d91c0', 6 '#225ea8', 7 '#253494', 8 '#081d58')\n",
          fp);
}

/*
 * "set title" with one or two lines. Text made of ftlab's own words may use
 * enhanced markup (AMI_{max}); anything holding a file name must not.
 */
static void put_title(FILE *fp, const char *line1, const char *line2, int enhanced)
{
    fputs("set title ", fp);
    gp_put_string(fp, line1);
    if (line2) {
        fputs(".\"\\n\".", fp);
        gp_put_string(fp, line2);
    }
    fputs(enhanced ? "\n" : " noenhanced\n", fp);
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* Reads what a run figure needs, or says how to make it (PLOT_SKIPPED). */
static int read_input(const char *run_dir, const char *file, const char *maker,
                      struct plotdata_csv *t, char *err)
{
    char *path = run_path(run_dir, file);
    int rc = PLOT_SKIPPED;
    if (!ftl_is_file(path))
        ftl_error(err, "%s: not there yet; run '%s %s' first", path, maker, run_dir);
    else
        rc = plotdata_csv_read(path, t, err);
    free(path);
    return rc;
}

/* "Classifier, Baseline → Proposed (KL margin)": reg_table words only, safe as enhanced text. */
static void run_title(const struct plotdata_run *r, char *out, size_t cap)
{
    snprintf(out, cap, "%s, %s", r->autoencoder ? "Autoencoder" : "Classifier", r->losses);
}

static const char *layer_name(const struct plotdata_run *r)
{
    return r->autoencoder ? "code" : "FC1";
}

// ---- loss over steps ----

/* The columns of metrics.csv drawn by plot_loss, and how each is drawn. */
struct term {
    const char *column;
    const char *title;
    const char *colour;
    const char *style;
};

/* The task loss, each regulariser's term (in reg_table's slots), and the total. */
enum { TERM_TASK = 0, TERM_TOTAL = REG_COUNT, NTERMS };

static void loss_terms(const struct plotdata_run *r, struct term *t)
{
    t[0] = (struct term){"task", r->autoencoder ? "task (MSE)" : "task (BCE)", okabe_ito[0],
                         "linewidth 1.1"};
    for (int k = 1; k < REG_COUNT; k++) /* metrics.csv names each term's column after its loss */
        t[k] = (struct term){reg_table[k].name, reg_table[k].title, reg_table[k].colour,
                             "linewidth 0.9"};
    t[TERM_TOTAL] = (struct term){"total", "total (task + λ·reg)", okabe_ito[4],
                         "linewidth 0.9 dashtype (4,2)"};
}

/*
 * The data block: step and each term, with values a log axis cannot show as
 * NaN. has_term[j] tells whether term j has a point to draw; the total is
 * left out while it is the task loss alone (the baseline, or λ = 0).
 */
static char *loss_block(const struct plotdata_csv *m, const int *col, int *has_term)
{
    struct text t;
    FILE *fp = text_open(&t);
    int step = plotdata_csv_col(m, "step"), total_differs = 0;
    for (size_t i = 0; i < m->nrow; i++) {
        const double *row = m->v + i * (size_t)m->ncol;
        fprintf(fp, "%.0f", row[step]);
        for (int j = 0; j < NTERMS; j++) {
            double v = row[col[j]];
            put_number(fp, v > 0 ? v : NAN);
            if (v > 0 && isfinite(v)) has_term[j] = 1;
        }
        total_differs |= row[col[TERM_TOTAL]] != row[col[TERM_TASK]];
        fputc('\n', fp);
    }
    has_term[TERM_TOTAL] &= total_differs;
    return text_close(&t);
}

/* A dashed line and a label at each change within the steps drawn, [first, last]. */
static void put_markers(FILE *fp, const struct plotdata_marker *mk, size_t n, double first,
                        double last)
{
    for (size_t i = 0; i < n; i++) {
        double s = (double)mk[i].step;
        if (s < first || s > last) continue;
        fprintf(fp,
                "set arrow %zu from %.0f, graph 0 to %.0f, graph 1 nohead back "
                "linewidth 0.6 dashtype (3,3) linecolor rgb '#595959'\n",
                i + 1, s, s);
        fprintf(fp, "set label %zu ", i + 1);
        gp_put_string(fp, mk[i].text);
        fprintf(fp,
                " at %.0f, graph 0.98 rotate by 90 right offset -1.4,0 front "
                "font ',6.5' textcolor rgb '#404040' noenhanced\n",
                s);
    }
}

/*
 * A key under the x label, in `cols` columns of `rows` rows: at a column's
 * width a key inside the axes would hide data. Returns the space it takes
 * below the axes, in inches, for the figure's height.
 */
static double key_below_height(int rows)
{
    return 0.46 + 0.135 * rows;
}

static void put_key_below(FILE *fp, double height, int rows, int cols)
{
    double key_top = 0.06 + 0.135 * rows;
    fprintf(fp,
            "set bmargin at screen %.4f\n"
            "set key at screen 0.5, screen %.4f center top horizontal maxcols %d reverse Left "
            "width -2\n",
            key_below_height(rows) / height, key_top / height, cols);
}

static char *loss_body(double height, const struct plotdata_run *r, const struct plotdata_csv *m,
                       const struct term *terms, const int *has_term,
                       const struct plotdata_marker *mk, size_t nmk)
{
    struct text t;
    FILE *fp = text_open(&t);
    put_style(fp);
    char title[256];
    run_title(r, title, sizeof title);
    put_title(fp, title, NULL, 1);
    int step = plotdata_csv_col(m, "step");
    double first = m->v[step], last = m->v[(m->nrow - 1) * (size_t)m->ncol + step];
    fprintf(fp,
            "set xlabel 'training step (batch)'\n"
            "set ylabel 'loss term (log scale)'\n"
            "set xrange [%.0f:%.0f]\n"
            "set logscale y\n"
            "set format y '10^{%%L}'\n"
            "set mytics 10\n",
            first, last);
    int shown = 0;
    for (int j = 0; j < NTERMS; j++)
        shown += has_term[j];
    put_key_below(fp, height, (shown + 1) / 2, 2);
    fputs("\n", fp);
    put_markers(fp, mk, nmk, first, last);
    fputs("\nplot ", fp);
    const char *sep = "";
    for (int j = 0; j < NTERMS; j++) {
        if (!has_term[j]) continue;
        fprintf(fp, "%s$loss using 1:%d with lines %s linecolor rgb '%s' title ", sep, j + 2,
                terms[j].style, terms[j].colour);
        gp_put_string(fp, terms[j].title);
        sep = ", \\\n     ";
    }
    fputs("\n", fp);
    return text_close(&t);
}

/* Draws the loss figure of a run whose metrics.csv is m. */
static int draw_loss(const struct plotdata_run *r, const struct plotdata_csv *m,
                     const char *run_dir, const char *out_dir, enum gp_format fmt, char *err)
{
    struct term terms[NTERMS];
    loss_terms(r, terms);
    int col[NTERMS], has_term[NTERMS] = {0}, shown = 0;
    for (int j = 0; j < NTERMS; j++)
        if ((col[j] = plotdata_csv_col(m, terms[j].column)) < 0 || plotdata_csv_col(m, "step") < 0)
            return ftl_error(err, "%s/metrics.csv: no '%s' column", run_dir,
                             col[j] < 0 ? terms[j].column : "step");
    char *data = loss_block(m, col, has_term);
    for (int j = 0; j < NTERMS; j++)
        shown += has_term[j];
    struct plotdata_marker *mk = NULL;
    size_t nmk = 0;
    int rc = shown ? plotdata_markers(run_dir, &mk, &nmk, err)
                   : ftl_error(err, "%s/metrics.csv: no positive loss to draw", run_dir);
    if (rc == 0) {
        const double height = 2.0 + key_below_height((shown + 1) / 2);
        char *body = loss_body(height, r, m, terms, has_term, mk, nmk);
        struct gp_block block = {"loss", "step task decov xcov proposed total (NaN: <= 0)", data};
        struct gp_figure f = {"loss", 3.5, height, &block, 1, body};
        rc = gp_render(&f, out_dir, fmt, err);
        free(body);
    }
    free(mk);
    free(data);
    return rc;
}

int plot_loss(const char *run_dir, const char *out_dir, enum gp_format fmt, char *err)
{
    struct plotdata_run r;
    struct plotdata_csv m;
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    int rc = read_input(run_dir, "metrics.csv", "ftlab train --resume", &m, err);
    if (rc != 0) return rc;
    if (m.nrow < 2) {
        ftl_error(err, "%s/metrics.csv: fewer than two steps; train longer first", run_dir);
        rc = PLOT_SKIPPED;
    } else {
        rc = draw_loss(&r, &m, run_dir, out_dir, fmt, err);
    }
    plotdata_csv_free(&m);
    return rc;
}

// ---- heatmaps: units or clusters x digits ----

/* A rows x 10 table of counts and the order its rows are drawn in. */
struct heat {
    int rows;
    double *count; /* rows x DIGITS */
    int *order;    /* drawn row i is table row order[i] */
    double max;
};

static int heat_from_csv(const struct plotdata_csv *t, const char *path, struct heat *h, char *err)
{
    memset(h, 0, sizeof *h);
    if (t->ncol != DIGITS + 1 || t->nrow == 0)
        return ftl_error(err, "%s: expected a header and rows of 11 columns", path);
    h->rows = (int)t->nrow;
    h->count = xcalloc(t->nrow * DIGITS, sizeof *h->count);
    h->order = xcalloc(t->nrow, sizeof *h->order);
    for (int i = 0; i < h->rows; i++) {
        h->order[i] = i;
        for (int d = 0; d < DIGITS; d++) {
            double v = t->v[(size_t)i * t->ncol + 1 + d];
            h->count[(size_t)i * DIGITS + d] = isfinite(v) && v > 0 ? v : 0;
            if (h->count[(size_t)i * DIGITS + d] > h->max)
                h->max = h->count[(size_t)i * DIGITS + d];
        }
    }
    return 0;
}

static void heat_free(struct heat *h)
{
    free(h->count);
    free(h->order);
}

static int heat_active_rows(const struct heat *h)
{
    int n = 0;
    for (int i = 0; i < h->rows; i++) {
        double s = 0;
        for (int d = 0; d < DIGITS; d++)
            s += h->count[(size_t)i * DIGITS + d];
        n += s > 0;
    }
    return n;
}

/* Cells as "digit row count", row being the drawn position (h->order maps it back). */
static char *heat_block(const struct heat *h)
{
    struct text t;
    FILE *fp = text_open(&t);
    for (int i = 0; i < h->rows; i++) {
        for (int d = 0; d < DIGITS; d++)
            fprintf(fp, "%d %d %.0f\n", d, i, h->count[(size_t)h->order[i] * DIGITS + d]);
        fputc('\n', fp);
    }
    return text_close(&t);
}

/* Axes and colour scale of one heatmap panel; the script defines cbmax before. */
static void heat_axes(FILE *fp, const struct heat *h, const char *ylabel, int ytic_labels)
{
    int every = h->rows <= 40 ? 1 : h->rows <= 80 ? 4 : 8;
    fprintf(fp,
            "set xrange [-0.5:9.5]\n"
            "set yrange [%d.5:-0.5]\n"
            "set xtics 0,1,9 scale 0\n"
            "set border 15 front linewidth 0.6 linecolor rgb '#262626'\n"
            "unset grid\n"
            "set xlabel 'digit'\n"
            "set cbrange [0:cbmax]\n"
            "set cbtics scale 0.5 out nomirror\n"
            "set cblabel 'test sequences'\n",
            h->rows - 1);
    if (ylabel)
        fprintf(fp, "set ylabel '%s'\n", ylabel);
    else
        fputs("unset ylabel\n", fp);
    if (!ytic_labels) {
        fputs("unset ytics\n", fp);
        return;
    }
    fprintf(fp, "set ytics scale 0 font ',%s' (", h->rows > 16 ? "6.5" : "8");
    for (int i = 0; i < h->rows; i += every)
        fprintf(fp, "%s'%d' %d", i ? ", " : "", h->order[i], i);
    fputs(")\n", fp);
}

/*
 * The cells, and each non-empty cell's count on it in black, or white where
 * the palette is dark (past 55 %% of the scale). Counts are written when a
 * row is tall enough to hold them.
 */
static void heat_plot(FILE *fp, const char *block, int rows, double font)
{
    fprintf(fp, "plot $%s using 1:2:3 with image pixels notitle", block);
    if (rows <= 48)
        fprintf(fp,
                ", \\\n     $%s using 1:2:($3 > 0 ? sprintf('%%d', $3) : ''):"
                "($3 > 0.55 * cbmax ? 0xffffff : 0x1a1a1a) with labels textcolor rgb variable "
                "font ',%.1f' notitle",
                block, font);
    fputs("\n", fp);
}

/* The heatmap's height: rows tall enough for their counts while they are written. */
static double heat_height(int rows, double extra)
{
    double row = rows <= 16 ? 0.16 : rows <= 48 ? 0.1 : 0.05;
    return clamp(extra + row * rows, 2.0, 9.0);
}

static int plot_heat(const char *name, const struct heat *h, const char *title1, const char *title2,
                     const char *ylabel, const char *out_dir, enum gp_format fmt, char *err)
{
    struct text t;
    FILE *fp = text_open(&t);
    put_style(fp);
    put_palette(fp);
    put_title(fp, title1, title2, 1);
    fprintf(fp, "cbmax = %g  # the top of the colour scale\n", h->max > 0 ? h->max : 1);
    heat_axes(fp, h, ylabel, 1);
    fputs("\n", fp);
    heat_plot(fp, "counts", h->rows, h->rows > 16 ? 5 : 6);
    char *body = text_close(&t);
    char *data = heat_block(h);
    struct gp_block block = {"counts", "digit, row (top = 0), count; a blank line ends a row",
                             data};
    struct gp_figure f = {name, 3.5, heat_height(h->rows, 1.1), &block, 1, body};
    int rc = gp_render(&f, out_dir, fmt, err);
    free(body);
    free(data);
    return rc;
}

int plot_actmap(const char *run_dir, const char *out_dir, enum gp_format fmt, char *err)
{
    struct plotdata_run r;
    struct plotdata_csv t;
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    int rc = read_input(run_dir, "actmap.csv", "ftlab eval", &t, err);
    if (rc != 0) return rc;
    struct heat h;
    char *path = run_path(run_dir, "actmap.csv");
    rc = heat_from_csv(&t, path, &h, err);
    free(path);
    if (rc == 0) {
        char line1[256], line2[128], ylabel[64];
        run_title(&r, line1, sizeof line1);
        snprintf(line2, sizeof line2, "most active %s unit per test sequence: %d of %d units",
                 layer_name(&r), heat_active_rows(&h), h.rows);
        snprintf(ylabel, sizeof ylabel, "%s unit", layer_name(&r));
        rc = plot_heat("actmap", &h, line1, line2, ylabel, out_dir, fmt, err);
        heat_free(&h);
    }
    plotdata_csv_free(&t);
    return rc;
}

/* The first row of eval.csv, whose k the clusters in clusters.csv are of. */
static int eval_first(const char *run_dir, int *k, double *ami, char *err)
{
    struct plotdata_csv e;
    int rc = read_input(run_dir, "eval.csv", "ftlab eval", &e, err);
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
static void order_by_majority(struct heat *h)
{
    int *major = xcalloc((size_t)h->rows, sizeof *major);
    for (int i = 0; i < h->rows; i++)
        for (int d = 1; d < DIGITS; d++)
            if (h->count[(size_t)i * DIGITS + d] > h->count[(size_t)i * DIGITS + major[i]])
                major[i] = d;
    for (int i = 1; i < h->rows; i++) { /* insertion sort: stable, and k is small */
        int o = h->order[i], j = i;
        for (; j > 0 && major[h->order[j - 1]] > major[o]; j--)
            h->order[j] = h->order[j - 1];
        h->order[j] = o;
    }
    free(major);
}

int plot_clusters(const char *run_dir, const char *out_dir, enum gp_format fmt, char *err)
{
    struct plotdata_run r;
    struct plotdata_csv t;
    int k = 0;
    double ami = NAN;
    if (plotdata_run_info(run_dir, &r, err) != 0) return -1;
    int rc = read_input(run_dir, "clusters.csv", "ftlab eval", &t, err);
    if (rc != 0) return rc;
    rc = eval_first(run_dir, &k, &ami, err);
    struct heat h;
    char *path = run_path(run_dir, "clusters.csv");
    if (rc == 0) rc = heat_from_csv(&t, path, &h, err);
    free(path);
    if (rc == 0) {
        order_by_majority(&h);
        char line1[256], line2[128];
        run_title(&r, line1, sizeof line1);
        snprintf(line2, sizeof line2, "KMeans k = %d on the %s test activations: AMI_{max} %.3f", k,
                 layer_name(&r), ami);
        rc = plot_heat("clusters", &h, line1, line2, "cluster (by majority digit)", out_dir, fmt,
                       err);
        heat_free(&h);
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
        if (j != i && rs->info[j].loss == rs->info[i].loss) return okabe_ito[(i + 1) % 8];
    return loss_colour(rs->info[i].loss);
}

enum { MAX_PANELS = 8 };

/* Heatmap panels side by side, in inches: the axes' margins and the colour box's room. */
#define PANEL_WIDTH 1.85
#define PANEL_GAP 0.12
#define PANEL_LEFT 0.5
#define PANEL_TOP 0.42
#define PANEL_BOTTOM 0.42
#define PANEL_RIGHT 0.75

static double panels_width(int n)
{
    return PANEL_LEFT + n * (PANEL_WIDTH + PANEL_GAP) + PANEL_RIGHT;
}

/* Panel i's place in screen coordinates. */
static void put_panel_margins(FILE *fp, int i, double width, double height)
{
    double x0 = PANEL_LEFT + i * (PANEL_WIDTH + PANEL_GAP);
    fprintf(fp,
            "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
            "set tmargin at screen %.4f\nset bmargin at screen %.4f\n",
            x0 / width, (x0 + PANEL_WIDTH) / width, 1 - PANEL_TOP / height, PANEL_BOTTOM / height);
}

/* The one colour box, right of the last panel, as tall as the panels. */
static void put_panel_colorbox(FILE *fp, int n, double width, double height)
{
    double x = PANEL_LEFT + n * (PANEL_WIDTH + PANEL_GAP) - 0.02;
    fprintf(fp, "set colorbox user origin screen %.4f, screen %.4f size screen %.4f, screen %.4f\n",
            x / width, PANEL_BOTTOM / height, 0.1 / width, 1 - (PANEL_TOP + PANEL_BOTTOM) / height);
}

static char *compare_actmap_body(const struct runs *rs, const struct heat *h, double cbmax,
                                 double width, double height)
{
    struct text t;
    FILE *fp = text_open(&t);
    put_style(fp);
    put_palette(fp);
    fprintf(fp, "cbmax = %g  # one colour scale for every panel\n", cbmax);
    fputs("set multiplot\n", fp);
    for (int i = 0; i < rs->n; i++) {
        fprintf(fp, "\n# ---- panel %d ----\n", i + 1);
        char active[96];
        snprintf(active, sizeof active, "%d of %d %s units most active", heat_active_rows(&h[i]),
                 h[i].rows, layer_name(&rs->info[i]));
        put_title(fp, rs->label[i], active, 0);
        char ylabel[64];
        snprintf(ylabel, sizeof ylabel, "%s unit", layer_name(&rs->info[i]));
        heat_axes(fp, &h[i], i == 0 ? ylabel : NULL, i == 0);
        put_panel_margins(fp, i, width, height);
        if (i < rs->n - 1)
            fputs("unset colorbox\n", fp);
        else
            put_panel_colorbox(fp, rs->n, width, height);
        char block[32];
        snprintf(block, sizeof block, "counts%d", i + 1);
        heat_plot(fp, block, h[i].rows, 5.5);
    }
    fputs("unset multiplot\n", fp);
    return text_close(&t);
}

static int compare_actmap_draw(const struct runs *rs, struct heat *h, const char *out_dir,
                               enum gp_format fmt, char *err)
{
    double cbmax = 1;
    int rows = 1;
    for (int i = 0; i < rs->n; i++) {
        cbmax = h[i].max > cbmax ? h[i].max : cbmax;
        rows = h[i].rows > rows ? h[i].rows : rows;
    }
    double width = panels_width(rs->n), height = heat_height(rows, 1.0);
    struct gp_block blocks[MAX_PANELS];
    char names[MAX_PANELS][32], comments[MAX_PANELS][300];
    char *data[MAX_PANELS];
    for (int i = 0; i < rs->n; i++) {
        snprintf(names[i], sizeof names[i], "counts%d", i + 1);
        snprintf(comments[i], sizeof comments[i], "%s: digit, unit, count", rs->label[i]);
        data[i] = heat_block(&h[i]);
        blocks[i] = (struct gp_block){names[i], comments[i], data[i]};
    }
    char *body = compare_actmap_body(rs, h, cbmax, width, height);
    struct gp_figure f = {"compare-actmap", width, height, blocks, rs->n, body};
    int rc = gp_render(&f, out_dir, fmt, err);
    for (int i = 0; i < rs->n; i++)
        free(data[i]);
    free(body);
    return rc;
}

int plot_compare_actmap(const char *const *run_dirs, int n, const char *out_dir, enum gp_format fmt,
                        char *err)
{
    if (n < 1 || n > MAX_PANELS)
        return ftl_error(err, "compare-actmap: between 1 and %d runs, not %d", MAX_PANELS, n);
    struct runs rs;
    struct heat h[MAX_PANELS] = {{0}};
    int rc = runs_read(run_dirs, n, &rs, err);
    for (int i = 0; i < n && rc == 0; i++) {
        struct plotdata_csv t;
        rc = read_input(run_dirs[i], "actmap.csv", "ftlab eval", &t, err);
        if (rc != 0) break;
        char *path = run_path(run_dirs[i], "actmap.csv");
        rc = heat_from_csv(&t, path, &h[i], err);
        free(path);
        plotdata_csv_free(&t);
    }
    if (rc == 0) rc = compare_actmap_draw(&rs, h, out_dir, fmt, err);
    for (int i = 0; i < n; i++)
        heat_free(&h[i]);
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
    int rc = read_input(run_dir, "metrics.csv", "ftlab train --resume", &m, err);
    if (rc != 0) return rc;
    int cs = plotdata_csv_col(&m, "step"), ct = plotdata_csv_col(&m, "task");
    if (cs < 0 || ct < 0) {
        plotdata_csv_free(&m);
        return ftl_error(err, "%s/metrics.csv: no 'step' or 'task' column", run_dir);
    }
    size_t half = m.nrow / 100;
    struct text t;
    FILE *fp = text_open(&t);
    for (size_t i = 0; i < m.nrow; i++) {
        double v = m.v[i * (size_t)m.ncol + ct], sum = 0;
        size_t n = 0;
        for (size_t j = i > half ? i - half : 0; j <= i + half && j < m.nrow; j++) {
            double u = m.v[j * (size_t)m.ncol + ct];
            if (u > 0 && isfinite(u)) sum += u, n++;
        }
        fprintf(fp, "%.0f", m.v[i * (size_t)m.ncol + cs]);
        put_number(fp, v > 0 ? v : NAN);
        put_number(fp, n ? sum / n : NAN);
        fputc('\n', fp);
    }
    *data = text_close(&t);
    plotdata_csv_free(&m);
    return 0;
}

static char *compare_loss_body(const struct runs *rs, double height)
{
    struct text t;
    FILE *fp = text_open(&t);
    put_style(fp);
    int ae = rs->info[0].autoencoder;
    fprintf(fp,
            "set title '%s: task loss per batch, and its moving average'\n"
            "set xlabel 'training step (batch)'\n"
            "set ylabel '%s (log scale)'\n"
            "set logscale y\n"
            "set autoscale xfix\n",
            ae ? "Autoencoder" : "Classifier", ae ? "reconstruction MSE" : "BCE");
    put_key_below(fp, height, rs->n, 1);
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
        gp_put_string(fp, rs->label[i]);
        fputs(" noenhanced", fp);
    }
    fputs("\n", fp);
    return text_close(&t);
}

int plot_compare_loss(const char *const *run_dirs, int n, const char *out_dir, enum gp_format fmt,
                      char *err)
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
        double height = 2.1 + key_below_height(n);
        char *body = compare_loss_body(&rs, height);
        struct gp_figure f = {"compare-loss", 3.5, height, blocks, n, body};
        rc = gp_render(&f, out_dir, fmt, err);
        free(body);
    }
    for (int i = 0; i < n; i++)
        free(data[i]);
    runs_free(&rs);
    return rc;
}

// ---- Table 1 ----

void plot_table1_init(struct plot_table1 *t, int autoencoder)
{
    memset(t, 0, sizeof *t);
    t->name = autoencoder ? "table1-autoencoder" : "table1";
    t->title = autoencoder ? "Autoencoder" : "Binary task (classifier)";
    for (int j = 0; j < PLOT_TABLE1_NK; j++)
        t->k[j] = 9 + j;
    for (int l = 0; l < REG_COUNT; l++)
        for (int j = 0; j < PLOT_TABLE1_NK; j++) {
            t->mean[l][j] = t->std[l][j] = NAN;
            t->paper[l][j] = reg_table[l].paper[autoencoder != 0][j]; /* k = 9 + j */
        }
}

/* One block per loss: "x k mean std paper", x the bar's centre within its k's group. */
static char *table1_block(const struct plot_table1 *t, int l, double bar)
{
    struct text tx;
    FILE *fp = text_open(&tx);
    for (int j = 0; j < PLOT_TABLE1_NK; j++) {
        fprintf(fp, "%.3f %d", j + (l - (REG_COUNT - 1) / 2.0) * bar, t->k[j]);
        int has = t->runs[l] > 0;
        put_number(fp, has ? t->mean[l][j] : NAN);
        put_number(fp, has && t->runs[l] > 1 ? t->std[l][j] : NAN);
        put_number(fp, t->paper[l][j]);
        fputc('\n', fp);
    }
    return text_close(&tx);
}

/* The top of the AMI axis: the highest bar, error bar or paper value, rounded up to 0.1. */
static double table1_ymax(const struct plot_table1 *t)
{
    double top = 0.1;
    for (int l = 0; l < REG_COUNT; l++)
        for (int j = 0; j < PLOT_TABLE1_NK; j++) {
            double bar = t->runs[l] > 0 ? t->mean[l][j] : NAN;
            if (t->runs[l] > 1 && isfinite(t->std[l][j])) bar += t->std[l][j];
            if (isfinite(bar) && bar > top) top = bar;
            if (isfinite(t->paper[l][j]) && t->paper[l][j] > top) top = t->paper[l][j];
        }
    return clamp(ceil(top * 10 - 1e-9) / 10, 0.1, 1.0);
}

static char *table1_body(const struct plot_table1 *t, double bar, double height)
{
    struct text tx;
    FILE *fp = text_open(&tx);
    put_style(fp);
    put_title(fp, t->title, NULL, 0);
    fprintf(fp,
            "set xlabel 'KMeans clusters k'\n"
            "set ylabel 'AMI_{max} (test set)'\n"
            "set xrange [-0.55:%.2f]\n"
            "set yrange [0:%.1f]\n"
            "set ytics 0.1\n"
            "set xtics scale 0 (",
            PLOT_TABLE1_NK - 0.45, table1_ymax(t));
    for (int j = 0; j < PLOT_TABLE1_NK; j++)
        fprintf(fp, "%s'%d' %d", j ? ", " : "", t->k[j], j);
    fprintf(fp,
            ")\n"
            "set boxwidth %.3f absolute\n"
            "set style fill solid 1.0 noborder\n",
            bar * 0.88);
    int entries = 1;
    for (int l = 0; l < REG_COUNT; l++)
        entries += t->runs[l] > 0;
    put_key_below(fp, height, entries, 1);
    fputs("\nplot ", fp);
    for (int l = 0; l < REG_COUNT; l++) {
        if (t->runs[l] <= 0) continue;
        fprintf(fp, "$%s using 1:3 with boxes linecolor rgb '%s' title '%s, %d run%s', \\\n",
                reg_table[l].name, loss_colour(l), reg_table[l].title, t->runs[l],
                t->runs[l] == 1 ? "" : "s");
        /* Error bars as vectors: gnuplot's errorbar styles punch a hole at the mean. */
        fprintf(fp,
                "     $%s using 1:($3 - $4):(0):(2 * $4) with vectors heads "
                "size screen 0.008,90 linewidth 0.8 linecolor rgb '#262626' notitle, \\\n     ",
                reg_table[l].name);
    }
    for (int l = 0; l < REG_COUNT; l++)
        fprintf(fp,
                "%s$%s using 1:5 with points pointtype 13 pointsize 0.8 "
                "linecolor rgb '#000000' %s",
                l ? ", \\\n     " : "", reg_table[l].name,
                l == 0 ? "title 'paper (arXiv Table 1)'" : "notitle");
    fputs("\n", fp);
    return text_close(&tx);
}

int plot_table1(const struct plot_table1 *t, const char *out_dir, enum gp_format fmt, char *err)
{
    const double bar = 0.8 / REG_COUNT;
    struct gp_block blocks[REG_COUNT];
    char *data[REG_COUNT];
    for (int l = 0; l < REG_COUNT; l++) {
        data[l] = table1_block(t, l, bar);
        blocks[l] = (struct gp_block){reg_table[l].name,
                                      "x (bar centre), k, AMI_max mean, spread, paper", data[l]};
    }
    int entries = 1;
    for (int l = 0; l < REG_COUNT; l++)
        entries += t->runs[l] > 0;
    double height = 1.9 + key_below_height(entries);
    char *body = table1_body(t, bar, height);
    struct gp_figure f = {t->name, 3.5, height, blocks, REG_COUNT, body};
    int rc = gp_render(&f, out_dir, fmt, err);
    for (int l = 0; l < REG_COUNT; l++)
        free(data[l]);
    free(body);
    return rc;
}
