/* chart — braille/quadrant/ASCII line chart into a canvas rectangle. See chart.h. */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BRAILLE_BASE 0x2800
#define BRAILLE_LAST 0x28FF
#define MAX_TICKS 32

/* Unicode braille: dot (row, col) of a 4 x 2 cell is this bit of U+2800 + bits. */
static const unsigned char braille_bit[4][2] = {
    {0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
/* Quadrant blocks (symbols block): index = bits, 1 upper left, 2 upper right, 4 lower left, 8
 * lower right; so a cell's dots are the index of its character. */
static const wchar_t quad_chars[16] = {L' ',   0x2598, 0x259D, 0x2580, 0x2596, 0x258C,
                                       0x259E, 0x259B, 0x2597, 0x259A, 0x2590, 0x259C,
                                       0x2584, 0x2599, 0x259F, 0x2588};
static const unsigned char quad_bit[2][2] = {{1, 2}, {4, 8}};
static const char ascii_marks[TC_SERIES_N] = {'*', 'o', '+', 'x', '.', '#'};

/* The plotting area and its mapping from data to dots. */
struct plot {
    struct canvas *c;
    struct canvas_rect r; /* canvas coordinates */
    int cell_w, cell_h;   /* dots per cell: 2 x 4 braille, 2 x 2 quadrants, 1 x 1 ASCII */
    int dots_w, dots_h;
    bool braille, quads;
    bool log_y;
    bool x_real;   /* fractional ticks and value labels (chart_opts.x_real) */
    bool sparse;   /* fewer, bold tick labels (chart_opts.sparse) */
    double x0, x1; /* x range */
    double y0, y1; /* y range; log10 units on a log axis */
};

struct tick {
    int row; /* plot row */
    char text[16];
};

// ---- numbers ----

static void strip_zeros(char *s)
{
    if (!strchr(s, '.')) return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.') s[--n] = '\0';
}

void chart_format_value(double v, char *buf, size_t size)
{
    double a = fabs(v);
    if (isnan(v)) {
        snprintf(buf, size, "nan");
    } else if (isinf(v)) {
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
    } else if (a == 0) {
        snprintf(buf, size, "0");
    } else if (a >= 0.01 && a < 1e4) {
        int decimals = 2 - (int)floor(log10(a)); /* 3 significant digits */
        snprintf(buf, size, "%.*f", decimals < 0 ? 0 : decimals, v);
        strip_zeros(buf);
    } else {
        char mant[32];
        snprintf(mant, sizeof mant, "%.2e", v);
        char *e = strchr(mant, 'e');
        int exponent = atoi(e + 1);
        *e = '\0';
        strip_zeros(mant);
        snprintf(buf, size, "%se%d", mant, exponent);
    }
}

void chart_format_step(double v, char *buf, size_t size)
{
    static const struct {
        double scale;
        const char *suffix;
    } units[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
    if (!isfinite(v)) {
        chart_format_value(v, buf, size);
        return;
    }
    double r = round(v);
    if (fabs(r) < 1e3) {
        snprintf(buf, size, "%.0f", r);
        return;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (fabs(r) < units[i].scale) continue;
        double q = r / units[i].scale;
        snprintf(buf, size, "%.*f", fabs(q) >= 100 ? 0 : 1, q);
        strip_zeros(buf);
        strncat(buf, units[i].suffix, size - strlen(buf) - 1);
        return;
    }
}

void chart_ema(const double *y, size_t n, double alpha, double *out)
{
    double avg = 0;
    bool started = false;
    if (!(alpha > 0 && alpha <= 1)) alpha = 1;
    for (size_t i = 0; i < n; i++) {
        double v = y[i];
        if (!isfinite(v)) {
            out[i] = NAN;
            continue;
        }
        avg = started ? alpha * v + (1 - alpha) * avg : v;
        started = true;
        out[i] = avg;
    }
}

// ---- ranges ----

static double series_x(const struct chart_series *s, size_t i)
{
    return s->x ? s->x[i] : (double)i;
}

static bool drawable_y(double y, bool log_y)
{
    return isfinite(y) && (!log_y || y > 0);
}

/* The data's x range; false when no series has a finite x. */
static bool data_x_range(const struct chart_series *s, int ns, double *lo, double *hi)
{
    bool any = false;
    for (int k = 0; k < ns; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            double x = series_x(&s[k], i);
            if (!isfinite(x)) continue;
            if (!any || x < *lo) *lo = x;
            if (!any || x > *hi) *hi = x;
            any = true;
        }
    if (any && *hi == *lo) *hi = *lo + 1;
    return any;
}

/*
 * The y range of the samples inside [x0, x1], in axis units. A log axis
 * spans whole decades (at least one), so its labels are powers of ten; a
 * constant series sits in the middle of a small range around it.
 */
static bool data_y_range(const struct chart_series *s, int ns, struct plot *p, size_t *points)
{
    double lo = 0, hi = 0;
    *points = 0;
    for (int k = 0; k < ns; k++)
        for (size_t i = 0; i < s[k].n; i++) {
            double x = series_x(&s[k], i), y = s[k].y[i];
            if (!(x >= p->x0 && x <= p->x1) || !drawable_y(y, p->log_y)) continue;
            if (p->log_y) y = log10(y);
            if (*points == 0 || y < lo) lo = y;
            if (*points == 0 || y > hi) hi = y;
            ++*points;
        }
    if (*points == 0) return false;
    if (p->log_y) {
        lo = floor(lo);
        hi = ceil(hi);
        if (hi == lo) hi = lo + 1;
    } else if (hi == lo) {
        double pad = lo != 0 ? fabs(lo) * 0.1 : 1;
        lo -= pad;
        hi += pad;
    }
    p->y0 = lo;
    p->y1 = hi;
    return true;
}

// ---- dots ----

/*
 * Data to dots: the range splits into equal bins, one per dot, the maximum
 * falling into the last; so every dot row stands for the same slice of the
 * axis and decade ticks land evenly.
 */
static int bin(double f, int n)
{
    double b = floor(f * n);
    return b < 0 ? 0 : b >= n ? n - 1 : (int)b;
}

static int dot_col(const struct plot *p, double x)
{
    return bin((x - p->x0) / (p->x1 - p->x0), p->dots_w);
}

/* Dot row of y in axis units, 0 at the top. */
static int dot_row(const struct plot *p, double y)
{
    return bin((p->y1 - y) / (p->y1 - p->y0), p->dots_h);
}

static bool to_dot(const struct plot *p, double x, double y, int *dx, int *dy)
{
    if (!(x >= p->x0 && x <= p->x1) || !drawable_y(y, p->log_y)) return false;
    *dx = dot_col(p, x);
    *dy = dot_row(p, p->log_y ? log10(y) : y);
    return true;
}

/* The dots a cell's quadrant character holds (0 for any other character). */
static int quad_bits(wchar_t ch)
{
    for (int i = 1; i < 16; i++)
        if (quad_chars[i] == ch) return i;
    return 0;
}

static void set_dot(const struct plot *p, int dx, int dy, short color, wchar_t mark)
{
    struct cell *cl = canvas_cell_in(p->c, &p->r, dy / p->cell_h, dx / p->cell_w);
    if (!cl) return;
    if (p->quads) {
        cl->ch = quad_chars[quad_bits(cl->ch) | quad_bit[dy % 2][dx % 2]];
    } else if (p->braille) {
        wchar_t bit = braille_bit[dy % 4][dx % 2];
        bool has_dots = cl->ch >= BRAILLE_BASE && cl->ch <= BRAILLE_LAST;
        cl->ch = (has_dots ? cl->ch : BRAILLE_BASE) | bit;
    } else {
        cl->ch = mark;
    }
    cl->color = color;
}

/* Bresenham between two dots, both ends included. */
static void draw_segment(const struct plot *p, int x0, int y0, int x1, int y1, short color,
                         wchar_t mark)
{
    int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
    int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
    int e = dx + dy;
    for (;;) {
        set_dot(p, x0, y0, color, mark);
        if (x0 == x1 && y0 == y1) break;
        int e2 = 2 * e;
        if (e2 >= dy) {
            e += dy;
            x0 += sx;
        }
        if (e2 <= dx) {
            e += dx;
            y0 += sy;
        }
    }
}

static wchar_t series_mark(const struct chart_series *s, int index)
{
    int k = (int)s->color - TC_SERIES0;
    if (k < 0 || k >= TC_SERIES_N) k = index % TC_SERIES_N;
    return (wchar_t)ascii_marks[k];
}

/*
 * One series: the samples of one dot column collapse to the span between
 * their lowest and highest dot, and each column joins the next from its last
 * sample, so drawing costs O(n + dots) whatever n is.
 */
static void draw_series(const struct plot *p, const struct chart_series *s, int index)
{
    wchar_t mark = series_mark(s, index);
    short color = (short)s->color;
    bool pen = false;
    int col = 0, lo = 0, hi = 0, last = 0;
    for (size_t i = 0; i < s->n; i++) {
        int dx, dy;
        bool ok = to_dot(p, series_x(s, i), s->y[i], &dx, &dy);
        if (ok && pen && dx == col) {
            lo = dy < lo ? dy : lo;
            hi = dy > hi ? dy : hi;
            last = dy;
            continue;
        }
        if (pen) draw_segment(p, col, lo, col, hi, color, mark);
        if (ok && pen) draw_segment(p, col, last, dx, dy, color, mark);
        pen = ok;
        if (ok) {
            col = dx;
            lo = hi = last = dy;
        }
    }
    if (pen) draw_segment(p, col, lo, col, hi, color, mark);
}

// ---- axes, key, markers ----

/* Labels for the y axis: top, middle and bottom values, or powers of ten. */
static int y_ticks(const struct plot *p, int rows, struct tick *t)
{
    int n = 0;
    if (rows <= 0) return 0;
    if (p->log_y) {
        int span = (int)(p->y1 - p->y0);
        int need = rows >= 4 ? (p->sparse ? 4 : 2) : 1; /* rows between labels */
        int step = 1;
        while (step < span && step * rows < need * span)
            step++;
        for (int k = (int)p->y1; k >= (int)p->y0 && n < MAX_TICKS; k -= step) {
            t[n].row = dot_row(p, k) / p->cell_h;
            chart_format_value(pow(10, k), t[n].text, sizeof t[n].text);
            n++;
        }
        return n;
    }
    /* top edge, middle of the middle row, bottom edge */
    int r[3] = {0, (rows - 1) / 2, rows - 1};
    double at[3] = {0, r[1] + 0.5, rows};
    for (int i = 0; i < 3; i++) {
        if ((i == 1 && rows < 5) || (i == 2 && rows < 2)) continue;
        t[n].row = r[i];
        chart_format_value(p->y1 - at[i] / rows * (p->y1 - p->y0), t[n].text, sizeof t[n].text);
        n++;
    }
    return n;
}

/* Tick labels read from the back of a room (sparse): bold. */
static void embolden(struct canvas *c, const struct canvas_rect *r, int y, int x, int len)
{
    for (int i = 0; i < len; i++) {
        struct cell *cl = canvas_cell_in(c, r, y, x + i);
        if (cl) cl->bold = 1;
    }
}

static void draw_y_axis(struct canvas *c, const struct canvas_rect *r, int top, int rows,
                        int axis_col, const struct tick *t, int nt, bool utf8, bool bold)
{
    for (int i = 0; i < rows; i++)
        canvas_put_in(c, r, top + i, axis_col, utf8 ? 0x2502 : '|', TC_AXIS);
    for (int i = 0; i < nt; i++) {
        int len = (int)strlen(t[i].text);
        canvas_text_in(c, r, top + t[i].row, axis_col - len, t[i].text, TC_LABEL, len);
        if (bold) embolden(c, r, top + t[i].row, axis_col - len, len);
        canvas_put_in(c, r, top + t[i].row, axis_col, utf8 ? 0x2524 : '+', TC_AXIS);
    }
}

/* 1, 2 or 5 times a power of ten; at least 1 unless whole is false (steps are whole numbers). */
static double nice_step(double span, int ticks, bool whole)
{
    double raw = span / (ticks > 0 ? ticks : 1);
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
    return step < 1 && whole ? 1 : step;
}

/* Step numbers under the plot at round values, each centred on its column. */
static void draw_x_labels(const struct plot *p, int row)
{
    const struct canvas_rect line = {row, p->r.x, 1, p->r.w};
    double step = nice_step(p->x1 - p->x0, p->r.w / (p->sparse ? 16 : 8), !p->x_real);
    int free_from = 0; /* first column a label may use */
    /* Ticks as multiples of step (not a running sum), so fractions print without drift. */
    for (double k = ceil(p->x0 / step); k * step <= p->x1; k++) {
        double v = k * step;
        char buf[16];
        if (p->x_real)
            chart_format_value(v, buf, sizeof buf);
        else
            chart_format_step(v, buf, sizeof buf);
        int len = (int)strlen(buf);
        int at = dot_col(p, v) / p->cell_w - len / 2;
        if (at > p->r.w - len) at = p->r.w - len;
        if (at < 0) at = 0;
        if (at < free_from) continue;
        canvas_text_in(p->c, &line, 0, at, buf, TC_LABEL, len);
        if (p->sparse) embolden(p->c, &line, 0, at, len);
        free_from = at + len + 2;
    }
}

static int marker_col(const struct plot *p, double x)
{
    return dot_col(p, x) / p->cell_w;
}

static bool marker_visible(const struct plot *p, const struct chart_marker *m)
{
    return m->x >= p->x0 && m->x <= p->x1;
}

static void draw_marker_lines(const struct plot *p, const struct chart_marker *m, int nm, bool utf8)
{
    for (int i = 0; i < nm; i++) {
        if (!marker_visible(p, &m[i])) continue;
        int col = marker_col(p, m[i].x);
        for (int row = 0; row < p->r.h; row++)
            canvas_put_in(p->c, &p->r, row, col, utf8 ? 0x250A : ':', TC_MARKER);
    }
}

/* Labels on the top plot row, after the data so they stay readable; each stops short of the next
 * line. */
static void draw_marker_labels(const struct plot *p, const struct chart_marker *m, int nm)
{
    for (int i = 0; i < nm; i++) {
        if (!marker_visible(p, &m[i]) || !m[i].label) continue;
        int col = marker_col(p, m[i].x), next = p->r.w;
        for (int j = 0; j < nm; j++) {
            if (j == i || !marker_visible(p, &m[j])) continue;
            int cj = marker_col(p, m[j].x);
            if (cj > col && cj < next) next = cj;
        }
        canvas_text_in(p->c, &p->r, 0, col + 1, m[i].label, TC_MARKER, next - col - 1);
    }
}

static int key_width(const struct chart_series *s, int ns)
{
    int w = 0;
    for (int k = 0; k < ns; k++)
        if (s[k].name) w += (w ? 2 : 0) + 2 + (int)strlen(s[k].name);
    return w;
}

static void draw_key(struct canvas *c, const struct canvas_rect *r, int row, int col,
                     const struct chart_series *s, int ns, int first, bool dots)
{
    for (int i = 0; i < ns; i++) {
        int k = (first + i) % ns;
        if (!s[k].name) continue;
        int len = 2 + (int)strlen(s[k].name);
        if (col + len > r->w) break;
        canvas_put_in(c, r, row, col, dots ? 0x2501 : series_mark(&s[k], k), (short)s[k].color);
        canvas_text_in(c, r, row, col + 2, s[k].name, (short)s[k].color, len - 2);
        col += len + 2;
    }
}

// ---- the chart ----

/* Fine dots (braille, or quadrants when the canvas asks for them), else ASCII marks. */
static bool use_dots(unsigned caps, const struct chart_series *s, int ns)
{
    int nonempty = 0;
    for (int k = 0; k < ns; k++)
        nonempty += s[k].n > 0;
    return (caps & CANVAS_UTF8) && ((caps & CANVAS_COLOR) || nonempty <= 1);
}

struct chart_layout chart_render(struct canvas *c, int y, int x, int h, int w,
                                 const struct chart_series *s, int ns, const struct chart_marker *m,
                                 int nm, const struct chart_opts *o)
{
    static const struct chart_opts defaults = {0};
    const struct canvas_rect r = {y, x, h > 0 ? h : 0, w > 0 ? w : 0};
    struct chart_layout out = {.plot = {y, x, 0, 0}};
    bool utf8 = c->caps & CANVAS_UTF8;
    if (!o) o = &defaults;
    canvas_fill(c, &r, TC_DEFAULT);
    if (r.h == 0 || r.w == 0) return out;

    /* rows: title (+ key), [key], plot, x labels */
    int title_len = canvas_text_in(c, &r, 0, 0, o->title ? o->title : "", TC_TITLE, r.w);
    bool dots = use_dots(c->caps, s, ns);
    bool quads = dots && (c->caps & CANVAS_QUADS), braille = dots && !quads;
    int kw = key_width(s, ns), top = 1, bottom = r.h >= 3 ? r.h - 2 : r.h - 1;
    if (kw > 0 && title_len + 2 + kw <= r.w) {
        /* A column clear on its right where there is one to spare: the panel beside starts
         * one column on, and its title read on from the key ("KL marginFigure 2"). */
        int clear = title_len + 3 + kw <= r.w;
        draw_key(c, &r, 0, r.w - kw - clear, s, ns, o->key_first, dots);
    } else if (kw > 0 && r.h >= 10) {
        draw_key(c, &r, 1, 0, s, ns, o->key_first, dots);
        top = 2;
    }
    int rows = bottom - top + 1;
    if (rows <= 0) return out;

    struct plot p = {.c = c,
                     .braille = braille,
                     .quads = quads,
                     .log_y = o->log_y,
                     .x_real = o->x_real,
                     .sparse = o->sparse};
    p.cell_w = dots ? 2 : 1;
    p.cell_h = braille ? 4 : quads ? 2 : 1;
    p.dots_h = rows * p.cell_h;
    bool have_x = o->fixed_x && o->x_max > o->x_min;
    if (have_x) {
        p.x0 = o->x_min;
        p.x1 = o->x_max;
    } else {
        have_x = data_x_range(s, ns, &p.x0, &p.x1);
    }
    if (!have_x || !data_y_range(s, ns, &p, &out.points)) {
        canvas_text_in(c, &r, top + rows / 2, (r.w - 7) / 2, "no data", TC_DIM, r.w);
        return out;
    }

    struct tick t[MAX_TICKS];
    int nt = y_ticks(&p, rows, t), label_w = 0;
    for (int i = 0; i < nt; i++)
        if ((int)strlen(t[i].text) > label_w) label_w = (int)strlen(t[i].text);
    int left = label_w + 1; /* labels, then the axis line */
    if (r.w - left < 4) left = 0;
    p.r = (struct canvas_rect){r.y + top, r.x + left, rows, r.w - left};
    p.dots_w = p.r.w * p.cell_w;
    if (left > 0) draw_y_axis(c, &r, top, rows, left - 1, t, nt, utf8, o->sparse);
    if (r.h >= 3) draw_x_labels(&p, r.y + r.h - 1);

    draw_marker_lines(&p, m, nm, utf8);
    for (int k = 0; k < ns; k++)
        draw_series(&p, &s[k], k);
    draw_marker_labels(&p, m, nm);

    out.plot = p.r;
    out.x_min = p.x0;
    out.x_max = p.x1;
    out.y_min = p.log_y ? pow(10, p.y0) : p.y0;
    out.y_max = p.log_y ? pow(10, p.y1) : p.y1;
    out.braille = braille;
    out.quads = quads;
    return out;
}
