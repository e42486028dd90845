/*
 * bigtext — numbers in large type for a projector: a 3x5 block font (digits,
 * '.', '-', '%', 'e', '+'), each dot one cell ('█' on UTF-8 canvases, '#'
 * otherwise), glyphs one column apart; 5 rows tall. Other characters are
 * left out.
 */
#ifndef FTLAB_BIGTEXT_H
#define FTLAB_BIGTEXT_H

#include "canvas.h"

#define BIGTEXT_ROWS 5

/* Cells s takes in large type. */
int bigtext_width(const char *s);
/* Draws s with its top-left at (y, x) of r, clipped to r; returns the width it takes. */
int bigtext_render(struct canvas *c, const struct canvas_rect *r, int y, int x, const char *s,
                   short color);

#endif
