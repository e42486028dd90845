/*
 * vitals — a second embedded sample that is not MNIST: six-channel hourly
 * "vital signs" of synthetic ICU stays, each drawn from one of six latent
 * patient types, three per outcome (sample-data/README.md describes the
 * generator). y is the outcome (0 survived, 1 died); the groups are the
 * latent types, which the binary task never names: the paper's motivating
 * case (clustering patients when only mortality is labelled).
 *
 * Channels (in this order): heart rate, systolic blood pressure,
 * respiratory rate, SpO2, temperature, lactate, each as (value - normal) /
 * spread with fixed reference figures, so no standardisation is needed.
 */
#ifndef FTLAB_VITALS_H
#define FTLAB_VITALS_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

#define VITALS_DIM 6
#define VITALS_TYPES 6
#define VITALS_TRAIN_N 3000
#define VITALS_TEST_N 1000
#define VITALS_TRAIN_SEED 11
#define VITALS_TEST_SEED 12
#define VITALS_MIN_LEN 24
#define VITALS_MAX_LEN 72
#define VITALS_VERSION 1

/* n stays from seed into d (dataset_init; free with dataset_free). */
void vitals_generate(struct dataset *d, size_t n, uint64_t seed, const char *source);
/* The sample: VITALS_TRAIN_N from VITALS_TRAIN_SEED, VITALS_TEST_N from VITALS_TEST_SEED. */
void vitals_sample(struct dataset_pair *p);
/* The channel names ("heart_rate", ...), static storage. */
const char *vitals_channel_name(int c);

#endif
