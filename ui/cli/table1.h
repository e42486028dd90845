/*
 * table1 — the reproduction of the paper's Table 1: defaults, and the
 * collection of finished runs into table1.md, table1.csv and its figures.
 */
#ifndef FTLAB_TABLE1_H
#define FTLAB_TABLE1_H

#include "loss.h"

/* The defaults `ftlab table1` trains with (see README, "Reproducing Table 1", for the sweep). */
#define TABLE1_EPOCHS 10
#define TABLE1_UNITS 32
#define TABLE1_MARGIN 5.0

/*
 * Gathers every finished run (DIR/runs/NAME with config and eval.csv) of the
 * given folders and writes OUT/table1.md, OUT/table1.csv, the Table 1
 * figures and the Figure 2 comparison of baseline and proposed; prints the
 * table. Returns 0, or -1 with err.
 */
int table1_collect(const char *const *dirs, int n, const char *out, char *err);

#endif
