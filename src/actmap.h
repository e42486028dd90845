/*
 * actmap — the paper's Figure 2: for each sample the FC1 unit with the largest
 * activation, counted per class (the groups, the ten digits for MNIST). A disentangled layer gives
 * each digit its own few winning units; a collapsed one lets a handful of units win everything.
 *
 * Ties go to the first (lowest-index) unit, like numpy.argmax. So a sample
 * that activates no unit (every ReLU output 0) counts for unit 0;
 * actmap_zero_rows says how many samples that was, because a tall bar on unit
 * 0 may be this rule rather than a real winner. Unlike numpy, a NaN never
 * beats a number (a row of only NaN counts for unit 0).
 */
#ifndef FTLAB_ACTMAP_H
#define FTLAB_ACTMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A [n x K] row-major activations, cls [n] the class of each sample, C classes.
 * Zeroes counts [K x C] and adds 1 to counts[u * C + cls[i]] where u is
 * the argmax of row i. Samples whose class is not below C are skipped. Returns
 * the number of samples counted.
 */
size_t actmap_count(const float *A, size_t n, int K, const uint8_t *cls, int C, uint32_t *counts);

/* The unit a sample with activations a [K > 0] counts for: the first index of the largest
 * value; a NaN loses to any number. */
int actmap_argmax(const float *a, int K);

/* Rows of A [n x K] whose activations are all exactly 0: the samples that
 * actmap_count gives to unit 0 by the tie rule alone. */
size_t actmap_zero_rows(const float *A, size_t n, int K);

/* Units that win at least one sample, from counts [K x C]. */
int actmap_active_units(const uint32_t *counts, int K, int C);

#endif
