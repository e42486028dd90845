/*
 * seqdata — the general sequence format (README "Your own sequences"):
 * a folder holding train.npz and test.npz, or the same arrays as
 * train_x.npy, train_lengths.npy, ... (prefix test_ for the test split):
 *
 *   x        (N, T, D) f4 or f8 (integers accepted), padded; only the first
 *            lengths[i] steps of sequence i are read
 *   lengths  (N,) integer, each 1..T
 *   y        (N,) 0/1, the binary task
 *   groups   (N,) integer, optional: the finer partition AMI and Figure 2 use,
 *            0..G-1 with G <= 40; both splits have it or neither
 *   groups.txt (the folder, optional): line g names group g (<= 31 bytes)
 *
 * Every refusal is one line naming the file, the array and the problem. NaN
 * inside a sequence: refused (naming the first sequence and step), zeroed, or
 * the feature's last value carried forward (0 before any) as enum dataset_nan
 * says; Inf is always refused.
 */
#ifndef FTLAB_SEQDATA_H
#define FTLAB_SEQDATA_H

#include <stddef.h>

#include "dataset.h"
#include "npy.h"

/* Loads both splits from dir (npz: train.npz/test.npz, else the .npy files). */
int seqdata_load(const char *dir, int npz, enum dataset_nan nan, struct dataset_pair *p, char *err);

/*
 * One split from its arrays (groups may be NULL; then the split has none).
 * name is the file the arrays came from, for messages. ngroups_max is the
 * number of named groups (groups.txt), or 0 for "up to DATASET_MAX_GROUPS".
 */
int seqdata_from_arrays(const struct npy *x, const struct npy *lengths, const struct npy *y,
                        const struct npy *groups, int ngroups_max, enum dataset_nan nan,
                        const char *name, struct dataset *d, char *err);

/* Reads groups.txt: names[], *n set; a missing file gives *n = 0 and success. */
int seqdata_read_group_names(const char *path, char names[][DATASET_GROUP_NAME], int *n, char *err);

/* Writes the .npy form of a split (x f4 padded with zeros, lengths i4, y u1, groups u1 when
 * d->ngroups > 0) as dir/PREFIX_x.npy etc., each atomically. */
int seqdata_write_npy(const char *dir, const char *prefix, const struct dataset *d, char *err);

#endif
