/*
 * acthist — how each unit of the target layer (FC1, or the code) responds
 * to each digit over the test split: a histogram of its activation per
 * digit, on one range shared by every unit so that panels side by side
 * compare, the mean per digit, and which units are dead (constant: a ReLU
 * that is never positive). Figure 2 (actmap.h) keeps only each sequence's
 * winning unit; this keeps every unit's whole distribution.
 *
 * Files (acthist_write_csv), numbers only under a header:
 *   acthist.csv  unit,digit,bin,lo,hi,count   one row per unit x digit x bin;
 *                bin b covers [lo, hi) (the last one [lo, hi]), the same
 *                edges for every unit and digit
 *   actmean.csv  unit,digit0..digit9,min,max,dead   one row per unit: the
 *                mean per digit (nan for a digit with no sequence), the
 *                unit's range over the split, 1 when it is dead
 */
#ifndef FTLAB_ACTHIST_H
#define FTLAB_ACTHIST_H

#include <stddef.h>
#include <stdint.h>

#define ACTHIST_BINS 40
#define ACTHIST_DIGITS 10
/* A unit whose activations span less than this is constant: dead. */
#define ACTHIST_DEAD_RANGE 1e-6

struct acthist {
    int units, bins;
    double lo, hi;   /* the shared range: the smallest and largest activation of any unit; when
                      * they are (nearly) equal, widened to lo - 0.5, hi + 0.5 */
    uint32_t *count; /* units x ACTHIST_DIGITS x bins: sequences of that digit in that bin */
    uint32_t per_digit[ACTHIST_DIGITS]; /* sequences of each digit counted */
    double *mean;                       /* units x ACTHIST_DIGITS; NAN for a digit with none */
    double *min, *max;                  /* units: over every sequence counted */
    int dead;                           /* units with max - min < ACTHIST_DEAD_RANGE */
};

/*
 * A [n x K] row-major activations, digit [n] the class of each sample. Fills
 * h (allocated here; acthist_free after). Samples whose digit is not 0-9, and
 * NaN activations, are not counted. Returns the number of samples counted.
 */
size_t acthist_compute(const float *A, size_t n, int K, const uint8_t *digit, struct acthist *h);
/* The bin value x falls in: floor((x - lo) / (hi - lo) * bins), clamped to [0, bins). */
int acthist_bin(const struct acthist *h, double x);
/* The lower edge of bin b, the same for every unit (b = bins: the top of the range). */
double acthist_edge(const struct acthist *h, int b);
/* 1 when unit u is constant over the samples counted (or had none). */
int acthist_is_dead(const struct acthist *h, int u);
void acthist_free(struct acthist *h);

/* DIR/acthist.csv and DIR/actmean.csv (formats above), each written whole or not at all;
 * -1 and err ("DIR/acthist.csv: ...") on failure. */
int acthist_write_csv(const struct acthist *h, const char *dir, char *err);

#endif
