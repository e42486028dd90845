/*
 * live_bench — what live evaluation costs training (issue 14: "at most 10% of
 * training throughput"), measured the way the workbench trains.
 *
 *   live_bench [--data DIR | --sample] [--steps N] [--repeat R] [--threads T]
 *              [--task classify|autoencode] [--probe-every P] [--probe-n N]
 *
 * Each run creates a session in a temporary folder (the defaults of
 * `ftlab train`: H=128, K=32, batch 256, Adam, loss baseline; --threads 0,
 * the workbench's default, is as many GRU threads as OpenBLAS would use,
 * resolved once for every run),
 * starts it with live_start(s, -1, P, N, 0) as ui/tui/workbench.c does
 * (PROBE_EVERY 100, PROBE_SEQUENCES 2000: Figure 2 is refreshed in every run)
 * and polls live_view() every 10 ms until the state is LIVE_DONE. Automatic
 * evaluation is on in one run and off in the other (live_set_auto_eval), so
 * the difference between the two is the evaluations alone. The two kinds
 * alternate, R times each, in an order that flips every repeat, so a machine
 * busy with other work slows both alike; the medians are compared.
 *
 * A run's wall time is from live_start() to LIVE_DONE (the session's
 * creation and final.ckpt are outside it); steps/s = N / wall. Prints a line
 * per run and then
 *
 *   live_bench steps=N repeat=R evals=E on_steps_per_s=X off_steps_per_s=Y
 *       cost=C paired_cost=P within_cost=W eval_busy=F
 *
 * with medians over the repeats: E evaluations finished per run with live
 * evaluation on, C = 1 - X / Y (the share of training throughput live
 * evaluation costs), P the median of the same ratio taken within each
 * repeat's pair of runs (less sensitive to a slow spell of the machine), F the
 * share of the run's wall time an evaluation was running (as seen by the
 * 10 ms polls). Each run's line also has rate_while_evaluating: training's
 * steps/s while an evaluation runs over its steps/s otherwise, in that run;
 * W is the median of F x (1 - that rate), the cost seen within each run with
 * evaluation on, which a slow spell of the machine between runs cannot fake.
 */
#define _XOPEN_SOURCE 700
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include "session.h"
#include "util.h"

#ifdef HAVE_OPENBLAS_GET_CORENAME
char *openblas_get_corename(void);
#endif
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
int openblas_get_num_threads(void);
#endif

struct run_result {
    double wall, steps_per_s, busy;
    double slowdown; /* steps/s while an evaluation runs over steps/s otherwise, or -1 */
    int evals;
};

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void rmtree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One training run of cfg in dir, automatic evaluation on or off. */
static int one_run(const struct trainer_config *cfg, const struct trainer_controls *ctl,
                   const char *dir, int probe_every, size_t probe_n, int auto_eval,
                   struct run_result *out)
{
    char err[FTL_ERRLEN];
    struct dataset_pair data;
    struct trainer_config c = *cfg;
    if (session_load_data(c.data, c.nan, 0, &data, err) != 0 ||
        session_prepare_data(&c, 1, &data, err) != 0) {
        fprintf(stderr, "live_bench: %s\n", err);
        return -1;
    }
    struct session s;
    if (session_create(&s, dir, &c, ctl, &data, err) != 0) {
        fprintf(stderr, "live_bench: %s\n", err);
        return -1;
    }
    double t0 = ftl_now();
    struct live *l = live_start(&s, -1, probe_every, probe_n, 0);
    /* The trainer thread probes 2000 sequences before its first step and evaluates
     * no earlier than step LIVE_EVAL_MIN_STEPS: this lands long before that (checked
     * below: a run with it off must end with no evaluation). */
    live_set_auto_eval(l, auto_eval);
    static struct live_snapshot v; /* ~70 KB: not on the stack */
    double busy = 0, last = t0, done_at = 0;
    double in_steps = 0, out_steps = 0, out_time = 0;
    uint64_t last_step = 0;
    int was_evaluating = 0;
    for (;;) {
        sleep_ms(10);
        live_view(l, &v);
        double now = ftl_now();
        /* A poll interval counts as evaluating if an evaluation ran at either end of it. */
        double dsteps = v.state == LIVE_RUNNING ? (double)(v.step - last_step) : 0;
        if (v.state == LIVE_RUNNING) {
            if (v.evaluating || was_evaluating) {
                busy += now - last;
                in_steps += dsteps;
            } else {
                out_time += now - last;
                out_steps += dsteps;
            }
        }
        last = now;
        last_step = v.step;
        was_evaluating = v.evaluating;
        if (v.state == LIVE_DONE && !done_at) done_at = now;
        if (v.state != LIVE_RUNNING && v.state != LIVE_PAUSED && !v.evaluating) break;
    }
    int rc = 0;
    if (v.state != LIVE_DONE) {
        fprintf(stderr, "live_bench: training ended %s: %s\n", live_state_name(v.state), v.message);
        rc = -1;
    }
    out->wall = done_at - t0;
    out->steps_per_s = (double)cfg->steps / (out->wall > 0 ? out->wall : 1e-9);
    out->busy = busy / (out->wall > 0 ? out->wall : 1e-9);
    out->slowdown = busy > 0 && out_steps > 0 ? (in_steps / busy) / (out_steps / out_time) : -1;
    out->evals = v.nscores;
    if (!auto_eval && v.nscores) {
        fprintf(stderr, "live_bench: %d evaluations ran with automatic evaluation off\n",
                v.nscores);
        rc = -1;
    }
    if (live_stop(l, err) != 0) {
        fprintf(stderr, "live_bench: %s\n", err);
        rc = -1;
    }
    return rc;
}

static int usage(void)
{
    fprintf(stderr, "usage: live_bench [--data DIR | --sample] [--steps N] [--repeat R] "
                    "[--threads T] [--task classify|autoencode] [--probe-every P] "
                    "[--probe-n N]\n");
    return 1;
}

int main(int argc, char **argv)
{
    ftl_flush_subnormals(); /* as ftlab's main() */
    struct trainer_config cfg;
    struct trainer_controls ctl;
    trainer_config_defaults(&cfg, &ctl);
    const char *data = "sample";
    long steps = 300, repeat = 3, threads = 0, probe_every = 100, probe_n = 2000;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--data") && a + 1 < argc)
            data = argv[++a];
        else if (!strcmp(argv[a], "--sample"))
            data = "sample";
        else if (!strcmp(argv[a], "--steps") && a + 1 < argc)
            steps = atol(argv[++a]);
        else if (!strcmp(argv[a], "--repeat") && a + 1 < argc)
            repeat = atol(argv[++a]);
        else if (!strcmp(argv[a], "--threads") && a + 1 < argc)
            threads = atol(argv[++a]);
        else if (!strcmp(argv[a], "--probe-every") && a + 1 < argc)
            probe_every = atol(argv[++a]);
        else if (!strcmp(argv[a], "--probe-n") && a + 1 < argc)
            probe_n = atol(argv[++a]);
        else if (!strcmp(argv[a], "--task") && a + 1 < argc) {
            int t = model_task_from_name(argv[++a]);
            if (t < 0) return usage();
            cfg.task = (enum model_task)t;
        } else
            return usage();
    }
    if (steps < 1 || repeat < 1 || repeat > 100 || threads < 0 || threads > 256 ||
        probe_every < 0 || probe_n < 0) {
        fprintf(stderr, "live_bench: --steps and --repeat must be positive, the rest >= 0\n");
        return 1;
    }
    if (strcmp(data, "sample") == 0) {
        snprintf(cfg.data, sizeof cfg.data, "sample");
    } else {
        /* Absolute, as `ftlab train` writes it in the config. */
        char *abs = realpath(data, NULL);
        if (!abs) {
            fprintf(stderr, "live_bench: %s: %s\n", data, strerror(errno));
            return 1;
        }
        snprintf(cfg.data, sizeof cfg.data, "%s", abs);
        free(abs);
    }
    /* --threads 0 is what OpenBLAS would use, as in the workbench; resolved here once,
     * because the trainer sets OpenBLAS to one thread (src/trainer.c: set_threads), so a
     * second session in this process would resolve 0 to 1 thread. */
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    if (threads == 0) threads = openblas_get_num_threads();
#endif
    if (threads == 0) threads = 1;
    cfg.epochs = 0;
    cfg.steps = steps;
    cfg.threads = (int)threads;

    const char *tmpbase = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char base[PATH_MAX];
    snprintf(base, sizeof base, "%s/ftlab-live-bench-XXXXXX", tmpbase);
    if (!mkdtemp(base)) {
        fprintf(stderr, "live_bench: %s: %s\n", base, strerror(errno));
        return 1;
    }
#ifdef HAVE_OPENBLAS_GET_CORENAME
    const char *core = openblas_get_corename();
#else
    const char *core = "?";
#endif
    printf("live_bench data=%s task=%s steps=%ld threads=%ld probe_every=%ld probe_n=%ld "
           "blas_core=%s\n",
           strcmp(cfg.data, "sample") == 0 ? "sample" : cfg.data, model_task_name(cfg.task), steps,
           threads, probe_every, probe_n, core);
    fflush(stdout);

    double on_rate[100], off_rate[100], busy[100], evals[100], slowdown[100];
    int rc = 0;
    for (long r = 0; r < repeat && rc == 0; r++) {
        for (int i = 0; i < 2 && rc == 0; i++) {
            int on = (int)((r + i) % 2); /* off, on; then on, off; ... */
            char dir[PATH_MAX + 32];
            snprintf(dir, sizeof dir, "%s/run-%ld-%s", base, r, on ? "on" : "off");
            struct run_result res;
            rc = one_run(&cfg, &ctl, dir, (int)probe_every, (size_t)probe_n, on, &res);
            rmtree(dir);
            if (rc) break;
            printf("live_bench_run repeat=%ld auto_eval=%s wall_s=%.3f steps_per_s=%.3f "
                   "evals=%d eval_busy=%.3f rate_while_evaluating=%.3f\n",
                   r + 1, on ? "on" : "off", res.wall, res.steps_per_s, res.evals, res.busy,
                   res.slowdown);
            fflush(stdout);
            if (on) {
                on_rate[r] = res.steps_per_s;
                busy[r] = res.busy;
                slowdown[r] = res.slowdown;
                evals[r] = res.evals;
            } else {
                off_rate[r] = res.steps_per_s;
            }
        }
    }
    rmtree(base);
    if (rc) return 1;
    int n = (int)repeat;
    double paired[100], within[100];
    for (int r = 0; r < n; r++) {
        paired[r] = 1 - on_rate[r] / off_rate[r];
        within[r] = slowdown[r] < 0 ? 0 : busy[r] * (1 - slowdown[r]);
    }
    double on = median(on_rate, n), off = median(off_rate, n);
    printf("live_bench steps=%ld repeat=%d evals=%g on_steps_per_s=%.3f off_steps_per_s=%.3f "
           "cost=%.4f paired_cost=%.4f within_cost=%.4f eval_busy=%.4f\n",
           steps, n, median(evals, n), on, off, 1 - on / off, median(paired, n), median(within, n),
           median(busy, n));
    return 0;
}
