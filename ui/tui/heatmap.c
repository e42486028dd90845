/* heatmap — Figure 2 (most active unit per digit) into a canvas rectangle. See heatmap.h. */
#include "heatmap.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "util.h"

#define HALF_BLOCK 0x2580 /* '▀': foreground upper half, background lower half */
#define KEY_GAP 2         /* columns between the table and a key on its right */

static const wchar_t shades_utf8[] = L" \u2591\u2592\u2593\u2588"; /* " ░▒▓█" */
static const char shades_ascii[] = " .:-=+*#%@";

/* How cells look on this canvas. */
struct style {
    bool color, halves;
    int levels;
    const wchar_t *wide_shades; /* monochrome UTF-8 */
};

/* Where things go inside the rectangle. */
struct frame {
    struct canvas *c;
    struct canvas_rect r;
    int label_w; /* unit labels, then one blank column */
    int cell_w;  /* columns per digit */
    int key_x;   /* right key column, or -1: key on the bottom row (or none) */
    bool key_bottom;
    int key_row; /* the bottom key's line: one blank line under the table when there is room */
    bool counts;
};

struct style_key_entry {
    int level;
    uint32_t lo, hi;
};

int heatmap_level(uint32_t count, uint32_t max, int levels)
{
    if (count == 0 || max == 0 || levels < 2) return 0;
    if (count >= max) return levels - 1;
    /* step b covers (b*max/(levels-1), (b+1)*max/(levels-1)] */
    return 1 + (int)(((uint64_t)count * (uint64_t)(levels - 1) - 1) / max);
}

uint32_t heatmap_level_floor(int level, uint32_t max, int levels)
{
    if (level <= 0 || max == 0 || levels < 2) return 0;
    uint64_t num = (uint64_t)(level - 1) * max + 1, den = (uint64_t)(levels - 1);
    return (uint32_t)((num + den - 1) / den);
}

static struct style style_of(unsigned caps)
{
    struct style s = {0};
    s.color = caps & CANVAS_COLOR;
    s.halves = s.color && (caps & CANVAS_UTF8) && (caps & CANVAS_HALVES);
    if (s.color)
        s.levels = TC_HEAT_N;
    else if (caps & CANVAS_UTF8) {
        s.wide_shades = shades_utf8;
        s.levels = (int)wcslen(shades_utf8);
    } else
        s.levels = (int)strlen(shades_ascii);
    return s;
}

static wchar_t shade(const struct style *s, int level)
{
    return s->wide_shades ? s->wide_shades[level] : (wchar_t)shades_ascii[level];
}

static uint64_t row_total(const uint32_t *counts, int cols, int u)
{
    uint64_t t = 0;
    for (int d = 0; d < cols; d++)
        t += counts[(size_t)u * cols + d];
    return t;
}

/*
 * Keeps the cap units of units[n] with the largest totals (ties: lower unit),
 * in unit order. Dropped entries are marked ~u first, so ranks read the list intact.
 */
static int keep_largest(const uint32_t *counts, int cols, int *units, int n, int cap)
{
    for (int i = 0; i < n; i++) {
        uint64_t ti = row_total(counts, cols, units[i] < 0 ? ~units[i] : units[i]);
        int rank = 0;
        for (int j = 0; j < n; j++) {
            uint64_t tj = row_total(counts, cols, units[j] < 0 ? ~units[j] : units[j]);
            rank += tj > ti || (tj == ti && j < i);
        }
        if (rank >= cap) units[i] = ~units[i];
    }
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (units[i] >= 0) units[kept++] = units[i];
    return kept;
}

/* Chooses the units and how many per line, for avail lines. */
static enum heatmap_mode plan_rows(const uint32_t *counts, int rows, int cols, int avail,
                                   bool halves, int *units, struct heatmap_layout *out)
{
    out->idle_hidden = out->more_hidden = 0;
    out->shown = 0;
    if (avail <= 0) return HEATMAP_NONE;
    for (int u = 0; u < rows; u++)
        units[u] = u;
    out->shown = rows;
    if (rows <= avail) return HEATMAP_LINES;
    if (halves && (rows + 1) / 2 <= avail) return HEATMAP_HALVES;

    int active = 0;
    for (int u = 0; u < rows; u++)
        if (row_total(counts, cols, u) > 0) units[active++] = u;
    out->idle_hidden = rows - active;
    out->shown = active;
    if (active <= avail) return HEATMAP_LINES;
    if (halves && (active + 1) / 2 <= avail) return HEATMAP_HALVES;
    int cap = halves ? 2 * avail : avail;
    out->shown = keep_largest(counts, cols, units, active, cap);
    out->more_hidden = active - out->shown;
    return halves ? HEATMAP_HALVES : HEATMAP_LINES;
}

static int unit_label(char *buf, size_t size, enum heatmap_mode mode, const int *units, int n,
                      int line)
{
    if (mode == HEATMAP_HALVES && 2 * line + 1 < n)
        return snprintf(buf, size, "u%d/%d", units[2 * line], units[2 * line + 1]);
    return snprintf(buf, size, "u%d", units[mode == HEATMAP_HALVES ? 2 * line : line]);
}

static int lines_used(enum heatmap_mode mode, int n)
{
    return mode == HEATMAP_HALVES ? (n + 1) / 2 : n;
}

// ---- the key ----

/* The steps a count can actually reach (with a small max some steps stay empty). */
static int key_entries(uint32_t max, int levels, struct style_key_entry *e)
{
    int n = 0;
    for (int l = 0; l < levels; l++) {
        uint32_t lo = heatmap_level_floor(l, max, levels);
        if (heatmap_level(lo, max, levels) != l) continue;
        e[n++] = (struct style_key_entry){l, lo, lo};
    }
    for (int i = 0; i < n; i++)
        e[i].hi = i + 1 < n ? e[i + 1].lo - 1 : max;
    return n;
}

static void put_swatch(struct canvas *c, const struct canvas_rect *r, int y, int x, int width,
                       const struct style *s, int level)
{
    for (int i = 0; i < width; i++) {
        if (s->color)
            canvas_put_in(c, r, y, x + i, L' ', (short)(TC_HEAT0 + level));
        else
            canvas_put_in(c, r, y, x + i, shade(s, level), TC_LABEL);
    }
}

static int entry_text(char *buf, size_t size, const struct style_key_entry *e)
{
    if (e->lo == e->hi) return snprintf(buf, size, "%" PRIu32, e->lo);
    return snprintf(buf, size, "%" PRIu32 "-%" PRIu32, e->lo, e->hi);
}

static int key_right_width(const struct style_key_entry *e, int n)
{
    int w = 5; /* "count" */
    char buf[32];
    for (int i = 0; i < n; i++) {
        int len = 3 + entry_text(buf, sizeof buf, &e[i]);
        if (len > w) w = len;
    }
    return w;
}

/* One entry a line: "██ 144-286". */
static void draw_key_right(const struct frame *f, const struct style *s,
                           const struct style_key_entry *e, int n)
{
    char buf[32];
    canvas_text_in(f->c, &f->r, 1, f->key_x, "count", TC_LABEL, -1);
    for (int i = 0; i < n; i++) {
        put_swatch(f->c, &f->r, 2 + i, f->key_x, 2, s, e[i].level);
        entry_text(buf, sizeof buf, &e[i]);
        canvas_text_in(f->c, &f->r, 2 + i, f->key_x + 3, buf, TC_LABEL, -1);
    }
}

/* The columns' names under the right key, "0 stable", one a line, as many as fit. */
static void draw_name_key(const struct frame *f, int first_row, int cols, const char *const *names)
{
    char buf[48];
    for (int d = 0; d < cols && first_row + d < f->r.h; d++) {
        snprintf(buf, sizeof buf, "%d %s", d, names[d]);
        canvas_text_in(f->c, &f->r, first_row + d, f->key_x, buf, TC_LABEL, f->r.w - f->key_x);
    }
}

/* The same under the bottom key: "0 stable  1 fever  2 hypertensive", wrapped, as fits. */
static void draw_name_key_bottom(const struct frame *f, int row, int cols, const char *const *names)
{
    char buf[48];
    int x = 0;
    for (int d = 0; d < cols && row < f->r.h; d++) {
        int len = snprintf(buf, sizeof buf, "%d %s", d, names[d]);
        if (x > 0 && x + len > f->r.w) row++, x = 0;
        if (row >= f->r.h) break;
        canvas_text_in(f->c, &f->r, row, x, buf, TC_LABEL, f->r.w - x);
        x += len + 2;
    }
}

/* One line: "█0 █1 █144 ... █858-1000", or when that is too wide "█0 ███████ 1-1000". */
static void draw_key_bottom(const struct frame *f, const struct style *s,
                            const struct style_key_entry *e, int n)
{
    char buf[32];
    int row = f->key_row, width = 0;
    for (int i = 0; i < n; i++)
        width += (i ? 1 : 0) + 1 + entry_text(buf, sizeof buf, &e[i]);
    int x = 0;
    if (width <= f->r.w) {
        for (int i = 0; i < n; i++) {
            put_swatch(f->c, &f->r, row, x, 1, s, e[i].level);
            entry_text(buf, sizeof buf, &e[i]);
            x += 1 + canvas_text_in(f->c, &f->r, row, x + 1, buf, TC_LABEL, -1) + 1;
        }
        return;
    }
    for (int i = 0; i < n; i++) {
        put_swatch(f->c, &f->r, row, x++, 1, s, e[i].level);
        if (i == 0) x += 1 + canvas_text_in(f->c, &f->r, row, x, "0", TC_LABEL, -1);
    }
    if (n > 1) {
        snprintf(buf, sizeof buf, " %" PRIu32 "-%" PRIu32, e[1].lo, e[n - 1].hi);
        canvas_text_in(f->c, &f->r, row, x, buf, TC_LABEL, -1);
    }
}

// ---- the table ----

/* Names too long for their cells show as indices, named in a key beside the table
 * (draw_name_key): "stabfevehype" read as nothing. */
static bool names_abbreviated(const struct frame *f, int cols, const char *const *names)
{
    bool cut = false, numbers = true; /* the digits' names are their numbers: nothing to key */
    for (int d = 0; names && d < cols; d++) {
        char idx[16];
        snprintf(idx, sizeof idx, "%d", d);
        cut |= (int)strlen(names[d]) > f->cell_w - 1;
        numbers &= strcmp(names[d], idx) == 0;
    }
    return names && cut && !numbers;
}

/* names NULL: the columns' indices. */
static void draw_header(const struct frame *f, int cols, const char *const *names)
{
    char buf[40];
    for (int d = 0; d < cols; d++) {
        int len =
            names ? snprintf(buf, sizeof buf, "%s", names[d]) : snprintf(buf, sizeof buf, "%d", d);
        if (len > f->cell_w) len = f->cell_w; /* a long name shows its beginning */
        int x0 = f->label_w + d * f->cell_w;
        int at = f->counts ? x0 + f->cell_w - len : x0 + (f->cell_w - len) / 2;
        canvas_text_in(f->c, &f->r, 1, at, buf, TC_LABEL, len);
    }
}

static void draw_cell(const struct frame *f, const struct style *s, int row, int x0, uint32_t v,
                      int level, bool bold)
{
    char buf[16];
    short color = (short)(s->color ? TC_HEAT0 + level : TC_LABEL);
    int len = snprintf(buf, sizeof buf, "%" PRIu32, v);
    bool number = f->counts && v > 0;
    bool glyph = !s->color && (!f->counts || (v > 0 && f->cell_w >= len + 2));
    /* Beside a number the shade stands just before it, the cell's gap on its left: at the
     * cell's left edge it read as the end of the number before ("░ 2░ 2" for " ░2 ░2"). */
    int at = number ? f->cell_w - len - 1 : -1;
    for (int i = 0; i < f->cell_w; i++)
        canvas_put_in(f->c, &f->r, row, x0 + i,
                      glyph && (!number || i == at) ? shade(s, level) : L' ', color);
    if (!number) return;
    canvas_text_in(f->c, &f->r, row, x0 + f->cell_w - len, buf, color, len);
    for (int i = 0; bold && i < len; i++) {
        struct cell *cl = canvas_cell_in(f->c, &f->r, row, x0 + f->cell_w - len + i);
        if (cl) cl->bold = 1;
    }
}

/* Two units in one line: '▀' in the upper unit's colour over the lower unit's. */
static void draw_halves_cell(const struct frame *f, int row, int x0, int upper, int lower)
{
    for (int i = 0; i < f->cell_w; i++) {
        if (lower < 0) {
            canvas_put_in(f->c, &f->r, row, x0 + i, L' ', (short)(TC_HEAT0 + upper));
            continue;
        }
        canvas_put_in(f->c, &f->r, row, x0 + i, HALF_BLOCK, (short)(TC_HEAT0 + upper));
        struct cell *cl = canvas_cell_in(f->c, &f->r, row, x0 + i);
        if (cl) cl->lower = (short)(1 + lower);
    }
}

static void draw_rows(const struct frame *f, const struct style *s, const uint32_t *counts,
                      int cols, const struct heatmap_layout *lay, const int *units,
                      const uint32_t *colmax, bool highlight, int mark)
{
    char buf[32];
    for (int line = 0; line < lines_used(lay->mode, lay->shown); line++) {
        int len = unit_label(buf, sizeof buf, lay->mode, units, lay->shown, line);
        int two = lay->mode == HEATMAP_HALVES;
        int marked =
            mark >= 0 && (units[two ? 2 * line : line] == mark ||
                          (two && 2 * line + 1 < lay->shown && units[2 * line + 1] == mark));
        canvas_text_in(f->c, &f->r, 2 + line, f->label_w - 1 - len, buf,
                       marked ? TC_STATUS_KEY : TC_LABEL, len);
        for (int d = 0; d < cols; d++) {
            int x0 = f->label_w + d * f->cell_w;
            if (lay->mode == HEATMAP_HALVES) {
                int a = units[2 * line], b = 2 * line + 1 < lay->shown ? units[2 * line + 1] : -1;
                int la = heatmap_level(counts[(size_t)a * cols + d], lay->max, s->levels);
                int lb =
                    b < 0 ? -1 : heatmap_level(counts[(size_t)b * cols + d], lay->max, s->levels);
                draw_halves_cell(f, 2 + line, x0, la, lb);
                continue;
            }
            uint32_t v = counts[(size_t)units[line] * cols + d];
            draw_cell(f, s, 2 + line, x0, v, heatmap_level(v, lay->max, s->levels),
                      highlight && v > 0 && v == colmax[d]);
        }
    }
}

/* The title, and on the right how many units are hidden: the long note, else the short one,
 * else the short title (when given) with the short note, before anything is cut. */
static void draw_title(const struct frame *f, const char *title, const char *title_short,
                       const struct heatmap_layout *lay)
{
    char note[64] = "";
    if (lay->idle_hidden > 0 && lay->more_hidden > 0)
        snprintf(note, sizeof note, "%d idle, %d more hidden", lay->idle_hidden, lay->more_hidden);
    else if (lay->idle_hidden > 0)
        snprintf(note, sizeof note, "%d idle units hidden", lay->idle_hidden);
    else if (lay->more_hidden > 0)
        snprintf(note, sizeof note, "%d units hidden", lay->more_hidden);
    int nl = (int)strlen(note);
    int tl = title ? (int)strlen(title) : 0;
    if (nl > 0 && tl + 1 + nl > f->r.w) /* keep the title readable: the short form */
        nl = snprintf(note, sizeof note, "%d hidden", lay->idle_hidden + lay->more_hidden);
    if (title_short && tl + (nl ? 1 + nl : 0) > f->r.w) title = title_short;
    if (nl > f->r.w) nl = f->r.w;
    int room = nl ? f->r.w - nl - 1 : f->r.w;
    canvas_text_in(f->c, &f->r, 0, 0, title ? title : "", TC_TITLE, room > 0 ? room : 0);
    canvas_text_in(f->c, &f->r, 0, f->r.w - nl, note, TC_WARN, nl);
}

// ---- layout ----

static int label_width(enum heatmap_mode mode, const int *units, int n)
{
    char buf[32];
    int w = 0;
    for (int line = 0; line < lines_used(mode, n); line++) {
        int len = unit_label(buf, sizeof buf, mode, units, n, line);
        if (len > w) w = len;
    }
    return w + 1;
}

/*
 * Tries the key on the right first (when the cells keep at least 3 columns
 * and lose no printed counts), then on the bottom line, then none.
 */
static void lay_out(struct frame *f, struct heatmap_layout *lay, const struct style *s,
                    const uint32_t *counts, int rows, int cols, int *units,
                    const struct style_key_entry *e, int ne, int widest)
{
    char buf[16];
    int want = snprintf(buf, sizeof buf, "%" PRIu32, lay->max) + 1;
    if (want < 3) want = 3;
    int cap = widest > want ? widest : want; /* cells wider than their counts, when asked */
    int kw = key_right_width(e, ne) + KEY_GAP;
    for (int place = 0; place < 3; place++) { /* 0 right, 1 bottom, 2 none */
        int avail = f->r.h - 2 - (place == 1);
        if (place == 1 && f->r.h < 5) continue;
        lay->mode = plan_rows(counts, rows, cols, avail, s->halves, units, lay);
        f->label_w = label_width(lay->mode, units, lay->shown);
        int room = f->r.w - f->label_w - (place == 0 ? kw : 0);
        f->cell_w = cols > 0 ? room / cols : 0;
        if (f->cell_w > cap) f->cell_w = cap;
        if (place == 0) {
            int full = cols > 0 ? (f->r.w - f->label_w) / cols : 0;
            bool keeps_counts = f->cell_w >= want || full < want;
            if (f->cell_w < 3 || !keeps_counts || f->r.h < 2 + ne) continue;
            f->key_x = f->label_w + cols * f->cell_w + KEY_GAP;
        }
        f->key_bottom = place == 1;
        lay->key = place != 2;
        break;
    }
    if (f->cell_w < 1) {
        lay->mode = HEATMAP_NONE;
        lay->shown = lay->idle_hidden = lay->more_hidden = 0;
    }
    f->counts = lay->mode == HEATMAP_LINES && f->cell_w >= want;
    lay->cell_w = f->cell_w;
    lay->label_w = f->label_w;
    lay->counts = f->counts;
}

struct heatmap_layout heatmap_render(struct canvas *c, int y, int x, int h, int w,
                                     const uint32_t *counts, int rows, int cols,
                                     const struct heatmap_opts *o, int *units)
{
    struct heatmap_layout lay = {0};
    struct frame f = {.c = c, .r = {y, x, h > 0 ? h : 0, w > 0 ? w : 0}, .key_x = -1};
    struct style s = style_of(c->caps);
    static const struct heatmap_opts defaults = {0};
    struct style_key_entry e[16];
    if (!o) o = &defaults;
    if (rows < 0) rows = 0;
    if (cols < 0) cols = 0;
    canvas_fill(c, &f.r, TC_DEFAULT);
    if (f.r.h == 0 || f.r.w == 0) return lay;
    /* More classes than columns of one cell each (40 groups in 80 columns): the first ones
     * that fit, and the title says how many are left out. */
    uint32_t *folded = NULL;
    int fit = f.r.w - 6;
    char title[160];
    if (cols > fit && fit > 0) {
        folded = xmallocarray((size_t)rows * (size_t)fit + 1, sizeof *folded);
        for (int u = 0; u < rows; u++)
            memcpy(folded + (size_t)u * fit, counts + (size_t)u * cols,
                   (size_t)fit * sizeof *folded);
        snprintf(title, sizeof title, "%s (+%d columns)", o->title ? o->title : "", cols - fit);
        struct heatmap_opts *copy = xmalloc(sizeof *copy);
        *copy = *o;
        copy->title = title;
        copy->title_short = NULL; /* it would lose the columns left out */
        struct heatmap_layout l = heatmap_render(c, y, x, h, w, folded, rows, fit, copy, units);
        free(copy);
        free(folded);
        return l;
    }

    int *shown = units ? units : xmallocarray((size_t)rows + 1, sizeof *shown);
    uint32_t *colmax = xcalloc((size_t)cols + 1, sizeof *colmax);
    for (int u = 0; u < rows; u++)
        for (int d = 0; d < cols; d++) {
            uint32_t v = counts[(size_t)u * cols + d];
            if (v > colmax[d]) colmax[d] = v;
            if (v > lay.max) lay.max = v;
        }
    if (o->scale_max > lay.max) lay.max = o->scale_max; /* one scale for two maps */
    lay.levels = s.levels;
    int ne = key_entries(lay.max, s.levels, e);
    lay_out(&f, &lay, &s, counts, rows, cols, shown, e, ne, o->widest);
    draw_title(&f, o->title, o->title_short, &lay);
    if (lay.mode != HEATMAP_NONE) {
        bool keyed = names_abbreviated(&f, cols, o->col_names); /* indices, names in a key */
        draw_header(&f, cols, keyed ? NULL : o->col_names);
        draw_rows(&f, &s, counts, cols, &lay, shown, colmax, o->highlight_max,
                  o->mark ? o->mark_unit : -1);
        if (f.key_x >= 0 && lay.key) {
            draw_key_right(&f, &s, e, ne);
            if (keyed) draw_name_key(&f, 2 + ne + 1, cols, o->col_names);
        }
        if (f.key_bottom && lay.key) {
            int below = 2 + lines_used(lay.mode, lay.shown) + 1;
            f.key_row = below < f.r.h ? below : f.r.h - 1;
            draw_key_bottom(&f, &s, e, ne);
            if (keyed) draw_name_key_bottom(&f, f.key_row + 1, cols, o->col_names);
        }
    } else {
        lay.key = false;
        lay.shown = 0;
    }
    if (!units) free(shown);
    free(colmax);
    return lay;
}

int heatmap_hit(const struct heatmap_layout *lay, const int *units, int cols, int row, int col,
                int *unit, int *digit)
{
    int line = row - 2, x = col - lay->label_w; /* the title and the digit header come first */
    if (lay->mode == HEATMAP_NONE || lay->cell_w <= 0 || line < 0 ||
        line >= lines_used(lay->mode, lay->shown) || x < 0 || x >= cols * lay->cell_w)
        return 0;
    *unit = units[lay->mode == HEATMAP_HALVES ? 2 * line : line];
    *digit = x / lay->cell_w;
    return 1;
}
