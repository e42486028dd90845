/* bigtext — numbers in large type. See bigtext.h. */
#include "bigtext.h"

#include <string.h>

/* Each glyph: its width (1 or 3) and 5 rows of bits, the leftmost column the highest bit. */
struct glyph {
    char ch;
    int w;
    unsigned char row[BIGTEXT_ROWS];
};

// clang-format off
static const struct glyph font[] = {
    {'0', 3, {7, 5, 5, 5, 7}}, {'1', 3, {2, 6, 2, 2, 7}}, {'2', 3, {7, 1, 7, 4, 7}},
    {'3', 3, {7, 1, 7, 1, 7}}, {'4', 3, {5, 5, 7, 1, 1}}, {'5', 3, {7, 4, 7, 1, 7}},
    {'6', 3, {7, 4, 7, 5, 7}}, {'7', 3, {7, 1, 1, 1, 1}}, {'8', 3, {7, 5, 7, 5, 7}},
    {'9', 3, {7, 5, 7, 1, 7}}, {'.', 1, {0, 0, 0, 0, 1}}, {'-', 3, {0, 0, 7, 0, 0}},
    {'+', 3, {0, 2, 7, 2, 0}}, {'%', 3, {5, 1, 2, 4, 5}}, {'e', 3, {0, 7, 7, 4, 7}},
};
// clang-format on

static const struct glyph *find(char ch)
{
    for (size_t i = 0; i < sizeof font / sizeof *font; i++)
        if (font[i].ch == ch) return &font[i];
    return NULL;
}

int bigtext_width(const char *s)
{
    int w = 0;
    for (; *s; s++) {
        const struct glyph *g = find(*s);
        if (g) w += (w ? 1 : 0) + g->w;
    }
    return w;
}

int bigtext_render(struct canvas *c, const struct canvas_rect *r, int y, int x, const char *s,
                   short color)
{
    wchar_t dot = (c->caps & CANVAS_UTF8) ? 0x2588 : L'#';
    int at = x;
    for (; *s; s++) {
        const struct glyph *g = find(*s);
        if (!g) continue;
        if (at > x) at++;
        for (int row = 0; row < BIGTEXT_ROWS; row++)
            for (int col = 0; col < g->w; col++)
                if (g->row[row] >> (g->w - 1 - col) & 1)
                    canvas_put_in(c, r, y + row, at + col, dot, color);
        at += g->w;
    }
    return at - x;
}
