/*
 * follow — the read-only workbench. See follow.h.
 *
 * Each run is a handful of files watched through a `struct tail`: stat()
 * every POLL_SECONDS, and only a file that changed is read again. metrics.csv
 * grows row by row, so only its new whole lines are read (a row whose '\n'
 * has not arrived waits for the next poll); when it gets shorter, changes
 * inode (a resumed run cuts it back atomically, a rename) or a row's step
 * does not go up, its curves start over from the top of the file. The small
 * files (config, journal, eval.csv, actmap.csv) are read whole when they change.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "canvas.h"
#include "chart.h"
#include "display.h"
#include "control.h"
#include "follow.h"
#include "heatmap.h"
#include "loss.h"
#include "plotdata.h"
#include "run.h"
#include "term.h"
#include "util.h"

#define POLL_SECONDS 0.5
#define MESSAGE_SECONDS 4.0
#define MIN_W 40
#define MIN_H 12
#define MAX_K 16

// ---- tail: one file of a run, watched by stat() ----

struct tail {
    char *path;
    int exists;
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime;
    off_t done; /* bytes consumed as whole lines (the files read incrementally) */
};

enum tail_change {
    TAIL_SAME,
    TAIL_GREW,  /* same file, longer or touched */
    TAIL_RESET, /* new, gone, replaced (another inode) or cut shorter: read from the top */
};

static enum tail_change tail_poll(struct tail *t)
{
    struct stat st;
    if (stat(t->path, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (!t->exists) return TAIL_SAME;
        t->exists = 0, t->size = 0, t->done = 0;
        return TAIL_RESET;
    }
    int reset = !t->exists || st.st_dev != t->dev || st.st_ino != t->ino || st.st_size < t->size ||
                st.st_size < t->done;
    int same = !reset && st.st_size == t->size && st.st_mtim.tv_sec == t->mtime.tv_sec &&
               st.st_mtim.tv_nsec == t->mtime.tv_nsec;
    t->exists = 1, t->dev = st.st_dev, t->ino = st.st_ino, t->size = st.st_size;
    t->mtime = st.st_mtim;
    if (reset) t->done = 0;
    return reset ? TAIL_RESET : same ? TAIL_SAME : TAIL_GREW;
}

/*
 * The whole lines from t->done to the end of the file, NUL-terminated in a
 * new buffer (*len bytes, the last one a '\n'); t->done moves past them.
 * NULL when there is no new whole line, or the file was replaced since the
 * last tail_poll (the next poll sees it). Opens the file read-only.
 */
static char *tail_read_lines(struct tail *t, size_t *len)
{
    int fd = open(t->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    struct stat st;
    char *buf = NULL;
    size_t got = 0;
    if (fstat(fd, &st) == 0 && st.st_ino == t->ino && st.st_size > t->done) {
        size_t want = (size_t)(st.st_size - t->done);
        buf = xmalloc(want + 1);
        while (got < want) {
            ssize_t r = pread(fd, buf + got, want - got, t->done + (off_t)got);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) break;
            got += (size_t)r;
        }
        while (got > 0 && buf[got - 1] != '\n') /* a row still being written waits */
            got--;
    }
    close(fd);
    if (got == 0) {
        free(buf);
        return NULL;
    }
    buf[got] = '\0';
    t->done += (off_t)got;
    *len = got;
    return buf;
}

/* Seconds since the file last changed (its mtime), or -1 when it does not exist. */
static double tail_age(const struct tail *t, time_t now)
{
    if (!t->exists) return -1;
    double age = difftime(now, t->mtime.tv_sec);
    return age > 0 ? age : 0; /* another machine's clock may run ahead */
}

// ---- a run: what its files say ----

struct evaluation {
    uint64_t step;
    int nk, k[MAX_K], active_units;
    double ami_max[MAX_K], ami_arith[MAX_K], task;
};

struct run {
    char *dir;
    const char *name; /* for the list: the last one or two path components */
    struct tail config, metrics, journal, eval, actmap;

    /* config */
    uint64_t total_steps, epochs;
    int autoencoder;

    /* metrics.csv: the header's columns, then one point per row */
    int col_step, col_epoch, col_loss, col_reg[REG_COUNT], col_ctl[CTL_COUNT], ncol;
    size_t n, cap;
    double *step, *val[REG_COUNT]; /* [0] the task loss, [k] regulariser k */
    uint64_t epoch;
    char loss[32];
    double ctl[CTL_COUNT];

    /* journal: the control changes, one marker per step */
    struct chart_marker *marks;
    char (*mark_text)[96];
    size_t nmarks;

    /* eval.csv: the latest evaluation, and AMI_max at one k over the evaluations seen */
    struct evaluation ev;
    int has_eval, hist_k;
    double *hist_step, *hist_ami;
    size_t nhist, cap_hist;

    /* actmap.csv: Figure 2 */
    uint32_t *heat;
    int heat_units, heat_active, heat_classes;
    char class_name[40][32]; /* groups.txt, else the column names (digitN -> N) */

    char problem[FTL_ERRLEN]; /* the last file that could not be read, and why */
};

static char *base_name(char *path)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

static void run_init(struct run *r, const char *dir)
{
    memset(r, 0, sizeof *r);
    r->dir = xstrdup(dir);
    char *copy = xstrdup(dir);
    r->name = xstrdup(base_name(copy));
    free(copy);
    r->config.path = run_path(dir, "config");
    r->metrics.path = run_path(dir, "metrics.csv");
    r->journal.path = run_path(dir, "journal");
    r->eval.path = run_path(dir, "eval.csv");
    r->actmap.path = run_path(dir, "actmap.csv");
    r->col_step = -1;
}

static void run_free(struct run *r)
{
    struct tail *t[] = {&r->config, &r->metrics, &r->journal, &r->eval, &r->actmap};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        free(t[i]->path);
    free(r->dir);
    free((char *)r->name);
    free(r->step);
    for (int k = 0; k < REG_COUNT; k++)
        free(r->val[k]);
    free(r->marks);
    free(r->mark_text);
    free(r->hist_step);
    free(r->hist_ami);
    free(r->heat);
}

static void read_config(struct run *r)
{
    struct run_kv kv;
    char err[FTL_ERRLEN];
    if (!r->config.exists || run_kv_read(r->config.path, &kv, err) != 0) return;
    const char *steps = run_kv_get(&kv, "steps"), *epochs = run_kv_get(&kv, "epochs");
    const char *task = run_kv_get(&kv, "task");
    r->total_steps = steps ? strtoull(steps, NULL, 10) : 0;
    r->epochs = epochs ? strtoull(epochs, NULL, 10) : 0;
    r->autoencoder = task && strcmp(task, "autoencode") == 0;
    run_kv_free(&kv);
}

/* metrics.csv's header: which column holds what (session.c writes it from reg_table, ctl_table). */
static void metrics_header(struct run *r, char *line)
{
    r->col_step = r->col_epoch = r->col_loss = -1;
    for (int k = 0; k < REG_COUNT; k++)
        r->col_reg[k] = -1;
    for (int i = 0; i < CTL_COUNT; i++)
        r->col_ctl[i] = -1;
    int c = 0;
    for (char *f = strtok(line, ","); f; f = strtok(NULL, ","), c++) {
        if (strcmp(f, "step") == 0) r->col_step = c;
        if (strcmp(f, "epoch") == 0) r->col_epoch = c;
        if (strcmp(f, "loss") == 0) r->col_loss = c;
        if (strcmp(f, "task") == 0) r->col_reg[REG_BASELINE] = c;
        for (int k = REG_BASELINE + 1; k < REG_COUNT; k++)
            if (strcmp(f, reg_table[k].name) == 0) r->col_reg[k] = c;
        for (int i = CTL_LOSS + 1; i < CTL_COUNT; i++)
            if (strcmp(f, ctl_table[i].name) == 0) r->col_ctl[i] = c;
    }
    r->ncol = c;
}

static void metrics_forget(struct run *r)
{
    r->n = 0;
    r->col_step = -1;
    r->epoch = 0;
    r->loss[0] = '\0';
}

/* One row; 0, or -1 when its step does not follow the last one (the file was cut back). */
static int metrics_row(struct run *r, char *line)
{
    char *field[64];
    int nf = 0;
    for (char *p = line; nf < 64;) {
        field[nf++] = p;
        p = strchr(p, ',');
        if (!p) break;
        *p++ = '\0';
    }
    if (nf != r->ncol || r->col_step < 0) return 0; /* not a row of this header */
    double step = strtod(field[r->col_step], NULL);
    if (r->n > 0 && step <= r->step[r->n - 1]) return -1;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 4096;
        r->step = xrealloc(r->step, r->cap * sizeof *r->step);
        for (int k = 0; k < REG_COUNT; k++)
            r->val[k] = xrealloc(r->val[k], r->cap * sizeof *r->val[k]);
    }
    r->step[r->n] = step;
    for (int k = 0; k < REG_COUNT; k++)
        r->val[k][r->n] = r->col_reg[k] >= 0 ? strtod(field[r->col_reg[k]], NULL) : NAN;
    r->n++;
    if (r->col_epoch >= 0) r->epoch = strtoull(field[r->col_epoch], NULL, 10);
    if (r->col_loss >= 0) snprintf(r->loss, sizeof r->loss, "%s", field[r->col_loss]);
    for (int i = 0; i < CTL_COUNT; i++)
        if (r->col_ctl[i] >= 0) r->ctl[i] = strtod(field[r->col_ctl[i]], NULL);
    return 0;
}

/* The new whole rows of metrics.csv; from the top after a reset or a step going back. */
static void read_metrics(struct run *r, enum tail_change how)
{
    if (how == TAIL_RESET) metrics_forget(r);
    off_t from = r->metrics.done;
    size_t len;
    char *text = tail_read_lines(&r->metrics, &len);
    for (char *p = text, *nl; p && (nl = strchr(p, '\n')); p = nl + 1) {
        *nl = '\0';
        if (nl > p && nl[-1] == '\r') nl[-1] = '\0';
        if (r->col_step < 0) {
            metrics_header(r, p);
            continue;
        }
        /* A step going back: cut back and regrown between two polls, so read it all again. */
        if (*p && metrics_row(r, p) != 0 && from > 0) {
            free(text);
            r->metrics.done = 0;
            metrics_forget(r);
            read_metrics(r, TAIL_GREW);
            return;
        }
    }
    free(text);
}

/* The journal's control changes as chart markers, worded by ctl_marker_append. */
static void read_journal(struct run *r)
{
    struct plotdata_change *c;
    size_t nc;
    char err[FTL_ERRLEN];
    if (plotdata_changes(r->dir, &c, &nc, err) != 0) {
        snprintf(r->problem, sizeof r->problem, "%s", err);
        return;
    }
    r->marks = xrealloc(r->marks, (nc + 1) * sizeof *r->marks);
    r->mark_text = xrealloc(r->mark_text, (nc + 1) * sizeof *r->mark_text);
    r->nmarks = 0;
    for (size_t i = 0; i < nc; i++) {
        if (!r->nmarks || r->marks[r->nmarks - 1].x != (double)c[i].step) {
            r->mark_text[r->nmarks][0] = '\0';
            r->marks[r->nmarks++].x = (double)c[i].step;
        }
        ctl_marker_append(r->mark_text[r->nmarks - 1], sizeof r->mark_text[0], c[i].id, c[i].value,
                          term_utf8());
    }
    for (size_t i = 0; i < r->nmarks; i++)
        r->marks[i].label = r->mark_text[i];
    free(c);
}

/* The k shown in the list and the history: 10 (the digits) if evaluated, else the first. */
static int pick_k(const struct evaluation *e)
{
    for (int j = 0; j < e->nk; j++)
        if (e->k[j] == 10) return j;
    return 0;
}

/* AMI_max of one evaluation into the history, which stays in step order. */
static void history_add(struct run *r, const struct evaluation *e)
{
    int j = pick_k(e);
    if (r->nhist && r->hist_k != e->k[j]) r->nhist = 0; /* another k: a history of its own */
    r->hist_k = e->k[j];
    while (r->nhist && r->hist_step[r->nhist - 1] >= (double)e->step)
        r->nhist--; /* re-evaluated, or the run went back to a checkpoint */
    if (r->nhist == r->cap_hist) {
        r->cap_hist = r->cap_hist ? 2 * r->cap_hist : 32;
        r->hist_step = xrealloc(r->hist_step, r->cap_hist * sizeof *r->hist_step);
        r->hist_ami = xrealloc(r->hist_ami, r->cap_hist * sizeof *r->hist_ami);
    }
    r->hist_step[r->nhist] = (double)e->step;
    r->hist_ami[r->nhist++] = e->ami_max[j];
}

/* eval.csv (evaluate.c): one row per k, all of one evaluation's step; rewritten whole each time. */
static void read_eval(struct run *r)
{
    struct plotdata_csv t;
    char err[FTL_ERRLEN];
    if (!r->eval.exists) return;
    if (plotdata_csv_read(r->eval.path, &t, err) != 0) {
        snprintf(r->problem, sizeof r->problem, "%s", err);
        return;
    }
    int cs = plotdata_csv_col(&t, "step"), ck = plotdata_csv_col(&t, "k");
    int cm = plotdata_csv_col(&t, "ami_max"), ca = plotdata_csv_col(&t, "ami_arithmetic");
    int cu = plotdata_csv_col(&t, "active_units");
    int ct = plotdata_csv_col(&t, r->autoencoder ? "test_error" : "test_accuracy");
    struct evaluation e = {0};
    for (size_t i = 0; cs >= 0 && ck >= 0 && cm >= 0 && i < t.nrow; i++) {
        const double *row = &t.v[i * (size_t)t.ncol];
        if (e.nk && (uint64_t)row[cs] != e.step) { /* several evaluations: each into the history */
            history_add(r, &e);
            e = (struct evaluation){0};
        }
        if (e.nk == MAX_K) continue;
        e.step = (uint64_t)row[cs];
        e.k[e.nk] = (int)row[ck];
        e.ami_max[e.nk] = row[cm];
        e.ami_arith[e.nk] = ca >= 0 ? row[ca] : NAN;
        e.active_units = cu >= 0 ? (int)row[cu] : 0;
        e.task = ct >= 0 ? row[ct] : NAN;
        e.nk++;
    }
    if (e.nk) {
        history_add(r, &e);
        r->ev = e;
        r->has_eval = 1;
    }
    plotdata_csv_free(&t);
}

/* actmap.csv (evaluate.c): unit, then a column per class (digit0..digit9, or g0.. named by
 * RUN_DIR/groups.txt); a row per unit of the target layer. */
static void read_actmap(struct run *r)
{
    struct plotdata_csv t;
    char err[FTL_ERRLEN];
    if (!r->actmap.exists) return;
    if (plotdata_csv_read(r->actmap.path, &t, err) != 0) {
        snprintf(r->problem, sizeof r->problem, "%s", err);
        return;
    }
    int c0 = plotdata_csv_col(&t, "unit") + 1, C = t.ncol - c0;
    if (c0 < 1 || C < 1 || C > 40) C = 0;
    free(r->heat);
    r->heat = xcalloc(t.nrow * (size_t)(C ? C : 1) + 1, sizeof *r->heat);
    r->heat_units = C ? (int)t.nrow : 0;
    r->heat_classes = C;
    r->heat_active = 0;
    for (int d = 0; d < C; d++) {
        const char *n = t.name[c0 + d];
        snprintf(r->class_name[d], sizeof r->class_name[d], "%s",
                 strncmp(n, "digit", 5) == 0 ? n + 5 : n);
    }
    char *gpath = ftl_path_join(r->dir, "groups.txt"), *text;
    size_t len;
    if (C && ftl_is_file(gpath) && ftl_read_file(gpath, &text, &len, err) == 0) {
        int d = 0;
        for (char *line = strtok(text, "\n"); line && d < C; line = strtok(NULL, "\n"), d++)
            snprintf(r->class_name[d], sizeof r->class_name[d], "%s", line);
        free(text);
    }
    free(gpath);
    for (int u = 0; u < r->heat_units; u++) {
        uint32_t sum = 0;
        for (int d = 0; d < C; d++) {
            double v = t.v[(size_t)u * (size_t)t.ncol + (size_t)(c0 + d)];
            r->heat[u * C + d] = isfinite(v) && v > 0 ? (uint32_t)v : 0;
            sum += r->heat[u * C + d];
        }
        r->heat_active += sum > 0;
    }
    plotdata_csv_free(&t);
}

/* Stats every file; reads what changed. Returns whether anything did. */
static int run_poll(struct run *r)
{
    int changed = 0;
    enum tail_change c;
    if ((c = tail_poll(&r->config)) != TAIL_SAME) read_config(r), changed = 1;
    if ((c = tail_poll(&r->metrics)) != TAIL_SAME) read_metrics(r, c), changed = 1;
    if ((c = tail_poll(&r->journal)) != TAIL_SAME) read_journal(r), changed = 1;
    if ((c = tail_poll(&r->eval)) != TAIL_SAME) read_eval(r), changed = 1;
    if ((c = tail_poll(&r->actmap)) != TAIL_SAME) read_actmap(r), changed = 1;
    return changed;
}

/* Seconds since any of the run's files last changed; -1 when none exists. */
static double run_age(const struct run *r, time_t now)
{
    const struct tail *t[] = {&r->config, &r->metrics, &r->journal, &r->eval, &r->actmap};
    double best = -1;
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        double a = tail_age(t[i], now);
        if (a >= 0 && (best < 0 || a < best)) best = a;
    }
    return best;
}

static void format_age(double s, char *buf, size_t cap)
{
    if (s < 0)
        snprintf(buf, cap, "none");
    else if (s < 60)
        snprintf(buf, cap, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, cap, "%.0fm", floor(s / 60));
    else if (s < 86400)
        snprintf(buf, cap, "%.0fh", floor(s / 3600));
    else
        snprintf(buf, cap, "%.0fd", floor(s / 86400));
}

/* "4602/100000", or "4602" when the config gives epochs rather than steps. */
static void format_step(const struct run *r, char *buf, size_t cap)
{
    unsigned long long step = r->n ? (unsigned long long)r->step[r->n - 1] : 0;
    if (r->total_steps)
        snprintf(buf, cap, "%llu/%llu", step, (unsigned long long)r->total_steps);
    else
        snprintf(buf, cap, "%llu", step);
}

// ---- expanding the command line's directories ----

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_run(const char *dir)
{
    char *config = run_path(dir, "config");
    int yes = ftl_is_file(config);
    free(config);
    return yes;
}

/* dir/runs/NAME for every NAME holding a config, appended to *list; how many. */
static int add_folder_runs(const char *dir, char ***list, int *n, int *cap)
{
    char *runs = run_path(dir, "runs");
    DIR *d = opendir(runs);
    int found = 0, first = *n;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char *path = ftl_path_join(runs, e->d_name);
        if (!is_run(path)) {
            free(path);
            continue;
        }
        if (*n + 1 >= *cap) *cap = 2 * *cap + 8, *list = xrealloc(*list, *cap * sizeof **list);
        (*list)[(*n)++] = path;
        found++;
    }
    if (d) closedir(d);
    free(runs);
    if (found) qsort(*list + first, (size_t)found, sizeof **list, by_name); /* *list may be NULL */
    return found;
}

char **follow_dirs(char *const *dirs, int n, int *count, char *err)
{
    char **list = NULL;
    int len = 0, cap = 0;
    for (int i = 0; i < n; i++) {
        if (!ftl_is_dir(dirs[i])) {
            ftl_error(err, "%s: no such directory", dirs[i]);
            goto fail;
        }
        if (is_run(dirs[i])) {
            if (len + 1 >= cap) cap = 2 * cap + 8, list = xrealloc(list, cap * sizeof *list);
            list[len++] = xstrdup(dirs[i]);
        } else if (add_folder_runs(dirs[i], &list, &len, &cap) == 0) {
            ftl_error(err,
                      "%s: not a run directory (no config file), nor a folder of runs "
                      "(no runs/*/config)",
                      dirs[i]);
            goto fail;
        }
    }
    list = xrealloc(list, (size_t)(len + 1) * sizeof *list);
    list[len] = NULL;
    *count = len;
    return list;
fail:
    for (int i = 0; i < len; i++)
        free(list[i]);
    free(list);
    return NULL;
}

void follow_dirs_free(char **runs)
{
    for (char **p = runs; p && *p; p++)
        free(*p);
    free(runs);
}

// ---- the screen ----

struct follow {
    struct run *runs;
    int nruns;
    int sel;  /* the run under the cursor in the list */
    int open; /* the run shown, or -1: the list */
    int top;  /* the list's first line shown */
    int log_y, help, quitting;
    double smoothing; /* weight of the running average: the display settings' level */
    char message[160];
    double message_at;
    struct canvas canvas;
};

static void say(struct follow *f, const char *msg)
{
    snprintf(f->message, sizeof f->message, "%s", msg);
    f->message_at = ftl_now();
}

/*
 * The loss panel: every loss term the run logs, smoothed as the workbench
 * opens (the display settings' level). On the log scale a term at exactly 0 (the margin loss once
 * every pair is past the margin) is a gap, not a running average decaying
 * towards 1e-300 that would stretch the axis over three hundred decades.
 */
static void draw_loss(struct follow *f, struct run *r, int y, int x, int h, int w)
{
    double *sm[REG_COUNT];
    struct chart_series cs[REG_COUNT];
    for (int k = 0; k < REG_COUNT; k++) {
        sm[k] = xmallocarray(r->n ? r->n : 1, sizeof *sm[k]);
        for (size_t i = 0; i < r->n; i++)
            sm[k][i] = f->log_y && !(r->val[k][i] > 0) ? NAN : r->val[k][i];
        chart_ema(sm[k], r->n, 1 - f->smoothing, sm[k]);
        cs[k] =
            (struct chart_series){.name = k == REG_BASELINE ? "task" : reg_table[k].label,
                                  .x = r->step,
                                  .y = sm[k],
                                  .n = r->n,
                                  .color = (enum term_color)(TC_SERIES0 + reg_table[k].tui_series)};
    }
    char title[64];
    snprintf(title, sizeof title, "Loss terms%s%s", f->log_y ? " (log)" : "",
             f->smoothing > 0 ? ", smoothed" : "");
    struct chart_opts o = {.title = title, .log_y = f->log_y};
    chart_render(&f->canvas, y, x, h, w, cs, REG_COUNT, r->marks, (int)r->nmarks, &o);
    for (int k = 0; k < REG_COUNT; k++)
        free(sm[k]);
}

static void draw_heatmap(struct run *r, struct canvas *c, int y, int x, int h, int w)
{
    char title[96];
    if (!r->heat_units) {
        canvas_text(c, y, x, "Figure 2", TC_TITLE, w);
        canvas_text(c, y + 1, x + 1, "no actmap.csv yet", TC_DIM, w - 1);
        return;
    }
    snprintf(title, sizeof title, "Figure 2 (%d/%d active)", r->heat_active, r->heat_units);
    const char *names[40];
    for (int d = 0; d < r->heat_classes; d++)
        names[d] = r->class_name[d];
    heatmap_render(c, y, x, h, w, r->heat, r->heat_units, r->heat_classes,
                   &(struct heatmap_opts){.title = title, .col_names = names}, NULL);
}

static void draw_scores(struct run *r, struct canvas *c, int y, int x, int h, int w)
{
    canvas_text(c, y, x, "Clusters (KMeans on the test split, AMI vs the groups)", TC_TITLE, w);
    if (!r->has_eval) {
        canvas_text(c, y + 1, x + 1, "no evaluation yet (eval.csv: 'ftlab eval RUN_DIR' writes it)",
                    TC_DIM, w - 1);
        return;
    }
    const struct evaluation *e = &r->ev;
    char line[256];
    int o = snprintf(line, sizeof line, " AMI_max  ");
    for (int j = 0; j < e->nk && o < (int)sizeof line - 32; j++)
        o += snprintf(line + o, sizeof line - o, " k=%d %.3f ", e->k[j], e->ami_max[j]);
    canvas_text(c, y + 1, x, line, TC_DEFAULT, w);
    o = snprintf(line, sizeof line, " AMI_arith");
    for (int j = 0; j < e->nk && o < (int)sizeof line - 32; j++)
        o += snprintf(line + o, sizeof line - o, " k=%d %.3f ", e->k[j], e->ami_arith[j]);
    canvas_text(c, y + 2, x, line, TC_DEFAULT, w);
    snprintf(line, sizeof line, " at step %llu: %s %.4f, %d active units",
             (unsigned long long)e->step, r->autoencoder ? "reconstruction error" : "test accuracy",
             e->task, e->active_units);
    canvas_text(c, y + 3, x, line, TC_LABEL, w);
    if (h >= 7 && r->nhist >= 2) {
        char title[48];
        snprintf(title, sizeof title, "AMI_max k=%d history", r->hist_k);
        struct chart_series cs = {.name = "AMI_max",
                                  .x = r->hist_step,
                                  .y = r->hist_ami,
                                  .n = r->nhist,
                                  .color = TC_SERIES4};
        chart_render(c, y + 4, x, h - 4, w, &cs, 1, NULL, 0, &(struct chart_opts){.title = title});
    }
}

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* The workbench's layout: clusters in a band below, Figure 2 in a column on the right. */
static void draw_run(struct follow *f, struct run *r, int y, int h, int w)
{
    int bottom = clamp(h * 30 / 100, 4, 9), side = clamp(w * 40 / 100, 28, 44);
    if (h - bottom < 6) bottom = 0;
    if (w - side - 1 < 40) side = 0;
    if (bottom) draw_scores(r, &f->canvas, y + h - bottom, 0, bottom, w);
    if (side) draw_heatmap(r, &f->canvas, y, w - side, h - bottom, side);
    draw_loss(f, r, y, 0, h - bottom, side ? w - side - 1 : w);
}

/* Cells a UTF-8 string takes (every character here is one cell wide). */
static int cells(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* One line per run: name, step, task loss, AMI_max, age; the cursor's line reversed. */
static void draw_list(struct follow *f, int y, int h, int w)
{
    struct canvas *c = &f->canvas;
    time_t now = time(NULL);
    int name_w = 10; /* the longest name, within what the other columns (50) leave */
    for (int i = 0; i < f->nruns; i++)
        if (cells(f->runs[i].name) > name_w) name_w = cells(f->runs[i].name);
    name_w = name_w < w - 50 ? name_w : w - 50 > 10 ? w - 50 : 10;
    char line[512];
    snprintf(line, sizeof line, "  %-*s %15s %10s %12s %7s", name_w, "run", "step", "task loss",
             "AMI_max", "changed");
    canvas_text(c, y, 0, line, TC_TITLE, w);
    int rows = h - 1;
    if (f->sel < f->top) f->top = f->sel;
    if (rows > 0 && f->sel >= f->top + rows) f->top = f->sel - rows + 1;
    for (int i = f->top; i < f->nruns && i - f->top < rows; i++) {
        struct run *r = &f->runs[i];
        char step[48], loss[24] = "-", ami[32] = "-", age[16];
        format_step(r, step, sizeof step);
        if (r->n) snprintf(loss, sizeof loss, "%.4g", r->val[REG_BASELINE][r->n - 1]);
        if (r->has_eval) {
            int j = pick_k(&r->ev);
            snprintf(ami, sizeof ami, "%.3f k=%d", r->ev.ami_max[j], r->ev.k[j]);
        }
        format_age(run_age(r, now), age, sizeof age);
        snprintf(line, sizeof line, "%s %-*.*s %15s %10s %12s %7s", i == f->sel ? ">" : " ", name_w,
                 name_w, r->name, step, loss, ami, age);
        int yy = y + 1 + i - f->top;
        if (i == f->sel) canvas_fill(c, &(struct canvas_rect){yy, 0, 1, w}, TC_STATUS);
        canvas_text(c, yy, 0, line, i == f->sel ? TC_STATUS : TC_DEFAULT, w);
    }
}

/*
 * The two status lines. The upper one says what this view is ("following
 * RUN_DIR — read-only: ..."), unless a message or a file's problem is up;
 * the lower one has the fields, in a fixed order, the lowest priority
 * dropped first on a narrow terminal, as the workbench's status line does.
 */
static void draw_status(struct follow *f, int y, int w)
{
    struct canvas *c = &f->canvas;
    canvas_fill(c, &(struct canvas_rect){y, 0, 2, w}, TC_STATUS);
    char notice[640], field[4 + CTL_COUNT][160];
    int prio[4 + CTL_COUNT], n = 0;
    time_t now = time(NULL);
    const char *dash = term_utf8() ? "—" : "-";
    if (f->open < 0) {
        snprintf(notice, sizeof notice, "following %d runs %s read-only", f->nruns, dash);
        double newest = -1;
        for (int i = 0; i < f->nruns; i++) {
            double a = run_age(&f->runs[i], now);
            if (a >= 0 && (newest < 0 || a < newest)) newest = a;
        }
        char age[16];
        format_age(newest, age, sizeof age);
        snprintf(field[n], sizeof field[n], "%d runs, the last change %s ago", f->nruns, age);
        prio[n++] = 10;
    } else {
        struct run *r = &f->runs[f->open];
        char step[48], a[4][16];
        snprintf(notice, sizeof notice, "following %s %s read-only: steering keys are off", r->dir,
                 dash);
        format_step(r, step, sizeof step);
        snprintf(field[n], sizeof field[n], "step %s epoch %llu", step,
                 (unsigned long long)r->epoch + 1);
        prio[n++] = 10;
        if (r->loss[0]) {
            snprintf(field[n], sizeof field[n], "loss %s", r->loss);
            prio[n++] = 8;
        }
        for (int i = CTL_LOSS + 1; i < CTL_COUNT; i++)
            if (r->col_ctl[i] >= 0 && r->n) {
                snprintf(field[n], sizeof field[n], "%s %.3g",
                         term_utf8() ? ctl_table[i].symbol : ctl_table[i].ascii, r->ctl[i]);
                prio[n++] = i == CTL_LAMBDA ? 7 : 5;
            }
        const struct tail *t[] = {&r->metrics, &r->journal, &r->eval, &r->actmap};
        for (int i = 0; i < 4; i++)
            format_age(tail_age(t[i], now), a[i], sizeof a[i]);
        snprintf(field[n], sizeof field[n], "metrics.csv %s ago", a[0]);
        prio[n++] = 9;
        snprintf(field[n], sizeof field[n], "journal %s, eval %s, actmap %s", a[1], a[2], a[3]);
        prio[n++] = 3;
    }
    int shown[4 + CTL_COUNT] = {0}, len = 0;
    for (int p = 10; p > 0; p--)
        for (int i = 0; i < n; i++)
            if (prio[i] == p && len + 3 + cells(field[i]) <= w)
                shown[i] = 1, len += 3 + cells(field[i]);
    char line[1024];
    int o = 0;
    for (int i = 0; i < n && o < (int)sizeof line; i++)
        if (shown[i]) o += snprintf(line + o, sizeof line - o, "%s%s", o ? " | " : " ", field[i]);
    canvas_text(c, y + 1, 0, line, TC_STATUS, w);
    const char *problem = f->open >= 0 ? f->runs[f->open].problem : "";
    if (f->message[0] && ftl_now() - f->message_at > MESSAGE_SECONDS) f->message[0] = '\0';
    const char *top = f->message[0] ? f->message : problem[0] ? problem : notice;
    snprintf(line, sizeof line, " %s", top);
    canvas_text(c, y, 0, line, top == notice ? TC_STATUS : top == problem ? TC_ERROR : TC_WARN, w);
}

// ---- keys: one table; the dispatch, the title bar and the ? overlay read it ----

enum { IN_LIST = 1, IN_RUN = 2, IN_BOTH = 3 };

static void act_move(struct follow *f, int dir)
{
    f->sel = clamp(f->sel + dir, 0, f->nruns - 1);
}
static void act_open(struct follow *f, int arg)
{
    (void)arg, f->open = f->sel;
}
static void act_back(struct follow *f, int arg)
{
    (void)arg;
    if (f->nruns > 1) f->open = -1;
}
static void act_log(struct follow *f, int arg)
{
    (void)arg, f->log_y = !f->log_y;
}
static void act_help(struct follow *f, int arg)
{
    (void)arg, f->help = 1;
}
static void act_quit(struct follow *f, int arg)
{
    (void)arg, f->quitting = 1;
}
static void act_readonly(struct follow *f, int arg)
{
    (void)arg, say(f, "read-only: this run is trained by another process");
}

#define MAX_KEYS 24
struct binding {
    const char *keys, *bar,
        *help;           /* the overlay's key names, the title bar's words, what it does */
    int where, bar_prio; /* IN_LIST / IN_RUN; the bar drops the lowest first */
    void (*act)(struct follow *f, int arg);
    int key[MAX_KEYS], arg[MAX_KEYS];
};

static struct binding bindings[] = {
    {"up down",
     "up/dn move",
     "choose a run (also k j)",
     IN_LIST,
     8,
     act_move,
     {KEY_UP, KEY_DOWN, 'k', 'j'},
     {-1, 1, -1, 1}},
    {"Enter", "Enter open", "open the run", IN_LIST, 9, act_open, {'\n', '\r', KEY_ENTER}, {0}},
    {"Esc Bksp",
     "Esc list",
     "back to the list",
     IN_RUN,
     9,
     act_back,
     {27, KEY_BACKSPACE, 127, 8},
     {0}},
    {"l", NULL, "log scale on / off", IN_RUN, 0, act_log, {'l'}, {0}},
    {"", NULL, "steering: off, the run trains elsewhere", IN_BOTH, 0, act_readonly, {0}, {0}},
    {"?", "? keys", "this help; any key closes it", IN_BOTH, 10, act_help, {'?', 'h'}, {0}},
    {"q", "q quit", "quit (the runs train on)", IN_BOTH, 11, act_quit, {'q', 'Q'}, {0}},
};
enum { NBINDINGS = sizeof bindings / sizeof bindings[0], READONLY = 4 };

/* The steering keys of the workbench (a loss per reg_table row, ctl_table's pairs, the rest). */
static void keys_init(void)
{
    static char names[64];
    struct binding *b = &bindings[READONLY];
    int n = 0, o = 0;
    for (int r = 0; r < REG_COUNT; r++)
        b->key[n++] = reg_table[r].key;
    o += snprintf(names + o, sizeof names - o, "%c-%c", reg_table[0].key,
                  reg_table[REG_COUNT - 1].key);
    for (int i = 0; i < CTL_COUNT; i++)
        if (ctl_table[i].up) {
            b->key[n++] = ctl_table[i].down, b->key[n++] = ctl_table[i].up;
            o += snprintf(names + o, sizeof names - o, " %c%c", ctl_table[i].down, ctl_table[i].up);
        }
    /* The pace, n and 0 steer too; the overlay's column has no room to name them. */
    static const char rest[] = " esx=_,.n0";
    for (const char *p = rest; *p; p++)
        b->key[n++] = *p;
    snprintf(names + o, sizeof names - o, " spc e s x");
    b->keys = names;
}

static void key(struct follow *f, int ch)
{
    if (f->help) {
        f->help = 0;
        return;
    }
    int where = f->open < 0 ? IN_LIST : IN_RUN;
    for (int i = 0; i < NBINDINGS; i++)
        for (int k = 0; k < MAX_KEYS && bindings[i].key[k]; k++)
            if (bindings[i].key[k] == ch && (bindings[i].where & where)) {
                bindings[i].act(f, bindings[i].arg[k]);
                return;
            }
}

static void title_bar(struct follow *f, char *out, size_t cap, int width)
{
    int where = f->open < 0 ? IN_LIST : IN_RUN, shown[NBINDINGS] = {0};
    const char *what = f->open < 0 ? " ftlab  follow" : " ftlab  follow (read-only)";
    int len = cells(what);
    for (int prio = 11; prio > 0; prio--)
        for (int i = 0; i < NBINDINGS; i++) {
            const struct binding *b = &bindings[i];
            if (b->bar_prio != prio || !(b->where & where)) continue;
            if (b->act == act_back && f->nruns < 2) continue;
            int n = 2 + cells(b->bar);
            if (len + n <= width) shown[i] = 1, len += n;
        }
    int o = snprintf(out, cap, "%s", what);
    for (int i = 0; i < NBINDINGS && o < (int)cap; i++)
        if (shown[i]) o += snprintf(out + o, cap - o, "  %s", bindings[i].bar);
}

static void draw_help(struct canvas *c, int H, int W)
{
    int w = 0;
    for (int i = 0; i < NBINDINGS; i++)
        if (28 + cells(bindings[i].help) > w) w = 28 + cells(bindings[i].help);
    w = w < W - 2 ? w : W - 2;
    int h = NBINDINGS + 4 < H - 2 ? NBINDINGS + 4 : H - 2, y0 = (H - h) / 2, x0 = (W - w) / 2;
    canvas_fill(c, &(struct canvas_rect){y0, x0, h, w}, TC_STATUS);
    canvas_text(c, y0 + 1, x0 + 2, "Keys (following: read-only)", TC_TITLE, w - 4);
    for (int i = 0; i < NBINDINGS && i + 3 < h; i++) {
        char line[160];
        snprintf(line, sizeof line, "%-23.40s %.100s", bindings[i].keys, bindings[i].help);
        canvas_text(c, y0 + 3 + i, x0 + 2, line, TC_STATUS, w - 4);
    }
}

static void draw(struct follow *f)
{
    int H, W;
    getmaxyx(stdscr, H, W);
    if (f->canvas.h != H || f->canvas.w != W) {
        canvas_free(&f->canvas);
        canvas_init(&f->canvas, H, W, term_caps());
    }
    struct canvas *c = &f->canvas;
    canvas_clear(c);
    if (H < MIN_H || W < MIN_W) {
        canvas_too_small(c, MIN_W, MIN_H);
    } else {
        char title[256];
        title_bar(f, title, sizeof title, W);
        canvas_text(c, 0, 0, title, TC_TITLE, W);
        if (f->open < 0)
            draw_list(f, 1, H - 3, W);
        else
            draw_run(f, &f->runs[f->open], 1, H - 3, W);
        draw_status(f, H - 2, W);
        if (f->help) draw_help(c, H, W);
    }
    canvas_blit(c, stdscr, 0, 0);
    wnoutrefresh(stdscr);
    doupdate();
}

// ---- the loop ----

static volatile sig_atomic_t got_signal;
static int signal_fd = -1;

static void on_signal(int sig)
{
    got_signal = sig;
    if (signal_fd >= 0) {
        char b = 1;
        ssize_t r = write(signal_fd, &b, 1);
        (void)r;
    }
}

int follow_run(char *const *dirs, int n, const struct display_settings *d, char *err)
{
    struct follow f = {.nruns = n, .open = n == 1 ? 0 : -1, .log_y = d->log_y};
    f.smoothing = d->smooth >= 0 && d->smooth < DISPLAY_NSMOOTH ? display_smoothing[d->smooth] : 0;
    f.runs = xcalloc((size_t)n, sizeof *f.runs);
    for (int i = 0; i < n; i++)
        run_init(&f.runs[i], dirs[i]);
    int sigp[2];
    if (pipe(sigp) != 0) {
        free(f.runs);
        return ftl_error(err, "cannot create a pipe: %s", strerror(errno));
    }
    for (int i = 0; i < 2; i++)
        fcntl(sigp[i], F_SETFL, fcntl(sigp[i], F_GETFL) | O_NONBLOCK);
    signal_fd = sigp[1];
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    int rc = term_init(d->theme, d->symbols, err);
    if (rc == 0) {
        keys_init();
        double last_poll = -1, last_draw = -1;
        int dirty = 1;
        while (!f.quitting) {
            struct pollfd p[2] = {{.fd = 0, .events = POLLIN}, {.fd = sigp[0], .events = POLLIN}};
            poll(p, 2, 100);
            if (p[1].revents & POLLIN) f.quitting = 1;
            if (p[0].revents & (POLLHUP | POLLERR)) f.quitting = 1;
            if (p[0].revents & POLLIN) {
                int ch;
                nodelay(stdscr, TRUE);
                while ((ch = getch()) != ERR)
                    key(&f, ch), dirty = 1;
                nodelay(stdscr, FALSE);
            }
            double now = ftl_now();
            if (now - last_poll >= POLL_SECONDS) {
                for (int i = 0; i < f.nruns; i++)
                    dirty |= run_poll(&f.runs[i]);
                last_poll = now;
            }
            if (dirty || now - last_draw >= 1.0) { /* the ages tick even when nothing changes */
                draw(&f);
                dirty = 0;
                last_draw = now;
            }
        }
        term_end();
    }
    canvas_free(&f.canvas);
    for (int i = 0; i < n; i++)
        run_free(&f.runs[i]);
    free(f.runs);
    signal_fd = -1;
    close(sigp[0]);
    close(sigp[1]);
    return rc;
}
