/*
 * table1 — the reproduction of the paper's Table 1: defaults, and the
 * collection of finished runs into table1.md, table1.csv and its figures.
 */
#ifndef FTLAB_TABLE1_H
#define FTLAB_TABLE1_H

#include "loss.h"
#include "model.h"

/* The defaults `ftlab table1` trains with (see README, "Reproducing Table 1", for the sweep). */
#define TABLE1_EPOCHS 10
#define TABLE1_UNITS 32
#define TABLE1_MARGIN 5.0

#define TABLE1_MAX_K 8      /* cluster counts (columns) in one table */
#define TABLE1_MAX_RUNS 100 /* runs per (task, loss) combination */

/* The (task, loss, run) combinations a table should hold: tasks x losses x runs. */
struct table1_expect {
    int tasks[TASK_COUNT], losses[REG_COUNT]; /* 1: expected */
    int runs;             /* runs per combination; 0: the highest run number found */
    int shard_i, shard_n; /* only every shard_n-th combination from the shard_i-th (1/1: all) */
    int partial;          /* 1: write the table with what is missing marked, instead of refusing */
};

/* Every task and loss, the runs inferred, no shard, not partial. */
void table1_expect_all(struct table1_expect *e);

/* Is run `run` (1-based) of (task, loss) in e's shard? The order `ftlab table1 --shard` uses. */
int table1_in_shard(const struct table1_expect *e, int task, int loss, int run);

/*
 * Gathers every finished run (DIR/runs/TASK-LOSS-runR with config and
 * eval.csv) of the given folders and writes OUT/table1.md, OUT/table1.csv,
 * the Table 1 figures and the Figure 2 comparison of baseline and proposed
 * (in fig's format and size; NULL: png at their own);
 * prints the table. An expected combination without a finished run, or
 * whose eval.csv lacks a k another run has, is missing: without
 * e->partial that is an error naming them all (and nothing is written);
 * with it, the missing cells show as "–", a "missing: ..." note follows the
 * table, and a column with a missing cell has no bold best. Returns 0, or
 * -1 with err.
 */
struct plot_opts;
int table1_collect(const char *const *dirs, int n, const char *out, const struct table1_expect *e,
                   const struct plot_opts *fig, char *err);

#endif
