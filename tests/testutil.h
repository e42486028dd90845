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
 * The real MNIST strokes as a loadable folder, or NULL (with the reason on
 * stdout) when they are not on this machine. Looks at $FTLAB_DATA, then
 * installs the upstream tarballs from $FTLAB_MIRROR or
 * $FTLAB_SRCDIR/../shared/data/mnist-strokes into a cache folder under $TMPDIR.
 */
char *testutil_real_data_dir(void);

#endif
