/* plotdata — the run files figures are drawn from. See plotdata.h. */
#define _POSIX_C_SOURCE 200809L
#include "plotdata.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "loss.h"
#include "run.h"
#include "util.h"

// ---- CSV ----

static int count_fields(const char *line)
{
    int n = 1;
    for (; *line; line++)
        n += *line == ',';
    return n;
}

/* Splits line (NUL-terminated) at commas in place into at most cap fields; returns the count. */
static int split_fields(char *line, char **field, int cap)
{
    int n = count_fields(line);
    if (n > cap) return n;
    for (int i = 0; i < n; i++) {
        field[i] = line;
        line += strcspn(line, ",");
        *line++ = '\0';
    }
    return n;
}

static double parse_cell(const char *s)
{
    char *end;
    double v = strtod(s, &end);
    return end != s && *end == '\0' ? v : NAN;
}

/* The next whole line from *p (ending before end), NUL-terminated in place; NULL at the end. */
static char *next_line(char **p, char *end)
{
    if (*p >= end) return NULL;
    char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl) return NULL; /* an incomplete last line: still being written */
    char *line = *p;
    *nl = '\0';
    if (nl > line && nl[-1] == '\r') nl[-1] = '\0';
    *p = nl + 1;
    return line;
}

int plotdata_csv_read(const char *path, struct plotdata_csv *t, char *err)
{
    memset(t, 0, sizeof *t);
    char *text;
    size_t len;
    if (ftl_read_file(path, &text, &len, err) != 0) return -1;
    char *p = text, *end = text + len, *line = next_line(&p, end);
    if (!line || !*line) {
        free(text);
        return ftl_error(err, "%s: no header line", path);
    }
    t->ncol = count_fields(line);
    char **field = xmallocarray((size_t)t->ncol, sizeof *field);
    split_fields(line, field, t->ncol);
    t->name = xmallocarray((size_t)t->ncol, sizeof *t->name);
    for (int c = 0; c < t->ncol; c++)
        t->name[c] = xstrdup(field[c]);
    size_t cap = 0;
    int rc = 0;
    for (unsigned lineno = 2; rc == 0 && (line = next_line(&p, end)); lineno++) {
        if (!*line) continue;
        int n = split_fields(line, field, t->ncol);
        if (n != t->ncol) {
            rc = ftl_error(err, "%s:%u: %d fields, the header has %d", path, lineno, n, t->ncol);
            break;
        }
        if (t->nrow == cap) {
            cap = cap ? 2 * cap : 256;
            t->v = xrealloc(t->v, cap * (size_t)t->ncol * sizeof *t->v);
        }
        for (int c = 0; c < t->ncol; c++)
            t->v[t->nrow * (size_t)t->ncol + c] = parse_cell(field[c]);
        t->nrow++;
    }
    free(field);
    free(text);
    if (rc != 0) plotdata_csv_free(t);
    return rc;
}

int plotdata_csv_col(const struct plotdata_csv *t, const char *name)
{
    for (int c = 0; c < t->ncol; c++)
        if (strcmp(t->name[c], name) == 0) return c;
    return -1;
}

void plotdata_csv_free(struct plotdata_csv *t)
{
    for (int c = 0; c < t->ncol; c++)
        free(t->name[c]);
    free(t->name);
    free(t->v);
    memset(t, 0, sizeof *t);
}

// ---- journal markers ----

/* RUN_DIR/journal into log: 1 when read, 0 when the run has none (a run may lack one), -1 on error.
 */
static int read_journal(const char *run_dir, struct journal_log *log, char *err)
{
    char *path = run_path(run_dir, "journal");
    int rc = !ftl_is_file(path) ? 0 : journal_read(path, log, err) == 0 ? 1 : -1;
    free(path);
    return rc;
}

int plotdata_changes(const char *run_dir, struct plotdata_change **changes, size_t *n, char *err)
{
    *changes = NULL;
    *n = 0;
    struct journal_log log;
    int rc = read_journal(run_dir, &log, err);
    if (rc <= 0) return rc;
    struct plotdata_change *c = xcalloc(log.nevents + 1, sizeof *c);
    size_t count = 0;
    char why[FTL_ERRLEN];
    for (size_t i = 0; i < log.nevents; i++) {
        const struct journal_entry *e = &log.events[i];
        int id = ctl_from_name(e->key);
        double v;
        /* A value ftlab would refuse to replay is no marker either. */
        if (e->superseded || id < 0 || !e->value ||
            ctl_parse((enum ctl_id)id, e->value, &v, why) != 0)
            continue;
        c[count++] = (struct plotdata_change){e->step, (enum ctl_id)id, v};
    }
    journal_log_free(&log);
    *changes = c;
    *n = count;
    return 0;
}

int plotdata_markers(const char *run_dir, struct plotdata_marker **markers, size_t *n, char *err)
{
    struct plotdata_change *c;
    size_t nc, count = 0;
    *markers = NULL;
    *n = 0;
    if (plotdata_changes(run_dir, &c, &nc, err) != 0) return -1;
    struct plotdata_marker *m = xcalloc(nc + 1, sizeof *m);
    for (size_t i = 0; i < nc; i++) {
        if (!count || m[count - 1].step != c[i].step) m[count++].step = c[i].step;
        ctl_marker_append(m[count - 1].text, sizeof m[count - 1].text, c[i].id, c[i].value, 1);
    }
    free(c);
    *markers = m;
    *n = count;
    return 0;
}

// ---- the run ----

static void append_loss(struct plotdata_run *r, int kind)
{
    size_t used = strlen(r->losses);
    snprintf(r->losses + used, sizeof r->losses - used, "%s%s", used ? " → " : "",
             reg_table[kind].title);
}

/* The losses the journal switched to, in order, after the starting one. */
static int add_loss_changes(const char *run_dir, struct plotdata_run *r, char *err)
{
    struct journal_log log;
    int rc = read_journal(run_dir, &log, err);
    if (rc <= 0) return rc;
    int current = r->loss;
    for (size_t i = 0; i < log.nevents; i++) {
        const struct journal_entry *e = &log.events[i];
        int kind = e->superseded || strcmp(e->key, "loss") != 0 ? -1 : reg_from_name(e->value);
        if (kind >= 0 && kind != current) append_loss(r, kind);
        if (kind >= 0) current = kind;
    }
    journal_log_free(&log);
    return 0;
}

int plotdata_run_info(const char *run_dir, struct plotdata_run *r, char *err)
{
    memset(r, 0, sizeof *r);
    char *path = run_path(run_dir, "config");
    struct run_kv kv;
    if (run_kv_read(path, &kv, err) != 0) {
        free(path);
        return -1;
    }
    const char *task = run_kv_get(&kv, "task"), *loss = run_kv_get(&kv, "loss");
    const char *units = run_kv_get(&kv, "units");
    r->autoencoder = task && strcmp(task, "autoencode") == 0;
    r->units = units ? atoi(units) : 0;
    r->loss = reg_from_name(loss);
    int rc = 0;
    if (r->loss < 0) rc = ftl_error(err, "%s: no known 'loss' setting", path);
    run_kv_free(&kv);
    free(path);
    if (rc != 0) return -1;
    append_loss(r, r->loss);
    return add_loss_changes(run_dir, r, err);
}
