/* seqcsv — a long CSV into the sequence format. See seqcsv.h. */
#include "seqcsv.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seqdata.h"
#include "util.h"

#define MAX_FIELDS (DATASET_MAX_DIM + 5)

enum { COL_ID, COL_T, COL_Y, COL_GROUP, COL_SPLIT, COL_ROLES };
static const char *const role_names[COL_ROLES] = {"sequence_id", "t", "y", "group", "split"};

/* One field of a line: [s, s+len). */
struct field {
    const char *s;
    size_t len;
};

/* Splits [p, end) at commas into f[], at most MAX_FIELDS; returns the count or -1. */
static int split_fields(const char *p, const char *end, struct field *f)
{
    int n = 0;
    for (;;) {
        const char *c = memchr(p, ',', (size_t)(end - p)), *e = c ? c : end;
        if (n == MAX_FIELDS) return -1;
        f[n].s = p;
        f[n].len = (size_t)(e - p);
        while (f[n].len && (f[n].s[0] == ' ' || f[n].s[0] == '\t'))
            f[n].s++, f[n].len--;
        while (f[n].len && (f[n].s[f[n].len - 1] == ' ' || f[n].s[f[n].len - 1] == '\t'))
            f[n].len--;
        n++;
        if (!c) return n;
        p = c + 1;
    }
}

static int field_is(const struct field *f, const char *s)
{
    return f->len == strlen(s) && memcmp(f->s, s, f->len) == 0;
}

/* A number; NaN for a missing value (empty, NaN, nan, NA) when missing_ok. 0 or -1. */
static int field_number(const struct field *f, int missing_ok, double *out)
{
    char buf[64];
    if (f->len == 0 || field_is(f, "NaN") || field_is(f, "nan") || field_is(f, "NA")) {
        *out = NAN;
        return missing_ok ? 0 : -1;
    }
    if (f->len >= sizeof buf) return -1;
    memcpy(buf, f->s, f->len);
    buf[f->len] = '\0';
    char *e;
    errno = 0;
    double v = strtod(buf, &e);
    if (e == buf || *e || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

/* ---- a string set: sequence ids and group names, in order of first appearance ---- */

struct strset {
    struct field *item; /* cap */
    int32_t *slot;      /* nslot: index into item, -1 empty */
    size_t n, nslot;
};

static uint64_t hash(const struct field *f)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < f->len; i++)
        h = (h ^ (unsigned char)f->s[i]) * 1099511628211ull;
    return h;
}

static void strset_init(struct strset *s, size_t cap)
{
    s->n = 0;
    s->nslot = 16;
    while (s->nslot < 2 * cap + 2)
        s->nslot *= 2;
    s->item = xmallocarray(cap + 1, sizeof *s->item);
    s->slot = xmallocarray(s->nslot, sizeof *s->slot);
    memset(s->slot, 0xff, s->nslot * sizeof *s->slot);
}

static void strset_free(struct strset *s)
{
    free(s->item);
    free(s->slot);
}

/* The index of f, added when new (the caller keeps n below the capacity). */
static size_t strset_add(struct strset *s, const struct field *f)
{
    size_t i = hash(f) & (s->nslot - 1);
    for (; s->slot[i] >= 0; i = (i + 1) & (s->nslot - 1)) {
        const struct field *g = &s->item[s->slot[i]];
        if (g->len == f->len && memcmp(g->s, f->s, f->len) == 0) return (size_t)s->slot[i];
    }
    s->item[s->n] = *f;
    s->slot[i] = (int32_t)s->n;
    return s->n++;
}

// ---- parsing ----

struct row {
    uint32_t seq, line;
    double t;
    size_t at; /* first value in vals */
};

static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return (x->t > y->t) - (x->t < y->t);
}

struct seqinfo {
    int y, group, test;
    uint32_t first, len; /* rows in the sorted row array */
};

static int build_splits(const char *name, const struct row *rows, size_t nrows, const double *vals,
                        int D, struct seqinfo *seq, size_t nseq, const struct strset *groups,
                        int has_group, struct dataset_pair *p, char *err);

int seqcsv_parse(const char *text, size_t len, const char *name, struct dataset_pair *p, char *err)
{
    memset(p, 0, sizeof *p);
    const char *end = text + len;
    size_t lines = 1;
    for (const char *c = text; (c = memchr(c, '\n', (size_t)(end - c))); c++)
        lines++;
    struct field *f = xmallocarray(MAX_FIELDS, sizeof *f);
    int role_col[COL_ROLES], feat_col[DATASET_MAX_DIM], D = 0, ncol = 0, rc = -1;
    struct row *rows = NULL;
    double *vals = NULL;
    struct seqinfo *seq = NULL;
    struct strset ids = {0}, groups = {0};
    for (int r = 0; r < COL_ROLES; r++)
        role_col[r] = -1;

    /* The header. */
    const char *p0 = text, *nl = memchr(p0, '\n', len), *le = nl ? nl : end;
    if (le > p0 && le[-1] == '\r') le--;
    if (le == p0) {
        ftl_error(err, "%s: line 1: no header (sequence_id,t,FEATURE...,y[,group])", name);
        goto out;
    }
    if ((ncol = split_fields(p0, le, f)) < 0) {
        ftl_error(err, "%s: line 1: more than %d columns", name, MAX_FIELDS);
        goto out;
    }
    for (int c = 0; c < ncol; c++) {
        int r = 0;
        while (r < COL_ROLES && !field_is(&f[c], role_names[r]))
            r++;
        if (r < COL_ROLES && role_col[r] >= 0) {
            ftl_error(err, "%s: line 1: column %s twice", name, role_names[r]);
            goto out;
        }
        if (r < COL_ROLES)
            role_col[r] = c;
        else if (f[c].len == 0) {
            ftl_error(err, "%s: line 1: column %d has no name", name, c + 1);
            goto out;
        } else
            feat_col[D++] = c;
    }
    for (int r = COL_ID; r <= COL_Y; r++)
        if (role_col[r] < 0) {
            ftl_error(err, "%s: line 1: no %s column", name, role_names[r]);
            goto out;
        }
    if (D == 0) {
        ftl_error(err, "%s: line 1: no feature columns", name);
        goto out;
    }

    /* The rows: values into one block, sized once from the line count. */
    rows = xmallocarray(lines, sizeof *rows);
    vals = xmallocarray(lines * (size_t)D, sizeof *vals);
    strset_init(&ids, lines);
    strset_init(&groups, lines);
    int *seq_y = xmallocarray(lines, sizeof *seq_y), *seq_g = xmallocarray(lines, sizeof *seq_g),
        *seq_test = xmallocarray(lines, sizeof *seq_test);
    size_t nrows = 0;
    uint32_t line = 1;
    for (const char *q = nl ? nl + 1 : end; q < end; q = nl ? nl + 1 : end) {
        line++;
        nl = memchr(q, '\n', (size_t)(end - q));
        le = nl ? nl : end;
        if (le > q && le[-1] == '\r') le--;
        if (le == q) continue; /* blank lines, the last one above all */
        int n = split_fields(q, le, f);
        if (n != ncol) {
            ftl_error(err, "%s: line %u: %d fields, the header has %d", name, line, n < 0 ? -1 : n,
                      ncol);
            goto out_seq;
        }
        const struct field *id = &f[role_col[COL_ID]];
        if (id->len == 0) {
            ftl_error(err, "%s: line %u: empty sequence_id", name, line);
            goto out_seq;
        }
        struct row *r = &rows[nrows];
        if (field_number(&f[role_col[COL_T]], 0, &r->t) != 0) {
            ftl_error(err, "%s: line %u: t '%.*s' is not a number", name, line,
                      (int)(f[role_col[COL_T]].len > 40 ? 40 : f[role_col[COL_T]].len),
                      f[role_col[COL_T]].s);
            goto out_seq;
        }
        const struct field *yf = &f[role_col[COL_Y]];
        if (!field_is(yf, "0") && !field_is(yf, "1")) {
            ftl_error(err, "%s: line %u: y '%.*s' is not 0 or 1", name, line,
                      (int)(yf->len > 40 ? 40 : yf->len), yf->s);
            goto out_seq;
        }
        int y = yf->s[0] == '1', g = -1, test = -1;
        if (role_col[COL_GROUP] >= 0) {
            const struct field *gf = &f[role_col[COL_GROUP]];
            if (gf->len == 0 || gf->len >= DATASET_GROUP_NAME) {
                ftl_error(err, "%s: line %u: group name empty or longer than %d bytes", name, line,
                          DATASET_GROUP_NAME - 1);
                goto out_seq;
            }
            g = (int)strset_add(&groups, gf);
            if (groups.n > DATASET_MAX_GROUPS) {
                ftl_error(err, "%s: line %u: more than %d groups", name, line, DATASET_MAX_GROUPS);
                goto out_seq;
            }
        }
        if (role_col[COL_SPLIT] >= 0) {
            const struct field *sf = &f[role_col[COL_SPLIT]];
            test = field_is(sf, "test") ? 1 : field_is(sf, "train") ? 0 : -2;
            if (test == -2) {
                ftl_error(err, "%s: line %u: split is not train or test", name, line);
                goto out_seq;
            }
        }
        size_t before = ids.n, s = strset_add(&ids, id);
        if (ids.n > before) {
            seq_y[s] = y, seq_g[s] = g, seq_test[s] = test;
        } else if (seq_y[s] != y || seq_g[s] != g || seq_test[s] != test) {
            ftl_error(err, "%s: line %u: sequence %.*s changes its %s", name, line,
                      (int)(id->len > 40 ? 40 : id->len), id->s,
                      seq_y[s] != y   ? "y"
                      : seq_g[s] != g ? "group"
                                      : "split");
            goto out_seq;
        }
        r->seq = (uint32_t)s;
        r->line = line;
        r->at = nrows * (size_t)D;
        for (int c = 0; c < D; c++)
            if (field_number(&f[feat_col[c]], 1, &vals[r->at + (size_t)c]) != 0) {
                ftl_error(err, "%s: line %u: feature %d is not a number", name, line, c + 1);
                goto out_seq;
            }
        nrows++;
    }
    if (nrows == 0) {
        ftl_error(err, "%s: no data rows", name);
        goto out_seq;
    }
    qsort(rows, nrows, sizeof *rows, cmp_row);
    seq = xcalloc(ids.n, sizeof *seq);
    for (size_t i = 0; i < nrows; i++) {
        struct seqinfo *q = &seq[rows[i].seq];
        if (q->len == 0) q->first = (uint32_t)i;
        if (q->len && rows[i - 1].t == rows[i].t) {
            ftl_error(err, "%s: line %u: sequence %.*s has step t=%g twice", name, rows[i].line,
                      (int)(ids.item[rows[i].seq].len > 40 ? 40 : ids.item[rows[i].seq].len),
                      ids.item[rows[i].seq].s, rows[i].t);
            goto out_seq;
        }
        q->len++;
    }
    for (size_t s = 0; s < ids.n; s++) {
        seq[s].y = seq_y[s];
        seq[s].group = seq_g[s];
        seq[s].test = seq_test[s] >= 0 ? seq_test[s] : s % 5 == 4;
    }
    rc = build_splits(name, rows, nrows, vals, D, seq, ids.n, &groups, role_col[COL_GROUP] >= 0, p,
                      err);
out_seq:
    free(seq_y);
    free(seq_g);
    free(seq_test);
out:
    free(f);
    free(rows);
    free(vals);
    free(seq);
    strset_free(&ids);
    strset_free(&groups);
    return rc;
}

/* Group indices: the numbers themselves when every name is an integer 0..39, else the order
 * of first appearance. map[set index] = group. */
static int group_map(const struct strset *g, int *map, char names[][DATASET_GROUP_NAME])
{
    int numeric = 1, G = 0;
    for (size_t i = 0; i < g->n && numeric; i++) {
        double v;
        numeric = field_number(&g->item[i], 0, &v) == 0 && v == floor(v) && v >= 0 &&
                  v < DATASET_MAX_GROUPS;
        if (numeric) map[i] = (int)v;
    }
    for (size_t i = 0; i < g->n; i++) {
        if (!numeric) map[i] = (int)i;
        G = map[i] + 1 > G ? map[i] + 1 : G;
    }
    for (int k = 0; k < G; k++)
        snprintf(names[k], DATASET_GROUP_NAME, "%d", k);
    if (!numeric)
        for (size_t i = 0; i < g->n; i++)
            snprintf(names[i], DATASET_GROUP_NAME, "%.*s", (int)g->item[i].len, g->item[i].s);
    return G;
}

static int build_splits(const char *name, const struct row *rows, size_t nrows, const double *vals,
                        int D, struct seqinfo *seq, size_t nseq, const struct strset *groups,
                        int has_group, struct dataset_pair *p, char *err)
{
    int map[DATASET_MAX_GROUPS + 1];
    char names[DATASET_MAX_GROUPS][DATASET_GROUP_NAME];
    int G = has_group ? group_map(groups, map, names) : 0;
    struct dataset *d[2] = {&p->train, &p->test};
    for (int s = 0; s < 2; s++) {
        size_t n = 0, total = 0;
        for (size_t i = 0; i < nseq; i++)
            if (seq[i].test == s) n++, total += seq[i].len;
        if (n == 0) {
            dataset_pair_free(p);
            return ftl_error(err, "%s: no %s sequences", name, s ? "test" : "training");
        }
        if (total > UINT32_MAX) {
            dataset_pair_free(p);
            return ftl_error(err, "%s: too many rows", name);
        }
        dataset_init(d[s], n, total, D, name);
        d[s]->ngroups = G;
        memcpy(d[s]->group_name, names, sizeof names);
        size_t k = 0, row = 0;
        for (size_t i = 0; i < nseq; i++) {
            if (seq[i].test != s) continue;
            d[s]->y[k] = (uint8_t)seq[i].y;
            d[s]->group[k] = has_group ? (uint8_t)map[seq[i].group] : 0;
            for (uint32_t t = 0; t < seq[i].len; t++, row++)
                for (int c = 0; c < D; c++)
                    d[s]->x[row * (size_t)D + (size_t)c] =
                        (float)vals[rows[seq[i].first + t].at + (size_t)c];
            d[s]->offset[++k] = (uint32_t)row;
        }
    }
    (void)nrows;
    return 0;
}

int seqcsv_import(const char *csv_path, const char *out_dir, struct dataset_pair *summary,
                  char *err)
{
    char *text;
    size_t len;
    if (ftl_read_file(csv_path, &text, &len, err) != 0) return -1;
    struct dataset_pair p;
    int rc = seqcsv_parse(text, len, csv_path, &p, err);
    free(text);
    if (rc != 0) return -1;
    rc = ftl_mkdir_p(out_dir, err);
    if (rc == 0) rc = seqdata_write_npy(out_dir, "train", &p.train, err);
    if (rc == 0) rc = seqdata_write_npy(out_dir, "test", &p.test, err);
    if (rc == 0 && p.train.ngroups > 0) {
        size_t cap = (size_t)p.train.ngroups * DATASET_GROUP_NAME + 1, o = 0;
        char *buf = xmalloc(cap);
        for (int g = 0; g < p.train.ngroups; g++)
            o += (size_t)snprintf(buf + o, cap - o, "%s\n", p.train.group_name[g]);
        char *path = ftl_path_join(out_dir, "groups.txt");
        rc = ftl_write_file(path, buf, o, err);
        free(path);
        free(buf);
    }
    if (rc == 0 && summary)
        *summary = p;
    else
        dataset_pair_free(&p);
    return rc;
}
