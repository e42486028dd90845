/*
 * `ftlab table1` — reproduce the paper's Table 1: train every (task, loss,
 * run) combination, evaluate each on the test split, and tabulate AMI_max
 * (mean ± std over runs) beside the paper's values.
 *
 * Each combination runs as child processes of this very binary (`train`,
 * then `eval`), so --jobs N runs N at once with the BLAS threads split
 * between them, a crash stays in its own run folder, and every run is an
 * ordinary run directory that `ftlab eval/plot/export` understand. A run
 * whose eval.csv exists is finished: re-running skips it, and a run cut off
 * mid-training resumes from its newest checkpoint.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "figures.h"
#include "loss.h"
#include "model.h"
#include "run.h"
#include "table1.h"
#include "util.h"

extern char **environ;

struct combo {
    enum model_task task;
    enum reg_kind loss;
    int run; /* 1-based; the training seed */
    char *dir;
    pid_t pid;
};

struct table1_opts {
    const char *data;
    int sample, quick, runs, jobs, shard_i, shard_n;
    long epochs, limit;
    int hidden, units;
    double lambda[REG_COUNT];
    double margin;
    const char *k;
    const char *out;
    int tasks[TASK_COUNT], losses[REG_COUNT];
};

/* The children run this very binary: /proc/self/exe stays this inode even when a rebuild
 * replaces the file during a long sweep. */
static const char self_exe[] = "/proc/self/exe";

/* "a,b,c" of names into flags; -1 when a name is unknown. */
static int parse_names(const char *s, int *flags, int n, int (*from)(const char *))
{
    memset(flags, 0, (size_t)n * sizeof *flags);
    char *copy = xstrdup(s), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int i = from(tok);
        if (i < 0) {
            rc = -1;
            break;
        }
        flags[i] = 1;
    }
    free(copy);
    return rc;
}

/* --lambda 0.5, or per loss: --lambda decov=0.1,xcov=1,proposed=1 */
static int parse_lambda(const char *s, double *lambda)
{
    double v;
    if (cli_parse_double(s, 0, 1e6, &v) == 0) {
        for (int i = 0; i < REG_COUNT; i++)
            lambda[i] = v;
        return 0;
    }
    char *copy = xstrdup(s), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        int r;
        if (!eq || (*eq = '\0', (r = reg_from_name(tok)) < 0) ||
            cli_parse_double(eq + 1, 0, 1e6, &v))
            rc = -1;
        else
            lambda[r] = v;
    }
    free(copy);
    return rc;
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

/* The child process of one combination: train (or resume), then eval. */
static int run_combo(const struct combo *c, const struct table1_opts *o, int threads)
{
    char *log = run_path(c->dir, "log.txt"), *cfg = run_path(c->dir, "config");
    char seed[24], epochs[24], lambda[32], margin[32], thr[16], hidden[16], units[16], limit[24];
    snprintf(seed, sizeof seed, "%d", c->run);
    snprintf(epochs, sizeof epochs, "%ld", o->epochs);
    snprintf(lambda, sizeof lambda, "%.17g", o->lambda[c->loss]);
    snprintf(margin, sizeof margin, "%.17g", o->margin);
    snprintf(thr, sizeof thr, "%d", threads);
    snprintf(hidden, sizeof hidden, "%d", o->hidden);
    snprintf(units, sizeof units, "%d", o->units);
    snprintf(limit, sizeof limit, "%ld", o->limit);
    char *argv[48];
    int n = 0;
    argv[n++] = "ftlab";
    argv[n++] = "train";
    if (ftl_is_file(cfg)) {
        argv[n++] = "--resume";
        argv[n++] = c->dir;
    } else {
        argv[n++] = "--task", argv[n++] = (char *)model_task_name(c->task);
        argv[n++] = "--loss", argv[n++] = (char *)reg_table[c->loss].name;
        argv[n++] = "--seed", argv[n++] = seed;
        argv[n++] = "--epochs", argv[n++] = epochs;
        argv[n++] = "--lambda", argv[n++] = lambda;
        argv[n++] = "--margin", argv[n++] = margin;
        argv[n++] = "--hidden", argv[n++] = hidden;
        argv[n++] = "--units", argv[n++] = units;
        if (o->limit > 0) argv[n++] = "--limit", argv[n++] = limit;
        if (o->sample)
            argv[n++] = "--sample";
        else if (o->data)
            argv[n++] = "--data", argv[n++] = (char *)o->data;
        argv[n++] = "--out", argv[n++] = c->dir;
    }
    argv[n++] = "--threads", argv[n++] = thr;
    argv[n++] = "--quiet";
    argv[n] = NULL;
    int rc = run_logged(argv, log);
    if (rc == 0) {
        n = 0;
        argv[n++] = "ftlab", argv[n++] = "eval", argv[n++] = c->dir;
        argv[n++] = "--k", argv[n++] = (char *)o->k;
        if (o->quick) argv[n++] = "--n-init", argv[n++] = "3";
        argv[n] = NULL;
        rc = run_logged(argv, log);
    }
    free(log);
    free(cfg);
    return rc;
}

static int combo_done(const struct combo *c)
{
    char *p = run_path(c->dir, "eval.csv");
    int done = ftl_is_file(p);
    free(p);
    return done;
}

static void fmt_eta(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* Runs the pending combinations, `jobs` at a time. Returns how many failed. */
static int run_all(struct combo *c, size_t n, const struct table1_opts *o)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int jobs = o->jobs, threads = (int)(ncpu / jobs) > 1 ? (int)(ncpu / jobs) : 1;
    size_t todo = 0, started = 0, finished = 0, next = 0;
    int running = 0, failed = 0;
    for (size_t i = 0; i < n; i++)
        todo += !combo_done(&c[i]);
    if (todo == 0) return 0;
    fprintf(
        stderr,
        "table1: %zu runs to do (%zu already finished), %d at a time with %d BLAS thread%s each\n",
        todo, n - todo, jobs, threads, threads > 1 ? "s" : "");
    double t0 = ftl_now();
    while (finished < todo) {
        while (running < jobs && next < n) {
            struct combo *k = &c[next++];
            if (combo_done(k)) continue;
            char err[FTL_ERRLEN];
            if (ftl_mkdir_p(k->dir, err) != 0) {
                fprintf(stderr, "table1: %s\n", err);
                failed++, finished++;
                continue;
            }
            pid_t pid = fork();
            if (pid == 0) _exit(run_combo(k, o, threads) == 0 ? 0 : 1);
            if (pid < 0) {
                fprintf(stderr, "table1: cannot fork: %s\n", strerror(errno));
                return failed + (int)(todo - finished);
            }
            k->pid = pid;
            running++;
            started++;
        }
        if (running == 0) break;
        int st;
        pid_t pid = wait(&st);
        if (pid < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            if (c[i].pid != pid) continue;
            c[i].pid = 0;
            running--;
            finished++;
            int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
            failed += !ok;
            double el = ftl_now() - t0, left = el / (double)finished * (double)(todo - finished);
            char e1[32], e2[32];
            fmt_eta(el, e1, sizeof e1);
            fmt_eta(left, e2, sizeof e2);
            fprintf(stderr, "[%zu/%zu] %s %s run %d: %s  (elapsed %s, about %s left)\n", finished,
                    todo, model_task_name(c[i].task), reg_table[c[i].loss].name, c[i].run,
                    ok ? "done" : "FAILED (see its log.txt)", e1, e2);
        }
    }
    return failed;
}

// ---- the command ----

static int cmd_table1(int argc, char **argv);

const struct cli_cmd cmd_table1_entry = {
    "table1", "[OPTIONS] [--out DIR] | --collect DIR... [--partial] [--out DIR]",
    "reproduce the paper's Table 1: every task x loss x run, trained and evaluated",
    "  Trains every (task, loss, run) combination (run r uses seed r) as child\n"
    "  processes, evaluates each (KMeans, 10 restarts, on the test split) and writes\n"
    "  DIR/table1.md and DIR/table1.csv (AMI_max mean +- std over runs, the paper's\n"
    "  value beside each, the best of each column in bold; a single run shows its\n"
    "  mean alone, and table1.csv leaves ami_max_std as nan below two runs),\n"
    "  DIR/runs/TASK-LOSS-runR/,\n"
    "  the Table 1 figures and the Figure 2 comparison of baseline and proposed.\n"
    "  Finished runs are skipped on a re-run; interrupted ones resume.\n"
    "  --data DIR | --sample   the data (default: as 'train')\n"
    "  --tasks LIST   classify,autoencode (default both)\n"
    "  --losses LIST  baseline,decov,xcov,proposed (default all)\n"
    "  --runs N       runs per combination (default 3)\n"
    "  --epochs E     (default 10)     --k LIST     (default 9,10,11)\n"
    "  --lambda X | --lambda decov=X,xcov=Y,proposed=Z  (default 1, proposed 0.1)\n"
    "  --margin M     (default 5)\n"
    "  --hidden H --units K --limit N   as for 'train'\n"
    "  --jobs N       combinations at once; BLAS threads are split between them\n"
    "  --shard I/N    only every N-th combination from the I-th (job arrays)\n"
    "  --collect DIR...  merge the shards' folders into --out; refuses, naming them,\n"
    "                 when runs of --tasks x --losses x --runs (default: the highest\n"
    "                 run number found) are missing or lack a k the others have\n"
    "  --partial      with --collect: write the table anyway, missing cells as '–',\n"
    "                 a 'missing: ...' note under it, no bold in their columns\n"
    "  --quick        a smoke test: 1 run, 2 epochs of 5000 sequences, H=64 (< 1 minute)\n"
    "  --out DIR      (default ./table1)\n",
    cmd_table1};

static int cmd_table1(int argc, char **argv)
{
    const struct cli_cmd *self = &cmd_table1_entry;
    enum {
        O_DATA = 256,
        O_SAMPLE,
        O_TASKS,
        O_LOSSES,
        O_RUNS,
        O_EPOCHS,
        O_K,
        O_JOBS,
        O_SHARD,
        O_OUT,
        O_QUICK,
        O_COLLECT,
        O_LAMBDA,
        O_MARGIN,
        O_HIDDEN,
        O_UNITS,
        O_LIMIT,
        O_PARTIAL
    };
    static const struct option lo[] = {{"data", required_argument, NULL, O_DATA},
                                       {"sample", no_argument, NULL, O_SAMPLE},
                                       {"tasks", required_argument, NULL, O_TASKS},
                                       {"losses", required_argument, NULL, O_LOSSES},
                                       {"runs", required_argument, NULL, O_RUNS},
                                       {"epochs", required_argument, NULL, O_EPOCHS},
                                       {"k", required_argument, NULL, O_K},
                                       {"jobs", required_argument, NULL, O_JOBS},
                                       {"shard", required_argument, NULL, O_SHARD},
                                       {"out", required_argument, NULL, O_OUT},
                                       {"quick", no_argument, NULL, O_QUICK},
                                       {"collect", no_argument, NULL, O_COLLECT},
                                       {"lambda", required_argument, NULL, O_LAMBDA},
                                       {"margin", required_argument, NULL, O_MARGIN},
                                       {"hidden", required_argument, NULL, O_HIDDEN},
                                       {"units", required_argument, NULL, O_UNITS},
                                       {"limit", required_argument, NULL, O_LIMIT},
                                       {"partial", no_argument, NULL, O_PARTIAL},
                                       {NULL, 0, NULL, 0}};
    struct table1_opts o = {.runs = 3,
                            .jobs = 1,
                            .shard_i = 1,
                            .shard_n = 1,
                            .epochs = TABLE1_EPOCHS,
                            .hidden = 128,
                            .units = TABLE1_UNITS,
                            .margin = TABLE1_MARGIN,
                            .k = "9,10,11",
                            .out = "table1"};
    for (int i = 0; i < REG_COUNT; i++)
        o.lambda[i] = reg_table[i].default_lambda;
    for (int i = 0; i < TASK_COUNT; i++)
        o.tasks[i] = 1;
    for (int i = 0; i < REG_COUNT; i++)
        o.losses[i] = 1;
    int collect = 0, runs_set = 0, epochs_set = 0, partial = 0;
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        const char *a = optarg;
        switch (c) {
        case O_DATA:
            o.data = a;
            break;
        case O_SAMPLE:
            o.sample = 1;
            break;
        case O_TASKS:
            if (parse_names(a, o.tasks, TASK_COUNT, model_task_from_name))
                return cli_usage_error(self, "--tasks takes classify,autoencode");
            break;
        case O_LOSSES:
            if (parse_names(a, o.losses, REG_COUNT, reg_from_name))
                return cli_usage_error(self, "--losses takes baseline,decov,xcov,proposed");
            break;
        case O_RUNS:
            if (cli_parse_long(a, 1, TABLE1_MAX_RUNS, &v))
                return cli_usage_error(self, "--runs needs an integer in 1..%d", TABLE1_MAX_RUNS);
            o.runs = (int)v, runs_set = 1;
            break;
        case O_EPOCHS:
            if (cli_parse_long(a, 1, 10000, &o.epochs))
                return cli_usage_error(self, "--epochs needs a positive integer");
            epochs_set = 1;
            break;
        case O_K: {
            int ks[TABLE1_MAX_K], nk;
            if (cli_parse_ks(a, ks, TABLE1_MAX_K, &nk))
                return cli_usage_error(self, "--k needs distinct cluster counts like 9,10,11");
            o.k = a;
            break;
        }
        case O_JOBS:
            if (cli_parse_long(a, 1, 256, &v))
                return cli_usage_error(self, "--jobs needs an integer in 1..256");
            o.jobs = (int)v;
            break;
        case O_SHARD:
            if (sscanf(a, "%d/%d", &o.shard_i, &o.shard_n) != 2 || o.shard_n < 1 || o.shard_i < 1 ||
                o.shard_i > o.shard_n)
                return cli_usage_error(self, "--shard takes I/N with 1 <= I <= N");
            break;
        case O_OUT:
            o.out = a;
            break;
        case O_QUICK:
            o.quick = 1;
            break;
        case O_COLLECT:
            collect = 1;
            break;
        case O_PARTIAL:
            partial = 1;
            break;
        case O_LAMBDA:
            if (parse_lambda(a, o.lambda))
                return cli_usage_error(
                    self, "--lambda takes X, or loss=X pairs like decov=0.1,proposed=1");
            break;
        case O_MARGIN:
            if (cli_parse_double(a, 0, 1e6, &o.margin))
                return cli_usage_error(self, "--margin needs a number >= 0");
            break;
        case O_HIDDEN:
            if (cli_parse_long(a, 1, 4096, &v))
                return cli_usage_error(self, "--hidden needs an integer in 1..4096");
            o.hidden = (int)v;
            break;
        case O_UNITS:
            if (cli_parse_long(a, 2, 4096, &v))
                return cli_usage_error(self, "--units needs an integer in 2..4096");
            o.units = (int)v;
            break;
        case O_LIMIT:
            if (cli_parse_long(a, 1, 1L << 40, &o.limit))
                return cli_usage_error(self, "--limit needs a positive integer");
            break;
        default:
            return cli_option_error(self, argv, lo);
        }
    }
    if (o.sample && o.data) return cli_usage_error(self, "--data and --sample exclude each other");
    if (partial && !collect) return cli_usage_error(self, "--partial is for --collect");
    char err[FTL_ERRLEN];
    struct table1_expect expect;
    table1_expect_all(&expect);
    memcpy(expect.tasks, o.tasks, sizeof expect.tasks);
    memcpy(expect.losses, o.losses, sizeof expect.losses);
    if (collect) {
        if (optind >= argc)
            return cli_usage_error(self, "--collect needs the output folders of the shards");
        expect.runs = runs_set ? o.runs : 0;
        expect.partial = partial;
        return table1_collect((const char *const *)argv + optind, argc - optind, o.out, &expect,
                              err) == 0
                   ? EXIT_OK
                   : cli_fail("%s", err);
    }
    if (optind != argc) return cli_usage_error(self, "unexpected argument '%s'", argv[optind]);
    if (o.quick) {
        /* A smoke test of the whole pipeline in under a minute. */
        if (!runs_set) o.runs = 1;
        if (!epochs_set) o.epochs = 2;
        if (!o.limit) o.limit = 5000;
        o.hidden = 64;
    }
    if (access(self_exe, X_OK) != 0) return cli_fail("cannot find the ftlab binary (%s)", self_exe);

    /* This run's share of the table: what a failed run leaves missing is marked in it. */
    expect.runs = o.runs;
    expect.shard_i = o.shard_i, expect.shard_n = o.shard_n;
    expect.partial = 1;
    struct combo *combos = xcalloc((size_t)(TASK_COUNT * REG_COUNT * o.runs), sizeof *combos);
    size_t n = 0;
    char name[128];
    for (int t = 0; t < TASK_COUNT; t++)
        for (int l = 0; l < REG_COUNT; l++)
            for (int run = 1; run <= o.runs; run++) {
                /* --shard I/N: every N-th combination, starting at the I-th. */
                if (!table1_in_shard(&expect, t, l, run)) continue;
                snprintf(name, sizeof name, "runs/%s-%s-run%d", model_task_name(t),
                         reg_table[l].name, run);
                combos[n] = (struct combo){
                    .task = t, .loss = l, .run = run, .dir = ftl_path_join(o.out, name)};
                n++;
            }
    if (ftl_mkdir_p(o.out, err) != 0) {
        free(combos);
        return cli_fail("%s", err);
    }
    int failed = run_all(combos, n, &o);
    for (size_t i = 0; i < n; i++)
        free(combos[i].dir);
    free(combos);
    const char *dirs[1] = {o.out};
    int rc = table1_collect(dirs, 1, o.out, &expect, err);
    if (rc != 0) return cli_fail("%s", err);
    if (failed)
        return cli_fail("%d run%s failed; their log.txt says why (re-run to retry)", failed,
                        failed > 1 ? "s" : "");
    return EXIT_OK;
}
