/*
 * test_widgets — the canvas, the line chart and the Figure 2 heatmap rendered
 * into in-memory canvases, no terminal: braille dot codes, lines, log ticks,
 * skipped samples, number formats, markers, the ASCII and monochrome
 * fallbacks, heat steps and their key, two units per line, hidden idle units,
 * and tiny rectangles that must never be drawn outside of.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "bigtext.h"
#include "canvas.h"
#include "chart.h"
#include "heatmap.h"
#include "strokes.h"
#include "term.h"

#define COLOR_UTF8 (CANVAS_UTF8 | CANVAS_COLOR)
#define ALL_CAPS (CANVAS_UTF8 | CANVAS_COLOR | CANVAS_HALVES)

/* Cells [x, x+n) of row y as text; non-ASCII cells become '~'. */
static const char *row_text(const struct canvas *c, int y, int x, int n)
{
    static char buf[512];
    int i = 0;
    for (; i < n && i < (int)sizeof buf - 1; i++) {
        wchar_t ch = c->cells[(size_t)y * c->w + x + i].ch;
        buf[i] = ch >= 0x20 && ch < 0x7F ? (char)ch : '~';
    }
    buf[i] = '\0';
    return buf;
}

static const struct cell *at(const struct canvas *c, int y, int x)
{
    return &c->cells[(size_t)y * c->w + x];
}

static bool is_braille(wchar_t ch)
{
    return ch >= 0x2800 && ch <= 0x28FF;
}

// ---- canvas ----

static void test_canvas_text_and_clipping(void **state)
{
    (void)state;
    struct canvas c;
    canvas_init(&c, 3, 8, 0);
    assert_int_equal(canvas_text(&c, 0, 1,
                                 "a\xce\xbb"
                                 "b",
                                 TC_LABEL, -1),
                     3); /* "aλb" */
    assert_int_equal(at(&c, 0, 1)->ch, L'a');
    assert_int_equal(at(&c, 0, 2)->ch, 0x3BB);
    assert_int_equal(at(&c, 0, 3)->ch, L'b');
    assert_int_equal(at(&c, 0, 3)->color, TC_LABEL);
    assert_int_equal(canvas_text(&c, 1, 0,
                                 "x\xff"
                                 "y",
                                 TC_DEFAULT, -1),
                     3);
    assert_int_equal(at(&c, 1, 1)->ch, L'?');
    assert_int_equal(canvas_text(&c, 2, 5, "abcdef", TC_DEFAULT, -1), 3); /* stops at the edge */
    assert_int_equal(canvas_text(&c, 2, 0, "abcdef", TC_DEFAULT, 2), 2);
    assert_string_equal(row_text(&c, 2, 0, 8), "ab   abc");
    canvas_put(&c, -1, 0, L'Z', TC_DEFAULT); /* outside: ignored */
    canvas_put(&c, 0, 8, L'Z', TC_DEFAULT);
    assert_null(canvas_cell(&c, 3, 0));

    struct canvas_rect r = {1, 2, 1, 3};
    canvas_clear(&c);
    canvas_text_in(&c, &r, 0, -1, "abcdef", TC_DEFAULT, -1);
    assert_string_equal(row_text(&c, 1, 0, 8), "  bcd   ");
    canvas_put_in(&c, &r, 1, 0, L'Z', TC_DEFAULT); /* below the rectangle */
    assert_string_equal(row_text(&c, 2, 0, 8), "        ");
    canvas_free(&c);
}

// ---- chart: dots ----

/* Six rows: a title, four plot rows (16 dot rows), x labels. */
static struct chart_layout one_point(struct canvas *c, double x, double y)
{
    static double xs[1], ys[1];
    xs[0] = x;
    ys[0] = y;
    struct chart_series s = {"a", xs, ys, 1, TC_SERIES0};
    struct chart_opts o = {.fixed_x = true, .x_min = 0, .x_max = 100};
    return chart_render(c, 0, 0, 6, 30, &s, 1, NULL, 0, &o);
}

static void test_braille_dot_codes(void **state)
{
    (void)state;
    struct canvas c;
    canvas_init(&c, 6, 30, COLOR_UTF8);
    /* A lone value sits mid-range: dot row 8 of 16 = plot row 2, top dot of the cell. */
    struct chart_layout l = one_point(&c, 0, 5);
    assert_true(l.braille);
    assert_int_equal(l.plot.h, 4);
    assert_int_equal(at(&c, l.plot.y + 2, l.plot.x)->ch, 0x2801); /* ⠁ dot 1 */
    assert_int_equal(at(&c, l.plot.y + 2, l.plot.x)->color, TC_SERIES0);
    /* x = x_max falls in the last dot column: the right half of the last cell. */
    l = one_point(&c, 100, 5);
    assert_int_equal(at(&c, l.plot.y + 2, l.plot.x + l.plot.w - 1)->ch, 0x2808); /* ⠈ dot 4 */
    for (int y = 0; y < l.plot.h; y++)
        for (int x = 0; x < l.plot.w - 1; x++)
            assert_false(is_braille(at(&c, l.plot.y + y, l.plot.x + x)->ch));

    /* (0, 0) -> bottom-left dot (dot 7); (100, 10) -> top-right dot (dot 4). */
    double xs[2] = {0, 100}, ys[2] = {0, 10};
    struct chart_series s = {"a", xs, ys, 2, TC_SERIES1};
    l = chart_render(&c, 0, 0, 6, 30, &s, 1, NULL, 0, NULL);
    assert_true(at(&c, l.plot.y + 3, l.plot.x)->ch & 0x40);
    assert_true(at(&c, l.plot.y, l.plot.x + l.plot.w - 1)->ch & 0x08);
    assert_true(l.y_min == 0 && l.y_max == 10);
    canvas_free(&c);
}

static void test_constant_series_is_a_horizontal_line(void **state)
{
    (void)state;
    double y[50];
    for (int i = 0; i < 50; i++)
        y[i] = 3.0;
    struct chart_series s = {"c", NULL, y, 50, TC_SERIES2};
    struct canvas c;
    canvas_init(&c, 10, 40, COLOR_UTF8);
    struct chart_layout l = chart_render(&c, 0, 0, 10, 40, &s, 1, NULL, 0, NULL);
    assert_int_equal(l.points, 50);
    int line_row = -1;
    for (int x = 0; x < l.plot.w; x++) {
        int found = 0;
        for (int y2 = 0; y2 < l.plot.h; y2++) {
            const struct cell *p = at(&c, l.plot.y + y2, l.plot.x + x);
            if (!is_braille(p->ch)) continue;
            found++;
            if (line_row < 0) line_row = y2;
            assert_int_equal(y2, line_row);
            assert_int_equal(p->ch, at(&c, l.plot.y + line_row, l.plot.x)->ch);
        }
        assert_int_equal(found, 1); /* every column, one cell */
    }
    /* both dot columns of a cell on the same dot row: ⠉ ⠒ ⠤ or ⣀ */
    wchar_t ch = at(&c, l.plot.y + line_row, l.plot.x)->ch;
    assert_true(ch == 0x2809 || ch == 0x2812 || ch == 0x2824 || ch == 0x28C0);
    canvas_free(&c);
}

/* Samples sharing a dot column keep their min-max span: a one-step spike stays visible. */
static void test_spike_survives_many_points_per_column(void **state)
{
    (void)state;
    enum { N = 20000 };
    static double y[N];
    for (int i = 0; i < N; i++)
        y[i] = 1.0;
    y[12345] = 100.0;
    y[0] = 0.0;
    struct chart_series s = {"spiky", NULL, y, N, TC_SERIES0};
    struct canvas c;
    canvas_init(&c, 8, 24, COLOR_UTF8);
    struct chart_layout l = chart_render(&c, 0, 0, 8, 24, &s, 1, NULL, 0, NULL);
    int col = (int)floor(12345.0 / (N - 1) * (2 * l.plot.w)) / 2;
    assert_true(at(&c, l.plot.y, l.plot.x + col)->ch & (0x01 | 0x08)); /* the top dot row */
    canvas_free(&c);
}

static void test_last_series_colours_a_shared_cell(void **state)
{
    (void)state;
    double y[4] = {1, 2, 3, 4};
    struct chart_series s[2] = {{"a", NULL, y, 4, TC_SERIES0}, {"b", NULL, y, 4, TC_SERIES3}};
    struct canvas c;
    canvas_init(&c, 8, 30, COLOR_UTF8);
    struct chart_layout l = chart_render(&c, 0, 0, 8, 30, s, 2, NULL, 0, NULL);
    int seen = 0;
    for (int y2 = 0; y2 < l.plot.h; y2++)
        for (int x = 0; x < l.plot.w; x++) {
            const struct cell *p = at(&c, l.plot.y + y2, l.plot.x + x);
            if (!is_braille(p->ch)) continue;
            assert_int_equal(p->color, TC_SERIES3);
            seen++;
        }
    assert_true(seen > 0);
    canvas_free(&c);
}

// ---- chart: axes ----

/* The row (inside the chart) whose label column ends with text, or -1. */
static int label_row(const struct canvas *c, const struct chart_layout *l, const char *text)
{
    int n = (int)strlen(text);
    for (int y = l->plot.y; y < l->plot.y + l->plot.h; y++) {
        if (l->plot.x - 1 - n < 0) continue;
        if (strcmp(row_text(c, y, l->plot.x - 1 - n, n), text) == 0) return y;
    }
    return -1;
}

static void test_log_scale_ticks(void **state)
{
    (void)state;
    double y[5] = {8, 0.5, 0.02, 0.004, 0.0015};
    struct chart_series s = {"l", NULL, y, 5, TC_SERIES0};
    struct chart_opts o = {.title = "loss", .log_y = true};
    struct canvas c;
    canvas_init(&c, 12, 40, COLOR_UTF8);
    struct chart_layout l = chart_render(&c, 0, 0, 12, 40, &s, 1, NULL, 0, &o);
    /* whole decades around the data: 1e-3 .. 10 */
    assert_true(fabs(l.y_min - 1e-3) < 1e-15 && fabs(l.y_max - 10) < 1e-12);
    const char *want[] = {"10", "1", "0.1", "0.01", "1e-3"};
    int prev = -1;
    for (int i = 0; i < 5; i++) {
        int row = label_row(&c, &l, want[i]);
        assert_true(row > prev); /* present and in decreasing order downwards */
        assert_int_equal(at(&c, row, l.plot.x - 1)->ch, 0x2524); /* ┤ tick */
        prev = row;
    }
    assert_int_equal(label_row(&c, &l, "10"), l.plot.y);
    assert_int_equal(label_row(&c, &l, "1e-3"), l.plot.y + l.plot.h - 1);
    canvas_free(&c);
}

static void test_nan_and_nonpositive_skipped_on_log(void **state)
{
    (void)state;
    double y[5] = {1, NAN, -1, 0, 10};
    struct chart_series s = {"l", NULL, y, 5, TC_SERIES0};
    struct chart_opts o = {.log_y = true};
    struct canvas c;
    canvas_init(&c, 8, 30, COLOR_UTF8);
    struct chart_layout l = chart_render(&c, 0, 0, 8, 30, &s, 1, NULL, 0, &o);
    assert_int_equal(l.points, 2);
    /* the skipped samples break the line: nothing between the two ends */
    int drawn_cols = 0;
    for (int x = 0; x < l.plot.w; x++)
        for (int y2 = 0; y2 < l.plot.h; y2++)
            if (is_braille(at(&c, l.plot.y + y2, l.plot.x + x)->ch)) {
                drawn_cols++;
                assert_true(x == 0 || x == l.plot.w - 1);
                break;
            }
    assert_int_equal(drawn_cols, 2);
    /* linear: only the NaN goes */
    l = chart_render(&c, 0, 0, 8, 30, &s, 1, NULL, 0, NULL);
    assert_int_equal(l.points, 4);
    assert_true(l.y_min == -1 && l.y_max == 10);
    canvas_free(&c);
}

static void test_number_formats(void **state)
{
    (void)state;
    const struct {
        double v;
        const char *s;
    } values[] =
        {
            {0, "0"},         {0.512, "0.512"}, {1.5, "1.5"},       {10, "10"},
            {123.456, "123"}, {0.01, "0.01"},   {0.0123, "0.0123"}, {0.00123, "1.23e-3"},
            {0.001, "1e-3"},  {1e-5, "1e-5"},   {-0.5, "-0.5"},     {12345, "1.23e4"},
            {999.7, "1000"},  {NAN, "nan"},     {2.0 / 3, "0.667"},
        },
      steps[] = {
          {0, "0"},         {950, "950"},     {2000, "2k"},    {1500, "1.5k"}, {12000, "12k"},
          {12500, "12.5k"}, {123456, "123k"}, {1.2e6, "1.2M"}, {20e6, "20M"},
      };
    char buf[32];
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        chart_format_value(values[i].v, buf, sizeof buf);
        assert_string_equal(buf, values[i].s);
    }
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        chart_format_step(steps[i].v, buf, sizeof buf);
        assert_string_equal(buf, steps[i].s);
    }
}

static void test_x_labels_are_round_steps(void **state)
{
    (void)state;
    double y[2] = {1, 2}, x[2] = {0, 20000};
    struct chart_series s = {"a", x, y, 2, TC_SERIES0};
    struct canvas c;
    canvas_init(&c, 8, 60, COLOR_UTF8);
    struct chart_layout l = chart_render(&c, 0, 0, 8, 60, &s, 1, NULL, 0, NULL);
    const char *labels = row_text(&c, 7, 0, 60);
    assert_non_null(strstr(labels, " 5k"));
    assert_non_null(strstr(labels, " 10k"));
    assert_non_null(strstr(labels, "20k"));
    /* "10k" centred on the column of step 10000 */
    const char *p = strstr(labels, "10k");
    int col = (int)(p - labels) + 1 - l.plot.x;
    assert_int_equal(col, l.plot.w / 2);
    canvas_free(&c);
}

/* An x axis in epochs (x_real): ticks between whole numbers, labelled as values. */
static void test_x_labels_real(void **state)
{
    (void)state;
    double y[2] = {1, 2}, x[2] = {0, 2.5};
    struct chart_series s = {"a", x, y, 2, TC_SERIES0};
    struct chart_opts o = {.x_real = true};
    struct canvas c;
    canvas_init(&c, 8, 60, COLOR_UTF8);
    chart_render(&c, 0, 0, 8, 60, &s, 1, NULL, 0, &o);
    const char *labels = row_text(&c, 7, 0, 60);
    assert_non_null(strstr(labels, " 0.5 "));
    assert_non_null(strstr(labels, " 1.5 "));
    assert_non_null(strstr(labels, "2.5"));
    /* the same data counted in steps: whole numbers only */
    o.x_real = false;
    chart_render(&c, 0, 0, 8, 60, &s, 1, NULL, 0, &o);
    assert_null(strstr(row_text(&c, 7, 0, 60), "."));
    canvas_free(&c);
}

static void test_markers_at_their_column(void **state)
{
    (void)state;
    double x[3] = {0, 50, 100}, y[3] = {1, 1, 1};
    struct chart_series s = {"a", x, y, 3, TC_SERIES0};
    struct chart_marker m[3] = {{500, "lambda=0.5"}, {750, NULL}, {5000, "outside"}};
    struct chart_opts o = {.fixed_x = true, .x_min = 0, .x_max = 1000};
    struct canvas c;
    canvas_init(&c, 10, 52, COLOR_UTF8);
    struct chart_layout l = chart_render(&c, 0, 0, 10, 52, &s, 1, m, 3, &o);
    int c500 = (int)floor(0.5 * 2 * l.plot.w) / 2, c750 = (int)floor(0.75 * 2 * l.plot.w) / 2;
    for (int y2 = 1; y2 < l.plot.h; y2++) {
        assert_int_equal(at(&c, l.plot.y + y2, l.plot.x + c500)->ch, 0x250A); /* ┊ */
        assert_int_equal(at(&c, l.plot.y + y2, l.plot.x + c750)->color, TC_MARKER);
    }
    /* the label on the top row, right of its line, cut short of the next line */
    int room = c750 - c500 - 1;
    char want[32];
    snprintf(want, sizeof want, "%.*s", room, "lambda=0.5");
    assert_string_equal(row_text(&c, l.plot.y, l.plot.x + c500 + 1, (int)strlen(want)), want);
    assert_int_equal(at(&c, l.plot.y, l.plot.x + c750)->ch, 0x250A);
    int markers = 0;
    for (int x2 = 0; x2 < l.plot.w; x2++)
        markers += at(&c, l.plot.y + 3, l.plot.x + x2)->ch == 0x250A;
    assert_int_equal(markers, 2); /* the one outside the x range is not drawn */
    canvas_free(&c);
}

static void test_ascii_fallback(void **state)
{
    (void)state;
    double y0[40], y1[40];
    for (int i = 0; i < 40; i++) {
        y0[i] = 1 + i;
        y1[i] = 40 - i;
    }
    struct chart_series s[2] = {{"up", NULL, y0, 40, TC_SERIES0},
                                {"down", NULL, y1, 40, TC_SERIES1}};
    struct chart_marker m = {20, "m"};
    struct chart_opts o = {.title = "t"};
    struct canvas c;
    unsigned caps_list[2] = {0, CANVAS_COLOR};
    for (int k = 0; k < 2; k++) {
        canvas_init(&c, 12, 40, caps_list[k]);
        struct chart_layout l = chart_render(&c, 0, 0, 12, 40, s, 2, &m, 1, &o);
        assert_false(l.braille);
        int stars = 0, rings = 0;
        for (int i = 0; i < c.h * c.w; i++) {
            assert_true(c.cells[i].ch >= 0x20 && c.cells[i].ch < 0x7F);
            stars += c.cells[i].ch == '*';
            rings += c.cells[i].ch == 'o';
        }
        assert_true(stars >= l.plot.w - 2 && rings >= l.plot.w - 2);
        assert_non_null(strstr(row_text(&c, 0, 0, 40), "* up  o down")); /* the key */
        assert_int_equal(at(&c, l.plot.y + 2, l.plot.x - 1)->ch, '|');
        canvas_free(&c);
    }
    /* UTF-8 without colour: marks tell several series apart, braille is fine for one */
    canvas_init(&c, 12, 40, CANVAS_UTF8);
    assert_false(chart_render(&c, 0, 0, 12, 40, s, 2, NULL, 0, NULL).braille);
    assert_true(chart_render(&c, 0, 0, 12, 40, s, 1, NULL, 0, NULL).braille);
    canvas_free(&c);
}

/* Symbols block: quadrant blocks, 2 x 2 dots a cell, and dots of one cell add up. */
static void test_quadrant_dots(void **state)
{
    (void)state;
    static const wchar_t quads[] = L"▘▝▀▖▌▞▛▗▚▐▜▄▙▟█";
    double y[2] = {0, 1};
    struct chart_series s = {"s", NULL, y, 2, TC_SERIES0};
    struct canvas c;
    canvas_init(&c, 6, 20, CANVAS_UTF8 | CANVAS_COLOR | CANVAS_QUADS);
    struct chart_layout l = chart_render(&c, 0, 0, 6, 20, &s, 1, NULL, 0, NULL);
    assert_true(l.quads);
    assert_false(l.braille);
    int cells = 0;
    for (int yy = 0; yy < l.plot.h; yy++)
        for (int xx = 0; xx < l.plot.w; xx++) {
            wchar_t ch = at(&c, l.plot.y + yy, l.plot.x + xx)->ch;
            assert_false(is_braille(ch));
            if (ch != L' ') assert_non_null(wcschr(quads, ch)), cells++;
        }
    /* a line from the bottom-left to the top-right dot crosses the plot's whole height */
    assert_true(cells >= l.plot.h);
    /* the first sample is the lower-left dot of the bottom-left cell */
    assert_non_null(wcschr(L"▖▌▞▛▄▙▟█", at(&c, l.plot.y + l.plot.h - 1, l.plot.x)->ch));
    canvas_free(&c);
}

static void test_no_data(void **state)
{
    (void)state;
    double y[2] = {NAN, NAN};
    struct chart_series s = {"a", NULL, y, 2, TC_SERIES0};
    struct canvas c;
    canvas_init(&c, 8, 30, COLOR_UTF8);
    struct chart_layout l = chart_render(&c, 0, 0, 8, 30, &s, 1, NULL, 0, NULL);
    assert_int_equal(l.points, 0);
    assert_int_equal(l.plot.w, 0);
    int found = 0;
    for (int y2 = 0; y2 < 8; y2++)
        found += strstr(row_text(&c, y2, 0, 30), "no data") != NULL;
    assert_int_equal(found, 1);
    canvas_free(&c);
}

static void test_ema(void **state)
{
    (void)state;
    double y[5] = {NAN, 1, 2, NAN, 4}, out[5];
    chart_ema(y, 5, 0.5, out);
    assert_true(isnan(out[0]) && isnan(out[3]));
    assert_true(out[1] == 1 && out[2] == 1.5 && out[4] == 2.75);
    chart_ema(y, 5, 1, y); /* alpha 1, in place: unchanged */
    assert_true(y[1] == 1 && y[2] == 2 && y[4] == 4);
}

// ---- heatmap ----

static void test_heat_levels_and_floors(void **state)
{
    (void)state;
    assert_int_equal(heatmap_level(0, 700, 8), 0);
    assert_int_equal(heatmap_level(1, 700, 8), 1);
    assert_int_equal(heatmap_level(100, 700, 8), 1);
    assert_int_equal(heatmap_level(101, 700, 8), 2);
    assert_int_equal(heatmap_level(600, 700, 8), 6);
    assert_int_equal(heatmap_level(601, 700, 8), 7);
    assert_int_equal(heatmap_level(700, 700, 8), 7);
    assert_int_equal(heatmap_level_floor(1, 700, 8), 1);
    assert_int_equal(heatmap_level_floor(2, 700, 8), 101);
    assert_int_equal(heatmap_level_floor(7, 700, 8), 601);
    /* every max, every count: nonzero counts get a nonzero step, monotone, floor below */
    for (uint32_t max = 1; max <= 60; max++)
        for (int levels = 2; levels <= 10; levels++) {
            int prev = 1;
            for (uint32_t v = 1; v <= max; v++) {
                int l = heatmap_level(v, max, levels);
                assert_true(l >= prev && l <= levels - 1);
                assert_true(heatmap_level_floor(l, max, levels) <= v);
                prev = l;
            }
            assert_int_equal(heatmap_level(max, max, levels), levels - 1);
        }
}

/* A 4 x 10 table whose maximum is 700: cells 0, 1, 150, 700 in column 0. */
static void fixed_table(uint32_t *counts)
{
    memset(counts, 0, 40 * sizeof *counts);
    counts[0 * 10 + 0] = 0;
    counts[1 * 10 + 0] = 1;
    counts[2 * 10 + 0] = 150;
    counts[3 * 10 + 0] = 700;
    counts[0 * 10 + 5] = 42;
    counts[1 * 10 + 5] = 43;
}

static void test_heatmap_steps_and_key(void **state)
{
    (void)state;
    uint32_t counts[40];
    fixed_table(counts);
    int units[4];
    struct heatmap_opts o = {.title = "Figure 2", .highlight_max = true};
    struct canvas c;
    canvas_init(&c, 12, 80, COLOR_UTF8);
    struct heatmap_layout l = heatmap_render(&c, 0, 0, 12, 80, counts, 4, 10, &o, units);
    assert_int_equal(l.mode, HEATMAP_LINES);
    assert_int_equal(l.shown, 4);
    assert_int_equal(l.max, 700);
    assert_int_equal(l.levels, 8);
    assert_true(l.counts && l.key);
    int cw = l.cell_w, x0 = 3; /* "u3" + a blank column */
    const short want[4] = {TC_HEAT0, TC_HEAT1, TC_HEAT2, TC_HEAT7};
    for (int u = 0; u < 4; u++) {
        assert_int_equal(units[u], u);
        for (int i = 0; i < cw; i++)
            assert_int_equal(at(&c, 2 + u, x0 + i)->color, want[u]);
    }
    assert_string_equal(row_text(&c, 2 + 3, x0, cw), " 700");
    assert_true(at(&c, 2 + 3, x0 + cw - 1)->bold); /* column 0's maximum */
    assert_false(at(&c, 2 + 1, x0 + cw - 1)->bold);
    assert_true(at(&c, 2 + 1, x0 + 5 * cw + cw - 1)->bold); /* 43 beats 42 in column 5 */
    /* the key, right of the table: one line per step with the counts it stands for */
    const char *key[] = {"count",   "0",       "1-100",   "101-200", "201-300",
                         "301-400", "401-500", "501-600", "601-700"};
    int kx = x0 + 10 * cw + 2;
    for (int i = 0; i < 9; i++) {
        int tx = i == 0 ? kx : kx + 3;
        assert_string_equal(row_text(&c, 1 + i, tx, (int)strlen(key[i])), key[i]);
        if (i > 0) assert_int_equal(at(&c, 1 + i, kx)->color, TC_HEAT0 + i - 1);
    }
    canvas_free(&c);
}

/* Group names too long for their cells: the header shows indices and a key names them, right
 * of the table when the count key is there, else under the bottom key; the digits' own names
 * (their numbers) need no key. */
static void test_heatmap_group_names(void **state)
{
    (void)state;
    uint32_t counts[4 * 3] = {5, 0, 1, 0, 7, 0, 0, 0, 9, 1, 1, 1};
    const char *const names[3] = {"stable", "fever", "septic"};
    struct heatmap_opts o = {.title = "Figure 2", .col_names = names};
    struct canvas c;
    canvas_init(&c, 14, 60, COLOR_UTF8);
    struct heatmap_layout l = heatmap_render(&c, 0, 0, 14, 60, counts, 4, 3, &o, NULL);
    assert_true(l.key);
    int found = 0;
    for (int y = 0; y < 14; y++) {
        const char *line = row_text(&c, y, 0, 60);
        found |= strstr(line, "0 stable") != NULL;
        assert_null(strstr(line, "stabfe")); /* no names run into each other */
    }
    assert_true(found);
    canvas_free(&c);
    /* the bottom key: names wrapped under it */
    canvas_init(&c, 12, 16, COLOR_UTF8);
    l = heatmap_render(&c, 0, 0, 12, 16, counts, 4, 3, &o, NULL);
    found = 0;
    for (int y = 0; y < 12; y++)
        found |= strstr(row_text(&c, y, 0, 16), "2 septic") != NULL;
    assert_true(found);
    canvas_free(&c);
    /* digits: names "0".."2" are their numbers, no key of them */
    const char *const digits[3] = {"0", "1", "2"};
    o.col_names = digits;
    canvas_init(&c, 14, 60, COLOR_UTF8);
    heatmap_render(&c, 0, 0, 14, 60, counts, 4, 3, &o, NULL);
    for (int y = 0; y < 14; y++)
        assert_null(strstr(row_text(&c, y, 0, 60), "0 0"));
    canvas_free(&c);
}

static void test_heatmap_monochrome_shades(void **state)
{
    (void)state;
    uint32_t counts[40];
    fixed_table(counts);
    struct canvas c;
    /* too narrow for numbers: shade characters, ASCII ramp " .:-=+*#%@" */
    canvas_init(&c, 10, 24, 0);
    struct heatmap_layout l = heatmap_render(&c, 0, 0, 10, 24, counts, 4, 10, NULL, NULL);
    assert_int_equal(l.levels, 10);
    assert_false(l.counts);
    assert_int_equal(at(&c, 2 + 0, 3)->ch, L' ');
    assert_int_equal(at(&c, 2 + 1, 3)->ch, L'.');
    assert_int_equal(at(&c, 2 + 2, 3)->ch, L':'); /* 150 of 700: step 2 of 9 */
    assert_int_equal(at(&c, 2 + 3, 3)->ch, L'@');
    for (int i = 0; i < c.h * c.w; i++)
        assert_true(c.cells[i].ch < 0x7F);
    canvas_free(&c);
    /* UTF-8: " ░▒▓█" */
    canvas_init(&c, 10, 24, CANVAS_UTF8);
    l = heatmap_render(&c, 0, 0, 10, 24, counts, 4, 10, NULL, NULL);
    assert_int_equal(l.levels, 5);
    assert_int_equal(at(&c, 2 + 1, 3)->ch, 0x2591);
    assert_int_equal(at(&c, 2 + 3, 3)->ch, 0x2588);
    canvas_free(&c);
    /* wide enough for the counts: a shade where its number leaves room, just before the
     * number, the gap on the cell's left (at its left edge "░ 1░43" read as "1░") */
    canvas_init(&c, 12, 80, CANVAS_UTF8);
    l = heatmap_render(&c, 0, 0, 12, 80, counts, 4, 10, NULL, NULL);
    assert_true(l.counts);
    int cw = l.cell_w, x0 = 3;
    assert_int_equal(cw, 4);
    assert_string_equal(row_text(&c, 2 + 1, x0, cw), "  ~1");
    assert_string_equal(row_text(&c, 2 + 1, x0 + 5 * cw, cw), " ~43");
    assert_string_equal(row_text(&c, 2 + 2, x0, cw), " 150"); /* no room: the number alone */
    canvas_free(&c);
}

static void test_heatmap_halves_32_units_in_16_lines(void **state)
{
    (void)state;
    uint32_t counts[32 * 10] = {0};
    for (int u = 0; u < 32; u++)
        counts[u * 10 + u % 10] = (uint32_t)(10 * u + 10);
    int units[32];
    struct canvas c;
    canvas_init(&c, 19, 40, ALL_CAPS); /* title + header + 16 lines + key */
    struct heatmap_layout l = heatmap_render(&c, 0, 0, 19, 40, counts, 32, 10, NULL, units);
    assert_int_equal(l.mode, HEATMAP_HALVES);
    assert_int_equal(l.shown, 32);
    assert_int_equal(l.idle_hidden, 0);
    for (int u = 0; u < 32; u++)
        assert_int_equal(units[u], u);
    int x0 = (int)strlen("u30/31") + 1;
    for (int line = 0; line < 16; line++) {
        int up = 2 * line, low = 2 * line + 1;
        for (int d = 0; d < 10; d++) {
            const struct cell *p = at(&c, 2 + line, x0 + d * l.cell_w);
            assert_int_equal(p->ch, 0x2580);
            assert_int_equal(p->color, TC_HEAT0 + heatmap_level(counts[up * 10 + d], 320, 8));
            assert_int_equal(p->lower, 1 + heatmap_level(counts[low * 10 + d], 320, 8));
        }
    }
    assert_string_equal(row_text(&c, 2, 0, x0), "  u0/1 ");
    assert_string_equal(row_text(&c, 17, 0, x0), "u30/31 ");
    canvas_free(&c);
    /* without the pairs for it, the same space shows the active units only */
    canvas_init(&c, 19, 40, COLOR_UTF8);
    l = heatmap_render(&c, 0, 0, 19, 40, counts, 32, 10, NULL, NULL);
    assert_int_equal(l.mode, HEATMAP_LINES);
    assert_int_equal(l.shown, 16);
    assert_int_equal(l.more_hidden, 16);
    canvas_free(&c);
}

static void test_heatmap_hides_idle_units(void **state)
{
    (void)state;
    uint32_t counts[32 * 10] = {0};
    const int active[10] = {1, 3, 4, 8, 12, 17, 20, 25, 30, 31};
    for (int i = 0; i < 10; i++)
        counts[active[i] * 10 + i] = (uint32_t)(5 + i);
    int units[32];
    struct canvas c;
    canvas_init(&c, 15, 40, 0); /* monochrome: no halves; 12 lines for 32 units */
    struct heatmap_layout l = heatmap_render(&c, 0, 0, 15, 40, counts, 32, 10, NULL, units);
    assert_int_equal(l.mode, HEATMAP_LINES);
    assert_int_equal(l.shown, 10);
    assert_int_equal(l.idle_hidden, 22);
    assert_int_equal(l.more_hidden, 0);
    assert_memory_equal(units, active, sizeof active);
    assert_non_null(strstr(row_text(&c, 0, 0, 40), "22 idle units hidden"));
    assert_string_equal(row_text(&c, 2 + 4, 0, 4), "u12 ");
    canvas_free(&c);
    /* five lines: the five largest totals (units 17..31), still in unit order */
    canvas_init(&c, 8, 40, 0);
    l = heatmap_render(&c, 0, 0, 8, 40, counts, 32, 10, NULL, units);
    assert_int_equal(l.shown, 5);
    assert_int_equal(l.more_hidden, 5);
    const int top5[5] = {17, 20, 25, 30, 31};
    assert_memory_equal(units, top5, sizeof top5);
    assert_non_null(strstr(row_text(&c, 0, 0, 40), "22 idle, 5 more hidden"));
    canvas_free(&c);
    /* a title and "27 hidden" one column too wide together: the short title, whole, not
     * the long one cut ("Figure 2 (10/32 active" lost its ")") */
    struct heatmap_opts o = {.title = "Figure 2 (10/32 active)",
                             .title_short = "Fig. 2 (10/32 active)"};
    canvas_init(&c, 8, 32, 0);
    heatmap_render(&c, 0, 0, 8, 32, counts, 32, 10, &o, units);
    assert_string_equal(row_text(&c, 0, 0, 32), "Fig. 2 (10/32 active)  27 hidden");
    canvas_free(&c);
    /* room for both: the title as it is */
    canvas_init(&c, 8, 33, 0);
    heatmap_render(&c, 0, 0, 8, 33, counts, 32, 10, &o, units);
    assert_string_equal(row_text(&c, 0, 0, 33), "Figure 2 (10/32 active) 27 hidden");
    canvas_free(&c);
}

// ---- tiny rectangles ----

static void fill_sentinel(struct canvas *c)
{
    for (int i = 0; i < c->h * c->w; i++)
        c->cells[i] = (struct cell){L'#', TC_ERROR, 7, 1};
}

static void assert_outside_untouched(const struct canvas *c, int y, int x, int h, int w)
{
    for (int i = 0; i < c->h; i++)
        for (int j = 0; j < c->w; j++) {
            if (i >= y && i < y + h && j >= x && j < x + w) continue;
            const struct cell *p = at(c, i, j);
            assert_true(p->ch == L'#' && p->color == TC_ERROR && p->lower == 7);
        }
}

static void test_tiny_rectangles(void **state)
{
    (void)state;
    static const int sizes[][2] = {{0, 0},  {0, 10}, {3, 0},   {1, 1},  {2, 5},  {3, 10},
                                   {4, 12}, {5, 3},  {12, 40}, {40, 2}, {2, 120}};
    static uint32_t counts[32 * 10];
    static double y[300], x[300];
    for (int i = 0; i < 32 * 10; i++)
        counts[i] = (uint32_t)((i * 37) % 11 == 0 ? i : 0);
    for (int i = 0; i < 300; i++) {
        x[i] = i * 10;
        y[i] = i % 7 ? exp(-i / 50.0) : NAN;
    }
    struct chart_series s[2] = {{"loss", x, y, 300, TC_SERIES0}, {"reg", NULL, y, 300, TC_SERIES1}};
    struct chart_marker m[2] = {{1000, "a long marker label"}, {1500, "b"}};
    struct chart_opts co = {.title = "a long title for a small box", .log_y = true};
    struct heatmap_opts ho = {.title = "a long title for a small box", .highlight_max = true};
    unsigned caps[3] = {0, CANVAS_UTF8, ALL_CAPS};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (int k = 0; k < 3; k++) {
            int h = sizes[i][0], w = sizes[i][1];
            struct canvas c;
            canvas_init(&c, 50, 130, caps[k]);
            fill_sentinel(&c);
            chart_render(&c, 4, 5, h, w, s, 2, m, 2, &co);
            assert_outside_untouched(&c, 4, 5, h, w);
            fill_sentinel(&c);
            heatmap_render(&c, 4, 5, h, w, counts, 32, 10, &ho, NULL);
            assert_outside_untouched(&c, 4, 5, h, w);
            canvas_free(&c);
        }
    /* a rectangle hanging over the canvas edge is clipped, not overrun */
    struct canvas c;
    canvas_init(&c, 6, 20, ALL_CAPS);
    chart_render(&c, 3, 12, 10, 30, s, 2, m, 2, &co);
    heatmap_render(&c, -2, -3, 10, 30, counts, 32, 10, &ho, NULL);
    canvas_free(&c);
}

/* Large type: "1.0" is 3 + 1 + 1 + 1 + 3 columns; the '.' is one dot on the last row. */
static void test_bigtext(void **state)
{
    (void)state;
    assert_int_equal(bigtext_width("1.0"), 9);
    assert_int_equal(bigtext_width("x"), 0); /* no glyph: left out */
    struct canvas c;
    canvas_init(&c, 6, 12, 0);
    struct canvas_rect r = {0, 0, 6, 12};
    assert_int_equal(bigtext_render(&c, &r, 0, 0, "1.0", TC_TITLE), 9);
    assert_int_equal(canvas_cell(&c, 4, 4)->ch, L'#'); /* the dot */
    for (int y = 0; y < 4; y++)
        assert_int_equal(canvas_cell(&c, y, 4)->ch, L' ');
    /* "0": a ring, hollow in the middle */
    assert_int_equal(canvas_cell(&c, 0, 6)->ch, L'#');
    assert_int_equal(canvas_cell(&c, 2, 7)->ch, L' ');
    assert_int_equal(canvas_cell(&c, 2, 8)->ch, L'#');
    for (int x = 0; x < 12; x++) /* nothing below the 5 rows */
        assert_int_equal(canvas_cell(&c, 5, x)->ch, L' ');
    canvas_free(&c);
}

/*
 * Strokes: a horizontal stroke from (4, 14) ten steps right, an end-of-stroke
 * marker, a pen-up jump down to (4, 24), a short stroke, the end: ink on two
 * rows of cells, the jump only as dim dots between them, nothing outside.
 */
static void test_strokes(void **state)
{
    (void)state;
    int8_t rows[18 * 4] = {0};
    int n = 0;
    rows[n * 4] = 4, rows[n * 4 + 1] = 14, n++;
    for (int i = 0; i < 10; i++)
        rows[n * 4] = 1, n++;
    rows[n * 4 + 2] = 1, n++;                     /* end of stroke */
    rows[n * 4] = -10, rows[n * 4 + 1] = 10, n++; /* pen up to (4, 24) */
    for (int i = 0; i < 3; i++)
        rows[n * 4] = 1, n++;
    rows[n * 4 + 2] = 1, rows[n * 4 + 3] = 1, n++;
    struct canvas c;
    canvas_init(&c, 16, 32, 0); /* ASCII: '#' ink, '.' jump, 1 x 2 dots per cell */
    strokes_render(&c, 1, 1, 14, 30, rows, n, TC_SERIES0, TC_DIM);
    int ink_rows[16] = {0}, jumps = 0;
    for (int y = 0; y < 16; y++)
        for (int x = 0; x < 32; x++) {
            struct cell *cl = canvas_cell(&c, y, x);
            if (y == 0 || x == 0 || y == 15 || x == 31) assert_int_equal(cl->ch, L' ');
            if (cl->ch == L'#') ink_rows[y] = 1, assert_int_equal(cl->color, TC_SERIES0);
            if (cl->ch == L'.') jumps++, assert_int_equal(cl->color, TC_DIM);
        }
    int bands = 0;
    for (int y = 1; y < 16; y++)
        bands += ink_rows[y] && !ink_rows[y - 1];
    assert_int_equal(bands, 2);
    assert_true(jumps > 0);
    canvas_free(&c);
    /* braille: the same, dots in U+2800..U+28FF */
    canvas_init(&c, 8, 16, CANVAS_UTF8 | CANVAS_COLOR);
    strokes_render(&c, 0, 0, 8, 16, rows, n, TC_SERIES0, TC_DIM);
    int braille = 0;
    for (int i = 0; i < 8 * 16; i++)
        braille += c.cells[i].ch >= 0x2801 && c.cells[i].ch <= 0x28FF;
    assert_true(braille > 4);
    canvas_free(&c);
}

/* A click's cell: each drawn cell maps back to its unit and digit; the labels and the key do not.
 */
static void test_heatmap_hit(void **state)
{
    (void)state;
    uint32_t counts[6 * 10] = {0};
    for (int u = 0; u < 6; u++)
        counts[u * 10 + (u + 3) % 10] = 10 + (uint32_t)u; /* unit u wins digit u+3 */
    counts[2 * 10 + 4] = 0;
    struct canvas c;
    canvas_init(&c, 12, 60, CANVAS_UTF8 | CANVAS_COLOR);
    int units[6];
    struct heatmap_layout lay = heatmap_render(&c, 0, 0, 12, 60, counts, 6, 10, NULL, units);
    assert_int_equal(lay.mode, HEATMAP_LINES);
    int unit, digit;
    for (int line = 0; line < lay.shown; line++)
        for (int d = 0; d < 10; d++) {
            int col = lay.label_w + d * lay.cell_w + lay.cell_w / 2;
            assert_true(heatmap_hit(&lay, units, 10, 2 + line, col, &unit, &digit));
            assert_int_equal(unit, units[line]);
            assert_int_equal(digit, d);
        }
    assert_false(heatmap_hit(&lay, units, 10, 1, lay.label_w, &unit, &digit));     /* header */
    assert_false(heatmap_hit(&lay, units, 10, 2, lay.label_w - 1, &unit, &digit)); /* label */
    assert_false(heatmap_hit(&lay, units, 10, 2, lay.label_w + 10 * lay.cell_w, &unit,
                             &digit)); /* the key */
    assert_false(heatmap_hit(&lay, units, 10, 2 + lay.shown, lay.label_w, &unit, &digit));
    canvas_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canvas_text_and_clipping),
        cmocka_unit_test(test_braille_dot_codes),
        cmocka_unit_test(test_constant_series_is_a_horizontal_line),
        cmocka_unit_test(test_spike_survives_many_points_per_column),
        cmocka_unit_test(test_last_series_colours_a_shared_cell),
        cmocka_unit_test(test_log_scale_ticks),
        cmocka_unit_test(test_nan_and_nonpositive_skipped_on_log),
        cmocka_unit_test(test_number_formats),
        cmocka_unit_test(test_x_labels_are_round_steps),
        cmocka_unit_test(test_x_labels_real),
        cmocka_unit_test(test_markers_at_their_column),
        cmocka_unit_test(test_ascii_fallback),
        cmocka_unit_test(test_quadrant_dots),
        cmocka_unit_test(test_no_data),
        cmocka_unit_test(test_ema),
        cmocka_unit_test(test_heat_levels_and_floors),
        cmocka_unit_test(test_heatmap_steps_and_key),
        cmocka_unit_test(test_heatmap_monochrome_shades),
        cmocka_unit_test(test_heatmap_group_names),
        cmocka_unit_test(test_heatmap_halves_32_units_in_16_lines),
        cmocka_unit_test(test_heatmap_hides_idle_units),
        cmocka_unit_test(test_tiny_rectangles),
        cmocka_unit_test(test_bigtext),
        cmocka_unit_test(test_strokes),
        cmocka_unit_test(test_heatmap_hit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
