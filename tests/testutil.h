/* testutil — temporary folders and the optional real data, for the unit tests. */
#ifndef FTLAB_TESTUTIL_H
#define FTLAB_TESTUTIL_H

struct tmpdir {
    char *path;
};
/* A fresh folder under $TMPDIR; tmpdir_free removes it with everything inside. */
struct tmpdir *tmpdir_new(void);
void tmpdir_free(struct tmpdir *td);
/* path/name as a new string. */
char *tmpdir_path(const struct tmpdir *td, const char *name);
/* rm -rf, for a folder a test made. */
void testutil_rmtree(const char *path);

/*
 * One temporary folder for a whole cmocka test group: pass these two to
 * cmocka_run_group_tests(); testutil_group_dir() is its path meanwhile.
 */
int testutil_group_setup(void **state);
int testutil_group_teardown(void **state);
const char *testutil_group_dir(void);

/*
 * A committed test fixture, tests/data/SUBDIR/NAME, found through
 * $FTLAB_TEST_DATA, else tests/data or ../tests/data from the current folder.
 * A static buffer, or NULL (with the reason on stdout).
 */
const char *testutil_fixture(const char *subdir, const char *name);

/*
 * For main() of a test binary that cannot run here at all: prints
 * "# SKIP: REASON" (printf-style) and returns 77, automake's SKIP status,
 * so that `return testutil_skip_all(...)` shows the binary as SKIP.
 */
int testutil_skip_all(const char *fmt, ...);

/*
 * The real MNIST strokes, for main() of a binary whose cases need them.
 * *data: a complete data folder (dataset_dir_looks_complete): $FTLAB_DATA if
 * set; else the data 'ftlab data fetch' installed, where the program looks
 * (fetch_resolve_data_dir: $XDG_DATA_HOME/ftlab/mnist-strokes); else the
 * mirror installed into a cache folder under $TMPDIR.
 * *mirror: the folder of upstream tarballs ($FTLAB_MIRROR, else
 * $FTLAB_SRCDIR/../shared/data/mnist-strokes, else ../shared/... from the
 * current folder), complete: every row of fetch_table and the example text
 * file; NULL when there is none but *data was found (cases that read it skip).
 * Returns 0 with *data set (the caller frees both), else the status main
 * should return: 77 after "# SKIP: reason", or, when $FTLAB_REQUIRE_REAL_DATA
 * is set (and not "0"), 1 after "# FAIL: reason" (a missing mirror included).
 */
int testutil_real_data(char **mirror, char **data);

/* The name of the mirror's example file: train[12, :45] as text (SPEC.md §2.2). */
#define TESTUTIL_MIRROR_EXAMPLE "example-trainimg-12-inputdata.txt"

#endif
