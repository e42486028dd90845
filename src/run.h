/*
 * run — a run directory and its plain files:
 *
 *   RUN_DIR/config         the run's settings, "key value" per line
 *   RUN_DIR/metrics.csv    one row per training step (run_metrics_*)
 *   RUN_DIR/journal        every control change, stamped with its step (journal.h)
 *   RUN_DIR/checkpoints/   initial.ckpt, epoch-N.ckpt, final.ckpt (checkpoint.h)
 *   RUN_DIR/figures/       exported figures
 *
 * Everything a figure or a table is made from is one of these files.
 */
#ifndef FTLAB_RUN_H
#define FTLAB_RUN_H

#include <stddef.h>
#include <stdio.h>

/* Creates RUN_DIR and RUN_DIR/checkpoints (parents too). */
int run_create(const char *dir, char *err);

/*
 * Holds dir for this process: an flock() on dir/lock, which the kernel drops
 * when the process ends however it ends, so a killed run never leaves a stale
 * lock. The file holds the holder's pid, for the message another process
 * gets: "RUN_DIR: in use by process PID". Returns the descriptor to keep open
 * (close it to let go; it is not inherited by exec'd children), or -1 with err.
 */
int run_lock(const char *dir, char *err);
/* RUN_DIR/NAME as a new string. */
char *run_path(const char *dir, const char *name);

/* "key value" settings: an ordered list of pairs. */
struct run_kv {
    size_t n, cap;
    char **key, **value;
};
void run_kv_set(struct run_kv *kv, const char *key, const char *value);
void run_kv_setf(struct run_kv *kv, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *run_kv_get(const struct run_kv *kv, const char *key); /* NULL if absent */
void run_kv_free(struct run_kv *kv);
/* Writes atomically; reads rejecting malformed lines with "FILE:LINE: problem". */
int run_kv_write(const struct run_kv *kv, const char *path, char *err);
int run_kv_read(const char *path, struct run_kv *kv, char *err);

#endif
