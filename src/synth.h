/*
 * synth — the embedded default data: pen-stroke digits drawn procedurally
 * from hand-made templates (sample-data/digits.def, several writing styles
 * per digit), so ftlab runs without the real MNIST strokes.
 *
 * Each sequence is in exactly the MNIST-strokes format (SPEC.md §2.3): row 0
 * is the absolute start point on the 28x28 grid, later rows are moves; inside
 * a stroke every move is a unit step (dx, dy in {-1, 0, 1}), a stroke ends
 * with the marker row (0,0,1,0), the row after it is the pen-up jump, and the
 * last row is (0,0,1,1). Generation depends only on the seed (struct rng).
 */
#ifndef FTLAB_SYNTH_H
#define FTLAB_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

/* The default sample: two different seeds, hence two different streams. */
#define SYNTH_TRAIN_N 6000
#define SYNTH_TEST_N 1000
#define SYNTH_TRAIN_SEED 1
#define SYNTH_TEST_SEED 2
/* Bumped whenever templates or drawing change, so `data info` tells samples apart. */
#define SYNTH_VERSION 1

/* Sequence lengths in rows, as in the real data (13-117 there). */
#define SYNTH_MIN_LEN 5
#define SYNTH_MAX_LEN 117
/* The pen stays on x, y in [SYNTH_GRID_MIN, SYNTH_GRID_MAX] (MNIST: 28x28). */
#define SYNTH_GRID_MIN 1
#define SYNTH_GRID_MAX 28
#define SYNTH_MAX_STYLES 4

/*
 * Fills d (through dataset_init; free with dataset_free) with n sequences,
 * digits balanced (each appears n/10 or n/10+1 times) in shuffled order.
 * source is copied. style, when not NULL, receives n entries: the writing
 * style of each sequence, an index below synth_style_count(digit).
 */
void synth_generate(struct dataset *d, size_t n, uint64_t seed, const char *source, uint8_t *style);

/* The default sample: train = SYNTH_TRAIN_N sequences from SYNTH_TRAIN_SEED,
 * test = SYNTH_TEST_N from SYNTH_TEST_SEED. Free with dataset_pair_free. */
void synth_sample(struct dataset_pair *p);

/* Number of writing styles of digit (0-9) in the templates. */
int synth_style_count(int digit);
/* Name of a style ("loop at the bottom"), or NULL when out of range. Static storage. */
const char *synth_style_name(int digit, int style);

#endif
