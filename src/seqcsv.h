/*
 * seqcsv — `ftlab data import`: a long CSV, one row per (sequence, step),
 * converted into the sequence format's .npy form (seqdata.h).
 *
 *   header   sequence_id,t,FEATURE...,y[,group][,split]   (any column order;
 *            every column not named sequence_id, t, y, group or split is a
 *            feature, in the order of the header)
 *   rows     a sequence's rows may come in any order: they are sorted by t
 *            (a number; a step may not repeat); an empty field, NaN or NA is
 *            a missing value (kept as NaN: `--nan` decides at load time); y
 *            is 0 or 1 and group a name (<= 31 bytes), each the same on every
 *            row of a sequence; split is train or test. Without a split
 *            column every fifth sequence, in order of first appearance,
 *            is a test sequence.
 *   groups   all integers 0..39: group g is the number g; otherwise the
 *            names in order of first appearance (at most 40).
 *
 * Plain comma-separated fields: no quoting. Errors: -1 and one line
 * "FILE: line N: problem".
 */
#ifndef FTLAB_SEQCSV_H
#define FTLAB_SEQCSV_H

#include <stddef.h>

#include "dataset.h"

/* Parses text [len] into two splits (x may hold NaN). name is used in messages. */
int seqcsv_parse(const char *text, size_t len, const char *name, struct dataset_pair *p, char *err);
/* Reads csv_path, parses it, and writes out_dir/{train,test}_*.npy and groups.txt, each
 * atomically (out_dir is made if missing). */
int seqcsv_import(const char *csv_path, const char *out_dir, struct dataset_pair *summary,
                  char *err);

#endif
