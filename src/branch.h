/*
 * branch — what a rewind leaves behind, and the checkpoints a run can go back to.
 *
 * The workbench's `R` takes a run back to one of its checkpoints (a bookmark,
 * an epoch's end, the start). What was trained after that step is not thrown
 * away: it becomes a branch, a folder beside the run's own files,
 *
 *     RUN/branches/1/metrics.csv        the rows after the rewind's step (same header)
 *     RUN/branches/1/evals.csv          the evaluations made after it, if any
 *     RUN/branches/1/eval.csv ...       the newest evaluation's files, if they were of it
 *     RUN/branches/1/checkpoints/      the checkpoints taken after it
 *
 * numbered 1, 2, ... in the order they were left. The run's own files then
 * hold only its current line, so resuming it, plotting it or following it sees
 * one history, and `ftlab plot` draws the branches beside it. The journal
 * records the rewind itself (journal.h: "rewind STEP EVENTS").
 *
 * Crash safety: every file is copied into the branch (atomically) before the
 * run's own file is cut (atomically, by rename); checkpoints are moved by
 * rename after their copy of the rows exists. A crash part way leaves the run
 * resumable at the rewind's step or later, never a row in both places that a
 * resume would not cut anyway.
 */
#ifndef FTLAB_BRANCH_H
#define FTLAB_BRANCH_H

#include <stddef.h>
#include <stdint.h>

/* A checkpoint of the run's current line, for a rewind menu. */
struct branch_point {
    char name[48]; /* "bookmark-1200", "epoch-3", "initial" (the file without .ckpt) */
    uint64_t step;
};

/*
 * The run's checkpoints (the .ckpt files of RUN/checkpoints that read whole), by step,
 * final.ckpt left out: a new array in *out, its length in *n (0 is fine).
 */
int branch_checkpoints(const char *dir, struct branch_point **out, size_t *n, char *err);

/*
 * Moves everything of dir after a checkpoint (taken at step, when the journal
 * held events step lines) into a new branch folder (its number in *id): rows
 * of metrics.csv and evals.csv with a larger step, the newest evaluation's
 * files when they are of a later step, and checkpoints taken later (a later
 * step, or the same step with more journal lines). Files that do not exist
 * are skipped.
 */
int branch_split(const char *dir, uint64_t step, uint64_t events, int *id, char *err);

/*
 * The rows of the CSV file src (it has a "step" column) with a larger step go
 * to dst, under the same header (dst NULL: they are dropped); src keeps the
 * others and loses a torn last row. Each file is written whole (util.h), and
 * only when something changes; a file without rows or a step column is left
 * alone. Resuming cuts metrics.csv back to its checkpoint with it too.
 */
int branch_split_csv(const char *src, const char *dst, uint64_t step, char *err);

/* One branch as `ftlab plot` and the workbench read it. */
struct branch_info {
    int id;
    char *path;           /* RUN/branches/ID */
    uint64_t first, last; /* the steps of its first and last metrics rows (0 when empty) */
};
/* The branches of a run, by number (none: *n = 0). branch_list_free() after success. */
int branch_list(const char *dir, struct branch_info **out, size_t *n, char *err);
void branch_list_free(struct branch_info *b, size_t n);

#endif
