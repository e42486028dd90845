/*
 * heatmap — the paper's Figure 2 drawn into a rectangle of a canvas: units
 * (rows) x classes (columns: digits, or the data's groups), each cell the number of test samples
 * whose most active FC1 unit is that unit (actmap_count), with a key that
 * gives the count each colour step stands for.
 *
 * Scale: count 0 has a step of its own (an idle cell must never look like a
 * small count), and the nonzero counts split (0, max] into equal-width steps:
 * a linear scale, as the paper's figure uses, so a collapse onto two units
 * looks as stark as it is. (A sqrt scale would show small counts better, but
 * the separate zero step already keeps every nonzero cell visible.)
 * Steps: 8 with colour (TC_HEAT0..7 backgrounds); without colour, shade
 * characters: " ░▒▓█" (5 steps) on UTF-8, " .:-=+*#%@" (10) in ASCII.
 *
 * Rows that do not fit, in order of resort: two units per line with '▀'
 * (foreground upper unit, background lower unit; needs CANVAS_HALVES); then
 * only the units that win at least one sample ("N idle units hidden"); then
 * the active units with the largest totals ("+M more").
 */
#ifndef FTLAB_HEATMAP_H
#define FTLAB_HEATMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "canvas.h"

struct heatmap_opts {
    const char *title;
    const char *title_short;      /* in its place when the title and the hidden note do not fit */
    const char *const *col_names; /* cols names (group names); NULL: 0, 1, 2, ... */
    bool highlight_max; /* bold the largest count of each column, when counts are printed */
    int widest;         /* cells up to this many columns wide (a projector); 0: as the counts */
    bool mark;          /* draw mark_unit's label highlighted ("what the network sees") */
    int mark_unit;
    uint32_t scale_max; /* the top of the colour scale when larger than the largest count
                           (two maps compared on one scale); 0: the largest count */
};

enum heatmap_mode {
    HEATMAP_NONE,   /* too small: nothing but the title */
    HEATMAP_LINES,  /* one unit per line */
    HEATMAP_HALVES, /* two units per line */
};

/* What heatmap_render drew (for the caller's status line, and for tests). */
struct heatmap_layout {
    enum heatmap_mode mode;
    int shown;       /* units drawn */
    int idle_hidden; /* units with no sample left out */
    int more_hidden; /* active units left out for lack of room */
    int cell_w;      /* columns per digit */
    int label_w;     /* columns of unit labels, left of the first cell (for mapping clicks) */
    bool counts;     /* numbers printed in the cells */
    int levels;      /* steps of the scale, the zero step included */
    uint32_t max;    /* the largest count: the top of the scale */
    bool key;        /* the key was drawn */
};

/*
 * Clears the rectangle (y, x, h, w) of c and draws counts [rows x cols]
 * (row-major, counts[u * cols + d]) inside it, never outside. o may be NULL.
 * units: NULL, or room for `rows` ints that receive the unit shown at each
 * position, top to bottom (two per line in HEATMAP_HALVES: upper, lower).
 */
struct heatmap_layout heatmap_render(struct canvas *c, int y, int x, int h, int w,
                                     const uint32_t *counts, int rows, int cols,
                                     const struct heatmap_opts *o, int *units);

/* The step (0..levels-1) of count on a scale topped by max; 0 only for count 0. */
int heatmap_level(uint32_t count, uint32_t max, int levels);
/* The smallest count that gets step level (the key's numbers). */
uint32_t heatmap_level_floor(int level, uint32_t max, int levels);

/*
 * The cell at (row, col), relative to the rectangle heatmap_render drew in,
 * from what it returned and the units it filled: 1 with *unit and *digit (of
 * two units on a '▀' line, the upper), 0 for a point outside the cells.
 */
int heatmap_hit(const struct heatmap_layout *lay, const int *units, int cols, int row, int col,
                int *unit, int *digit);

#endif
