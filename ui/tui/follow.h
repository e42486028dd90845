/*
 * follow — a read-only workbench over runs another process trains (`ftlab
 * train`, table1, a sweep, a job on another machine writing to a shared
 * filesystem). It tails each run's metrics.csv, journal, eval.csv, actmap.csv
 * and config by stat() every half second, reading only what grew, and draws
 * them with the workbench's widgets. Nothing is ever written into a followed
 * directory: no lock, no file opened for writing.
 */
#ifndef FTLAB_FOLLOW_H
#define FTLAB_FOLLOW_H

#include "display.h"

/*
 * Expands dirs [n] into the runs to follow: a run directory (it holds a
 * config file) is itself; a folder of runs (table1, a sweep: it holds
 * runs/NAME/config) is its runs, in name order. Returns the list (a new
 * NULL-terminated array of new strings; follow_dirs_free it) and its length
 * in *count, or NULL with "DIR: not a run directory ..." in err.
 */
char **follow_dirs(char *const *dirs, int n, int *count, char *err);
void follow_dirs_free(char **runs);

/*
 * Runs the follower on this terminal over runs [n] (from follow_dirs) until
 * the user quits (q, or a signal: INT, TERM, HUP), then restores the
 * terminal. One run opens its view at once; several open a list first.
 * d gives the theme, the symbols, the loss chart's smoothing and y scale.
 * 0, or -1 with err (FTL_ERRLEN bytes) when there is no usable terminal.
 */
int follow_run(char *const *runs, int n, const struct display_settings *d, char *err);

#endif
