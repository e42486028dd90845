/* seqdata — the general sequence format: npz archives or .npy files. See seqdata.h. */
#include "seqdata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npz.h"
#include "util.h"

static void shape_text(const struct npy *a, char *buf, size_t cap)
{
    int o = 0;
    buf[0] = '\0';
    for (int i = 0; i < a->ndim && o < (int)cap - 24; i++)
        o += snprintf(buf + o, cap - (size_t)o, "%s%zu", i ? ", " : "", a->shape[i]);
}

/* A vector of n entries: (n,) or (n, 1). */
static int check_vector(const struct npy *a, size_t n, const char *name, const char *what,
                        char *err)
{
    char shape[96];
    shape_text(a, shape, sizeof shape);
    if (!(a->ndim == 1 || (a->ndim == 2 && a->shape[1] == 1)))
        return ftl_error(err, "%s: %s: shape (%s) is not (N,)", name, what, shape);
    if (a->shape[0] != n)
        return ftl_error(err, "%s: %s: %zu entries for %zu sequences (x)", name, what, a->shape[0],
                         n);
    return 0;
}

int seqdata_from_arrays(const struct npy *x, const struct npy *lengths, const struct npy *y,
                        const struct npy *groups, int ngroups_max, enum dataset_nan nan,
                        const char *name, struct dataset *d, char *err)
{
    memset(d, 0, sizeof *d);
    char shape[96];
    shape_text(x, shape, sizeof shape);
    if (x->ndim != 3 || x->shape[0] == 0 || x->shape[1] == 0 || x->shape[2] == 0)
        return ftl_error(err, "%s: x: shape (%s) is not (sequences, steps, features)", name, shape);
    size_t n = x->shape[0], T = x->shape[1], D = x->shape[2];
    if (D > DATASET_MAX_DIM)
        return ftl_error(err, "%s: x: %zu features, more than ftlab takes (%d)", name, D,
                         DATASET_MAX_DIM);
    if (n > UINT32_MAX) return ftl_error(err, "%s: x: too many sequences (%zu)", name, n);
    if (check_vector(lengths, n, name, "lengths", err) || check_vector(y, n, name, "y", err) ||
        (groups && check_vector(groups, n, name, "groups", err)))
        return -1;
    if (!npy_dtype_is_integer(lengths->dtype))
        return ftl_error(err, "%s: lengths: dtype %s; integers are needed", name,
                         npy_dtype_name(lengths->dtype));
    if (groups && !npy_dtype_is_integer(groups->dtype))
        return ftl_error(err, "%s: groups: dtype %s; integers are needed", name,
                         npy_dtype_name(groups->dtype));
    /* Lengths first: they size everything else. */
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t l = npy_get_i64(lengths, i);
        if (l < 1 || (uint64_t)l > T)
            return ftl_error(err, "%s: lengths: sequence %zu has length %lld, not in 1..%zu (T)",
                             name, i, (long long)l, T);
        total += (size_t)l;
    }
    if (total > UINT32_MAX) return ftl_error(err, "%s: x: too many steps (%zu)", name, total);
    for (size_t i = 0; i < n; i++) {
        double v = npy_get_f64(y, i);
        if (v != 0 && v != 1)
            return ftl_error(err, "%s: y: sequence %zu has label %g, not 0 or 1", name, i, v);
    }
    int gmax = ngroups_max > 0 ? ngroups_max : DATASET_MAX_GROUPS;
    for (size_t i = 0; groups && i < n; i++) {
        int64_t g = npy_get_i64(groups, i);
        if (g < 0 || g >= gmax)
            return ftl_error(err, "%s: groups: sequence %zu is in group %lld, not in 0..%d%s", name,
                             i, (long long)g, gmax - 1,
                             ngroups_max > 0 ? " (groups.txt names no more)"
                                             : " (at most 40 groups)");
    }
    dataset_init(d, n, total, (int)D, name);
    size_t row = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = (size_t)npy_get_i64(lengths, i);
        d->y[i] = (uint8_t)npy_get_f64(y, i);
        if (groups) d->group[i] = (uint8_t)npy_get_i64(groups, i);
        for (size_t t = 0; t < len; t++, row++)
            for (size_t c = 0; c < D; c++) {
                double v = npy_get_f64(x, (i * T + t) * D + c);
                if (isnan(v)) {
                    if (nan == DATASET_NAN_REFUSE) {
                        ftl_error(err,
                                  "%s: x: sequence %zu, step %zu, feature %zu is NaN (choose "
                                  "--nan zero or --nan carry)",
                                  name, i, t, c);
                        dataset_free(d);
                        return -1;
                    }
                    v = nan == DATASET_NAN_CARRY && t > 0 ? d->x[(row - 1) * D + c] : 0;
                    d->missing++;
                } else if (!isfinite(v) || fabs(v) > 3.4e38) {
                    ftl_error(err, "%s: x: sequence %zu, step %zu, feature %zu is %s", name, i, t,
                              c, isfinite(v) ? "beyond float32" : "Inf");
                    dataset_free(d);
                    return -1;
                }
                d->x[row * D + c] = (float)v;
            }
        d->offset[i + 1] = (uint32_t)row;
    }
    return 0;
}

int seqdata_read_group_names(const char *path, char names[][DATASET_GROUP_NAME], int *n, char *err)
{
    *n = 0;
    if (!ftl_is_file(path)) return 0;
    char *text;
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) return -1;
    int rc = 0, line = 0;
    for (char *p = text; p < text + len && rc == 0;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p)), *end = nl ? nl : text + len;
        line++;
        size_t l = (size_t)(end - p);
        if (l && p[l - 1] == '\r') l--;
        if (l == 0 && !nl) break;
        if (*n == DATASET_MAX_GROUPS)
            rc = ftl_error(err, "%s: more than %d groups", path, DATASET_MAX_GROUPS);
        else if (l == 0)
            rc = ftl_error(err, "%s: line %d: an empty group name", path, line);
        else if (l >= DATASET_GROUP_NAME)
            rc = ftl_error(err, "%s: line %d: a group name longer than %d bytes", path, line,
                           DATASET_GROUP_NAME - 1);
        else if (memchr(p, '\0', l))
            rc = ftl_error(err, "%s: line %d: a NUL byte in a group name", path, line);
        else {
            memcpy(names[*n], p, l);
            names[*n][l] = '\0';
            (*n)++;
        }
        p = end + 1;
    }
    free(text);
    return rc;
}

static const char *const arrays[4] = {"x", "lengths", "y", "groups"};

/* The four arrays of one split (groups maybe empty: data NULL); *file names where they came
 * from. */
static int read_split(const char *dir, int npz, const char *split, struct npy a[4], char *file,
                      size_t cap, char *err)
{
    memset(a, 0, 4 * sizeof *a);
    if (npz) {
        char base[64];
        snprintf(base, sizeof base, "%s.npz", split);
        char *path = ftl_path_join(dir, base);
        snprintf(file, cap, "%s", path);
        struct npz *z;
        int rc = npz_open(path, &z, err);
        free(path);
        if (rc != 0) return -1;
        for (int i = 0; i < 4 && rc == 0; i++)
            if (i < 3 || npz_has(z, arrays[i])) rc = npz_read(z, arrays[i], &a[i], err);
        npz_close(z);
        return rc;
    }
    char base[64];
    snprintf(base, sizeof base, "%s_*.npy", split);
    char *pattern = ftl_path_join(dir, base);
    snprintf(file, cap, "%s", pattern);
    free(pattern);
    for (int i = 0; i < 4; i++) {
        snprintf(base, sizeof base, "%s_%s.npy", split, arrays[i]);
        char *path = ftl_path_join(dir, base);
        int rc = 0;
        if (i < 3 && !ftl_is_file(path))
            rc = ftl_error(err, "%s: missing (the %s split's %s)", path, split, arrays[i]);
        else if (ftl_is_file(path))
            rc = npy_read(path, &a[i], err);
        free(path);
        if (rc != 0) return -1;
    }
    return 0;
}

int seqdata_load(const char *dir, int npz, enum dataset_nan nan, struct dataset_pair *p, char *err)
{
    memset(p, 0, sizeof *p);
    char names[DATASET_MAX_GROUPS][DATASET_GROUP_NAME];
    int named = 0;
    char *gpath = ftl_path_join(dir, "groups.txt");
    int rc = seqdata_read_group_names(gpath, names, &named, err);
    free(gpath);
    if (rc != 0) return -1;
    static const char *const splits[2] = {"train", "test"};
    struct dataset *d[2] = {&p->train, &p->test};
    int has_groups[2] = {0, 0};
    for (int s = 0; s < 2 && rc == 0; s++) {
        struct npy a[4];
        char file[1200];
        rc = read_split(dir, npz, splits[s], a, file, sizeof file, err);
        if (rc == 0) {
            has_groups[s] = a[3].data != NULL;
            rc = seqdata_from_arrays(&a[0], &a[1], &a[2], has_groups[s] ? &a[3] : NULL, named, nan,
                                     file, d[s], err);
        }
        for (int i = 0; i < 4; i++)
            npy_free(&a[i]);
    }
    if (rc == 0 && p->train.dim != p->test.dim)
        rc = ftl_error(err, "%s: x: %d features in the test split, %d in the training split",
                       p->test.source, p->test.dim, p->train.dim);
    if (rc == 0 && has_groups[0] != has_groups[1])
        rc = ftl_error(err, "%s: groups: %s", has_groups[0] ? p->test.source : p->train.source,
                       "missing, while the other split has them");
    if (rc == 0 && named && !has_groups[0])
        rc =
            ftl_error(err, "%s/groups.txt: names groups, but the splits have no groups array", dir);
    if (rc != 0) {
        dataset_pair_free(p);
        return -1;
    }
    if (has_groups[0]) {
        int G = named;
        if (!G)
            for (int s = 0; s < 2; s++)
                for (size_t i = 0; i < d[s]->n; i++)
                    G = d[s]->group[i] + 1 > G ? d[s]->group[i] + 1 : G;
        for (int s = 0; s < 2; s++) {
            d[s]->ngroups = G;
            for (int g = 0; g < G; g++) {
                if (named)
                    memcpy(d[s]->group_name[g], names[g], DATASET_GROUP_NAME);
                else
                    snprintf(d[s]->group_name[g], DATASET_GROUP_NAME, "%d", g);
            }
        }
    }
    return 0;
}

int seqdata_write_npy(const char *dir, const char *prefix, const struct dataset *d, char *err)
{
    size_t n = d->n, T = dataset_max_len(d), D = (size_t)d->dim;
    float *x = xcalloc(n * T * D + 1, sizeof *x);
    int32_t *len = xcalloc(n + 1, sizeof *len);
    for (size_t i = 0; i < n; i++) {
        len[i] = (int32_t)dataset_len(d, i);
        memcpy(x + i * T * D, dataset_seq(d, i), (size_t)len[i] * D * sizeof *x);
    }
    struct {
        const char *name;
        enum npy_dtype t;
        int ndim;
        size_t shape[3];
        const void *data;
    } out[4] = {
        {"x", NPY_F4, 3, {n, T, D}, x},
        {"lengths", NPY_I4, 1, {n}, len},
        {"y", NPY_U1, 1, {n}, d->y},
        {"groups", NPY_U1, 1, {n}, d->group},
    };
    int rc = 0;
    for (int i = 0; i < (d->ngroups > 0 ? 4 : 3) && rc == 0; i++) {
        char base[96];
        snprintf(base, sizeof base, "%s_%s.npy", prefix, out[i].name);
        char *path = ftl_path_join(dir, base);
        rc = npy_write(path, out[i].t, out[i].ndim, out[i].shape, out[i].data, err);
        free(path);
    }
    free(x);
    free(len);
    return rc;
}
