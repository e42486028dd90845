/*
 * evolution — `ftlab plot RUN_DIR --evolution`: Figure 2 at several
 * checkpoints of one run. Finds the checkpoints (initial.ckpt is epoch 0,
 * epoch-N.ckpt epoch N; by step, any checkpoint of the run's line), makes
 * each one's Figure 2 table and AMI where they are missing with what
 * `ftlab eval CKPT` runs (cli_eval), then draws evolution.EXT (plots/).
 */
#ifndef FTLAB_EVOLUTION_H
#define FTLAB_EVOLUTION_H

#include <stdint.h>

#include "cli.h"
#include "figures.h"

enum { EVOLUTION_MAX_AT = 8 }; /* panels: more would be too small to read */

struct evolution_opts {
    int nat;                       /* points asked for; 0: every epoch checkpoint, at most 8 */
    uint64_t at[EVOLUTION_MAX_AT]; /* epochs, or steps when steps is set, increasing */
    int steps;                     /* at holds steps, not epochs */
    struct cli_data data;          /* evaluate on this, not the run's own data (--data, --sample) */
};

/* "0,1,3,10": 1 to EVOLUTION_MAX_AT increasing integers into e->at; 0, or -1 when it is not. */
int evolution_parse_at(const char *s, struct evolution_opts *e);

/* Draws out/evolution.EXT of run. EXIT_OK, or EXIT_FAIL with one line on stderr. */
int evolution_plot(const char *run, const struct evolution_opts *e, const char *out,
                   const struct plot_opts *o);

#endif
