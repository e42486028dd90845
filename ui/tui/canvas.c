/* canvas — a grid of meaning-tagged cells; only canvas_blit touches curses. See canvas.h. */
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include "canvas.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "util.h"

static const struct cell blank = {L' ', TC_DEFAULT, 0, 0};

void canvas_init(struct canvas *c, int h, int w, unsigned caps)
{
    c->h = h > 0 ? h : 0;
    c->w = w > 0 ? w : 0;
    c->caps = caps;
    c->cells = xmallocarray((size_t)c->h * (size_t)c->w + 1, sizeof *c->cells);
    canvas_clear(c);
}

void canvas_free(struct canvas *c)
{
    free(c->cells);
    c->cells = NULL;
    c->h = c->w = 0;
}

void canvas_clear(struct canvas *c)
{
    for (size_t i = 0; i < (size_t)c->h * (size_t)c->w; i++)
        c->cells[i] = blank;
}

struct cell *canvas_cell(struct canvas *c, int y, int x)
{
    if (y < 0 || x < 0 || y >= c->h || x >= c->w) return NULL;
    return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

void canvas_put(struct canvas *c, int y, int x, wchar_t ch, short color)
{
    struct cell *p = canvas_cell(c, y, x);
    if (p) *p = (struct cell){ch, color, 0, 0};
}

/* Decodes one UTF-8 sequence at *s, advancing it; malformed input gives '?'. */
static wchar_t next_char(const char **s)
{
    const unsigned char *p = (const unsigned char *)*s;
    uint32_t cp;
    int extra;
    if (p[0] < 0x80) {
        cp = p[0];
        extra = 0;
    } else if ((p[0] & 0xE0) == 0xC0) {
        cp = p[0] & 0x1F;
        extra = 1;
    } else if ((p[0] & 0xF0) == 0xE0) {
        cp = p[0] & 0x0F;
        extra = 2;
    } else if ((p[0] & 0xF8) == 0xF0) {
        cp = p[0] & 0x07;
        extra = 3;
    } else {
        *s += 1;
        return L'?';
    }
    for (int i = 1; i <= extra; i++) {
        if ((p[i] & 0xC0) != 0x80) { /* also stops at the terminating NUL */
            *s += i;
            return L'?';
        }
        cp = cp << 6 | (p[i] & 0x3F);
    }
    *s += 1 + extra;
    return (wchar_t)cp;
}

int canvas_text(struct canvas *c, int y, int x, const char *s, short color, int maxwidth)
{
    struct canvas_rect whole = {0, 0, c->h, c->w};
    return canvas_text_in(c, &whole, y, x, s, color, maxwidth);
}

struct cell *canvas_cell_in(struct canvas *c, const struct canvas_rect *r, int y, int x)
{
    if (y < 0 || x < 0 || y >= r->h || x >= r->w) return NULL;
    return canvas_cell(c, r->y + y, r->x + x);
}

void canvas_put_in(struct canvas *c, const struct canvas_rect *r, int y, int x, wchar_t ch,
                   short color)
{
    struct cell *p = canvas_cell_in(c, r, y, x);
    if (p) *p = (struct cell){ch, color, 0, 0};
}

int canvas_text_in(struct canvas *c, const struct canvas_rect *r, int y, int x, const char *s,
                   short color, int maxwidth)
{
    int n = 0;
    if (!s) return 0;
    while (*s && (maxwidth < 0 || n < maxwidth) && x + n < r->w) {
        wchar_t ch = next_char(&s);
        canvas_put_in(c, r, y, x + n, ch, color);
        n++;
    }
    return n;
}

void canvas_fill(struct canvas *c, const struct canvas_rect *r, short color)
{
    for (int y = 0; y < r->h; y++)
        for (int x = 0; x < r->w; x++)
            canvas_put_in(c, r, y, x, L' ', color);
}

void canvas_blit(const struct canvas *c, WINDOW *w, int y, int x)
{
    int wh, ww;
    bool utf8 = term_utf8();
    getmaxyx(w, wh, ww);
    for (int i = 0; i < c->h && y + i < wh; i++) {
        for (int j = 0; j < c->w && x + j < ww; j++) {
            if (y + i < 0 || x + j < 0) continue;
            const struct cell *p = &c->cells[(size_t)i * (size_t)c->w + (size_t)j];
            attr_t a = p->lower ? term_attr_halves(p->color - TC_HEAT0, p->lower - 1)
                                : term_attr((enum term_color)p->color);
            if (p->bold) a |= A_BOLD;
            wchar_t s[2] = {p->ch, L'\0'};
            if (!utf8 && (s[0] < 0x20 || s[0] > 0x7E)) s[0] = L'?';
            cchar_t cc;
            setcchar(&cc, s, a & ~A_COLOR, (short)PAIR_NUMBER(a), NULL);
            mvwadd_wch(w, y + i, x + j, &cc); /* the bottom-right cell returns ERR yet draws */
        }
    }
}

void canvas_too_small(struct canvas *c, int min_w, int min_h)
{
    int H = c->h, W = c->w;
    char msg[4][64];
    snprintf(msg[0], sizeof msg[0], "terminal too small: %dx%d, need %dx%d", W, H, min_w, min_h);
    snprintf(msg[1], sizeof msg[1], "too small: %dx%d, need %dx%d", W, H, min_w, min_h);
    snprintf(msg[2], sizeof msg[2], "too small: %dx%d", W, H);
    snprintf(msg[3], sizeof msg[3], "too small");
    int i = 0;
    while (i < 3 && (int)strlen(msg[i]) > W)
        i++;
    int len = (int)strlen(msg[i]);
    /* Too narrow for the size needed beside the size it has: on the line below, when there
     * is one (at 20x5 it said only "too small: 20x5", not what would do). */
    char need[32];
    int nl = snprintf(need, sizeof need, "need %dx%d", min_w, min_h);
    int two = i >= 2 && H >= 2 && nl <= W;
    int y = two ? (H - 1) / 2 : H / 2;
    canvas_text(c, y, len < W ? (W - len) / 2 : 0, msg[i], TC_WARN, W);
    if (two) canvas_text(c, y + 1, nl < W ? (W - nl) / 2 : 0, need, TC_WARN, W);
}
