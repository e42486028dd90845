/* branch — what a rewind leaves behind. See branch.h. */
#include "branch.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checkpoint.h"
#include "run.h"
#include "util.h"

/* The step a checkpoint file was taken at, and the journal's step lines then (events may be
 * NULL); -1 when it does not read whole. */
static int checkpoint_step(const char *path, uint64_t *step, uint64_t *events)
{
    struct ckpt c;
    char err[FTL_ERRLEN];
    if (ckpt_read(path, &c, err) != 0) return -1;
    int rc = ckpt_get_u64(&c, "trainer/step", step, err);
    if (rc == 0 && events) rc = ckpt_get_u64(&c, "journal/events", events, err);
    ckpt_free(&c);
    return rc;
}

static int by_step(const void *a, const void *b)
{
    const struct branch_point *x = a, *y = b;
    if (x->step != y->step) return x->step < y->step ? -1 : 1;
    return strcmp(x->name, y->name);
}

int branch_checkpoints(const char *dir, struct branch_point **out, size_t *n, char *err)
{
    char *ckdir = run_path(dir, "checkpoints");
    DIR *d = opendir(ckdir);
    *out = NULL;
    *n = 0;
    if (!d) {
        ftl_error(err, "%s: %s", ckdir, strerror(errno));
        free(ckdir);
        return -1;
    }
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || len - 5 >= sizeof(*out)->name || strcmp(e->d_name + len - 5, ".ckpt") != 0 ||
            strcmp(e->d_name, "final.ckpt") == 0)
            continue;
        char *path = ftl_path_join(ckdir, e->d_name);
        uint64_t step;
        int ok = checkpoint_step(path, &step, NULL) == 0;
        free(path);
        if (!ok) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        struct branch_point *p = &(*out)[(*n)++];
        snprintf(p->name, sizeof p->name, "%.*s", (int)(len - 5), e->d_name);
        p->step = step;
    }
    closedir(d);
    free(ckdir);
    if (*n) qsort(*out, *n, sizeof **out, by_step);
    return 0;
}

/* The index of the column named "step" in a CSV header line (up to its '\n'), or -1. */
static int step_column(const char *header)
{
    int col = 0;
    for (const char *p = header; *p && *p != '\n'; col++) {
        size_t len = strcspn(p, ",\n");
        if (len == 4 && strncmp(p, "step", 4) == 0) return col;
        p += len;
        if (*p == ',') p++;
    }
    return -1;
}

/* The value of column col of a row, as a step. */
static uint64_t row_step(const char *row, int col)
{
    for (int i = 0; i < col; i++) {
        row = strpbrk(row, ",\n");
        if (!row || *row == '\n') return 0;
        row++;
    }
    return strtoull(row, NULL, 10);
}

int branch_split_csv(const char *src, const char *dst, uint64_t step, char *err)
{
    char *text;
    size_t len;
    if (ftl_read_file(src, &text, &len, err) != 0) return -1;
    char *body = strchr(text, '\n');
    int col = step_column(text), rc = 0, torn = 0;
    if (!body || col < 0) { /* no rows, or not a file of steps: left alone */
        free(text);
        return 0;
    }
    body++;
    size_t hlen = (size_t)(body - text), nkeep = hlen, ngone = hlen;
    char *keep = xmalloc(len + 1), *gone = xmalloc(len + 1);
    memcpy(keep, text, hlen);
    memcpy(gone, text, hlen);
    for (char *row = body; row < text + len;) {
        char *nl = strchr(row, '\n');
        if (!nl) { /* a torn last row (a writer killed mid-row): dropped */
            torn = 1;
            break;
        }
        size_t rlen = (size_t)(nl + 1 - row);
        if (row_step(row, col) > step)
            memcpy(gone + ngone, row, rlen), ngone += rlen;
        else
            memcpy(keep + nkeep, row, rlen), nkeep += rlen;
        row += rlen;
    }
    /* The branch's copy first: a crash between the two leaves the rows in both, and the
     * run's own copy is what a resume cuts anyway. */
    if (dst && ngone > hlen) rc = ftl_write_file(dst, gone, ngone, err);
    if (rc == 0 && (ngone > hlen || torn)) rc = ftl_write_file(src, keep, nkeep, err);
    free(keep);
    free(gone);
    free(text);
    return rc;
}

/* dir/name's rows after step into branch/name; a file that is not there is skipped. */
static int split_csv(const char *dir, const char *branch, const char *name, uint64_t step,
                     char *err)
{
    char *src = run_path(dir, name), *dst = ftl_path_join(branch, name);
    int rc = ftl_is_file(src) ? branch_split_csv(src, dst, step, err) : 0;
    free(src);
    free(dst);
    return rc;
}

/* Renames dir/name to branch/name; a file that is not there is skipped. */
static int move_file(const char *dir, const char *branch, const char *name, char *err)
{
    char *src = run_path(dir, name), *dst = ftl_path_join(branch, name);
    int rc = 0;
    if (rename(src, dst) != 0 && errno != ENOENT)
        rc = ftl_error(err, "cannot move %s to %s: %s", src, dst, strerror(errno));
    free(src);
    free(dst);
    return rc;
}

/* The newest evaluation (eval.csv and the files beside it) goes along when it is of a later step.
 */
static int move_last_eval(const char *dir, const char *branch, uint64_t step, char *err)
{
    char *path = run_path(dir, "eval.csv"), *text = NULL;
    size_t len;
    int rc = 0, later = 0;
    if (ftl_is_file(path) && ftl_read_file(path, &text, &len, err) == 0) {
        char *row = strchr(text, '\n');
        int col = step_column(text);
        later = row && row[1] && col >= 0 && row_step(row + 1, col) > step;
    }
    free(text);
    free(path);
    static const char *const files[] = {"actmap.csv", "clusters.csv", "acthist.csv", "actmean.csv",
                                        "eval.csv"};
    for (size_t i = 0; later && rc == 0 && i < sizeof files / sizeof *files; i++)
        rc = move_file(dir, branch, files[i], err);
    return rc;
}

/*
 * Checkpoints taken after the rewind's checkpoint go into branch/checkpoints/:
 * those of a later step, and those of the same step written later (more
 * journal lines: a bookmark or a final.ckpt of the line left, at that step).
 */
static int move_checkpoints(const char *dir, const char *branch, uint64_t step, uint64_t events,
                            char *err)
{
    char *ckdir = run_path(dir, "checkpoints"), *bdir = ftl_path_join(branch, "checkpoints");
    DIR *d = opendir(ckdir);
    int rc = 0, made = 0;
    struct dirent *e;
    while (d && rc == 0 && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".ckpt") != 0) continue;
        char *path = ftl_path_join(ckdir, e->d_name);
        uint64_t s, ev;
        if (checkpoint_step(path, &s, &ev) == 0 && (s > step || (s == step && ev > events))) {
            if (!made && (rc = ftl_mkdir_p(bdir, err)) == 0) made = 1;
            char *to = ftl_path_join(bdir, e->d_name);
            if (rc == 0 && rename(path, to) != 0)
                rc = ftl_error(err, "cannot move %s to %s: %s", path, to, strerror(errno));
            free(to);
        }
        free(path);
    }
    if (d) closedir(d);
    free(ckdir);
    free(bdir);
    return rc;
}

/* The numbered folders in RUN/branches: the largest number, or 0. */
static int last_branch(const char *root)
{
    DIR *d = opendir(root);
    struct dirent *e;
    int last = 0;
    while (d && (e = readdir(d))) {
        char *end;
        long v = strtol(e->d_name, &end, 10);
        if (!*end && end != e->d_name && v > last && v < 1000000) last = (int)v;
    }
    if (d) closedir(d);
    return last;
}

int branch_split(const char *dir, uint64_t step, uint64_t events, int *id, char *err)
{
    char *root = run_path(dir, "branches"), name[16];
    int rc = ftl_mkdir_p(root, err);
    char *branch = NULL;
    if (rc == 0) {
        *id = last_branch(root) + 1;
        snprintf(name, sizeof name, "%d", *id);
        branch = ftl_path_join(root, name);
        if (mkdir(branch, 0755) != 0)
            rc = ftl_error(err, "%s: cannot create: %s", branch, strerror(errno));
    }
    if (rc == 0) rc = split_csv(dir, branch, "metrics.csv", step, err);
    if (rc == 0) rc = split_csv(dir, branch, "evals.csv", step, err);
    if (rc == 0) rc = move_last_eval(dir, branch, step, err);
    if (rc == 0) rc = move_checkpoints(dir, branch, step, events, err);
    if (branch) ftl_sync_parent(branch);
    free(branch);
    free(root);
    return rc;
}

/* First and last step of a metrics file's rows. */
static void metrics_span(const char *path, uint64_t *first, uint64_t *last)
{
    char *text, err[FTL_ERRLEN];
    size_t len;
    *first = *last = 0;
    if (ftl_read_file(path, &text, &len, err) != 0) return;
    int col = step_column(text);
    char *row = strchr(text, '\n');
    for (int seen = 0; col >= 0 && row && row[1]; row = strchr(row + 1, '\n')) {
        uint64_t s = row_step(row + 1, col);
        if (!seen++) *first = s;
        *last = s;
    }
    free(text);
}

static int by_id(const void *a, const void *b)
{
    const struct branch_info *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

int branch_list(const char *dir, struct branch_info **out, size_t *n, char *err)
{
    char *root = run_path(dir, "branches");
    DIR *d = opendir(root);
    size_t cap = 0;
    struct dirent *e;
    *out = NULL;
    *n = 0;
    (void)err;
    while (d && (e = readdir(d))) {
        char *end;
        long v = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || v <= 0 || v >= 1000000) continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        struct branch_info *b = &(*out)[(*n)++];
        b->id = (int)v;
        b->path = ftl_path_join(root, e->d_name);
        char *m = ftl_path_join(b->path, "metrics.csv");
        metrics_span(m, &b->first, &b->last);
        free(m);
    }
    if (d) closedir(d);
    free(root);
    if (*n) qsort(*out, *n, sizeof **out, by_id);
    return 0;
}

void branch_list_free(struct branch_info *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(b[i].path);
    free(b);
}
