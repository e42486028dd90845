/* fig_panels — Figure 2 heatmaps side by side on one colour scale. See figpanels.h. */
#include "figpanels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gnuplot.h"
#include "util.h"

// ---- arranging the heats: order, idle units, fractions ----

/* Hides the rows no heat of h[0..n) counts; all of them are kept when none counts anything. */
static void keep_active(struct fig_heat *h, int n)
{
    unsigned char *keep = xcalloc((size_t)h[0].rows, 1);
    int any = 0;
    for (int i = 0; i < n; i++)
        for (int r = 0; r < h[0].rows; r++)
            if (fig_heat_row_active(&h[i], r)) keep[r] = 1, any = 1;
    if (any)
        for (int i = 0; i < n; i++)
            fig_heat_keep(&h[i], keep);
    free(keep);
}

int fig_heats_arrange(struct fig_heat *h, int n, struct fig_heat *like, const char *const *names,
                      const char *like_name, const struct plot_opts *o, char *err)
{
    if (like) {
        fig_heat_order(like, o->order);
        for (int i = 0; i < n; i++)
            if (fig_heat_order_like(&h[i], like) != 0)
                return ftl_error(err, "%s: %d units, but %s has %d: one order cannot fit both",
                                 names[i], h[i].rows, like_name, like->rows);
        if (o->hide_dead) keep_active(h, n);
    } else {
        for (int i = 0; i < n; i++) {
            fig_heat_order(&h[i], o->order);
            if (o->hide_dead) keep_active(&h[i], 1);
        }
    }
    for (int i = 0; i < n && o->normalize; i++)
        fig_heat_normalize(&h[i]);
    return 0;
}

/* Short enough for a panel 1.85 in wide at 8 pt: the y label already names the layer. */
void fig_heat_units_text(const struct fig_heat *h, const char *layer, char *out, size_t cap)
{
    if (h->drawn < h->rows)
        snprintf(out, cap, "%d of %d units; %d idle hidden", fig_heat_active_rows(h), h->rows,
                 h->rows - h->drawn);
    else
        snprintf(out, cap, "%d of %d %s units most active", fig_heat_active_rows(h), h->rows,
                 layer);
}

// ---- the layout ----

/* In inches at the house text size (times fig_em): the axes' margins and the colour box's
 * room; a panel is PANEL_WIDTH wide unless a width is asked or its words need more. */
#define PANEL_WIDTH 1.85
#define PANEL_GAP 0.12
#define PANEL_LABELS 0.2 /* a panel's own unit numbers, left of it */
#define PANEL_LEFT 0.5
#define PANEL_TOP 0.42
#define PANEL_BOTTOM 0.42
#define PANEL_BELOW 0.15 /* the line under "digit" */
#define PANEL_RIGHT 0.75
#define PANEL_TITLE 0.22  /* the figure's title over the panels */
#define PANEL_LINE 0.14   /* each further line of a title, or under "digit" */
#define PANEL_DIGIT 0.075 /* the least width of a column (its digit, with room either side) */

/* Where the panels go on a page width x height inches, at text size em. */
struct layout {
    int n, cols, rows;
    double width, height, em;
    double panel;       /* one panel's width */
    double gap;         /* between two panels */
    double top, bottom; /* a panel's margins inside its cell of the grid */
    double title;       /* the room over the grid */
    double words;       /* the width a panel's title lines and the line under it wrap to */
    int labels[FIG_MAX_PANELS];
};

/* Do two heats draw the same units in the same places? */
static int same_rows(const struct fig_heat *a, const struct fig_heat *b)
{
    return a->drawn == b->drawn &&
           memcmp(a->order, b->order, (size_t)a->drawn * sizeof *a->order) == 0;
}

/* Lines beyond the first `base`, at least none. */
static int extra(int lines, int base)
{
    return lines > base ? lines - base : 0;
}

/*
 * The grid: f->cols panels a row, or fewer when a width is asked that
 * leaves a panel too narrow for its columns of digits (a column of a paper
 * at 10 pt has room for one), unless a height asked for (--height,
 * --aspect) has no room for the rows that makes. Without a width, a panel
 * is wide enough for its words, up to PANEL_WIDTH at the text size. What
 * does not fit the panel (or the page, for the figure's title) is wrapped
 * onto more lines, and the figure is as much taller.
 */
static struct layout layout(const struct fig_panels *f, const struct fig_panel *p, int n,
                            const struct plot_opts *o)
{
    struct layout l = {.n = n, .em = fig_em(o)};
    int most = 1, below = 0;
    double need = 0, words = 0, fixed_h, dummy;
    for (int i = 0; i < n; i++) {
        most = p[i].heat->drawn > most ? p[i].heat->drawn : most;
        below |= p[i].below != NULL;
        const char *text[3] = {p[i].title, p[i].subtitle, p[i].below};
        for (int t = 0; t < 3; t++) {
            double wt = text[t] ? fig_text_width(o, GP_FONT_PT, text[t]) : 0;
            words = wt > words ? wt : words;
        }
        int cols = p[i].heat->cols > 0 ? p[i].heat->cols : FIG_DIGITS;
        need = cols * PANEL_DIGIT * l.em > need ? cols * PANEL_DIGIT * l.em : need;
    }
    /* A run's folder name can be long: it wraps, at spaces, rather than widen the figure. */
    words = fig_clamp(words, PANEL_WIDTH, PANEL_WIDTH * l.em);
    /* The least height of a row of the grid, where the height is fixed. */
    double cell = (PANEL_TOP + PANEL_BOTTOM + PANEL_BELOW + 0.5) * l.em;
    double room;
    for (l.cols = f->cols;; l.cols--) {
        int own = 0;
        for (int i = 0; i < n; i++) {
            l.labels[i] = i % l.cols == 0 || !same_rows(p[i].heat, p[i - 1].heat);
            own |= l.labels[i] && i % l.cols != 0;
        }
        l.gap = PANEL_GAP + (own ? PANEL_LABELS * l.em : 0);
        room = (PANEL_LEFT + PANEL_RIGHT) * l.em + (l.cols - 1) * l.gap + PANEL_GAP;
        fig_size(o, room + l.cols * words, 0, &l.width, &fixed_h);
        l.panel = fig_clamp((l.width - room) / l.cols, 0.2, 40);
        if (l.panel >= need || l.cols == 1) break;
        int fewer = l.cols - 1, rows = (n + fewer - 1) / fewer;
        if (fixed_h > 0 && rows * cell > fixed_h) break;
    }
    l.rows = (n + l.cols - 1) / l.cols;
    /* No wider than the panel: so neighbours' titles keep a gap apart. */
    l.words = l.panel;
    int over = 0, under = 0;
    for (int i = 0; i < n; i++) {
        int t = fig_lines(o, p[i].title, l.words) + fig_lines(o, p[i].subtitle, l.words);
        int b = fig_lines(o, p[i].below, l.words);
        over = t > over ? t : over;
        under = b > under ? b : under;
    }
    double more = (extra(over, 2) + extra(under, 1)) * PANEL_LINE;
    l.top = (PANEL_TOP + extra(over, 2) * PANEL_LINE) * l.em;
    l.bottom = (PANEL_BOTTOM + (below ? PANEL_BELOW : 0) + extra(under, 1) * PANEL_LINE) * l.em;
    int title_lines = fig_lines(o, f->title, l.width - 0.1);
    l.title = f->title ? (PANEL_TITLE + (title_lines - 1) * PANEL_LINE) * l.em : 0;
    double h0 =
        l.rows * fig_heat_height(most, 1.0 + (below ? PANEL_BELOW : 0) + more, l.em) + l.title;
    fig_size(o, l.width, h0, &dummy, &l.height);
    double area = (l.height - l.title) / l.rows - l.top - l.bottom;
    if (l.panel < need)
        fig_cramped(o,
                    "%.2f in wide, its panels are %.2f in, under the %.2f in their digits need "
                    "at %g pt: they run together (a wider --width, a smaller --font-size%s)",
                    l.width, l.panel, need, GP_FONT_PT * l.em,
                    fixed_h > 0 ? ", or a taller --height for more rows" : "");
    else if (area < 0.6 * fig_heat_rows(most, l.em))
        fig_cramped(o,
                    "%.2f in tall, its %d row%s of panels leave %.2f in each for %d units: their "
                    "numbers run together (a taller --height, fewer panels, or --hide-dead)",
                    l.height, l.rows, l.rows > 1 ? "s" : "", area > 0 ? area : 0, most);
    return l;
}

/* The height of one row of the grid, in inches. */
static double cell_height(const struct layout *l)
{
    return (l->height - l->title) / l->rows;
}

/* Panel i's place in screen coordinates. */
static void put_margins(FILE *fp, const struct layout *l, int i)
{
    double x0 = PANEL_LEFT * l->em + (i % l->cols) * (l->panel + l->gap);
    double top = l->height - l->title - (i / l->cols) * cell_height(l);
    fprintf(fp,
            "set lmargin at screen %.4f\nset rmargin at screen %.4f\n"
            "set tmargin at screen %.4f\nset bmargin at screen %.4f\n",
            x0 / l->width, (x0 + l->panel) / l->width, (top - l->top) / l->height,
            (top - cell_height(l) + l->bottom) / l->height);
}

/*
 * The one colour box, right of the last column, from the top panels to the
 * bottom ones; its counts every so many that their labels keep a line
 * apart (gnuplot's own choice crowds a short box: 0, 10, ..., 90 in 1.2 in).
 */
static void put_colorbox(FILE *fp, const struct layout *l, const struct fig_heat *h, double cbmax)
{
    double x =
        PANEL_LEFT * l->em + (l->cols - 1) * (l->panel + l->gap) + l->panel + PANEL_GAP - 0.02;
    double y0 = l->height - l->title - l->rows * cell_height(l) + l->bottom;
    double y1 = l->height - l->title - l->top;
    fprintf(fp, "set colorbox user origin screen %.4f, screen %.4f size screen %.4f, screen %.4f\n",
            x / l->width, y0 / l->height, 0.1 / l->width, (y1 - y0) / l->height);
    int labels = (int)((y1 - y0) / (0.2 * l->em));
    labels = labels < 20 ? labels : 20; /* a tall box (a grid of one column) is not a ruler */
    if (!h->fractions && cbmax > 1)
        fprintf(fp, "set cbtics 0,%g scale 0.5 out nomirror\n",
                fig_nice_step(cbmax, labels > 1 ? labels : 1));
}

/* The cells' text size (house points): the house 5.5, smaller where a cell is too narrow for
 * its numbers or a row too short for a line (fig_cell_font). */
static double cell_font(const struct plot_opts *o, const struct layout *l, const struct fig_heat *h)
{
    double row = (cell_height(l) - l->top - l->bottom) / (h->drawn > 0 ? h->drawn : 1);
    return fig_cell_font(o, 5.5, l->panel, h->cols, fig_heat_label_chars(h), row);
}

/* A panel's title lines over it, wrapped to the layout's width. */
static void put_title(FILE *fp, const struct plot_opts *o, const struct layout *l,
                      const struct fig_panel *p)
{
    fputs("set title ", fp);
    fig_put_title_lines(fp, o, p->title ? p->title : "", p->subtitle, 0, l->words);
    fputs(" noenhanced\n", fp);
}

/* The x label: "digit", and under it the panel's line (wrapped) when it has one. */
static void put_below(FILE *fp, const struct plot_opts *o, const struct layout *l,
                      const struct fig_panel *p)
{
    if (!p->below) return;
    fprintf(fp, "set xlabel '%s'.\"\\n\".", p->heat->col_what);
    fig_put_wrapped_label(fp, o, p->below, 1, l->words);
    fputs(" enhanced\n", fp);
}

static char *panels_body(const struct fig_panels *f, const struct fig_panel *p,
                         const struct layout *l, const struct plot_opts *o)
{
    struct fig_text t;
    FILE *fp = fig_text_open(&t);
    fig_put_style(fp);
    fig_put_palette(fp);
    fprintf(fp, "cbmax = %g  # one colour scale for every panel\n", f->cbmax > 0 ? f->cbmax : 1);
    /* And one size of numbers on the cells: the smallest any panel's need (none if one has
     * no room), so that one panel does not show its counts while its neighbour hides them. */
    double font = 0;
    for (int i = 0; i < l->n; i++) {
        double fi = cell_font(o, l, p[i].heat);
        font = i == 0 || fi < font ? fi : font;
    }
    if (f->title) {
        fputs("set multiplot title ", fp);
        fig_put_wrapped_label(fp, o, f->title, 1, l->width - 0.1);
        fputs(" enhanced\n", fp);
    } else {
        fputs("set multiplot\n", fp);
    }
    for (int i = 0; i < l->n; i++) {
        fprintf(fp, "\n# ---- panel %d ----\n", i + 1);
        put_title(fp, o, l, &p[i]);
        fig_heat_axes(fp, o, p[i].heat, i % l->cols == 0 ? p[i].ylabel : NULL, l->labels[i]);
        put_below(fp, o, l, &p[i]);
        put_margins(fp, l, i);
        if (i < l->n - 1)
            fputs("unset colorbox\n", fp);
        else
            put_colorbox(fp, l, p[i].heat, f->cbmax);
        char block[32];
        snprintf(block, sizeof block, "counts%d", i + 1);
        fig_heat_plot(fp, o, p[i].heat, block, font);
    }
    fputs("unset multiplot\n", fp);
    return fig_text_close(&t);
}

int fig_panels_draw(const struct fig_panels *f, const struct fig_panel *p, int n,
                    const char *out_dir, const struct plot_opts *o, char *err)
{
    if (n < 1 || n > FIG_MAX_PANELS || f->cols < 1)
        return ftl_error(err, "%s: between 1 and %d panels, not %d", f->name, FIG_MAX_PANELS, n);
    struct layout l = layout(f, p, n, o);
    struct gp_block blocks[FIG_MAX_PANELS];
    char names[FIG_MAX_PANELS][32];
    char *data[FIG_MAX_PANELS];
    for (int i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "counts%d", i + 1);
        data[i] = fig_heat_block(p[i].heat);
        blocks[i] = (struct gp_block){names[i], p[i].what, data[i]};
    }
    char *body = panels_body(f, p, &l, o);
    struct gp_figure fig = fig_figure(o, f->name, l.width, l.height, blocks, n, body);
    int rc = gp_render(&fig, out_dir, o->fmt, err);
    for (int i = 0; i < n; i++)
        free(data[i]);
    free(body);
    return rc;
}
