/*
 * figpanels — Figure 2 heatmaps side by side on one colour scale, in a grid:
 * compare-actmap (runs), evolution (one run's checkpoints) and table1's
 * figure2 (the paper's four panels) all draw through here, so they look
 * alike and a layout fix lands in all three. Private to plots/, like figkit.h.
 *
 * Errors follow util.h (-1 and one line in err).
 */
#ifndef FTLAB_FIGPANELS_H
#define FTLAB_FIGPANELS_H

#include <stddef.h>

#include "figkit.h"
#include "figures.h"

enum { FIG_MAX_PANELS = 8 };

/* One heatmap of the figure. */
struct fig_panel {
    const struct fig_heat *heat;
    const char *title;    /* its first line, plain text: it may hold a folder name */
    const char *subtitle; /* its second line, plain text, or NULL */
    const char *below;    /* a line under "digit" (enhanced: AMI_{max}), or NULL */
    const char *ylabel;   /* "FC1 unit": left of the first panel of each row of panels */
    const char *what;     /* the data block's comment: "Baseline: digit, unit, count" */
};

/* The figure around the panels. */
struct fig_panels {
    const char *name;  /* file stem */
    const char *title; /* over every panel (enhanced), or NULL */
    int cols;          /* panels per row of the grid; the rows are as many as it takes */
    double cbmax;      /* the top of the one colour scale */
};

/*
 * Draws out_dir/NAME.EXT: n (1..FIG_MAX_PANELS) panels, their data blocks
 * counts1, counts2, ... A panel gets unit numbers of its own when its rows
 * differ from its left neighbour's (another order, other units hidden), so a
 * label always names the unit beside it. The panels share o's size: a panel
 * is 1.85 in wide at 8 pt unless a width is asked.
 */
int fig_panels_draw(const struct fig_panels *f, const struct fig_panel *p, int n,
                    const char *out_dir, const struct plot_opts *o, char *err);

/*
 * Applies o's order, hide_dead and normalize to h[0..n). like NULL: each
 * heat by its own rows (order, units that never win). Else every heat takes
 * like's order (like ordered by o->order first) and the units that win in no
 * heat are hidden, so the rows line up across panels; -1 and err when a
 * heat's units are not like's (names[i], like_name say whose).
 */
int fig_heats_arrange(struct fig_heat *h, int n, struct fig_heat *like, const char *const *names,
                      const char *like_name, const struct plot_opts *o, char *err);

/* "3 of 8 FC1 units most active", or "3 of 8 units; 5 idle hidden" when fig_heat_keep hid
 * some. */
void fig_heat_units_text(const struct fig_heat *h, const char *layer, char *out, size_t cap);

#endif
