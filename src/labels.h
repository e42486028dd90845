/*
 * labels — integer label files for `ftlab score` and `ftlab cluster --labels`:
 * a .npy of any integer dtype (1-d, or (N, 1)), or text with one integer per
 * line (blank lines and '#' comments ignored). Labels need not be contiguous.
 */
#ifndef FTLAB_LABELS_H
#define FTLAB_LABELS_H

#include <stddef.h>
#include <stdint.h>

/* Reads path into a new array (*out, *n); -1 with "FILE: problem" in err. */
int labels_read(const char *path, int64_t **out, size_t *n, char *err);

#endif
