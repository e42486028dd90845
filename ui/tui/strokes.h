/*
 * strokes — one pen-stroke sequence (dataset.h: dx, dy, eos, eod; row 0 the
 * absolute start on the 28x28 grid, +y down) drawn as the digit it writes,
 * into a rectangle of a canvas: the strokes in braille dots (2 x 4 per cell,
 * roughly square) on UTF-8 canvases, else one '#' per cell; the pen-up jumps
 * between strokes as sparse dim dots, so a gap shows as a gap with its path
 * hinted. The 28x28 grid is scaled to fit, keeping its aspect, and centred.
 */
#ifndef FTLAB_STROKES_H
#define FTLAB_STROKES_H

#include <stdint.h>

#include "canvas.h"

/* Clears (y, x, h, w) and draws rows [len x 4] inside it, never outside; ink and jump are
 * the colours (enum term_color) of strokes and of pen-up jumps. */
void strokes_render(struct canvas *c, int y, int x, int h, int w, const int8_t *rows, int len,
                    short ink, short jump);

#endif
