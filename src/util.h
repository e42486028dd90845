/*
 * util — the few things every module needs: allocation that aborts on
 * out-of-memory, error messages for bad input, and files written atomically.
 *
 * Convention: functions that can fail on *input* return 0 on success and -1
 * on failure, and write one line (no trailing newline) into `err` (at least
 * FTL_ERRLEN bytes), starting with the file name: "data/x.npy: truncated".
 * Out-of-memory is not an input error: xmalloc() and friends abort.
 */
#ifndef FTLAB_UTIL_H
#define FTLAB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FTL_ERRLEN 512

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Allocates count*size bytes, aborting when the product overflows. */
void *xmallocarray(size_t count, size_t size);

/* Formats an error into err (FTL_ERRLEN bytes); always returns -1. */
int ftl_error(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* a*b into *out; returns 0, or -1 when it would overflow size_t. */
int ftl_mul_overflow(size_t a, size_t b, size_t *out);

/* Creates dir and its parents (mode 0755); 0 if it exists already. */
int ftl_mkdir_p(const char *dir, char *err);

/*
 * Atomic file writing (SQLite/redis style): the data goes to "PATH.tmp.PID",
 * which is flushed, fsync'd, closed and renamed over PATH, then the directory
 * is fsync'd. Until ftl_atomic_commit() a crash leaves PATH untouched.
 */
struct ftl_atomic {
    FILE *fp;
    char *path;
    char *tmp;
};
int ftl_atomic_open(struct ftl_atomic *a, const char *path, char *err);
int ftl_atomic_commit(struct ftl_atomic *a, char *err); /* closes and renames */
void ftl_atomic_abort(struct ftl_atomic *a);            /* closes and unlinks the temp */
/* Two files written together (a table's .md and .csv): commits a, then b; b is aborted when a
 * fails, so neither is half new. */
int ftl_atomic_commit_both(struct ftl_atomic *a, struct ftl_atomic *b, char *err);
/* fsync the directory holding path, so that a rename or a new file there survives a power cut. */
void ftl_sync_parent(const char *path);
/* Writes a whole buffer atomically. */
int ftl_write_file(const char *path, const void *buf, size_t len, char *err);
/* Reads a whole file (NUL-terminated for convenience); caller frees *buf. */
int ftl_read_file(const char *path, char **buf, size_t *len, char *err);

/* Joins two path components into a new string. */
char *ftl_path_join(const char *a, const char *b);
int ftl_is_dir(const char *path);
int ftl_is_file(const char *path);

/*
 * NumPy's pairwise summation of one inner-loop block (numpy/core/src/umath/
 * loops_utils.h): 8 accumulators up to 128 elements, halving above. KMeans'
 * tolerance and the metrics' sums use it to agree with scikit-learn bit for bit.
 */
double ftl_pairwise_sum(const double *a, size_t n);

/* Monotonic seconds, for progress and throughput. */
double ftl_now(void);

/*
 * Flushes subnormal floats to zero in the calling thread (x86 MXCSR FTZ and
 * DAZ; elsewhere nothing). Gradients through hundreds of GRU steps fade into
 * subnormals, on which the CPU's multiplications take a slow path: a GRU on
 * 200-step sequences trained 20 times slower per step than on 40-step ones.
 * Threads inherit the setting from the thread that creates them (POSIX), so
 * main() calls it before starting any. Returns 1 when flushing is on.
 */
int ftl_flush_subnormals(void);

/*
 * The widest vectors the CPU runs ftlab's hand-vectorised kernels in: 512 bits
 * with AVX-512F, 256 with AVX2, else 128, and at most the number the
 * environment variable cap_env holds when it is set (for tests that compare
 * the widths). Builds without the wide kernels (not x86-64 GCC) use 128
 * whatever this says.
 */
int ftl_vector_bits(const char *cap_env);

#endif
