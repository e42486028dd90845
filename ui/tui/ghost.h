/*
 * ghost — another run's history, drawn faint beneath the live one: its task
 * loss over steps, its AMI_max evaluations, and the Figure 2 counts of its
 * newest evaluation. A ghost is read once from a run directory (--ghost) or
 * from the branch a rewind left (branch.h); it never changes after that.
 */
#ifndef FTLAB_GHOST_H
#define FTLAB_GHOST_H

#include <stddef.h>
#include <stdint.h>

#include "loss.h"

#define GHOST_USER_MAX 3 /* --ghost runs */
#define GHOST_MAX 4      /* and the line the last rewind left */

struct ghost {
    char label[40];         /* the key's name: the run folder's name, "branch 2" */
    int branch;             /* > 0: the line a rewind left, by its number */
    int loss;               /* enum reg_kind the run started with, or -1 */
    size_t n;               /* loss points */
    double *step, *task;    /* [n] */
    size_t nami;            /* evaluations, one per (step, k) */
    double *ami_step, *ami; /* [nami] AMI_max */
    int *ami_k;
    int units;      /* Figure 2 rows; 0 when the run has no actmap.csv */
    int classes;    /* Figure 2 columns (actmap.csv's after unit) */
    uint32_t *heat; /* [units x classes] */
    uint64_t heat_step;
};

/* Reads a run directory (or a branch folder: metrics.csv is all it needs). 0, or -1 with err. */
int ghost_load(struct ghost *g, const char *dir, const char *label, char *err);
/*
 * A short name for a ghost from its folder: the folder's name, without the
 * task in front when it is one of a folder of runs ("runs/classify-decov-run1"
 * gives "decov-run1"), at most 18 characters.
 */
void ghost_label(const char *dir, char *out, size_t cap);
/* The points of AMI_max at k, into xs/ys [cap]; returns how many. */
size_t ghost_ami_at(const struct ghost *g, int k, double *xs, double *ys, size_t cap);
void ghost_free(struct ghost *g);

/*
 * The runs --ghost DIR... stands for: a run is itself, a folder of runs
 * (table1, a sweep) its runs of `task`, one per loss (the lowest run of each),
 * losses other than `live_loss` first; at most max (a new array of new
 * strings, NULL-terminated; *n its length). dropped: how many runs were left
 * out for want of room. NULL with err when a DIR is not a run or a folder of runs.
 */
char **ghost_pick(char *const *dirs, int ndirs, int task, int live_loss, int max, int *n,
                  int *dropped, char *err);

#endif
