/* sweep — grids of runs: the grid, its files, running it, Slurm. See sweep.h. */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "sweep.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "dataset.h"
#include "fetch.h"
#include "run.h"
#include "util.h"

extern char **environ;

/* The children run this very binary: /proc/self/exe stays this inode even when a rebuild
 * replaces the file during a long sweep. */
static const char self_exe[] = "/proc/self/exe";

/* The controls' ranges come from ctl_table (ctl_parse); the sizes' from here, as train's. */
const struct sweep_axis_info sweep_axes[SWEEP_AXES] = {
    [SWEEP_TASK] = {"task", "task", "", SWEEP_NAME, 0, 0},
    [SWEEP_LOSS] = {"loss", "loss", "", SWEEP_NAME, 0, 0},
    [SWEEP_LAMBDA] = {"lambda", "lambda", "lambda", SWEEP_REAL, 0, 0},
    [SWEEP_MARGIN] = {"margin", "margin", "margin", SWEEP_REAL, 0, 0},
    [SWEEP_LR] = {"lr", "lr", "lr", SWEEP_REAL, 0, 0},
    [SWEEP_HIDDEN] = {"hidden", "hidden", "hidden", SWEEP_INT, 1, 4096},
    [SWEEP_UNITS] = {"units", "units", "units", SWEEP_INT, 2, 4096},
    [SWEEP_BATCH] = {"batch-size", "batch_size", "batch", SWEEP_INT, 2, 65536},
    [SWEEP_EPOCHS] = {"epochs", "epochs", "epochs", SWEEP_INT, 1, 1000000},
};

/* The control a real-valued axis is, for its range and message. */
static enum ctl_id axis_ctl(enum sweep_axis a)
{
    return a == SWEEP_LAMBDA ? CTL_LAMBDA : a == SWEEP_MARGIN ? CTL_MARGIN : CTL_LR;
}

void sweep_spec_default(struct sweep_spec *s)
{
    struct trainer_controls k;
    memset(s, 0, sizeof *s);
    ctl_defaults(&k);
    /* train's defaults (trainer_config_defaults, SPEC.md §10), one value each. */
    const double def[SWEEP_AXES] = {TASK_CLASSIFY,
                                    REG_BASELINE,
                                    0,
                                    ctl_get(&k, CTL_MARGIN),
                                    ctl_get(&k, CTL_LR),
                                    128,
                                    32,
                                    256,
                                    10};
    for (int a = 0; a < SWEEP_AXES; a++)
        if (a != SWEEP_LAMBDA) s->n[a] = 1, s->v[a][0] = def[a];
    for (int l = 0; l < REG_COUNT; l++)
        s->loss_lambda[l] = reg_table[l].default_lambda;
    s->nseeds = 1, s->seeds[0] = 1;
    s->nk = 3;
    for (int i = 0; i < 3; i++)
        s->k[i] = 9 + i;
}

int sweep_axis_from_option(const char *name)
{
    for (int a = 0; a < SWEEP_AXES; a++)
        if (strcmp(name, sweep_axes[a].option) == 0) return a;
    return -1;
}

// ---- parsing lists ----

/* The next comma-separated item of *p into item (cap bytes); 0 at the end of the text. */
static int next_item(const char **p, char *item, size_t cap)
{
    if (!*p) return 0;
    const char *comma = strchr(*p, ',');
    size_t len = comma ? (size_t)(comma - *p) : strlen(*p);
    snprintf(item, cap, "%.*s", (int)(len < cap ? len : cap - 1), *p);
    *p = comma ? comma + 1 : NULL;
    return 1;
}

/* A whole integer in [lo, hi]. */
static int parse_int(const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno || v < lo || v > hi || s[0] == '+' || s[0] == ' ') return -1;
    *out = v;
    return 0;
}

/* "A" or "A-B" (A <= B) of integers in [lo, hi]: *a and *b. */
static int parse_range(const char *item, long lo, long hi, long *a, long *b)
{
    char left[64];
    const char *dash = strchr(item, '-');
    if (!dash) {
        if (parse_int(item, lo, hi, a)) return -1;
        *b = *a;
        return 0;
    }
    snprintf(left, sizeof left, "%.*s", (int)(dash - item), item);
    if (parse_int(left, lo, hi, a) || parse_int(dash + 1, lo, hi, b)) return -1;
    return *a <= *b ? 0 : 1; /* 1: reversed */
}

/* Appends v to list (n of them, max), refusing a repeat; opt and text for the message. */
static int add_value(double *list, int *n, int max, double v, const char *opt, const char *shown,
                     char *err)
{
    for (int i = 0; i < *n; i++)
        if (list[i] == v) return ftl_error(err, "--%s: %s is given twice", opt, shown);
    if (*n == max) return ftl_error(err, "--%s: more than %d values", opt, max);
    list[(*n)++] = v;
    return 0;
}

/* loss=X pairs of --lambda: each loss's λ, the axis left empty. */
static int parse_loss_lambda(struct sweep_spec *s, const char *text, char *err)
{
    const char *p = text;
    char item[128];
    double lam[REG_COUNT];
    memcpy(lam, s->loss_lambda, sizeof lam);
    while (next_item(&p, item, sizeof item)) {
        char *eq = strchr(item, '='), why[FTL_ERRLEN];
        int l;
        double x;
        if (!eq) return ftl_error(err, "--lambda: '%s' is not loss=X (in '%s')", item, text);
        *eq = '\0';
        if ((l = reg_from_name(item)) < 0)
            return ftl_error(err, "--lambda: unknown loss '%s' in '%s'", item, text);
        if (ctl_parse(CTL_LAMBDA, eq + 1, &x, why) != 0) return ftl_error(err, "--%s", why);
        lam[l] = x;
    }
    memcpy(s->loss_lambda, lam, sizeof lam);
    s->n[SWEEP_LAMBDA] = 0;
    return 0;
}

int sweep_parse_axis(struct sweep_spec *s, enum sweep_axis a, const char *text, char *err)
{
    const struct sweep_axis_info *ax = &sweep_axes[a];
    if (a == SWEEP_LAMBDA && strchr(text, '=')) return parse_loss_lambda(s, text, err);
    double v[SWEEP_MAX_VALUES];
    int n = 0;
    const char *p = text;
    char item[128], why[FTL_ERRLEN];
    if (!*text) return ftl_error(err, "--%s: an empty list", ax->option);
    while (next_item(&p, item, sizeof item)) {
        if (!*item) return ftl_error(err, "--%s: an empty item in '%s'", ax->option, text);
        if (ax->kind == SWEEP_NAME) {
            int i = a == SWEEP_TASK ? model_task_from_name(item) : reg_from_name(item);
            if (i < 0) {
                char names[128];
                return ftl_error(err, "--%s: unknown %s '%s' (%s)", ax->option, ax->option, item,
                                 a == SWEEP_TASK ? "classify or autoencode"
                                                 : reg_names(names, sizeof names, " or "));
            }
            if (add_value(v, &n, SWEEP_MAX_VALUES, i, ax->option, item, err)) return -1;
        } else if (ax->kind == SWEEP_REAL) {
            double x;
            if (ctl_parse(axis_ctl(a), item, &x, why) != 0) return ftl_error(err, "--%s", why);
            if (add_value(v, &n, SWEEP_MAX_VALUES, x, ax->option, item, err)) return -1;
        } else {
            long lo, hi;
            int rc = parse_range(item, (long)ax->lo, (long)ax->hi, &lo, &hi);
            if (rc == 1)
                return ftl_error(err, "--%s: the range '%s' runs backwards", ax->option, item);
            if (rc)
                return ftl_error(err,
                                 "--%s: '%s' is not an integer in %.0f..%.0f (nor a range A-B)",
                                 ax->option, item, ax->lo, ax->hi);
            for (long x = lo; x <= hi; x++) {
                char shown[32];
                snprintf(shown, sizeof shown, "%ld", x);
                if (add_value(v, &n, SWEEP_MAX_VALUES, (double)x, ax->option, shown, err))
                    return -1;
            }
        }
    }
    memcpy(s->v[a], v, sizeof v);
    s->n[a] = n;
    return 0;
}

int sweep_parse_seeds(struct sweep_spec *s, const char *text, char *err)
{
    long seeds[SWEEP_MAX_SEEDS];
    int n = 0;
    const char *p = text;
    char item[128];
    if (!*text) return ftl_error(err, "--seeds: an empty list");
    while (next_item(&p, item, sizeof item)) {
        long lo, hi;
        if (!*item) return ftl_error(err, "--seeds: an empty item in '%s'", text);
        int rc = parse_range(item, 0, 2147483647L, &lo, &hi);
        if (rc == 1) return ftl_error(err, "--seeds: the range '%s' runs backwards", item);
        if (rc)
            return ftl_error(err, "--seeds: '%s' is not a seed (an integer >= 0) or a range A-B",
                             item);
        for (long x = lo; x <= hi; x++) {
            for (int i = 0; i < n; i++)
                if (seeds[i] == x) return ftl_error(err, "--seeds: %ld is given twice", x);
            if (n == SWEEP_MAX_SEEDS)
                return ftl_error(err, "--seeds: more than %d seeds", SWEEP_MAX_SEEDS);
            seeds[n++] = x;
        }
    }
    memcpy(s->seeds, seeds, sizeof seeds);
    s->nseeds = n;
    return 0;
}

int sweep_set_data(struct sweep_spec *s, const char *dir, int sample, char *err)
{
    s->sample = sample;
    s->data[0] = '\0';
    if (sample) return 0;
    const char *env = getenv("FTLAB_DATA");
    int explicit = dir || (env && *env);
    char *d = fetch_resolve_data_dir(dir);
    int rc = 0;
    if (explicit || dataset_dir_looks_complete(d)) {
        char *abs = realpath(d, NULL);
        if (!abs)
            rc = ftl_error(err, "%s%s: %s", dir ? "--data " : "", d, strerror(errno));
        else if (strlen(abs) >= sizeof s->data)
            rc = ftl_error(err, "--data: the path is too long");
        else
            snprintf(s->data, sizeof s->data, "%s", abs);
        free(abs);
    } else {
        /* As train would: no data installed, the embedded sample with a notice. */
        fprintf(stderr,
                "ftlab: no MNIST strokes in %s; using the embedded sample "
                "(install the real data with 'ftlab data fetch')\n",
                d);
        s->sample = 1;
    }
    free(d);
    return rc;
}

// ---- points and runs ----

long sweep_points(const struct sweep_spec *s)
{
    long n = 1;
    for (int a = 0; a < SWEEP_AXES; a++)
        n *= s->n[a] ? s->n[a] : 1;
    return n;
}

long sweep_runs(const struct sweep_spec *s)
{
    return sweep_points(s) * s->nseeds;
}

void sweep_point(const struct sweep_spec *s, long p, int *idx)
{
    /* Mixed radix, the last axis fastest: the task is the outermost loop. */
    for (int a = SWEEP_AXES - 1; a >= 0; a--) {
        int n = s->n[a] ? s->n[a] : 1;
        idx[a] = (int)(p % n);
        p /= n;
    }
}

double sweep_value(const struct sweep_spec *s, long p, enum sweep_axis a)
{
    int idx[SWEEP_AXES];
    sweep_point(s, p, idx);
    if (a == SWEEP_LAMBDA && !s->n[a])
        return s->loss_lambda[(int)s->v[SWEEP_LOSS][idx[SWEEP_LOSS]]];
    return s->v[a][idx[a]];
}

void sweep_format(enum sweep_axis a, double v, char *buf, size_t cap)
{
    if (a == SWEEP_TASK)
        snprintf(buf, cap, "%s", model_task_name((enum model_task)(int)v));
    else if (a == SWEEP_LOSS)
        snprintf(buf, cap, "%s", reg_table[(int)v].name);
    else /* %.15g: every decimal a user types comes back the same double */
        snprintf(buf, cap, "%.15g", v);
}

int sweep_inert(const struct sweep_spec *s, long p, enum sweep_axis a)
{
    if (s->n[a] < 2) return 0;
    int loss = (int)sweep_value(s, p, SWEEP_LOSS);
    return (a == SWEEP_LAMBDA && loss == REG_BASELINE) ||
           (a == SWEEP_MARGIN && loss != REG_PROPOSED);
}

long sweep_canonical(const struct sweep_spec *s, long p)
{
    int idx[SWEEP_AXES];
    sweep_point(s, p, idx);
    long q = 0;
    for (int a = 0; a < SWEEP_AXES; a++) { /* mixed radix again, inert axes at 0 */
        int n = s->n[a] ? s->n[a] : 1;
        q = q * n + (sweep_inert(s, p, (enum sweep_axis)a) ? 0 : idx[a]);
    }
    return q;
}

int sweep_in_shard(long r, int shard_i, int shard_n)
{
    return r % shard_n == shard_i - 1;
}

void sweep_run_name(const struct sweep_spec *s, long r, char *buf, size_t cap)
{
    long p = r / s->nseeds;
    char task[32], loss[32];
    sweep_format(SWEEP_TASK, sweep_value(s, p, SWEEP_TASK), task, sizeof task);
    sweep_format(SWEEP_LOSS, sweep_value(s, p, SWEEP_LOSS), loss, sizeof loss);
    size_t len = (size_t)snprintf(buf, cap, "%s-%s", task, loss);
    for (int a = SWEEP_LAMBDA; a < SWEEP_AXES && len < cap; a++) {
        if (s->n[a] < 2 || sweep_inert(s, p, (enum sweep_axis)a)) continue;
        char v[32];
        sweep_format((enum sweep_axis)a, sweep_value(s, p, (enum sweep_axis)a), v, sizeof v);
        len += (size_t)snprintf(buf + len, cap - len, "-%s%s", sweep_axes[a].tag, v);
    }
    if (len < cap) snprintf(buf + len, cap - len, "-run%ld", s->seeds[r % s->nseeds]);
}

// ---- the grid file ----

/* An axis's values as its option takes them: "0.03,0.1,1". */
static void axis_text(const struct sweep_spec *s, enum sweep_axis a, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->n[a] && len < cap; i++) {
        char v[32];
        sweep_format(a, s->v[a][i], v, sizeof v);
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? "," : "", v);
    }
}

static void lambda_pairs(const struct sweep_spec *s, char *buf, size_t cap)
{
    size_t len = 0;
    for (int l = 0; l < REG_COUNT && len < cap; l++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%s=%.15g", l ? "," : "", reg_table[l].name,
                                s->loss_lambda[l]);
}

static void seeds_text(const struct sweep_spec *s, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->nseeds && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%ld", i ? "," : "", s->seeds[i]);
}

static void ks_text(const struct sweep_spec *s, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->nk && len < cap; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%s%d", i ? "," : "", s->k[i]);
}

int sweep_write_grid(const struct sweep_spec *s, const char *command, int shard_i, int shard_n,
                     const char *path, char *err)
{
    struct run_kv kv = {0};
    char buf[4096];
    run_kv_set(&kv, "command", command);
    for (int a = 0; a < SWEEP_AXES; a++) {
        if (a == SWEEP_LAMBDA) {
            lambda_pairs(s, buf, sizeof buf);
            run_kv_set(&kv, "lambda_per_loss", buf);
            if (!s->n[a]) continue;
        }
        axis_text(s, (enum sweep_axis)a, buf, sizeof buf);
        run_kv_set(&kv, sweep_axes[a].option, buf);
    }
    seeds_text(s, buf, sizeof buf);
    run_kv_set(&kv, "seeds", buf);
    ks_text(s, buf, sizeof buf);
    run_kv_set(&kv, "k", buf);
    run_kv_set(&kv, "data", s->sample ? "sample" : s->data[0] ? s->data : "default");
    run_kv_setf(&kv, "limit", "%ld", s->limit);
    run_kv_setf(&kv, "quick", "%d", s->quick);
    run_kv_setf(&kv, "shard", "%d/%d", shard_i, shard_n);
    int rc = run_kv_write(&kv, path, err);
    run_kv_free(&kv);
    return rc;
}

/* The k list of a grid file: distinct counts in 2..100000 (eval takes no fewer). */
static int parse_ks(const char *text, struct sweep_spec *s)
{
    const char *p = text;
    char item[32];
    int n = 0;
    while (next_item(&p, item, sizeof item)) {
        long k;
        if (parse_int(item, 2, 100000, &k) || n == SWEEP_MAX_K) return -1;
        for (int i = 0; i < n; i++)
            if (s->k[i] == k) return -1;
        s->k[n++] = (int)k;
    }
    s->nk = n;
    return n ? 0 : -1;
}

int sweep_read_grid(const char *path, struct sweep_spec *s, int *shard_i, int *shard_n, char *err)
{
    struct run_kv kv = {0};
    char why[FTL_ERRLEN];
    if (run_kv_read(path, &kv, err) != 0) return -1;
    sweep_spec_default(s);
    int rc = 0, si = 1, sn = 1;
    const char *v;
    for (int a = 0; a < SWEEP_AXES && rc == 0; a++) {
        if (a == SWEEP_LAMBDA && (v = run_kv_get(&kv, "lambda_per_loss")))
            rc = sweep_parse_axis(s, SWEEP_LAMBDA, v, why);
        if (rc == 0 && (v = run_kv_get(&kv, sweep_axes[a].option)))
            rc = sweep_parse_axis(s, (enum sweep_axis)a, v, why);
    }
    if (rc == 0 && (v = run_kv_get(&kv, "seeds"))) rc = sweep_parse_seeds(s, v, why);
    if (rc == 0 && (v = run_kv_get(&kv, "k")) && parse_ks(v, s))
        rc = ftl_error(why, "k: '%s' is not a list of cluster counts of 2 or more", v);
    if (rc == 0 && (v = run_kv_get(&kv, "data"))) {
        s->sample = strcmp(v, "sample") == 0;
        if (!s->sample && strcmp(v, "default") != 0) snprintf(s->data, sizeof s->data, "%s", v);
    }
    if (rc == 0 && (v = run_kv_get(&kv, "limit")) && parse_int(v, 0, 1L << 40, &s->limit))
        rc = ftl_error(why, "limit: '%s' is not a count", v);
    if (rc == 0 && (v = run_kv_get(&kv, "quick"))) s->quick = strcmp(v, "1") == 0;
    if (rc == 0 && (v = run_kv_get(&kv, "shard")) &&
        (sscanf(v, "%d/%d", &si, &sn) != 2 || sn < 1 || si < 1 || si > sn))
        rc = ftl_error(why, "shard: '%s' is not I/N", v);
    run_kv_free(&kv);
    if (rc != 0) return ftl_error(err, "%s: %s", path, why);
    if (shard_i) *shard_i = si;
    if (shard_n) *shard_n = sn;
    return 0;
}

// ---- running the children ----

/* Runs argv with stdout and stderr appended to log; returns its exit status (or -1). */
static int run_logged(char *const argv[], const char *log)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawn(&pid, self_exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return -1;
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The child process of one run: train (or resume), then eval. */
static int run_one(const struct sweep_spec *s, long r, const char *dir, int threads)
{
    char *log = run_path(dir, "log.txt"), *cfg = run_path(dir, "config");
    char val[SWEEP_AXES][32], seed[24], thr[16], limit[24], ks[64];
    long p = r / s->nseeds;
    for (int a = 0; a < SWEEP_AXES; a++)
        sweep_format((enum sweep_axis)a, sweep_value(s, p, (enum sweep_axis)a), val[a],
                     sizeof val[a]);
    snprintf(seed, sizeof seed, "%ld", s->seeds[r % s->nseeds]);
    snprintf(thr, sizeof thr, "%d", threads);
    snprintf(limit, sizeof limit, "%ld", s->limit);
    ks_text(s, ks, sizeof ks);
    char *argv[64], opt[SWEEP_AXES][32];
    int n = 0;
    argv[n++] = "ftlab";
    argv[n++] = "train";
    if (ftl_is_file(cfg)) {
        /* Cut off mid-training: the newest checkpoint goes on exactly (train --resume). */
        argv[n++] = "--resume", argv[n++] = (char *)dir;
    } else {
        for (int a = 0; a < SWEEP_AXES; a++) {
            snprintf(opt[a], sizeof opt[a], "--%s", sweep_axes[a].option);
            argv[n++] = opt[a], argv[n++] = val[a];
        }
        argv[n++] = "--seed", argv[n++] = seed;
        if (s->limit > 0) argv[n++] = "--limit", argv[n++] = limit;
        if (s->sample)
            argv[n++] = "--sample";
        else if (s->data[0])
            argv[n++] = "--data", argv[n++] = (char *)s->data;
        argv[n++] = "--out", argv[n++] = (char *)dir;
    }
    argv[n++] = "--threads", argv[n++] = thr;
    argv[n++] = "--quiet";
    argv[n] = NULL;
    int rc = run_logged(argv, log);
    if (rc == 0) {
        n = 0;
        argv[n++] = "ftlab", argv[n++] = "eval", argv[n++] = (char *)dir;
        argv[n++] = "--k", argv[n++] = ks;
        if (s->quick) argv[n++] = "--n-init", argv[n++] = "3";
        argv[n] = NULL;
        rc = run_logged(argv, log);
    }
    free(log);
    free(cfg);
    return rc;
}

static int run_done(const char *dir)
{
    char *p = run_path(dir, "eval.csv");
    int done = ftl_is_file(p);
    free(p);
    return done;
}

static void fmt_time(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* The CPUs this process may use: Slurm's allocation, else its affinity mask, else all. */
static long usable_cpus(void)
{
    const char *slurm = getenv("SLURM_CPUS_PER_TASK");
    long n;
    if (slurm && parse_int(slurm, 1, 4096, &n) == 0) return n;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? n : 1;
}

struct progress {
    const char *name;
    long todo, finished, failed;
    int running, tty;
    double t0, drawn;
};

/* "3/12 done, 2 running, 1 failed; elapsed 0:01:00, about 0:03:10 left": the time left from
 * the pace so far. count 0 leaves out "3/12 done, " (the line of a finished run leads with it). */
static void progress_text(const struct progress *g, int count, char *buf, size_t cap)
{
    char el[32], left[48] = "time left not known yet", done[64] = "";
    double t = ftl_now() - g->t0;
    fmt_time(t, el, sizeof el);
    if (g->finished) {
        char l[32];
        fmt_time(t / (double)g->finished * (double)(g->todo - g->finished), l, sizeof l);
        snprintf(left, sizeof left, "about %s left", l);
    }
    if (count) snprintf(done, sizeof done, "%ld/%ld done, ", g->finished, g->todo);
    snprintf(buf, cap, "%s%d running, %ld failed; elapsed %s, %s", done, g->running, g->failed, el,
             left);
}

/* On a terminal, one line redrawn in place; elsewhere nothing (a line per finished run). */
static void progress_draw(struct progress *g)
{
    if (!g->tty) return;
    char line[256];
    progress_text(g, 1, line, sizeof line);
    fprintf(stderr, "\r\033[K%s: %s", g->name, line);
    fflush(stderr);
    g->drawn = ftl_now();
}

static void progress_finished(struct progress *g, const char *run, int ok)
{
    char line[256];
    progress_text(g, 0, line, sizeof line);
    if (g->tty) {
        if (!ok) fprintf(stderr, "\r\033[K%s: %s FAILED (see its log.txt)\n", g->name, run);
        progress_draw(g);
    } else {
        fprintf(stderr, "[%ld/%ld] %s: %s; %s\n", g->finished, g->todo, run,
                ok ? "done" : "FAILED (see its log.txt)", line);
    }
}

struct job {
    long run;
    char *dir;
    pid_t pid;
};

/* Waits for one child: its pid, or 0 when none ended (a terminal's line is redrawn meanwhile). */
static pid_t wait_child(struct progress *g, int *st)
{
    for (;;) {
        pid_t pid = waitpid(-1, st, g->tty ? WNOHANG : 0);
        if (pid > 0) return pid;
        if (pid < 0 && errno != EINTR) return -1;
        if (pid == 0) {
            struct timespec ts = {0, 200 * 1000 * 1000};
            nanosleep(&ts, NULL);
            if (ftl_now() - g->drawn >= 1) progress_draw(g);
        }
    }
}

int sweep_run(const struct sweep_spec *s, const struct sweep_run_opts *o, char *err)
{
    if (access(self_exe, X_OK) != 0)
        return ftl_error(err, "cannot find the ftlab binary (%s)", self_exe);
    char *gridfile = ftl_path_join(o->out, "grid");
    int wrote = sweep_write_grid(s, o->name, o->shard_i, o->shard_n, gridfile, err);
    free(gridfile);
    if (wrote != 0) return -1;
    long nruns = sweep_runs(s), n = 0;
    struct job *jobs = xcalloc((size_t)nruns, sizeof *jobs);
    char name[512], *runs = ftl_path_join(o->out, "runs");
    for (long r = 0; r < nruns; r++) {
        long p = r / s->nseeds;
        if (!sweep_in_shard(r, o->shard_i, o->shard_n) || sweep_canonical(s, p) != p) continue;
        sweep_run_name(s, r, name, sizeof name);
        jobs[n++] = (struct job){r, ftl_path_join(runs, name), 0};
    }
    free(runs);
    long cpus = usable_cpus();
    int threads = cpus / o->jobs > 1 ? (int)(cpus / o->jobs) : 1;
    struct progress g = {.name = o->name, .tty = isatty(2), .t0 = ftl_now()};
    for (long i = 0; i < n; i++)
        g.todo += !run_done(jobs[i].dir);
    if (g.todo)
        fprintf(stderr,
                "%s: %ld runs to do (%ld already finished), %d at a time with %d BLAS "
                "thread%s each\n",
                o->name, g.todo, n - g.todo, o->jobs, threads, threads > 1 ? "s" : "");
    long next = 0;
    int rc = 0;
    while (g.finished < g.todo) {
        while (g.running < o->jobs && next < n) {
            struct job *j = &jobs[next++];
            if (run_done(j->dir)) continue;
            char why[FTL_ERRLEN];
            if (ftl_mkdir_p(j->dir, why) != 0) {
                fprintf(stderr, "%s%s: %s\n", g.tty ? "\r\033[K" : "", o->name, why);
                g.failed++, g.finished++;
                continue;
            }
            pid_t pid = fork();
            if (pid == 0) _exit(run_one(s, j->run, j->dir, threads) == 0 ? 0 : 1);
            if (pid < 0) {
                rc = ftl_error(err, "cannot fork: %s", strerror(errno));
                break;
            }
            j->pid = pid;
            g.running++;
            progress_draw(&g);
        }
        if (rc || g.running == 0) break;
        int st;
        pid_t pid = wait_child(&g, &st);
        if (pid < 0) break;
        for (long i = 0; i < n; i++) {
            if (jobs[i].pid != pid) continue;
            int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
            jobs[i].pid = 0;
            g.running--, g.finished++, g.failed += !ok;
            progress_finished(&g, strrchr(jobs[i].dir, '/') + 1, ok);
        }
    }
    /* A fork that failed leaves the started runs to finish: they write their own folders. */
    while (g.running > 0 && wait(NULL) > 0)
        g.running--;
    if (g.tty && g.todo) fputc('\n', stderr);
    for (long i = 0; i < n; i++)
        free(jobs[i].dir);
    free(jobs);
    return rc ? -1 : (int)g.failed;
}
