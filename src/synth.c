/* synth — procedurally drawn pen-stroke digits. See synth.h. */
#include "synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util.h"

/* Stream id of the generator: seed 1 of the sample is not seed 1 of a training run. */
#define SYNTH_STREAM 0x73796e7468ULL /* "synth" */
#define PI 3.14159265358979323846

// ---- templates (sample-data/digits.def) ----

enum op_kind { OP_STYLE, OP_STROKE, OP_TO, OP_CURVE, OP_ARC };

struct template_op {
    enum op_kind kind;
    int digit;
    const char *name;
    double v[6];
};

#define STYLE(d, name) {OP_STYLE, (d), (name), {0}},
#define STROKE() {OP_STROKE, 0, NULL, {0}},
#define TO(x, y) {OP_TO, 0, NULL, {(x), (y)}},
#define CURVE(cx, cy, x, y) {OP_CURVE, 0, NULL, {(cx), (cy), (x), (y)}},
#define ARC(cx, cy, rx, ry, from, to) {OP_ARC, 0, NULL, {(cx), (cy), (rx), (ry), (from), (to)}},
static const struct template_op template_ops[] = {
#include "../sample-data/digits.def"
};
#undef STYLE
#undef STROKE
#undef TO
#undef CURVE
#undef ARC

#define TEMPLATE_OPS (sizeof template_ops / sizeof template_ops[0])
#define ARC_STEP_DEG 12.0
#define CURVE_SEGMENTS 8

// ---- polylines ----

#define POLY_MAX_STROKES 4
#define POLY_MAX_POINTS 160

/* Strokes as polylines: stroke s is points start[s] .. start[s+1]-1. */
struct polyline {
    int nstrokes;
    int start[POLY_MAX_STROKES + 1];
    double x[POLY_MAX_POINTS], y[POLY_MAX_POINTS];
};

struct shape {
    int digit, style;
    const char *name;
    struct polyline line; /* in the unit box */
};

struct shape_table {
    int n;
    int index[DATASET_DIGITS][SYNTH_MAX_STYLES]; /* shape of (digit, style) */
    int count[DATASET_DIGITS];
    struct shape shape[DATASET_DIGITS * SYNTH_MAX_STYLES];
};

/* The templates are compiled-in data: a mistake in them is a programming error. */
static void template_fail(const char *what, int digit)
{
    fprintf(stderr, "ftlab: sample-data/digits.def: %s (digit %d)\n", what, digit);
    abort();
}

static void poly_add(struct polyline *p, double x, double y, int digit)
{
    int n = p->start[p->nstrokes];
    if (p->nstrokes == 0) template_fail("point outside a STROKE()", digit);
    if (n > p->start[p->nstrokes - 1] && fabs(p->x[n - 1] - x) < 1e-9 &&
        fabs(p->y[n - 1] - y) < 1e-9)
        return;
    if (n == POLY_MAX_POINTS) template_fail("too many points in a style", digit);
    p->x[n] = x;
    p->y[n] = y;
    p->start[p->nstrokes]++;
}

static void poly_add_curve(struct polyline *p, const double *v, int digit)
{
    int n = p->start[p->nstrokes];
    if (p->nstrokes == 0 || n == p->start[p->nstrokes - 1])
        template_fail("CURVE without a start point", digit);
    double x0 = p->x[n - 1], y0 = p->y[n - 1];
    for (int i = 1; i <= CURVE_SEGMENTS; i++) {
        double t = (double)i / CURVE_SEGMENTS, s = 1.0 - t;
        poly_add(p, s * s * x0 + 2 * s * t * v[0] + t * t * v[2],
                 s * s * y0 + 2 * s * t * v[1] + t * t * v[3], digit);
    }
}

static void poly_add_arc(struct polyline *p, const double *v, int digit)
{
    double from = v[4] * PI / 180.0, to = v[5] * PI / 180.0;
    int steps = (int)ceil(fabs(v[5] - v[4]) / ARC_STEP_DEG);
    if (steps < 2) steps = 2;
    for (int i = 0; i <= steps; i++) {
        double a = from + (to - from) * i / steps;
        poly_add(p, v[0] + v[2] * cos(a), v[1] + v[3] * sin(a), digit);
    }
}

static void shape_begin(struct shape_table *t, const struct template_op *op)
{
    int d = op->digit;
    if (d < 0 || d >= DATASET_DIGITS) template_fail("digit out of range", d);
    if (t->count[d] == SYNTH_MAX_STYLES) template_fail("more than SYNTH_MAX_STYLES styles", d);
    struct shape *s = &t->shape[t->n];
    memset(s, 0, sizeof *s);
    s->digit = d;
    s->style = t->count[d]++;
    s->name = op->name;
    t->index[d][s->style] = t->n++;
}

static void shape_check(const struct shape *s)
{
    const struct polyline *p = &s->line;
    if (p->nstrokes == 0) template_fail("style without strokes", s->digit);
    for (int k = 0; k < p->nstrokes; k++)
        if (p->start[k + 1] - p->start[k] < 2)
            template_fail("stroke with fewer than two points", s->digit);
}

/* Flattens the template ops into polylines (arcs and curves become points). */
static void shapes_build(struct shape_table *t)
{
    struct shape *s = NULL;
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < TEMPLATE_OPS; i++) {
        const struct template_op *op = &template_ops[i];
        if (op->kind == OP_STYLE) {
            if (s) shape_check(s);
            shape_begin(t, op);
            s = &t->shape[t->n - 1];
            continue;
        }
        if (!s) template_fail("stroke before the first STYLE", -1);
        struct polyline *p = &s->line;
        switch (op->kind) {
        case OP_STROKE:
            if (p->nstrokes == POLY_MAX_STROKES)
                template_fail("too many strokes in a style", s->digit);
            p->nstrokes++;
            p->start[p->nstrokes] = p->start[p->nstrokes - 1];
            break;
        case OP_TO:
            poly_add(p, op->v[0], op->v[1], s->digit);
            break;
        case OP_CURVE:
            poly_add_curve(p, op->v, s->digit);
            break;
        case OP_ARC:
            poly_add_arc(p, op->v, s->digit);
            break;
        case OP_STYLE:
            break;
        }
    }
    if (s) shape_check(s);
    for (int d = 0; d < DATASET_DIGITS; d++)
        if (t->count[d] == 0) template_fail("digit without a style", d);
}

int synth_style_count(int digit)
{
    int n = 0;
    for (size_t i = 0; i < TEMPLATE_OPS; i++)
        n += template_ops[i].kind == OP_STYLE && template_ops[i].digit == digit;
    return n;
}

const char *synth_style_name(int digit, int style)
{
    int k = 0;
    for (size_t i = 0; i < TEMPLATE_OPS; i++)
        if (template_ops[i].kind == OP_STYLE && template_ops[i].digit == digit && k++ == style)
            return template_ops[i].name;
    return NULL;
}

// ---- drawing: jitter a template into pixel coordinates ----

/*
 * The digit's geometry. Heights, widths and centres follow the real data
 * (mean bounding box 11.6 x 16.3 pixels centred near (14.8, 15)); the slant
 * leans forward on average, as handwriting does.
 */
#define HEIGHT_MIN 13.0
#define HEIGHT_MAX 19.5
#define ASPECT_MIN 0.60
#define ASPECT_MAX 0.85
#define SLANT_MEAN 0.08
#define SLANT_SD 0.15
#define ROTATE_SD_DEG 5.0
#define CENTRE_X 14.5
#define CENTRE_Y 15.0
#define CENTRE_JITTER 2.0
/* Smooth warp of the unit box: a random quadratic + cubic displacement field
 * (the affine part is drawn separately), about 0.03 of the box at the edges. */
#define WARP_TERMS 7
#define WARP_SD2 0.14
#define WARP_SD3 0.22
/* Each stroke shifted on its own: strokes of one digit never meet exactly. */
#define STROKE_SHIFT_SD 0.025
/* Pen speed: distance in pixels between sampled points. (No per-point tremor:
 * it makes a line near a half-pixel zigzag between two rows.) */
#define SPACING_MIN 1.0
#define SPACING_MAX 2.8
/* Skeleton-like variation of the real data: strokes traced backwards or broken. */
#define REVERSE_PROB 0.10
#define SPLIT_PROB 0.15
/* The drawing keeps a pixel of margin inside the grid. */
#define DRAW_MIN (SYNTH_GRID_MIN + 1)
#define DRAW_MAX (SYNTH_GRID_MAX - 1)
/* Redraws allowed before a template is declared unusable. */
#define DRAW_ATTEMPTS 1000

struct warp {
    double c[2][WARP_TERMS]; /* per axis: a^2, ab, b^2, a^3, a^2 b, a b^2, b^3 */
};

static double uniform(struct rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_uniform(r);
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void warp_draw(struct rng *r, struct warp *w)
{
    for (int axis = 0; axis < 2; axis++)
        for (int k = 0; k < WARP_TERMS; k++)
            w->c[axis][k] = (k < 3 ? WARP_SD2 : WARP_SD3) * rng_normal(r);
}

/* Displacement at unit-box point (u, v); a, b are centred coordinates. */
static double warp_offset(const struct warp *w, int axis, double u, double v)
{
    double a = u - 0.5, b = v - 0.5;
    const double *c = w->c[axis];
    return a * (a * (c[0] + c[3] * a + c[4] * b) + b * (c[1] + c[5] * b)) +
           b * b * (c[2] + c[6] * b);
}

/* Moves (and if need be shrinks) the drawing so it lies inside [DRAW_MIN, DRAW_MAX]. */
static void poly_fit_grid(struct polyline *p)
{
    int n = p->start[p->nstrokes];
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (int i = 0; i < n; i++) {
        lo[0] = fmin(lo[0], p->x[i]), hi[0] = fmax(hi[0], p->x[i]);
        lo[1] = fmin(lo[1], p->y[i]), hi[1] = fmax(hi[1], p->y[i]);
    }
    double shift[2], scale = 1.0, room = DRAW_MAX - DRAW_MIN;
    for (int a = 0; a < 2; a++)
        if (hi[a] - lo[a] > room) scale = fmin(scale, room / (hi[a] - lo[a]));
    for (int a = 0; a < 2; a++) {
        double c = 0.5 * (lo[a] + hi[a]), half = 0.5 * (hi[a] - lo[a]) * scale;
        shift[a] = clampd(c, DRAW_MIN + half, DRAW_MAX - half) - c;
        lo[a] = c; /* scale about the box centre */
    }
    for (int i = 0; i < n; i++) {
        p->x[i] = lo[0] + (p->x[i] - lo[0]) * scale + shift[0];
        p->y[i] = lo[1] + (p->y[i] - lo[1]) * scale + shift[1];
    }
}

/* Template (unit box) -> pixel polylines: warp, per-stroke shift, affine map. */
static void shape_jitter(struct rng *r, const struct polyline *unit, struct polyline *out)
{
    double height = uniform(r, HEIGHT_MIN, HEIGHT_MAX);
    double width = height * uniform(r, ASPECT_MIN, ASPECT_MAX);
    double slant = clampd(SLANT_MEAN + SLANT_SD * rng_normal(r), -0.3, 0.45);
    double angle = clampd(ROTATE_SD_DEG * rng_normal(r), -12, 12) * PI / 180.0;
    double cx = CENTRE_X + uniform(r, -CENTRE_JITTER, CENTRE_JITTER);
    double cy = CENTRE_Y + uniform(r, -CENTRE_JITTER, CENTRE_JITTER);
    double c = cos(angle), s = sin(angle);
    struct warp w;
    warp_draw(r, &w);

    *out = *unit;
    for (int k = 0; k < unit->nstrokes; k++) {
        double du = STROKE_SHIFT_SD * rng_normal(r), dv = STROKE_SHIFT_SD * rng_normal(r);
        for (int i = unit->start[k]; i < unit->start[k + 1]; i++) {
            double u = unit->x[i], v = unit->y[i];
            double x = (u + du + warp_offset(&w, 0, u, v) - 0.5) * width;
            double y = (v + dv + warp_offset(&w, 1, u, v) - 0.5) * height;
            x -= slant * y; /* the top leans right when slant > 0 (y points down) */
            out->x[i] = cx + c * x - s * y;
            out->y[i] = cy + s * x + c * y;
        }
    }
    poly_fit_grid(out);
}

// ---- rasterising: pixel walks with unit steps ----

#define WALK_CAP 512
#define WALK_MAX_STROKES (POLY_MAX_STROKES + 1)

/* Pixels of each stroke; consecutive pixels of a stroke are 8-neighbours. */
struct walk {
    int nstrokes;
    int start[WALK_MAX_STROKES + 1];
    int x[WALK_CAP], y[WALK_CAP];
};

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Appends pixel (x, y) to the current stroke, joined by a Bresenham line of
 * unit steps; -1 when the walk is full. */
static int walk_line_to(struct walk *w, int x, int y)
{
    int *n = &w->start[w->nstrokes];
    x = clampi(x, DRAW_MIN, DRAW_MAX);
    y = clampi(y, DRAW_MIN, DRAW_MAX);
    if (*n == w->start[w->nstrokes - 1]) {
        if (*n == WALK_CAP) return -1;
        w->x[*n] = x, w->y[*n] = y, (*n)++;
        return 0;
    }
    int x0 = w->x[*n - 1], y0 = w->y[*n - 1];
    int dx = abs(x - x0), dy = -abs(y - y0), sx = x0 < x ? 1 : -1, sy = y0 < y ? 1 : -1;
    int err = dx + dy;
    while (x0 != x || y0 != y) {
        int e2 = 2 * err;
        if (e2 >= dy) err += dy, x0 += sx;
        if (e2 <= dx) err += dx, y0 += sy;
        if (*n == WALK_CAP) return -1;
        w->x[*n] = x0, w->y[*n] = y0, (*n)++;
    }
    return 0;
}

static int round_px(double v)
{
    return (int)floor(v + 0.5);
}

/* Samples stroke k of p every `spacing` pixels of arc length (the pen speed)
 * and walks the pixels between the samples. */
static int walk_stroke(struct walk *w, const struct polyline *p, int k, double spacing, int reverse)
{
    int a = p->start[k], b = p->start[k + 1], n = b - a;
    w->nstrokes++;
    w->start[w->nstrokes] = w->start[w->nstrokes - 1];
    double carry = 0; /* arc length since the last sample */
    for (int j = 0; j < n; j++) {
        int i = reverse ? b - 1 - j : a + j;
        if (j > 0) {
            int h = reverse ? i + 1 : i - 1;
            double ex = p->x[i] - p->x[h], ey = p->y[i] - p->y[h], len = sqrt(ex * ex + ey * ey);
            double t;
            for (t = spacing - carry; t < len; t += spacing) {
                double x = p->x[h] + ex * t / len, y = p->y[h] + ey * t / len;
                if (walk_line_to(w, round_px(x), round_px(y))) return -1;
            }
            carry = len - (t - spacing);
        }
        if ((j == 0 || j == n - 1) && walk_line_to(w, round_px(p->x[i]), round_px(p->y[i])))
            return -1;
    }
    return 0;
}

/* Breaks one long stroke in two, as skeleton tracing of the real data does. */
static void walk_split(struct rng *r, struct walk *w)
{
    int k = (int)rng_below(r, (uint64_t)w->nstrokes);
    int len = w->start[k + 1] - w->start[k];
    if (len < 12 || w->nstrokes == WALK_MAX_STROKES) return;
    int cut = w->start[k] + 4 + (int)rng_below(r, (uint64_t)(len - 8));
    memmove(&w->start[k + 2], &w->start[k + 1], (size_t)(w->nstrokes - k) * sizeof w->start[0]);
    w->start[k + 1] = cut;
    w->nstrokes++;
}

// ---- emitting rows (SPEC.md §2.3) ----

static void put_row(int8_t *row, int dx, int dy, int eos, int eod)
{
    row[0] = (int8_t)dx, row[1] = (int8_t)dy, row[2] = (int8_t)eos, row[3] = (int8_t)eod;
}

/*
 * Writes the walk as rows: absolute start, unit moves, a (0,0,1,0) marker after
 * each stroke, a pen-up jump before the next; the last marker becomes (0,0,1,1).
 * A stroke starting on the previous stroke's last pixel loses that pixel, as a
 * (0,0) jump would read as padding. Returns the row count, or -1 past SYNTH_MAX_LEN.
 */
static int walk_emit(const struct walk *w, int8_t *rows)
{
    int n = 0, px = 0, py = 0;
    for (int k = 0; k < w->nstrokes; k++) {
        int a = w->start[k], b = w->start[k + 1];
        if (n > 0 && a < b && w->x[a] == px && w->y[a] == py) a++;
        if (b - a < 2) continue;
        if (n + (b - a) + 1 > SYNTH_MAX_LEN) return -1;
        put_row(rows + 4 * n++, w->x[a] - px, w->y[a] - py, 0, 0);
        for (int i = a + 1; i < b; i++)
            put_row(rows + 4 * n++, w->x[i] - w->x[i - 1], w->y[i] - w->y[i - 1], 0, 0);
        put_row(rows + 4 * n++, 0, 0, 1, 0);
        px = w->x[b - 1], py = w->y[b - 1];
    }
    if (n == 0) return -1;
    rows[4 * (n - 1) + 3] = 1;
    return n;
}

/* One sequence of shape s into rows (SYNTH_MAX_LEN x 4); returns its length.
 * A rare drawing too long or too short for the format is drawn again. */
static int draw_sequence(struct rng *r, const struct shape *s, int8_t *rows)
{
    for (int attempt = 0;; attempt++) {
        if (attempt == DRAW_ATTEMPTS) template_fail("a style never fits the format", s->digit);
        struct polyline line;
        struct walk w;
        shape_jitter(r, &s->line, &line);
        double spacing = uniform(r, SPACING_MIN, SPACING_MAX);
        int failed = 0;
        w.nstrokes = 0;
        w.start[0] = 0;
        for (int k = 0; k < line.nstrokes && !failed; k++)
            failed = walk_stroke(&w, &line, k, spacing, rng_uniform(r) < REVERSE_PROB);
        if (failed) continue;
        if (rng_uniform(r) < SPLIT_PROB) walk_split(r, &w);
        int len = walk_emit(&w, rows);
        if (len >= SYNTH_MIN_LEN) return len;
    }
}

// ---- public ----

void synth_generate(struct dataset *d, size_t n, uint64_t seed, const char *source, uint8_t *style)
{
    struct shape_table *t = xmalloc(sizeof *t);
    shapes_build(t);
    struct rng r;
    rng_seed_stream(&r, seed, SYNTH_STREAM);

    uint32_t *digit = xmallocarray(n, sizeof *digit);
    for (size_t i = 0; i < n; i++)
        digit[i] = (uint32_t)(i % DATASET_DIGITS);
    rng_shuffle_u32(&r, digit, n);

    int8_t *rows = xmallocarray(n, SYNTH_MAX_LEN * DATASET_STROKE_DIM);
    uint32_t *offset = xmallocarray(n + 1, sizeof *offset);
    offset[0] = 0;
    for (size_t i = 0; i < n; i++) {
        int k = (int)rng_below(&r, (uint64_t)t->count[digit[i]]);
        const struct shape *s = &t->shape[t->index[digit[i]][k]];
        if (style) style[i] = (uint8_t)k;
        offset[i + 1] = offset[i] + (uint32_t)draw_sequence(&r, s, rows + (size_t)offset[i] * 4);
    }

    dataset_init(d, n, offset[n], DATASET_STROKE_DIM, source);
    memcpy(d->offset, offset, (n + 1) * sizeof *offset);
    for (size_t i = 0; i < (size_t)offset[n] * DATASET_STROKE_DIM; i++)
        d->x[i] = (float)rows[i];
    for (size_t i = 0; i < n; i++)
        d->group[i] = (uint8_t)digit[i];
    dataset_set_digits(d);
    free(offset);
    free(rows);
    free(digit);
    free(t);
}

#define STR_(x) #x
#define STR(x) STR_(x)
/* Names the generator version and seed, so `data info` says which sample it is. */
#define SAMPLE_SOURCE(split, seed)                                                                 \
    "embedded sample (synthetic strokes v" STR(SYNTH_VERSION) ", " split ", seed " STR(seed) ")"

void synth_sample(struct dataset_pair *p)
{
    synth_generate(&p->train, SYNTH_TRAIN_N, SYNTH_TRAIN_SEED,
                   SAMPLE_SOURCE("train", SYNTH_TRAIN_SEED), NULL);
    synth_generate(&p->test, SYNTH_TEST_N, SYNTH_TEST_SEED, SAMPLE_SOURCE("test", SYNTH_TEST_SEED),
                   NULL);
}
