/*
 * sweep — a grid of training runs: which runs a grid holds, in which order
 * and in which folders; running them as child processes of this binary
 * (train, then eval), a shard at a time; the Slurm job array that runs the
 * shards elsewhere; and collecting what finished into sweep.md, sweep.csv
 * and figures/sweep.png. `ftlab sweep` is this module over any grid;
 * `ftlab table1` is it over a fixed one (tasks x losses x seeds 1..runs).
 *
 * A run is one point of the grid (one value of every axis) at one seed. The
 * runs are numbered point by point (task outermost, then loss, then the
 * other axes in sweep_axes[] order), seed by seed within a point; shard I/N
 * holds the runs whose number is I-1 modulo N. Run folders are
 * OUT/runs/TASK-LOSS[-AXISVALUE...]-runSEED, an axis named only when it has
 * more than one value, so table1's grid gives table1's TASK-LOSS-runR.
 *
 * Errors follow util.h: -1 and one line in err naming the option or file.
 */
#ifndef FTLAB_SWEEP_H
#define FTLAB_SWEEP_H

#include <stdio.h>

#include "loss.h"
#include "model.h"

#define SWEEP_MAX_VALUES 32 /* values of one axis */
#define SWEEP_MAX_SEEDS 100
#define SWEEP_MAX_K 8
#define SWEEP_MAX_RUNS 100000 /* runs in one grid */

/* The options a grid can vary; every one is also a `train` option of the same name. */
enum sweep_axis {
    SWEEP_TASK,
    SWEEP_LOSS,
    SWEEP_LAMBDA,
    SWEEP_MARGIN,
    SWEEP_LR,
    SWEEP_HIDDEN,
    SWEEP_UNITS,
    SWEEP_BATCH,
    SWEEP_EPOCHS,
    SWEEP_AXES
};

enum sweep_kind { SWEEP_NAME, SWEEP_REAL, SWEEP_INT };

struct sweep_axis_info {
    const char *option; /* the option of sweep and train, without "--": "batch-size" */
    const char *column; /* its sweep.csv column and run-config key: "batch_size" */
    const char *tag;    /* in run folder names, before the value: "batch" -> "-batch64" */
    enum sweep_kind kind;
    double lo, hi; /* the range of an SWEEP_INT axis (the controls' come from ctl_table) */
};
extern const struct sweep_axis_info sweep_axes[SWEEP_AXES];

/* What a grid trains; the values of SWEEP_NAME axes are enum model_task / enum reg_kind. */
struct sweep_spec {
    int n[SWEEP_AXES]; /* values per axis; SWEEP_LAMBDA may have 0: loss_lambda applies */
    double v[SWEEP_AXES][SWEEP_MAX_VALUES];
    double loss_lambda[REG_COUNT]; /* λ per loss when the lambda axis is empty */
    int nseeds;
    long seeds[SWEEP_MAX_SEEDS]; /* each run's --seed; "-runSEED" in its folder's name */
    int nk;
    int k[SWEEP_MAX_K]; /* the cluster counts eval measures */
    int sample;         /* --sample */
    char data[4096];    /* --data, absolute; "" for the default ('train' resolves it) */
    long limit;         /* --limit; 0: all */
    int quick;          /* eval with 3 KMeans restarts instead of 10 */
};

/* One value of every axis (train's defaults), λ per loss from reg_table, seed 1, k = 9,10,11. */
void sweep_spec_default(struct sweep_spec *s);

/*
 * An axis's values from an option's text: a comma list ("0.03,0.1,1";
 * "baseline,proposed"); for an SWEEP_INT axis also ranges "1-3"; for
 * lambda also loss=X pairs ("decov=1,proposed=0.1"), which set loss_lambda
 * and leave the axis empty. Each value is checked against the option's
 * range; an empty item, a repeat, a reversed range are errors ("--lambda:
 * empty item in '0.1,,1'"). 0 or -1 with err.
 */
int sweep_parse_axis(struct sweep_spec *s, enum sweep_axis a, const char *text, char *err);
/* --seeds "1-3", "1,5,9", "1-3,7": distinct non-negative integers. 0 or -1 with err. */
int sweep_parse_seeds(struct sweep_spec *s, const char *text, char *err);
/* The axis whose option is name ("lambda", "batch-size"), or -1. */
int sweep_axis_from_option(const char *name);

/*
 * The data every run trains on: --sample, --data DIR, or (neither) what
 * `train` would use now ($FTLAB_DATA, the installed data, else the sample,
 * with train's notice), as an absolute folder, so that a job started
 * elsewhere (Slurm, --resume) trains on the same. 0 or -1 with err.
 */
int sweep_set_data(struct sweep_spec *s, const char *dir, int sample, char *err);

/* Points (one value per axis) and runs (points x seeds). */
long sweep_points(const struct sweep_spec *s);
long sweep_runs(const struct sweep_spec *s);
/* The value indices idx[SWEEP_AXES] of point p (idx[SWEEP_LAMBDA] 0 when the axis is empty). */
void sweep_point(const struct sweep_spec *s, long p, int *idx);
/* The value of axis a at point p: for lambda with an empty axis, its loss's loss_lambda. */
double sweep_value(const struct sweep_spec *s, long p, enum sweep_axis a);
/* Axis a's value as train takes it and the csv shows it ("proposed", "0.1", "64"). */
void sweep_format(enum sweep_axis a, double v, char *buf, size_t cap);
/*
 * An axis the point's loss ignores: λ for the baseline, the margin for every
 * loss but the proposed one. A grid of baseline and proposed over λ would
 * otherwise train the baseline once per λ to the same weights. Only axes
 * with two or more values count.
 */
int sweep_inert(const struct sweep_spec *s, long p, enum sweep_axis a);
/* The point p stands for: p with each inert axis at its first value. A point that is not
 * its own canonical one is a duplicate: never trained, named and tabled as that one. */
long sweep_canonical(const struct sweep_spec *s, long p);
/* Is run r (0-based) in shard i/n (1-based i)? */
int sweep_in_shard(long r, int shard_i, int shard_n);
/* Run r's folder name under runs/ ("classify-proposed-lambda0.1-run2"; inert axes left out:
 * "classify-baseline-run2"), into buf. */
void sweep_run_name(const struct sweep_spec *s, long r, char *buf, size_t cap);

// ---- the grid file: OUT/grid ----

/*
 * Writes the spec as "key value" lines (the options' own text, so
 * sweep_read_grid parses it with the same functions), with
 * "command" (sweep or table1) and "shard I/N". 0 or -1 with err.
 */
int sweep_write_grid(const struct sweep_spec *s, const char *command, int shard_i, int shard_n,
                     const char *path, char *err);
/* Reads what sweep_write_grid wrote; *shard_i and *shard_n may be NULL. 0 or -1 with err. */
int sweep_read_grid(const char *path, struct sweep_spec *s, int *shard_i, int *shard_n, char *err);

// ---- running ----

struct sweep_run_opts {
    const char *out; /* the sweep's folder: OUT/runs/NAME per run */
    int shard_i, shard_n;
    int jobs;         /* runs at once; the BLAS threads are split between them */
    const char *name; /* "sweep" or "table1": the messages' prefix */
};

/*
 * Writes OUT/grid (o->name is the command: "sweep" or "table1"), then trains and evaluates
 * every unfinished run of the shard (a run with
 * eval.csv is finished; one with a config resumes), o->jobs at a time, with
 * a progress line on a terminal (done, running, failed, time left) or a line
 * per finished run otherwise. Returns how many failed (their log.txt says
 * why), or -1 with err when nothing could start.
 */
int sweep_run(const struct sweep_spec *s, const struct sweep_run_opts *o, char *err);

// ---- Slurm ----

#define SWEEP_SLURM_MAX_OPTS 32

struct sweep_slurm {
    int shards; /* array tasks; 0: one per run, at most 1000 */
    int nopts;  /* --slurm-opt KEY=VALUE, in order; a KEY given replaces a default */
    const char *opt[SWEEP_SLURM_MAX_OPTS];
    int dry_run; /* write the script, do not submit */
};

/* Is kv an --slurm-opt: KEY=VALUE, KEY of letters, digits and '-', VALUE one line? 0 or -1. */
int sweep_slurm_check_opt(const char *kv, char *err);

/* The Slurm options sweep and table1 share: their getopt codes, and their parser. */
enum { SWEEP_O_SLURM = 0x300, SWEEP_O_SHARDS, SWEEP_O_SLURM_OPT, SWEEP_O_DRY_RUN };
#define SWEEP_SLURM_OPTIONS                                                                        \
    {"slurm", no_argument, NULL, SWEEP_O_SLURM},                                                   \
        {"shards", required_argument, NULL, SWEEP_O_SHARDS},                                       \
        {"slurm-opt", required_argument, NULL, SWEEP_O_SLURM_OPT},                                 \
    {                                                                                              \
        "dry-run", no_argument, NULL, SWEEP_O_DRY_RUN                                              \
    }
/* Option c (its argument arg) when it is one of those: 1, with *slurm or sl set; 0 for any
 * other option; -1 with err ("--shards needs an integer in 1..1000, not 'x'"). */
int sweep_slurm_option(int c, const char *arg, int *slurm, struct sweep_slurm *sl, char *err);

/*
 * Writes OUT/grid and OUT/slurm/sweep.sbatch: a job array of sl->shards
 * tasks, task i running `EXE sweep ... --shard i+1/N --out OUT/shards/i+1`
 * (EXE the running binary, OUT absolute), its output in
 * OUT/slurm/shard-I.log; then, unless dry_run, submits it with `sbatch
 * --parsable` and prints the job id and the command that collects. command
 * is "sweep" or "table1" (which collect to print). 0 or -1 with err.
 */
int sweep_slurm_submit(const struct sweep_spec *s, const struct sweep_slurm *sl, const char *out,
                       const char *command, const char *collect_hint, char *err);

// ---- collecting ----

/*
 * Gathers the runs of the grid in DIR/grid (else DIR/shards/N/grid) from
 * DIR/runs and DIR/shards/N/runs, and writes DIR/sweep.md, DIR/sweep.csv and
 * DIR/figures/sweep.png (AMI_max against the first swept option, a line per
 * loss, error bars over seeds; in fig's format and size, NULL: png at its
 * own); prints the table. Only the runs of shard
 * i/n are expected (1/1: all). Returns 0 when every expected run finished;
 * otherwise the tables hold what finished and -1 says, on one line, which
 * runs are missing and, when the folder was sharded, which shards to run
 * again. Also -1 with nothing written when DIR is no sweep.
 */
struct plot_opts;
int sweep_collect(const char *dir, int shard_i, int shard_n, const struct plot_opts *fig,
                  char *err);

#endif
