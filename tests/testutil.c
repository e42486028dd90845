/* testutil — see testutil.h. */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <dirent.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dataset.h"
#include "fetch.h"
#include "util.h"

static const char *tmp_root(void)
{
    const char *t = getenv("TMPDIR");
    return t && *t ? t : "/tmp";
}

struct tmpdir *tmpdir_new(void)
{
    struct tmpdir *td = xmalloc(sizeof *td);
    td->path = ftl_path_join(tmp_root(), "ftlab-test-XXXXXX");
    if (!mkdtemp(td->path)) {
        perror("mkdtemp");
        abort();
    }
    return td;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

void testutil_rmtree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void tmpdir_free(struct tmpdir *td)
{
    if (!td) return;
    testutil_rmtree(td->path);
    free(td->path);
    free(td);
}

char *tmpdir_path(const struct tmpdir *td, const char *name)
{
    return ftl_path_join(td->path, name);
}

static struct tmpdir *group;

int testutil_group_setup(void **state)
{
    (void)state;
    group = tmpdir_new();
    return 0;
}

int testutil_group_teardown(void **state)
{
    (void)state;
    tmpdir_free(group);
    group = NULL;
    return 0;
}

const char *testutil_group_dir(void)
{
    return group->path;
}

const char *testutil_fixture(const char *subdir, const char *name)
{
    static char path[1024];
    const char *env = getenv("FTLAB_TEST_DATA");
    const char *dirs[] = {env, "tests/data", "../tests/data"};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i] || !*dirs[i]) continue;
        snprintf(path, sizeof path, "%s/%s/%s", dirs[i], subdir, name);
        if (ftl_is_file(path) || ftl_is_dir(path)) return path;
        if (i == 0) {
            printf("# FTLAB_TEST_DATA=%s has no %s/%s\n", env, subdir, name);
            return NULL;
        }
    }
    printf("# fixture %s/%s not found (set FTLAB_TEST_DATA to the tests/data folder)\n", subdir,
           name);
    return NULL;
}

int testutil_skip_all(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# SKIP: ", stdout);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    return 77;
}

// ---- the real data ----

enum { WHY_LEN = FTL_ERRLEN + 1024 };

/* The mirror folder (a new string) if it holds every upstream file the tests read; else NULL, why.
 */
static char *complete_mirror(char *why)
{
    const char *m = getenv("FTLAB_MIRROR"), *src = getenv("FTLAB_SRCDIR");
    char *mirror = m && *m ? xstrdup(m)
                           : ftl_path_join(src && *src ? src : ".", "../shared/data/mnist-strokes");
    if (!ftl_is_dir(mirror)) {
        snprintf(why, WHY_LEN, "no MNIST strokes mirror at %s (set FTLAB_MIRROR)", mirror);
        free(mirror);
        return NULL;
    }
    for (size_t i = 0; i <= fetch_table_len; i++) {
        char name[128];
        if (i < fetch_table_len)
            snprintf(name, sizeof name, "%s.tar.gz", fetch_table[i].name);
        else
            snprintf(name, sizeof name, "%s", TESTUTIL_MIRROR_EXAMPLE);
        char *path = ftl_path_join(mirror, name);
        const int present = ftl_is_file(path);
        free(path);
        if (!present) {
            snprintf(why, WHY_LEN, "the mirror %s is incomplete: it has no %s", mirror, name);
            free(mirror);
            return NULL;
        }
    }
    return mirror;
}

/*
 * $FTLAB_DATA; else the data `ftlab data fetch` installed, found as the program finds it
 * (fetch_resolve_data_dir); else the mirror (when there is one) installed into a cache
 * folder. Complete, or NULL and why.
 */
static char *complete_data(const char *mirror, const char *mirror_why, char *why)
{
    const char *env = getenv("FTLAB_DATA");
    if (env && *env) {
        if (dataset_dir_looks_complete(env)) return xstrdup(env);
        snprintf(why, WHY_LEN,
                 "FTLAB_DATA=%s is not a complete data folder (training and test sequences, "
                 "both label files)",
                 env);
        return NULL;
    }
    char *installed = fetch_resolve_data_dir(NULL);
    if (installed && dataset_dir_looks_complete(installed)) return installed;
    if (!mirror) {
        snprintf(why, WHY_LEN,
                 "no MNIST strokes installed in %.400s ('ftlab data fetch'), and %.900s",
                 installed ? installed : "$XDG_DATA_HOME/ftlab/mnist-strokes", mirror_why);
        free(installed);
        return NULL;
    }
    free(installed);
    char name[64];
    snprintf(name, sizeof name, "ftlab-test-data-%ld", (long)getuid());
    char *cache = ftl_path_join(tmp_root(), name);
    if (!dataset_dir_looks_complete(cache)) {
        char err[FTL_ERRLEN];
        struct fetch_opts fo = {0};
        if (fetch_install(mirror, cache, &fo, err) != 0) {
            snprintf(why, WHY_LEN, "cannot install the mirror %s into %s: %s", mirror, cache, err);
            free(cache);
            return NULL;
        }
    }
    return cache;
}

static int real_data_required(void)
{
    const char *r = getenv("FTLAB_REQUIRE_REAL_DATA");
    return r && *r && strcmp(r, "0") != 0;
}

int testutil_real_data(char **mirror, char **data)
{
    char why[WHY_LEN], mirror_why[WHY_LEN];
    *mirror = complete_mirror(mirror_why);
    *data = complete_data(*mirror, mirror_why, why);
    if (*data && (*mirror || !real_data_required())) {
        if (!*mirror) printf("# %s: the cases that read the mirror say SKIP\n", mirror_why);
        return 0;
    }
    if (*data) snprintf(why, WHY_LEN, "%s", mirror_why);
    free(*mirror);
    free(*data);
    *mirror = *data = NULL;
    if (!real_data_required()) return testutil_skip_all("%s", why);
    printf("# FAIL: FTLAB_REQUIRE_REAL_DATA is set, but %s\n", why);
    return 1;
}
