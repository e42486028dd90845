/*
 * canvas — an in-memory grid of terminal cells that widgets draw into.
 *
 * A cell stores what it *means* (an enum term_color), not an ncurses
 * attribute, so widgets can be rendered and tested without a terminal; only
 * canvas_blit() maps meanings to attributes (through term_attr) and writes to
 * a WINDOW. Every character is taken to be one column wide: widgets only use
 * ASCII, braille, block and shade characters.
 *
 * What the target terminal can show travels with the canvas (caps), so a
 * widget asks the canvas, never the terminal: the TUI passes term_caps(),
 * a test passes whatever it wants to check (0 = ASCII, monochrome).
 */
#ifndef FTLAB_CANVAS_H
#define FTLAB_CANVAS_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1 /* the wide-character curses API */
#endif
#include <curses.h>
#include <wchar.h>

/* caps: what the terminal behind a canvas can show. */
enum {
    CANVAS_UTF8 = 1 << 0,   /* braille, block and shade characters */
    CANVAS_COLOR = 1 << 1,  /* colour pairs for every enum term_color */
    CANVAS_HALVES = 1 << 2, /* pairs for heat step on heat step: '▀' two-unit lines */
    CANVAS_QUADS = 1 << 3,  /* a preference, not a capability: chart dots as quadrant
                               blocks (2 x 2 a cell) where braille would be used */
};

struct cell {
    wchar_t ch;
    short color;        /* enum term_color: the meaning, mapped at blit time */
    short lower;        /* '▀' cells: 1 + heat step of the lower half (bg), else 0 */
    unsigned char bold; /* emphasis on top of the meaning (a column's maximum) */
};

struct canvas {
    int h, w;
    unsigned caps;      /* CANVAS_* */
    struct cell *cells; /* [h x w] row-major */
};

/* A rectangle of a canvas, in canvas coordinates. */
struct canvas_rect {
    int y, x, h, w;
};

/* Allocates an h x w canvas of blanks (h or w may be 0); canvas_free releases it. */
void canvas_init(struct canvas *c, int h, int w, unsigned caps);
void canvas_free(struct canvas *c);
/* Every cell back to a blank with TC_DEFAULT. */
void canvas_clear(struct canvas *c);

/* The cell at (y, x), or NULL outside the canvas. */
struct cell *canvas_cell(struct canvas *c, int y, int x);
/* Sets one cell (clears bold and lower); outside the canvas does nothing. */
void canvas_put(struct canvas *c, int y, int x, wchar_t ch, short color);
/*
 * Writes UTF-8 text from (y, x), at most maxwidth cells (maxwidth < 0: up to
 * the canvas edge); invalid bytes show as '?'. Returns the columns it took.
 */
int canvas_text(struct canvas *c, int y, int x, const char *s, short color, int maxwidth);
/* "terminal too small: WxH, need MIN_WxMIN_H", centred, in the longest wording that
 * fits the canvas (down to "too small"): what a view draws below its minimum size. */
void canvas_too_small(struct canvas *c, int min_w, int min_h);

/*
 * The same, with (y, x) relative to r and everything outside r (or the
 * canvas) dropped: the only way widgets write, so a widget cannot draw
 * outside the rectangle it was given.
 */
struct cell *canvas_cell_in(struct canvas *c, const struct canvas_rect *r, int y, int x);
void canvas_put_in(struct canvas *c, const struct canvas_rect *r, int y, int x, wchar_t ch,
                   short color);
int canvas_text_in(struct canvas *c, const struct canvas_rect *r, int y, int x, const char *s,
                   short color, int maxwidth);
/* Blanks r (clipped to the canvas) with the given meaning. */
void canvas_fill(struct canvas *c, const struct canvas_rect *r, short color);

/*
 * Copies the canvas to window w with its top-left cell at (y, x), clipped to
 * the window, mapping meanings through term_attr(). Without a UTF-8 locale,
 * non-ASCII cells print as '?'. Does not refresh.
 */
void canvas_blit(const struct canvas *c, WINDOW *w, int y, int x);

#endif
