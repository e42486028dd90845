/* strokes — a pen-stroke sequence drawn as its digit. See strokes.h. */
#include "strokes.h"

#include <math.h>
#include <stdlib.h>

#include "util.h"

#define GRID 29.0 /* positions 0..28 on the 28x28 grid */

enum { NONE, INK, JUMP };

/*
 * A raster of roughly square dots over the rectangle: braille cells hold
 * 2 x 4 dots; a plain cell is about twice as tall as wide, so it holds 1 x 2.
 */
struct raster {
    int dw, dh;
    unsigned char *dot;
    double scale, ox, oy; /* grid units -> dots */
};

static void dot(struct raster *r, int x, int y, unsigned char kind)
{
    if (x < 0 || y < 0 || x >= r->dw || y >= r->dh) return;
    unsigned char *d = &r->dot[(size_t)y * r->dw + x];
    if (*d != INK) *d = kind; /* ink wins over a jump's hint */
}

/* A point; ink is two dots thick once a grid unit spans three dots or more (a large panel). */
static void plot(struct raster *r, double gx, double gy, unsigned char kind)
{
    int x = (int)(r->ox + gx * r->scale), y = (int)(r->oy + gy * r->scale);
    dot(r, x, y, kind);
    if (kind == INK && r->scale >= 3) dot(r, x + 1, y, kind), dot(r, x, y + 1, kind);
}

/* A segment in grid units, sampled finer than a dot; a jump only every third sample. */
static void segment(struct raster *r, double x0, double y0, double x1, double y1,
                    unsigned char kind)
{
    double len = hypot(x1 - x0, y1 - y0);
    int n = 1 + (int)(2 * r->scale * len);
    for (int i = 0; i <= n; i++) {
        if (kind == JUMP && i % 3) continue;
        double t = (double)i / n;
        plot(r, x0 + t * (x1 - x0), y0 + t * (y1 - y0), kind);
    }
}

static void trace_strokes(struct raster *r, const int8_t *rows, int len)
{
    if (len <= 0) return;
    double x = rows[0], y = rows[1];
    plot(r, x, y, INK);
    for (int i = 1; i < len; i++) {
        const int8_t *p = rows + (size_t)i * 4, *prev = p - 4;
        double nx = x + p[0], ny = y + p[1];
        /* The row after an end-of-stroke marker is the pen-up jump to the next stroke. */
        segment(r, x, y, nx, ny, prev[2] ? JUMP : INK);
        x = nx, y = ny;
    }
}

void strokes_render(struct canvas *c, int y, int x, int h, int w, const int8_t *rows, int len,
                    short ink, short jump)
{
    struct canvas_rect rect = {y, x, h, w};
    canvas_fill(c, &rect, 0);
    if (h <= 0 || w <= 0) return;
    int braille = (c->caps & CANVAS_UTF8) != 0;
    int cw = braille ? 2 : 1, ch = braille ? 4 : 2;
    struct raster r = {.dw = w * cw, .dh = h * ch};
    r.scale = (r.dw < r.dh ? r.dw : r.dh) / GRID;
    r.ox = (r.dw - GRID * r.scale) / 2;
    r.oy = (r.dh - GRID * r.scale) / 2;
    r.dot = xcalloc((size_t)r.dw * r.dh + 1, 1);
    trace_strokes(&r, rows, len);
    static const unsigned bits[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    for (int cy = 0; cy < h; cy++)
        for (int cx = 0; cx < w; cx++) {
            unsigned mask = 0;
            int inked = 0;
            for (int dy = 0; dy < ch; dy++)
                for (int dx = 0; dx < cw; dx++) {
                    unsigned char d = r.dot[(size_t)(cy * ch + dy) * r.dw + cx * cw + dx];
                    if (!d) continue;
                    mask |= braille ? bits[dy][dx] : 1;
                    inked |= d == INK;
                }
            if (!mask) continue;
            wchar_t glyph = braille ? (wchar_t)(0x2800 + mask) : inked ? L'#' : L'.';
            canvas_put_in(c, &rect, cy, cx, glyph, inked ? ink : jump);
        }
    free(r.dot);
}
