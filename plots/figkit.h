/*
 * figkit — what the figure families (fig_loss.c, fig_heatmap.c,
 * fig_compare.c, fig_table1.c) share: text buffers for scripts and data
 * blocks, the house style, reading a run's inputs, the key below the axes
 * and the heatmap of counts x digits. Private to plots/: the public
 * contract is figures.h.
 *
 * Errors follow util.h (-1 and one line in err); allocation failures abort.
 */
#ifndef FTLAB_FIGKIT_H
#define FTLAB_FIGKIT_H

#include <stddef.h>
#include <stdio.h>

#include "figures.h"
#include "plotdata.h"

/* The columns of a heatmap: the ten digits, or the groups (up to 40) of other data. */
enum { FIG_DIGITS = 10, FIG_MAX_COLS = 40, FIG_COL_NAME = 32 };

// ---- text buffers ----

/* A growing string written through a FILE (open_memstream). */
struct fig_text {
    char *s;
    size_t len;
    FILE *fp;
};

/* Starts an empty text; returns the stream to write it through (t->fp). */
FILE *fig_text_open(struct fig_text *t);
/* Closes the stream; returns the text written, which the caller frees. */
char *fig_text_close(struct fig_text *t);

/* " %.9g", or " NaN" for what is not finite: one field of a data block. */
void fig_put_number(FILE *fp, double v);

// ---- the house style ----

/* Okabe & Ito (2008): 8 line colours, "#RRGGBB", black first. */
extern const char *const fig_okabe_ito[8];

/* The colour of loss kind (enum reg_kind), the same in every figure: reg_table[kind].colour. */
const char *fig_loss_colour(int kind);

/* The "# ---- style ----" section every script starts with: border, tics, grid, key, fonts. */
void fig_put_style(FILE *fp);
/* "set palette": ColorBrewer YlGnBu, for counts. */
void fig_put_palette(FILE *fp);

// ---- size and text, as plot_opts asks ----

/* The text size over GP_FONT_PT: what every length a line of text takes is multiplied by. */
double fig_em(const struct plot_opts *o);
/* The size asked for (plot_opts' width, height, aspect), else the figure's own w0 x h0. */
void fig_size(const struct plot_opts *o, double w0, double h0, double *w, double *h);
/* A figure of that size in o's font (gp_render's input). */
struct gp_figure fig_figure(const struct plot_opts *o, const char *name, double w, double h,
                            const struct gp_block *blocks, int nblocks, const char *body);
/*
 * A text as a gnuplot string. enhanced = 1 for ftlab's own words, which may
 * use enhanced markup (AMI_{max}, 10^{%L}); 0 for any text holding a file
 * name. For GP_TEX the text goes to LaTeX: markup becomes math, λ → · ≥ and
 * the like become their commands, and LaTeX's special characters are escaped.
 */
void fig_put_label(FILE *fp, const struct plot_opts *o, const char *s, int enhanced);
/*
 * Text `pt` points tall at the house size (times fig_em), where gnuplot's
 * "font ',PT'" cannot say it: LaTeX sets a cairolatex label in the paper's
 * own size, so for GP_TEX this is "\fontsize{PT}{PT*1.2}\selectfont " to put
 * before the text; for other formats "", and "font ',PT'" does the work.
 */
const char *fig_tex_size(const struct plot_opts *o, double pt, char *buf, size_t cap);
/* The same for the text of gnuplot's labels plot style, which reads a backslash escape in its
 * strings: LaTeX's backslashes doubled. */
const char *fig_tex_size_labels(const struct plot_opts *o, double pt, char *buf, size_t cap);
/* fig_put_label of a text set `pt` points tall (fig_tex_size before it, for GP_TEX; pt 0:
 * fig_put_label itself); the caller still says "font ',PT'" for the other formats. */
void fig_put_label_pt(FILE *fp, const struct plot_opts *o, double pt, const char *s, int enhanced);
/*
 * About how wide a line of text `pt` points tall (times fig_em) is, in
 * inches: 0.45 of its size a character (0.48 for GP_TEX, set in LaTeX's
 * fonts), a little over what they measure; enhanced markup's _ ^ { } not
 * counted.
 */
double fig_text_width(const struct plot_opts *o, double pt, const char *s);
/* Appends words to fp, breaking lines at spaces ('\n' for the space) before *col passes cap
 * characters, never inside parentheses; a word longer than a line is cut between characters
 * (not inside enhanced markup); *lines counts the lines. */
void fig_put_wrapped(FILE *fp, const char *words, int cap, int *col, int *lines);
/* words broken into lines (at '\n') of at most `width` inches at `pt` points (times fig_em),
 * the way fig_text_width measures (fig_put_wrapped); how many into *lines. Free it. */
char *fig_wrap(const struct plot_opts *o, double pt, const char *words, double width, int *lines);
/* fig_put_label of each '\n'-separated line of s, joined by gnuplot's ."\n". */
void fig_put_lines(FILE *fp, const struct plot_opts *o, const char *s, int enhanced);
/* fig_put_lines of s wrapped (fig_wrap, at the house size) to `width` inches; 0: one line. */
void fig_put_wrapped_label(FILE *fp, const struct plot_opts *o, const char *s, int enhanced,
                           double width);
/* "set title" with one line, or two when line2 is not NULL (fig_put_label's enhanced); each
 * wrapped to a figure `width` inches wide (0: not wrapped), gnuplot's margins allowed for. */
void fig_put_title(FILE *fp, const struct plot_opts *o, const char *line1, const char *line2,
                   int enhanced, double width);
/* fig_put_title's text alone, for "set multiplot title". */
void fig_put_title_text(FILE *fp, const struct plot_opts *o, const char *line1, const char *line2,
                        int enhanced, double width);
/* The same with each line wrapped to `room` inches itself (a panel's width). */
void fig_put_title_lines(FILE *fp, const struct plot_opts *o, const char *line1, const char *line2,
                         int enhanced, double room);

/*
 * The size (house points, as fig_heat_plot takes it) of the text written on
 * a heatmap's cells: `house`, or smaller where `chars` characters do not
 * fit a cell of a plot `plot_w` inches wide with `cols` columns, or a line
 * into a row `row` inches tall (0: not limited); 0 (none) below 3 points at
 * the text size, where no one could read them (5 for GP_TEX: LaTeX's default
 * fonts set anything smaller at 5 points).
 */
double fig_cell_font(const struct plot_opts *o, double house, double plot_w, int cols, int chars,
                     double row);
struct fig_heat;
/* The characters of the widest number fig_heat_plot writes on h's cells. */
int fig_heat_label_chars(const struct fig_heat *h);

/* A step of 1, 2 or 5 times a power of ten (at least 1) that puts at most `most` steps in
 * [0, top]. */
double fig_nice_step(double top, int most);
/* The lines text takes wrapped to `width` inches at the house size (fig_wrap): 0 for NULL,
 * 1 for a width of 0 (not wrapped). */
int fig_lines(const struct plot_opts *o, const char *text, double width);
/* The lines fig_put_title sets line1 and line2 (NULL: none) in, wrapped to `width`. */
int fig_title_lines(const struct plot_opts *o, const char *line1, const char *line2, double width);

/* x limited to [lo, hi]. */
double fig_clamp(double x, double lo, double hi);

// ---- a run's inputs ----

/*
 * Reads RUN_DIR/file into t (plotdata_csv_free() after, when 0). A missing
 * file returns PLOT_SKIPPED (figures.h) with err naming the command that
 * makes it ("MAKER RUN_DIR"); an unreadable one -1.
 */
int fig_read_input(const char *run_dir, const char *file, const char *maker, struct plotdata_csv *t,
                   char *err);
/* "Classifier, Baseline → Proposed (KL margin)" into out (cap bytes): safe as enhanced text. */
void fig_run_title(const struct plotdata_run *r, char *out, size_t cap);
/* The clustered layer's name: "code" for an autoencoder, else "FC1". */
const char *fig_layer_name(const struct plotdata_run *r);

// ---- the key below the axes ----

/* The room, in inches, a key of `rows` rows takes below the axes, x label included, at text
 * size em (fig_em). */
double fig_key_below_height(int rows, double em);
/*
 * The bottom margin and a key of `rows` rows in `cols` columns under the x
 * label, for a figure `height` inches tall (that includes fig_key_below_height).
 */
void fig_put_key_below(FILE *fp, double height, int rows, int cols, double em);

// ---- heatmaps: units or clusters x digits ----

/* A rows x cols table of counts and the order its rows are drawn in. */
struct fig_heat {
    int rows, cols;
    double *count;     /* rows x cols */
    int *order;        /* drawn row i is table row order[i], for i < drawn */
    int drawn;         /* the rows drawn: rows, or fewer once fig_heat_keep has hidden some */
    int fractions;     /* count holds fractions of each digit (fig_heat_normalize), max 1 */
    double max;        /* the largest count; 0 when all are empty */
    int digits;        /* the columns are the digits 0-9 (their axis drawn as it always was) */
    char col_what[16]; /* "digit", "group" or "label": the x label */
    char col_name[FIG_MAX_COLS][FIG_COL_NAME]; /* each column's tic label */
};

/*
 * Fills h from t, a CSV of a label column and 2 to FIG_MAX_COLS count columns
 * (path names it in err); counts not finite or not above 0 become 0, rows in
 * table order. The columns are named by the header as eval writes it:
 * digit0..digit9 (the digits), g0..gN-1 (groups, named by groups.txt beside
 * path when it is there) or y0, y1 (the binary label). Returns 0 or -1; h is
 * empty after -1, and fig_heat_free() is safe either way.
 */
int fig_heat_from_csv(const struct plotdata_csv *t, const char *path, struct fig_heat *h,
                      char *err);
void fig_heat_free(struct fig_heat *h);
/* The rows with a count above 0. */
int fig_heat_active_rows(const struct fig_heat *h);
/* Does table row r have a count above 0 (is the unit the most active for any sequence)? */
int fig_heat_row_active(const struct fig_heat *h, int r);

// ---- Figure 2 made to read at a glance (plot_opts' order, hide_dead, normalize) ----

/*
 * Sets h->order (all rows drawn). PLOT_ORDER_UNIT: table order.
 * PLOT_ORDER_DIGIT: by the digit each row counts most (of equal counts, the
 * lower digit), then by that count, most first, then by row; rows with no
 * count at all last, in table order. A disentangled layer reads as a block
 * diagonal, and a layer where two units win everything as two stripes.
 */
void fig_heat_order(struct fig_heat *h, enum plot_order order);
/* Takes like's order (same rows; 0), or -1 when the row counts differ. */
int fig_heat_order_like(struct fig_heat *h, const struct fig_heat *like);
/* Draws only the rows r with keep[r] (keep: h->rows flags), in the order they had. */
void fig_heat_keep(struct fig_heat *h, const unsigned char *keep);
/* Each digit's column divided by its sum (the digit's test sequences): fractions, max 1. */
void fig_heat_normalize(struct fig_heat *h);
/*
 * The data block: "digit row count" per cell, row being its drawn position,
 * a blank line ending each row. The caller frees it.
 */
char *fig_heat_block(const struct fig_heat *h);
/*
 * Axes and colour scale of a heatmap panel; the script must define cbmax
 * first. ylabel NULL: none. ytic_labels 0: no y tics (a panel right of another).
 */
void fig_heat_axes(FILE *fp, const struct plot_opts *o, const struct fig_heat *h,
                   const char *ylabel, int ytic_labels);
/* "plot" of data block $block holding h: the cells, and their counts (font points at the house
 * text size, times fig_em; 0: none) when the rows fit them, as fractions (".42") when
 * h->fractions. */
void fig_heat_plot(FILE *fp, const struct plot_opts *o, const struct fig_heat *h, const char *block,
                   double font);
/* A heatmap figure's height in inches: rows tall enough for their counts, plus extra, in
 * [2, 9], at text size em. */
double fig_heat_height(int rows, double extra, double em);
/*
 * For GP_TEX, the left margin of a heatmap figure `width` inches wide: gnuplot
 * sizes it by its guess of the unit numbers' width, which counts the
 * \fontsize command before each (fig_tex_size), and at a column's width that
 * left the cells too narrow for their counts. Nothing for the other formats.
 */
void fig_heat_tex_margin(FILE *fp, const struct plot_opts *o, double width);
/* The height `rows` rows of a heatmap take at text size em, the counts written on them. */
double fig_heat_rows(int rows, double em);
/* Says what does not fit (printf-like, one line) into o->cramped, when it is set and empty. */
void fig_cramped(const struct plot_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
