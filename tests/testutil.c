/* testutil — see testutil.h. */
#define _XOPEN_SOURCE 700
#include "testutil.h"

#include <dirent.h>
#include <ftw.h>
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
    if (!td)
        return;
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
        if (!dirs[i] || !*dirs[i])
            continue;
        snprintf(path, sizeof path, "%s/%s/%s", dirs[i], subdir, name);
        if (ftl_is_file(path) || ftl_is_dir(path))
            return path;
        if (i == 0) {
            printf("# FTLAB_TEST_DATA=%s has no %s/%s\n", env, subdir, name);
            return NULL;
        }
    }
    printf("# fixture %s/%s not found (set FTLAB_TEST_DATA to the tests/data folder)\n", subdir, name);
    return NULL;
}

char *testutil_real_data_dir(void)
{
    const char *env = getenv("FTLAB_DATA");
    if (env && *env) {
        if (dataset_dir_looks_complete(env))
            return xstrdup(env);
        printf("# FTLAB_DATA=%s holds no MNIST strokes\n", env);
        return NULL;
    }
    char *mirror = NULL;
    const char *m = getenv("FTLAB_MIRROR"), *src = getenv("FTLAB_SRCDIR");
    if (m && *m)
        mirror = xstrdup(m);
    else
        mirror = ftl_path_join(src && *src ? src : ".", "../shared/data/mnist-strokes");
    if (!ftl_is_dir(mirror)) {
        if (getenv("FTLAB_REQUIRE_REAL_DATA")) {
            printf("# FTLAB_REQUIRE_REAL_DATA is set but there is no mirror at %s\n", mirror);
            abort();
        }
        printf("# skipping real-data checks: no FTLAB_DATA, and no mirror at %s (set FTLAB_MIRROR)\n",
               mirror);
        free(mirror);
        return NULL;
    }
    char name[64];
    snprintf(name, sizeof name, "ftlab-test-data-%ld", (long)getuid());
    char *cache = ftl_path_join(tmp_root(), name);
    if (!dataset_dir_looks_complete(cache)) {
        char err[FTL_ERRLEN];
        struct fetch_opts fo = {0};
        if (fetch_install(mirror, cache, &fo, err) != 0) {
            printf("# cannot install the mirror: %s\n", err);
            free(mirror);
            free(cache);
            return NULL;
        }
    }
    free(mirror);
    return cache;
}
