/*
 * strokes_text — the upstream plain-text stroke format: one digit per file,
 * one row per line, four integers "dx dy eos eod" (SPEC.md §2.2-2.3; the
 * mirror's example-trainimg-12-inputdata.txt is train[12, :45]).
 *
 * The reader is strict, because a row it lets through becomes model input:
 *
 *   accepted  fields separated by spaces or tabs, leading/trailing blanks, a
 *             CR before the LF, a missing newline after the last line, any
 *             absolute start point in row 0 (the 28x28 grid is a fact about
 *             MNIST, not about the format), a one-row digit "0 0 1 1";
 *   rejected  anything but exactly four decimal integers ([-]digits) on a
 *             line, blank lines, values outside int8 [-128, 127], eos or eod
 *             not 0/1, an all-zero row (it reads as padding, SPEC.md §2.3),
 *             an eos row that moves (eos rows are zero-move markers), eod
 *             anywhere but the last row, a last row that is not (0,0,1,1),
 *             an empty file, NUL bytes.
 *
 * Errors name the file and line: "digit.txt:7: eos row moves (dx 1, dy 0)".
 */
#ifndef FTLAB_STROKES_TEXT_H
#define FTLAB_STROKES_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * Reads one digit. On success *rows is a new array of *nrows x 4 values
 * (dx, dy, eos, eod; the caller frees it). On failure returns -1 with one
 * line in err (FTL_ERRLEN bytes), *rows NULL and *nrows 0.
 */
int strokes_text_read(const char *path, int8_t **rows, size_t *nrows, char *err);
/* The same from a buffer of len bytes (need not be NUL-terminated); name is used in messages. */
int strokes_text_read_mem(const void *buf, size_t len, const char *name, int8_t **rows,
                          size_t *nrows, char *err);

#endif
