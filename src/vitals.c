/* vitals — synthetic ICU stays from latent patient types. See vitals.h. */
#include "vitals.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "util.h"

static const char *const channel[VITALS_DIM] = {"heart_rate", "systolic_bp", "resp_rate",
                                                "spo2",       "temperature", "lactate"};
/* The reference each channel is expressed against: (value - normal) / spread. */
static const double normal[VITALS_DIM] = {80, 120, 16, 97, 37.0, 1.0};
static const double spread[VITALS_DIM] = {15, 20, 4, 2, 0.7, 0.8};

/* Each type drifts from its admission levels to its levels at the end of the stay. */
static const struct {
    const char *name;
    int outcome;
    double start[VITALS_DIM], end[VITALS_DIM];
} types[VITALS_TYPES] = {
    {"stable", 0, {78, 122, 15, 97.5, 36.9, 1.0}, {76, 120, 15, 97.5, 36.8, 0.9}},
    {"fever", 0, {105, 115, 20, 96, 39.0, 1.8}, {85, 118, 16, 97, 37.2, 1.1}},
    {"hypertensive", 0, {88, 160, 17, 96.5, 37.1, 1.2}, {82, 140, 16, 97, 37.0, 1.0}},
    {"septic", 1, {110, 105, 22, 95, 38.8, 2.5}, {130, 80, 28, 92, 39.2, 5.5}},
    {"respiratory", 1, {95, 125, 26, 91, 37.4, 1.5}, {115, 115, 34, 84, 37.6, 3.0}},
    {"cardiogenic", 1, {100, 95, 20, 94, 36.6, 2.8}, {120, 75, 24, 90, 36.4, 6.0}},
};

#define PATIENT_SD 0.3 /* a patient's own offset per channel, in spreads */
#define NOISE_SD 0.25  /* hour-to-hour noise, in spreads */

const char *vitals_channel_name(int c)
{
    return c >= 0 && c < VITALS_DIM ? channel[c] : NULL;
}

void vitals_generate(struct dataset *d, size_t n, uint64_t seed, const char *source)
{
    struct rng r;
    rng_seed_stream(&r, seed, 0x76697461ull); /* "vita" */
    uint32_t *len = xmallocarray(n + 1, sizeof *len);
    uint8_t *type = xmallocarray(n + 1, 1);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        type[i] = (uint8_t)rng_below(&r, VITALS_TYPES);
        len[i] = VITALS_MIN_LEN + (uint32_t)rng_below(&r, VITALS_MAX_LEN - VITALS_MIN_LEN + 1);
        total += len[i];
    }
    dataset_init(d, n, total, VITALS_DIM, source);
    d->ngroups = VITALS_TYPES;
    for (int g = 0; g < VITALS_TYPES; g++)
        snprintf(d->group_name[g], DATASET_GROUP_NAME, "%s", types[g].name);
    size_t row = 0;
    for (size_t i = 0; i < n; i++) {
        int k = type[i];
        d->group[i] = (uint8_t)k;
        d->y[i] = (uint8_t)types[k].outcome;
        double offset[VITALS_DIM], speed = 0.5 + rng_uniform(&r); /* how far the drift gets */
        for (int c = 0; c < VITALS_DIM; c++)
            offset[c] = PATIENT_SD * rng_normal(&r);
        for (uint32_t t = 0; t < len[i]; t++, row++) {
            double f = speed * (double)t / (double)(len[i] - 1);
            f = f > 1 ? 1 : f;
            for (int c = 0; c < VITALS_DIM; c++) {
                double v = types[k].start[c] + f * (types[k].end[c] - types[k].start[c]);
                d->x[row * VITALS_DIM + (size_t)c] =
                    (float)((v - normal[c]) / spread[c] + offset[c] + NOISE_SD * rng_normal(&r));
            }
        }
        d->offset[i + 1] = (uint32_t)row;
    }
    free(len);
    free(type);
}

#define STR_(x) #x
#define STR(x) STR_(x)
#define VITALS_SOURCE(split, seed)                                                                 \
    "embedded sample (synthetic vitals v" STR(VITALS_VERSION) ", " split ", seed " STR(seed) ")"

void vitals_sample(struct dataset_pair *p)
{
    vitals_generate(&p->train, VITALS_TRAIN_N, VITALS_TRAIN_SEED,
                    VITALS_SOURCE("train", VITALS_TRAIN_SEED));
    vitals_generate(&p->test, VITALS_TEST_N, VITALS_TEST_SEED,
                    VITALS_SOURCE("test", VITALS_TEST_SEED));
}
