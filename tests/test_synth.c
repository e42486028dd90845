/* Tests of synth: determinism, the MNIST-strokes format (SPEC.md §2.3), class
 * balance, writing styles, and that the ten digits can be told apart. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq8.h"
#include "synth.h"

static int same_dataset(const struct dataset *a, const struct dataset *b)
{
    return a->n == b->n && !memcmp(a->offset, b->offset, (a->n + 1) * sizeof *a->offset) &&
           !memcmp(a->group, b->group, a->n) && !memcmp(a->y, b->y, a->n) &&
           !memcmp(a->x, b->x, (size_t)a->offset[a->n] * DATASET_STROKE_DIM * sizeof *a->x);
}

static void test_deterministic(void **state)
{
    (void)state;
    struct dataset a, b, c;
    uint8_t sa[500], sb[500];
    synth_generate(&a, 500, 7, "a", sa);
    synth_generate(&b, 500, 7, "b", sb);
    synth_generate(&c, 500, 8, "c", NULL);
    assert_true(same_dataset(&a, &b));
    assert_memory_equal(sa, sb, sizeof sa);
    assert_false(same_dataset(&a, &c));
    assert_string_equal(a.source, "a");
    dataset_free(&a);
    dataset_free(&b);
    dataset_free(&c);
}

/* Checks one sequence against SPEC.md §2.3; returns NULL or what is wrong. */
static const char *check_sequence(const int8_t *s, size_t len)
{
    int x = s[0], y = s[1], after_eos = 0;
    if (len < SYNTH_MIN_LEN || len > SYNTH_MAX_LEN) return "length out of range";
    if (x < 1 || x > 28 || y < 2 || y > 28 || s[2] || s[3])
        return "row 0 is not a start point on the grid";
    for (size_t t = 1; t < len; t++) {
        const int8_t *r = s + 4 * t;
        int last = t == len - 1;
        if (r[2] != 0 && r[2] != 1) return "eos not 0/1";
        if (r[3] != (last ? 1 : 0)) return "eod not exactly on the last row";
        if (r[2]) {
            if (r[0] || r[1]) return "eos row with a move";
            if (after_eos) return "two markers in a row";
            after_eos = 1;
            continue;
        }
        if (last) return "last row is not (0,0,1,1)";
        if (!r[0] && !r[1]) return "zero move outside a marker";
        if (!after_eos && (abs(r[0]) > 1 || abs(r[1]) > 1))
            return "move inside a stroke is not a unit step";
        after_eos = 0;
        x += r[0];
        y += r[1];
        if (x < SYNTH_GRID_MIN || x > SYNTH_GRID_MAX || y < SYNTH_GRID_MIN || y > SYNTH_GRID_MAX)
            return "pen leaves the grid";
    }
    if (!after_eos) return "does not end with a marker";
    return NULL;
}

static void test_format(void **state)
{
    (void)state;
    const size_t n = 3000;
    struct dataset d;
    synth_generate(&d, n, 3, "fmt", NULL);
    assert_int_equal(d.n, n);
    assert_int_equal(d.offset[0], 0);
    for (size_t i = 0; i < n; i++) {
        assert_true(d.group[i] < DATASET_DIGITS);
        const char *why = check_sequence(seq8(&d, i), dataset_len(&d, i));
        if (why) fail_msg("sequence %zu (digit %d): %s", i, d.group[i], why);
    }
    dataset_free(&d);
}

/* The checker itself must reject broken sequences. */
static void test_checker_rejects(void **state)
{
    (void)state;
    const int8_t good[] = {5, 8, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 3, 4, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1};
    int8_t bad[sizeof good];
    assert_null(check_sequence(good, 6));
    const struct {
        int index, value;
    } edits[] = {{0, 0}, {4, 2}, {9, 1}, {10, 0}, {12, 25}, {16, -3}, {19, 1}, {22, 0}, {23, 0}};
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        memcpy(bad, good, sizeof good);
        bad[edits[k].index] = (int8_t)edits[k].value;
        assert_non_null(check_sequence(bad, 6));
    }
}

static void test_balance(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 7, 10, 1003};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k], count[DATASET_DIGITS] = {0};
        struct dataset d;
        synth_generate(&d, n, 5, "bal", NULL);
        assert_int_equal(d.n, n);
        for (size_t i = 0; i < n; i++)
            count[d.group[i]]++;
        for (int c = 0; c < DATASET_DIGITS; c++) {
            assert_true(count[c] >= n / 10);
            assert_true(count[c] <= n / 10 + 1);
        }
        dataset_free(&d);
    }
    /* Shuffled, not 0,1,2,...: some early position holds another digit. */
    struct dataset d;
    synth_generate(&d, 100, 5, "order", NULL);
    int in_order = 1;
    for (size_t i = 0; i < 20; i++)
        in_order &= d.group[i] == i % 10;
    assert_false(in_order);
    dataset_free(&d);
}

// ---- fixed features: 7x7 occupancy of the integrated pen path (+ start point) ----

#define CELLS 7
#define FEATURES (CELLS * CELLS + 2)

/*
 * f[0..48]: share of path points per cell. With `boxed`, the cells divide the
 * digit's own bounding box (blind to position and size) and f[49..50] hold the
 * start point within the box (writing order: styles may share a shape but
 * not a start); otherwise the cells divide the 28x28 grid and f[49..50] = 0.
 */
static void features(const int8_t *s, size_t len, int boxed, double *f)
{
    int x = s[0], y = s[1], x0 = 1, y0 = 1, w = 28, h = 28;
    if (boxed) {
        int x1 = x, y1 = y;
        x0 = x, y0 = y;
        for (size_t t = 1; t < len; t++) {
            x += s[4 * t], y += s[4 * t + 1];
            x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
            y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
        }
        w = x1 - x0 + 1, h = y1 - y0 + 1;
        x = s[0], y = s[1];
    }
    size_t points = 0;
    memset(f, 0, FEATURES * sizeof *f);
    for (size_t t = 0; t < len; t++) {
        if (t > 0) {
            x += s[4 * t];
            y += s[4 * t + 1];
        }
        if (s[4 * t + 2]) continue;
        int cx = (x - x0) * CELLS / w, cy = (y - y0) * CELLS / h;
        cx = cx < 0 ? 0 : cx >= CELLS ? CELLS - 1 : cx;
        cy = cy < 0 ? 0 : cy >= CELLS ? CELLS - 1 : cy;
        f[cy * CELLS + cx] += 1;
        points++;
    }
    for (int k = 0; k < CELLS * CELLS; k++)
        f[k] /= (double)points;
    if (boxed) {
        f[CELLS * CELLS] = (double)(s[0] - x0) / w;
        f[CELLS * CELLS + 1] = (double)(s[1] - y0) / h;
    }
}

/* Nearest-mean accuracy on test of groups (labels below ngroups) learnt on
 * train, over the sequences of only_digit (or all when -1). */
static double nearest_mean_accuracy(const struct dataset *train, const uint8_t *train_label,
                                    const struct dataset *test, const uint8_t *test_label,
                                    int ngroups, int only_digit, int boxed)
{
    double(*mean)[FEATURES] = calloc((size_t)ngroups, sizeof *mean), f[FEATURES];
    size_t *count = calloc((size_t)ngroups, sizeof *count), right = 0, total = 0;
    for (size_t i = 0; i < train->n; i++) {
        if (only_digit >= 0 && train->group[i] != only_digit) continue;
        features(seq8(train, i), dataset_len(train, i), boxed, f);
        for (int k = 0; k < FEATURES; k++)
            mean[train_label[i]][k] += f[k];
        count[train_label[i]]++;
    }
    for (int g = 0; g < ngroups; g++)
        for (int k = 0; k < FEATURES; k++)
            mean[g][k] /= count[g] ? (double)count[g] : 1.0;
    for (size_t i = 0; i < test->n; i++) {
        if (only_digit >= 0 && test->group[i] != only_digit) continue;
        features(seq8(test, i), dataset_len(test, i), boxed, f);
        int best = 0;
        double best_d = 1e300;
        for (int g = 0; g < ngroups; g++) {
            double dist = 0;
            for (int k = 0; k < FEATURES; k++)
                dist += (f[k] - mean[g][k]) * (f[k] - mean[g][k]);
            if (count[g] && dist < best_d) best_d = dist, best = g;
        }
        right += best == test_label[i];
        total++;
    }
    free(mean);
    free(count);
    return total ? (double)right / (double)total : 0.0;
}

/* Would catch a generator whose digits look alike: chance is 10%. */
static void test_classes_differ(void **state)
{
    (void)state;
    struct dataset train, test;
    synth_generate(&train, 3000, 11, "train", NULL);
    synth_generate(&test, 1000, 12, "test", NULL);
    double acc = nearest_mean_accuracy(&train, train.group, &test, test.group, 10, -1, 0);
    printf("nearest-class-mean accuracy (7x7 occupancy): %.3f\n", acc);
    assert_true(acc > 0.5);
    dataset_free(&train);
    dataset_free(&test);
}

/* Every digit draws from at least two styles, and its styles differ: within a
 * digit, a nearest-style-mean classifier (shape in the digit's box + start
 * point) beats always guessing the most frequent style. */
static void test_styles(void **state)
{
    (void)state;
    const size_t n = 6000;
    struct dataset train, test;
    uint8_t *train_style = malloc(n), *test_style = malloc(n);
    synth_generate(&train, n, 21, "train", train_style);
    synth_generate(&test, n, 22, "test", test_style);
    for (int dg = 0; dg < DATASET_DIGITS; dg++) {
        int styles = synth_style_count(dg);
        assert_in_range(styles, 2, SYNTH_MAX_STYLES);
        for (int k = 0; k < styles; k++)
            assert_non_null(synth_style_name(dg, k));
        assert_null(synth_style_name(dg, styles));

        size_t used[SYNTH_MAX_STYLES] = {0}, total = 0, majority = 0;
        for (size_t i = 0; i < n; i++)
            if (test.group[i] == dg) {
                assert_true(test_style[i] < styles);
                used[test_style[i]]++;
                total++;
            }
        int distinct = 0;
        for (int k = 0; k < styles; k++) {
            distinct += used[k] > 0;
            majority = used[k] > majority ? used[k] : majority;
        }
        assert_true(distinct >= 2);
        double acc = nearest_mean_accuracy(&train, train_style, &test, test_style, styles, dg, 1);
        double base = (double)majority / (double)total;
        printf("digit %d: %d styles, nearest-style-mean accuracy %.3f (majority %.3f)\n", dg,
               styles, acc, base);
        assert_true(acc > base + 0.15);
    }
    assert_null(synth_style_name(-1, 0));
    assert_int_equal(synth_style_count(10), 0);
    free(train_style);
    free(test_style);
    dataset_free(&train);
    dataset_free(&test);
}

/* FNV-1a over a split's offsets, rows and digits. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t dataset_hash(uint64_t h, const struct dataset *d)
{
    for (size_t i = 0; i <= d->n; i++) {
        unsigned char le[4] = {(unsigned char)d->offset[i], (unsigned char)(d->offset[i] >> 8),
                               (unsigned char)(d->offset[i] >> 16),
                               (unsigned char)(d->offset[i] >> 24)};
        h = fnv1a(h, le, sizeof le);
    }
    h = fnv1a(h, rows8(d, 0, d->offset[d->n]), (size_t)d->offset[d->n] * DATASET_STROKE_DIM);
    return fnv1a(h, d->group, d->n);
}

/*
 * The default sample is the same bytes on every machine and build. When the
 * templates or the drawing change on purpose, bump SYNTH_VERSION and put the
 * new value here. A change on one platform only would point at libm rounding
 * (the hash agrees across gcc and clang, -O0 to -O3, with or without fused multiply-adds).
 */
#define SAMPLE_HASH_V1 0x68ac93f9ab65d58bULL

static void test_sample_bytes(void **state)
{
    (void)state;
    struct dataset_pair p;
    synth_sample(&p);
    uint64_t h = dataset_hash(dataset_hash(0xcbf29ce484222325ULL, &p.train), &p.test);
    printf("sample hash: 0x%016llxULL (SYNTH_VERSION %d)\n", (unsigned long long)h, SYNTH_VERSION);
    assert_int_equal(SYNTH_VERSION, 1);
    assert_true(h == SAMPLE_HASH_V1);
    dataset_pair_free(&p);
}

static void test_sample(void **state)
{
    (void)state;
    struct dataset_pair p;
    synth_sample(&p);
    assert_int_equal(p.train.n, SYNTH_TRAIN_N);
    assert_int_equal(p.test.n, SYNTH_TEST_N);
    assert_string_not_equal(p.train.source, p.test.source);
    assert_non_null(strstr(p.train.source, "synthetic"));
    /* Different streams: the test split is not a prefix of the training split. */
    assert_false(dataset_len(&p.train, 0) == dataset_len(&p.test, 0) &&
                 !memcmp(dataset_seq(&p.train, 0), dataset_seq(&p.test, 0),
                         dataset_len(&p.test, 0) * DATASET_STROKE_DIM * sizeof(float)));
    size_t lo = SIZE_MAX, hi = 0, sum = 0;
    for (size_t i = 0; i < p.train.n; i++) {
        size_t len = dataset_len(&p.train, i);
        lo = len < lo ? len : lo;
        hi = len > hi ? len : hi;
        sum += len;
    }
    double mean = (double)sum / (double)p.train.n;
    printf("sample train lengths: min %zu max %zu mean %.2f\n", lo, hi, mean);
    /* Real MNIST strokes: mean 39.9; a broken resampler would move this far. */
    assert_true(mean > 25 && mean < 60);
    dataset_pair_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),  cmocka_unit_test(test_checker_rejects),
        cmocka_unit_test(test_format),         cmocka_unit_test(test_balance),
        cmocka_unit_test(test_classes_differ), cmocka_unit_test(test_styles),
        cmocka_unit_test(test_sample),         cmocka_unit_test(test_sample_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
