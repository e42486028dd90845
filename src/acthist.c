/* acthist — per-unit, per-digit activation histograms and means. See acthist.h. */
#include "acthist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "util.h"

int acthist_bin(const struct acthist *h, double x)
{
    double b = floor((x - h->lo) / (h->hi - h->lo) * h->bins);
    return b < 0 ? 0 : b >= h->bins ? h->bins - 1 : (int)b;
}

double acthist_edge(const struct acthist *h, int b)
{
    return b >= h->bins ? h->hi : h->lo + (h->hi - h->lo) * b / h->bins;
}

int acthist_is_dead(const struct acthist *h, int u)
{
    return !(h->max[u] - h->min[u] >= ACTHIST_DEAD_RANGE);
}

/* The shared range first (a pass over every value), so that the counting pass bins at once. */
static void shared_range(const float *A, size_t n, int K, const uint8_t *digit, struct acthist *h)
{
    for (int u = 0; u < K; u++)
        h->min[u] = INFINITY, h->max[u] = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (digit[i] >= ACTHIST_DIGITS) continue;
        for (int u = 0; u < K; u++) {
            double x = A[i * (size_t)K + u];
            if (x < h->min[u]) h->min[u] = x; /* false for NaN: skipped */
            if (x > h->max[u]) h->max[u] = x;
        }
    }
    h->lo = INFINITY, h->hi = -INFINITY;
    for (int u = 0; u < K; u++) {
        if (h->min[u] < h->lo) h->lo = h->min[u];
        if (h->max[u] > h->hi) h->hi = h->max[u];
    }
    if (!isfinite(h->lo) || !isfinite(h->hi)) h->lo = h->hi = 0; /* nothing counted */
    /* Every unit dead at one value: a range of width 1 around it keeps the bins defined. */
    if (h->hi - h->lo < ACTHIST_DEAD_RANGE) h->lo -= 0.5, h->hi += 0.5;
}

size_t acthist_compute(const float *A, size_t n, int K, const uint8_t *digit, struct acthist *h)
{
    memset(h, 0, sizeof *h);
    h->units = K;
    h->bins = ACTHIST_BINS;
    size_t cells = (size_t)K * ACTHIST_DIGITS;
    h->count = xcalloc(cells * (size_t)h->bins, sizeof *h->count);
    h->mean = xcalloc(cells, sizeof *h->mean);
    h->min = xcalloc((size_t)K, sizeof *h->min);
    h->max = xcalloc((size_t)K, sizeof *h->max);
    uint32_t *seen = xcalloc(cells, sizeof *seen); /* non-NaN values per unit and digit */
    shared_range(A, n, K, digit, h);
    size_t counted = 0;
    for (size_t i = 0; i < n; i++) {
        int d = digit[i];
        if (d >= ACTHIST_DIGITS) continue;
        counted++;
        h->per_digit[d]++;
        for (int u = 0; u < K; u++) {
            double x = A[i * (size_t)K + u];
            if (isnan(x)) continue;
            size_t cell = (size_t)u * ACTHIST_DIGITS + (size_t)d;
            h->count[cell * (size_t)h->bins + (size_t)acthist_bin(h, x)]++;
            h->mean[cell] += x;
            seen[cell]++;
        }
    }
    for (size_t c = 0; c < cells; c++)
        h->mean[c] = seen[c] ? h->mean[c] / seen[c] : NAN;
    for (int u = 0; u < K; u++) {
        if (!(h->min[u] <= h->max[u])) h->min[u] = h->max[u] = NAN; /* no value counted */
        h->dead += acthist_is_dead(h, u);
    }
    free(seen);
    return counted;
}

void acthist_free(struct acthist *h)
{
    free(h->count);
    free(h->mean);
    free(h->min);
    free(h->max);
    memset(h, 0, sizeof *h);
}

/* A number as the CSV files hold it: 9 significant digits (a float's exact value), or nan. */
static void put_value(FILE *fp, double v)
{
    if (isnan(v))
        fputs(",nan", fp);
    else
        fprintf(fp, ",%.9g", v);
}

static int write_hist(const struct acthist *h, const char *dir, char *err)
{
    struct ftl_atomic a;
    char *path = run_path(dir, "acthist.csv");
    int rc = ftl_atomic_open(&a, path, err);
    free(path);
    if (rc != 0) return -1;
    fputs("unit,digit,bin,lo,hi,count\n", a.fp);
    for (int u = 0; u < h->units; u++)
        for (int d = 0; d < ACTHIST_DIGITS; d++) {
            const uint32_t *c = h->count + ((size_t)u * ACTHIST_DIGITS + (size_t)d) * h->bins;
            for (int b = 0; b < h->bins; b++) {
                fprintf(a.fp, "%d,%d,%d", u, d, b);
                put_value(a.fp, acthist_edge(h, b));
                put_value(a.fp, acthist_edge(h, b + 1));
                fprintf(a.fp, ",%u\n", c[b]);
            }
        }
    return ftl_atomic_commit(&a, err);
}

static int write_mean(const struct acthist *h, const char *dir, char *err)
{
    struct ftl_atomic a;
    char *path = run_path(dir, "actmean.csv");
    int rc = ftl_atomic_open(&a, path, err);
    free(path);
    if (rc != 0) return -1;
    fputs("unit", a.fp);
    for (int d = 0; d < ACTHIST_DIGITS; d++)
        fprintf(a.fp, ",digit%d", d);
    fputs(",min,max,dead\n", a.fp);
    for (int u = 0; u < h->units; u++) {
        fprintf(a.fp, "%d", u);
        for (int d = 0; d < ACTHIST_DIGITS; d++)
            put_value(a.fp, h->mean[(size_t)u * ACTHIST_DIGITS + (size_t)d]);
        put_value(a.fp, h->min[u]);
        put_value(a.fp, h->max[u]);
        fprintf(a.fp, ",%d\n", acthist_is_dead(h, u));
    }
    return ftl_atomic_commit(&a, err);
}

int acthist_write_csv(const struct acthist *h, const char *dir, char *err)
{
    if (write_hist(h, dir, err) != 0) return -1;
    return write_mean(h, dir, err);
}
