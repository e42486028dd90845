/*
 * chart — a line chart drawn into a rectangle of a canvas: the loss panel
 * (task loss and every regulariser term over training steps) and the score
 * history.
 *
 *   loss                ━ bce  ━ decov  ━ proposed    <- title and key (own line if narrow)
 *   100┤⠉⠉⠙⠓⠒⠦⢤⣀ ┊λ=0.5                              <- marker: dotted line, label on top
 *      │        ⠈⠉┊⠓⠒⠦⠤⣀⣀
 *     1┤⣀⣀⣀⣀⣀⣀⣀⣀⣀⣀⣇⣀⣀⣀⣀⣀⣉⣉⣉⣀⣀      <- log y: powers of ten; linear: top, middle, bottom
 *      0    5k       10k                      <- x: round steps, "12k" style
 *
 * Dots are braille (2 x 4 per cell) on UTF-8 canvases with colour (or with a
 * single series), or quadrant blocks (2 x 2, "▖▝▞▙") there when the canvas has
 * CANVAS_QUADS (symbols block: coarser, but drawn by every font); otherwise
 * each series gets an ASCII mark ("*o+x.#" by its TC_SERIESk), because
 * without colour the mark is what tells series apart.
 * Consecutive samples are joined by Bresenham segments in dot space; samples
 * sharing a dot column are reduced to their min-max span, so a spike in one
 * step stays visible however many steps a column holds. A cell holding dots
 * of several series takes the colour of the series drawn last (the later in
 * the array). NaN, infinite and (on a log scale) non-positive values are
 * skipped and break the line.
 */
#ifndef FTLAB_CHART_H
#define FTLAB_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "canvas.h"
#include "term.h"

struct chart_series {
    const char *name; /* for the key; NULL leaves it out of the key */
    const double *x;  /* [n] ascending (steps); NULL means 0, 1, ..., n-1 */
    const double *y;  /* [n] */
    size_t n;
    enum term_color color; /* TC_SERIES0..5 (also picks the ASCII mark) */
};

/* An event on the x axis: the user switched the loss or changed λ, m or lr. */
struct chart_marker {
    double x;
    const char *label; /* drawn at the top, right of the line; may be NULL */
};

struct chart_opts {
    const char *title;
    bool log_y;   /* log10 y axis, labelled at powers of ten */
    bool fixed_x; /* show [x_min, x_max] (e.g. the last N steps), not the data's range */
    double x_min, x_max;
    int key_first; /* the key lists series from this one on, then the ones before, while
                      they fit (e.g. the live curves before the ghosts drawn beneath them) */
    bool sparse;   /* fewer tick labels, in bold: a chart read from the back of a room */
    bool x_real;   /* x is not a count of steps (epochs): ticks may fall between whole
                      numbers and are labelled as values ("0.5"), not as steps ("12k") */
};

/* What chart_render drew, for callers mapping back to data (and for tests). */
struct chart_layout {
    struct canvas_rect plot; /* the plotting area in canvas coordinates (h or w 0: none) */
    double x_min, x_max;     /* x range across the plot */
    double y_min, y_max;     /* y range, in data units (powers of ten on a log axis) */
    bool braille;            /* braille dots */
    bool quads;              /* quadrant blocks; neither: one ASCII mark per cell */
    size_t points;           /* samples plotted (inside the x range, drawable) */
};

/*
 * Clears the rectangle (y, x, h, w) of c and draws the chart inside it, never
 * outside; any size works, down to drawing nothing. s [ns] and m [nm] are
 * only read. o may be NULL (defaults: no title, linear, data x range).
 */
struct chart_layout chart_render(struct canvas *c, int y, int x, int h, int w,
                                 const struct chart_series *s, int ns, const struct chart_marker *m,
                                 int nm, const struct chart_opts *o);

/*
 * Exponential moving average: out[i] = alpha*y[i] + (1-alpha)*out[i-1],
 * starting at the first finite y. alpha in (0, 1] is the weight of the new
 * sample (1: no smoothing). A non-finite y gives a NaN out[i] and leaves the
 * average untouched. out may be y.
 */
void chart_ema(const double *y, size_t n, double alpha, double *out);

/* Axis numbers into buf (at least 16 bytes): 3 significant digits, "1.2e-3" when small. */
void chart_format_value(double v, char *buf, size_t size);
/* Step numbers: "950", "2k", "12k", "12.5k", "1.2M" (one decimal at most). */
void chart_format_step(double v, char *buf, size_t size);

#endif
