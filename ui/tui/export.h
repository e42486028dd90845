/*
 * export — the workbench's `x` key: draws the run's figures through gnuplot
 * into RUN_DIR/figures/ on a background thread, and reports the paths (or
 * what went wrong) on the status line through live_post(). The screen keeps
 * answering while gnuplot works; a hung gnuplot is killed by its time limit.
 */
#ifndef FTLAB_EXPORT_H
#define FTLAB_EXPORT_H

#include <stdint.h>

struct live;
struct live_snapshot;
struct export_job;

/*
 * Starts an export of run_dir's figures; heat (units x 10, may be NULL) is the
 * Figure 2 histogram on screen, written first as run_dir/actmap.csv so the
 * exported figure is the one the user sees. *job holds the running export; a
 * second start while one runs only says so.
 */
void export_start(struct export_job **job, const char *run_dir, const uint32_t *heat, int units,
                  const struct live_snapshot *s, struct live *l);
/* Waits for a running export and frees it. */
void export_wait(struct export_job **job);
/* Quitting: stops a running gnuplot at once (no export starts after this), then waits. */
void export_cancel(struct export_job **job);

#endif
